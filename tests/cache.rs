//! The render cache (`--cache DIR`, and what `watch` keeps): an edit re-runs only the
//! strips it reaches, and what a cached render writes is byte-for-byte what a render
//! from scratch writes.

use crate::support::{Project, noise, sine};

fn mix(kick_eq: &str, verb_decay: &str, tail: &str) -> String {
    format!(
        r#"session "cached" {{ rate 48kHz; tail {tail} }}
bus drums {{ compressor {{ threshold -20dB; ratio 3 }} }}
bus room {{ reverb {{ decay {verb_decay}; mix 100% }} }}
track kick "kick.wav" {{ eq {{ bell 60Hz {kick_eq} q 1.0 }}; to drums }}
track hats "hats.wav" {{ eq {{ highpass 300Hz }}; pan 30%; to drums; send room -12dB }}
track pad "pad.wav" {{ gain -6dB; send room -6dB }}
master {{ compressor {{ threshold -12dB; ratio 2 }}; limiter {{ ceiling -1dBTP }}; loudness -16LUFS }}
export "out/song.wav" {{ bits 24 }}
export stems "out/{{name}}.wav" {{ of kick, pad; bits 24 }}
"#
    )
}

fn project() -> Project {
    let p = Project::new();
    let n = 48_000 * 3;
    p.wav("kick.wav", 48_000, &[sine(60.0, 0.5, 48_000, n)]);
    p.wav("hats.wav", 44_100, &[noise(3, 0.2, 44_100 * 3)]);
    p.wav(
        "pad.wav",
        48_000,
        &[sine(220.0, 0.2, 48_000, n), sine(330.0, 0.2, 48_000, n)],
    );
    p
}

const FILES: [&str; 3] = ["song.wav", "kick.wav", "pad.wav"];

/// Renders into `dir` (with the cache folder when given) and returns stderr.
fn render(p: &Project, dir: &str, cache: Option<&str>) -> String {
    let mut args = vec!["render", "song.mix", "-o", dir, "--jobs", "2"];
    if let Some(c) = cache {
        args.extend(["--cache", c]);
    }
    p.run(&args).ok().stderr.clone()
}

#[track_caller]
fn same_files(p: &Project, a: &str, b: &str) {
    for f in FILES {
        let x = std::fs::read(p.path(&format!("{a}/{f}"))).expect("read");
        let y = std::fs::read(p.path(&format!("{b}/{f}"))).expect("read");
        assert!(x == y, "{a}/{f} and {b}/{f} differ");
    }
}

#[test]
fn an_edit_re_runs_only_what_it_reaches_and_writes_the_same_bytes() {
    let p = project();
    p.mix(&mix("+3dB", "0.5s", "1s"));
    let cold = render(&p, "cold", Some("cache"));
    assert!(cold.contains("decoded kick, hats, pad"), "{cold}");
    same_files(&p, "cold", "cold");
    // A second process reads everything back from the folder: nothing runs.
    let warm = render(&p, "warm", Some("cache"));
    assert!(warm.contains("no strip re-rendered"), "{warm}");
    same_files(&p, "cold", "warm");

    p.mix(&mix("+5dB", "0.5s", "1s"));
    let edit = render(&p, "edit", Some("cache"));
    assert!(
        edit.contains("re-rendered kick, drums, master;"),
        "only the kick, its bus and the master run: {edit}"
    );
    assert!(!edit.contains("decoded"), "{edit}");
    render(&p, "fresh", None);
    same_files(&p, "edit", "fresh");
}

#[test]
fn a_tail_that_grows_past_the_cached_one_re_renders_correctly() {
    let p = project();
    p.mix(&mix("+3dB", "0.3s", "auto"));
    render(&p, "short", Some("cache"));
    // A longer reverb makes `tail auto` run past what the cache holds for the other strips.
    p.mix(&mix("+3dB", "2s", "auto"));
    render(&p, "long", Some("cache"));
    render(&p, "fresh", None);
    same_files(&p, "long", "fresh");
    let (_, short) = crate::support::read_wav(&p.path("short/song.wav"));
    let (_, long) = crate::support::read_wav(&p.path("long/song.wav"));
    assert!(long[0].len() > short[0].len(), "the tail grew");
}

#[test]
fn a_budget_too_small_for_anything_still_renders_right() {
    let p = project();
    p.mix(&mix("+3dB", "0.5s", "1s"));
    p.run(&[
        "render",
        "song.mix",
        "-o",
        "a",
        "--cache",
        "c",
        "--cache-mb",
        "0",
    ])
    .ok();
    let again = p
        .run(&[
            "render",
            "song.mix",
            "-o",
            "b",
            "--cache",
            "c",
            "--cache-mb",
            "0",
        ])
        .ok()
        .stderr
        .clone();
    assert!(again.contains("decoded kick, hats, pad"), "{again}");
    render(&p, "fresh", None);
    same_files(&p, "b", "fresh");
}
