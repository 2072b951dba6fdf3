//! `--format json|github`: documents parsed back and checked against schema 1
//! (README.md, "Machine-readable output"), annotations, and no colour off a terminal.

use crate::support::{Project, sine};
use serde_json::Value;

fn project(extra: &str) -> Project {
    let p = Project::new();
    let s = sine(1000.0, 0.5, 48000, 48000);
    p.wav("vox.wav", 48000, &[s.clone(), s]).mix(&format!(
        "session {{ tail 0s }}\ntrack vox \"vox.wav\"\nexport \"out/m.wav\" {{ bits 24 }}\n{extra}"
    ));
    p
}

fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

#[track_caller]
fn has(v: &Value, key: &str, ok: fn(&Value) -> bool) {
    let field = v.get(key).unwrap_or_else(|| panic!("no `{key}` in {v}"));
    assert!(ok(field), "`{key}` has the wrong type in {v}");
}

fn opt_num(v: &Value) -> bool {
    v.is_null() || v.is_number()
}

fn opt_str(v: &Value) -> bool {
    v.is_null() || v.is_string()
}

/// The fields every document has.
#[track_caller]
fn document(v: &Value, command: &str) {
    assert_eq!(v["schema"], 1);
    assert_eq!(v["command"], command);
    has(v, "file", Value::is_string);
    has(v, "ok", Value::is_boolean);
    has(v, "exit_code", Value::is_u64);
    has(v, "diagnostics", Value::is_array);
    for d in v["diagnostics"].as_array().expect("array") {
        for k in ["file", "code"] {
            has(
                d,
                k,
                if k == "file" {
                    opt_str
                } else {
                    Value::is_string
                },
            );
        }
        for k in ["line", "column", "end_line", "end_column"] {
            has(d, k, opt_num);
        }
        has(d, "message", Value::is_string);
        has(d, "hints", Value::is_array);
        assert!(
            d["severity"] == "error" || d["severity"] == "warning",
            "{d}"
        );
    }
}

#[test]
fn check_json_lists_diagnostics_with_positions() {
    let p = project("assert vox peak <= -6dB\n");
    let r = p.run(&["check", "song.mix", "--format", "json"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stderr, "", "json keeps stderr quiet");
    let v = parse(&r.stdout);
    document(&v, "check");
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["file"], "song.mix");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 20);
    assert_eq!(d["code"], "wrong-unit");
    let ok = parse(
        &project("")
            .run(&["check", "song.mix", "--format", "json"])
            .stdout,
    );
    document(&ok, "check");
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["exit_code"], 0);
}

#[test]
fn render_json_carries_the_report_and_the_assertions() {
    let p = project("assert master peak <= -3dBFS\nassert vox peak <= -20dBFS\n");
    let r = p.run(&["render", "song.mix", "--format", "json"]);
    assert_eq!(r.code, 1);
    let v = parse(&r.stdout);
    document(&v, "render");
    let report = &v["report"];
    has(report, "frames", Value::is_u64);
    has(report, "exports", Value::is_array);
    let e = &report["exports"][0];
    has(e, "path", Value::is_string);
    assert_eq!(e["kind"], "master");
    has(e, "blake3", Value::is_string);
    for k in [
        "integrated_lufs",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "lra_lu",
    ] {
        has(e, k, opt_num);
    }
    let a = v["assertions"].as_array().expect("assertions");
    assert_eq!(a.len(), 2);
    for x in a {
        has(x, "line", Value::is_u64);
        has(x, "column", Value::is_u64);
        has(x, "quantity", Value::is_string);
        has(x, "op", Value::is_string);
        has(x, "value", Value::is_number);
        has(x, "measured", opt_num);
        has(x, "passed", Value::is_boolean);
    }
    assert_eq!(a[0]["passed"], true);
    assert_eq!(a[1]["passed"], false);
    assert_eq!(a[1]["subject"], "vox");
    assert_eq!(v["diagnostics"][0]["code"], "assert-failed");
    assert_eq!(v["diagnostics"][0]["line"], 5);
}

#[test]
fn verify_json_lists_what_differs() {
    let p = project("");
    p.run(&["render", "song.mix", "--lock"]).ok();
    let ok = p.run(&["verify", "song.mix", "--format", "json"]);
    ok.ok();
    let v = parse(&ok.stdout);
    document(&v, "verify");
    assert_eq!(v["outputs"], Value::Array(vec![]));
    let s = sine(1000.0, 0.25, 48000, 48000);
    p.wav("vox.wav", 48000, &[s.clone(), s]);
    let bad = p.run(&["verify", "song.mix", "--format", "json"]);
    assert_eq!(bad.code, 1);
    let v = parse(&bad.stdout);
    document(&v, "verify");
    let out = &v["outputs"][0];
    assert_eq!(out["path"], "out/m.wav");
    assert_eq!(out["change"], "changed");
    has(out, "expected", Value::is_string);
    has(out, "actual", Value::is_string);
    assert_eq!(v["inputs"][0]["path"], "vox.wav");
}

#[test]
fn github_prints_workflow_annotations() {
    let p = project("assert vox peak <= -20dBFS\n");
    let r = p.run(&["render", "song.mix", "--format", "github"]);
    assert_eq!(r.code, 1);
    let line = r.stdout.lines().next().expect("an annotation");
    assert!(
        line.starts_with("::error file=song.mix,line=4,col=1,"),
        "{line}"
    );
    assert!(
        line.contains("title=assert-failed::assertion failed: vox peak"),
        "{line}"
    );
}

#[test]
fn no_colour_off_a_terminal_even_without_no_color() {
    let p = project("assert vox peak <= -6dB\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mixdown"))
        .args(["check", "song.mix"])
        .current_dir(p.dir.path())
        .env_remove("NO_COLOR")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("wrong-unit"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "escape codes in\n{stderr}");
}
