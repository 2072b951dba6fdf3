//! `mixdown init` on a folder of stems and `mixdown diff` on edited pairs.

use crate::support::{Project, sine};

#[test]
fn init_writes_a_mix_that_checks_and_renders_and_never_overwrites() {
    let p = Project::new();
    let tone = [sine(110.0, 0.3, 48_000, 24_000)];
    for f in [
        "stems/01 Kick.wav",
        "stems/Snare Top.wav",
        "stems/Lead Vox.wav",
        "stems/bass.WAV",
    ] {
        p.wav(f, 48_000, &tone);
    }
    p.file("stems/notes.txt", b"not audio");
    p.run(&["init", "stems"]).ok();
    let text = std::fs::read_to_string(p.path("stems/stems.mix")).expect("written");
    for needle in [
        "use std.master",
        "track t01_kick \"01 Kick.wav\" { to drums }",
        "track snare_top \"Snare Top.wav\" { to drums }",
        "track lead_vox \"Lead Vox.wav\"\n",
        "track bass \"bass.WAV\"\n",
        "bus drums",
        "master { master.streaming() }",
        "export \"out/stems.wav\"",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }
    assert!(!text.contains("notes"));
    p.run(&["check", "stems/stems.mix"]).ok();
    p.run(&["render", "stems/stems.mix"]).ok();
    assert!(p.path("stems/out/stems.wav").exists());
    p.run(&["fmt", "--check", "stems/stems.mix"]).ok();
    // A second run must not touch the file.
    let r = p.run(&["init", "stems"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(p.path("stems/stems.mix")).expect("read"),
        text
    );
}

#[test]
fn init_without_audio_is_an_error() {
    let p = Project::new();
    p.file("empty/readme.txt", b"x");
    let r = p.run(&["init", "empty"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no audio files"), "{}", r.stderr);
    assert!(!p.path("empty/empty.mix").exists());
}

const BEFORE: &str = r#"
track vox sine 1kHz { length 1s; eq { bell 3kHz +2dB }; send plate -12dB }
track bass sine 100Hz { length 1s; gain -3dB }
bus plate
bus drums { compressor { threshold -18dB } }
master { limiter { ceiling -1dBTP }; loudness -14LUFS }
"#;

const AFTER: &str = r#"
track vox sine 1kHz { length 1s; eq { bell 3kHz +3dB } }
track bass sine 100Hz { length 1s; gain -3dB; to drums }
track shaker noise white { length 1s }
bus plate
bus drums { compressor { threshold -20dB; ratio 3 } }
master { limiter { ceiling -1dBTP }; loudness -16LUFS }
"#;

#[test]
fn diff_speaks_in_mix_words() {
    let p = Project::new();
    p.file("a.mix", BEFORE.as_bytes())
        .file("b.mix", AFTER.as_bytes());
    let r = p.run(&["diff", "a.mix", "b.mix"]);
    r.ok();
    for line in [
        "vox: eq bell 3kHz gain +2dB -> +3dB",
        "removed send vox -> plate",
        "bass now routed to drums",
        "added track shaker",
        "drums: compressor threshold -18dB -> -20dB",
        "drums: compressor ratio 4 -> 3",
        "master: loudness -14LUFS -> -16LUFS",
    ] {
        assert!(
            r.stdout.lines().any(|l| l == line),
            "missing {line:?}:\n{}",
            r.stdout
        );
    }
    let back = p.run(&["diff", "b.mix", "a.mix"]);
    assert!(
        back.stdout.contains("removed track shaker"),
        "{}",
        back.stdout
    );
    assert!(
        back.stdout.contains("added send vox -> plate -12dB"),
        "{}",
        back.stdout
    );
    assert!(
        back.stdout.contains("bass now routed to master"),
        "{}",
        back.stdout
    );
}

#[test]
fn reformatting_is_no_change_and_exit_code_is_opt_in() {
    let p = Project::new();
    p.file("a.mix", BEFORE.as_bytes())
        .file("b.mix", BEFORE.as_bytes());
    p.run(&["fmt", "b.mix"]).ok();
    let r = p.run(&["diff", "--exit-code", "a.mix", "b.mix"]);
    r.ok();
    assert_eq!(r.stdout.trim(), "no changes to the mix");
    p.file("c.mix", AFTER.as_bytes());
    assert_eq!(p.run(&["diff", "--exit-code", "a.mix", "c.mix"]).code, 1);
    assert_eq!(p.run(&["diff", "a.mix", "c.mix"]).code, 0);
}

/// git difftool hands over the old version as a temp copy elsewhere: the same mix
/// in another folder is no change (default export and file paths compare relative).
#[test]
fn same_mix_in_another_folder_is_no_change() {
    let p = Project::new();
    let text = b"track vox \"stems/vox.wav\" { gain -3dB }\n";
    p.file("a/song.mix", text).file("b/song.mix", text);
    let r = p.run(&["diff", "a/song.mix", "b/song.mix"]);
    r.ok();
    assert_eq!(r.stdout.trim(), "no changes to the mix");
}

/// The tester's case: a file track whose line only lost a space is no change, and is
/// not called a generator. The path's span moves; what the track plays does not.
#[test]
fn whitespace_before_a_file_path_is_no_change() {
    let p = Project::new();
    p.file("s1.mix", b"track  a \"stems/kick.wav\"\n")
        .file("s2.mix", b"track a \"stems/kick.wav\"\n");
    let r = p.run(&["diff", "--exit-code", "s1.mix", "s2.mix"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.stdout.trim(), "no changes to the mix");
}

/// A real edit shifts every span after it: only the edit is listed, and moved
/// assertions are the same assertions.
#[test]
fn an_edit_lists_only_itself() {
    let p = Project::new();
    let tail = "track b \"stems/b.wav\"\ntrack c \"stems/c.wav\"\nassert master peak <= -1dBFS\n";
    p.file(
        "a.mix",
        format!("track a \"stems/a.wav\" {{ gain -3dB }}\n{tail}").as_bytes(),
    )
    .file(
        "b.mix",
        format!("track a \"stems/a.wav\" {{ gain -12dB; pan 0% }}\n{tail}").as_bytes(),
    );
    let r = p.run(&["diff", "a.mix", "b.mix"]);
    r.ok();
    assert_eq!(r.stdout.trim(), "a: gain -3dB -> -12dB");
}

#[test]
fn generator_changes_say_what_changed() {
    let p = Project::new();
    p.file(
        "a.mix",
        b"track t sine 1kHz { length 2s }\ntrack n noise white { length 1s; level -30dBFS }\n\
          track g silence { length 1s }\ntrack f \"stems/f.wav\"\n",
    )
    .file(
        "b.mix",
        b"track t sine 2kHz { length 3s }\ntrack n noise pink { length 1s; level -24dBFS }\n\
          track g silence { length 1500ms }\ntrack f sine 50Hz { length 1s }\n",
    );
    let r = p.run(&["diff", "a.mix", "b.mix"]);
    r.ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "t: sine 1kHz -> 2kHz",
            "t: length 2s -> 3s",
            "n: noise white -> pink",
            "n: level -30dBFS -> -24dBFS",
            "g: length 1s -> 1.5s",
            "f: plays sine 50Hz (was \"stems/f.wav\")",
        ],
        "{}",
        r.stdout
    );
}

/// A length is compared in seconds: the same 2 s at another session rate is the
/// same length (the rate is listed, the track is not).
#[test]
fn a_new_rate_alone_does_not_change_a_generator_length() {
    let p = Project::new();
    p.file(
        "a.mix",
        b"session { rate 48kHz }\ntrack t sine 1kHz { length 2s }\n",
    )
    .file(
        "b.mix",
        b"session { rate 44.1kHz }\ntrack t sine 1kHz { length 2s }\n",
    );
    let r = p.run(&["diff", "a.mix", "b.mix"]);
    r.ok();
    assert!(
        r.stdout
            .lines()
            .any(|l| l == "session rate 48kHz -> 44.1kHz"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("t:"), "{}", r.stdout);
}
