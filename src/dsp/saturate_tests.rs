use super::*;
use crate::dsp::testutil::*;

fn sat(curve: &str, drive: f64) -> Insert {
    insert(
        "saturate",
        &[("curve", text(curve)), ("drive", num(drive))],
        vec![],
    )
}

/// One second (48000 samples, exactly 5000 periods of 5 kHz) of steady output for a
/// 5 kHz sine of 0.5 peak, after the filters have settled.
fn steady(ins: &Insert) -> Vec<f32> {
    let x = sine(52000, 5000.0, 48000.0, 0.5);
    let out = run(make(ins, 48000.0, 1).as_mut(), &[x], None, 512);
    out[0][4000..].to_vec()
}

/// The strongest non-harmonic component relative to the fundamental, in dB. Over
/// 48000 samples each integer-Hz frequency is an exact DFT bin; the output repeats
/// every 48 samples, so every product (harmonic or alias) sits on a multiple of 1 kHz.
fn worst_alias_db(y: &[f32]) -> f64 {
    let fundamental = dft_db(y, 5000.0, 48000.0);
    (1..24)
        .filter(|k| k % 5 != 0)
        .map(|k| dft_db(y, f64::from(k) * 1000.0, 48000.0) - fundamental)
        .fold(f64::NEG_INFINITY, f64::max)
}

#[test]
fn aliases_stay_60_db_down_under_heavy_drive() {
    for curve in CURVES {
        for drive in [12.0, 24.0] {
            let worst = worst_alias_db(&steady(&sat(curve, drive)));
            eprintln!("{curve} at {drive} dB drive: worst alias {worst:.1} dB");
            // The bar: aliases at least 60 dB below the fundamental.
            assert!(worst < -60.0, "{curve} at {drive} dB: {worst:.1} dB");
        }
    }
}

#[test]
fn tube_adds_even_harmonics_and_tanh_does_not() {
    let even = |curve| {
        let y = steady(&sat(curve, 12.0));
        dft_db(&y, 10000.0, 48000.0) - dft_db(&y, 5000.0, 48000.0)
    };
    // tanh is odd-symmetric: its even harmonics are only the filters' rounding.
    assert!(even("tanh") < -100.0, "tanh: {}", even("tanh"));
    assert!(even("tube") > -30.0, "tube: {}", even("tube"));
}

#[test]
fn latency_aligns_a_clean_signal() {
    // At no drive a -40 dBFS signal sits in tanh's linear region (third-order term
    // x^3/3 at 0.01 peak: -89 dB), so the output is the input delayed by the latency.
    let p = make(&sat("tanh", 0.0), 48000.0, 1);
    assert_eq!(p.latency(), LATENCY);
    let x = sine(4800, 1000.0, 48000.0, 0.01);
    let mut q = p;
    let y = run(q.as_mut(), std::slice::from_ref(&x), None, 100);
    let err = (LATENCY + 500..4800)
        .map(|n| f64::from(y[0][n] - x[n - LATENCY]).abs())
        .fold(0.0, f64::max);
    // 1e-6 = -40 dBFS signal times 1e-4 (round-trip filter ripple, oversample.rs).
    assert!(err < 1e-6, "{err}");
}

#[test]
fn mix_zero_is_the_delayed_dry_signal() {
    let ins = insert(
        "saturate",
        &[("drive", num(30.0)), ("mix", num(0.0))],
        vec![],
    );
    let x = noise(2000, 3);
    let y = run(
        make(&ins, 48000.0, 1).as_mut(),
        std::slice::from_ref(&x),
        None,
        77,
    );
    assert!(y[0][..LATENCY].iter().all(|&v| v == 0.0));
    assert!(y[0][LATENCY..] == x[..2000 - LATENCY]);
}

#[test]
fn hard_clip_holds_the_ceiling() {
    // Hard clipping at 1.0 then the decimator: ringing of the linear-phase filter
    // overshoots a little (Gibbs); 0.2 (1.6 dB) bounds it for a square-like wave.
    let y = steady(&sat("hard", 24.0));
    assert!(peak(&y) < 1.2 && peak(&y) > 0.9, "{}", peak(&y));
}

#[test]
fn chunks_reset_and_finite() {
    for curve in CURVES {
        check_chunks_and_reset(&sat(curve, 18.0), false);
    }
    let id = |index| ParamId { band: None, index };
    check_finite(
        &sat("tube", 48.0),
        &[(id(0), 0.0), (id(0), 48.0), (id(2), 24.0), (id(3), 0.5)],
    );
    check_chunks_automated(&sat("tanh", 6.0), id(0), |n| (n % 4800) as f64 / 100.0);
}
