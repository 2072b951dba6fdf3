//! What a user sees for mistakes: every error at once, with file:line:col and labels.

use crate::support::Project;

fn check(mix: &str) -> crate::support::Run {
    let p = Project::new();
    p.mix(mix);
    p.run(&["check", "song.mix"])
}

#[test]
fn three_independent_mistakes_are_all_reported_with_their_lines() {
    let r = check(
        "track a sine 1kHz { level -20dBFS; length 1s }\n\
         track b sine 1kHz { level -20dBFS; length 1s; gian -3dB }\n\
         track c sine 1kHz { level -20dBFS; length 1s; eq { bell 2kHz +3dB q 0 } }\n\
         track d sine 1kHz { level -20dBFS; length 1s; compressor { threshold 120Hz } }\n",
    );
    assert_eq!(r.code, 1);
    for needle in ["song.mix:2:", "song.mix:3:", "song.mix:4:", "3 errors"] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("did you mean `gain`?"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`threshold` expects a level in dB, found 120Hz"),
        "{}",
        r.stderr
    );
}

#[test]
fn routing_loop_names_every_strip() {
    let r = check(
        "track t sine 1kHz { level -20dBFS; length 1s; to a }\nbus a { to b }\nbus b { to c }\nbus c { send a -6dB }\n",
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("routing loop: a -> b -> c -> a"),
        "{}",
        r.stderr
    );
    for label in ["a feeds b", "b feeds c", "c sends to a"] {
        assert!(
            r.stderr.contains(label),
            "missing label {label:?}:\n{}",
            r.stderr
        );
    }
}

/// A strip that names itself in `to` or `send` is a loop of one (it used to pass
/// `check` and panic in the scheduler).
#[test]
fn a_bus_feeding_itself_is_a_routing_loop() {
    for (bus, label) in [
        ("bus m { to m }", "m feeds m"),
        ("bus m { send m -3dB }", "m sends to m"),
    ] {
        let p = Project::new();
        p.mix(&format!(
            "track t sine 1kHz {{ level -20dBFS; length 1s; to m }}\n{bus}\nexport \"out/a.wav\"\n"
        ));
        for cmd in ["check", "render"] {
            let r = p.run(&[cmd, "song.mix"]);
            assert_eq!(r.code, 1, "{cmd}: {}", r.stderr);
            assert!(r.stderr.contains("routing loop: m -> m"), "{}", r.stderr);
            assert!(r.stderr.contains(label), "{}", r.stderr);
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
        }
    }
}

/// miette cannot draw a label past column 65535; such a diagnostic is told plainly,
/// with its line and column, instead of panicking.
#[test]
fn an_error_far_along_one_line_is_reported_plainly() {
    let pad = " ".repeat(70_000);
    let r = check(&format!(
        "track t sine 1kHz {{ level -20dBFS; length 1s;{pad} gain 5Hz }}\n"
    ));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    assert!(r.stderr.contains("song.mix:1:700"), "{}", r.stderr);
    assert!(r.stderr.contains("expects a level in dB"), "{}", r.stderr);
}

#[test]
fn unknown_bus_suggests_the_closest() {
    let r = check("track t sine 1kHz { level -20dBFS; length 1s; to drumz }\nbus drums\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no bus named `drumz`") && r.stderr.contains("did you mean `drums`?"),
        "{}",
        r.stderr
    );
}

#[test]
fn syntax_errors_speak_the_users_words() {
    let r = check("track t sine 1kHz { level -20dBFS; length 1s; gain -3dbb }\n");
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("unknown unit"), "{}", r.stderr);
    assert!(r.stderr.contains("song.mix:1:"), "{}", r.stderr);
}

#[test]
fn range_checks() {
    for (mix, needle) in [
        ("eq { highpass 30kHz }", "Nyquist"),
        ("compressor { ratio 0.5 }", "`ratio` must be between"),
        ("eq { bell 1kHz +2dB q 0 }", "`q` must be between"),
    ] {
        let r = check(&format!(
            "track t sine 1kHz {{ level -20dBFS; length 1s; {mix} }}\n"
        ));
        assert_eq!(r.code, 1, "{mix}");
        assert!(
            r.stderr.contains(needle),
            "{mix}: missing {needle:?}:\n{}",
            r.stderr
        );
    }
}

#[test]
fn duplicates_and_warnings() {
    let r = check(
        "track a sine 1kHz { level -20dBFS; length 1s }\ntrack a sine 1kHz { level -20dBFS; length 1s }\n",
    );
    assert!(r.stderr.contains("`a` is declared twice"), "{}", r.stderr);
    let r = check(
        "track a sine 1kHz { level -20dBFS; length 1s; compressor { ratio 2 }; compressor { ratio 3 } }\n",
    );
    assert!(
        r.stderr.contains("two processors named `compressor`"),
        "{}",
        r.stderr
    );
    let r = check(
        "track a sine 1kHz { level -20dBFS; length 1s; to quiet }\nbus quiet { mute }\nbus lonely\n",
    );
    assert_eq!(r.code, 0, "warnings do not fail a check:\n{}", r.stderr);
    assert!(
        r.stderr
            .contains("nothing is routed or sent to bus `lonely`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("`a` is routed nowhere audible"),
        "{}",
        r.stderr
    );
    // A route to an unknown bus, or a loop, is the error; no mute is blamed for it.
    for mix in [
        "track a sine 1kHz { level -20dBFS; length 1s; to drums }\n",
        "track a sine 1kHz { level -20dBFS; length 1s; to x }\nbus x { to x }\n",
    ] {
        let r = check(mix);
        assert_eq!(r.code, 1, "{}", r.stderr);
        assert!(!r.stderr.contains("muted"), "{mix}: {}", r.stderr);
    }
}

#[test]
fn bar_positions_need_a_tempo() {
    let r = check("track a sine 1kHz { level -20dBFS; length 1s; start bar 2 }\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("a bar position needs a tempo"),
        "{}",
        r.stderr
    );
}

/// An error inside a called chain (here a standard-library one) also points at the
/// call in the mix, and a master setting in a track says where it belongs.
#[test]
fn errors_inside_a_chain_point_at_the_call() {
    let r = check("use std.master\ntrack a sine 1kHz { length 1s; master.streaming() }\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("`loudness` is a setting of the master"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("std/master.mix:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("song.mix:2:") && r.stderr.contains("in this call"),
        "{}",
        r.stderr
    );
}

/// A chain argument given twice would let the second silently win: an error at the
/// second, with the first labelled, as a setting written twice is.
#[test]
fn a_chain_argument_given_twice_is_an_error_at_the_second() {
    let p = Project::new();
    p.wav("k.wav", 48000, &[crate::support::noise(1, 0.3, 4800)])
        .mix(
            "chain tilt(amount = 1dB) { eq { highshelf 8kHz amount } }\n\
             track a \"k.wav\" { tilt(amount: 2dB, amount: 3dB) }\n",
        );
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("`amount` is set twice in this call"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("first set here"), "{}", r.stderr);
    let g = p.run(&["check", "song.mix", "--format", "github"]);
    assert!(
        g.stdout.contains(
            "::error file=song.mix,line=2,col=37,endLine=2,endColumn=48,title=duplicate-setting::"
        ),
        "{}",
        g.stdout
    );
}
