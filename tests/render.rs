//! End-to-end renders: levels, lengths, formats, rates and bit-identical output.

use crate::support::{Project, noise, peak_db, read_wav, sine};

/// A small mix that uses buses, sends (pre and post), a sidechain, EQ and compressors.
fn busy_project() -> Project {
    let p = Project::new();
    p.wav("a.wav", 48000, &[noise(1, 0.5, 30000)])
        .wav("b.wav", 44100, &[noise(2, 0.3, 27000), noise(3, 0.3, 27000)])
        .wav("c.wav", 48000, &[sine(220.0, 0.4, 48000, 40000)])
        .mix(
            r#"
session { rate 48kHz; tail 0s }
track a "a.wav" { eq { highpass 80Hz 24dB/oct; bell 2kHz +3dB q 1.2 } ; send fx -6dB; to grp }
track b "b.wav" { pan 30%; width 150%; compressor { threshold -20dB; ratio 4; sidechain a }; send fx -12dB pre }
track c "c.wav" { start 0.1s; gain -3dB; pan -40%; fade in 10ms; fade out 50ms smooth; to grp }
bus grp { compressor { threshold -18dB; ratio 2; attack 5ms; release 50ms; detector rms } }
bus fx { eq { lowpass 3kHz 12dB/oct } }
master { eq { lowshelf 100Hz +1dB } ; gain -1dB }
export "out/mix.wav" { bits 24 }
export "out/mix-16.wav" { bits 16; rate 44.1kHz }
export "out/mix.flac" { bits 24 }
"#,
        );
    p
}

#[test]
fn jobs_and_chunk_sizes_write_identical_bytes() {
    let p = busy_project();
    let files = ["mix.wav", "mix-16.wav", "mix.flac"];
    p.run(&["render", "song.mix", "--jobs", "1", "-o", "j1"])
        .ok();
    for (dir, args) in [
        ("j2", vec!["--jobs", "2"]),
        ("c1", vec!["--jobs", "2", "--chunk", "1"]),
        ("c777", vec!["--jobs", "1", "--chunk", "777"]),
    ] {
        let mut all = vec!["render", "song.mix", "-o", dir];
        all.extend(args);
        p.run(&all).ok();
        for f in files {
            let a = std::fs::read(p.path(&format!("j1/{f}"))).expect("j1");
            let b = std::fs::read(p.path(&format!("{dir}/{f}"))).expect("other");
            assert!(a == b, "{dir}/{f} differs from the --jobs 1 render");
        }
    }
}

#[test]
fn export_formats_rates_and_lengths() {
    let p = busy_project();
    p.render().ok();
    let (spec, x) = read_wav(&p.path("out/mix.wav"));
    assert_eq!(
        (spec.sample_rate, spec.bits_per_sample, spec.channels),
        (48000, 24, 2)
    );
    // The longest source is c: 0.1 s (4800 samples) + 40000 frames; tail 0s.
    assert_eq!(x[0].len(), 44800);
    let (spec16, y) = read_wav(&p.path("out/mix-16.wav"));
    assert_eq!((spec16.sample_rate, spec16.bits_per_sample), (44100, 16));
    // Resampled on export to exactly round(44800 * 44100 / 48000) frames.
    assert_eq!(y[0].len(), 41160);
    assert!(
        std::fs::metadata(p.path("out/mix.flac"))
            .expect("flac")
            .len()
            > 1000
    );
}

#[test]
fn centred_mono_sine_lands_at_minus_3_01_db_per_channel() {
    let p = Project::new();
    p.mix("session { tail 0s }\ntrack tone sine 1kHz { level -20dBFS; length 1s }\nexport \"out/t.wav\" { bits 32float }\n");
    p.render().ok();
    let (_, x) = read_wav(&p.path("out/t.wav"));
    for ch in &x {
        // Constant-power pan: -20 dBFS - 3.0103 dB; 1 kHz at 48 kHz hits its crest exactly.
        assert!((peak_db(ch) + 23.0103).abs() < 0.001, "{}", peak_db(ch));
    }
    assert_eq!(x[0].len(), 48000);
}

