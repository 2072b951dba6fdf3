//! `delay`: a feedback delay with filters inside the loop, ping-pong, and a delay
//! time that glides when automated.
//!
//! Per channel a ring buffer (f32, a power of two long) is read `d` samples behind
//! the write position with 4-point Hermite interpolation; at a whole number of
//! samples that reading is the stored sample itself, so echoes land exactly at
//! `time * rate` samples. What is written back is the input plus `feedback` times
//! the echo through the loop filters (`lowcut` high-pass, `highcut` low-pass,
//! 12 dB/oct Butterworth), so the first echo is the untouched input and each
//! repeat is filtered once more. In `pingpong` mode the input (summed to mono)
//! enters the left line, the left echo feeds the right line and the right echo
//! the left: echoes alternate left, right, left.
//!
//! A new `time` glides linearly over at least 50 ms, and slowly enough that the
//! read position never moves faster than half a sample per sample (the pitch of
//! what is being read stays within 0.5x..1.5x): no jump, no click.

use super::biquad::{Coefs, State};
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name, word};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

/// Longest delay time, seconds.
const MAX_TIME: f64 = 8.0;
/// Shortest glide of the delay time, seconds.
const GLIDE: f64 = 0.05;

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "time",
        UnitKind::TimeOrNote,
        0.001,
        MAX_TIME,
        0.25,
        "Delay time, 1 ms..8 s, or a note length at the session tempo, following its \
         changes (`1/8.` is a dotted eighth); default 250 ms. Echoes land on the exact sample when \
         `time * rate` is whole. Automation glides (at least 50 ms, at most half a \
         sample of read movement per sample).",
    ),
    ParamSpec::num(
        "feedback",
        UnitKind::Percent,
        0.0,
        0.99,
        0.3,
        "Share of each echo fed back into the line, 0..99%; default 30%.",
    ),
    ParamSpec::num(
        "lowcut",
        UnitKind::Frequency,
        0.0,
        20000.0,
        0.0,
        "High-pass (12 dB/oct) inside the feedback loop, 0..20 kHz; default 0 Hz (off). \
         Each repeat loses more low end; the first echo is unfiltered.",
    ),
    ParamSpec::num(
        "highcut",
        UnitKind::Frequency,
        0.0,
        20000.0,
        0.0,
        "Low-pass (12 dB/oct) inside the feedback loop, 0..20 kHz; default 0 Hz (off). \
         Each repeat gets darker; the first echo is unfiltered.",
    ),
    ParamSpec::choice(
        "mode",
        &["normal", "pingpong"],
        "normal",
        "`normal` (default): each channel echoes itself. `pingpong`: the input summed \
         to mono echoes left, then right, then left. A mono track ignores it.",
    ),
    ParamSpec::num(
        "mix",
        UnitKind::Percent,
        0.0,
        1.0,
        0.3,
        "Share of the echoes against the dry signal, 0..100%: `(1 - mix) * dry + \
         mix * echoes`; default 30%.",
    ),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "delay",
    doc: "Feedback delay: `delay { time 1/8.; feedback 40%; highcut 5kHz; mode pingpong; \
          mix 25% }`. No latency; rings on after the input stops (a tail).",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    let pingpong = match word(&insert.params, PARAMS, "mode")? {
        Some("pingpong") => true,
        Some("normal") | None => false,
        Some(w) => return Err(format!("unknown mode `{w}` (normal or pingpong)")),
    };
    let s = Settings {
        time: n("time")?,
        feedback: n("feedback")?,
        lowcut: n("lowcut")?,
        highcut: n("highcut")?,
        mix: n("mix")?,
    };
    Ok(Box::new(Delay::new(s, pingpong, ctx)))
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    time: f64,
    feedback: f64,
    lowcut: f64,
    highcut: f64,
    mix: f64,
}

/// The delay in samples, moving linearly toward a target.
#[derive(Debug, Clone, Copy)]
struct Glide {
    value: f64,
    target: f64,
    step: f64,
    left: u64,
}

impl Glide {
    fn at(value: f64) -> Self {
        Self {
            value,
            target: value,
            step: 0.0,
            left: 0,
        }
    }

    fn set(&mut self, target: f64, min_len: f64) {
        let len = min_len
            .max(2.0 * (target - self.value).abs())
            .ceil()
            .max(1.0);
        self.target = target;
        self.step = (target - self.value) / len;
        self.left = len as u64;
    }

    #[inline]
    fn next_value(&mut self) -> f64 {
        if self.left > 0 {
            self.left -= 1;
            self.value = if self.left == 0 {
                self.target
            } else {
                self.value + self.step
            };
        }
        self.value
    }
}

struct Line {
    buf: Vec<f32>,
    low: State,
    high: State,
}

pub struct Delay {
    rate: f64,
    initial: Settings,
    pingpong: bool,
    delay: Glide,
    feedback: Ramp,
    mix: Ramp,
    low: Option<Coefs>,
    high: Option<Coefs>,
    lines: Vec<Line>,
    mask: usize,
    pos: usize,
}

