//! Broken audio and unwritable outputs: a diagnostic that points at the `.mix`,
//! never a panic, never a partial file, never a lost master.

use crate::support::{Project, read_wav, sine};

fn stem_project() -> Project {
    let p = Project::new();
    p.wav("stem.wav", 48000, &[sine(440.0, 0.3, 48000, 4800)])
        .mix("track s \"stem.wav\"\nexport \"out/m.wav\" { bits 24 }\n");
    p
}

fn assert_no_temp_files(p: &Project) {
    let names: Vec<String> = std::fs::read_dir(p.path("out"))
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["m.wav".to_string()], "stray files in out/");
}

#[test]
fn corrupt_stem_names_the_file_exits_1_and_keeps_the_old_master() {
    let p = stem_project();
    p.render().ok();
    let before = std::fs::read(p.path("out/m.wav")).expect("master");
    for (what, bytes) in [
        ("text", b"this is not audio at all\n".to_vec()),
        ("empty", vec![]),
    ] {
        p.file("stem.wav", &bytes);
        let r = p.render();
        assert_eq!(r.code, 1, "{what}: {}", r.stderr);
        assert!(
            r.stderr.contains("stem.wav"),
            "{what}: the message names the file:\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("song.mix:1:"),
            "{what}: the message points into the mix:\n{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(p.path("out/m.wav")).expect("master"),
            before,
            "{what}: the master was touched"
        );
        assert_no_temp_files(&p);
    }
}

#[test]
fn truncated_wav_is_an_error() {
    let p = stem_project();
    let full = std::fs::read(p.path("stem.wav")).expect("stem");
    p.file("stem.wav", &full[..full.len() / 2]);
    let r = p.render();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("stem.wav") && r.stderr.contains("truncated"),
        "{}",
        r.stderr
    );
    assert!(!p.path("out/m.wav").exists());
}

