//! Content hashes of input files, remembered by size and modification time so that a
//! save re-reads only the files it touched (a song's stems can be gigabytes).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub type Memo = HashMap<PathBuf, (u64, SystemTime, blake3::Hash)>;

/// The blake3 of `path`'s bytes, or `None` when it cannot be read.
pub fn hash(memo: &mut Memo, path: &Path) -> Option<blake3::Hash> {
    let meta = std::fs::metadata(path).ok()?;
    let stamp = (meta.len(), meta.modified().ok()?);
    if let Some(&(len, time, h)) = memo.get(path)
        && (len, time) == stamp
    {
        return Some(h);
    }
    let h = hash_bytes(path)?;
    memo.insert(path.to_path_buf(), (stamp.0, stamp.1, h));
    Some(h)
}

/// The blake3 of a file's bytes, read in full.
pub fn hash_bytes(path: &Path) -> Option<blake3::Hash> {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path).ok()?;
    std::io::copy(&mut f, &mut h).ok()?;
    Some(h.finalize())
}
