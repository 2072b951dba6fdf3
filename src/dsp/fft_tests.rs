//! Tests of the FFT: the DFT definition for every kind of length, the inverse, f32
//! accuracy, bit-identity of the loop arrangements, and golden hashes that pin its bits.

use super::*;
use crate::dsp::testutil::noise;

/// Every planning path: powers of two (radix 8, 4, 2), 3, 5, 7, a generic prime (11,
/// 13), mixes, the resampler's 44.1 ↔ 48 kHz blocks, and Bluestein (37, 97, 1999).
const LENGTHS: [usize; 24] = [
    1,
    2,
    3,
    4,
    5,
    7,
    8,
    11,
    13,
    16,
    32,
    37,
    60,
    64,
    97,
    128,
    147,
    512,
    1024,
    1999,
    2352,
    2560,
    4096,
    6 * 1024,
];

fn signal<T: Float>(n: usize, seed: u64) -> (Vec<T>, Vec<T>) {
    let re = noise(n, seed)
        .iter()
        .map(|&v| T::from_f64(f64::from(v)))
        .collect();
    let im = noise(n, seed + 1)
        .iter()
        .map(|&v| T::from_f64(f64::from(v)))
        .collect();
    (re, im)
}

fn forward<T: Float>(x: &(Vec<T>, Vec<T>)) -> (Vec<T>, Vec<T>) {
    let fft = Fft::<T>::new(x.0.len());
    let (mut re, mut im) = x.clone();
    let mut scratch = vec![T::default(); fft.scratch_len()];
    fft.forward(&mut re, &mut im, &mut scratch);
    (re, im)
}

#[test]
fn matches_the_dft_definition() {
    for n in LENGTHS {
        let x = signal::<f64>(n, n as u64);
        let y = forward(&x);
        let mut worst = 0.0f64;
        for k in 0..n {
            let (mut sr, mut si) = (0.0, 0.0);
            for j in 0..n {
                let (c, s) = twiddle(j * k, n);
                sr += x.0[j] * c - x.1[j] * s;
                si += x.0[j] * s + x.1[j] * c;
            }
            worst = worst.max((sr - y.0[k]).abs()).max((si - y.1[k]).abs());
        }
        // The naive sum's own rounding grows as n·ε (inputs below 1 in magnitude);
        // 8·n·ε_f64 leaves room for it (measured: 4e-12 at n = 4096, about n·ε).
        assert!(worst < 8.0 * n as f64 * f64::EPSILON, "n = {n}: {worst:e}");
    }
}

#[test]
fn roots_by_symmetry_match_libm() {
    for n in [8, 64, 2352, 65536, 12, 7] {
        let roots = Roots::new(n);
        for j in 0..n {
            let (a, b) = (roots.get(j), twiddle(j, n));
            // Both are within an ulp or so of the true value; 1e-15 is 4.5 ulp at 1.0.
            assert!(
                (a.0 - b.0).abs() < 1e-15 && (a.1 - b.1).abs() < 1e-15,
                "{n}, {j}"
            );
        }
        if n.is_multiple_of(8) {
            // By symmetry the quarter turns are exact: 1, -i, -1, i.
            let exact = [(1.0, 0.0), (0.0, -1.0), (-1.0, 0.0), (0.0, 1.0)];
            for (k, e) in exact.into_iter().enumerate() {
                assert_eq!(roots.get(k * n / 4), e, "{n}, quarter {k}");
            }
        }
    }
}

#[test]
fn inverse_undoes_forward() {
    for n in LENGTHS {
        let x = signal::<f64>(n, 7);
        let fft = Fft::<f64>::new(n);
        let (mut re, mut im) = x.clone();
        let mut scratch = vec![0.0; fft.scratch_len()];
        fft.forward(&mut re, &mut im, &mut scratch);
        fft.inverse(&mut re, &mut im, &mut scratch);
        for j in 0..n {
            let err = (re[j] / n as f64 - x.0[j]).abs() + (im[j] / n as f64 - x.1[j]).abs();
            // Two transforms of log2(n) rounding steps each; 1e-13 is far above (ε_f64 is
            // 2.2e-16) and far below any error a wrong twiddle or index would make.
            assert!(err < 1e-13, "n = {n}, j = {j}: {err:e}");
        }
    }
}

#[test]
fn f32_keeps_f32_accuracy() {
    // The convolution engine's size: 2·32768 points.
    let n = 65536;
    let x64 = signal::<f64>(n, 3);
    let x32 = (
        x64.0.iter().map(|&v| v as f32).collect(),
        x64.1.iter().map(|&v| v as f32).collect(),
    );
    let (y64, y32) = (forward(&x64), forward::<f32>(&x32));
    let (mut err, mut sum) = (0.0f64, 0.0f64);
    for k in 0..n {
        err += (f64::from(y32.0[k]) - y64.0[k]).powi(2) + (f64::from(y32.1[k]) - y64.1[k]).powi(2);
        sum += y64.0[k].powi(2) + y64.1[k].powi(2);
    }
    let rel = (err / sum).sqrt();
    // Seven passes (8, 8, then 4s), each rounding by about ε_f32/2 = 6e-8 (relative,
    // random): √7 · 6e-8 ≈ 1.6e-7 expected. Measured: 1.4e-7.
    assert!(rel < 2e-7, "relative RMS error {rel:e}");
}

#[test]
fn loop_arrangement_never_changes_bits() {
    // The vectorised arrangements run the same butterfly code lane by lane as the
    // scalar one, so the bits must match exactly, in both precisions.
    fn check<T: Float + PartialEq + std::fmt::Debug>(n: usize) {
        let fft = Fft::<T>::new(n);
        let x = signal::<T>(n, 11);
        let (mut a, mut b) = (x.clone(), x);
        let mut scratch = vec![T::default(); fft.scratch_len()];
        fft.forward(&mut a.0, &mut a.1, &mut scratch);
        fft.forward_scalar(&mut b.0, &mut b.1, &mut scratch);
        assert!(a == b, "n = {n}");
    }
    for n in [8, 64, 256, 4096, 2352, 2560, 12 * 1024, 65536, 1999] {
        check::<f32>(n);
        check::<f64>(n);
    }
}

/// blake3 of the output's bytes (little endian, real parts then imaginary parts).
fn hash<T: Float>(y: &(Vec<T>, Vec<T>), bytes: impl Fn(T) -> Vec<u8>) -> String {
    let mut h = blake3::Hasher::new();
    for &v in y.0.iter().chain(&y.1) {
        h.update(&bytes(v));
    }
    h.finalize().to_hex()[..16].to_string()
}

#[test]
fn golden_bits() {
    // These hashes pin the FFT's exact output. They hold on any machine and any build
    // flags (no run-time dispatch, libm twiddles, no float reassociation in Rust); they
    // change only when the algorithm does, which must then be a deliberate change.
    let f32_bytes = |v: f32| v.to_le_bytes().to_vec();
    let f64_bytes = |v: f64| v.to_le_bytes().to_vec();
    let a = hash(&forward::<f32>(&signal(65536, 5)), f32_bytes);
    let b = hash(&forward::<f64>(&signal(2352, 6)), f64_bytes);
    let c = hash(&forward::<f64>(&signal(1999, 7)), f64_bytes);
    assert_eq!(
        [a.as_str(), &b, &c],
        ["5191a48dd2d7b7ab", "b559aa6f19c181e3", "bac9e5da10a4cc93"]
    );
}
