//! The render cache: what `watch` (and `render --cache DIR`) keeps between renders so
//! that a save re-renders only what it changed.
//!
//! Three kinds of entry, all addressed by content ([`keys`]):
//! - **sources**: a track's file decoded and resampled to the session rate, keyed by
//!   the file's bytes and the rate;
//! - **nodes**: a strip's whole output (post-fader, and pre-fader when a send taps
//!   it), keyed by everything that determines it, its inputs' keys included; a strip
//!   whose key is cached is replayed, not run;
//! - **outputs**: a file written by an export, keyed by what was written into it,
//!   with the hash of its bytes: when the file on disk still has those bytes it is
//!   not written again.
//!
//! Sources and nodes live in memory within a budget (`--cache-mb`); the least
//! recently used go first, sources before nodes (a source only helps when its strip
//! runs again). With a folder, they are also written there and read back by later
//! processes (CI reusing its decoded sources), within the same budget on disk.
//!
//! Of each strip's outputs, the newest two (the current one and the one before, so
//! that undoing an edit replays) are kept; an older one is let go when the strip
//! renders anew, and its buffers go to the [`pool`] for the render to write into.
//!
//! A replay is the very samples a run wrote, so a cached render is bit-identical to
//! an uncached one.

mod disk;
pub mod files;
pub mod keys;
mod pool;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub type Key = blake3::Hash;

/// Planar samples: a source's channels, or a node's `[post L, post R, (pre L, pre R)]`.
pub type Planes = Arc<Vec<Vec<f32>>>;

/// Outputs of one strip kept at a time: the newest and the one before.
const VERSIONS: usize = 2;

/// The default memory budget, in MB: two hours of stereo 48 kHz nodes, or a long
/// song's whole graph several times over.
pub const DEFAULT_BUDGET_MB: usize = 2048;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
enum Kind {
    Source,
    Node,
}

impl Kind {
    fn prefix(self) -> &'static str {
        match self {
            Kind::Source => "source",
            Kind::Node => "node",
        }
    }
}

struct Entry {
    planes: Planes,
    kind: Kind,
    /// The render that last used it.
    used: u64,
}

fn bytes(planes: &[Vec<f32>]) -> usize {
    planes.iter().map(|p| p.len() * 4).sum()
}

/// A file as an export wrote it: the report line, the hash of its bytes, and the
/// length of the render in session frames (the report line counts the export's own
/// frames, which differ when it converts the rate).
#[derive(Clone)]
pub struct WrittenFile {
    pub written: crate::render::Written,
    pub hash: Key,
    pub session_frames: u64,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<(Kind, Key), Entry>,
    bytes: usize,
    generation: u64,
    outputs: HashMap<Key, WrittenFile>,
    solves: HashMap<Key, crate::render::solve::Solved>,
    files: files::Memo,
    /// Per strip (see [`keys::lineage`]), the keys of its outputs, oldest first.
    lineage: HashMap<Key, Vec<Key>>,
    pool: pool::Pool,
}

pub struct Cache {
    inner: Mutex<Inner>,
    budget: usize,
    dir: Option<PathBuf>,
}

