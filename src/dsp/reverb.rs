//! `reverb`: an algorithmic reverb (a 16-line feedback delay network), or with a
//! file argument (`reverb "hall.wav"`) a convolution reverb ([`super::convolve`]).
//!
//! The network (Jot & Chaigne 1991; Schlecht & Habets' "FDN" notes): 16 delay lines
//! of prime lengths spread geometrically over 20..64 ms (times 0.25 + `size`),
//! mixed by a normalised 16x16 Hadamard matrix (orthogonal: lossless), each line
//! followed by an absorption filter: a gain and a first-order high shelf (pole at
//! 4 kHz, unity at DC). Line `i` of `m` samples must lose `60 * m / (rate * decay)`
//! dB per pass at 1 kHz, and `1 / alpha` times that at Nyquist, where
//! `alpha = 1 - 0.9 * damping` (Jot's proportional design); the gain is scaled so
//! the response at exactly 1 kHz is the needed loss, so `decay` is the RT60 at
//! 1 kHz. The shelf takes at most ~6% of its high-frequency loss (in dB) at 1 kHz,
//! so the DC gain stays below unity for any setting. Input: the channels' mean, after `predelay`; outputs: two orthogonal sign
//! patterns over the lines (left, right), then mid/side `width`.
//!
//! Filter states below 1e-30 are flushed to zero, so a silent tail decays to exact
//! zeros and no value ever becomes subnormal (no denormal slowdown).

use super::convolve::Convolution;
use super::gain::db_to_lin;
use super::param::{Default, ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::{Insert, ParamValue};
use std::f64::consts::PI;

const LINES: usize = 16;
/// Below this a filter state is exactly zero.
const FLUSH: f64 = 1e-30;
/// Pole frequency (Hz) of the absorption shelf: the highs `damping` shortens lie above.
const SHELF: f64 = 4000.0;

static ARG: ParamSpec = ParamSpec {
    name: "ir",
    kind: UnitKind::Path,
    min: 0.0,
    max: 0.0,
    default: Default::Absent,
    automatable: false,
    positional: true,
    doc: "An impulse response file (WAV, AIFF, FLAC, MP3, Ogg; mono or stereo), relative \
          to the mix file, written right after `reverb`: it makes this a convolution \
          reverb. It is resampled to the session rate.",
};

pub(crate) static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "decay",
        UnitKind::Time,
        0.1,
        30.0,
        2.0,
        "RT60 at 1 kHz (the time the tail takes to fall 60 dB), 0.1..30 s; default 2 s. \
         Algorithmic only.",
    ),
    ParamSpec::num(
        "predelay",
        UnitKind::Time,
        0.0,
        0.5,
        0.0,
        "Delay before the reverb starts, 0..500 ms; default 0. Not automatable.",
    )
    .fixed(),
    ParamSpec::num(
        "size",
        UnitKind::Percent,
        0.0,
        1.0,
        0.5,
        "Room size: scales the delay lines (5..84 ms), 0..100%; default 50%. Larger \
         is sparser and slower to build up. Algorithmic only; not automatable.",
    )
    .fixed(),
    ParamSpec::num(
        "damping",
        UnitKind::Percent,
        0.0,
        1.0,
        0.5,
        "How much faster the highs die: the RT60 near Nyquist is about \
         (1 - 0.9 * damping) * decay; 0..100%; default 50%. Algorithmic only.",
    ),
    ParamSpec::num(
        "width",
        UnitKind::Percent,
        0.0,
        2.0,
        1.0,
        "Stereo width of the reverb (mid/side): 0% mono, 100% (default) as is, up to 200%.",
    ),
    ParamSpec::num(
        "gain",
        UnitKind::Level,
        f64::NEG_INFINITY,
        24.0,
        0.0,
        "Level of the reverb (wet) signal, -inf..+24 dB; default 0 dB.",
    ),
    ParamSpec::num(
        "mix",
        UnitKind::Percent,
        0.0,
        1.0,
        0.25,
        "Share of the reverb against the dry signal: `(1 - mix) * dry + mix * wet`, \
         0..100%; default 25%. Use 100% on a send bus.",
    ),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "reverb",
    doc: "Reverb. Algorithmic: `reverb { decay 2.4s; predelay 20ms; damping 40%; mix 100% }` \
          (no latency). Convolution: `reverb \"ir.wav\" { mix 100%; predelay 10ms; \
          gain -3dB }`, whose latency is its FFT partition (4096..16384 samples, \
          compensated by the renderer). Both ring on after the input stops (a tail).",
    arg: Some(ARG),
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    let out = Output::new(n("width")?, n("gain")?, n("mix")?);
    let predelay = (n("predelay")? * ctx.rate).round() as usize;
    match insert.params.get("ir") {
        Some(ParamValue::Text(path)) => Ok(Box::new(Convolution::load(
            std::path::Path::new(path),
            predelay,
            out,
            ctx,
        )?)),
        Some(ParamValue::Number(_)) => Err("the impulse response must be a file path".into()),
        None => Ok(Box::new(Fdn::new(
            [n("decay")?, n("size")?, n("damping")?],
            predelay,
            out,
            ctx,
        ))),
    }
}

