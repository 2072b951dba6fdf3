//! Bit-identical output: the same mix (every processor kind, convolution, resampling
//! in and out, noise, dither, a loudness target) gives the same bytes on every run,
//! for any `--jobs` and chunk size, from `render` and from `watch`, whatever the time
//! or the host name. And no std transcendental function sits on the signal path.

use crate::support::{Project, noise};
use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One insert of every processor kind.
const USES: &[(&str, &str)] = &[
    ("eq", "eq { bell 2kHz +3dB q 1.0; highpass 40Hz }"),
    ("compressor", "compressor { threshold -20dB; ratio 3 }"),
    ("gate", "gate { threshold -50dB }"),
    ("expander", "expander { threshold -40dB }"),
    ("limiter", "limiter { ceiling -3dBTP }"),
    ("saturate", "saturate { drive 12dB; curve tube; mix 80% }"),
    (
        "delay",
        "delay { time 1/16; feedback 40%; mode pingpong; mix 30% }",
    ),
    ("reverb", "reverb { decay 0.3s; predelay 10ms; mix 30% }"),
    ("deesser", "deesser { freq 7kHz; threshold -30dB }"),
    ("gain", "gain { gain -3dB }"),
    ("width", "width { width 120% }"),
    ("polarity", "polarity { channels left }"),
];

/// A project whose render touches every part of the signal path.
fn project() -> Project {
    for kind in mixdown::dsp::registry::kinds() {
        assert!(USES.iter().any(|(k, _)| *k == kind), "add `{kind}` to USES");
    }
    let p = Project::new();
    let ir: Vec<f32> = noise(9, 0.5, 2400)
        .iter()
        .enumerate()
        .map(|(n, v)| v * (1.0 - n as f32 / 2400.0))
        .collect();
    p.wav("a.wav", 48000, &[noise(1, 0.3, 9600), noise(2, 0.3, 9600)])
        .wav("b.wav", 44100, &[noise(3, 0.3, 8820)])
        .wav("ir.wav", 44100, &[ir]);
    let mut text = String::from("session { rate 48kHz; tempo 120bpm; tail auto }\n");
    for (i, (_, usage)) in USES.iter().enumerate() {
        text += &format!("track t{i} \"a.wav\" {{ {usage}; to mixbus }}\n");
    }
    text += "track conv \"b.wav\" { reverb \"ir.wav\" { mix 50% }; send verb -6dB }\n";
    text += "track hiss noise pink { level -40dBFS; length 0.2s }\n";
    text += "bus mixbus { compressor { threshold -12dB; ratio 2 } }\n";
    text += "bus verb { reverb { decay 0.5s; mix 100% } }\n";
    text += "master { limiter { ceiling -1dBTP }; loudness -16LUFS }\n";
    text += "export \"out/m.wav\" { bits 24 }\n";
    text += "export \"out/m-cd.wav\" { rate 44.1kHz; bits 16; dither tpdf }\n";
    text += "export \"out/m.flac\" { bits 24; tags { title \"T\" } }\n";
    text += "export stems \"out/{name}.wav\" { of mixbus, conv; bits 16 }\n";
    p.mix(&text);
    p
}

const FILES: [&str; 5] = ["m.wav", "m-cd.wav", "m.flac", "mixbus.wav", "conv.wav"];

#[track_caller]
fn same(p: &Project, a: &str, b: &str) {
    for f in FILES {
        let x = std::fs::read(p.path(&format!("{a}/{f}"))).expect("first");
        let y = std::fs::read(p.path(&format!("{b}/{f}"))).expect("second");
        assert!(x == y, "{a}/{f} and {b}/{f} differ");
    }
}

