//! True-peak detection for the limiter: 16x oversampling by a cascade of four
//! half-band interpolators, stereo-linked, plus the reading of libebur128's 4x
//! filter (REFERENCES.md §3.1), the meter the project checks its files with.
//!
//! Stage 1 (base rate to 2x) carries the accuracy: a Kaiser-windowed sinc of
//! `2 * M1` taps (beta 10), flat to 0.0001 dB up to 0.475 of the rate (-0.04 dB at
//! 0.48, half height at 0.5, images 98 dB down from 0.53), so content up to there
//! is read at its full height between samples. The later stages only have to
//! reject images far from the band and are short. Each stage's midpoint phase is
//! normalised to unity gain at DC; its other phase passes its input through, so
//! every sample is itself one of the points read.
//!
//! Between points 1/16 sample apart a band-limited peak can hide by at most
//! `(pi B / 16 fs)^2 / 2` of its height (Bernstein's inequality bounds `|y''|` by
//! `(2 pi B)^2` times the signal's largest value, and the nearest point is at most
//! 1/32 sample from the peak; for a sine at B this is `1 - cos(pi B / 16 fs)` to
//! second order). With B the top of stage 1's transition band (0.53 of the rate)
//! that is 0.047 dB, which [`GRID_MARGIN`] adds to the 16x reading.
//!
//! libebur128's 49-tap Hann-windowed sinc reads up to 0.11 dB *over* the true
//! peak of content at a third of the rate (its passband ripple, computed from its
//! taps), so the detector also takes that filter's reading and keeps the larger.
//!
//! What no finite filter settles is content between 0.475 and 0.5 of the rate:
//! meters read it differently (a 1024-tap sinc can read such a peak 0.03 dB above
//! a 128-tap one), and the grid margin is what covers it.
//!
//! The stages run over blocks of up to [`CHUNK`] frames, each output summed over
//! its taps in a fixed order, so any block split gives the same bits.

pub use fir::Sample;
use fir::{Level, Stage, fir, larger, largest_abs, max_abs};
use std::f64::consts::PI;

#[path = "truepeak_fir.rs"]
mod fir;

/// Midpoint taps on each side, per stage.
const M1: usize = 64;
const M2: usize = 7;
const M3: usize = 4;
const M4: usize = 4;
/// Kaiser window shapes: about 100 dB of image rejection.
const BETA: f64 = 10.0;

/// Points per sample.
pub const OVERSAMPLING: usize = 16;

/// Delay in samples between a frame going in and the interval its reading covers:
/// `M1 + M2 / 2 + M3 / 4 + M4 / 8`.
pub const DELAY: usize = M1 + 5;
const _: () = assert!(8 * M1 + 4 * M2 + 2 * M3 + M4 == 8 * DELAY);

/// Factor on the 16x reading that covers a peak falling between its points (see
/// the module doc): `1 / (1 - (pi 0.53 / 16)^2 / 2)`, 0.047 dB.
pub const GRID_MARGIN: f64 = {
    let h = PI * 0.53 / OVERSAMPLING as f64;
    1.0 / (1.0 - h * h / 2.0)
};

/// Zeroth-order modified Bessel function of the first kind (power series).
pub(crate) fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-17 * sum {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        k += 1.0;
    }
    sum
}

/// The midpoint taps of a half-band interpolator, `m` of them for a symmetric
/// kernel of `2 m`: `[k]` weighs the two inputs `m - 1/2 - k` samples either side
/// of the point (outermost first). Unity gain at DC.
fn midpoint_taps(m: usize) -> Vec<f64> {
    let c: Vec<f64> = (0..m)
        .map(|k| {
            let d = (m - k) as f64 - 0.5;
            let r = d / (m as f64 + 0.5);
            libm::sin(PI * d) / (PI * d) * bessel_i0(BETA * libm::sqrt(1.0 - r * r))
                / bessel_i0(BETA)
        })
        .collect();
    let sum: f64 = 2.0 * c.iter().sum::<f64>();
    c.iter().map(|t| t / sum).collect()
}

