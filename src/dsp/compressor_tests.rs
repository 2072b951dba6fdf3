//! Tests of the `compressor`: static curve, knee, ballistics as documented,
//! sidechain keying, the parallel-mix null, and the common processor checks.

use super::*;
use crate::dsp::testutil::*;
use crate::ir::ParamValue;

const RATE: f64 = 48000.0;

fn comp(params: &[(&str, ParamValue)]) -> Insert {
    insert("compressor", params, vec![])
}

/// Fast attack and slow release, so the ballistics follow the peaks of a 1 kHz
/// sine and hardly release between them: the settled output shows the static curve.
fn static_settings(extra: &[(&str, ParamValue)]) -> Insert {
    let mut p = vec![("attack", num(0.00001)), ("release", num(1.0))];
    p.extend(extra.iter().cloned());
    comp(&p)
}

/// Output peak (dBFS) over the last 100 ms of 1 s of a 1 kHz sine of peak `level` dBFS.
fn settled_peak(ins: &Insert, level: f64) -> f64 {
    let x = sine(48000, 1000.0, RATE, db_to_lin(level));
    let out = run(make(ins, RATE, 2).as_mut(), &[x.clone(), x], None, 512);
    db(peak(&out[0][43200..]))
}

// 0.25 dB: the brief's bound for the static curve; the residual comes from the
// release between peaks (1 s time constant over 0.5 ms: under 0.01 dB) and the RMS
// ripple (10 ms average of a 2 kHz power ripple: about 0.02 dB).
const STATIC_TOL: f64 = 0.25;

#[test]
fn peak_static_curve_lands_on_threshold_plus_over_by_ratio() {
    for (level, threshold, ratio) in [(-6.0, -18.0, 4.0), (0.0, -30.0, 10.0), (-10.0, -20.0, 2.0)] {
        let ins = static_settings(&[("threshold", num(threshold)), ("ratio", num(ratio))]);
        let want = threshold + (level - threshold) / ratio;
        let got = settled_peak(&ins, level);
        assert!((got - want).abs() < STATIC_TOL, "{level}: {got} vs {want}");
    }
}

#[test]
fn below_threshold_is_untouched() {
    let ins = static_settings(&[("threshold", num(-18.0))]);
    assert!((settled_peak(&ins, -20.0) + 20.0).abs() < 1e-6);
}

#[test]
fn soft_knee_midpoint() {
    // At the threshold a 12 dB knee at 4:1 reduces by (1 - 1/4) * 12 / 8 = 1.125 dB.
    let ins = static_settings(&[("knee", num(12.0))]);
    let got = settled_peak(&ins, -18.0);
    assert!((got - (-18.0 - 1.125)).abs() < STATIC_TOL, "{got}");
}

#[test]
fn rms_detector_reads_a_sine_3db_under_its_peak() {
    let ins = static_settings(&[("detector", text("rms"))]);
    // RMS level -9.01 dB is 8.99 dB over -18 dB: 6.74 dB of reduction at 4:1.
    let want = -6.0 - 0.75 * (-6.0 - 3.0103 + 18.0);
    let got = settled_peak(&ins, -6.0);
    assert!((got - want).abs() < STATIC_TOL, "{got} vs {want}");
}

#[test]
fn makeup_adds_after_compression() {
    let ins = static_settings(&[("makeup", num(5.0))]);
    let got = settled_peak(&ins, -6.0);
    assert!((got - (-15.0 + 5.0)).abs() < STATIC_TOL, "{got}");
}

/// The target reduction for DC 0.5 (-6.02 dB) at -18 dB, 4:1: about 8.99 dB.
fn dc_target() -> f64 {
    0.75 * (db(0.5) + 18.0)
}

/// Gain reduction in dB per sample for a DC step: 0.5 ([`dc_target`] of reduction)
/// for `on` samples, then 0.01 (-40 dB, none).
fn step_reduction(attack: f64, release: f64, on: usize) -> Vec<f64> {
    let ins = comp(&[("attack", num(attack)), ("release", num(release))]);
    let x: Vec<f32> = (0..48000)
        .map(|n| if n < on { 0.5 } else { 0.01 })
        .collect();
    let out = run(
        make(&ins, RATE, 1).as_mut(),
        std::slice::from_ref(&x),
        None,
        256,
    );
    out[0]
        .iter()
        .zip(&x)
        .map(|(&o, &i)| -db(f64::from(o) / f64::from(i)))
        .collect()
}

