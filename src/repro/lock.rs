//! `FILE.mix.lock`: the blake3 hash of every input a render read and every file it
//! wrote, beside the mix.
//!
//! ```yaml
//! # Written by `mixdown render --lock`; checked by `render --locked` and `mixdown verify`.
//! mixdown: 0.1.0
//! inputs:
//!   song.mix: 5e0c...
//!   stems/bass.wav: 9a41...
//! outputs:
//!   out/song.wav: 77b2...
//! ```
//!
//! Paths are relative to the mix file's folder with `/` separators, and both maps are
//! sorted, so the lock reads the same on every machine and a change is a one-line diff.
//! Inputs are what the [`crate::world::World`] recorded: the mix, `use`d modules,
//! audio and impulse responses (the stdlib is part of the binary, so of the version).

use crate::ir::Mix;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

const HEADER: &str =
    "# Written by `mixdown render --lock`; checked by `render --locked` and `mixdown verify`.\n";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lock {
    /// The mixdown version that rendered the outputs.
    pub mixdown: String,
    /// Relative path -> blake3 hex.
    pub inputs: BTreeMap<String, String>,
    pub outputs: BTreeMap<String, String>,
}

/// `song.mix` -> `song.mix.lock`.
pub fn lock_path(mix: &Path) -> PathBuf {
    let mut s = mix.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// The folder paths in the lock are relative to: the mix file's, absolute.
pub fn base_of(mix: &Path) -> std::io::Result<PathBuf> {
    let abs = std::path::absolute(mix)?;
    Ok(abs.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// `path` relative to `base` (both absolute), with `..` where needed and `/` between
/// components, so the text is the same on every system.
pub fn relative(base: &Path, path: &Path) -> String {
    let norm = |p: &Path| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                Component::ParentDir => {
                    out.pop();
                }
                Component::CurDir => {}
                c => out.push(c.as_os_str().to_string_lossy().into_owned()),
            }
        }
        out
    };
    let (b, p) = (norm(base), norm(path));
    let common = b.iter().zip(&p).take_while(|(x, y)| x == y).count();
    let mut parts: Vec<&str> = vec![".."; b.len() - common];
    parts.extend(p[common..].iter().map(String::as_str));
    parts.join("/")
}

/// Blake3 of a file's bytes, streamed; `None` when it cannot be read.
pub fn hash_file(path: &Path) -> Option<String> {
    let mut h = blake3::Hasher::new();
    let mut f = std::fs::File::open(path).ok()?;
    std::io::copy(&mut f, &mut h).ok()?;
    Some(h.finalize().to_hex().to_string())
}

/// Hashes `paths` (absolute) into a map keyed relative to `base`; unreadable files
/// are left out, so they show as missing.
pub fn hash_all<'a>(
    base: &Path,
    paths: impl IntoIterator<Item = &'a PathBuf>,
) -> BTreeMap<String, String> {
    paths
        .into_iter()
        .filter_map(|p| Some((relative(base, p), hash_file(p)?)))
        .collect()
}

/// The files a render of `mix` will read beyond the ones its compile did: audio and
/// impulse responses. `render --locked` checks them before rendering.
pub fn planned_inputs(mix: &Mix) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    for s in mix.strips.iter().chain([&mix.master]) {
        if let Some(crate::ir::Source::File { path, .. }) = &s.source {
            out.insert(path.clone());
        }
        for ins in &s.inserts {
            out.extend(crate::dsp::registry::files(ins));
        }
    }
    out.into_iter()
        .filter_map(|p| std::path::absolute(p).ok())
        .collect()
}

/// Reads a lock file.
pub fn read(path: &Path) -> Result<Lock, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_saphyr::from_str(&text).map_err(|e| e.to_string())
}

/// Writes a lock file (header comment, then sorted YAML).
pub fn write(path: &Path, lock: &Lock) -> Result<(), String> {
    let yaml = serde_saphyr::to_string(lock).map_err(|e| e.to_string())?;
    std::fs::write(path, format!("{HEADER}{yaml}")).map_err(|e| e.to_string())
}

/// How one file differs from the lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// The bytes differ.
    Changed,
    /// In the lock, not here.
    Missing,
    /// Here, not in the lock.
    New,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub path: String,
    pub change: Change,
    /// The hash in the lock (`None` for a new file).
    pub expected: Option<String>,
    /// The hash now (`None` for a missing file).
    pub actual: Option<String>,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.change {
            Change::Changed => "changed",
            Change::Missing => "missing",
            Change::New => "new (not in the lock)",
        };
        write!(f, "{}: {what}", self.path)
    }
}

/// Every difference between the locked and the actual map, in path order.
pub fn compare(
    locked: &BTreeMap<String, String>,
    actual: &BTreeMap<String, String>,
) -> Vec<Difference> {
    let keys: BTreeSet<&String> = locked.keys().chain(actual.keys()).collect();
    keys.into_iter()
        .filter_map(|k| {
            let (e, a) = (locked.get(k), actual.get(k));
            let change = match (e, a) {
                (Some(x), Some(y)) if x == y => return None,
                (Some(_), Some(_)) => Change::Changed,
                (Some(_), None) => Change::Missing,
                (None, _) => Change::New,
            };
            Some(Difference {
                path: k.clone(),
                change,
                expected: e.cloned(),
                actual: a.cloned(),
            })
        })
        .collect()
}

/// The inputs now, for `render --locked`: every file of the lock (so a removed one
/// shows as missing) plus every file this compile read or the render will read (so
/// an unlocked one shows as new).
pub fn current_inputs(
    base: &Path,
    lock: &Lock,
    read_so_far: &[PathBuf],
    planned: &BTreeSet<PathBuf>,
) -> BTreeMap<String, String> {
    let locked: Vec<PathBuf> = lock.inputs.keys().map(|k| base.join(k)).collect();
    let all: BTreeSet<&PathBuf> = locked.iter().chain(read_so_far).chain(planned).collect();
    hash_all(base, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        let b = Path::new("/a/b");
        assert_eq!(relative(b, Path::new("/a/b/c/d.wav")), "c/d.wav");
        assert_eq!(relative(b, Path::new("/a/x.wav")), "../x.wav");
        assert_eq!(relative(b, Path::new("/a/b/./c/../e.mix")), "e.mix");
    }

    #[test]
    fn compare_names_each_change() {
        let m = |xs: &[(&str, &str)]| -> BTreeMap<String, String> {
            xs.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let d = compare(
            &m(&[("a", "1"), ("b", "2"), ("c", "3")]),
            &m(&[("a", "1"), ("b", "9"), ("d", "4")]),
        );
        let got: Vec<(&str, Change)> = d.iter().map(|d| (d.path.as_str(), d.change)).collect();
        assert_eq!(
            got,
            [
                ("b", Change::Changed),
                ("c", Change::Missing),
                ("d", Change::New)
            ]
        );
    }

    #[test]
    fn lock_round_trips_through_yaml() {
        let lock = Lock {
            mixdown: "0.1.0".into(),
            inputs: [("song.mix".to_string(), "ab".to_string())].into(),
            outputs: [("out/song.wav".to_string(), "cd".to_string())].into(),
        };
        let dir = tempfile::tempdir().expect("dir");
        let p = dir.path().join("x.mix.lock");
        write(&p, &lock).expect("write");
        assert_eq!(read(&p).expect("read"), lock);
    }
}
