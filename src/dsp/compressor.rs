//! `compressor`: a feed-forward downward compressor with stereo-linked detection,
//! an optional external key (`sidechain NAME`), soft knee, makeup and a dry/wet
//! `mix` for parallel compression.
//!
//! Signal flow per frame (Giannoulis et al. 2012, "log-domain, branching
//! detector after the gain computer"): detect the level (peak or RMS, of the key
//! when there is one) -> static curve in dB -> attack/release ballistics on the
//! gain reduction in dB -> gain `(1 - mix) + mix * reduction * makeup` applied to
//! every channel. Attack and release are time constants (63.2% of a step; see
//! [`super::dynamics`]). Makeup and mix glide over 32 samples when automated.

use super::dynamics::{
    Ballistics, Detector, DetectorKind, compressor_reduction, db_power, power_db,
};
use super::gain::db_to_lin;
use super::param::{Default, ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name, word};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

/// `sidechain NAME`: the strip whose signal keys the detector (shared with other
/// keyed processors).
pub const SIDECHAIN: ParamSpec = ParamSpec {
    name: "sidechain",
    kind: UnitKind::StripRef,
    min: 0.0,
    max: 0.0,
    default: Default::Absent,
    automatable: false,
    positional: false,
    doc: "A track or bus whose signal drives the detector instead of the input \
          (ducking). Left out: the input itself.",
};

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "threshold",
        UnitKind::Level,
        -60.0,
        0.0,
        -18.0,
        "Level in dB above which the gain is reduced, -60..0 dB; default -18 dB.",
    ),
    ParamSpec::num(
        "ratio",
        UnitKind::Number,
        1.0,
        100.0,
        4.0,
        "Input dB over the threshold per output dB, 1..100; default 4 (4:1). 1 does nothing.",
    ),
    ParamSpec::num(
        "attack",
        UnitKind::Time,
        0.00001,
        1.0,
        0.010,
        "Time constant of a growing gain reduction: 63.2% of a step is reached in \
         this time. 0.01 ms..1 s; default 10 ms.",
    ),
    ParamSpec::num(
        "release",
        UnitKind::Time,
        0.001,
        5.0,
        0.100,
        "Time constant of a shrinking gain reduction: 63.2% of the way back in this \
         time. 1 ms..5 s; default 100 ms.",
    ),
    ParamSpec::num(
        "knee",
        UnitKind::Level,
        0.0,
        24.0,
        0.0,
        "Width in dB of the quadratic soft knee centred on the threshold, 0..24 dB; \
         default 0 dB (hard knee).",
    ),
    ParamSpec::num(
        "makeup",
        UnitKind::Level,
        -24.0,
        40.0,
        0.0,
        "Gain in dB after compression (wet signal only), -24..+40 dB; default 0 dB.",
    ),
    ParamSpec::num(
        "mix",
        UnitKind::Percent,
        0.0,
        1.0,
        1.0,
        "Share of compressed signal blended with the dry input (parallel \
         compression), 0..100%; default 100%. 0% passes the input unchanged.",
    ),
    ParamSpec::choice(
        "detector",
        &["peak", "rms"],
        "peak",
        "`peak`: the largest |sample| of the channels; `rms`: their mean power over \
         a 10 ms window (a sine reads 3 dB under its peak). Default peak.",
    ),
    SIDECHAIN,
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "compressor",
    doc: "Feed-forward compressor with stereo-linked detection, soft knee, makeup, \
          parallel `mix` and an optional `sidechain` key. No latency.",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: true,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    let detector = word(&insert.params, PARAMS, "detector")?.unwrap_or("peak");
    let settings = Settings {
        threshold: n("threshold")?,
        ratio: n("ratio")?.max(1.0),
        attack: n("attack")?,
        release: n("release")?,
        knee: n("knee")?.max(0.0),
        makeup: n("makeup")?,
        mix: n("mix")?,
        detector: DetectorKind::from_word(detector)?,
    };
    Ok(Box::new(Compressor::new(settings, ctx.rate)))
}

/// The compressor's settings in canonical units.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub threshold: f64,
    pub ratio: f64,
    pub attack: f64,
    pub release: f64,
    pub knee: f64,
    pub makeup: f64,
    pub mix: f64,
    pub detector: DetectorKind,
}

pub struct Compressor {
    rate: f64,
    initial: Settings,
    threshold: f64,
    ratio: f64,
    knee: f64,
    /// Detected power below which the static curve gives no reduction.
    floor: f64,
    detector: Detector,
    ballistics: Ballistics,
    makeup: Ramp,
    mix: Ramp,
}

impl Compressor {
    pub fn new(s: Settings, rate: f64) -> Self {
        let mut c = Self {
            rate,
            initial: s,
            threshold: s.threshold,
            ratio: s.ratio,
            knee: s.knee,
            floor: 0.0,
            detector: Detector::new(s.detector, rate),
            ballistics: Ballistics::new(s.attack, s.release, rate),
            makeup: Ramp::new(db_to_lin(s.makeup)),
            mix: Ramp::new(s.mix),
        };
        c.update_floor();
        c
    }

    fn update_floor(&mut self) {
        self.floor = db_power(self.threshold - self.knee / 2.0);
    }

