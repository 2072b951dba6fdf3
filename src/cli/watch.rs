//! `mixdown watch FILE [render flags]`: render, then re-render on every save of any
//! file the compile read (the mix, `use`d modules, audio). Parent folders are watched,
//! so editors that save by writing a temp file and renaming it are seen. A render
//! starts as soon as a save's events pause (`--debounce`, 20 ms); a save that comes
//! in while one runs stops it before it writes anything, so a burst of saves ends in
//! one render, of the newest content. A save that changes no bytes renders nothing;
//! a broken save prints its diagnostics and leaves the last good outputs untouched.

use super::render::{Flags, Outcome, render_once};
use super::watch_dirs::{Dirs, folders, with_targets};
use crate::cache::Cache;
use crate::world::{DiskWorld, World};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    file: PathBuf,
    #[command(flatten)]
    flags: Flags,
    /// How long file events must pause before a render starts, in milliseconds (an
    /// editor's save is a few events within a millisecond or two; a save that comes
    /// in while a render runs stops it, and the newest content is rendered instead).
    #[arg(long, value_name = "MS", default_value_t = 20)]
    debounce: u64,
}

/// The content of every input, to tell a real change from a touch.
type Snapshot = BTreeMap<PathBuf, Option<blake3::Hash>>;

/// Hashes each input, reading again only the files whose size or time changed.
fn snapshot(paths: &BTreeSet<PathBuf>, cache: &Cache) -> Snapshot {
    paths
        .iter()
        .map(|p| (p.clone(), cache.file_hash(p)))
        .collect()
}

struct Pass {
    deps: BTreeSet<PathBuf>,
    outcome: Outcome,
    /// Inputs written while the pass ran. A folder is only watched once a pass has
    /// read from it (the first pass watches nothing), so such a save may have raised
    /// no event that was seen: it is rendered next regardless.
    written_during: Vec<PathBuf>,
}

fn pass(file: &Path, flags: &Flags, cancel: &Arc<AtomicBool>) -> Pass {
    let started = std::time::SystemTime::now();
    let world = DiskWorld::new();
    let outcome = render_once(file, flags, &world, cancel.clone());
    let mut deps: BTreeSet<PathBuf> = world.dependencies().into_iter().collect();
    // The mix itself, even if it could not be read this time.
    if let Ok(abs) = std::path::absolute(file) {
        deps.insert(abs);
    }
    // Between the pass's start and end: a time in the future (clock skew, an
    // archive's) would otherwise count as a write after every pass, forever.
    let ended = std::time::SystemTime::now();
    let written_during = (deps.iter())
        .filter(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t >= started && t <= ended)
        })
        .cloned()
        .collect();
    Pass {
        deps,
        outcome,
        written_during,
    }
}

/// The inputs whose content in `now` differs from `snap`'s (or that `snap` lacks).
fn changes(now: &Snapshot, snap: &Snapshot) -> Vec<PathBuf> {
    (now.iter())
        .filter(|(p, h)| snap.get(*p) != Some(h))
        .map(|(p, _)| p.clone())
        .collect()
}

/// `snap` without the inputs `p` saw written while it ran, so they count as changed.
fn forget_written(mut snap: Snapshot, p: &Pass) -> Snapshot {
    for f in &p.written_during {
        snap.remove(f);
    }
    snap
}

/// Whether `events` can have changed one of `deps`: writes, creations, renames and
/// removals (reading a file, as every render does, raises access events, which cannot).
fn touches(events: &[notify_debouncer_full::DebouncedEvent], deps: &BTreeSet<PathBuf>) -> bool {
    events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                notify::EventKind::Create(_)
                    | notify::EventKind::Modify(_)
                    | notify::EventKind::Remove(_)
            )
        })
        .flat_map(|e| e.paths.iter())
        .any(|p| deps.contains(p))
}

