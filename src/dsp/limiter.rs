//! `limiter`: a lookahead brickwall limiter holding a true-peak ceiling.
//!
//! Per frame: the stereo-linked 4x true peak ([`super::truepeak`]) gives the gain
//! that would put it on the ceiling; a sliding minimum over the lookahead window
//! holds that gain for as long as the window; the release lets the gain return
//! toward unity (linear domain, time constant); a moving average over the same
//! window turns the steps into ramps. Every value averaged for the instant a
//! peak leaves the delay line is at or below the gain that peak needs, so sample
//! peaks never pass the ceiling, and true peaks only by the 4x meter's under-read.
//! The audio is delayed by the lookahead: [`Processor::latency`] reports it.

use super::gain::db_to_lin;
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name};
use super::truepeak::{DELAY, TruePeak};
use super::{BuildContext, ParamId, Processor, dynamics::one_pole};
use crate::ir::Insert;

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "ceiling",
        UnitKind::TruePeak,
        -24.0,
        0.0,
        -1.0,
        "Highest true peak let through, in dBTP (4x oversampled, as ITU-R BS.1770-4), \
         -24..0 dBTP; default -1 dBTP.",
    )
    .positional(),
    ParamSpec::num(
        "release",
        UnitKind::Time,
        0.001,
        2.0,
        0.050,
        "Time constant of the gain's return toward unity after a peak (63.2% of the \
         way in this time), 1 ms..2 s; default 50 ms.",
    ),
    ParamSpec::num(
        "lookahead",
        UnitKind::Time,
        0.0005,
        0.020,
        0.0015,
        "How far ahead peaks are seen, 0.5..20 ms; default 1.5 ms. This is also the \
         limiter's latency, compensated by the renderer. Not automatable.",
    )
    .fixed(),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "limiter",
    doc: "Lookahead brickwall limiter with a true-peak ceiling: `limiter -1dBTP`. \
          Adds `lookahead` of latency.",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    Ok(Box::new(Limiter::new(
        n("ceiling")?,
        n("release")?,
        n("lookahead")?,
        ctx,
    )))
}

pub struct Limiter {
    rate: f64,
    ceiling: f64,
    release: f64,
    /// Total delay in samples (the latency).
    latency: usize,
    /// Length of the minimum and average windows: latency - DELAY + 1.
    window: usize,
    detector: TruePeak,
    /// Per channel ring of the last `latency + 1` inputs.
    delay: Vec<Vec<f32>>,
    delay_pos: usize,
    /// Sliding-minimum deque of (sample number, gain), a ring of `window` slots.
    minq: Vec<(u64, f64)>,
    minq_head: usize,
    minq_len: usize,
    /// Released gain, and the ring and running sum of the moving average.
    held: f64,
    avg: Vec<f64>,
    avg_pos: usize,
    avg_sum: f64,
    n: u64,
    initial: (f64, f64),
    /// The smallest gain applied since the last reset (for [`Processor::report`]).
    min_gain: f64,
    /// The smallest gain since the last [`Processor::take_gain_reduction_db`].
    window_min_gain: f64,
}

impl Limiter {
    pub fn new(ceiling_db: f64, release: f64, lookahead: f64, ctx: &BuildContext) -> Self {
        let latency = ((lookahead * ctx.rate).round() as usize).max(DELAY + 1);
        let window = latency - DELAY + 1;
        let channels = ctx.channels.max(1);
        let mut l = Self {
            rate: ctx.rate,
            ceiling: db_to_lin(ceiling_db),
            release: one_pole(release, ctx.rate),
            latency,
            window,
            detector: TruePeak::new(channels),
            delay: vec![vec![0.0; latency + 1]; channels],
            delay_pos: 0,
            minq: vec![(0, 1.0); window],
            minq_head: 0,
            minq_len: 0,
            held: 1.0,
            avg: vec![1.0; window],
            avg_pos: 0,
            avg_sum: window as f64,
            n: 0,
            initial: (ceiling_db, release),
            min_gain: 1.0,
            window_min_gain: 1.0,
        };
        l.reset();
        l
    }