/// libebur128's true-peak filter: `sinc(m / 4)` under a 48-point Hann window,
/// rounded to f32 as it keeps them. `[p][k]` weighs `x[c - 5 + k]` for the point
/// `c + (p + 1) / 4`.
fn ebur128_taps() -> [[f64; 12]; 3] {
    let mut h = [[0.0; 12]; 3];
    for (p, row) in h.iter_mut().enumerate() {
        for (k, tap) in row.iter_mut().rev().enumerate() {
            let j = 4 * k + p + 1;
            let w = 0.5 * (1.0 - libm::cos(2.0 * PI * j as f64 / 48.0));
            let m = j as f64 - 24.0;
            let a = m * PI / 4.0;
            *tap = f64::from((w * libm::sin(a) / a) as f32);
        }
    }
    h
}

/// Frames read per pass; longer calls are cut into passes of this many.
pub const CHUNK: usize = 256;

/// How far back a reading looks: the reading of frame `f` is a weighted sum of
/// inputs `f - REACH..=f` only (`2 DELAY` for the cascade, with room to spare).
pub const REACH: usize = 2 * DELAY + 8;

/// Frames [`TruePeak::skip`] still interpolates at the end of a pass: enough for
/// every stage's history to come out of the cascade exactly as a read leaves it.
pub const TAIL: usize = 16;

#[derive(Clone)]
struct Channel<T> {
    s1: Stage<T, M1>,
    s2: Stage<T, M2>,
    s3: Stage<T, M3>,
    s4: Stage<T, M4>,
}

/// Stereo-linked true-peak detector with per-channel history, computing in `T`:
/// `f64` for the readings the limiter acts on; `f32`, at twice the lanes per
/// vector, for a screen whose readings are within [`Self::error`] of those.
pub struct TruePeak<T = f64> {
    c1: Vec<T>,
    c2: Vec<T>,
    c3: Vec<T>,
    c4: Vec<T>,
    ebu: [[T; 12]; 3],
    chans: Vec<Channel<T>>,
    /// Scratch: the midpoints of a stage, the 16x points, libebur128's points.
    mid: Vec<T>,
    points: Vec<T>,
    ebu_points: Vec<T>,
    /// The build of [`Self::read`] that runs; every one gives the same bits.
    level: Level,
    /// No reading exceeds this times the largest |input| within [`REACH`].
    bound: f64,
    /// The rounding of `T` over the cascade, relative to the largest |input|.
    error: f64,
}

/// `2 * sum of |taps|` of a symmetric kernel's half: the gain of its midpoints.
fn l1(half: &[f64]) -> f64 {
    2.0 * half.iter().map(|t| t.abs()).sum::<f64>()
}

