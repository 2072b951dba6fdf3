//! `render --lock`, `render --locked` and `verify`: a lock that matches passes, a
//! changed stem byte fails both and names the file.

use crate::support::{Project, noise};

fn project() -> Project {
    let p = Project::new();
    p.wav("stems/a.wav", 48000, &[noise(1, 0.3, 4800)])
        .wav("stems/b.wav", 48000, &[noise(2, 0.3, 4800)])
        .mix(
            "session { tail 0s }\ntrack a \"stems/a.wav\"\ntrack b \"stems/b.wav\" { eq { bell 1kHz +2dB } }\n\
             export \"out/m.wav\" { bits 24 }\nexport stems \"out/stems/{name}.wav\" { of a; bits 16 }\n",
        );
    p
}

#[test]
fn a_lock_is_sorted_relative_and_stable_across_renders() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    let first = std::fs::read_to_string(p.path("song.mix.lock")).expect("lock");
    for key in [
        "song.mix:",
        "stems/a.wav:",
        "stems/b.wav:",
        "out/m.wav:",
        "out/stems/a.wav:",
    ] {
        assert!(
            first.contains(&format!("  {key} ")),
            "{key} missing in\n{first}"
        );
    }
    assert!(
        !first.contains(&p.dir.path().display().to_string()),
        "absolute path in\n{first}"
    );
    let a = first.find("stems/a.wav").expect("a");
    let b = first.find("stems/b.wav").expect("b");
    assert!(a < b, "inputs are sorted");
    p.run(&["render", "song.mix", "--lock", "--jobs", "2"]).ok();
    let second = std::fs::read_to_string(p.path("song.mix.lock")).expect("lock");
    assert_eq!(first, second);
    p.run(&["render", "song.mix", "--locked"]).ok();
    let v = p.run(&["verify", "song.mix"]);
    v.ok();
    assert!(v.stderr.contains("all 2 outputs match"), "{}", v.stderr);
}

