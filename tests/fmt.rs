//! `mixdown fmt`: idempotent, and formatting never changes what a file means. Checked
//! on every `.mix` in `examples/`, `stdlib/`, the spec examples (copies in the fuzz
//! corpus) and the ```mix blocks of `grammar/README.md`; plus the `--check` CLI.

use crate::support::Project;
use mixdown::compile::{self, Compiled};
use mixdown::span::SourceId;
use mixdown::world::{DiskWorld, MemoryWorld, World};
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn mix_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            mix_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "mix") {
            out.push(p);
        }
    }
}

/// The Debug text of a value with every `Span { .. }` removed, so two syntax trees
/// can be compared for structure alone.
fn without_spans(debug: &str) -> String {
    let mut out = String::new();
    let mut rest = debug;
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').expect("closing brace");
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    out
}

/// What a compile means, spans aside: the IR as JSON (spans are not serialised),
/// or the diagnostics' codes and messages when it does not compile.
fn meaning(c: &Compiled) -> String {
    match &c.mix {
        Some(m) => serde_json::to_string(m).expect("json"),
        None => c
            .diags
            .iter()
            .map(|d| format!("{}: {}\n", d.code, d.message))
            .collect(),
    }
}

fn format(text: &str) -> String {
    mixdown::fmt::format(SourceId(0), text).unwrap_or_else(|e| panic!("does not parse: {e:?}"))
}

fn check_text(name: &str, text: &str) -> String {
    let once = format(text);
    assert_eq!(format(&once), once, "{name}: formatting is not idempotent");
    let a = mixdown::syntax::parse(SourceId(0), text).expect("parse");
    let b = mixdown::syntax::parse(SourceId(0), &once).expect("parse formatted");
    assert_eq!(
        without_spans(&format!("{a:?}")),
        without_spans(&format!("{b:?}")),
        "{name}: formatting changed the syntax tree"
    );
    once
}

#[test]
fn every_example_and_module_keeps_its_meaning() {
    let mut files = Vec::new();
    for dir in ["examples", "stdlib", "tests/fuzz/corpus/parse"] {
        mix_files(&Path::new(ROOT).join(dir), &mut files);
    }
    assert!(files.len() >= 9, "found only {files:?}");
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let formatted = check_text(&path.display().to_string(), &text);
        // Compile the formatted text from the same folder, so paths and `use`s resolve alike.
        let tmp = tempfile::Builder::new()
            .prefix(".fmt-test-")
            .suffix(".mix")
            .tempfile_in(path.parent().expect("parent"))
            .expect("temp file");
        std::fs::write(tmp.path(), &formatted).expect("write");
        let (_, before) = compile::compile_path(&DiskWorld::new(), &path).expect("compile");
        let (_, after) = compile::compile_path(&DiskWorld::new(), tmp.path()).expect("compile");
        assert_eq!(
            meaning(&before),
            meaning(&after),
            "{}: formatting changed the mix",
            path.display()
        );
    }
}

#[test]
fn readme_examples_keep_their_meaning() {
    let readme = std::fs::read_to_string(format!("{ROOT}/grammar/README.md")).expect("readme");
    let mut rest = readme.as_str();
    let mut n = 0;
    while let Some(i) = rest.find("```mix\n") {
        let block = &rest[i + 7..];
        let end = block.find("```").expect("closed block");
        let text = &block[..end];
        let formatted = check_text(&format!("README block {n}"), text);
        let world = MemoryWorld::new();
        let a = world.add_virtual("a.mix", text);
        let b = world.add_virtual("b.mix", &formatted);
        assert_eq!(
            meaning(&compile::compile(&world, a)),
            meaning(&compile::compile(&world, b)),
            "README block {n}: formatting changed the mix"
        );
        rest = &block[end + 3..];
        n += 1;
    }
    assert!(n > 10, "only {n} README blocks");
}

#[test]
fn shipped_files_are_formatted() {
    let p = Project::new();
    let r = p.run(&[
        "fmt",
        "--check",
        &format!("{ROOT}/examples"),
        &format!("{ROOT}/stdlib"),
    ]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn check_lists_files_that_would_change_and_fmt_fixes_them() {
    let p = Project::new();
    p.file(
        "a.mix",
        b"track t sine 1kHz { length 1s; level -20 dBFS }\n",
    )
    .file("sub/b.mix", b"track t sine 1kHz { length 1s }\n");
    let r = p.run(&["fmt", "--check", "."]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("would reformat ./a.mix"), "{}", r.stdout);
    assert!(!r.stdout.contains("b.mix"), "{}", r.stdout);
    p.run(&["fmt", "a.mix"]).ok();
    let text = std::fs::read_to_string(p.path("a.mix")).expect("read");
    assert_eq!(
        text,
        "track t sine 1kHz {\n  length 1s\n  level -20dBFS\n}\n"
    );
    p.run(&["fmt", "--check", "."]).ok();
}

#[test]
fn syntax_errors_are_reported_and_nothing_is_written() {
    let p = Project::new();
    p.file("bad.mix", b"track { gain -3dB }\n");
    let r = p.run(&["fmt", "bad.mix"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bad.mix:1:"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(p.path("bad.mix")).expect("read"),
        "track { gain -3dB }\n"
    );
}
