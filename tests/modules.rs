//! `use` of files and standard modules: resolution from nested folders, chain
//! expansion across modules, import cycles and clashes (with spans in both files),
//! and every chain of the standard library checked and rendered.

use crate::support::{Project, read_wav};
use mixdown::syntax::ast::Item;

const TONE: &str = "track t sine 1kHz { level -20dBFS; length 1s";

#[test]
fn nested_modules_resolve_relative_to_the_file_that_uses_them() {
    let p = Project::new();
    p.file(
        "mixes/song.mix",
        format!("use \"../chains/house.mix\"\n{TONE}; house_vox(air: 3dB) }}\n").as_bytes(),
    )
    .file(
        "chains/house.mix",
        b"use \"parts/eq.mix\"\nchain house_vox(air = 1dB) { bright(amount: air); compressor { ratio 2 } }\n",
    )
    .file(
        "chains/parts/eq.mix",
        b"use std.bus\nchain bright(amount) { eq { highshelf 8kHz amount }; bus.tidy() }\n",
    );
    let r = p.run(&["graph", "mixes/song.mix", "--format", "json"]);
    r.ok();
    // The inserts of all three levels land in the strip, in call order.
    let mix: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let text = mix.to_string();
    for needle in ["\"highshelf\"", "\"tidy\"", "\"compressor\""] {
        assert!(text.contains(needle), "missing {needle} in {text}");
    }
    // The parameter passed through two calls arrives as 3 dB.
    assert!(text.contains("\"gain\":3.0"), "{text}");
}

/// An impulse response shipped beside a module is found from the module's folder,
/// and one the caller passes in from the caller's.
#[test]
fn a_modules_impulse_response_is_relative_to_the_module() {
    let ir = |seed: u64| crate::support::noise(seed, 0.1, 2400);
    let p = Project::new();
    p.wav("chains/room.wav", 48000, &[ir(1)])
        .wav("mixes/hall.wav", 48000, &[ir(2)])
        .file(
            "chains/rooms.mix",
            b"chain room() { reverb \"room.wav\" { mix 30% } }\n\
              chain space(ir) { reverb ir { mix 30% } }\n",
        );
    for call in ["room()", "space(ir: \"hall.wav\")"] {
        p.file(
            "mixes/song.mix",
            format!("use \"../chains/rooms.mix\"\n{TONE}; {call} }}\nexport \"out/m.wav\"\n")
                .as_bytes(),
        );
        p.run(&["check", "mixes/song.mix"]).ok();
        p.run(&["render", "mixes/song.mix"]).ok();
        let (_, audio) = read_wav(&p.path("mixes/out/m.wav"));
        assert!(audio[0].iter().any(|s| s.abs() > 1e-3), "{call}: silent");
    }
}

#[test]
fn file_chains_are_not_visible_through_another_module() {
    let p = Project::new();
    p.mix(&format!("use \"a.mix\"\n{TONE}; from_b() }}\n"))
        .file("a.mix", b"use \"b.mix\"\nchain from_a() {}\n")
        .file("b.mix", b"chain from_b() {}\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("no chain named `from_b`"), "{}", r.stderr);
}

#[test]
fn import_cycle_is_named_with_uses_in_both_files() {
    let p = Project::new();
    p.mix(&format!("use \"lib/a.mix\"\n{TONE} }}\n"))
        .file("lib/a.mix", b"use \"sub/b.mix\"\nchain a() {}\n")
        .file("lib/sub/b.mix", b"use \"../a.mix\"\nchain b() {}\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("import cycle: lib/a.mix -> lib/sub/b.mix -> lib/a.mix"),
        "{}",
        r.stderr
    );
    // Both files are shown, each with its `use` labelled.
    assert!(r.stderr.contains("lib/sub/b.mix:1:1"), "{}", r.stderr);
    assert!(r.stderr.contains("lib/a.mix:1:1"), "{}", r.stderr);
}

#[test]
fn a_mix_that_uses_itself_is_a_cycle() {
    let p = Project::new();
    p.mix(&format!("use \"song.mix\"\n{TONE} }}\n"));
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("import cycle"), "{}", r.stderr);
}