    /// The smallest gain needed over the last `window` frames, given this frame's.
    #[inline]
    fn sliding_min(&mut self, g: f64) -> f64 {
        let w = self.window;
        // Drop the entry that left the window first, so the ring never overfills.
        if self.minq_len > 0 && self.minq[self.minq_head].0 + w as u64 <= self.n {
            self.minq_head = (self.minq_head + 1) % w;
            self.minq_len -= 1;
        }
        while self.minq_len > 0 {
            let back = (self.minq_head + self.minq_len - 1) % w;
            if self.minq[back].1 < g {
                break;
            }
            self.minq_len -= 1;
        }
        let at = (self.minq_head + self.minq_len) % w;
        self.minq[at] = (self.n, g);
        self.minq_len += 1;
        self.minq[self.minq_head].1
    }

    /// The moving average over `window` frames. The running sum is recomputed
    /// exactly each time the ring wraps, so rounding cannot drift; the wrap falls on
    /// fixed sample numbers, so any block size gives the same bits.
    #[inline]
    fn average(&mut self, g: f64) -> f64 {
        self.avg_sum += g - self.avg[self.avg_pos];
        self.avg[self.avg_pos] = g;
        self.avg_pos += 1;
        if self.avg_pos == self.window {
            self.avg_pos = 0;
            self.avg_sum = self.avg.iter().sum();
        }
        self.avg_sum / self.window as f64
    }
}

/// Limits a whole stereo buffer (a file being delivered), compensating the
/// limiter's lookahead so the output lines up with the input, processed in blocks
/// of `block` frames.
pub fn limit_whole(lim: &mut Limiter, x: &[Vec<f32>], block: usize) -> [Vec<f32>; 2] {
    let lat = lim.latency();
    let len = x[0].len();
    let mut out = [Vec::with_capacity(len + lat), Vec::with_capacity(len + lat)];
    let mut buf = [vec![0.0f32; block], vec![0.0f32; block]];
    let mut at = 0;
    while at < len + lat {
        let n = block.min(len + lat - at);
        for (b, src) in buf.iter_mut().zip(x) {
            for (i, v) in b[..n].iter_mut().enumerate() {
                *v = src.get(at + i).copied().unwrap_or(0.0);
            }
        }
        let [l, r] = &mut buf;
        lim.process(&mut [&mut l[..n], &mut r[..n]], None);
        for (o, b) in out.iter_mut().zip(&buf) {
            o.extend_from_slice(&b[..n]);
        }
        at += n;
    }
    out.map(|mut o| o.split_off(lat))
}

impl Processor for Limiter {
    fn latency(&self) -> usize {
        self.latency
    }

    fn reset(&mut self) {
        self.ceiling = db_to_lin(self.initial.0);
        self.release = one_pole(self.initial.1, self.rate);
        self.detector.reset();
        self.delay.iter_mut().for_each(|d| d.fill(0.0));
        self.delay_pos = 0;
        self.minq_head = 0;
        self.minq_len = 0;
        self.held = 1.0;
        self.avg.fill(1.0);
        self.avg_pos = 0;
        self.avg_sum = self.window as f64;
        self.n = 0;
        self.min_gain = 1.0;
        self.window_min_gain = 1.0;
    }

    fn report(&self) -> Option<f64> {
        Some(-20.0 * libm::log10(self.min_gain))
    }

    fn take_gain_reduction_db(&mut self) -> Option<f32> {
        let g = std::mem::replace(&mut self.window_min_gain, 1.0);
        Some((-20.0 * libm::log10(g)) as f32)
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || !value.is_finite() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("ceiling") => self.ceiling = db_to_lin(value.min(0.0)),
            Some("release") => self.release = one_pole(value, self.rate),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let len = self.latency + 1;
        for i in 0..frames {
            let peak = self.detector.push(io, i);
            let need = if peak > self.ceiling {
                self.ceiling / peak
            } else {
                1.0
            };
            let min = self.sliding_min(need);
            self.held = min.min(1.0 - (1.0 - self.held) * self.release);
            let g = self.average(self.held);
            self.min_gain = self.min_gain.min(g);
            self.window_min_gain = self.window_min_gain.min(g);
            self.n += 1;
            let out_pos = (self.delay_pos + 1) % len;
            for (ch, d) in io.iter_mut().zip(self.delay.iter_mut()) {
                d[self.delay_pos] = ch[i];
                ch[i] = (f64::from(d[out_pos]) * g) as f32;
            }
            self.delay_pos = out_pos;
        }
    }
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;