/// The wet-signal stage both kinds share: width, wet gain, dry/wet mix (automatable).
#[derive(Debug, Clone, Copy)]
pub struct Output {
    initial: [f64; 3],
    width: Ramp,
    gain: Ramp,
    mix: Ramp,
}

impl Output {
    pub fn new(width: f64, gain_db: f64, mix: f64) -> Self {
        Self {
            initial: [width, gain_db, mix],
            width: Ramp::new(width),
            gain: Ramp::new(db_to_lin(gain_db)),
            mix: Ramp::new(mix),
        }
    }

    pub fn reset(&mut self) {
        *self = Self::new(self.initial[0], self.initial[1], self.initial[2]);
    }

    /// Handles `width`, `gain` and `mix`; false for any other parameter.
    pub fn set(&mut self, name: &str, value: f64) -> bool {
        match name {
            "width" => self.width.set(value.clamp(0.0, 2.0)),
            "gain" => self.gain.set(db_to_lin(value.min(24.0))),
            "mix" => self.mix.set(value.clamp(0.0, 1.0)),
            _ => return false,
        }
        true
    }

    /// Combines dry and wet of one frame into `io[..][i]` (wet has 1 or 2 channels
    /// used, matching `io`).
    #[inline]
    pub fn apply(&mut self, io: &mut [&mut [f32]], i: usize, dry: [f64; 2], wet: [f64; 2]) {
        let (w, g, mix) = (
            self.width.next_value(),
            self.gain.next_value(),
            self.mix.next_value(),
        );
        let wet = if io.len() == 2 {
            let mid = 0.5 * (wet[0] + wet[1]);
            let side = 0.5 * (wet[0] - wet[1]) * w;
            [mid + side, mid - side]
        } else {
            wet
        };
        for (k, ch) in io.iter_mut().enumerate() {
            ch[i] = ((1.0 - mix) * dry[k] + mix * g * wet[k]) as f32;
        }
    }
}

/// The sign of line `i` in row `row` of the Hadamard matrix.
const fn sign(row: usize, i: usize) -> f64 {
    if (row & i).count_ones().is_multiple_of(2) {
        1.0
    } else {
        -1.0
    }
}

fn is_prime(n: usize) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

/// In-place fast Walsh-Hadamard transform (unnormalised).
#[inline]
fn fwht(v: &mut [f64; LINES]) {
    let mut h = 1;
    while h < LINES {
        for start in (0..LINES).step_by(2 * h) {
            for j in start..start + h {
                let (a, b) = (v[j], v[j + h]);
                v[j] = a + b;
                v[j + h] = a - b;
            }
        }
        h *= 2;
    }
}

pub struct Fdn {
    rate: f64,
    decay: f64,
    damping: f64,
    initial: (f64, f64),
    lines: Vec<Vec<f64>>,
    pos: [usize; LINES],
    /// Per line: the absorption shelf's numerator (gain included) and state; the
    /// shared pole coefficient.
    b: [[f64; 2]; LINES],
    a1: f64,
    state: [f64; LINES],
    pre: Vec<f64>,
    pre_pos: usize,
    out: Output,
}

