//! `limiter`: a lookahead brickwall limiter holding a true-peak ceiling.
//!
//! Per frame the stereo-linked detector ([`super::truepeak`]: 16x oversampled,
//! and libebur128's 4x reading) gives the gain that puts the interval it read on
//! the ceiling. The gain curve (`limiter_gain.rs`) holds that gain, lets it
//! return toward unity with the release, and smooths its steps into S-shaped
//! ramps `lookahead` long. The audio is delayed so that the gain is at or below
//! what each over needs from [`FLAT`] samples before it to `FLAT` after it.
//!
//! Why the flat span and the smooth, not too steep ramp: a meter reads a point
//! between samples as a weighted sum of the samples around it. Where the gain is
//! the same on all of them, the output reads exactly the gain times the input's
//! reading, which the detector holds to the ceiling; where the gain changes under
//! the meter's filter, the reading can move either way. The span covers the main
//! lobes of any interpolator, and a ramp of at least [`RAMP_MIN`] samples keeps
//! the rest small: in the adversarial tests (`limiter_ceiling_tests.rs`) it moves
//! a 16x reading by at most 0.012 dB, inside the 0.047 dB grid margin, and
//! libebur128's by at most 0.00013 dB, inside [`RIPPLE_MARGIN`]. The latency
//! ([`Processor::latency`]) is the detector's delay plus the ramp plus `FLAT - 1`.

use super::gain::db_to_lin;
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name};
use super::truepeak::{CHUNK, DELAY, REACH, TAIL, TruePeak};
use super::{BuildContext, ParamId, Processor, dynamics::one_pole};
use crate::ir::Insert;
use curve::GainCurve;
use delay::Lookahead;

#[path = "limiter_gain.rs"]
mod curve;
#[path = "limiter_delay.rs"]
mod delay;

/// Samples either side of an over over which the gain is at or below what the
/// over needs.
pub const FLAT: usize = 16;

/// The shortest ramp down, in samples, whatever the `lookahead` (1.3 ms at 48 kHz).
pub const RAMP_MIN: usize = 64;

/// Factor on every reading for the gain's ripple under a meter's filter, where a
/// later, deeper over's ramp begins inside an over's flat span: measured at most
/// 1.5e-5 (0.00013 dB) on libebur128's meter; the margin is 1e-4 (0.0009 dB).
pub const RIPPLE_MARGIN: f64 = 1.0001;

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "ceiling",
        UnitKind::TruePeak,
        -24.0,
        0.0,
        -1.0,
        "Highest true peak let through, in dBTP, -24..0 dBTP; default -1 dBTP. Held on \
         libebur128's BS.1770 4x meter and on a 16x reading of content up to 0.475 of \
         the rate (less a 0.048 dB margin for peaks between the points). Strong \
         content closer to half the rate can read higher on an ideal (infinitely \
         long) reconstruction filter than on either.",
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
        "How long the gain takes to come down before a peak, 0.5..20 ms and at least \
         64 samples; default 1.5 ms. The latency is this plus 84 samples \
         (detection and hold), compensated by the renderer. Not automatable.",
    )
    .fixed(),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "limiter",
    doc: "Lookahead brickwall limiter with a true-peak ceiling: `limiter -1dBTP`. \
          Adds `lookahead` plus 84 samples of latency.",
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
    /// Total delay in samples (the latency).
    latency: usize,
    detector: TruePeak,
    /// The same detector in `f32`: where its readings are clearly under the
    /// ceiling, so are the detector's, which then need not be computed.
    screen: TruePeak<f32>,
    /// The largest |input| since the last reset (NaN once one was NaN): the
    /// screen's readings are within `screen.error()` times this of the detector's.
    largest: f32,
    /// The detector's readings for the frames being processed.
    reads: Vec<f64>,
    curve: GainCurve,
    delay: Lookahead,
    initial: (f64, f64),
    /// The smallest gain applied since the last reset (for [`Processor::report`]).
    min_gain: f64,
    /// The smallest gain since the last [`Processor::take_gain_reduction_db`].
    window_min_gain: f64,
    /// Whether [`Self::pass`] may stand in for [`Self::limit`]; off only in
    /// tests, to check that it gives the same bits.
    idle_fast_path: bool,
    /// Input frames taken since the last reset.
    seen: u64,
    /// One past the last input frame above [`Self::quiet`] (0: none yet). A frame
    /// more than [`REACH`] after it, itself quiet, reads at most the ceiling.
    loud_end: u64,
    /// Whether quiet passes skip the detector's reading ([`TruePeak::skip`]); off
    /// only in tests, to check that it gives the same bits.
    skip_quiet: bool,
    /// Passes skipped so far as quiet, and as screened, for the tests to see
    /// that skipping happens.
    #[cfg(test)]
    skipped: usize,
    #[cfg(test)]
    screened: usize,
}

