use crate::dsp::Processor;
use crate::dsp::convolve::Convolution;
use crate::dsp::reverb::Output;
use crate::dsp::testutil::*;
use std::path::Path;

/// A decaying noise IR, `len` samples, of about unit energy (so a full-scale input
/// gives a full-scale output).
fn synthetic_ir(len: usize, seed: u64) -> Vec<f64> {
    noise(len, seed)
        .iter()
        .enumerate()
        .map(|(n, &v)| f64::from(v) * libm::exp(-(n as f64) / 600.0) / 10.0)
        .collect()
}

fn write_wav(path: &Path, rate: u32, planar: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: planar.len() as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..planar[0].len() {
        for ch in planar {
            w.write_sample(ch[i]).unwrap();
        }
    }
    w.finalize().unwrap();
}

#[test]
fn equals_direct_convolution() {
    let irs = vec![synthetic_ir(3000, 1), synthetic_ir(2500, 2)];
    let mut p = Convolution::new(irs.clone(), 0, Output::new(1.0, 0.0, 1.0), 2).unwrap();
    let lat = p.latency();
    let x = vec![noise(20000, 3), noise(20000, 4)];
    let y = run(&mut p, &x, None, 37);
    let mut worst = 0.0f64;
    for ch in 0..2 {
        for n in 0..20000 - lat {
            let direct: f64 = (0..irs[ch].len().min(n + 1))
                .map(|k| irs[ch][k] * f64::from(x[ch][n - k]))
                .sum();
            worst = worst.max((f64::from(y[ch][n + lat]) - direct).abs());
        }
    }
    eprintln!("largest difference from direct convolution: {worst:e}");
    // The bar, 1e-6; the f32 output rounding alone is up to 6e-8 per unit.
    assert!(worst < 1e-6, "{worst}");
}

#[test]
fn predelay_gain_and_mix() {
    let ir = vec![vec![1.0]];
    let mut p = Convolution::new(ir, 100, Output::new(1.0, -6.0, 0.5), 1).unwrap();
    let lat = p.latency();
    let mut x = vec![0.0f32; lat + 400];
    x[0] = 1.0;
    let y = run(&mut p, &[x], None, 512);
    let g = crate::dsp::gain::db_to_lin(-6.0);
    // Dry at the latency; wet (a one-tap IR) 100 samples later at gain -6 dB; each half.
    // 1e-12: FFT rounding in f64 around exact values (f32 output).
    assert_eq!(y[0][lat], 0.5);
    assert!((f64::from(y[0][lat + 100]) - 0.5 * g).abs() < 1e-7);
    for (n, v) in y[0].iter().enumerate() {
        if n != lat && n != lat + 100 {
            assert!(v.abs() < 1e-12, "{v} at {n}");
        }
    }
}

#[test]
fn loads_resamples_and_renders_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("room.wav");
    let ir: Vec<f32> = synthetic_ir(2000, 5).iter().map(|&v| v as f32).collect();
    write_wav(&path, 24000, &[ir]);
    let ins = insert(
        "reverb",
        &[("ir", text(&path.to_string_lossy())), ("mix", num(0.7))],
        vec![],
    );
    check_chunks_and_reset(&ins, false);
    let mut p = make(&ins, 48000.0, 2);
    assert!(p.has_tail() && p.latency() == 4096);
    let mut x = vec![0.0f32; 12000];
    x[0] = 1.0;
    let y = run(p.as_mut(), &[x.clone(), x], None, 1000);
    // Resampled 2x, the 2000-sample IR lasts about 4000 samples at 48 kHz.
    let last = y[0].iter().rposition(|&v| v.abs() > 1e-6).unwrap() - 4096;
    assert!((3800..4200).contains(&last), "{last}");
}

#[test]
fn a_bad_impulse_response_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.wav");
    let text_file = dir.path().join("notes.wav");
    std::fs::write(&text_file, b"not audio at all").unwrap();
    for path in [missing, text_file] {
        let ins = insert("reverb", &[("ir", text(&path.to_string_lossy()))], vec![]);
        let err = crate::dsp::build(&ins, &ctx(48000.0, 2))
            .err()
            .expect("fails");
        assert!(err.contains(&*path.to_string_lossy()), "{err}");
    }
}
