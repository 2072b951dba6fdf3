use super::*;
use crate::dsp::biquad::{Coefs, State};
use crate::dsp::testutil::*;

fn fdn(params: &[(&str, ParamValue)]) -> Insert {
    insert("reverb", params, vec![])
}

fn impulse(len: usize) -> Vec<f32> {
    let mut x = vec![0.0; len];
    x[0] = 1.0;
    x
}

/// The wet impulse response (left channel) of `ins`, `secs` long.
fn wet_ir(ins: &Insert, secs: f64) -> Vec<f32> {
    let n = (secs * 48000.0) as usize;
    let out = run(
        make(ins, 48000.0, 2).as_mut(),
        &[impulse(n), impulse(n)],
        None,
        4096,
    );
    out[0].clone()
}

/// RT60 of `ir` in the 1 kHz octave (two cascaded RBJ band-passes, Q = sqrt 2),
/// by Schroeder backward integration, from the -5..-35 dB slope (T30, ISO 3382-1).
fn rt60_1k(ir: &[f32]) -> f64 {
    let c = Coefs::bandpass(1000.0, std::f64::consts::SQRT_2, 48000.0);
    let (mut a, mut b) = (State::default(), State::default());
    let band: Vec<f64> = ir
        .iter()
        .map(|&x| b.tick(&c, a.tick(&c, f64::from(x))))
        .collect();
    let mut edc = vec![0.0; band.len() + 1];
    for n in (0..band.len()).rev() {
        edc[n] = edc[n + 1] + band[n] * band[n];
    }
    let at = |db: f64| {
        edc.iter()
            .position(|&e| e <= edc[0] * libm::exp10(db / 10.0))
            .unwrap()
    };
    2.0 * (at(-35.0) - at(-5.0)) as f64 / 48000.0
}

#[test]
fn measured_rt60_at_1khz_is_the_asked_decay() {
    for decay in [0.5, 1.0, 2.4, 6.0] {
        for damping in [0.0, 0.4, 0.9] {
            let ins = fdn(&[
                ("decay", num(decay)),
                ("damping", num(damping)),
                ("mix", num(1.0)),
            ]);
            let got = rt60_1k(&wet_ir(&ins, 1.3 * decay + 0.3));
            let err = (got / decay - 1.0) * 100.0;
            eprintln!("decay {decay} s, damping {damping}: RT60 {got:.3} s ({err:+.1}%)");
            // The bar: within 10% of the asked decay.
            assert!(err.abs() < 10.0, "decay {decay}, damping {damping}: {got}");
        }
    }
}

#[test]
fn damping_shortens_the_highs() {
    let ir = wet_ir(&fdn(&[("damping", num(0.8)), ("mix", num(1.0))]), 2.0);
    // Energy in the last second: 8 kHz has died far more than 1 kHz.
    let tail = &ir[48000..];
    assert!(dft_db(tail, 8000.0, 48000.0) < dft_db(tail, 1000.0, 48000.0) - 20.0);
}

#[test]
fn predelay_shifts_the_response_exactly() {
    let plain = wet_ir(&fdn(&[("mix", num(1.0))]), 0.5);
    let later = wet_ir(&fdn(&[("mix", num(1.0)), ("predelay", num(0.01))]), 0.5);
    assert!(later[..480].iter().all(|&v| v == 0.0));
    assert!(later[480..] == plain[..plain.len() - 480]);
}

#[test]
fn silent_tail_decays_to_exact_zeros() {
    let ins = fdn(&[("decay", num(0.3)), ("mix", num(1.0))]);
    let ir = wet_ir(&ins, 20.0);
    assert!(peak(&ir[4800..9600]) > 1e-3, "the tail rings");
    // Flushing below 1e-30 makes every state exactly zero once the tail has fallen
    // that far (about 600 dB: 3 s at 0.3 s RT60); nothing ever turns subnormal.
    assert!(ir[19 * 48000..].iter().all(|&v| v == 0.0));
}

#[test]
fn zero_width_is_mono() {
    let ins = fdn(&[("width", num(0.0)), ("mix", num(1.0))]);
    let x = noise(4800, 3);
    let out = run(make(&ins, 48000.0, 2).as_mut(), &[x.clone(), x], None, 256);
    assert!(out[0] == out[1]);
    let wide = run(
        make(&fdn(&[("mix", num(1.0))]), 48000.0, 2).as_mut(),
        &[impulse(4800), impulse(4800)],
        None,
        256,
    );
    assert!(wide[0] != wide[1], "left and right taps differ");
}

#[test]
fn fdn_chunks_reset_and_finite() {
    let ins = fdn(&[
        ("decay", num(3.0)),
        ("predelay", num(0.0123)),
        ("mix", num(0.5)),
        ("width", num(1.5)),
    ]);
    check_chunks_and_reset(&ins, false);
    let p = make(&ins, 48000.0, 2);
    assert!(p.has_tail() && p.latency() == 0);
    let id = |index| ParamId { band: None, index };
    check_finite(
        &ins,
        &[
            (id(0), 30.0),
            (id(0), 0.1),
            (id(3), 1.0),
            (id(5), 24.0),
            (id(6), 1.0),
        ],
    );
    check_chunks_automated(&ins, id(0), |n| 0.5 + (n % 4000) as f64 / 1000.0);
}

#[path = "convolve_tests.rs"]
mod convolve;