#[test]
fn runs_jobs_chunks_time_and_host_give_the_same_bytes() {
    let p = project();
    let started = Instant::now();
    p.run(&["render", "song.mix", "-o", "a", "--jobs", "1"])
        .ok();
    for (dir, jobs, chunk) in [("b", "2", "7"), ("c", "1", "1000"), ("d", "3", "4096")] {
        p.run(&[
            "render", "song.mix", "-o", dir, "--jobs", jobs, "--chunk", chunk,
        ])
        .ok();
        same(&p, "a", dir);
    }
    // At least a second later, on a "different" host: a timestamp or host name in a
    // header would change the bytes.
    std::thread::sleep(Duration::from_millis(1100).saturating_sub(started.elapsed()));
    let host = "mixdown-determinism-host";
    let out = Command::new(env!("CARGO_BIN_EXE_mixdown"))
        .args(["render", "song.mix", "-o", "e"])
        .current_dir(p.dir.path())
        .env("HOSTNAME", host)
        .env("HOST", host)
        .env("TZ", "Pacific/Kiritimati")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same(&p, "a", "e");
    let real = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    for f in FILES {
        let bytes = std::fs::read(p.path(&format!("e/{f}"))).expect("file");
        for name in [host, real.trim()].into_iter().filter(|n| n.len() >= 6) {
            let found = bytes.windows(name.len()).any(|w| w == name.as_bytes());
            assert!(!found, "{f} contains the host name {name}");
        }
    }
}

#[test]
fn watch_writes_what_render_writes() {
    let p = project();
    p.run(&["render", "song.mix", "-o", "r"]).ok();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mixdown"))
        .args(["watch", "song.mix", "-o", "w"])
        .current_dir(p.dir.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn watch");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = Vec::new();
    let rendered = loop {
        match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(line) if line.starts_with("[watch] rendered") => break true,
            Ok(line) => seen.push(line),
            Err(_) => break false,
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(rendered, "watch never rendered:\n{}", seen.join("\n"));
    same(&p, "r", "w");
}

/// Calls that go to the platform's math library (glibc picks FMA or plain variants
/// by CPU, so results may differ between machines in the last bit).
const STD_MATH: &[&str] = &[
    ".sin(",
    ".cos(",
    ".tan(",
    ".sin_cos(",
    ".asin(",
    ".acos(",
    ".atan(",
    ".atan2(",
    ".sinh(",
    ".cosh(",
    ".tanh(",
    ".exp(",
    ".exp2(",
    ".exp_m1(",
    ".ln(",
    ".ln_1p(",
    ".log(",
    ".log2(",
    ".log10(",
    ".powf(",
    ".cbrt(",
    ".hypot(",
];

/// Report figures that never reach a file's samples (render/mod.rs): allowed.
const REPORT_ONLY: &[(&str, &str)] = &[
    (
        "render/mod.rs",
        "peak_dbfs: 20.0 * f64::from(o.peak).max(1e-30).log10(),",
    ),
    ("render/mod.rs", "ceiling_trim_db: 20.0 * o.gain.log10(),"),
];

fn scan(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("src dir").flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            scan(&path, root, out);
            continue;
        }
        let rel = path
            .strip_prefix(root)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        if !rel.ends_with(".rs") || rel.ends_with("_tests.rs") || rel.ends_with("testutil.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        // Unit tests sit at the end of a file, behind `#[cfg(test)]`.
        for (n, line) in text
            .lines()
            .take_while(|l| !l.contains("#[cfg(test)]"))
            .enumerate()
        {
            let code = line.split("//").next().unwrap_or("").trim();
            let allowed = REPORT_ONLY.iter().any(|(f, s)| rel == *f && code == *s);
            let fn_style = ["f64::", "f32::"].iter().any(|t| {
                STD_MATH
                    .iter()
                    .any(|m| code.contains(&format!("{t}{}", &m[1..])))
            });
            if !allowed && (fn_style || STD_MATH.iter().any(|m| code.contains(m))) {
                out.push(format!("src/{rel}:{}: {code}", n + 1));
            }
        }
    }
}

#[test]
fn the_signal_path_uses_libm_not_std_math() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for d in ["dsp", "render", "io", "analysis"] {
        scan(&src.join(d), &src, &mut offenders);
    }
    assert!(
        offenders.is_empty(),
        "use libm:: instead of std math on the signal path:\n{}",
        offenders.join("\n")
    );
}
