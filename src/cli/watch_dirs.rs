//! The folders `watch` listens to, kept in step with the file system.
//!
//! A watch is held on a folder's inode, not its name: when the stems folder is
//! deleted (or replaced, as `git checkout` or an `rsync` may do) the watch dies with
//! it, and a folder restored under the same name raises nothing. So every wakeup
//! checks each watched folder still is the one watched, drops the dead watches and
//! watches the needed folders that exist (again); a folder that appears may already
//! hold the files, so its arrival counts as a possible change.
//!
//! An input reached through a symlink changes where the link points, so the target's
//! folder is watched too, and the target's path counts as the input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A folder's identity: device and inode.
type Ident = (u64, u64);

fn ident(dir: &Path) -> Option<Ident> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(dir).ok().filter(|m| m.is_dir())?;
    Some((m.dev(), m.ino()))
}

/// The inputs as `watch` must see them: each one and, when it is a symlink, what it
/// points to (events name the target's path).
pub fn with_targets(deps: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    let targets = deps.iter().filter_map(|p| {
        let link = std::fs::symlink_metadata(p).ok()?.file_type().is_symlink();
        link.then(|| std::fs::canonicalize(p).ok()).flatten()
    });
    deps.iter().cloned().chain(targets).collect()
}

/// The folders of `paths` (each an input or a symlink target).
pub fn folders(paths: &BTreeSet<PathBuf>) -> BTreeSet<PathBuf> {
    paths
        .iter()
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect()
}

/// What can start and stop watching a folder (the debouncer; a fake in tests).
pub trait Watcher {
    fn watch(&mut self, dir: &Path) -> bool;
    fn unwatch(&mut self, dir: &Path);
}

/// The folders being watched, each with the identity it had when watched.
#[derive(Default)]
pub struct Dirs {
    watched: BTreeMap<PathBuf, Ident>,
    /// Whether `refresh` has run: the first watches are no arrival.
    started: bool,
}

impl Dirs {
    /// Drops the watches of folders that are gone or replaced, and watches each of
    /// `needed` that exists and is not watched. Returns whether a folder went or came
    /// after the first call: a folder renamed away or back raises no event for the
    /// files in it, which may have changed all the same.
    pub fn refresh(&mut self, w: &mut dyn Watcher, needed: &BTreeSet<PathBuf>) -> bool {
        let first = !std::mem::replace(&mut self.started, true);
        let dead: Vec<PathBuf> = (self.watched.iter())
            .filter(|(d, id)| ident(d) != Some(**id) || !needed.contains(*d))
            .map(|(d, _)| d.clone())
            .collect();
        for d in &dead {
            w.unwatch(d);
            self.watched.remove(d);
        }
        let mut arrived = false;
        for d in needed {
            if self.watched.contains_key(d) {
                continue;
            }
            let Some(id) = ident(d) else { continue };
            if w.watch(d) {
                self.watched.insert(d.clone(), id);
                arrived = true;
            }
        }
        (arrived || !dead.is_empty()) && !first
    }

    /// Drops the watch of `dir` now (its removal was seen): a folder restored before
    /// the next check could otherwise look like the one watched.
    pub fn forget(&mut self, w: &mut dyn Watcher, dir: &Path) {
        if self.watched.remove(dir).is_some() {
            w.unwatch(dir);
        }
    }
}

impl<T: notify::Watcher, C: notify_debouncer_full::FileIdCache> Watcher
    for notify_debouncer_full::Debouncer<T, C>
{
    fn watch(&mut self, dir: &Path) -> bool {
        notify_debouncer_full::Debouncer::watch(self, dir, notify::RecursiveMode::NonRecursive)
            .is_ok()
    }
    fn unwatch(&mut self, dir: &Path) {
        // A folder already gone has lost its watch; nothing to report.
        let _ = notify_debouncer_full::Debouncer::unwatch(self, dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Log(Vec<String>);

    impl Watcher for Log {
        fn watch(&mut self, dir: &Path) -> bool {
            self.0.push(format!(
                "watch {}",
                dir.file_name().unwrap().to_string_lossy()
            ));
            true
        }
        fn unwatch(&mut self, dir: &Path) {
            self.0.push(format!(
                "unwatch {}",
                dir.file_name().unwrap().to_string_lossy()
            ));
        }
    }

    #[test]
    fn a_deleted_and_restored_folder_is_watched_again() {
        let root = tempfile::tempdir().unwrap();
        let stems = root.path().join("stems");
        std::fs::create_dir(&stems).unwrap();
        let needed = BTreeSet::from([root.path().to_path_buf(), stems.clone()]);
        let (mut dirs, mut log) = (Dirs::default(), Log::default());
        assert!(
            !dirs.refresh(&mut log, &needed),
            "the first watch is no arrival"
        );
        assert!(!dirs.refresh(&mut log, &needed), "nothing changed");
        std::fs::remove_dir(&stems).unwrap();
        assert!(dirs.refresh(&mut log, &needed), "the folder went");
        assert!(!dirs.refresh(&mut log, &needed), "and stays gone");
        std::fs::create_dir(&stems).unwrap();
        assert!(
            dirs.refresh(&mut log, &needed),
            "the restored folder arrives"
        );
        let stems_log: Vec<&String> = log.0.iter().filter(|l| l.ends_with("stems")).collect();
        assert_eq!(stems_log, ["watch stems", "unwatch stems", "watch stems"]);
    }

    #[test]
    fn a_symlinked_input_brings_its_target() {
        let root = tempfile::tempdir().unwrap();
        let elsewhere = root.path().join("library");
        std::fs::create_dir(&elsewhere).unwrap();
        let target = elsewhere.join("kick.wav");
        std::fs::write(&target, b"x").unwrap();
        let link = root.path().join("kick.wav");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let all = with_targets(&BTreeSet::from([link.clone()]));
        let target = std::fs::canonicalize(&target).unwrap();
        assert_eq!(all, BTreeSet::from([link, target.clone()]));
        assert!(folders(&all).contains(target.parent().unwrap()));
    }
}