impl Fdn {
    /// `shape` is decay (s), size and damping (fractions).
    fn new(shape: [f64; 3], predelay: usize, out: Output, ctx: &BuildContext) -> Self {
        let scale = 0.25 + shape[1].clamp(0.0, 1.0);
        let lines = (0..LINES)
            .map(|i| {
                let ms = 20.0 * libm::pow(3.2, i as f64 / (LINES - 1) as f64) * scale;
                let mut m = ((ms / 1000.0 * ctx.rate).round() as usize).max(2);
                while !is_prime(m) {
                    m += 1;
                }
                vec![0.0; m]
            })
            .collect();
        let mut f = Self {
            rate: ctx.rate,
            decay: shape[0],
            damping: shape[2],
            initial: (shape[0], shape[2]),
            lines,
            pos: [0; LINES],
            b: [[0.0; 2]; LINES],
            a1: 0.0,
            state: [0.0; LINES],
            pre: vec![0.0; predelay],
            pre_pos: 0,
            out,
        };
        f.design();
        f
    }

    /// Absorption filters for the present decay and damping.
    fn design(&mut self) {
        let decay = self.decay.clamp(0.01, 1000.0);
        let alpha = 1.0 - 0.9 * self.damping.clamp(0.0, 1.0);
        let k = libm::tan(PI * SHELF / self.rate);
        self.a1 = (k - 1.0) / (k + 1.0);
        let w = 2.0 * PI * 1000.0 / self.rate;
        let (c, s) = (libm::cos(w), libm::sin(w));
        for (i, line) in self.lines.iter().enumerate() {
            let m = line.len() as f64;
            // Loss per pass at 1 kHz (as a gain), and the shelf's gain at Nyquist so
            // that the total there is gamma^(1/alpha): an RT60 of alpha * decay.
            let gamma = libm::exp10(-3.0 * m / (self.rate * decay));
            let h = libm::pow(gamma, 1.0 / alpha - 1.0);
            let (c0, c1) = ((h + k) / (1.0 + k), (k - h) / (1.0 + k));
            let mag =
                libm::hypot(c0 + c1 * c, c1 * s) / libm::hypot(1.0 + self.a1 * c, self.a1 * s);
            let g = (gamma / mag).min(0.99999);
            self.b[i] = [g * c0, g * c1];
        }
    }
}

impl Processor for Fdn {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        (self.decay, self.damping) = self.initial;
        self.design();
        self.lines.iter_mut().for_each(|l| l.fill(0.0));
        self.pos = [0; LINES];
        self.state = [0.0; LINES];
        self.pre.fill(0.0);
        self.pre_pos = 0;
        self.out.reset();
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || value.is_nan() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("decay") if value.is_finite() => {
                self.decay = value.clamp(0.1, 30.0);
                self.design();
            }
            Some("damping") => {
                self.damping = value.clamp(0.0, 1.0);
                self.design();
            }
            Some(name) => {
                self.out.set(name, value);
            }
            None => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let chans = io.len().clamp(1, 2);
        let mut f = [0.0f64; LINES];
        let mut o = [0.0f64; LINES];
        for i in 0..frames {
            let mut dry = [0.0f64; 2];
            for (d, ch) in dry.iter_mut().zip(io.iter()) {
                *d = f64::from(ch[i]);
            }
            let mut x = (dry[0] + dry[1]) / chans as f64;
            if !self.pre.is_empty() {
                let delayed = self.pre[self.pre_pos];
                self.pre[self.pre_pos] = x;
                self.pre_pos = (self.pre_pos + 1) % self.pre.len();
                x = delayed;
            }
            for k in 0..LINES {
                o[k] = self.lines[k][self.pos[k]];
                let [b0, b1] = self.b[k];
                let y = b0 * o[k] + self.state[k];
                let s = b1 * o[k] - self.a1 * y;
                self.state[k] = if s.abs() < FLUSH { 0.0 } else { s };
                f[k] = if y.abs() < FLUSH { 0.0 } else { y };
            }
            fwht(&mut f);
            let mut wet = [0.0f64; 2];
            for k in 0..LINES {
                let line = &mut self.lines[k];
                line[self.pos[k]] = 0.25 * f[k] + 0.25 * x;
                self.pos[k] = if self.pos[k] + 1 == line.len() {
                    0
                } else {
                    self.pos[k] + 1
                };
                wet[0] += sign(1, k) * o[k];
                wet[1] += sign(2, k) * o[k];
            }
            self.out.apply(io, i, dry, [0.25 * wet[0], 0.25 * wet[1]]);
        }
    }

    fn has_tail(&self) -> bool {
        true
    }
}

#[cfg(test)]
#[path = "reverb_tests.rs"]
mod tests;