#[test]
fn clash_between_local_and_used_chain_shows_both_files() {
    let p = Project::new();
    p.mix(&format!(
        "use \"house.mix\"\nchain warm() {{}}\n{TONE}; warm() }}\n"
    ))
    .file("house.mix", b"chain warm() { gain { gain 1dB } }\n");
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("chain `warm` is defined twice"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("song.mix:1:1"), "{}", r.stderr);
    assert!(r.stderr.contains("house.mix:1:7"), "{}", r.stderr);
}

#[test]
fn module_errors_point_into_the_module() {
    let p = Project::new();
    p.mix(&format!("use \"lib.mix\"\n{TONE}; loud(boost: 3Hz) }}\n"))
        .file(
            "lib.mix",
            b"chain loud(boost = 1dB) { gain { gain boost } }\ntrack x sine 1kHz\n",
        );
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("a module may only define chains"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("lib.mix:2:1"), "{}", r.stderr);
    // The typed parameter is checked at the call, with the declaration labelled.
    assert!(
        r.stderr
            .contains("`boost` of chain `loud` expects a value like 1dB"),
        "{}",
        r.stderr
    );
}

#[test]
fn unknown_and_missing_modules_are_errors() {
    let p = Project::new();
    p.mix(&format!(
        "use std.vocals\nuse \"nowhere.mix\"\n{TONE}; drums.kick() }}\n"
    ));
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    for needle in [
        "no standard module `std.vocals`",
        "did you mean `std.vocal`?",
        "cannot read module `nowhere.mix`",
        "is `use std.drums` missing?",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle:?}:\n{}",
            r.stderr
        );
    }
}

#[test]
fn recursion_across_modules_names_the_cycle() {
    let p = Project::new();
    p.mix(&format!("use \"a.mix\"\n{TONE}; ping() }}\n")).file(
        "a.mix",
        b"chain ping() { pong() }\nchain pong() { ping() }\n",
    );
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("chain recursion: ping -> pong -> ping"),
        "{}",
        r.stderr
    );
}

/// Every chain of every standard module, each in its own generated mix on a
/// generator track (master chains in the master), checks and renders.
#[test]
fn every_stdlib_chain_checks_and_renders() {
    let mut count = 0;
    for (module, text) in mixdown::stdlib::MODULES {
        let file = mixdown::syntax::parse(mixdown::span::SourceId(0), text)
            .unwrap_or_else(|e| panic!("std.{module} does not parse: {e:?}"));
        for item in &file.items {
            let Item::Chain(c) = item else { continue };
            let call = format!("{module}.{}()", c.name.name);
            let mix = if *module == "master" {
                format!("use std.{module}\n{TONE} }}\nmaster {{ {call} }}\n")
            } else {
                format!("use std.{module}\n{TONE}; {call} }}\n")
            };
            let p = Project::new();
            p.mix(&mix);
            let r = p.render();
            assert_eq!(r.code, 0, "{call} failed:\n{mix}\n{}", r.stderr);
            let (_, audio) = read_wav(&p.path("out/song.wav"));
            assert!(
                audio
                    .iter()
                    .flatten()
                    .all(|x| x.is_finite() && x.abs() <= 1.0),
                "{call} rendered bad samples"
            );
            count += 1;
        }
    }
    assert!(count >= 15, "only {count} stdlib chains found");
}

/// The spec's chains example (a copy lives in the fuzz corpus) checks and renders.
#[test]
fn spec_chains_example_renders() {
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read(format!("{root}/tests/fuzz/corpus/parse/chains.mix")).expect("read");
    let pad = std::fs::read(format!("{root}/examples/song/stems/pad.flac")).expect("pad");
    let p = Project::new();
    p.file("song.mix", &text).file("stems/pad.flac", &pad).wav(
        "stems/vox.wav",
        48_000,
        &[crate::support::sine(220.0, 0.3, 48_000, 48_000)],
    );
    p.run(&["check", "song.mix"]).ok();
    p.render().ok();
    assert!(p.path("out/song.wav").exists());
}