impl Cache {
    /// A cache of `budget_mb` megabytes, kept on disk in `dir` too when given.
    pub fn new(budget_mb: usize, dir: Option<PathBuf>) -> std::io::Result<Self> {
        if let Some(d) = &dir {
            std::fs::create_dir_all(d)?;
        }
        Ok(Self {
            inner: Mutex::new(Inner::default()),
            budget: budget_mb.saturating_mul(1 << 20),
            dir,
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the maps half-updated: every update is one insert.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a render: what it uses from now on counts as recently used.
    pub fn begin(&self) {
        self.lock().generation += 1;
    }

    pub fn source(&self, key: &Key) -> Option<Planes> {
        self.get(Kind::Source, key)
    }

    pub fn node(&self, key: &Key) -> Option<Planes> {
        self.get(Kind::Node, key)
    }

    pub fn put_source(&self, key: Key, planes: Planes) {
        self.put(Kind::Source, key, planes);
    }

    pub fn put_node(&self, key: Key, planes: Planes) {
        self.put(Kind::Node, key, planes);
    }

    fn get(&self, kind: Kind, key: &Key) -> Option<Planes> {
        {
            let mut inner = self.lock();
            let generation = inner.generation;
            if let Some(e) = inner.entries.get_mut(&(kind, *key)) {
                e.used = generation;
                return Some(e.planes.clone());
            }
        }
        let dir = self.dir.as_deref()?;
        let planes: Planes = Arc::new(disk::read(&disk::path(dir, kind.prefix(), key))?);
        self.remember(kind, *key, planes.clone());
        Some(planes)
    }

    fn put(&self, kind: Kind, key: Key, planes: Planes) {
        if let Some(dir) = &self.dir {
            // A cache that cannot be written only costs time later; never fail a render.
            let _ = disk::write(&disk::path(dir, kind.prefix(), &key), &planes);
        }
        self.remember(kind, key, planes);
    }

    fn remember(&self, kind: Kind, key: Key, planes: Planes) {
        let size = bytes(&planes);
        if size > self.budget {
            return;
        }
        let mut inner = self.lock();
        let used = inner.generation;
        if let Some(old) = inner
            .entries
            .insert((kind, key), Entry { planes, kind, used })
        {
            inner.bytes -= bytes(&old.planes);
        }
        inner.bytes += size;
        self.evict(&mut inner);
    }

    /// Drops spare buffers, then entries, until the budget holds: the least recently
    /// used first, sources before nodes of the same render, then the largest.
    fn evict(&self, inner: &mut Inner) {
        // Spare buffers are the cheapest to lose.
        while inner.bytes + inner.pool.bytes() > self.budget && inner.pool.drop_one() {}
        if inner.bytes <= self.budget {
            return;
        }
        let mut order: Vec<_> = inner
            .entries
            .iter()
            .map(|(k, e)| (e.used, e.kind, std::cmp::Reverse(bytes(&e.planes)), *k))
            .collect();
        order.sort_by_key(|e| (e.0, e.1, e.2));
        for (_, _, _, k) in order {
            if inner.bytes <= self.budget {
                break;
            }
            if let Some(e) = inner.entries.remove(&k) {
                inner.bytes -= bytes(&e.planes);
            }
        }
    }

    /// Says that strip `line` is about to render output `next`: of the strip's
    /// earlier outputs the newest [`VERSIONS`]` - 1` stay, the older are let go and
    /// their buffers kept for [`Self::buffer`].
    pub fn supersede(&self, line: Key, next: Key) {
        let mut inner = self.lock();
        let Inner {
            lineage, entries, ..
        } = &mut *inner;
        let versions = lineage.entry(line).or_default();
        if versions.contains(&next) {
            return;
        }
        // A version a stopped render never stored, or one evicted, holds no place.
        versions.retain(|k| entries.contains_key(&(Kind::Node, *k)));
        versions.push(next);
        let old: Vec<Key> = match versions.len().checked_sub(VERSIONS) {
            Some(n) if n > 0 => versions.drain(..n).collect(),
            _ => return,
        };
        for k in old {
            if let Some(e) = inner.entries.remove(&(Kind::Node, k)) {
                inner.bytes -= bytes(&e.planes);
                // Shared only while a render still replays it; then it just goes.
                if let Ok(planes) = Arc::try_unwrap(e.planes) {
                    planes.into_iter().for_each(|p| inner.pool.give(p));
                }
            }
        }
        self.evict(&mut inner);
    }

    /// An empty buffer with room for `frames` samples, if possible one an earlier
    /// render already wrote (no page faults on first touch).
    pub fn buffer(&self, frames: usize) -> Vec<f32> {
        self.lock().pool.take(frames)
    }

    /// Keeps a buffer a render is done with for [`Self::buffer`].
    pub fn recycle(&self, v: Vec<f32>) {
        let mut inner = self.lock();
        inner.pool.give(v);
        self.evict(&mut inner);
    }

    /// Bytes held in memory.
    pub fn held(&self) -> usize {
        self.lock().bytes
    }

    /// Keeps the cache folder within the budget, dropping the least recently used files.
    pub fn prune_disk(&self) {
        if let Some(dir) = &self.dir {
            disk::prune(dir, self.budget as u64);
        }
    }

    pub fn output(&self, key: &Key) -> Option<WrittenFile> {
        self.lock().outputs.get(key).cloned()
    }

    pub fn put_output(&self, key: Key, file: WrittenFile) {
        self.lock().outputs.insert(key, file);
    }

    /// The loudness solve kept under `key`: in memory, or in the cache folder (so a
    /// region rendered by a later process takes the drive the whole song was solved at).
    pub fn solve(&self, key: &Key) -> Option<crate::render::solve::Solved> {
        if let Some(s) = self.lock().solves.get(key).copied() {
            return Some(s);
        }
        let s = disk::read_solve(self.dir.as_ref()?, key)?;
        self.lock().solves.insert(*key, s);
        Some(s)
    }

    pub fn put_solve(&self, key: Key, solved: crate::render::solve::Solved) {
        if let Some(dir) = &self.dir {
            // A solve that cannot be kept on disk is found again by the next render.
            let _ = disk::write_solve(dir, &key, &solved);
        }
        self.lock().solves.insert(key, solved);
    }

    /// The blake3 of a file's bytes, read again only when its stamp changed (or was
    /// too recent to trust, see [`files`]).
    pub fn file_hash(&self, path: &Path) -> Option<Key> {
        self.file_stamped(path).map(|(h, _)| h)
    }

    /// [`Cache::file_hash`] with the stamp the bytes were read under.
    pub fn file_stamped(&self, path: &Path) -> Option<(Key, files::Stamp)> {
        files::hash(&mut self.lock().files, path)
    }
}

#[cfg(test)]
mod tests;
