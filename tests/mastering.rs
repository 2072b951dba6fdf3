//! Mastering and delivery: `loudness` targets met on the files as written (WAV 24,
//! WAV 16 at 44.1 kHz with dither, FLAC), the true-peak ceiling held after SRC and
//! quantisation, unreachable targets and heavy limiting reported, `--report`,
//! `analyze`, and bit-identical loudness renders for any `--jobs` and `--chunk`.

use crate::support::{Project, noise, read_wav, sine};
use serde_json::Value;

const FS: u32 = 48000;
/// Material length: 6 s, enough for a stable integrated reading (15 gating blocks
/// per 1.5 s).
const LEN: usize = 6 * FS as usize;

/// Dense, steady material: white noise, independent per channel.
fn dense() -> [Vec<f32>; 2] {
    [noise(11, 0.3, LEN), noise(12, 0.3, LEN)]
}

/// Sparse drums with a high crest factor: a decaying 60 Hz thump and a short noise
/// click every 0.5 s, silence between.
fn drums() -> [Vec<f32>; 2] {
    let click = noise(13, 0.6, LEN);
    let x: Vec<f32> = (0..LEN)
        .map(|i| {
            let t = (i % (FS as usize / 2)) as f64 / f64::from(FS);
            let thump = 0.8 * (-t / 0.05).exp() * (std::f64::consts::TAU * 60.0 * t).sin();
            let snap = f64::from(click[i]) * (-t / 0.004).exp();
            (thump + snap) as f32
        })
        .collect();
    [x.clone(), x]
}

/// A quiet voice-like signal: a 140 Hz buzz with harmonics, in 4 Hz syllables with
/// pauses, peaking near −20 dBFS (about −33 LUFS).
fn voice() -> [Vec<f32>; 2] {
    let buzz: Vec<f32> = [1.0, 0.5, 0.33, 0.25, 0.2]
        .iter()
        .enumerate()
        .map(|(k, a)| sine(140.0 * (k + 1) as f64, 0.04 * a, FS, LEN))
        .fold(vec![0.0; LEN], |acc, h| {
            acc.iter().zip(h).map(|(a, b)| a + b).collect()
        });
    let x: Vec<f32> = buzz
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let t = i as f64 / f64::from(FS);
            // Syllables at 4 Hz, and a pause in every third second.
            let env = (std::f64::consts::PI * 4.0 * t).sin().abs();
            let pause = if (t as usize) % 3 == 2 { 0.0 } else { 1.0 };
            (f64::from(*v) * env * pause) as f32
        })
        .collect();
    [x.clone(), x]
}

const EXPORTS: &str = r#"
export "out/m24.wav" { bits 24 }
export "out/m16.wav" { rate 44.1kHz; bits 16; dither tpdf }
export "out/m.flac" { bits 24 }
"#;
const FILES: [&str; 3] = ["out/m24.wav", "out/m16.wav", "out/m.flac"];

fn project(material: &[Vec<f32>; 2], master: &str) -> Project {
    let p = Project::new();
    p.wav("m.wav", FS, material).mix(&format!(
        "session {{ tail 0s }}\ntrack m \"m.wav\"\nmaster {{\n{master}\n}}\n{EXPORTS}"
    ));
    p
}

fn analyze(p: &Project, files: &[&str]) -> Vec<Value> {
    let mut args = vec!["analyze", "--format", "json"];
    args.extend(files);
    let run = p.run(&args);
    run.ok();
    serde_json::from_str(&run.stdout).expect("analyze json")
}

/// Each target on `material`: every file as written within 0.1 LU of the target
/// (the contract of LANGUAGE.md) and at or under the −1 dBTP ceiling.
fn lands_on_targets(material: [Vec<f32>; 2], targets: &[f64]) {
    for &target in targets {
        let p = project(
            &material,
            &format!("limiter {{ ceiling -1dBTP; release 50ms }}\nloudness {target}LUFS"),
        );
        p.run(&["render", "song.mix", "--report", "r.json"]).ok();
        for v in analyze(&p, &FILES) {
            let i = v["integrated_lufs"].as_f64().expect("loudness");
            let tp = v["true_peak_dbtp"].as_f64().expect("true peak");
            assert!((i - target).abs() <= 0.1, "{}: {i} for {target}", v["path"]);
            assert!(tp <= -1.0, "{}: true peak {tp} over -1 dBTP", v["path"]);
        }
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(p.path("r.json")).expect("report"))
                .expect("json");
        assert!(report["loudness"]["drive_db"].is_number());
    }
}

#[test]
fn dense_noise_lands_on_targets() {
    lands_on_targets(dense(), &[-23.0, -14.0, -9.0]);
}

#[test]
fn sparse_drums_land_on_targets() {
    // With a 50 ms release the limiter caps these drums near −9.8 LUFS (the error
    // test below shows it), so the loudest target here is −12.
    lands_on_targets(drums(), &[-23.0, -16.0, -12.0]);
}

#[test]
fn quiet_voice_lands_on_targets() {
    lands_on_targets(voice(), &[-23.0, -16.0, -11.0]);
}