/// Loop filter coefficients for a cutoff; 0 Hz is off.
fn cut(freq: f64, rate: f64, high: bool) -> Option<Coefs> {
    let q = std::f64::consts::FRAC_1_SQRT_2;
    (freq > 0.0).then(|| {
        if high {
            Coefs::lowpass(freq, q, rate)
        } else {
            Coefs::highpass(freq, q, rate)
        }
    })
}

impl Delay {
    fn new(s: Settings, pingpong: bool, ctx: &BuildContext) -> Self {
        let len = ((MAX_TIME * ctx.rate).ceil() as usize + 4).next_power_of_two();
        let channels = ctx.channels.clamp(1, 2);
        let lines = (0..channels)
            .map(|_| Line {
                buf: vec![0.0; len],
                low: State::default(),
                high: State::default(),
            })
            .collect();
        let mut d = Self {
            rate: ctx.rate,
            initial: s,
            pingpong: pingpong && channels == 2,
            delay: Glide::at(0.0),
            feedback: Ramp::new(0.0),
            mix: Ramp::new(0.0),
            low: None,
            high: None,
            lines,
            mask: len - 1,
            pos: 0,
        };
        d.reset();
        d
    }

    fn samples(&self, time: f64) -> f64 {
        (time.clamp(0.001, MAX_TIME) * self.rate).max(2.0)
    }

    /// Hermite-interpolated reading `d` samples behind the write position.
    #[inline]
    fn read(buf: &[f32], mask: usize, pos: usize, d: f64) -> f64 {
        let whole = d.floor();
        let t = d - whole;
        let at = pos.wrapping_sub(whole as usize);
        let x0 = f64::from(buf[at & mask]);
        if t == 0.0 {
            return x0;
        }
        let xm1 = f64::from(buf[at.wrapping_add(1) & mask]);
        let x1 = f64::from(buf[at.wrapping_sub(1) & mask]);
        let x2 = f64::from(buf[at.wrapping_sub(2) & mask]);
        let c1 = 0.5 * (x1 - xm1);
        let c2 = xm1 - 2.5 * x0 + 2.0 * x1 - 0.5 * x2;
        let c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1);
        ((c3 * t + c2) * t + c1) * t + x0
    }
}

impl Processor for Delay {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        let s = self.initial;
        self.delay = Glide::at(self.samples(s.time));
        self.feedback.jump(s.feedback.clamp(0.0, 0.99));
        self.mix.jump(s.mix.clamp(0.0, 1.0));
        self.low = cut(s.lowcut, self.rate, false);
        self.high = cut(s.highcut, self.rate, true);
        for l in &mut self.lines {
            l.buf.fill(0.0);
            l.low = State::default();
            l.high = State::default();
        }
        self.pos = 0;
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || !value.is_finite() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("time") => {
                let target = self.samples(value);
                self.delay.set(target, GLIDE * self.rate);
            }
            Some("feedback") => self.feedback.set(value.clamp(0.0, 0.99)),
            Some("lowcut") => self.low = cut(value.clamp(0.0, 0.49 * self.rate), self.rate, false),
            Some("highcut") => {
                self.high = cut(value.clamp(0.0, 0.49 * self.rate), self.rate, true);
            }
            Some("mix") => self.mix.set(value.clamp(0.0, 1.0)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let (mask, low, high) = (self.mask, self.low, self.high);
        let mut echo = [0.0f64; 2];
        let mut back = [0.0f64; 2];
        for i in 0..frames {
            let d = self.delay.next_value();
            let fb = self.feedback.next_value();
            let mix = self.mix.next_value();
            let pos = self.pos;
            for (k, l) in self.lines.iter_mut().enumerate() {
                echo[k] = Self::read(&l.buf, mask, pos, d);
                let mut v = echo[k];
                if let Some(c) = &low {
                    v = l.low.tick(c, v);
                }
                if let Some(c) = &high {
                    v = l.high.tick(c, v);
                }
                // Flush a decayed loop to zero: no subnormals in long silent tails.
                back[k] = if v.abs() < 1e-30 { 0.0 } else { fb * v };
            }
            if self.pingpong {
                let input = 0.5 * (f64::from(io[0][i]) + f64::from(io[1][i]));
                self.lines[0].buf[pos] = (input + back[1]) as f32;
                self.lines[1].buf[pos] = back[0] as f32;
            } else {
                for (k, (l, ch)) in self.lines.iter_mut().zip(io.iter()).enumerate() {
                    l.buf[pos] = (f64::from(ch[i]) + back[k]) as f32;
                }
            }
            for (k, ch) in io.iter_mut().enumerate().take(self.lines.len()) {
                ch[i] = ((1.0 - mix) * f64::from(ch[i]) + mix * echo[k]) as f32;
            }
            self.pos = (pos + 1) & mask;
        }
    }

    fn has_tail(&self) -> bool {
        true
    }
}

#[cfg(test)]
#[path = "delay_tests.rs"]
mod tests;
