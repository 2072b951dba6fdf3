//! `eq`: a parametric equaliser, a cascade of bands in written order.
//!
//! Each band is one or more biquad sections ([`super::biquad`]) run in f64,
//! transposed direct form II. High- and low-pass bands are Butterworth filters
//! of order slope/6 (second-order sections with the Butterworth pole Qs, plus a
//! first-order section for odd orders), all prewarped at the cutoff, so every
//! slope is exactly -3.01 dB there.
//!
//! Automation: a new `freq`/`gain`/`q` value redesigns the band, and the
//! coefficients glide linearly from the old set to the new over
//! [`RAMP_LEN`] samples (stable all the way, see [`Coefs::lerp`]).

use super::biquad::{Coefs, State};
use super::param::{ParamSpec, UnitKind};
use super::registry::{BandSpec, ProcessorSpec, param_name};
use super::smooth::RAMP_LEN;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;
pub use band::BandParams;
use band::MAX_SECTIONS;

#[path = "eq_band.rs"]
mod band;

const FREQ: ParamSpec = ParamSpec::num(
    "freq",
    UnitKind::Frequency,
    10.0,
    48000.0,
    0.0,
    "Corner or centre frequency, 10 Hz up to just below the Nyquist frequency. Required.",
)
.required()
.positional();

const GAIN: ParamSpec = ParamSpec::num(
    "gain",
    UnitKind::Level,
    -30.0,
    30.0,
    0.0,
    "Boost (+) or cut (-) in dB, -30..+30 dB. Required.",
)
.required()
.positional();

const SLOPE: ParamSpec = ParamSpec::num(
    "slope",
    UnitKind::Slope,
    6.0,
    48.0,
    12.0,
    "Steepness in dB/oct, 6..48 in steps of 6 (Butterworth of order slope/6); \
     default 12 dB/oct. Not automatable.",
)
.positional()
.fixed();

const fn q(default: f64, doc: &'static str) -> ParamSpec {
    ParamSpec::num("q", UnitKind::Number, 0.1, 40.0, default, doc)
}

static PASS: &[ParamSpec] = &[FREQ, SLOPE];
static SHELF: &[ParamSpec] = &[
    FREQ,
    GAIN,
    q(
        0.707,
        "Shelf steepness, 0.1..40; default 0.707, the steepest shelf without overshoot.",
    ),
];
static BELL: &[ParamSpec] = &[
    FREQ,
    GAIN,
    q(
        1.0,
        "Width, 0.1..40 (higher is narrower); default 1.0 (about 1.4 octaves).",
    ),
];
static NOTCH: &[ParamSpec] = &[
    FREQ,
    q(
        4.0,
        "Width, 0.1..40 (higher is narrower; the -3 dB width is freq/q); default 4.",
    ),
];
static BANDPASS: &[ParamSpec] = &[
    FREQ,
    q(
        0.707,
        "Width, 0.1..40 (higher is narrower; the -3 dB width is freq/q); default 0.707.",
    ),
];

static BANDS: &[BandSpec] = &[
    BandSpec {
        kind: "highpass",
        doc: "Butterworth high-pass: `highpass 80Hz 24dB/oct`.",
        params: PASS,
    },
    BandSpec {
        kind: "lowpass",
        doc: "Butterworth low-pass: `lowpass 12kHz 12dB/oct`.",
        params: PASS,
    },
    BandSpec {
        kind: "lowshelf",
        doc: "Low shelf: `gain` below `freq`, half of it (in dB) at `freq`.",
        params: SHELF,
    },
    BandSpec {
        kind: "highshelf",
        doc: "High shelf: `gain` above `freq`, half of it (in dB) at `freq`.",
        params: SHELF,
    },
    BandSpec {
        kind: "bell",
        doc: "Peaking band: exactly `gain` at `freq`: `bell 3kHz +2dB q 1.0`.",
        params: BELL,
    },
    BandSpec {
        kind: "notch",
        doc: "Removes a narrow band around `freq`: `notch 60Hz q 10`.",
        params: NOTCH,
    },
    BandSpec {
        kind: "bandpass",
        doc: "Keeps a band around `freq` (0 dB at `freq`): `bandpass 1kHz q 2`.",
        params: BANDPASS,
    },
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "eq",
    doc: "Parametric equaliser; its bands run in written order. No latency.",
    arg: None,
    params: &[],
    bands: BANDS,
    sidechain: false,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let bands = insert
        .bands
        .iter()
        .map(BandParams::from_ir)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Box::new(Eq::new(bands, ctx)))
}

struct BandFilter {
    params: BandParams,
    sections: usize,
    /// Coefficients at the start of the running glide.
    from: [Coefs; MAX_SECTIONS],
    /// Coefficients at its end (and while no glide runs).
    to: [Coefs; MAX_SECTIONS],
    /// Samples left in the glide.
    left: u32,
    /// One state per channel and section.
    state: Vec<[State; MAX_SECTIONS]>,
}

impl BandFilter {
    fn new(params: BandParams, rate: f64, channels: usize) -> Self {
        let (to, sections) = params.design(rate);
        Self {
            params,
            sections,
            from: to,
            to,
            left: 0,
            state: vec![[State::default(); MAX_SECTIONS]; channels],
        }
    }

    /// Filters one channel's `buf`; `left` glide samples remain at its start.
    fn run(&self, state: &mut [State; MAX_SECTIONS], buf: &mut [f64]) {
        let ramped = (self.left as usize).min(buf.len());
        let done = RAMP_LEN - self.left;
        for (s, st) in state[..self.sections].iter_mut().enumerate() {
            let (from, to) = (&self.from[s], &self.to[s]);
            for (i, x) in buf[..ramped].iter_mut().enumerate() {
                let t = f64::from(done + i as u32 + 1) / f64::from(RAMP_LEN);
                *x = st.tick(&from.lerp(to, t), *x);
            }
            st.run(to, &mut buf[ramped..]);
        }
    }