impl Limiter {
    pub fn new(ceiling_db: f64, release: f64, lookahead: f64, ctx: &BuildContext) -> Self {
        let ramp = ((lookahead * ctx.rate).round() as usize).max(RAMP_MIN);
        let latency = DELAY + ramp + FLAT - 1;
        let channels = ctx.channels.max(1);
        let mut l = Self {
            rate: ctx.rate,
            ceiling: db_to_lin(ceiling_db),
            latency,
            detector: TruePeak::new(channels),
            screen: TruePeak::new(channels),
            largest: 0.0,
            reads: vec![0.0; CHUNK],
            curve: GainCurve::new(ramp, 2 * FLAT + 2, one_pole(release, ctx.rate)),
            delay: Lookahead::new(channels, latency),
            initial: (ceiling_db, release),
            min_gain: 1.0,
            window_min_gain: 1.0,
            idle_fast_path: true,
            seen: 0,
            loud_end: 0,
            skip_quiet: true,
            #[cfg(test)]
            skipped: 0,
            #[cfg(test)]
            screened: 0,
        };
        l.reset();
        l
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
        self.curve.reset(one_pole(self.initial.1, self.rate));
        self.detector.reset();
        self.screen.reset();
        self.largest = 0.0;
        self.delay.reset();
        self.min_gain = 1.0;
        self.window_min_gain = 1.0;
        self.seen = 0;
        self.loud_end = 0;
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
            Some("ceiling") => {
                let c = db_to_lin(value.min(0.0));
                // The inputs already seen were found quiet against the old
                // ceiling; a lower one has to read them again.
                if c < self.ceiling {
                    self.loud_end = self.seen;
                }
                self.ceiling = c;
            }
            Some("release") => self.curve.set_release(one_pole(value, self.rate)),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        for at in (0..frames).step_by(CHUNK) {
            let n = CHUNK.min(frames - at);
            let quiet = self.take_quiet(io, at, n);
            if quiet {
                self.screen.skip(io, at, n);
            }
            if quiet || self.screened_quiet(io, at, n) {
                self.detector.skip(io, at, n);
                // Read as silence: under the ceiling, as the real readings are.
                self.reads[..n].fill(0.0);
            } else {
                self.detector.read(io, at, &mut self.reads[..n]);
            }
            // The readings become the gains they need, in place.
            for r in &mut self.reads[..n] {
                let peak = *r * RIPPLE_MARGIN;
                *r = if peak > self.ceiling {
                    self.ceiling / peak
                } else {
                    1.0
                };
            }
            let idle = self.idle_fast_path && self.reads[..n].iter().all(|&need| need == 1.0);
            match self.curve.settled().filter(|_| idle) {
                Some(g) => self.pass(io, at, n, g),
                None => self.limit(io, at, n),
            }
        }
    }
}

impl Limiter {
    /// Notes where frames `at..at + n` are loud, and says whether their readings
    /// are sure to be under the ceiling, so that they need not be computed: every
    /// input a reading weighs (its frame and the [`REACH`] before it) is at most
    /// `ceiling / bound`, with room for the margin and the sums' rounding.
    /// Which way it goes changes the work, never the bits.
    fn take_quiet(&mut self, io: &[&mut [f32]], at: usize, n: usize) -> bool {
        let quiet = self.ceiling / (self.detector.bound() * RIPPLE_MARGIN * (1.0 + 1e-6));
        let start = self.seen;
        self.seen += n as u64;
        // A NaN counts as loud, and is read.
        let loud_at = |i: usize| {
            io.iter().any(|c| {
                let v = f64::from(c[at + i].abs());
                v > quiet || v.is_nan()
            })
        };
        let loud = (0..n).rev().find(|&i| loud_at(i));
        let was_quiet = self.loud_end == 0 || self.loud_end + REACH as u64 <= start;
        if let Some(i) = loud {
            self.loud_end = start + i as u64 + 1;
        }
        let skip = self.skip_quiet && loud.is_none() && was_quiet && n > TAIL;
        #[cfg(test)]
        {
            self.skipped += usize::from(skip);
        }
        skip
    }

    /// Reads frames `at..at + n` on the screen, and says whether every reading of
    /// the detector is then sure to be under the ceiling: each is within
    /// `screen.error()` times the largest input so far of the screen's (a bound
    /// of 5e-4 of it; some 4e-7 seen), so a screen reading that far under the
    /// ceiling, with the same room as [`Self::take_quiet`] leaves, settles it.
    /// Here too only the work changes, never the bits. On a loud master most
    /// passes peak some dB under the ceiling, too close for the sample-peak test,
    /// far enough for this one.
    fn screened_quiet(&mut self, io: &[&mut [f32]], at: usize, n: usize) -> bool {
        // The largest |input|, a NaN kept once seen (then nothing is screened).
        // (Two plain folds, which vectorise; a NaN `largest` stays, as `a > NaN`
        // never holds.)
        let (mut m, mut nan) = (self.largest, false);
        for c in io.iter() {
            for &v in &c[at..at + n] {
                let a = v.abs();
                m = if a > m { a } else { m };
                nan |= a.is_nan();
            }
        }
        self.largest = if nan { f32::NAN } else { m };
        let peak = self.screen.peak(io, at, n);
        let room = self.screen.error() * f64::from(self.largest);
        let under = self.ceiling / (RIPPLE_MARGIN * (1.0 + 1e-6));
        let sure = self.skip_quiet && peak + room <= under;
        #[cfg(test)]
        {
            self.screened += usize::from(sure);
        }
        sure
    }

    /// Frames `at..at + n` through the gain curve and the delay, given their needs
    /// in `reads[..n]`.
    fn limit(&mut self, io: &mut [&mut [f32]], at: usize, n: usize) {
        for (i, &need) in (at..at + n).zip(&self.reads) {
            let g = self.curve.push(need);
            self.min_gain = self.min_gain.min(g);
            self.window_min_gain = self.window_min_gain.min(g);
            self.delay.frame(io, i, g);
        }
    }

    /// [`Self::limit`] for frames that all need no reduction on a settled curve,
    /// every push of which returns `g`: the same outputs and state, without the
    /// curve's per-frame work. Most of a master is such frames.
    fn pass(&mut self, io: &mut [&mut [f32]], at: usize, n: usize, g: f64) {
        self.curve.skip(n);
        self.min_gain = self.min_gain.min(g);
        self.window_min_gain = self.window_min_gain.min(g);
        self.delay.frames(io, at, n, g);
    }
}

#[cfg(test)]
#[path = "limiter_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "limiter_meters.rs"]
mod meters;

#[cfg(test)]
#[path = "limiter_ceiling_tests.rs"]
mod ceiling_tests;
