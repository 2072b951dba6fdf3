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

/// `out[j] = sum over t of taps[t] x[j + t]`, `t` ascending, `W` outputs summed
/// side by side.
#[inline(always)]
pub fn fir<const W: usize>(x: &[f64], taps: &[f64], out: &mut [f64]) {
    let mut blocks = out.chunks_exact_mut(W);
    let mut j = 0;
    for o in &mut blocks {
        let mut acc = [0.0f64; W];
        for (t, &h) in taps.iter().enumerate() {
            for (a, &v) in acc.iter_mut().zip(&x[j + t..j + t + W]) {
                *a += h * v;
            }
        }
        o.copy_from_slice(&acc);
        j += W;
    }
    for o in blocks.into_remainder() {
        let mut a = 0.0;
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
pub fn fir_symmetric<const W: usize>(x: &[f64], half: &[f64], out: &mut [f64]) {
    let last = 2 * half.len() - 1;
    let mut blocks = out.chunks_exact_mut(W);
    let mut j = 0;
    for o in &mut blocks {
        let mut acc = [0.0f64; W];
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
        let mut s = 0.0;
        for (t, &h) in half.iter().enumerate() {
            s += h * (x[j + t] + x[j + last - t]);
        }
        *o = s;
        j += 1;
    }
}
