//! Content hashes of input files, remembered by their [`Stamp`] so that a save
//! re-reads only the files it touched (a song's stems can be gigabytes).
//!
//! A stamp alone can miss a change: file systems keep times at a coarse grain (a
//! kernel tick on Linux, two seconds on FAT), so a same-size save within that grain of
//! the hash leaves the stamp as it was. Like git's "racy" index entries, a hash taken
//! within [`RACY`] of the file's last change is not trusted later: the file is read
//! again until a hash is taken well after its last change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How close to a file's last change a hash must not be to be trusted by stamp alone
/// (the coarsest common time grain, FAT's two seconds).
pub const RACY: Duration = Duration::from_secs(2);

/// What the file system says about a file without reading it: size, change times and
/// identity (a save by rename gives a new inode even when size and times agree).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    modified: SystemTime,
    /// Status change time: also moves on a rename over the file or a `touch -m` back.
    changed: (i64, i64),
    ino: u64,
    dev: u64,
}

impl Stamp {
    /// The stamp of `path` (following symlinks), or `None` when it cannot be read.
    pub fn of(path: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok()?,
            changed: (m.ctime(), m.ctime_nsec()),
            ino: m.ino(),
            dev: m.dev(),
        })
    }

    /// The later of the modification and status change times.
    fn last_change(&self) -> SystemTime {
        let (s, ns) = self.changed;
        let changed = u64::try_from(s)
            .ok()
            .map(|s| SystemTime::UNIX_EPOCH + Duration::new(s, ns.clamp(0, 999_999_999) as u32));
        changed.map_or(self.modified, |c| c.max(self.modified))
    }

    /// Whether a hash taken at `at` could have missed a change this stamp cannot show.
    pub fn racy(&self, at: SystemTime) -> bool {
        at <= self.last_change() + RACY
    }
}

struct Entry {
    stamp: Stamp,
    hashed_at: SystemTime,
    hash: blake3::Hash,
}

#[derive(Default)]
pub struct Memo(HashMap<PathBuf, Entry>);

/// The blake3 of `path`'s bytes and the stamp they were read under, or `None` when it
/// cannot be read (or changed while it was read).
pub fn hash(memo: &mut Memo, path: &Path) -> Option<(blake3::Hash, Stamp)> {
    let stamp = Stamp::of(path)?;
    if let Some(e) = memo.0.get(path)
        && e.stamp == stamp
        && !stamp.racy(e.hashed_at)
    {
        return Some((e.hash, stamp));
    }
    let hashed_at = SystemTime::now();
    let hash = hash_bytes(path)?;
    // A change while reading leaves a hash of neither version: not worth keeping.
    if Stamp::of(path) != Some(stamp) {
        memo.0.remove(path);
        return None;
    }
    let entry = Entry {
        stamp,
        hashed_at,
        hash,
    };
    memo.0.insert(path.to_path_buf(), entry);
    Some((hash, stamp))
}

/// The blake3 of a file's bytes, read in full.
pub fn hash_bytes(path: &Path) -> Option<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path).ok()?;
    std::io::copy(&mut f, &mut h).ok()?;
    Some(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;

    fn write_with_time(path: &Path, bytes: &[u8], time: SystemTime) {
        std::fs::write(path, bytes).unwrap();
        File::options()
            .write(true)
            .open(path)
            .unwrap()
            .set_modified(time)
            .unwrap();
    }

    #[test]
    fn a_same_size_save_with_the_same_mtime_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let t = SystemTime::now() - Duration::from_secs(3600);
        write_with_time(&p, b"first", t);
        let mut memo = Memo::default();
        let (a, _) = hash(&mut memo, &p).unwrap();
        // Same size, same mtime: only the status change time (and the racy rule) tell.
        write_with_time(&p, b"other", t);
        let (b, _) = hash(&mut memo, &p).unwrap();
        assert_ne!(a, b);
        assert_eq!(b, blake3::hash(b"other"));
    }

    #[test]
    fn an_old_file_is_read_once() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        std::fs::write(&p, b"bytes").unwrap();
        let old = Stamp::of(&p).unwrap();
        // A hash taken well after the last change is trusted by stamp.
        assert!(!old.racy(old.last_change() + RACY + Duration::from_millis(1)));
        assert!(old.racy(old.last_change() + Duration::from_millis(1)));
        let mut memo = Memo::default();
        let (h, stamp) = hash(&mut memo, &p).unwrap();
        assert_eq!(h, blake3::hash(b"bytes"));
        assert_eq!(stamp, old);
    }

    #[test]
    fn a_save_by_rename_changes_the_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.wav");
        let tmp = dir.path().join("a.wav.tmp");
        let t = SystemTime::now() - Duration::from_secs(3600);
        write_with_time(&p, b"first", t);
        let before = Stamp::of(&p).unwrap();
        write_with_time(&tmp, b"other", t);
        std::fs::rename(&tmp, &p).unwrap();
        assert_ne!(Stamp::of(&p), Some(before));
    }
}
