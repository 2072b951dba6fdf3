//! `gate` and `expander`: downward expansion below a threshold, with a peak-hold
//! detector, attack/hold/release ballistics and an optional sidechain key.
//!
//! Per frame: the detector takes the stereo-linked peak power and holds the largest
//! value of the last `hold` seconds (so a gate does not chatter at the zero
//! crossings of a held note); below the threshold the gain is reduced by
//! `(ratio - 1)` dB per dB under it (a gate: all the way), at most by `range` dB.
//! The reduction is smoothed in dB: it shrinks with the `attack` time constant (the
//! gate opening) and grows with the `release` time constant (closing); see
//! [`super::dynamics`] for the time-constant convention.

use super::compressor::SIDECHAIN;
use super::dynamics::{Ballistics, db_power, power_db};
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name};
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

const fn threshold(default: f64) -> ParamSpec {
    ParamSpec::num(
        "threshold",
        UnitKind::Level,
        -90.0,
        0.0,
        default,
        "Level in dB (peak) under which the gain is reduced, -90..0 dB.",
    )
}
const fn range(default: f64) -> ParamSpec {
    ParamSpec::num(
        "range",
        UnitKind::Level,
        0.0,
        120.0,
        default,
        "Largest reduction in dB, 0..120 dB (`range 40dB` leaves closed signal 40 dB down).",
    )
}
const ATTACK: ParamSpec = ParamSpec::num(
    "attack",
    UnitKind::Time,
    0.00001,
    1.0,
    0.001,
    "Opening time constant (63.2% of the way open), 0.01 ms..1 s; default 1 ms.",
);
const HOLD: ParamSpec = ParamSpec::num(
    "hold",
    UnitKind::Time,
    0.0,
    2.0,
    0.010,
    "How long the detector holds a peak before it may close, 0..2 s; default 10 ms \
     (enough for notes down to 50 Hz). Not automatable.",
)
.fixed();
const RELEASE: ParamSpec = ParamSpec::num(
    "release",
    UnitKind::Time,
    0.001,
    5.0,
    0.100,
    "Closing time constant (63.2% of the way closed), 1 ms..5 s; default 100 ms.",
);

static GATE_PARAMS: &[ParamSpec] = &[
    threshold(-40.0).positional(),
    range(80.0),
    ATTACK,
    HOLD,
    RELEASE,
    SIDECHAIN,
];

static EXPANDER_PARAMS: &[ParamSpec] = &[
    threshold(-40.0),
    ParamSpec::num(
        "ratio",
        UnitKind::Number,
        1.0,
        100.0,
        2.0,
        "dB of reduction per dB under the threshold, plus one: 2 (default) turns \
         10 dB under into 20 dB under. 1..100.",
    ),
    range(40.0),
    ATTACK,
    HOLD,
    RELEASE,
    SIDECHAIN,
];

pub static GATE: ProcessorSpec = ProcessorSpec {
    kind: "gate",
    doc: "Noise gate: below `threshold` the signal drops by `range`: `gate -45dB`. \
          Optional `sidechain` key. No latency.",
    arg: None,
    params: GATE_PARAMS,
    bands: &[],
    sidechain: true,
    build: build_gate,
};

pub static EXPANDER: ProcessorSpec = ProcessorSpec {
    kind: "expander",
    doc: "Downward expander: below `threshold` each dB becomes `ratio` dB, at most \
          `range` dB of reduction. Optional `sidechain` key. No latency.",
    arg: None,
    params: EXPANDER_PARAMS,
    bands: &[],
    sidechain: true,
    build: build_expander,
};

fn build_gate(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    build_with(insert, ctx, GATE_PARAMS, f64::INFINITY)
}

fn build_expander(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let ratio = number(&insert.params, EXPANDER_PARAMS, "ratio")?;
    build_with(insert, ctx, EXPANDER_PARAMS, ratio)
}