#[test]
fn unreachable_target_is_an_error_that_says_why() {
    let p = project(&drums(), "limiter { ceiling -1dBTP }\nloudness -9LUFS");
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("caps the master at") && run.stderr.contains("24 dB of drive"),
        "{}",
        run.stderr
    );
    assert!(!p.path("out/m24.wav").exists(), "no file on an error");
}

#[test]
fn a_fader_after_the_limiter_is_named_when_the_target_is_missed() {
    // `gain` in `master { }` is the fader, after the inserts: 10 dB over the limiter.
    let p = project(
        &dense(),
        "limiter { ceiling -1dBTP }\ngain +10dB\nloudness -3LUFS",
    );
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("as written, not within"),
        "{}",
        run.stderr
    );
    // (miette wraps the hint, so its words are checked in pieces.)
    assert!(
        run.stderr.contains("to hold the -1 dBTP ceiling") && run.stderr.contains("after the last"),
        "{}",
        run.stderr
    );
}

#[test]
fn heavy_limiting_is_met_with_a_warning() {
    let p = project(&drums(), "limiter { ceiling -1dBTP }\nloudness -11LUFS");
    let run = p.render();
    run.ok();
    assert!(
        run.stderr.contains("dB of limiting (more than 6 dB)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_silent_master_has_no_loudness_to_raise() {
    let z = vec![0.0f32; FS as usize];
    let p = project(&[z.clone(), z], "loudness -14LUFS");
    let run = p.render();
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the master is silent"),
        "{}",
        run.stderr
    );
}

#[test]
fn loudness_renders_are_bit_identical_for_any_jobs_and_chunk() {
    let short: [Vec<f32>; 2] = drums().map(|c| c[..FS as usize * 3 / 2].to_vec());
    let p = project(
        &short,
        "eq { lowshelf 100Hz +2dB }\nlimiter { ceiling -1dBTP }\nloudness -12LUFS",
    );
    p.run(&["render", "song.mix", "--jobs", "1", "-o", "a"])
        .ok();
    for (dir, args) in [
        ("b", ["--jobs", "2", "--chunk", "3"]),
        ("c", ["--jobs", "1", "--chunk", "777"]),
    ] {
        let mut all = vec!["render", "song.mix", "-o", dir];
        all.extend(args);
        p.run(&all).ok();
        for f in ["m24.wav", "m16.wav", "m.flac"] {
            let a = std::fs::read(p.path(&format!("a/{f}"))).expect("a");
            let b = std::fs::read(p.path(&format!("{dir}/{f}"))).expect("b");
            assert!(a == b, "{dir}/{f} differs");
        }
    }
}

#[test]
fn stems_stay_aligned_with_a_solved_master() {
    // One click at 0.5 s: the master (through a limiter with lookahead, run apart
    // from the graph) and the stem must put it on the same sample.
    let mut x = vec![0.0f32; FS as usize];
    x[24000] = 0.5;
    let p = Project::new();
    p.wav("m.wav", FS, &[x.clone(), x]).mix(
        "session { tail 0s }\ntrack m \"m.wav\"\nmaster {\nlimiter { ceiling -1dBTP; lookahead 5ms }\nloudness -45LUFS\n}\nexport \"out/m.wav\" { bits 32float }\nexport stems \"out/{name}-stem.wav\" { of m; bits 32float }\n",
    );
    p.render().ok();
    let (_, m) = read_wav(&p.path("out/m.wav"));
    let (_, s) = read_wav(&p.path("out/m-stem.wav"));
    let argmax = |c: &[f64]| {
        (0..c.len())
            .max_by(|&a, &b| c[a].abs().total_cmp(&c[b].abs()))
            .expect("samples")
    };
    assert_eq!(m[0].len(), s[0].len());
    assert_eq!(argmax(&m[0]), 24000);
    assert_eq!(argmax(&s[0]), 24000);
}

#[test]
fn report_lists_every_export_in_json_and_yaml() {
    let p = project(&dense(), "limiter { ceiling -1dBTP }\nloudness -16LUFS");
    p.run(&["render", "song.mix", "--report", "r.json"]).ok();
    p.run(&["render", "song.mix", "--report", "r.yaml"]).ok();
    let r: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("r.json")).expect("r")).expect("json");
    let exports = r["exports"].as_array().expect("exports");
    assert_eq!(exports.len(), 3);
    for e in exports {
        for key in [
            "path",
            "format",
            "duration_s",
            "integrated_lufs",
            "lra_lu",
            "true_peak_dbtp",
            "sample_peak_dbfs",
            "drive_db",
            "max_gain_reduction_db",
            "blake3",
        ] {
            assert!(!e[key].is_null(), "{key} missing: {e}");
        }
        let bytes = std::fs::read(e["path"].as_str().expect("path")).expect("file");
        assert_eq!(e["blake3"], blake3::hash(&bytes).to_hex().to_string());
    }
    assert_eq!(exports[1]["format"]["rate"], 44100);
    let yaml = std::fs::read_to_string(p.path("r.yaml")).expect("yaml");
    assert!(
        yaml.contains("drive_db:") && yaml.contains("blake3:"),
        "{yaml}"
    );
}

