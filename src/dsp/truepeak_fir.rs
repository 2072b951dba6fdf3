//! The detector's FIR filters, and the choice of vector width they run at.
//!
//! Each output is one chain of separately rounded products and sums over the
//! taps in ascending order, whatever the width: `W` outputs are only summed side
//! by side. IEEE arithmetic gives each chain the same bits on any x86-64 lane
//! width, so the AVX2 and AVX-512 builds of the same code (never FMA, which would
//! round once where this rounds twice) read exactly what the SSE2 baseline reads.
//! The widths are chosen so each build keeps about four vector registers of
//! independent sums in flight: one sum chain per register would wait on the
//! adder's latency.

/// Which build of the detector runs: the baseline, or one compiled with wider
/// vectors for a CPU found to have them at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// The target's baseline (SSE2 on x86-64): 8 outputs at a time.
    Base,
    /// AVX2 (no FMA): 16 outputs at a time.
    Avx2,
    /// AVX-512F (no FMA): 32 outputs at a time.
    Avx512,
}

impl Level {
    /// The widest build this CPU runs.
    pub fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Self::Avx512;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                return Self::Avx2;
            }
        }
        Self::Base
    }

    /// Every build this CPU runs, baseline first.
    #[cfg(test)]
    pub fn available() -> Vec<Self> {
        let top = Self::detect();
        [Self::Base, Self::Avx2, Self::Avx512]
            .into_iter()
            .filter(|&l| l as u8 <= top as u8)
            .collect()
    }
}

/// The number type a detector computes in: `f64` for the readings the limiter
/// acts on, `f32` for the screen that finds where they cannot matter.
pub trait Sample:
    Copy
    + Default
    + PartialOrd
    + std::ops::Add<Output = Self>
    + std::ops::Mul<Output = Self>
    + std::ops::AddAssign
    + Send
    + 'static
{
    /// The unit roundoff: half the distance from 1 to the next number.
    const UNIT: f64;
    fn from_f32(v: f32) -> Self;
    fn from_f64(v: f64) -> Self;
    fn to_f64(self) -> f64;
    fn abs(self) -> Self;
}

impl Sample for f64 {
    const UNIT: f64 = f64::EPSILON / 2.0;
    fn from_f32(v: f32) -> Self {
        f64::from(v)
    }
    fn from_f64(v: f64) -> Self {
        v
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn abs(self) -> Self {
        f64::abs(self)
    }
}

impl Sample for f32 {
    const UNIT: f64 = f32::EPSILON as f64 / 2.0;
    fn from_f32(v: f32) -> Self {
        v
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    fn abs(self) -> Self {
        f32::abs(self)
    }
}

/// `out[j] = sum over t of taps[t] x[j + t]`, `t` ascending, `W` outputs summed
/// side by side.
#[inline(always)]
pub fn fir<T: Sample, const W: usize>(x: &[T], taps: &[T], out: &mut [T]) {
    let mut blocks = out.chunks_exact_mut(W);
    let mut j = 0;
    for o in &mut blocks {
        let mut acc = [T::default(); W];
        for (t, &h) in taps.iter().enumerate() {
            for (a, &v) in acc.iter_mut().zip(&x[j + t..j + t + W]) {
                *a += h * v;
            }
        }
        o.copy_from_slice(&acc);
        j += W;
    }
    for o in blocks.into_remainder() {
        let mut a = T::default();
        for (&h, &v) in taps.iter().zip(&x[j..]) {
            a += h * v;
        }
        *o = a;
        j += 1;
    }
}

/// [`fir`] for a symmetric kernel of `2 half.len()` taps given by its first half:
/// `out[j] = sum over t of half[t] (x[j + t] + x[j + 2 m - 1 - t])`.
#[inline(always)]
pub fn fir_symmetric<T: Sample, const W: usize>(x: &[T], half: &[T], out: &mut [T]) {
    let last = 2 * half.len() - 1;
    let mut blocks = out.chunks_exact_mut(W);
    let mut j = 0;
    for o in &mut blocks {
        let mut acc = [T::default(); W];
        for (t, &h) in half.iter().enumerate() {
            let (a, b) = (&x[j + t..j + t + W], &x[j + last - t..j + last - t + W]);
            for ((s, &u), &v) in acc.iter_mut().zip(a).zip(b) {
                *s += h * (u + v);
            }
        }
        o.copy_from_slice(&acc);
        j += W;
    }
    for o in blocks.into_remainder() {
        let mut s = T::default();
        for (t, &h) in half.iter().enumerate() {
            s += h * (x[j + t] + x[j + last - t]);
        }
        *o = s;
        j += 1;
    }
}

/// One half-band stage over a block: `n` new inputs give `2 n` outputs, each input
/// (delayed `M`) followed by the point half an input after it.
#[derive(Clone)]
pub struct Stage<T, const M: usize> {
    /// The last `2 M - 1` inputs, oldest first, then room for the new ones.
    pub buf: Vec<T>,
}

impl<T: Sample, const M: usize> Stage<T, M> {
    pub const KEEP: usize = 2 * M - 1;

