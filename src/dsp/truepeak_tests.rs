//! Tests of the limiter's true-peak detector.

use super::*;
use crate::dsp::testutil::{db, sine};

/// The largest reading, past the switch-on transient of the test signal.
fn read(x: &[f32]) -> f64 {
    let mut reads = vec![0.0; x.len()];
    TruePeak::<f64>::new(1).read(&[x], 0, &mut reads);
    reads.into_iter().skip(4 * DELAY).fold(0.0, f64::max)
}

#[test]
fn finds_the_peak_between_samples() {
    // A quarter-rate sine at 45 degrees: every sample is +-0.707, the wave peaks
    // at 1.0 midway between samples (BS.1770-4's classic +3 dB case), on a 16x point.
    let x: Vec<f32> = (0..4800)
        .map(|n| libm::sin(PI / 2.0 * n as f64 + PI / 4.0) as f32)
        .collect();
    // 0.001 dB: stage 1's passband ripple (about 1e-5) and the f32 input.
    let got = db(read(&x)) - db(GRID_MARGIN);
    assert!(got.abs() < 0.001, "{got}");
}

#[test]
fn reads_sines_up_to_047_of_the_rate() {
    for f in [
        100.0, 997.0, 5000.0, 10000.0, 18000.0, 20000.0, 22000.0, 22560.0,
    ] {
        let got = db(read(&sine(9600, f, 48000.0, 0.5))) - db(0.5);
        // From below: the 16x grid misses at most 1 - cos(pi f / (16 rate)) of a
        // sine, which GRID_MARGIN more than covers; 0.001 dB for the ripple and the
        // f32 input. From above: the margin, or libebur128's over-read near a third
        // of the rate (0.11 dB at most, from its taps).
        assert!(got > -0.001, "{f} Hz: {got} dB");
        let top = if (14000.0..18000.0).contains(&f) {
            0.111
        } else {
            db(GRID_MARGIN) + 0.001
        };
        assert!(got < top, "{f} Hz: {got} dB");
    }
}

#[test]
fn includes_libebur128s_reading() {
    // A sine at a third of the rate: libebur128's half-sample phase reads it 1.1%
    // high. The detector's reading is that meter's, to its f32 arithmetic.
    // Faded in over 2000 samples so the onset does not ring.
    let x: Vec<f32> = sine(48000, 15877.0, 48000.0, 0.5)
        .iter()
        .enumerate()
        .map(|(n, v)| v * (n as f32 / 2000.0).min(1.0))
        .collect();
    let mut e = ebur128::EbuR128::new(1, 48000, ebur128::Mode::TRUE_PEAK).expect("meter");
    e.add_frames_f32(&x).expect("frames");
    let want = e.true_peak(0).expect("tp");
    let got = read(&x);
    assert!(db(want) - db(0.5) > 0.1, "{}", db(want) - db(0.5));
    // 1e-5 dB: libebur128 sums in f32.
    assert!(
        (db(got) - db(want)).abs() < 1e-5,
        "{} vs {}",
        db(got),
        db(want)
    );
}

#[test]
fn samples_are_read_as_they_are() {
    let mut x = vec![0.0f32; 256];
    x[3] = 1.0;
    let mut reads = vec![0.0; 256];
    TruePeak::<f64>::new(1).read(&[&x[..]], 0, &mut reads);
    assert_eq!(reads[3 + DELAY], GRID_MARGIN);
    let top = reads.iter().fold(0.0, |m: f64, &r| m.max(r));
    assert_eq!(top, GRID_MARGIN);
}

#[test]
fn any_split_reads_the_same_bits() {
    let x = [
        crate::dsp::testutil::noise(3000, 1),
        crate::dsp::testutil::noise(3000, 2),
    ];
    let mut whole = vec![0.0; 3000];
    TruePeak::<f64>::new(2).read(&x, 0, &mut whole);
    for block in [1, 37, 300, 1000] {
        let mut tp = TruePeak::<f64>::new(2);
        let mut parts = vec![0.0; 3000];
        for at in (0..3000).step_by(block) {
            let n = block.min(3000 - at);
            tp.read(&x, at, &mut parts[at..at + n]);
        }
        assert!(parts == whole, "block {block}");
    }
}

