//! Tests of the `limiter`: the ceiling holds on sample and true peaks, quiet
//! signals pass untouched (only delayed), release timing, and the common checks.

use super::*;
use crate::dsp::testutil::*;
use std::f64::consts::PI;

const RATE: f64 = 48000.0;

fn lim(params: &[(&str, crate::ir::ParamValue)]) -> Insert {
    insert("limiter", params, vec![])
}

/// Reference true peak: band-limited interpolation at 12 points per sample with a
/// long (+-40 samples) Hann-windowed sinc, independent of the limiter's 4x meter.
fn reference_true_peak(x: &[f32]) -> f64 {
    let mut peak = 0.0f64;
    for n in 40..x.len() - 40 {
        peak = peak.max(f64::from(x[n]).abs());
        for k in 1..12 {
            let t = k as f64 / 12.0;
            let mut y = 0.0;
            for j in -39i64..=40 {
                let d = t - j as f64;
                let w = 0.5 + 0.5 * libm::cos(PI * d / 41.0);
                y += f64::from(x[(n as i64 + j) as usize]) * w * libm::sin(PI * d) / (PI * d);
            }
            peak = peak.max(y.abs());
        }
    }
    peak
}

/// Loud noise, lowpassed to 12 kHz by a 4th-order Butterworth so the test signal
/// is band-limited as real programme is (the 4x meter under-reads at most 0.15 dB
/// at 12 kHz and 48 kHz).
fn loud_programme(len: usize, gain_db: f64) -> Vec<Vec<f32>> {
    let eq = insert(
        "eq",
        &[],
        vec![band("lowpass", &[("freq", 12000.0), ("slope", 24.0)])],
    );
    let g = db_to_lin(gain_db);
    let x: Vec<Vec<f32>> = [21, 22]
        .iter()
        .map(|&s| noise(len, s).iter().map(|v| v * g as f32).collect())
        .collect();
    run(make(&eq, RATE, 2).as_mut(), &x, None, 512)
}

#[test]
fn ceiling_holds_on_sample_and_true_peaks() {
    let ins = lim(&[("ceiling", num(-1.0))]);
    let x = loud_programme(6000, 12.0);
    let y = run(make(&ins, RATE, 2).as_mut(), &x, None, 256);
    let ceiling = db_to_lin(-1.0);
    for ch in &y {
        // Sample peaks: the ceiling, plus one f32 rounding step (6e-8 relative).
        assert!(
            peak(ch) <= ceiling * (1.0 + 1e-7),
            "sample peak {}",
            db(peak(ch))
        );
        // True peaks: 0.2 dB over at most, the 4x meter's under-read at the top of
        // this band-limited signal (0.15 dB) plus the reference's own error.
        let tp = db(reference_true_peak(ch));
        assert!(tp < -1.0 + 0.2, "true peak {tp} dBTP");
        // And the limiter actually worked hard: 12 dB of drive on noise.
        assert!(tp > -1.5, "true peak {tp} dBTP is far under the ceiling");
    }
}

#[test]
fn intersample_peaks_are_caught() {
    // Quarter-rate sine at 45 degrees: samples at 0.707 (-3 dB), true peak 0 dBTP.
    let ins = lim(&[("ceiling", num(-1.0))]);
    let x: Vec<f32> = (0..9600)
        .map(|n| libm::sin(PI / 2.0 * n as f64 + PI / 4.0) as f32)
        .collect();
    let y = run(make(&ins, RATE, 1).as_mut(), &[x], None, 100);
    // 0.05 dB: the 4x interpolator's passband ripple at a quarter of the rate.
    let tp = db(reference_true_peak(&y[0][8000..]));
    assert!((tp + 1.0).abs() < 0.05, "{tp}");
}

#[test]
fn quiet_signal_is_only_delayed() {
    let ins = lim(&[("ceiling", num(-1.0))]);
    let mut p = make(&ins, RATE, 2);
    let lat = p.latency();
    assert_eq!(lat, 72, "1.5 ms at 48 kHz");
    let x = vec![sine(4800, 440.0, RATE, 0.5), sine(4800, 550.0, RATE, 0.5)];
    let y = run(p.as_mut(), &x, None, 333);
    for (xc, yc) in x.iter().zip(&y) {
        assert!(yc[..lat].iter().all(|&v| v == 0.0));
        assert!(yc[lat..] == xc[..4800 - lat]);
    }
}

#[test]
fn release_is_a_time_constant_on_the_gain() {
    // A single full-scale click pulls the gain to the ceiling's; 50 ms later the gain
    // has come back 63.2% of the way (the moving average delays it by half a window).
    let ins = lim(&[("ceiling", num(-6.0)), ("release", num(0.05))]);
    let mut x = vec![0.1f32; 24000];
    x[1000] = 1.0;
    let y = run(make(&ins, RATE, 1).as_mut(), &[x], None, 64);
    let lat = 72;
    let gain = |n: usize| f64::from(y[0][n + lat]) / 0.1;
    let g0 = db_to_lin(-6.0);
    let want = 1.0 - (1.0 - g0) * (-1.0f64).exp();
    let half_window = (lat - DELAY + 1) as f64 / 2.0;
    let at = (1000.0 + 0.05 * RATE + half_window) as usize;
    // 2e-3: the moving average rounds the exponential's start over one window.
    assert!((gain(at) - want).abs() < 2e-3, "{} vs {want}", gain(at));
    // The click itself (1.0, not 0.1) leaves at the ceiling.
    assert!(f64::from(y[0][1000 + lat]) <= g0 * (1.0 + 1e-6));
}

#[test]
fn chunks_reset_and_finite() {
    let ins = lim(&[("ceiling", num(-3.0)), ("release", num(0.02))]);
    check_chunks_and_reset(&ins, false);
    let id = |index| ParamId { band: None, index };
    check_chunks_automated(&ins, id(0), |n| -(n as f64) / 4000.0);
    check_finite(
        &ins,
        &[(id(0), -24.0), (id(1), 0.001), (id(0), 0.0), (id(1), 2.0)],
    );
}