    fn retarget(&mut self, rate: f64) {
        let t = f64::from(RAMP_LEN - self.left) / f64::from(RAMP_LEN);
        for s in 0..MAX_SECTIONS {
            self.from[s] = self.from[s].lerp(&self.to[s], t);
        }
        let (to, sections) = self.params.design(rate);
        // The section count only changes with the slope, which is not automatable.
        debug_assert_eq!(sections, self.sections);
        self.to = to;
        self.left = RAMP_LEN;
    }
}

pub struct Eq {
    rate: f64,
    initial: Vec<BandParams>,
    bands: Vec<BandFilter>,
    scratch: Vec<f64>,
}

impl Eq {
    pub fn new(bands: Vec<BandParams>, ctx: &BuildContext) -> Self {
        Self {
            rate: ctx.rate,
            bands: bands
                .iter()
                .map(|&b| BandFilter::new(b, ctx.rate, ctx.channels.max(1)))
                .collect(),
            initial: bands,
            scratch: vec![0.0; ctx.max_frames.clamp(1, 8192)],
        }
    }

    /// Analytic magnitude response of the whole eq in dB, with the current settings.
    pub fn magnitude_db(&self, freq: f64) -> f64 {
        self.bands
            .iter()
            .map(|b| b.params.magnitude_db(freq, self.rate))
            .sum()
    }

    fn process_part(&mut self, io: &mut [&mut [f32]], from: usize, to: usize) {
        let sections: usize = self.bands.iter().map(|b| b.sections).sum();
        if self.bands.iter().all(|b| b.left == 0) && sections <= FUSED_MAX && io.len() <= 2 {
            self.process_fused(io, from, to);
            return;
        }
        let buf = &mut self.scratch[..to - from];
        for (ch, chan) in io.iter_mut().enumerate() {
            for (d, &x) in buf.iter_mut().zip(chan[from..to].iter()) {
                *d = f64::from(x);
            }
            for band in self.bands.iter_mut() {
                let mut state = band.state[ch.min(band.state.len() - 1)];
                band.run(&mut state, buf);
                let last = band.state.len() - 1;
                band.state[ch.min(last)] = state;
            }
            for (d, &x) in chan[from..to].iter_mut().zip(buf.iter()) {
                *d = x as f32;
            }
        }
        for band in self.bands.iter_mut() {
            band.left -= band.left.min((to - from) as u32);
        }
    }
}

/// The most sections the fused path handles at once (eight bands of 24 dB/oct).
const FUSED_MAX: usize = 16;

impl Eq {
    /// Steady state (no band gliding): every section of every band, and both
    /// channels, advance together sample by sample. Each section's recursion is a
    /// chain of dependent multiplies; running several independent chains side by
    /// side lets the CPU overlap them, which makes a 3-band stereo EQ several times
    /// faster than one pass per section. The arithmetic per section is the same as
    /// [`State::run`], so the output is bit-identical to the one-pass-per-section path.
    fn process_fused(&mut self, io: &mut [&mut [f32]], from: usize, to: usize) {
        let mut coefs = [Coefs::IDENTITY; FUSED_MAX];
        let mut states = [[State::default(); FUSED_MAX]; 2];
        let channels = io.len();
        let mut n = 0;
        for band in &self.bands {
            for s in 0..band.sections {
                coefs[n] = band.to[s];
                for (ch, st) in states.iter_mut().enumerate().take(channels) {
                    st[n] = band.state[ch.min(band.state.len() - 1)][s];
                }
                n += 1;
            }
        }
        let coefs = &coefs[..n];
        let [sl, sr] = &mut states;
        match io {
            [l, r] => {
                for (x, y) in l[from..to].iter_mut().zip(r[from..to].iter_mut()) {
                    let (mut a, mut b) = (f64::from(*x), f64::from(*y));
                    for ((c, p), q) in coefs.iter().zip(sl.iter_mut()).zip(sr.iter_mut()) {
                        a = p.tick(c, a);
                        b = q.tick(c, b);
                    }
                    *x = a as f32;
                    *y = b as f32;
                }
            }
            [m] => {
                for x in m[from..to].iter_mut() {
                    let mut a = f64::from(*x);
                    for (c, p) in coefs.iter().zip(sl.iter_mut()) {
                        a = p.tick(c, a);
                    }
                    *x = a as f32;
                }
            }
            _ => {}
        }
        let mut n = 0;
        for band in self.bands.iter_mut() {
            for s in 0..band.sections {
                for (ch, st) in states.iter().enumerate().take(channels) {
                    let last = band.state.len() - 1;
                    band.state[ch.min(last)][s] = st[n];
                }
                n += 1;
            }
        }
    }
}

impl Processor for Eq {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        let channels = self.bands.first().map_or(1, |b| b.state.len());
        self.bands = self
            .initial
            .iter()
            .map(|&b| BandFilter::new(b, self.rate, channels))
            .collect();
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        let Some(band) = id.band.and_then(|b| self.bands.get_mut(usize::from(b))) else {
            return;
        };
        if !value.is_finite() {
            return;
        }
        let p = &mut band.params;
        match param_name(BANDS[p.kind].params, id.index) {
            Some("freq") => p.freq = value,
            Some("gain") => p.gain = value,
            Some("q") => p.q = value,
            _ => return,
        }
        band.retarget(self.rate);
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let mut at = 0;
        while at < frames {
            let end = (at + self.scratch.len()).min(frames);
            self.process_part(io, at, end);
            at = end;
        }
    }
}

#[cfg(test)]
#[path = "eq_tests.rs"]
mod tests;
