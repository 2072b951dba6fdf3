//! Outputs that would destroy something are refused before any file is replaced:
//! an export or the report over a file the mix reads, two spellings of one output,
//! an export over a folder. Exit 2 (the environment), the inputs untouched.

use crate::support::{Project, sine};

fn project(exports: &str) -> Project {
    let p = Project::new();
    p.wav("stem.wav", 48000, &[sine(440.0, 0.3, 48000, 4800)])
        .mix(&format!("track s \"stem.wav\" {{ gain -6dB }}\n{exports}"));
    p
}

#[test]
fn an_export_over_its_own_stem_is_refused() {
    for export in ["export \"stem.wav\"", "export \"./sub/../stem.wav\""] {
        let p = project(export);
        std::fs::create_dir_all(p.path("sub")).unwrap();
        let (stem, mix) = (
            std::fs::read(p.path("stem.wav")).unwrap(),
            std::fs::read(p.path("song.mix")).unwrap(),
        );
        let r = p.render();
        assert_eq!(r.code, 2, "{export}: {}", r.stderr);
        assert!(r.stderr.contains("writes over an input"), "{}", r.stderr);
        assert_eq!(std::fs::read(p.path("stem.wav")).unwrap(), stem, "{export}");
        assert_eq!(std::fs::read(p.path("song.mix")).unwrap(), mix, "{export}");
    }
}

#[test]
fn an_export_through_a_symlink_to_its_stem_is_refused() {
    let p = project("export \"link.wav\"");
    std::os::unix::fs::symlink(p.path("stem.wav"), p.path("link.wav")).unwrap();
    let stem = std::fs::read(p.path("stem.wav")).unwrap();
    let r = p.render();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert_eq!(std::fs::read(p.path("stem.wav")).unwrap(), stem);
}

#[test]
fn the_report_cannot_replace_the_mix_or_an_export() {
    let p = project("export \"out/m.wav\"");
    p.render().ok();
    let (mix, master) = (
        std::fs::read(p.path("song.mix")).unwrap(),
        std::fs::read(p.path("out/m.wav")).unwrap(),
    );
    for report in ["song.mix", "out/m.wav", "out/../out/m.wav"] {
        let r = p.run(&["render", "song.mix", "--report", report]);
        assert_eq!(r.code, 2, "{report}: {}", r.stderr);
        assert!(
            r.stderr.contains("give `--report` a file of its own"),
            "{}",
            r.stderr
        );
    }
    assert_eq!(std::fs::read(p.path("song.mix")).unwrap(), mix);
    assert_eq!(std::fs::read(p.path("out/m.wav")).unwrap(), master);
}

#[test]
fn two_spellings_of_one_output_are_one_output() {
    let p = project("export \"o/a.wav\"\nexport \"o/../o/a.wav\" { bits 16 }");
    std::fs::create_dir_all(p.path("o")).unwrap();
    let r = p.render();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("two exports write"), "{}", r.stderr);
    assert!(!p.path("o/a.wav").exists());
}

/// A folder where an export goes fails before anything is written, so the other
/// exports keep their earlier files.
#[test]
fn a_folder_in_the_way_fails_before_any_file_is_replaced() {
    let p = project("export \"out/m.wav\"");
    p.render().ok();
    let master = std::fs::read(p.path("out/m.wav")).unwrap();
    p.mix("track s \"stem.wav\" { gain -12dB }\nexport \"out/m.wav\"\nexport \"out/z.wav\"\n");
    std::fs::create_dir_all(p.path("out/z.wav")).unwrap();
    let r = p.render();
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("is a folder"), "{}", r.stderr);
    assert!(r.stderr.contains("no file was written"), "{}", r.stderr);
    assert_eq!(std::fs::read(p.path("out/m.wav")).unwrap(), master);
}
