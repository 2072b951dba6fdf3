//! The input files a cached render names by content, hashed once per render, and the
//! check that they held still while it read them.
//!
//! A cache key says "these bytes"; what is stored under it must come from those bytes.
//! A stem saved while a render decodes it would otherwise leave the old key holding
//! new audio (or a mix of both) for every later render. So each file is hashed once
//! (every key of the render agrees), and before anything read from it is stored, its
//! stamp is compared with the one it had when the compile first opened it and when it
//! was hashed; a file changed too recently for its stamp to tell is hashed again.

use crate::cache::files::{self, Stamp};
use crate::cache::{Cache, Key};
use crate::diag::Diagnostic;
use crate::world::World;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The hashes of one render's input files.
pub struct Held<'a> {
    cache: &'a Cache,
    seen: RefCell<BTreeMap<PathBuf, Option<(Key, Stamp)>>>,
}

impl<'a> Held<'a> {
    pub fn new(cache: &'a Cache) -> Self {
        Self {
            cache,
            seen: RefCell::default(),
        }
    }

    /// The content hash of `path`, the same for the whole render.
    pub fn hash(&self, path: &Path) -> Option<Key> {
        if let Some(h) = self.seen.borrow().get(path) {
            return h.map(|(h, _)| h);
        }
        let h = self.cache.file_stamped(path);
        self.seen.borrow_mut().insert(path.to_path_buf(), h);
        h.map(|(h, _)| h)
    }

    /// An error for each hashed file that changed since the compile first read it.
    pub fn verify(&self, world: &dyn World) -> Vec<Diagnostic> {
        let now = std::time::SystemTime::now();
        let seen = self.seen.borrow();
        let hashed = seen.iter().filter_map(|(p, h)| Some((p, (*h)?)));
        hashed
            .filter(|(p, (hash, stamp))| !held(world, p, hash, stamp, now))
            .map(|(p, _)| changed(p))
            .collect()
    }
}

fn held(
    world: &dyn World,
    path: &Path,
    hash: &Key,
    stamp: &Stamp,
    now: std::time::SystemTime,
) -> bool {
    let first = world.first_stamp(path);
    if first.is_some_and(|f| f != *stamp) || Stamp::of(path) != Some(*stamp) {
        return false;
    }
    // Same stamp, but recent enough that a same-size save could hide in it.
    !stamp.racy(now) || files::hash_bytes(path) == Some(*hash)
}

fn changed(path: &Path) -> Diagnostic {
    Diagnostic::global(
        "input-changed",
        format!(
            "`{}` changed while it was being rendered; nothing was written",
            path.display()
        ),
    )
    .with_hint("render again once the file is saved (`mixdown watch` does so by itself)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::DiskWorld;

    #[test]
    fn a_file_saved_after_the_compile_read_it_fails_the_render() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("kick.wav");
        std::fs::write(&p, b"first").unwrap();
        let world = DiskWorld::new();
        world.record(&p);
        let cache = Cache::new(16, None).unwrap();
        let held = Held::new(&cache);
        assert_eq!(held.hash(&p), Some(blake3::hash(b"first")));
        assert!(held.verify(&world).is_empty(), "nothing changed");
        // A save by rename, as editors do: a new inode under the same name.
        let tmp = dir.path().join("kick.tmp");
        std::fs::write(&tmp, b"other").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        let errors = held.verify(&world);
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("kick.wav"),
            "{}",
            errors[0].message
        );
        // Hashed once per render: the key stays that of the bytes first hashed.
        assert_eq!(held.hash(&p), Some(blake3::hash(b"first")));
    }

    #[test]
    fn a_file_changed_between_the_compile_and_the_hash_fails_the_render() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ir.wav");
        std::fs::write(&p, b"first").unwrap();
        let world = DiskWorld::new();
        world.record(&p);
        let tmp = dir.path().join("ir.tmp");
        std::fs::write(&tmp, b"other").unwrap();
        std::fs::rename(&tmp, &p).unwrap();
        let cache = Cache::new(16, None).unwrap();
        let held = Held::new(&cache);
        assert_eq!(held.hash(&p), Some(blake3::hash(b"other")));
        assert_eq!(held.verify(&world).len(), 1);
    }
}