fn build_with(
    insert: &Insert,
    ctx: &BuildContext,
    specs: &'static [ParamSpec],
    ratio: f64,
) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, specs, name);
    let settings = Settings {
        threshold: n("threshold")?,
        ratio: ratio.max(1.0),
        range: n("range")?.max(0.0),
        attack: n("attack")?,
        hold: n("hold")?,
        release: n("release")?,
    };
    Ok(Box::new(Expander::new(specs, settings, ctx.rate)))
}

/// Settings in canonical units (`ratio` infinite for a gate).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub threshold: f64,
    pub ratio: f64,
    pub range: f64,
    pub attack: f64,
    pub hold: f64,
    pub release: f64,
}

pub struct Expander {
    specs: &'static [ParamSpec],
    rate: f64,
    initial: Settings,
    threshold: f64,
    ratio: f64,
    range: f64,
    /// Detected power at and above which there is no reduction.
    floor: f64,
    ballistics: Ballistics,
    /// Sliding-maximum deque of (sample number, power) over the hold window.
    hold: Vec<(u64, f64)>,
    hold_head: usize,
    hold_len: usize,
    n: u64,
}

impl Expander {
    pub fn new(specs: &'static [ParamSpec], s: Settings, rate: f64) -> Self {
        let hold = ((s.hold * rate).round() as usize).max(1);
        let mut e = Expander {
            specs,
            rate,
            initial: s,
            threshold: s.threshold,
            ratio: s.ratio,
            range: s.range,
            floor: 0.0,
            // Reduction grows when closing (release) and shrinks when opening (attack).
            ballistics: Ballistics::new(s.release, s.attack, rate),
            hold: vec![(0, 0.0); hold],
            hold_head: 0,
            hold_len: 0,
            n: 0,
        };
        e.update_floor();
        e
    }

    fn update_floor(&mut self) {
        self.floor = db_power(self.threshold);
    }

    /// The largest power of the last `hold.len()` frames, including `p`.
    #[inline]
    fn held(&mut self, p: f64) -> f64 {
        let w = self.hold.len();
        if self.hold_len > 0 && self.hold[self.hold_head].0 + w as u64 <= self.n {
            self.hold_head = (self.hold_head + 1) % w;
            self.hold_len -= 1;
        }
        while self.hold_len > 0 && self.hold[(self.hold_head + self.hold_len - 1) % w].1 <= p {
            self.hold_len -= 1;
        }
        self.hold[(self.hold_head + self.hold_len) % w] = (self.n, p);
        self.hold_len += 1;
        self.n += 1;
        self.hold[self.hold_head].1
    }

    #[inline]
    fn target(&self, p: f64) -> f64 {
        if p >= self.floor || self.ratio <= 1.0 {
            0.0
        } else if p <= 0.0 {
            self.range
        } else {
            ((self.ratio - 1.0) * (self.threshold - power_db(p))).min(self.range)
        }
    }
}

impl Processor for Expander {
    fn reset(&mut self) {
        *self = Expander::new(self.specs, self.initial, self.rate);
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || value.is_nan() {
            return;
        }
        match param_name(self.specs, id.index) {
            Some("threshold") => self.threshold = value.clamp(-200.0, 50.0),
            Some("ratio") => self.ratio = value.max(1.0),
            Some("range") => self.range = value.clamp(0.0, 200.0),
            Some("attack") => self.ballistics.set_release(value, self.rate),
            Some("release") => self.ballistics.set_attack(value, self.rate),
            _ => {}
        }
        self.update_floor();
    }

    fn process(&mut self, io: &mut [&mut [f32]], sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let peak = |chans: &[&[f32]], i: usize| {
            chans
                .iter()
                .fold(0.0f64, |m, c| m.max(f64::from(c[i]).abs()))
        };
        for i in 0..frames {
            let level = match sidechain {
                Some(key) if !key.is_empty() => peak(key, i),
                _ => io.iter().fold(0.0f64, |m, c| m.max(f64::from(c[i]).abs())),
            };
            let p = self.held(level * level);
            let reduction = self.ballistics.next(self.target(p));
            if reduction != 0.0 {
                let g = super::fastmath::db_to_gain(-reduction);
                for ch in io.iter_mut() {
                    ch[i] = (f64::from(ch[i]) * g) as f32;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "expander_tests.rs"]
mod tests;