impl<T: Sample> TruePeak<T> {
    pub fn new(channels: usize) -> Self {
        let ch = Channel {
            s1: Stage::new(CHUNK),
            s2: Stage::new(2 * CHUNK),
            s3: Stage::new(4 * CHUNK),
            s4: Stage::new(8 * CHUNK),
        };
        let taps = [M1, M2, M3, M4].map(midpoint_taps);
        let ebu = ebur128_taps();
        let ebu_l1 = ebu
            .iter()
            .map(|row| row.iter().map(|t| t.abs()).sum::<f64>())
            .fold(0.0, f64::max);
        // Each stage's outputs are sums of `2 M` products of its taps (rounded to
        // `T`) and inputs already off by the stages before; every one of those
        // roundings is within `T::UNIT` of a value at most the gains so far times
        // the largest input (Higham, "Accuracy and Stability of Numerical
        // Algorithms", §3.1). Four times the first-order sum: room for the higher orders.
        let (mut gain, mut units) = (1.0f64, 0.0f64);
        for half in &taps {
            gain *= l1(half).max(1.0);
            units += (2 * half.len() + 2) as f64;
        }
        let ebu_units = 13.0 * ebu_l1;
        let error = 4.0 * T::UNIT * (units * gain * GRID_MARGIN).max(ebu_units);
        let [c1, c2, c3, c4] = taps.map(|h| h.into_iter().map(T::from_f64).collect::<Vec<_>>());
        let mut tp = Self {
            c1,
            c2,
            c3,
            c4,
            ebu: ebu.map(|row| row.map(T::from_f64)),
            bound: ebu_l1,
            error,
            chans: vec![ch; channels.max(1)],
            mid: vec![T::default(); 8 * CHUNK],
            points: vec![T::default(); 16 * CHUNK],
            ebu_points: vec![T::default(); CHUNK],
            level: Level::detect(),
        };
        // Each 16x point is a fixed weighting of the inputs, the same for every
        // frame: its response to an impulse. The largest absolute sum of those
        // weights, over the 16 points, bounds the cascade's readings.
        let frames = 2 * CHUNK;
        let mut impulse = vec![0.0f32; frames];
        impulse[0] = 1.0;
        let mut l1 = [0.0f64; OVERSAMPLING];
        for at in (0..frames).step_by(CHUNK) {
            tp.interpolate::<8>(0, &impulse[at..at + CHUNK]);
            for frame in tp.points.chunks_exact(OVERSAMPLING) {
                for (s, p) in l1.iter_mut().zip(frame) {
                    *s += p.to_f64().abs();
                }
            }
        }
        let cascade = l1.iter().fold(0.0, |m, &s| larger(m, s)) * GRID_MARGIN;
        tp.bound = larger(tp.bound, cascade);
        tp.reset();
        tp
    }

    /// No reading exceeds this times the largest |input| among the [`REACH`]
    /// frames before it and its own (the sums' rounding aside, some 1e-14).
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// Every reading is within this times the largest |input| the detector has
    /// taken of what the `f64` detector reads from the same inputs.
    pub fn error(&self) -> f64 {
        self.error
    }

    pub fn reset(&mut self) {
        for c in &mut self.chans {
            c.s1.reset();
            c.s2.reset();
            c.s3.reset();
            c.s4.reset();
        }
    }

