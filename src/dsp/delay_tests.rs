use super::*;
use crate::dsp::testutil::*;

use crate::ir::ParamValue;

fn delay(params: &[(&str, ParamValue)]) -> Insert {
    insert("delay", params, vec![])
}

fn impulse(len: usize) -> Vec<f32> {
    let mut x = vec![0.0; len];
    x[0] = 1.0;
    x
}

/// Indices and values of the non-zero samples.
fn nonzero(x: &[f32]) -> Vec<(usize, f32)> {
    x.iter()
        .enumerate()
        .filter(|(_, v)| **v != 0.0)
        .map(|(i, v)| (i, *v))
        .collect()
}

#[test]
fn echoes_land_on_the_exact_sample() {
    // 375 ms = a dotted eighth at 120 bpm: 18000 samples at 48 kHz.
    let ins = delay(&[
        ("time", num(0.375)),
        ("feedback", num(0.5)),
        ("mix", num(1.0)),
    ]);
    let out = run(
        make(&ins, 48000.0, 1).as_mut(),
        &[impulse(60000)],
        None,
        333,
    );
    assert_eq!(
        nonzero(&out[0]),
        vec![(18000, 1.0), (36000, 0.5), (54000, 0.25)]
    );
}

#[test]
fn pingpong_alternates_sides() {
    let ins = delay(&[
        ("time", num(0.01)),
        ("feedback", num(0.5)),
        ("mode", text("pingpong")),
        ("mix", num(1.0)),
    ]);
    let input = vec![impulse(2000), impulse(2000)];
    let out = run(make(&ins, 48000.0, 2).as_mut(), &input, None, 64);
    // The stereo impulse sums to mono 1.0, then left at d, right at 2d, left at 3d.
    assert_eq!(nonzero(&out[0]), vec![(480, 1.0), (1440, 0.25)]);
    assert_eq!(nonzero(&out[1]), vec![(960, 0.5), (1920, 0.125)]);
}

#[test]
fn dry_signal_passes_at_mix_zero() {
    let ins = delay(&[("mix", num(0.0)), ("feedback", num(0.9))]);
    let x = noise(5000, 4);
    let out = run(
        make(&ins, 48000.0, 1).as_mut(),
        std::slice::from_ref(&x),
        None,
        100,
    );
    assert!(out[0] == x);
}

#[test]
fn loop_filters_darken_each_repeat() {
    let ins = delay(&[
        ("time", num(0.1)),
        ("feedback", num(0.5)),
        ("lowcut", num(100.0)),
        ("highcut", num(2000.0)),
        ("mix", num(1.0)),
    ]);
    let out = run(
        make(&ins, 48000.0, 1).as_mut(),
        &[impulse(14400)],
        None,
        4096,
    );
    // First echo: the unfiltered impulse.
    assert_eq!(out[0][4800], 1.0);
    assert!(out[0][4801..9600].iter().all(|&v| v == 0.0));
    let second = &out[0][9600..14400];
    let at = |f| dft_db(second, f, 48000.0);
    // The second echo went through the loop once: feedback 0.5 (-6.02 dB) times a
    // 2nd-order Butterworth low-pass at 2 kHz (-28 dB at 10 kHz) and high-pass at
    // 100 Hz. At 1 kHz it matches the analytic responses within 0.1 dB (the DFT
    // window holds the whole echo but cuts the high-pass's slow 100 Hz tail).
    let expect_1k = db(0.5)
        + Coefs::lowpass(2000.0, std::f64::consts::FRAC_1_SQRT_2, 48000.0)
            .magnitude_db(1000.0, 48000.0)
        + Coefs::highpass(100.0, std::f64::consts::FRAC_1_SQRT_2, 48000.0)
            .magnitude_db(1000.0, 48000.0);
    assert!((at(1000.0) - expect_1k).abs() < 0.1, "{}", at(1000.0));
    assert!(at(10000.0) < db(0.5) - 25.0, "{}", at(10000.0));
    assert!(at(30.0) < db(0.5) - 15.0, "{}", at(30.0));
}

#[test]
fn time_glides_without_a_jump() {
    let rate = 48000.0;
    let ins = delay(&[
        ("time", num(0.01)),
        ("feedback", num(0.0)),
        ("mix", num(1.0)),
    ]);
    let mut p = make(&ins, rate, 1);
    let x = sine(48000, 100.0, rate, 1.0);
    let first = run(p.as_mut(), &[x[..9600].to_vec()], None, 256);
    p.set_param(
        ParamId {
            band: None,
            index: 0,
        },
        0.03,
    );
    let rest = run(p.as_mut(), &[x[9600..].to_vec()], None, 256);
    let y: Vec<f32> = first[0].iter().chain(&rest[0]).copied().collect();
    // A 100 Hz full-scale sine moves at most 2*pi*100/48000 = 0.0131 per sample; read
    // at up to 1.5x speed during the glide: 0.0196. A jump in the read position would
    // show as a far larger step.
    let worst = y[600..]
        .windows(2)
        .map(|w| f64::from(w[1] - w[0]).abs())
        .fold(0.0, f64::max);
    assert!(worst < 0.0197, "largest step {worst}");
    // After the glide (50 ms = 2400 samples; 960 samples of change needs only 1920),
    // the output is the input exactly 1440 samples late.
    for n in 9600 + 2400..48000 {
        assert_eq!(y[n], x[n - 1440], "at {n}");
    }
}

#[test]
fn chunks_reset_tail_and_finite() {
    let full = delay(&[
        ("time", num(0.0123)),
        ("feedback", num(0.7)),
        ("lowcut", num(200.0)),
        ("highcut", num(6000.0)),
        ("mode", text("pingpong")),
        ("mix", num(0.5)),
    ]);
    check_chunks_and_reset(&full, false);
    check_chunks_and_reset(&delay(&[("time", num(0.2))]), false);
    assert!(make(&full, 48000.0, 2).has_tail());
    let id = |index| ParamId { band: None, index };
    check_finite(
        &full,
        &[
            (id(0), 0.001),
            (id(0), 8.0),
            (id(1), 0.99),
            (id(2), 20000.0),
            (id(3), 20.0),
        ],
    );
    check_chunks_automated(&full, id(0), |n| 0.005 + (n % 9000) as f64 * 1e-6);
}