    pub fn new(max_in: usize) -> Self {
        Self {
            buf: vec![T::default(); Self::KEEP + max_in],
        }
    }

    pub fn reset(&mut self) {
        self.buf.fill(T::default());
    }

    /// Where the next `n` inputs go.
    pub fn input(&mut self, n: usize) -> &mut [T] {
        &mut self.buf[Self::KEEP..Self::KEEP + n]
    }

    /// Interpolates the `n` inputs written to [`Self::input`] into `out[..2 n]`,
    /// using `mid[..n]` as scratch, `W` outputs at a time.
    #[inline(always)]
    pub fn run<const W: usize>(&mut self, n: usize, half: &[T], mid: &mut [T], out: &mut [T]) {
        self.run_tail::<W>(n, n, half, mid, out);
    }

    /// [`Self::run`] for the `n` inputs written to [`Self::input`] that only
    /// interpolates the last `t` of them, into `out[..2 t]`: the history it keeps
    /// is the same, the earlier points are not computed.
    #[inline(always)]
    pub fn run_tail<const W: usize>(
        &mut self,
        n: usize,
        t: usize,
        half: &[T],
        mid: &mut [T],
        out: &mut [T],
    ) {
        let mid = &mut mid[..t];
        fir_symmetric::<T, W>(&self.buf[n - t..], half, mid);
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

    /// [`Self::run`] that gives only the largest |output| instead of the outputs
    /// (the inputs passed through, and the midpoints).
    #[inline(always)]
    pub fn run_peak<const W: usize>(&mut self, n: usize, half: &[T], mid: &mut [T]) -> T {
        let mid = &mut mid[..n];
        fir_symmetric::<T, W>(&self.buf, half, mid);
        let through = max_abs::<T, W>(&self.buf[M - 1..M - 1 + n]);
        let top = larger(max_abs::<T, W>(mid), through);
        self.buf.copy_within(n..n + Self::KEEP, 0);
        top
    }
}

/// The largest |x| (0 for none), in `L` lanes side by side so it vectorises (a
/// NaN may or may not win).
#[inline(always)]
pub fn max_abs<T: Sample, const L: usize>(x: &[T]) -> T {
    let mut lanes = [T::default(); L];
    let mut blocks = x.chunks_exact(L);
    for b in &mut blocks {
        for (m, &v) in lanes.iter_mut().zip(b) {
            *m = larger(*m, v.abs());
        }
    }
    let rest = blocks
        .remainder()
        .iter()
        .fold(T::default(), |m, &v| larger(m, v.abs()));
    lanes.iter().fold(rest, |m, &v| larger(m, v))
}

/// The larger, as one `maxsd` (NaN never wins against a number on the left).
#[inline(always)]
pub fn larger<T: PartialOrd>(a: T, b: T) -> T {
    if a > b { a } else { b }
}

/// The largest |value| of a frame's 16 points, by a tree of maxima so the
/// comparisons need not wait for each other: each level is one lane-wise maximum
/// of two halves, which vectorises. The tree fixes which value wins where a NaN
/// is compared, whatever the build.
#[inline(always)]
pub fn largest_abs<T: Sample>(p: &[T]) -> T {
    // Plain loops: `array::from_fn` was left uninlined for `f32`.
    let mut m = [T::default(); 8];
    for k in 0..8 {
        m[k] = larger(p[k].abs(), p[k + 8].abs());
    }
    for half in [4, 2, 1] {
        for k in 0..half {
            m[k] = larger(m[k], m[k + half]);
        }
    }
    m[0]
}
