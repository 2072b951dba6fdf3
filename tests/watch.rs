//! `mixdown watch` as a child process on a temporary project: edits, atomic saves,
//! broken saves, deleted stems, no-op saves and Ctrl-C.

use crate::support::{Project, noise, sine};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

struct Watch {
    child: Child,
    lines: Receiver<String>,
    log: Vec<String>,
}

impl Watch {
    fn start(p: &Project) -> Self {
        let mut w = Self::spawn(p);
        w.expect("[watch] rendered");
        w.expect("watching");
        w
    }

    /// The watch process, its first render still running.
    fn spawn(p: &Project) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mixdown"))
            .args(["watch", "song.mix", "--debounce", "50"])
            .current_dir(p.dir.path())
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("spawn watch");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Waits for a line containing `needle` (10 s at most: file events are slow on busy machines).
    #[track_caller]
    fn expect(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => {
                    panic!(
                        "no line with {needle:?}; watch said:\n{}",
                        self.log.join("\n")
                    )
                }
            }
        }
    }

    /// Lines that arrive within `ms`.
    fn quiet_for(&mut self, ms: u64) -> Vec<String> {
        let mut got = Vec::new();
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(ms)) {
            got.push(line);
        }
        self.log.extend(got.clone());
        got
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().expect("try_wait").is_none()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mix(level: &str) -> String {
    format!(
        "session {{ tail 0s }}\ntrack s \"stem.wav\" {{ gain {level} }}\nexport \"out/m.wav\" {{ bits 24 }}\n"
    )
}

fn project() -> Project {
    let p = Project::new();
    p.wav("stem.wav", 48000, &[sine(440.0, 0.3, 48000, 4800)])
        .mix(&mix("0dB"));
    p
}

fn master(p: &Project) -> Vec<u8> {
    std::fs::read(p.path("out/m.wav")).expect("master")
}

#[test]
fn an_edit_and_an_atomic_rename_save_re_render() {
    let p = project();
    let mut w = Watch::start(&p);
    let first = master(&p);
    p.mix(&mix("-6dB"));
    w.expect("[watch] rendered after a change to song.mix");
    let second = master(&p);
    assert_ne!(first, second);
    // Save the way vim and VS Code do: write a temp file, rename it over the mix.
    p.file(".song.mix.swp", mix("-12dB").as_bytes());
    std::fs::rename(p.path(".song.mix.swp"), p.path("song.mix")).expect("rename");
    w.expect("[watch] rendered after a change to song.mix");
    assert_ne!(master(&p), second);
}

#[test]
fn a_broken_save_keeps_the_output_and_the_process() {
    let p = project();
    let mut w = Watch::start(&p);
    let good = master(&p);
    p.mix("track s \"stem.wav\" { gain -6dB \n");
    w.expect("render failed");
    assert!(w.alive());
    assert_eq!(master(&p), good, "a failed render replaced the master");
    p.mix(&mix("-3dB"));
    w.expect("[watch] rendered after a change to song.mix");
    assert_ne!(master(&p), good);
}

#[test]
fn a_deleted_stem_is_an_error_until_it_returns() {
    let p = project();
    let mut w = Watch::start(&p);
    let good = master(&p);
    let stem = std::fs::read(p.path("stem.wav")).expect("stem");
    std::fs::remove_file(p.path("stem.wav")).expect("remove");
    w.expect("render failed");
    assert_eq!(master(&p), good);
    p.file("stem.wav", &stem);
    w.expect("[watch] rendered after a change to stem.wav");
}

#[test]
fn a_stems_folder_moved_away_and_back_is_an_error_until_it_returns() {
    // A rename raises no event for the files inside, and the watch on the folder
    // follows it away: watch must notice the folder itself going and coming.
    let p = Project::new();
    p.wav("stems/s.wav", 48000, &[sine(440.0, 0.3, 48000, 4800)])
        .mix(&mix("0dB").replace("stem.wav", "stems/s.wav"));
    let mut w = Watch::start(&p);
    let good = master(&p);
    std::fs::rename(p.path("stems"), p.path("stash")).expect("move away");
    w.expect("render failed");
    assert_eq!(master(&p), good);
    std::fs::rename(p.path("stash"), p.path("stems")).expect("move back");
    w.expect("[watch] rendered after a change to stems");
    assert_eq!(master(&p), good, "the same stem renders the same master");
    // The folder is watched again: an edit inside it is seen.
    p.wav("stems/s.wav", 48000, &[sine(440.0, 0.1, 48000, 4800)]);
    w.expect("[watch] rendered after a change to stems");
    assert_ne!(master(&p), good);
}

