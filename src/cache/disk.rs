//! Cache entries on disk: one file per entry, `KIND-HASH.f32`, holding a small header
//! (magic, plane count, frames) and the planes as little-endian f32. Written to a
//! temporary file and renamed, so a reader never sees half an entry. A loudness
//! solve is a small JSON file beside them, `solve-HASH.json`.

use crate::render::solve::Solved;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"MIXDC001";

pub fn path(dir: &Path, kind: &str, key: &blake3::Hash) -> PathBuf {
    dir.join(format!("{kind}-{}.f32", key.to_hex()))
}

pub fn write(path: &Path, planes: &[Vec<f32>]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        let frames = planes.first().map_or(0, Vec::len);
        w.write_all(MAGIC)?;
        w.write_all(&(planes.len() as u64).to_le_bytes())?;
        w.write_all(&(frames as u64).to_le_bytes())?;
        for p in planes {
            for x in p {
                w.write_all(&x.to_le_bytes())?;
            }
        }
        w.flush()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The planes stored at `path`, or `None` when it is missing or not a whole entry.
pub fn read(path: &Path) -> Option<Vec<Vec<f32>>> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes).ok()?;
    let (head, body) = bytes.split_at_checked(24)?;
    if &head[..8] != MAGIC {
        return None;
    }
    let word = |i: usize| u64::from_le_bytes(head[i..i + 8].try_into().expect("8 bytes"));
    let (count, frames) = (
        usize::try_from(word(8)).ok()?,
        usize::try_from(word(16)).ok()?,
    );
    if body.len() != count.checked_mul(frames)?.checked_mul(4)? {
        return None;
    }
    // Marks it used, for `prune`; a read-only folder only loses that ordering.
    let _ = f.set_modified(std::time::SystemTime::now());
    let planes = body
        .chunks_exact(frames * 4)
        .map(|p| {
            p.chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")))
                .collect()
        })
        .collect();
    Some(if frames == 0 {
        vec![Vec::new(); count]
    } else {
        planes
    })
}

/// Where the solve under `key` is kept: JSON, whose numbers read back to the same
/// bits (the drive must be exactly the whole render's).
fn solve_path(dir: &Path, key: &blake3::Hash) -> PathBuf {
    dir.join(format!("solve-{}.json", key.to_hex()))
}

pub fn write_solve(dir: &Path, key: &blake3::Hash, s: &Solved) -> std::io::Result<()> {
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer(&mut tmp, s)?;
    tmp.persist(solve_path(dir, key))?;
    Ok(())
}

pub fn read_solve(dir: &Path, key: &blake3::Hash) -> Option<Solved> {
    let text = std::fs::read(solve_path(dir, key)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Deletes the least recently used entries until the folder holds at most `budget` bytes.
pub fn prune(dir: &Path, budget: u64) {
    let Ok(list) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, u64, PathBuf)> = list
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "f32"))
        .filter_map(|e| {
            let m = e.metadata().ok()?;
            Some((m.modified().ok()?, m.len(), e.path()))
        })
        .collect();
    let mut total: u64 = files.iter().map(|f| f.1).sum();
    files.sort();
    for (_, len, p) in files {
        if total <= budget {
            break;
        }
        if std::fs::remove_file(&p).is_ok() {
            total -= len;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solve_reads_back_to_the_same_bits() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = blake3::hash(b"solve");
        let s = Solved {
            drive_db: 4.490_123_456_789_012,
            max_gain_reduction_db: Some(0.1 + 0.2),
            integrated_lufs: -14.000_000_000_000_2,
            trials: 3,
        };
        write_solve(dir.path(), &key, &s).expect("write");
        assert_eq!(read_solve(dir.path(), &key), Some(s));
        assert_eq!(read_solve(dir.path(), &blake3::hash(b"other")), None);
    }

    #[test]
    fn entries_round_trip_and_damage_is_a_miss() {
        let dir = tempfile::tempdir().expect("tmp");
        let key = blake3::hash(b"k");
        let p = path(dir.path(), "node", &key);
        let planes = vec![vec![0.5, -1.0, f32::MIN_POSITIVE], vec![1.0, 2.0, 3.0]];
        write(&p, &planes).expect("write");
        assert_eq!(read(&p), Some(planes));
        let mut bytes = std::fs::read(&p).expect("read");
        bytes.pop();
        std::fs::write(&p, &bytes).expect("truncate");
        assert_eq!(read(&p), None, "a truncated entry must not be used");
    }
}
