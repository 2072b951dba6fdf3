//! `saturate`: a static waveshaper run at [`FACTOR`](super::oversample::FACTOR)x
//! the session rate so its harmonics above the base Nyquist frequency are filtered
//! out instead of folding back as aliases.
//!
//! Per frame: drive gain -> 8x polyphase interpolation -> curve -> 8x decimation
//! -> output gain -> dry/wet `mix` against the dry signal delayed by the same
//! [`LATENCY`] (so `mix` never combs). The `tube` curve is asymmetric, which adds
//! even harmonics and a DC offset; a 5 Hz one-pole DC blocker follows it. Drive,
//! output and mix glide over 32 samples when automated.

use super::gain::db_to_lin;
use super::oversample::{FACTOR, LATENCY, Oversampler};
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name, word};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

const CURVES: &[&str] = &["tanh", "soft", "hard", "tube"];

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "drive",
        UnitKind::Level,
        0.0,
        48.0,
        6.0,
        "Gain into the curve, 0..48 dB; default 6 dB. A full-scale sine meets the \
         curve's knee at 0 dB.",
    ),
    ParamSpec::choice(
        "curve",
        CURVES,
        "tanh",
        "Transfer curve: `tanh` (default; smooth, odd harmonics), `soft` (cubic, \
         flat beyond +-1), `hard` (clips at +-1), `tube` (asymmetric tanh: adds even \
         harmonics; its DC offset is removed by a 5 Hz high-pass).",
    ),
    ParamSpec::num(
        "output",
        UnitKind::Level,
        -48.0,
        24.0,
        0.0,
        "Gain after the curve, -48..+24 dB; default 0 dB.",
    ),
    ParamSpec::num(
        "mix",
        UnitKind::Percent,
        0.0,
        1.0,
        1.0,
        "Share of the saturated signal against the (latency-aligned) dry one, \
         0..100%; default 100%.",
    ),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "saturate",
    doc: "Oversampled (8x, linear-phase) waveshaping saturation: \
          `saturate { drive 12dB; curve tube; output -6dB }`. Aliases of a 5 kHz sine \
          at 48 kHz stay at least 60 dB below the fundamental up to 24 dB of drive \
          (`tanh`, `tube`: more than 100 dB). \
          Adds 64 samples of latency (compensated by the renderer).",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    Tanh,
    Soft,
    Hard,
    Tube,
}

/// Input bias of the `tube` curve: sets the balance of even to odd harmonics.
const TUBE_BIAS: f64 = 0.3;

impl Curve {
    #[inline]
    fn shape(self, x: f64, tube_offset: f64) -> f64 {
        match self {
            Curve::Tanh => libm::tanh(x),
            Curve::Soft => {
                let c = x.clamp(-1.0, 1.0);
                1.5 * c - 0.5 * c * c * c
            }
            Curve::Hard => x.clamp(-1.0, 1.0),
            Curve::Tube => libm::tanh(x + TUBE_BIAS) - tube_offset,
        }
    }
}

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    let curve = match word(&insert.params, PARAMS, "curve")? {
        Some("soft") => Curve::Soft,
        Some("hard") => Curve::Hard,
        Some("tube") => Curve::Tube,
        Some("tanh") | None => Curve::Tanh,
        Some(w) => return Err(format!("unknown curve `{w}` ({})", CURVES.join(", "))),
    };
    Ok(Box::new(Saturate::new(
        curve,
        [n("drive")?, n("output")?, n("mix")?],
        ctx,
    )))
}

struct Channel {
    os: Oversampler,
    /// The dry signal delayed by LATENCY (a ring).
    dry: [f32; LATENCY],
    /// DC blocker state (tube): previous input and output.
    dc_x: f64,
    dc_y: f64,
}

pub struct Saturate {
    curve: Curve,
    tube_offset: f64,
    dc_pole: f64,
    initial: [f64; 3],
    drive: Ramp,
    output: Ramp,
    mix: Ramp,
    chans: Vec<Channel>,
    dry_pos: usize,
}

impl Saturate {
    /// `values` are drive (dB), output (dB) and mix (fraction).
    fn new(curve: Curve, values: [f64; 3], ctx: &BuildContext) -> Self {
        let chans = (0..ctx.channels.max(1))
            .map(|_| Channel {
                os: Oversampler::new(),
                dry: [0.0; LATENCY],
                dc_x: 0.0,
                dc_y: 0.0,
            })
            .collect();
        Self {
            curve,
            tube_offset: libm::tanh(TUBE_BIAS),
            dc_pole: libm::exp(-2.0 * std::f64::consts::PI * 5.0 / ctx.rate),
            initial: values,
            drive: Ramp::new(db_to_lin(values[0])),
            output: Ramp::new(db_to_lin(values[1])),
            mix: Ramp::new(values[2]),
            chans,
            dry_pos: 0,
        }
    }
}

impl Processor for Saturate {
    fn latency(&self) -> usize {
        LATENCY
    }

    fn reset(&mut self) {
        self.drive.jump(db_to_lin(self.initial[0]));
        self.output.jump(db_to_lin(self.initial[1]));
        self.mix.jump(self.initial[2]);
        for c in &mut self.chans {
            c.os.reset();
            c.dry = [0.0; LATENCY];
            c.dc_x = 0.0;
            c.dc_y = 0.0;
        }
        self.dry_pos = 0;
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || !value.is_finite() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("drive") => self.drive.set(db_to_lin(value.clamp(0.0, 48.0))),
            Some("output") => self.output.set(db_to_lin(value.clamp(-48.0, 24.0))),
            Some("mix") => self.mix.set(value.clamp(0.0, 1.0)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let (curve, off, pole) = (self.curve, self.tube_offset, self.dc_pole);
        let mut buf = [0.0f64; FACTOR];
        for i in 0..frames {
            let drive = self.drive.next_value();
            let out_gain = self.output.next_value();
            let mix = self.mix.next_value();
            for (ch, c) in io.iter_mut().zip(self.chans.iter_mut()) {
                let x = ch[i];
                c.os.up(f64::from(x) * drive, &mut buf);
                for v in &mut buf {
                    *v = curve.shape(*v, off);
                }
                let mut y = c.os.down(&buf);
                if curve == Curve::Tube {
                    let hp = y - c.dc_x + pole * c.dc_y;
                    c.dc_x = y;
                    // Flush a decayed state to zero: no subnormals in silence.
                    c.dc_y = if hp.abs() < 1e-30 { 0.0 } else { hp };
                    y = c.dc_y;
                }
                let dry = f64::from(c.dry[self.dry_pos]);
                c.dry[self.dry_pos] = x;
                ch[i] = ((1.0 - mix) * dry + mix * out_gain * y) as f32;
            }
            self.dry_pos = (self.dry_pos + 1) % LATENCY;
        }
    }
}

#[cfg(test)]
#[path = "saturate_tests.rs"]
mod tests;