#[test]
fn an_edit_to_a_symlinked_stems_target_re_renders() {
    // Sample libraries are often linked in: the save happens in the target's folder.
    let p = Project::new();
    p.wav("library/take1.wav", 48000, &[sine(440.0, 0.3, 48000, 4800)])
        .wav("library/take2.wav", 48000, &[sine(220.0, 0.3, 48000, 4800)])
        .mix(&mix("0dB"));
    std::os::unix::fs::symlink("library/take1.wav", p.path("stem.wav")).expect("link");
    let mut w = Watch::start(&p);
    let first = master(&p);
    p.wav("library/take1.wav", 48000, &[sine(440.0, 0.1, 48000, 4800)]);
    w.expect("[watch] rendered after a change to stem.wav");
    let edited = master(&p);
    assert_ne!(edited, first);
    // Pointing the link elsewhere (atomically, as `ln -sfn` through a rename does).
    std::os::unix::fs::symlink("library/take2.wav", p.path("next.wav")).expect("link");
    std::fs::rename(p.path("next.wav"), p.path("stem.wav")).expect("swap link");
    w.expect("[watch] rendered after a change to stem.wav");
    assert_ne!(master(&p), edited);
    // The old target is no longer an input.
    p.wav("library/take1.wav", 48000, &[sine(440.0, 0.2, 48000, 4800)]);
    let lines = w.quiet_for(600);
    assert!(
        !lines.iter().any(|l| l.contains("[watch] rendered")),
        "{lines:?}"
    );
}

#[test]
fn a_changed_impulse_response_re_renders() {
    let p = project();
    p.wav("room.wav", 48000, &[noise(4, 0.1, 2400)]).mix(
        "session { tail 0s }\ntrack s \"stem.wav\" { reverb \"room.wav\" }\n\
         export \"out/m.wav\" { bits 24 }\n",
    );
    let mut w = Watch::start(&p);
    let first = master(&p);
    p.wav("room.wav", 48000, &[noise(5, 0.1, 2400)]);
    w.expect("[watch] rendered after a change to room.wav");
    let line = w.expect("[watch]   ");
    assert!(line.contains("re-rendered s, master"), "{line}");
    assert_ne!(master(&p), first);
}

#[test]
fn an_edit_re_renders_only_what_it_reaches() {
    let text = |gain: &str, bits: u32| {
        format!(
            "session {{ tail 0s }}\ntrack a \"stem.wav\" {{ gain {gain} }}\n\
             track b \"stem.wav\" {{ eq {{ highpass 200Hz }} }}\n\
             export \"out/m.wav\" {{ bits 24 }}\n\
             export stems \"out/{{name}}.wav\" {{ of a, b; bits {bits} }}\n"
        )
    };
    let p = project();
    p.mix(&text("0dB", 24));
    let mut w = Watch::start(&p);
    let b_stem = std::fs::read(p.path("out/b.wav")).expect("stem b");
    p.mix(&text("-6dB", 24));
    w.expect("[watch] rendered after a change to song.mix");
    let line = w.expect("[watch]   ");
    assert!(
        line.contains("re-rendered a, master;") && line.contains("1 from the cache"),
        "{line}"
    );
    assert!(
        line.contains("1 file already up to date"),
        "b's stem: {line}"
    );
    assert_eq!(std::fs::read(p.path("out/b.wav")).expect("b"), b_stem);
    // An export's format: no strip runs, and only that export's files are written.
    let master = master(&p);
    p.mix(&text("-6dB", 16));
    w.expect("[watch] rendered after a change to song.mix");
    let line = w.expect("[watch]   ");
    assert!(line.contains("no strip re-rendered"), "{line}");
    assert!(
        line.contains("1 file already up to date"),
        "the master: {line}"
    );
    assert_eq!(master, std::fs::read(p.path("out/m.wav")).expect("m"));
}

#[test]
fn an_edit_to_one_export_keeps_a_converted_rate_export() {
    // The 44.1 kHz file counts its own frames, not the session's: it is still right.
    let text = |bits: u32| {
        format!(
            "session {{ tail 0s }}\ntrack s \"stem.wav\"\n\
             export \"out/m.wav\" {{ bits {bits} }}\n\
             export \"out/cd.wav\" {{ rate 44.1kHz; bits 16 }}\n"
        )
    };
    let p = project();
    p.mix(&text(24));
    let mut w = Watch::start(&p);
    let cd = std::fs::read(p.path("out/cd.wav")).expect("cd");
    p.mix(&text(16));
    let kept = w.expect("kept  ");
    assert!(
        kept.contains("cd.wav") && kept.contains("44100 Hz"),
        "{kept}"
    );
    w.expect("[watch] rendered after a change to song.mix");
    let line = w.expect("[watch]   ");
    assert!(line.contains("1 file already up to date"), "{line}");
    assert_eq!(std::fs::read(p.path("out/cd.wav")).expect("cd"), cd);
}