#[test]
fn ceiling_holds_after_sample_rate_conversion_without_loudness() {
    // A hot limited master converted to 44.1 kHz: SRC can overshoot the limiter's
    // ceiling; the file as written must not.
    let loud: [Vec<f32>; 2] = dense().map(|c| c.iter().map(|v| v * 3.0).collect());
    let p = project(&loud, "limiter { ceiling -1dBTP }");
    let run = p.render();
    run.ok();
    let v = &analyze(&p, &["out/m16.wav"])[0];
    assert!(v["true_peak_dbtp"].as_f64().expect("tp") <= -1.0);
    // Streamed at the session rate without `loudness`, a file cannot be written again:
    // where the limiter's 4x detector lets white noise just past the BS.1770 meter,
    // the render says so.
    for v in analyze(&p, &["out/m24.wav", "out/m.flac"]) {
        let tp = v["true_peak_dbtp"].as_f64().expect("true peak");
        assert!(
            tp <= -1.0 || run.stderr.contains("over the limiter's -1 dBTP ceiling"),
            "{}: {tp} without a warning:\n{}",
            v["path"],
            run.stderr
        );
    }
}

#[test]
fn analyze_states_its_mono_policy() {
    let p = Project::new();
    p.wav(
        "mono.wav",
        FS,
        &[sine(1000.0, 10f64.powf(-23.0 / 20.0), FS, FS as usize * 2)],
    );
    let once = p.run(&["analyze", "mono.wav"]);
    once.ok();
    assert!(once.stdout.contains("mono counted once"), "{}", once.stdout);
    let v: Vec<Value> = serde_json::from_str(
        &p.run(&["analyze", "--format", "json", "mono.wav"])
            .ok()
            .stdout,
    )
    .expect("json");
    let i = v[0]["integrated_lufs"].as_f64().expect("i");
    assert!((i + 26.0).abs() < 0.1, "{i}");
    let twice = p.run(&["analyze", "--dual-mono", "--format", "json", "mono.wav"]);
    let v: Vec<Value> = serde_json::from_str(&twice.ok().stdout).expect("json");
    let i = v[0]["integrated_lufs"].as_f64().expect("i");
    assert!((i + 23.0).abs() < 0.1, "{i}");
    assert_eq!(p.run(&["analyze", "missing.wav"]).code, 1);
}

/// LANGUAGE.md, std.master: `cd` is -9 LUFS / -0.3 dBTP "with 16-bit TPDF dither on
/// export". Master exports that give no `bits` (and the default export) are 16-bit;
/// an export's own `bits` wins, and stems keep 24. A `bits` the master cannot take
/// is an error at its value.
#[test]
fn the_cd_master_exports_16_bit_unless_told_otherwise() {
    let p = Project::new();
    p.wav("n.wav", FS, &[sine(997.0, 0.1, FS, LEN)]);
    let mix = |exports: &str| {
        p.mix(&format!(
            "use std.master\ntrack n \"n.wav\"\nmaster {{ master.cd() }}\n{exports}"
        ))
    };
    mix("");
    p.render().ok();
    assert_eq!(read_wav(&p.path("out/song.wav")).0.bits_per_sample, 16);
    mix(
        "export \"out/a.wav\" { }\nexport \"out/b.wav\" { bits 24 }\n\
         export stems \"out/s/{name}.wav\" { of n }",
    );
    p.render().ok();
    let bits = |f: &str| read_wav(&p.path(f)).0.bits_per_sample;
    assert_eq!(
        [bits("out/a.wav"), bits("out/b.wav"), bits("out/s/n.wav")],
        [16, 24, 24]
    );
    p.mix("track n \"n.wav\"\nmaster { bits 20 }\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("`bits` is 16, 24 or 32float"),
        "{}",
        r.stderr
    );
}

/// LANGUAGE.md, session: `tail auto` renders "until tails decay below -96 dBFS". With
/// `loudness` the drive comes after the tail is judged; the file's own tail must
/// still end below -96 dBFS. A -34 dBFS tone with a 60% feedback delay, driven about
/// +17 dB to -20 LUFS: the file's last 100 ms peak under -96 dBFS (with a little
/// room: the last block kept is the last one over the line).
#[test]
fn an_automatic_tail_ends_below_the_line_after_the_drive() {
    let p = Project::new();
    p.mix(
        "session { tail auto }\n\
         track t sine 1kHz { level -34dBFS; length 1s; delay { time 100ms; feedback 60%; mix 50% } }\n\
         master { limiter { ceiling -1dBTP }; loudness -20LUFS }\n\
         export \"out/t.wav\" { bits 32float }\n",
    );
    p.render().ok();
    let x = read_wav(&p.path("out/t.wav")).1;
    assert!(
        x[0].len() > 48000 * 3 / 2,
        "the delay's tail is kept: {}",
        x[0].len()
    );
    let end = x[0].len() - 4800;
    let last = x
        .iter()
        .flat_map(|c| &c[end..])
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let db = 20.0 * last.log10();
    assert!(db < -90.0, "the file ends at {db:.1} dBFS");
}