#[test]
fn a_changed_stem_byte_fails_locked_and_verify_naming_the_file() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    let before = std::fs::read(p.path("out/m.wav")).expect("master");
    let mut bytes = std::fs::read(p.path("stems/b.wav")).expect("stem");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    p.file("stems/b.wav", &bytes);

    let r = p.run(&["render", "song.mix", "--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("stems/b.wav: changed"), "{}", r.stderr);
    assert!(!r.stderr.contains("stems/a.wav"), "{}", r.stderr);
    let after = std::fs::read(p.path("out/m.wav")).expect("master");
    assert!(before == after, "--locked must not render");

    let v = p.run(&["verify", "song.mix"]);
    assert_eq!(v.code, 1, "{}", v.stderr);
    assert!(
        v.stderr.contains("input stems/b.wav: changed"),
        "{}",
        v.stderr
    );
    assert!(
        v.stderr.contains("output out/m.wav: changed"),
        "{}",
        v.stderr
    );
    // The stem of the untouched track still matches.
    assert!(!v.stderr.contains("out/stems/a.wav"), "{}", v.stderr);
    // verify writes nothing beside the mix.
    assert!(before == std::fs::read(p.path("out/m.wav")).expect("master"));
}

#[test]
fn missing_and_new_inputs_are_named() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    p.wav("stems/c.wav", 48000, &[noise(3, 0.3, 4800)]);
    let text = std::fs::read_to_string(p.path("song.mix")).expect("mix");
    p.mix(&text.replace("stems/b.wav", "stems/c.wav"));
    let r = p.run(&["render", "song.mix", "--locked"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("song.mix: changed"), "{}", r.stderr);
    assert!(r.stderr.contains("stems/c.wav: new"), "{}", r.stderr);
    std::fs::remove_file(p.path("stems/a.wav")).expect("rm");
    let r = p.run(&["render", "song.mix", "--locked"]);
    assert!(r.stderr.contains("stems/a.wav: missing"), "{}", r.stderr);
}

#[test]
fn verify_without_a_lock_is_a_usage_error() {
    let p = project();
    let r = p.run(&["verify", "song.mix"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("render --lock"), "{}", r.stderr);
}

#[test]
fn an_impulse_response_is_locked_like_a_stem() {
    let p = Project::new();
    p.wav("stems/a.wav", 48000, &[noise(1, 0.3, 4800)])
        .wav("irs/room.wav", 48000, &[noise(4, 0.1, 2400)])
        .mix(
            "session { tail 0s }\ntrack a \"stems/a.wav\" { reverb \"irs/room.wav\" }\n\
             export \"out/m.wav\" { bits 24 }\n",
        );
    p.run(&["render", "song.mix", "--lock"]).ok();
    let lock = std::fs::read_to_string(p.path("song.mix.lock")).expect("lock");
    assert!(lock.contains("  irs/room.wav: "), "{lock}");
    p.run(&["render", "song.mix", "--locked"]).ok();
    p.wav("irs/room.wav", 48000, &[noise(5, 0.1, 2400)]);
    let r = p.run(&["render", "song.mix", "--locked"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("irs/room.wav: changed"), "{}", r.stderr);
}

/// The annotations `verify --format github` printed, one per line.
fn annotations(p: &Project) -> Vec<String> {
    let v = p.run(&["verify", "song.mix", "--format", "github"]);
    assert_eq!(v.code, 1, "{}{}", v.stdout, v.stderr);
    v.stdout.lines().map(str::to_string).collect()
}

fn find<'a>(lines: &'a [String], needle: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no {needle:?} in\n{}", lines.join("\n")))
}

/// After an edit of the mix, the outputs differ because the mix did: the hint says
/// so and names it, and the reproducibility notes are not blamed. The mix gets an
/// annotation of its own; the output one lands on the export that writes it.
#[test]
fn an_edited_mix_is_the_cause_verify_names() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    let text = std::fs::read_to_string(p.path("song.mix")).expect("mix");
    p.mix(&text.replace("+2dB", "+3dB"));
    let lines = annotations(&p);
    let all = lines.join("\n");
    assert!(!all.contains("reproducibility"), "{all}");
    let input = find(&lines, "::input song.mix: changed");
    assert!(
        input.starts_with("::error file=song.mix,title=verify::"),
        "{input}"
    );
    let output = find(&lines, "::output out/m.wav: changed");
    assert!(
        output.starts_with("::error file=song.mix,line=4,col=1,"),
        "{output}"
    );
    assert!(
        output.contains("because inputs changed since the lock (song.mix)"),
        "{output}"
    );
    // The stem of the untouched track still matches.
    assert!(!all.contains("out/stems/a.wav"), "{all}");
}

/// A changed stem is annotated on the line of the track that plays it.
#[test]
fn a_changed_stem_is_annotated_on_its_track() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    p.wav("stems/b.wav", 48000, &[noise(9, 0.3, 4800)]);
    let lines = annotations(&p);
    let input = find(&lines, "::input stems/b.wav: changed");
    assert!(
        input.starts_with("::error file=song.mix,line=3,col=9,"),
        "{input}"
    );
    let output = find(&lines, "::output out/m.wav: changed");
    assert!(output.contains("(stems/b.wav)"), "{output}");
}

/// Only when every input matches the lock are different bytes a reproducibility
/// failure, which no line of the mix caused.
#[test]
fn different_bytes_from_the_same_inputs_point_at_the_reproducibility_notes() {
    let p = project();
    p.run(&["render", "song.mix", "--lock"]).ok();
    let lock = std::fs::read_to_string(p.path("song.mix.lock")).expect("lock");
    let line = lock
        .lines()
        .find(|l| l.trim_start().starts_with("out/m.wav:"))
        .expect("output line");
    p.file(
        "song.mix.lock",
        lock.replace(line, "  out/m.wav: not-the-hash").as_bytes(),
    );
    let lines = annotations(&p);
    assert_eq!(lines.len(), 1, "{}", lines.join("\n"));
    assert!(
        lines[0].starts_with("::error title=verify::output out/m.wav: changed"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("reproducibility notes"), "{}", lines[0]);
}