#[test]
fn a_loudness_solve_in_watch_writes_what_a_render_from_scratch_does() {
    let text = |gain: &str| {
        format!(
            "session {{ tail 0s }}\ntrack a \"stem.wav\" {{ gain {gain} }}\n\
             track b \"stem.wav\" {{ eq {{ highpass 200Hz }}; gain -3dB }}\n\
             master {{ compressor {{ threshold -20dB; ratio 3 }}; limiter {{ ceiling -1dBTP }}; loudness -12LUFS }}\n\
             export \"out/m.wav\" {{ bits 24 }}\n"
        )
    };
    let p = project();
    p.wav("stem.wav", 48000, &[sine(440.0, 0.3, 48000, 96_000)])
        .mix(&text("0dB"));
    let mut w = Watch::start(&p);
    p.mix(&text("-0.5dB"));
    w.expect("[watch] rendered after a change to song.mix");
    let watched = master(&p);
    p.run(&["render", "song.mix", "-o", "fresh"]).ok();
    let fresh = std::fs::read(p.path("fresh/m.wav")).expect("fresh");
    assert!(watched == fresh, "watch wrote other bytes than render");
}

#[test]
fn a_save_without_changes_renders_nothing() {
    let p = project();
    let mut w = Watch::start(&p);
    p.mix(&mix("0dB"));
    w.expect("saved without changes");
    let after = w.quiet_for(400);
    assert!(
        !after.iter().any(|l| l.contains("[watch] rendered")),
        "a no-op save rendered:\n{}",
        after.join("\n")
    );
}

#[test]
fn ctrl_c_stops_cleanly() {
    let p = project();
    let mut w = Watch::start(&p);
    let pid = w.child.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(5);
    while w.alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!w.alive(), "watch did not stop on Ctrl-C");
    let names: Vec<String> = std::fs::read_dir(p.path("out"))
        .expect("out")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["m.wav".to_string()], "stray files after Ctrl-C");
}

/// 90 s of stereo noise through an EQ, a compressor and a loudness solve: long
/// enough that a render (in a test build) outlasts the gap between two saves. The
/// mix text for a given bell gain, first saved with +1dB.
fn long_project() -> (Project, impl Fn(&str) -> String) {
    let text = |gain: &str| {
        format!(
            "session {{ tail 0s }}\ntrack a \"stem.wav\" {{ eq {{ bell 1kHz {gain} q 1 }}; \
             compressor {{ threshold -20dB; ratio 3 }} }}\n\
             master {{ limiter {{ ceiling -1dBTP }}; loudness -14LUFS }}\n\
             export \"out/m.wav\" {{ bits 24 }}\n"
        )
    };
    let p = project();
    p.wav(
        "stem.wav",
        48000,
        &[noise(7, 0.3, 48000 * 90), noise(8, 0.3, 48000 * 90)],
    )
    .mix(&text("+1dB"));
    (p, text)
}

/// A save that comes in while a render runs stops it before it writes anything; the
/// newest content is what ends up on disk, as `render` writes it.
#[test]
fn a_save_during_a_render_stops_it_and_the_newest_renders() {
    let (p, text) = long_project();
    let mut w = Watch::start(&p);
    let started = Instant::now();
    p.mix(&text("+2dB"));
    std::thread::sleep(Duration::from_millis(250));
    p.mix(&text("+3dB"));
    let line = w.expect("[watch] ");
    let took = started.elapsed();
    w.expect("[watch] rendered after a change to song.mix");
    let watched = master(&p);
    p.run(&["render", "song.mix", "-o", "fresh"]).ok();
    let fresh = std::fs::read(p.path("fresh/m.wav")).expect("fresh");
    assert!(watched == fresh, "watch did not end on the newest save");
    // Unless this machine rendered the first save within the gap, it was stopped.
    if !line.contains("newer save came in") {
        assert!(took < Duration::from_millis(400), "{line} after {took:?}");
    }
}

/// A save during the *first* render (before any folder is watched) is rendered next:
/// the pass sees that an input it read was written while it ran.
#[test]
fn a_save_during_the_first_render_is_rendered_next() {
    let (p, text) = long_project();
    let mut w = Watch::spawn(&p);
    std::thread::sleep(Duration::from_millis(300));
    p.mix(&text("+4dB"));
    p.run(&["render", "song.mix", "-o", "fresh"]).ok();
    let fresh = std::fs::read(p.path("fresh/m.wav")).expect("fresh");
    w.expect("[watch] rendered");
    // Unless the first render read the mix after the save, a second one follows.
    let deadline = Instant::now() + Duration::from_secs(20);
    while master(&p) != fresh {
        assert!(
            Instant::now() < deadline,
            "watch never rendered the save made during its first render:\n{}",
            w.log.join("\n")
        );
        w.quiet_for(200);
    }
    assert!(w.alive());
}