/// Whether two readings have the same bits; NaNs count as equal (a NaN reading
/// never exceeds the ceiling, so its payload cannot reach the output).
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn every_vector_build_reads_the_same_bits() {
    // Noise at several levels (subnormal to over full scale), a few non-finite
    // samples, and splits that leave remainders for the FIRs' scalar tails.
    let len = 4000;
    let mut x: Vec<Vec<f32>> = (1..=2)
        .map(|seed| {
            let n = crate::dsp::testutil::noise(len, seed);
            n.iter()
                .enumerate()
                .map(|(i, v)| v * [1.0, 3.7, 1e-3, 1e-40][i / 1000])
                .collect()
        })
        .collect();
    x[0][3500] = f32::NAN;
    x[1][3700] = f32::INFINITY;
    for block in [len, 256, 37, 1] {
        let reads: Vec<Vec<f64>> = Level::available()
            .into_iter()
            .map(|level| {
                let mut tp = TruePeak::<f64>::new(2);
                tp.level = level;
                let mut r = vec![0.0; len];
                for at in (0..len).step_by(block) {
                    let n = block.min(len - at);
                    tp.read(&x, at, &mut r[at..at + n]);
                }
                r
            })
            .collect();
        for (level, r) in Level::available().iter().zip(&reads) {
            let bad = r.iter().zip(&reads[0]).position(|(&a, &b)| !same(a, b));
            assert!(bad.is_none(), "{level:?}, block {block}: frame {bad:?}");
        }
    }
}

#[test]
fn every_fir_width_gives_the_same_bits() {
    let x: Vec<f64> = crate::dsp::testutil::noise(700, 9)
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let taps = midpoint_taps(M1);
    for n in [1, 7, 8, 9, 31, 33, 300] {
        let mut want = (vec![0.0; n], vec![0.0; n]);
        fir::fir::<f64, 1>(&x, &taps, &mut want.0);
        fir::fir_symmetric::<f64, 1>(&x, &taps, &mut want.1);
        let mut got = (vec![0.0; n], vec![0.0; n]);
        fir::fir::<f64, 32>(&x, &taps, &mut got.0);
        fir::fir_symmetric::<f64, 32>(&x, &taps, &mut got.1);
        assert!(got.0.iter().zip(&want.0).all(|(a, b)| same(*a, *b)), "{n}");
        assert!(got.1.iter().zip(&want.1).all(|(a, b)| same(*a, *b)), "{n}");
    }
}

#[test]
fn the_tree_of_maxima_is_the_one_it_replaced() {
    // The tree as it was first written: halving in place, in a loop.
    let reference = |p: &[f64]| {
        let mut m: [f64; 16] = std::array::from_fn(|i| p[i].abs());
        for half in [8, 4, 2, 1] {
            for k in 0..half {
                m[k] = larger(m[k], m[k + half]);
            }
        }
        m[0]
    };
    let x = crate::dsp::testutil::noise(16 * 400, 5);
    for (i, p) in x.chunks_exact(16).enumerate() {
        // Some frames with a NaN or a signed zero in one place, to pin which wins.
        let mut p: Vec<f64> = p.iter().map(|&v| f64::from(v)).collect();
        match i % 4 {
            1 => p[i % 16] = f64::NAN,
            2 => p[(i / 4) % 16] = -0.0,
            3 => p.iter_mut().for_each(|v| *v = 0.0),
            _ => {}
        }
        let (got, want) = (largest_abs(&p), reference(&p));
        assert!(same(got, want), "frame {i}: {got} vs {want}");
    }
}

#[test]
fn skipping_leaves_the_detector_as_reading_does() {
    let x: Vec<Vec<f32>> = [7, 8]
        .iter()
        .map(|&s| crate::dsp::testutil::noise(5000, s))
        .collect();
    for (skip_at, skip_n) in [(256, 256), (512, 700), (300, 17), (1000, 16), (1024, 1024)] {
        let mut a = TruePeak::<f64>::new(2);
        let mut b = TruePeak::<f64>::new(2);
        let mut ra = vec![0.0; 5000];
        a.read(&x, 0, &mut ra);
        let mut rb = vec![0.0; 5000];
        b.read(&x, 0, &mut rb[..skip_at]);
        b.skip(&x, skip_at, skip_n);
        let after = skip_at + skip_n;
        b.read(&x, after, &mut rb[after..]);
        let bad = (after..5000).find(|&i| ra[i].to_bits() != rb[i].to_bits());
        assert!(
            bad.is_none(),
            "{skip_at}+{skip_n}: first differing reading {bad:?}"
        );
    }
}

