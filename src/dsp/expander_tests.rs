//! Tests of `gate` and `expander`: static reduction, range, hold, keying, and the
//! common processor checks.

use super::*;
use crate::dsp::gain::db_to_lin;
use crate::dsp::testutil::*;
use crate::ir::ParamValue;

const RATE: f64 = 48000.0;

fn gate(params: &[(&str, ParamValue)]) -> Insert {
    insert("gate", params, vec![])
}

fn expander(params: &[(&str, ParamValue)]) -> Insert {
    insert("expander", params, vec![])
}

/// Output peak (dB) over the last 100 ms of 0.5 s of a 1 kHz sine of peak `level` dB,
/// with a 10 ms release (closing) time constant so the reduction has settled.
fn settled_peak(ins: &Insert, level: f64) -> f64 {
    let mut ins = ins.clone();
    ins.params.insert("release".into(), num(0.01));
    let x = sine(24000, 1000.0, RATE, db_to_lin(level));
    let out = run(make(&ins, RATE, 2).as_mut(), &[x.clone(), x], None, 512);
    db(peak(&out[0][19200..]))
}

#[test]
fn loud_signals_pass_untouched() {
    // A cosine, so the signal is loud from its first sample on.
    let x = vec![sine(24100, 100.0, RATE, 0.5)[120..].to_vec()];
    for ins in [gate(&[]), expander(&[])] {
        assert!(run(make(&ins, RATE, 1).as_mut(), &x, None, 100) == x);
    }
}

#[test]
fn expander_static_curve_and_range() {
    // 10 dB under -40 dB at 2:1 is reduced by 10 dB more: -60 dB out. The 10 ms hold
    // spans the 1 kHz sine's troughs, so the detector reads its peak exactly; 0.05 dB
    // covers the f32 output rounding and the peak sampling of the measurement.
    let got = settled_peak(&expander(&[]), -50.0);
    assert!((got + 60.0).abs() < 0.05, "{got}");
    // 30 dB under at 4:1 would be 90 dB of reduction; the 40 dB range caps it.
    let capped = settled_peak(&expander(&[("ratio", num(4.0))]), -70.0);
    assert!((capped + 110.0).abs() < 0.05, "{capped}");
}

#[test]
fn gate_closes_by_its_range() {
    let got = settled_peak(&gate(&[("range", num(60.0))]), -50.0);
    assert!((got + 110.0).abs() < 0.05, "{got}");
}

#[test]
fn gate_holds_then_releases() {
    // 100 ms loud, then quiet: with a 50 ms hold the gain stays at unity for 50 ms,
    // then the reduction grows with the 10 ms release time constant.
    let ins = gate(&[("hold", num(0.05)), ("release", num(0.01))]);
    let x: Vec<f32> = (0..24000)
        .map(|n| if n < 4800 { 0.5 } else { 0.001 })
        .collect();
    let y = run(
        make(&ins, RATE, 1).as_mut(),
        std::slice::from_ref(&x),
        None,
        64,
    );
    let gain_db = |n: usize| db(f64::from(y[0][n]) / f64::from(x[n]));
    // The hold window of 2400 frames includes the current one.
    assert_eq!(gain_db(4800 + 2398), 0.0);
    assert!(gain_db(4800 + 2399) < 0.0);
    // One time constant after the hold: 63.2% of the 80 dB range, to 0.1 dB
    // (f32 rounding of a signal 50 dB down).
    let want = -80.0 * (1.0 - (-1.0f64).exp());
    assert!(
        (gain_db(4800 + 2400 + 479) - want).abs() < 0.1,
        "{}",
        gain_db(7679)
    );
}

#[test]
fn sidechain_opens_the_gate() {
    let ins = gate(&[("sidechain", text("kick"))]);
    let quiet = vec![sine(24000, 440.0, RATE, 0.001)];
    let key = vec![sine(24000, 60.0, RATE, 0.5)];
    let keyed = run(make(&ins, RATE, 1).as_mut(), &quiet, Some(&key), 512);
    assert!(keyed[0][12000..] == quiet[0][12000..]);
    let shut = run(make(&ins, RATE, 1).as_mut(), &quiet, None, 512);
    assert!(db(peak(&shut[0][12000..])) < -130.0);
}

#[test]
fn chunks_reset_and_finite() {
    let id = |index| ParamId { band: None, index };
    for ins in [
        gate(&[("threshold", num(-10.0))]),
        expander(&[("threshold", num(-10.0))]),
    ] {
        check_chunks_and_reset(&ins, false);
        check_chunks_automated(&ins, id(0), |n| -60.0 + n as f64 / 500.0);
        check_finite(
            &ins,
            &[
                (id(0), -90.0),
                (id(1), 120.0),
                (id(0), 0.0),
                (id(2), 0.00001),
            ],
        );
    }
    check_chunks_and_reset(&gate(&[("sidechain", text("k"))]), true);
}
