//! The command line itself: help, exit codes, graph output.

use crate::support::Project;

#[test]
fn help_everywhere() {
    let p = Project::new();
    for args in [
        vec!["--help"],
        vec!["render", "--help"],
        vec!["check", "--help"],
        vec!["graph", "--help"],
    ] {
        let r = p.run(&args);
        assert_eq!(r.code, 0, "{args:?}");
        assert!(r.stdout.contains("Usage"), "{args:?}: {}", r.stdout);
    }
}

#[test]
fn usage_errors_exit_2() {
    let p = Project::new();
    assert_eq!(p.run(&["render"]).code, 2);
    assert_eq!(p.run(&["frobnicate"]).code, 2);
    assert_eq!(p.run(&["render", "missing.mix"]).code, 2);
}

#[test]
fn graph_formats() {
    let p = Project::new();
    p.mix("track k sine 60Hz { level -6dBFS; length 1s; to drums }\ntrack b sine 80Hz { level -6dBFS; length 1s; compressor { sidechain k }; send verb -10dB }\nbus drums\nbus verb\n");
    let dot = p.run(&["graph", "song.mix", "--format", "dot"]);
    dot.ok();
    assert!(dot.stdout.starts_with("digraph mix {"));
    assert!(
        dot.stdout.contains("style=dashed") && dot.stdout.contains("style=dotted"),
        "{}",
        dot.stdout
    );
    let json = p.run(&["graph", "song.mix", "--format", "json"]);
    json.ok();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("valid JSON");
    assert_eq!(v["mix"]["strips"][1]["inserts"][0]["kind"], "compressor");
    assert_eq!(v["schedule"][0], serde_json::json!(["k"]));
    let yaml = p.run(&["graph", "song.mix", "--format", "yaml"]);
    yaml.ok();
    assert!(yaml.stdout.contains("schedule:"), "{}", yaml.stdout);
}

/// `--jobs` between 1 and 256: zero does nothing, and thousands of threads only thrash
/// (100000 used to hang).
#[test]
fn jobs_out_of_range_is_a_usage_error() {
    let p = Project::new();
    p.mix("track t sine 1kHz { level -20dBFS; length 1s }\nexport \"out/a.wav\"\n");
    for (jobs, says) in [("0", "at least 1"), ("100000", "at most 256")] {
        let r = p.run(&["render", "song.mix", "--jobs", jobs]);
        assert_eq!(r.code, 2, "{jobs}: {}", r.stderr);
        assert!(r.stderr.contains(says), "{jobs}: {}", r.stderr);
        assert!(!p.path("out/a.wav").exists());
    }
    p.run(&["render", "song.mix", "--jobs", "3"]).ok();
}

/// `init` leaves out a file that has an audio name but does not open as audio
/// (it would only fail the first render), and prints a command that can be pasted
/// into a shell when the folder's name has spaces.
#[test]
fn init_skips_unreadable_audio_and_quotes_the_command() {
    let p = crate::support::Project::new();
    p.wav(
        "My Song/kick.wav",
        48_000,
        &[crate::support::sine(60.0, 0.3, 48_000, 4800)],
    );
    p.file("My Song/broken.wav", b"text, not audio");
    let r = p.run(&["init", "My Song"]);
    r.ok();
    let text = std::fs::read_to_string(p.path("My Song/my_song.mix")).expect("written");
    assert!(
        text.contains("kick.wav") && !text.contains("broken"),
        "{text}"
    );
    assert!(r.stderr.contains("skipped broken.wav"), "{}", r.stderr);
    assert!(
        r.stderr.contains("`mixdown render 'My Song/my_song.mix'`"),
        "{}",
        r.stderr
    );
}