    /// The gains of frames `start..start + buf.len()` keyed by `chans`, into `buf`.
    /// Returns false when every gain is exactly 1 (nothing to apply).
    fn chunk_gains<C: AsRef<[f32]>>(&mut self, chans: &[C], start: usize, buf: &mut [f64]) -> bool {
        self.detector.powers(chans, start, buf);
        self.targets(buf);
        self.gains(buf)
    }

    /// The target reductions (dB) for the levels in `buf`, in place: independent per
    /// frame and branch-free (see `fastmath`), so this loop vectorises.
    fn targets(&self, buf: &mut [f64]) {
        let (floor, t, ratio, w) = (self.floor, self.threshold, self.ratio, self.knee);
        // Below the curve's start throughout (quiet passages): no logarithms. A NaN
        // level is not below (`p <= floor` is false), as frame by frame. `&` rather
        // than `all()`, whose early exit would stop vectorisation.
        if buf.iter().fold(true, |below, &p| below & (p <= floor)) {
            buf.fill(0.0);
            return;
        }
        for v in buf.iter_mut() {
            let p = *v;
            let r = compressor_reduction(power_db(p), t, ratio, w);
            *v = if p <= floor { 0.0 } else { r };
        }
    }

    /// The reductions in `buf` (targets on entry) and then the gains, in place.
    /// Returns false when every gain is exactly 1 (nothing to apply).
    fn gains(&mut self, buf: &mut [f64]) -> bool {
        if self.makeup.remaining() > 0 || self.mix.remaining() > 0 {
            // Makeup or mix glides (for at most RAMP_LEN frames after a change):
            // frame by frame, as the ramps advance one sample at a time.
            for v in buf.iter_mut() {
                let r = self.ballistics.next(*v);
                *v = gain(r, self.makeup.next_value(), self.mix.next_value());
            }
            return true;
        }
        let (makeup, mix) = (self.makeup.value(), self.mix.value());
        if !self.ballistics.run(buf) {
            // No reduction in the whole block (below threshold, the common case):
            // one gain for all frames, and no exponential.
            let g = gain(0.0, makeup, mix);
            buf.fill(g);
            return g != 1.0;
        }
        for v in buf.iter_mut() {
            *v = gain(*v, makeup, mix);
        }
        true
    }
}

/// The gain of a frame with smoothed reduction `r` dB: the same operations as the
/// per-frame form `if r == 0 && makeup == 1 { 1 } else { (1 - mix) + mix * wet }`
/// with `wet = makeup` when r == 0, written with selects so a block loop vectorises.
#[inline]
fn gain(r: f64, makeup: f64, mix: f64) -> f64 {
    let e = super::fastmath::db_to_gain(-r) * makeup;
    let wet = if r == 0.0 { makeup } else { e };
    let g = (1.0 - mix) + mix * wet;
    // `&`, not `&&`: no short-circuit branch, which would stop vectorisation.
    if (r == 0.0) & (makeup == 1.0) { 1.0 } else { g }
}

/// Frames per pass of `process`: its scratch (one f64 per frame, on the stack, so
/// nothing is allocated while rendering) stays in L1 between the passes.
const CHUNK: usize = 256;

impl Processor for Compressor {
    fn reset(&mut self) {
        *self = Self::new(self.initial, self.rate);
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || value.is_nan() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("threshold") => self.threshold = value.clamp(-200.0, 50.0),
            Some("ratio") => self.ratio = value.max(1.0),
            Some("knee") => self.knee = value.clamp(0.0, 100.0),
            Some("attack") => self.ballistics.set_attack(value, self.rate),
            Some("release") => self.ballistics.set_release(value, self.rate),
            Some("makeup") => self.makeup.set(db_to_lin(value.min(100.0))),
            Some("mix") => self.mix.set(value.clamp(0.0, 1.0)),
            _ => {}
        }
        self.update_floor();
    }

    /// Block-oriented: per chunk, the levels of all frames, then their target
    /// reductions, the ballistics, the gains, and last the multiply per channel. Each
    /// frame sees the same operations in the same order as a frame-by-frame loop
    /// (the tests keep one as reference), so the bits do not depend on the split.
    fn process(&mut self, io: &mut [&mut [f32]], sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let key = sidechain.filter(|k| !k.is_empty());
        let mut buf = [0.0f64; CHUNK];
        let mut start = 0;
        while start < frames {
            let n = CHUNK.min(frames - start);
            let buf = &mut buf[..n];
            let apply_any = match key {
                Some(k) => self.chunk_gains(k, start, buf),
                None => self.chunk_gains(io, start, buf),
            };
            if apply_any {
                for ch in io.iter_mut() {
                    apply(&mut ch[start..start + n], buf);
                }
            }
            start += n;
        }
    }
}

/// Multiplies `x` by the gains `g`, leaving samples whose gain is exactly 1 as they
/// are (as the per-frame form did, so even a signalling NaN keeps its bits).
#[inline]
fn apply(x: &mut [f32], g: &[f64]) {
    for (s, &g) in x.iter_mut().zip(g) {
        let y = (f64::from(*s) * g) as f32;
        *s = if g == 1.0 { *s } else { y };
    }
}

#[cfg(test)]
#[path = "compressor_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "compressor_block_tests.rs"]
mod block_tests;
