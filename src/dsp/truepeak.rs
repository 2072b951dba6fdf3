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

use fir::{Level, fir, fir_symmetric};
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

/// One half-band stage over a block: `n` new inputs give `2 n` outputs, each input
/// (delayed `M`) followed by the point half an input after it.
#[derive(Clone)]
struct Stage<const M: usize> {
    /// The last `2 M - 1` inputs, oldest first, then room for the new ones.
    buf: Vec<f64>,
}

impl<const M: usize> Stage<M> {
    const KEEP: usize = 2 * M - 1;

    fn new(max_in: usize) -> Self {
        Self {
            buf: vec![0.0; Self::KEEP + max_in],
        }
    }

    fn reset(&mut self) {
        self.buf.fill(0.0);
    }

    /// Where the next `n` inputs go.
    fn input(&mut self, n: usize) -> &mut [f64] {
        &mut self.buf[Self::KEEP..Self::KEEP + n]
    }

    /// Interpolates the `n` inputs written to [`Self::input`] into `out[..2 n]`,
    /// using `mid[..n]` as scratch, `W` outputs at a time.
    #[inline(always)]
    fn run<const W: usize>(&mut self, n: usize, half: &[f64], mid: &mut [f64], out: &mut [f64]) {
        self.run_tail::<W>(n, n, half, mid, out);
    }

    /// [`Self::run`] for the `n` inputs written to [`Self::input`] that only
    /// interpolates the last `t` of them, into `out[..2 t]`: the history it keeps
    /// is the same, the earlier points are not computed.
    #[inline(always)]
    fn run_tail<const W: usize>(
        &mut self,
        n: usize,
        t: usize,
        half: &[f64],
        mid: &mut [f64],
        out: &mut [f64],
    ) {
        let mid = &mut mid[..t];
        fir_symmetric::<W>(&self.buf[n - t..], half, mid);
        for ((o, &m), &x) in out
            .chunks_exact_mut(2)
            .zip(mid.iter())
            .zip(&self.buf[M - 1 + n - t..])
        {
            o[0] = x;
            o[1] = m;
        }
        self.buf.copy_within(n..n + Self::KEEP, 0);
    }
}

/// The larger, as one `maxsd` (NaN never wins against a number on the left).
#[inline(always)]
fn larger(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// The largest |value| of a frame's 16 points, by a tree of maxima so the
/// comparisons need not wait for each other: each level is one lane-wise maximum
/// of two halves, which vectorises. The tree fixes which value wins where a NaN
/// is compared, whatever the build.
#[inline(always)]
fn largest_abs(p: &[f64]) -> f64 {
    let m: [f64; 8] = std::array::from_fn(|k| larger(p[k].abs(), p[k + 8].abs()));
    let m: [f64; 4] = std::array::from_fn(|k| larger(m[k], m[k + 4]));
    let m: [f64; 2] = std::array::from_fn(|k| larger(m[k], m[k + 2]));
    larger(m[0], m[1])
}

#[derive(Clone)]
struct Channel {
    s1: Stage<M1>,
    s2: Stage<M2>,
    s3: Stage<M3>,
    s4: Stage<M4>,
}

/// Stereo-linked true-peak detector with per-channel history.
pub struct TruePeak {
    c1: Vec<f64>,
    c2: Vec<f64>,
    c3: Vec<f64>,
    c4: Vec<f64>,
    ebu: [[f64; 12]; 3],
    chans: Vec<Channel>,
    /// Scratch: the midpoints of a stage, the 16x points, libebur128's points.
    mid: Vec<f64>,
    points: Vec<f64>,
    ebu_points: Vec<f64>,
    /// The build of [`Self::read`] that runs; every one gives the same bits.
    level: Level,
    /// No reading exceeds this times the largest |input| within [`REACH`].
    bound: f64,
}

impl TruePeak {
    pub fn new(channels: usize) -> Self {
        let ch = Channel {
            s1: Stage::new(CHUNK),
            s2: Stage::new(2 * CHUNK),
            s3: Stage::new(4 * CHUNK),
            s4: Stage::new(8 * CHUNK),
        };
        let (c1, c2, c3, c4) = (
            midpoint_taps(M1),
            midpoint_taps(M2),
            midpoint_taps(M3),
            midpoint_taps(M4),
        );
        let ebu = ebur128_taps();
        let ebu_l1 = ebu
            .iter()
            .map(|row| row.iter().map(|t| t.abs()).sum::<f64>())
            .fold(0.0, f64::max);
        let mut tp = Self {
            c1,
            c2,
            c3,
            c4,
            ebu,
            bound: ebu_l1,
            chans: vec![ch; channels.max(1)],
            mid: vec![0.0; 8 * CHUNK],
            points: vec![0.0; 16 * CHUNK],
            ebu_points: vec![0.0; CHUNK],
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
                    *s += p.abs();
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

    pub fn reset(&mut self) {
        for c in &mut self.chans {
            c.s1.reset();
            c.s2.reset();
            c.s3.reset();
            c.s4.reset();
        }
    }

    /// Reads frames `from..from + reads.len()` of `chans`: `reads[j]` is the largest
    /// |value| over the interval from sample `from + j - DELAY` up to (not
    /// including) the next sample, over the channels: the 16x reading times
    /// [`GRID_MARGIN`], or libebur128's 4x reading if larger.
    #[cfg_attr(
        target_arch = "x86_64",
        expect(
            unsafe_code,
            reason = "calling a build for wider vectors is unsafe: it needs a CPU that has them"
        )
    )]
    pub fn read<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
        match self.level {
            // SAFETY: `level` is only ever one that `Level::detect` found this CPU runs.
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => unsafe { self.read_avx512(chans, from, reads) },
            #[cfg(target_arch = "x86_64")]
            Level::Avx2 => unsafe { self.read_avx2(chans, from, reads) },
            _ => self.read_at::<8, C>(chans, from, reads),
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn read_avx512<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
        self.read_at::<32, C>(chans, from, reads);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn read_avx2<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
        self.read_at::<16, C>(chans, from, reads);
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
                    *b = f64::from(v);
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
                    *r = larger(*r, larger(largest_abs(p) * GRID_MARGIN, e));
                }
            }
        }
    }

    /// Takes `x` (at most [`CHUNK`] frames) into channel `ch`: its 16x points into
    /// `points[..16 n]`, libebur128's largest |point| per frame into `ebu_points`.
    #[inline(always)]
    fn interpolate<const W: usize>(&mut self, ch: usize, x: &[f32]) {
        let n = x.len();
        let st = &mut self.chans[ch];
        for (b, &v) in st.s1.input(n).iter_mut().zip(x) {
            *b = f64::from(v);
        }
        // libebur128's points in [c, c + 1), c = frame - DELAY, weigh
        // x[c - 5 ..= c + 6]: for new input j, buf[KEEP + j - DELAY - 5..].
        let ebu = &mut self.ebu_points[..n];
        ebu.fill(0.0);
        // With the taps reversed (oldest input first), the first weighs
        // buf[KEEP + j - DELAY - 5].
        let first = Stage::<M1>::KEEP - DELAY - 5;
        for taps in &self.ebu {
            let acc = &mut self.mid[..n];
            fir::<W>(&st.s1.buf[first..], taps, acc);
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
        let points = &mut self.points[..16 * n];
        st.s4.run::<W>(8 * n, &self.c4, &mut self.mid, points);
    }
}

#[cfg(test)]
#[path = "truepeak_tests.rs"]
mod tests;
