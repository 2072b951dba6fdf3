//! `assert` items: checked after every render, a failure exits 1 at the assertion's
//! line; wrong units and names are compile errors with spans.

use crate::support::{Project, sine};

/// A -6 dBFS 1 kHz tone on `vox` (about -9 LUFS in stereo), 2 s long.
fn project(asserts: &str) -> Project {
    let p = Project::new();
    let s = sine(1000.0, 0.5, 48000, 96000);
    p.wav("vox.wav", 48000, &[s.clone(), s]).mix(&format!(
        "session {{ tail 0s }}\ntrack vox \"vox.wav\" {{ gain -6dB }}\nexport \"out/m.wav\" {{ bits 32float }}\n{asserts}"
    ));
    p
}

#[test]
fn passing_assertions_render_and_exit_0() {
    let p = project(
        "assert master peak <= -11.9dBFS\nassert master true_peak <= -11.9dBTP\n\
         assert vox peak >= -12.1dBFS\nassert master lra <= 1LU\n\
         assert master loudness -12LUFS within 0.5LU\nassert length 0:02 within 10ms\n",
    );
    let r = p.render();
    r.ok();
    assert!(p.path("out/m.wav").exists());
    // The strip meter writes nothing.
    assert!(!p.path(".mixdown-meter").exists());
}

#[test]
fn a_failing_assertion_exits_1_with_its_span() {
    let p = project("assert master loudness -12LUFS within 0.5LU\nassert vox peak <= -20dBFS\n");
    let r = p.render();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("song.mix:5:1"), "{}", r.stderr);
    assert!(r.stderr.contains("vox peak is -12.0"), "{}", r.stderr);
    assert!(r.stderr.contains("asserted <= -20.00 dBFS"), "{}", r.stderr);
    assert!(
        r.stderr.contains("1 of 2 assertions failed"),
        "{}",
        r.stderr
    );
    let l = project("assert length 3:20 within 1s\n").render();
    assert_eq!(l.code, 1);
    assert!(l.stderr.contains("length is 0:02.000"), "{}", l.stderr);
}

#[test]
fn assertions_are_checked_by_watch_too() {
    // `watch` runs the same render pass; its status line follows the assertion error.
    let p = project("assert vox peak <= -20dBFS\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mixdown"))
        .args(["watch", "song.mix"])
        .current_dir(p.dir.path())
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut text = String::new();
    for line in std::io::BufRead::lines(std::io::BufReader::new(stderr)).map_while(Result::ok) {
        text += &line;
        text += "\n";
        if line.starts_with("[watch]") {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("assertion failed: vox peak"), "{text}");
}

#[test]
fn wrong_units_and_names_are_compile_errors() {
    let p = project(
        "assert master loudness -14dB within 1LU\nassert master true_peak <= -1dBFS\n\
         assert voc peak <= -6dBFS\nassert master lenght <= 3s\nassert master lra 8LU\n\
         assert length 3dB within 1s\n",
    );
    let r = p.run(&["check", "song.mix"]);
    assert_eq!(r.code, 1);
    for want in [
        "`loudness` is measured in LUFS, found -14dB",
        "`true_peak` is measured in dBTP, found -1dBFS",
        "no track or bus named `voc`",
        "did you mean `vox`?",
        "did you mean `length`?",
        "this assertion has no known shape",
        "song.mix:4:24",
        "song.mix:9:15",
    ] {
        assert!(r.stderr.contains(want), "missing {want:?} in\n{}", r.stderr);
    }
}