    /// Takes frames `from..from + n` of `chans` in without reading them: the
    /// detector is left exactly as [`Self::read`] would leave it, at a fraction of
    /// the work, for frames whose readings are known not to matter. Only each
    /// pass's last [`TAIL`] frames go through the cascade, which is all of it the
    /// stages keep (their histories are at most 13 points long, and the tail's
    /// points that a stale history touches fall out of the later stages' ones).
    pub fn skip<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, n: usize) {
        // The tail is small: the baseline width does it (every width gives the
        // same bits).
        const W: usize = 8;
        for at in (from..from + n).step_by(CHUNK) {
            let m = CHUNK.min(from + n - at);
            if m <= TAIL {
                let mut reads = [0.0; TAIL];
                self.read_at::<W, C>(chans, at, &mut reads[..m]);
                continue;
            }
            for (c, st) in chans.iter().zip(self.chans.iter_mut()) {
                let x = &c.as_ref()[at..at + m];
                for (b, &v) in st.s1.input(m).iter_mut().zip(x) {
                    *b = T::from_f32(v);
                }
                let t = TAIL;
                st.s1
                    .run_tail::<W>(m, t, &self.c1, &mut self.mid, st.s2.input(2 * t));
                st.s2
                    .run::<W>(2 * t, &self.c2, &mut self.mid, st.s3.input(4 * t));
                st.s3
                    .run::<W>(4 * t, &self.c3, &mut self.mid, st.s4.input(8 * t));
                let points = &mut self.points[..16 * t];
                st.s4.run::<W>(8 * t, &self.c4, &mut self.mid, points);
            }
        }
    }

    /// [`Self::read`], the FIRs summing `W` outputs side by side.
    #[inline(always)]
    fn read_at<const W: usize, C: AsRef<[f32]>>(
        &mut self,
        chans: &[C],
        from: usize,
        reads: &mut [f64],
    ) {
        for (at, part) in (from..).step_by(CHUNK).zip(reads.chunks_mut(CHUNK)) {
            part.fill(0.0);
            let n = part.len();
            for (ch, c) in chans.iter().enumerate() {
                self.interpolate::<W>(ch, &c.as_ref()[at..at + n]);
                let points = self.points[..16 * n].chunks_exact(16);
                for ((r, p), &e) in part.iter_mut().zip(points).zip(&self.ebu_points) {
                    *r = larger(
                        *r,
                        larger(largest_abs(p).to_f64() * GRID_MARGIN, e.to_f64()),
                    );
                }
            }
        }
    }

    /// Takes `x` (at most [`CHUNK`] frames) into channel `ch`: its 16x points into
    /// `points[..16 n]`, libebur128's largest |point| per frame into `ebu_points`.
    #[inline(always)]
    fn interpolate<const W: usize>(&mut self, ch: usize, x: &[f32]) {
        let n = x.len();
        self.front::<W>(ch, x);
        let st = &mut self.chans[ch];
        let points = &mut self.points[..16 * n];
        st.s4.run::<W>(8 * n, &self.c4, &mut self.mid, points);
    }

    /// [`Self::interpolate`] up to the last stage's input (and `ebu_points`).
    #[inline(always)]
    fn front<const W: usize>(&mut self, ch: usize, x: &[f32]) {
        let n = x.len();
        let st = &mut self.chans[ch];
        for (b, &v) in st.s1.input(n).iter_mut().zip(x) {
            *b = T::from_f32(v);
        }
        // libebur128's points in [c, c + 1), c = frame - DELAY, weigh
        // x[c - 5 ..= c + 6]: for new input j, buf[KEEP + j - DELAY - 5..].
        let ebu = &mut self.ebu_points[..n];
        ebu.fill(T::default());
        // With the taps reversed (oldest input first), the first weighs
        // buf[KEEP + j - DELAY - 5].
        let first = Stage::<T, M1>::KEEP - DELAY - 5;
        for taps in &self.ebu {
            let acc = &mut self.mid[..n];
            fir::<T, W>(&st.s1.buf[first..], taps, acc);
            for (e, a) in ebu.iter_mut().zip(acc.iter()) {
                *e = larger(*e, a.abs());
            }
        }
        st.s1
            .run::<W>(n, &self.c1, &mut self.mid, st.s2.input(2 * n));
        st.s2
            .run::<W>(2 * n, &self.c2, &mut self.mid, st.s3.input(4 * n));
        st.s3
            .run::<W>(4 * n, &self.c3, &mut self.mid, st.s4.input(8 * n));
    }

    /// The largest reading over frames `from..from + n` of `chans` (the largest of
    /// [`Self::read`]'s, to the bit but for NaNs), leaving the detector as `read`
    /// does, without the per-frame readings' work.
    #[inline(always)]
    fn peak_at<const W: usize, C: AsRef<[f32]>>(
        &mut self,
        chans: &[C],
        from: usize,
        n: usize,
    ) -> f64 {
        let (mut top, mut ebu) = (T::default(), T::default());
        for at in (from..from + n).step_by(CHUNK) {
            let m = CHUNK.min(from + n - at);
            for (ch, c) in chans.iter().enumerate() {
                self.front::<W>(ch, &c.as_ref()[at..at + m]);
                ebu = larger(ebu, max_abs::<T, W>(&self.ebu_points[..m]));
                let st = &mut self.chans[ch];
                top = larger(top, st.s4.run_peak::<W>(8 * m, &self.c4, &mut self.mid));
            }
        }
        larger(top.to_f64() * GRID_MARGIN, ebu.to_f64())
    }
}

#[path = "truepeak_builds.rs"]
mod builds;

#[cfg(test)]
#[path = "truepeak_tests.rs"]
mod tests;