#[test]
fn buses_sum_by_plain_addition() {
    let p = Project::new();
    // Two identical tones into one bus: +6.02 dB, never divided by the number of inputs.
    p.mix(
        "session { tail 0s }\ntrack a sine 1kHz { level -20dBFS; length 0.5s; to b }\ntrack c sine 1kHz { level -20dBFS; length 0.5s; to b }\nbus b\nexport \"out/t.wav\" { bits 32float }\n",
    );
    p.render().ok();
    let (_, x) = read_wav(&p.path("out/t.wav"));
    assert!(
        (peak_db(&x[0]) - (-20.0 + 6.0206 - 3.0103)).abs() < 0.001,
        "{}",
        peak_db(&x[0])
    );
}

#[test]
fn default_export_and_out_dir() {
    let p = Project::new();
    p.mix("track t sine 100Hz { level -6dBFS; length 0.25s }\n");
    p.render().ok();
    let (spec, _) = read_wav(&p.path("out/song.wav"));
    assert_eq!((spec.bits_per_sample, spec.sample_rate), (24, 48000));
    p.run(&["render", "song.mix", "-o", "elsewhere"]).ok();
    assert!(p.path("elsewhere/song.wav").exists());
}

#[test]
fn stems_are_aligned_with_the_master_and_sum_to_it() {
    let p = Project::new();
    p.wav("a.wav", 48000, &[noise(5, 0.2, 9000)])
        .wav("b.wav", 48000, &[noise(6, 0.2, 12000)])
        .mix(
            r#"
session { tail 0s }
track a "a.wav" { pan -30%; to grp }
track b "b.wav" { start 100smp; eq { bell 1kHz +4dB } }
bus grp { gain -2dB }
export "out/m.wav" { bits 32float }
export stems "out/{name}.wav" { of grp, b; bits 32float }
"#,
        );
    p.render().ok();
    let (_, m) = read_wav(&p.path("out/m.wav"));
    let (_, g) = read_wav(&p.path("out/grp.wav"));
    let (_, b) = read_wav(&p.path("out/b.wav"));
    assert_eq!(m[0].len(), g[0].len());
    assert_eq!(m[0].len(), b[0].len());
    for ch in 0..2 {
        // No master processing: the stems sum to the master to float precision (< -120 dBFS).
        let worst = (0..m[ch].len())
            .map(|i| (m[ch][i] - g[ch][i] - b[ch][i]).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-6, "residual {worst}");
    }
}

#[test]
fn tail_auto_stops_when_the_mix_is_silent() {
    let p = Project::new();
    p.mix("session { tail auto }\ntrack t sine 1kHz { level -6dBFS; length 0.5s }\nexport \"out/t.wav\" { bits 32float }\n");
    p.render().ok();
    let (_, x) = read_wav(&p.path("out/t.wav"));
    // Nothing rings after a plain sine: the file ends with the source.
    assert_eq!(x[0].len(), 24000);
    p.mix("session { tail 250ms }\ntrack t sine 1kHz { level -6dBFS; length 0.5s }\nexport \"out/t.wav\" { bits 32float }\n");
    p.render().ok();
    assert_eq!(read_wav(&p.path("out/t.wav")).1[0].len(), 36000);
}

#[test]
fn every_example_checks_and_renders() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut mixes = Vec::new();
    for entry in std::fs::read_dir(&root).expect("examples/") {
        let dir = entry.expect("entry").path();
        if dir.is_dir() {
            for f in std::fs::read_dir(&dir).expect("example dir") {
                let f = f.expect("entry").path();
                if f.extension().is_some_and(|e| e == "mix") {
                    mixes.push(f);
                }
            }
        }
    }
    assert!(!mixes.is_empty());
    let p = Project::new();
    for mix in mixes {
        let m = mix.to_str().expect("utf-8 path");
        p.run(&["check", m]).ok();
        p.run(&["render", m, "-o", "out", "--quiet"]).ok();
    }
    let (spec, x) = read_wav(&p.path("out/song.wav"));
    assert_eq!(spec.sample_rate, 48000);
    assert!(
        peak_db(&x[0]) < 0.0 && peak_db(&x[0]) > -12.0,
        "the example master peaks at {}",
        peak_db(&x[0])
    );
}

#[test]
fn two_exports_to_one_file_is_an_error() {
    let p = Project::new();
    p.mix("track t sine 1kHz { level -20dBFS; length 0.1s }\nexport \"a/x.wav\" { bits 24 }\nexport \"b/x.wav\" { bits 16 }\n");
    p.render().ok();
    let r = p.run(&["render", "song.mix", "-o", "flat"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("two exports write"), "{}", r.stderr);
}