pub fn run(mut a: Args) -> ExitCode {
    let cancel = super::interrupt_flag();
    // Stops the render in progress: on Ctrl-C, and when a newer save of an input
    // comes in (that save is rendered next, so a burst of saves ends in one render).
    let stop = Arc::new(AtomicBool::new(false));
    super::interrupt_also(stop.clone());
    a.flags.quiet_stop = true;
    let cache = match Cache::new(a.flags.cache_mb, a.flags.cache.clone()) {
        Ok(c) => std::sync::Arc::new(c),
        Err(e) => {
            eprintln!("error: cannot use the cache folder: {e}");
            return ExitCode::from(2);
        }
    };
    a.flags.shared_cache = Some(cache.clone());
    let deps: Arc<Mutex<BTreeSet<PathBuf>>> = Arc::default();
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let handler = {
        let (stop, deps) = (stop.clone(), deps.clone());
        move |res: DebounceEventResult| {
            let deps = deps.lock().unwrap_or_else(|e| e.into_inner());
            if res.as_ref().is_ok_and(|events| touches(events, &deps)) {
                stop.store(true, Ordering::SeqCst);
            }
            let _ = tx.send(res);
        }
    };
    let mut debouncer = match new_debouncer(Duration::from_millis(a.debounce), None, handler) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: cannot watch files: {e}");
            return ExitCode::from(2);
        }
    };
    let mut current = pass(&a.file, &a.flags, &stop);
    let mut dirs = Dirs::default();
    let mut snap = forget_written(snapshot(&current.deps, &cache), &current);
    status(&current, &[]);
    loop {
        if cancel.load(Ordering::SeqCst) {
            return ExitCode::SUCCESS;
        }
        let seen = with_targets(&current.deps);
        let needed = folders(&seen);
        deps.lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone_from(&seen);
        // Wait for a change to an input's content (none when the last pass saw one).
        let mut saw_write = !current.written_during.is_empty();
        // A folder missing now is watched once it appears (checked at every wakeup);
        // one that came back during the pass may hold changes that raised no event.
        saw_write |= dirs.refresh(&mut debouncer, &needed);
        if !a.flags.quiet {
            eprintln!("watching {} files; Ctrl-C to stop", current.deps.len());
        }
        let (changed, now) = loop {
            if cancel.load(Ordering::SeqCst) {
                return ExitCode::SUCCESS;
            }
            // A folder that came (back) may hold changed inputs that raised no event.
            if dirs.refresh(&mut debouncer, &needed) {
                saw_write = true;
            }
            if std::mem::take(&mut saw_write) {
                let now = snapshot(&current.deps, &cache);
                let changed = changes(&now, &snap);
                if !changed.is_empty() {
                    break (changed, now);
                }
            }
            let events = match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(Ok(events)) => events,
                Ok(Err(errors)) => {
                    for e in errors {
                        eprintln!("warning: file watching: {e}");
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => return ExitCode::from(2),
            };
            for e in events.iter().filter(|e| e.kind.is_remove()) {
                for p in &e.paths {
                    dirs.forget(&mut debouncer, p);
                }
            }
            if !touches(&events, &seen) {
                continue;
            }
            let now = snapshot(&current.deps, &cache);
            let changed = changes(&now, &snap);
            if changed.is_empty() {
                if !a.flags.quiet {
                    eprintln!("saved without changes: nothing to render");
                }
                continue;
            }
            break (changed, now);
        };
        stop.store(false, Ordering::SeqCst);
        let next = pass(&a.file, &a.flags, &stop);
        if cancel.load(Ordering::SeqCst) {
            return ExitCode::SUCCESS;
        }
        if next.outcome.report.is_none() && stop.load(Ordering::SeqCst) {
            // Cut short (or failed) with a newer save waiting: that one renders next,
            // compared with what the last finished render read.
            if !a.flags.quiet {
                eprintln!("[watch] a newer save came in: rendering that instead");
            }
            continue;
        }
        // What the inputs held when this render started: a save during the render
        // then differs, and renders next.
        let read = (next.deps.iter())
            .map(|p| match now.get(p) {
                Some(h) => (p.clone(), *h),
                None => (p.clone(), cache.file_hash(p)),
            })
            .collect();
        snap = forget_written(read, &next);
        current = next;
        status(&current, &changed);
    }
}

fn status(p: &Pass, changed: &[PathBuf]) {
    let cwd = std::env::current_dir().unwrap_or_default();
    let names: Vec<String> = changed
        .iter()
        .map(|c| c.strip_prefix(&cwd).unwrap_or(c).display().to_string())
        .collect();
    let what = if names.is_empty() {
        String::new()
    } else {
        format!(" after a change to {}", names.join(", "))
    };
    match &p.outcome.report {
        Some(r) => {
            let master = r
                .files
                .iter()
                .find(|f| f.master)
                .or(r.files.first())
                .map(|f| match &f.measured {
                    Some(m) => format!(
                        "; master {} LUFS, {:.2} dBTP",
                        m.integrated_lufs
                            .map_or("-inf".into(), |l| format!("{l:.2}")),
                        m.true_peak_dbtp
                    ),
                    None => format!("; master peak {:.2} dBFS", f.peak_dbfs),
                })
                .unwrap_or_default();
            eprintln!(
                "[watch] rendered{what} in {:.2}s{master}",
                p.outcome.seconds
            );
            if let Some(c) = &r.cache {
                eprintln!("[watch]   {}", c.summary());
            }
        }
        None => eprintln!("[watch] render failed{what}; the last good outputs are untouched"),
    }
}