#[test]
fn attack_and_release_are_time_constants() {
    let (e, t) = ((-1.0f64).exp(), dc_target());
    let gr = step_reduction(0.010, 0.100, 24000);
    // Attack: 63.2% of the step after 10 ms = 480 samples.
    let n = gr.iter().position(|&g| g >= t * (1.0 - e)).unwrap();
    // 2 samples: one for the discrete one-pole reaching the mark on sample tau*rate - 1,
    // one for the f32 output rounding right at the mark.
    assert!((n as f64 - 480.0).abs() <= 2.0, "attack reached at {n}");
    // Settled to 1e-4 dB (f32 output rounding is about 1e-6 dB).
    assert!((gr[23999] - t).abs() < 1e-4);
    // Release: back to 1/e of the reduction 100 ms (4800 samples) after the drop.
    let n = gr[24000..].iter().position(|&g| g <= t * e).unwrap();
    assert!((n as f64 - 4800.0).abs() <= 2.0, "release reached at {n}");
}

#[test]
fn sidechain_key_ducks_a_quiet_input() {
    let ins = comp(&[("sidechain", text("kick"))]);
    let quiet = sine(24000, 440.0, RATE, db_to_lin(-30.0));
    let loud = sine(24000, 60.0, RATE, db_to_lin(-6.0));
    let input = vec![quiet.clone(), quiet.clone()];
    let key = vec![loud];
    let keyed = run(make(&ins, RATE, 2).as_mut(), &input, Some(&key), 512);
    let level = db(peak(&keyed[0][12000..]));
    // -6 dB key peak is 12 dB over: about 9 dB of reduction (less between the
    // 60 Hz peaks as the 100 ms release lets go a little).
    assert!(level < -37.0 && level > -40.0, "keyed level {level}");
    let unkeyed = run(make(&ins, RATE, 2).as_mut(), &input, None, 512);
    assert!(unkeyed == input, "below threshold without a key: unchanged");
}

#[test]
fn zero_mix_is_a_null() {
    let ins = comp(&[
        ("mix", num(0.0)),
        ("threshold", num(-60.0)),
        ("ratio", num(20.0)),
    ]);
    let input = vec![noise(24000, 11), noise(24000, 12)];
    assert!(run(make(&ins, RATE, 2).as_mut(), &input, None, 333) == input);
}

#[test]
fn half_mix_blends() {
    // The reduced DC step, mixed 50/50 with the dry signal.
    let ins = comp(&[("mix", num(0.5)), ("attack", num(0.00001))]);
    let out = run(make(&ins, RATE, 1).as_mut(), &[vec![0.5; 4800]], None, 64);
    let want = 0.5 * (0.5 + 0.5 * db_to_lin(-dc_target()));
    // 1e-7: f32 rounding of a value near 0.4.
    assert!((f64::from(out[0][4799]) - want).abs() < 1e-7);
}

#[test]
fn chunks_reset_automation_and_finite() {
    let ins = comp(&[("knee", num(6.0)), ("makeup", num(3.0)), ("mix", num(0.7))]);
    check_chunks_and_reset(&ins, false);
    check_chunks_and_reset(&comp(&[("sidechain", text("key"))]), true);
    let rms = comp(&[("detector", text("rms"))]);
    check_chunks_and_reset(&rms, false);
    let id = |index| ParamId { band: None, index };
    check_chunks_automated(&ins, id(0), |n| -30.0 + n as f64 / 1000.0);
    check_chunks_automated(&ins, id(5), |n| n as f64 / 2000.0);
    check_finite(
        &ins,
        &[
            (id(0), -60.0),
            (id(1), 100.0),
            (id(4), 24.0),
            (id(2), 0.00001),
            (id(3), 5.0),
            (id(5), 40.0),
            (id(6), 0.0),
            (id(0), 0.0),
            (id(1), 1.0),
        ],
    );
}