#[test]
fn the_f32_screen_reads_within_its_error_of_the_detector() {
    // Full-scale noise, the sign pattern that drives the cascade's largest weights
    // to add up, a tone just under half the rate, and a stretch 60 dB down (its
    // error is still counted against the largest input so far).
    let len = 6000;
    let mut probe = TruePeak::<f64>::new(1);
    let mut impulse = vec![0.0f32; 2 * CHUNK];
    impulse[0] = 1.0;
    probe.read(&[&impulse[..CHUNK]], 0, &mut [0.0; CHUNK]);
    let worst: Vec<f32> = (probe.points[..16 * CHUNK].iter().step_by(16).rev())
        .map(|w| if *w < 0.0 { -1.0 } else { 1.0 })
        .collect();
    let x: Vec<Vec<f32>> = (1..=2)
        .map(|seed| {
            let n = crate::dsp::testutil::noise(len, seed);
            (0..len)
                .map(|i| match i / 1500 {
                    0 => n[i],
                    1 => worst[i % worst.len()],
                    2 => (libm::sin(0.49 * std::f64::consts::TAU * i as f64) * 0.999) as f32,
                    _ => n[i] * 1e-3,
                })
                .collect()
        })
        .collect();
    let (mut exact, mut screen) = (TruePeak::<f64>::new(2), TruePeak::<f32>::new(2));
    // Under 1e-3 of the largest input (0.009 dB at full scale): the room the
    // limiter's screen leaves under the ceiling.
    assert!(screen.error() < 1e-3, "{}", screen.error());
    let (mut a, mut b) = (vec![0.0; len], vec![0.0; len]);
    for at in (0..len).step_by(CHUNK) {
        let n = CHUNK.min(len - at);
        exact.read(&x, at, &mut a[at..at + n]);
        screen.read(&x, at, &mut b[at..at + n]);
    }
    let largest = x.iter().flatten().fold(0.0f32, |m, v| m.max(v.abs()));
    let off = a
        .iter()
        .zip(&b)
        .map(|(p, q)| (p - q).abs())
        .fold(0.0, f64::max);
    let allowed = screen.error() * f64::from(largest);
    assert!(off <= allowed, "off by {off:e}, allowed {allowed:e}");
    // The analysis is not vacuous: f32 rounding shows, well inside the bound.
    assert!(
        off > 0.0 && off < allowed / 4.0,
        "off by {off:e}, allowed {allowed:e}"
    );
}

#[test]
fn the_peak_of_a_pass_is_the_largest_of_its_readings() {
    let len = 3000;
    let x: Vec<Vec<f32>> = [3, 4]
        .iter()
        .map(|&s| crate::dsp::testutil::noise(len, s))
        .collect();
    fn check<T: Sample>(x: &[Vec<f32>], len: usize)
    where
        TruePeak<T>: Both,
    {
        for pass in [256, 100, 7, 600] {
            let (mut a, mut b) = (TruePeak::<T>::new(2), TruePeak::<T>::new(2));
            let mut r = vec![0.0; len];
            for at in (0..len).step_by(pass) {
                let n = pass.min(len - at);
                a.both_read(x, at, &mut r[at..at + n]);
                let want = r[at..at + n].iter().fold(0.0, |m: f64, &v| m.max(v));
                let got = b.both_peak(x, at, n);
                assert_eq!(got.to_bits(), want.to_bits(), "pass {pass} at {at}");
            }
        }
    }
    check::<f64>(&x, len);
    check::<f32>(&x, len);
}

/// `read` and `peak` of either build, for the test above.
trait Both {
    fn both_read(&mut self, x: &[Vec<f32>], at: usize, r: &mut [f64]);
    fn both_peak(&mut self, x: &[Vec<f32>], at: usize, n: usize) -> f64;
}

macro_rules! both {
    ($t:ty) => {
        impl Both for TruePeak<$t> {
            fn both_read(&mut self, x: &[Vec<f32>], at: usize, r: &mut [f64]) {
                self.read(x, at, r);
            }
            fn both_peak(&mut self, x: &[Vec<f32>], at: usize, n: usize) -> f64 {
                self.peak(x, at, n)
            }
        }
    };
}
both!(f64);
both!(f32);
