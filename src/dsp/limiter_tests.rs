//! Tests of the `limiter`: the ceiling holds on sample and true peaks, quiet
//! signals pass untouched (only delayed), release timing, and the common checks.
//! The adversarial material is in `limiter_ceiling_tests.rs`.

use super::meters::Sharp;
use super::*;
use crate::dsp::testutil::*;
use std::f64::consts::PI;

const RATE: f64 = 48000.0;

fn lim(params: &[(&str, crate::ir::ParamValue)]) -> Insert {
    insert("limiter", params, vec![])
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
    let sharp = Sharp::new();
    for ch in &y {
        // Sample peaks: the ceiling, plus one f32 rounding step (6e-8 relative).
        assert!(
            peak(ch) <= ceiling * (1.0 + 1e-7),
            "sample peak {}",
            db(peak(ch))
        );
        // True peaks (32x): at most 0.001 dB over, float rounding.
        let tp = db(sharp.tp(ch));
        assert!(tp < -1.0 + 0.001, "true peak {tp} dBTP");
        // And the limiter actually worked hard: 12 dB of drive on noise.
        assert!(tp > -1.1, "true peak {tp} dBTP is far under the ceiling");
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
    // The peak falls on a 16x point: it leaves the grid margin (0.047 dB) and
    // the ripple margin (0.0009 dB) under the ceiling, to 0.001 dB.
    let tp = db(Sharp::new().tp_within(&y[0], 8000, 9400));
    let want = -1.0 - db(crate::dsp::truepeak::GRID_MARGIN * RIPPLE_MARGIN);
    assert!((tp - want).abs() < 0.001, "{tp} vs {want}");
}

#[test]
fn quiet_signal_is_only_delayed() {
    let ins = lim(&[("ceiling", num(-1.0))]);
    let mut p = make(&ins, RATE, 2);
    let lat = p.latency();
    assert_eq!(lat, 72 + 84, "1.5 ms at 48 kHz, plus detection and hold");
    let x = vec![sine(4800, 440.0, RATE, 0.5), sine(4800, 550.0, RATE, 0.5)];
    let y = run(p.as_mut(), &x, None, 333);
    for (xc, yc) in x.iter().zip(&y) {
        assert!(yc[..lat].iter().all(|&v| v == 0.0));
        assert!(yc[lat..] == xc[..4800 - lat]);
    }
}

#[test]
fn release_is_a_time_constant_on_the_gain() {
    // A single full-scale click pulls the gain to the ceiling's; it is held for
    // FLAT + 1 samples after the click, then comes back 63.2% of the way in 50 ms
    // (the two moving averages delay the curve by half a ramp).
    let ins = lim(&[("ceiling", num(-6.0)), ("release", num(0.05))]);
    let mut x = vec![0.1f32; 24000];
    x[1000] = 1.0;
    let mut p = make(&ins, RATE, 1);
    let lat = p.latency();
    let y = run(p.as_mut(), &[x.clone()], None, 64);
    let gain = |n: usize| f64::from(y[0][n + lat]) / f64::from(x[n]);
    let g0 = db_to_lin(-6.0) / (crate::dsp::truepeak::GRID_MARGIN * RIPPLE_MARGIN);
    let want = 1.0 - (1.0 - g0) * (-1.0f64).exp();
    let ramp = 72.0;
    let at = (1000.0 + (FLAT + 1) as f64 + (ramp - 1.0) / 2.0 + 0.05 * RATE) as usize;
    // 2e-3: the averages round the exponential's start over one ramp.
    assert!((gain(at) - want).abs() < 2e-3, "{} vs {want}", gain(at));
    // Flat at the need from FLAT before the click to FLAT after it.
    for n in 1000 - FLAT..=1000 + FLAT {
        // 1e-6: f32 output.
        assert!((gain(n) - g0).abs() < 1e-6, "{n}: {}", gain(n));
    }
    // (The half-sample points next to the click read 0.99 too, so the span runs
    // from the sample before it; further out the ramp is coming down.)
    assert!(gain(1000 - FLAT - 4) > g0 + 1e-3);
    // The click itself (1.0, not 0.1) leaves at the ceiling.
    assert!(f64::from(y[0][1000 + lat]) <= db_to_lin(-6.0));
}

#[test]
fn short_lookahead_still_ramps_over_64_samples() {
    let ins = lim(&[("lookahead", num(0.0005))]);
    assert_eq!(make(&ins, RATE, 2).latency(), RAMP_MIN + 84);
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

#[test]
fn the_idle_fast_path_gives_the_same_bits() {
    // Loud, quiet long enough for the curve to settle, loud, quiet: the fast path
    // must leave every output and the curve's state as the per-frame path does.
    // A short release: the held gain takes about 37 time constants to get back
    // to exactly 1 from 17 dB down.
    let len = 24000;
    let x: Vec<Vec<f32>> = [31, 32]
        .iter()
        .map(|&s| {
            let n = noise(len, s);
            n.iter()
                .enumerate()
                .map(|(i, v)| {
                    v * if (3000..15000).contains(&i) || i > 18000 {
                        0.01
                    } else {
                        1.5
                    }
                })
                .collect()
        })
        .collect();
    // Ramps of 64, 72, 97 and 960 frames: for some `len * (1 / len)` rounds
    // below 1, so the settled gain is just under 1.
    for (lookahead, rate) in [
        (0.0005, 48000.0),
        (0.0015, 48000.0),
        (0.0022, 44100.0),
        (0.02, 48000.0),
    ] {
        for block in [4096, 1000, 97] {
            let out = |fast: bool| {
                let mut l = Limiter::new(-1.0, 0.002, lookahead, &ctx(rate, 2));
                l.idle_fast_path = fast;
                let mut y = x.clone();
                let mut settled = false;
                for at in (0..len).step_by(block) {
                    let n = block.min(len - at);
                    // Settled before a block inside the quiet stretch.
                    settled |= (8000..13000).contains(&at) && l.curve.settled().is_some();
                    let [a, b] = &mut y[..] else { unreachable!() };
                    l.process(&mut [&mut a[at..at + n], &mut b[at..at + n]], None);
                }
                (y, l.report().map(f64::to_bits), settled)
            };
            let (fast, slow) = (out(true), out(false));
            assert!(fast.2, "{lookahead} {rate} {block}: never settled");
            assert_eq!(fast.1, slow.1, "{lookahead} {rate} {block}");
            for (f, s) in fast.0.iter().zip(&slow.0) {
                let bad = f
                    .iter()
                    .zip(s)
                    .position(|(a, b)| a.to_bits() != b.to_bits());
                assert!(bad.is_none(), "{lookahead} {rate} {block}: frame {bad:?}");
            }
        }
    }
}

#[test]
fn skipping_quiet_passes_gives_the_same_bits() {
    // Stretches above the ceiling, between the skip threshold and the ceiling, and
    // well below it, with lone spikes in the quiet ones (just after a pass
    // boundary, and a few frames into one), so readings within `REACH` of a loud
    // frame must still be computed. The ceiling is lowered part-way through.
    let len = 40000;
    let x: Vec<Vec<f32>> = [41, 42]
        .iter()
        .map(|&s| {
            let n = noise(len, s);
            n.iter()
                .enumerate()
                .map(|(i, v)| match i {
                    3000..12000 | 30000..34000 => v * 0.05,
                    12000..18000 => v * 0.4,
                    _ if i == 6400 || i == 9001 || i == 31000 => 0.95,
                    _ => v * 1.5,
                })
                .collect()
        })
        .collect();
    for block in [4096, 1000, 97, 13] {
        let out = |skip: bool| {
            let mut l = Limiter::new(-1.0, 0.005, 0.0015, &ctx(RATE, 2));
            l.skip_quiet = skip;
            let mut y = x.clone();
            for at in (0..len).step_by(block) {
                if at >= 32000 && at < 32000 + block {
                    l.set_param(
                        ParamId {
                            band: None,
                            index: 0,
                        },
                        -20.0,
                    );
                }
                let n = block.min(len - at);
                let [a, b] = &mut y[..] else { unreachable!() };
                l.process(&mut [&mut a[at..at + n], &mut b[at..at + n]], None);
            }
            (y, l.report().map(f64::to_bits), l.skipped, l.screened)
        };
        let (fast, slow) = (out(true), out(false));
        // The quiet stretches hold dozens of passes; blocks of 13 are too short.
        assert!(block == 13 || fast.2 > 20, "{block}: {} skipped", fast.2);
        // Noise at 0.4 peaks some 4 dB under the ceiling between samples: too
        // loud for the sample-peak test, clearly quiet on the screen (6000
        // frames, some 20 passes of 256).
        assert!(fast.3 > 15, "{block}: {} screened", fast.3);
        assert_eq!((slow.2, slow.3), (0, 0));
        assert_eq!(fast.1, slow.1, "{block}");
        for (f, s) in fast.0.iter().zip(&slow.0) {
            let bad = f
                .iter()
                .zip(s)
                .position(|(a, b)| a.to_bits() != b.to_bits());
            assert!(bad.is_none(), "{block}: frame {bad:?}");
        }
    }
}