#[test]
fn missing_stem_and_unsupported_layout() {
    let p = Project::new();
    p.mix("track s \"nope.wav\"\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("cannot open nope.wav: no such file"),
        "{}",
        r.stderr
    );
    let six: Vec<Vec<f32>> = (0..6).map(|_| vec![0.1; 100]).collect();
    p.wav("six.wav", 48000, &six).mix("track s \"six.wav\"\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("has 6 channels"), "{}", r.stderr);
}

#[test]
fn unwritable_output_folder_is_an_environment_error() {
    let p = stem_project();
    // A file where the output folder should be.
    p.file("out", b"not a folder");
    let r = p.render();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write"), "{}", r.stderr);
}

#[test]
fn good_render_after_a_failed_one() {
    let p = stem_project();
    p.file("stem.wav", b"junk");
    assert_eq!(p.render().code, 1);
    p.wav("stem.wav", 48000, &[sine(440.0, 0.3, 48000, 2400)]);
    p.render().ok();
    assert_eq!(read_wav(&p.path("out/m.wav")).1[0].len(), 2400);
}

/// A report that cannot be written fails the render before any file is replaced
/// (a failed render never replaces a good master), with the error among the
/// diagnostics of `--format json`.
#[test]
fn an_unwritable_report_fails_before_any_file_is_written() {
    let p = stem_project();
    p.render().ok();
    let good = std::fs::read(p.path("out/m.wav")).expect("master");
    p.mix("track s \"stem.wav\" { gain -6dB }\nexport \"out/m.wav\"\n");
    p.file("afile", b"a file, not a folder");
    let r = p.run(&["render", "song.mix", "--report", "afile/r.json"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot write the report"), "{}", r.stderr);
    assert!(
        std::fs::read(p.path("out/m.wav")).expect("master") == good,
        "replaced"
    );
    let r = p.run(&[
        "render",
        "song.mix",
        "--report",
        "afile/r.json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    assert!(
        v["diagnostics"]
            .to_string()
            .contains("cannot write the report"),
        "{}",
        r.stdout
    );
}

/// Over full scale: an integer file clips and says how much; a float master keeps
/// it and warns that playback will clip; a limited master says nothing.
#[test]
fn clipping_is_reported() {
    let p = Project::new();
    let mix = |master: &str, bits: &str| {
        p.mix(&format!(
            "track t sine 1kHz {{ level -6dBFS; length 0.5s; gain +9dB; pan -100% }}\n\
             master {{ {master} }}\nexport \"out/m.wav\" {{ bits {bits} }}\n"
        ));
        p.render()
    };
    let r = mix("", "24");
    r.ok();
    assert!(
        r.stderr.contains("clipped") && r.stderr.contains("+3.00 dBFS"),
        "{}",
        r.stderr
    );
    let r = mix("", "32float");
    assert!(r.stderr.contains("over full scale"), "{}", r.stderr);
    let r = mix("limiter { ceiling -1dBTP }", "24");
    assert!(
        !r.stderr.contains("clip") && !r.stderr.contains("full scale"),
        "{}",
        r.stderr
    );
}

/// A value past the float range inside the graph is an error naming the strip and
/// the time, not a master that goes silently to zero (3e38 x 4 overflows).
#[test]
fn an_overflow_in_the_graph_names_the_strip() {
    let p = Project::new();
    let mut x = vec![0.1f32; 96000];
    x[70000] = 3e38;
    p.wav("huge.wav", 48000, &[x]);
    p.wav("kick.wav", 48000, &[sine(60.0, 0.5, 48000, 96000)]);
    p.mix("track a \"huge.wav\" { trim +12dB }\ntrack k \"kick.wav\"\nexport \"out/m.wav\"\n");
    let r = p.render();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("`a` overflowed at 0:01.458"),
        "{}",
        r.stderr
    );
    assert!(!p.path("out/m.wav").exists());
}

/// `check` opens impulse responses as the render does: a missing or unreadable one
/// is an error there, not only at render time.
#[test]
fn check_loads_impulse_responses() {
    let p = stem_project();
    p.file("junk.wav", b"not audio");
    for ir in ["missing.wav", "junk.wav"] {
        p.mix(&format!(
            "track s \"stem.wav\" {{ reverb \"{ir}\" {{ mix 50% }} }}\nexport \"out/m.wav\"\n"
        ));
        let r = p.run(&["check", "song.mix"]);
        assert_eq!(r.code, 1, "{ir}: {}", r.stderr);
        assert!(
            r.stderr.contains("cannot build `reverb`"),
            "{ir}: {}",
            r.stderr
        );
        assert!(r.stderr.contains(ir), "{ir}: {}", r.stderr);
    }
    p.wav("ir.wav", 48000, &[sine(440.0, 0.3, 48000, 480)]);
    p.mix("track s \"stem.wav\" { reverb \"ir.wav\" { mix 50% } }\nexport \"out/m.wav\"\n");
    p.run(&["check", "song.mix"]).ok();
}

/// `check` reads what the render reads: a session setting given twice, a stem cut
/// short and two exports on one file fail there, not minutes into a render.
#[test]
fn check_finds_what_the_render_would_refuse() {
    let p = stem_project();
    let full = std::fs::read(p.path("stem.wav")).expect("stem");
    let mix = |session: &str| {
        format!(
            "session {{ {session} }}\ntrack s \"stem.wav\"\n\
             export \"out/m.wav\" {{ bits 24 }}\nexport \"out/m.wav\" {{ bits 16 }}\n"
        )
    };
    p.file("stem.wav", &full[..full.len() / 2])
        .mix(&mix("rate 48kHz; rate 44.1kHz"));
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("`rate` is set twice"), "{}", r.stderr);
    p.mix(&mix("rate 48kHz"));
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for needle in ["stem.wav is truncated", "two exports write", "2 errors"] {
        assert!(r.stderr.contains(needle), "{needle}: {}", r.stderr);
    }
}

/// An empty song renders (an empty file is still a file) but says so.
#[test]
fn an_empty_song_warns() {
    let p = Project::new();
    p.mix("session { tail 0s }\n");
    let r = p.render();
    r.ok();
    assert!(r.stderr.contains("the song is empty"), "{}", r.stderr);
}

/// A tempo in bpm out of its range is a range error, not a wrong unit.
#[test]
fn a_zero_tempo_is_out_of_range() {
    let p = Project::new();
    p.mix("session { tempo 0bpm }\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("out-of-range") && r.stderr.contains("above 0bpm"),
        "{}",
        r.stderr
    );
}
