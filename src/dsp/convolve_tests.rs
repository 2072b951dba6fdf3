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
    // The bar, 1e-6. The engine runs in f32: its FFTs round by about 1.4e-7
    // relative (fft_tests), so outputs of RMS 0.6 stray up to about 5e-7 (measured).
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
    // 1e-7 (−140 dB): the engine's f32 FFTs leave rounding noise of about ε_f32 = 6e-8
    // times the unit input around exact values (measured: 2e-9).
    assert_eq!(y[0][lat], 0.5);
    assert!((f64::from(y[0][lat + 100]) - 0.5 * g).abs() < 1e-7);
    for (n, v) in y[0].iter().enumerate() {
        if n != lat && n != lat + 100 {
            assert!(v.abs() < 1e-7, "{v} at {n}");
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

/// y[n] = Σ h[k]·x[n−k], in f64.
fn direct(ir: &[f64], x: &[f32], n: usize) -> f64 {
    (0..ir.len().min(n + 1))
        .map(|k| ir[k] * f64::from(x[n - k]))
        .sum()
}

#[test]
fn many_partitions_equal_direct_convolution() {
    use crate::dsp::fft_conv::FftConv;
    // 5 partitions of 1024 (IRs of 4500 and 5000 taps), stereo and mono.
    let long = |seed| -> Vec<f64> {
        noise(5000, seed)
            .iter()
            .enumerate()
            .map(|(n, &v)| f64::from(v) * libm::exp(-(n as f64) / 2000.0) / 20.0)
            .collect()
    };
    let mut irs = [long(21), long(22)];
    irs[0].truncate(4500);
    let x = [noise(12288, 23), noise(12288, 24)];
    for chans in [2, 1] {
        let mut e = FftConv::new(&irs[..chans], chans, 1024);
        let mut worst = 0.0f64;
        for block in 0..12 {
            for (c, x) in x.iter().enumerate().take(chans) {
                e.input(c).copy_from_slice(&x[block * 1024..][..1024]);
            }
            e.process();
            for (c, x) in x.iter().enumerate().take(chans) {
                for (i, &y) in e.output(c).iter().enumerate() {
                    let want = direct(&irs[c], x, block * 1024 + i);
                    worst = worst.max((f64::from(y) - want).abs());
                }
            }
        }
        eprintln!("{chans} channel(s), 5 partitions: largest difference {worst:e}");
        assert!(worst < 1e-6, "{worst}");
    }
}

#[test]
fn golden_hash() {
    // The exact output of the stereo engine (2 partitions of 32768, blocks of 1000)
    // through the processor. No run-time dispatch and libm twiddles (see `fft`) make it
    // the same on every machine; it changes only with the algorithm.
    let irs = vec![synthetic_long(40000, 31), synthetic_long(39000, 32)];
    let mut p = Convolution::new(irs, 0, Output::new(1.0, 0.0, 0.8), 2).unwrap();
    let x = vec![noise(100_000, 33), noise(100_000, 34)];
    let y = run(&mut p, &x, None, 1000);
    let mut h = blake3::Hasher::new();
    for ch in &y {
        for v in ch {
            h.update(&v.to_le_bytes());
        }
    }
    assert_eq!(&h.finalize().to_hex()[..16], "b608ab3ac60ba3bb");
}

/// A decaying noise IR of `len` samples with a long tail (about unit energy).
fn synthetic_long(len: usize, seed: u64) -> Vec<f64> {
    noise(len, seed)
        .iter()
        .enumerate()
        .map(|(n, &v)| f64::from(v) * libm::exp(-(n as f64) / 8000.0) / 40.0)
        .collect()
}

#[test]
fn channel_counts_of_ir_and_signal_may_differ() {
    // A mono IR serves both channels; a stereo IR on a mono signal is averaged.
    let (a, b) = (synthetic_ir(2000, 41), synthetic_ir(2000, 42));
    let x = noise(9000, 43);
    let mean: Vec<f64> = a.iter().zip(&b).map(|(a, b)| 0.5 * (a + b)).collect();
    let cases = [
        (vec![a.clone()], 2, [a.clone(), a.clone()]),
        (vec![a.clone(), b.clone()], 1, [mean.clone(), mean]),
    ];
    for (irs, chans, want) in cases {
        let mut p = Convolution::new(irs, 0, Output::new(1.0, 0.0, 1.0), chans).unwrap();
        let lat = p.latency();
        let y = run(&mut p, &vec![x.clone(); chans], None, 500);
        for (c, y) in y.iter().enumerate() {
            for n in (0..9000 - lat).step_by(7) {
                let err = (f64::from(y[n + lat]) - direct(&want[c], &x, n)).abs();
                // The bar, as in `equals_direct_convolution`.
                assert!(
                    err < 1e-6,
                    "{chans} channel(s), channel {c}, sample {n}: {err}"
                );
            }
        }
    }
}
