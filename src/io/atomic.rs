//! Atomic file replacement: write to a temp file beside the target, rename on success.
//!
//! The temp file lives in the target's directory because a rename is only atomic
//! within one file system. If the writer is dropped (an error, a panic, Ctrl-C
//! unwinding) the temp file is deleted and whatever was at the target stays as it was:
//! a render never leaves a half-written master behind.

use super::AudioError;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file being written that appears at `target` only on [`AtomicFile::commit`].
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl AtomicFile {
    /// Creates the parent directories and an empty temp file next to `target`.
    pub fn create(target: &Path) -> Result<Self, AudioError> {
        let err = |source| AudioError::Write {
            path: target.to_path_buf(),
            source,
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(err)?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(err)?;
        Ok(Self {
            tmp,
            target: target.to_path_buf(),
        })
    }

    pub fn target(&self) -> &Path {
        &self.target
    }

    /// A second handle on the temp file, for writers that take ownership of a `File`.
    pub fn handle(&self) -> Result<File, AudioError> {
        self.tmp.as_file().try_clone().map_err(|e| self.error(e))
    }

    /// Writes bytes at the current position of the temp file.
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), AudioError> {
        let r = self.tmp.as_file_mut().write_all(bytes);
        r.map_err(|e| self.error(e))
    }

    /// Flushes to disk and renames the temp file over the target.
    pub fn commit(self) -> Result<(), AudioError> {
        let target = self.target;
        let err = |source| AudioError::Write {
            path: target.clone(),
            source,
        };
        // Temp files are created owner-only; a finished render is an ordinary file
        // others (players, uploaders) must be able to read.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let perms = std::fs::Permissions::from_mode(0o644);
            self.tmp.as_file().set_permissions(perms).map_err(err)?;
        }
        self.tmp.as_file().sync_all().map_err(err)?;
        self.tmp.persist(&target).map_err(|e| err(e.error))?;
        Ok(())
    }

    pub(crate) fn error(&self, source: std::io::Error) -> AudioError {
        AudioError::Write {
            path: self.target.clone(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_replaces_and_drop_keeps_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("sub/dir/out.bin");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"first").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"first");

        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"second, unfinished").unwrap();
        drop(f);
        assert_eq!(std::fs::read(&target).unwrap(), b"first");
        // Only the target is left: the temp file went with the writer.
        let entries = std::fs::read_dir(target.parent().unwrap()).unwrap().count();
        assert_eq!(entries, 1);
    }
}
