//! All file access of a compile goes through a [`World`].
//!
//! The disk world used by the CLI records every file it hands out; that record is
//! exactly the set of files `watch` must watch and `--lock` must hash. Tests use
//! [`MemoryWorld`] so they need no disk.

use crate::cache::files::Stamp;
use crate::span::SourceId;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A readable, seekable byte stream (what decoders need).
pub trait ReadSeek: std::io::Read + std::io::Seek + Send + Sync {}
impl<T: std::io::Read + std::io::Seek + Send + Sync> ReadSeek for T {}

/// One source text (a `.mix` file or an embedded stdlib module).
#[derive(Debug, Clone)]
pub struct Source {
    pub id: SourceId,
    /// The name shown in diagnostics: the path as the user wrote it, or `std/NAME.mix`.
    pub name: String,
    /// Where relative paths inside this source resolve from (`None` for the stdlib).
    pub dir: Option<PathBuf>,
    pub text: String,
}

/// File access for one compile and render.
pub trait World: Sync {
    /// Loads a mix source and gives it an id. Reading the same path twice gives the same id.
    fn load_source(&self, path: &Path) -> std::io::Result<SourceId>;
    /// Registers a source that has no file (the stdlib, or a test string).
    fn add_virtual(&self, name: &str, text: &str) -> SourceId;
    fn source(&self, id: SourceId) -> Source;
    /// Opens a binary input (audio, impulse responses) for streaming reads, so a long
    /// stem is never held whole in memory.
    fn open(&self, path: &Path) -> std::io::Result<Box<dyn ReadSeek>>;
    /// Records a file the render reads whole by itself (an impulse response), so
    /// locks and `watch` know it like any other input.
    fn record(&self, path: &Path);
    /// Every file read so far, in path order.
    fn dependencies(&self) -> Vec<PathBuf>;
    /// The stamp a file had when this world first handed it out, to tell a render
    /// that its input changed under it (`None` when not known).
    fn first_stamp(&self, _path: &Path) -> Option<Stamp> {
        None
    }
}

#[derive(Default)]
struct Sources {
    list: Vec<Source>,
    by_path: BTreeMap<PathBuf, SourceId>,
}

impl Sources {
    fn add(
        &mut self,
        name: String,
        dir: Option<PathBuf>,
        text: String,
        key: Option<PathBuf>,
    ) -> SourceId {
        if let Some(id) = key.as_ref().and_then(|k| self.by_path.get(k)) {
            return *id;
        }
        let id = SourceId(self.list.len() as u16);
        self.list.push(Source {
            id,
            name,
            dir,
            text,
        });
        if let Some(k) = key {
            self.by_path.insert(k, id);
        }
        id
    }
}

/// The real file system; records what it read, and each file's stamp when first read.
#[derive(Default)]
pub struct DiskWorld {
    sources: Mutex<Sources>,
    read: Mutex<BTreeMap<PathBuf, Option<Stamp>>>,
}

impl DiskWorld {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `abs` with its stamp now, unless it was recorded before: the first
    /// reading is the one a render's keys must agree with.
    fn note(&self, abs: &Path) {
        let mut read = self.read.lock().unwrap();
        if !read.contains_key(abs) {
            read.insert(abs.to_path_buf(), Stamp::of(abs));
        }
    }
}

/// Display name for a path: relative to the working directory when possible.
fn display_name(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = cwd
        .as_deref()
        .and_then(|c| path.strip_prefix(c).ok())
        .unwrap_or(path);
    rel.display().to_string()
}

impl World for DiskWorld {
    fn load_source(&self, path: &Path) -> std::io::Result<SourceId> {
        let abs = std::path::absolute(path)?;
        self.note(&abs);
        let text = std::fs::read_to_string(&abs)?;
        let dir = abs.parent().map(Path::to_path_buf);
        Ok(self
            .sources
            .lock()
            .unwrap()
            .add(display_name(path), dir, text, Some(abs)))
    }

    fn add_virtual(&self, name: &str, text: &str) -> SourceId {
        let key = PathBuf::from(format!("<virtual>/{name}"));
        self.sources
            .lock()
            .unwrap()
            .add(name.to_string(), None, text.to_string(), Some(key))
    }

    fn source(&self, id: SourceId) -> Source {
        self.sources.lock().unwrap().list[id.0 as usize].clone()
    }

    fn open(&self, path: &Path) -> std::io::Result<Box<dyn ReadSeek>> {
        let abs = std::path::absolute(path)?;
        // Record before opening: a missing file is still a dependency, so `watch`
        // notices when it appears.
        self.note(&abs);
        Ok(Box::new(std::io::BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(&abs)?,
        )))
    }

    fn record(&self, path: &Path) {
        if let Ok(abs) = std::path::absolute(path) {
            self.note(&abs);
        }
    }

    fn dependencies(&self) -> Vec<PathBuf> {
        self.read.lock().unwrap().keys().cloned().collect()
    }

    fn first_stamp(&self, path: &Path) -> Option<Stamp> {
        let abs = std::path::absolute(path).ok()?;
        self.read.lock().unwrap().get(&abs).copied().flatten()
    }
}

/// An in-memory world for tests: files are given as (path, bytes).
#[derive(Default)]
pub struct MemoryWorld {
    files: BTreeMap<PathBuf, Vec<u8>>,
    sources: Mutex<Sources>,
    read: Mutex<std::collections::BTreeSet<PathBuf>>,
}

impl MemoryWorld {
    pub fn new() -> Self {
        Self::default()
    }

    fn bytes(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
    }

    pub fn with_file(mut self, path: impl Into<PathBuf>, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.insert(path.into(), bytes.into());
        self
    }
}

impl World for MemoryWorld {
    fn load_source(&self, path: &Path) -> std::io::Result<SourceId> {
        self.read.lock().unwrap().insert(path.to_path_buf());
        let bytes = self.bytes(path)?;
        let text = String::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        let dir = Some(path.parent().map(Path::to_path_buf).unwrap_or_default());
        Ok(self.sources.lock().unwrap().add(
            path.display().to_string(),
            dir,
            text,
            Some(path.to_path_buf()),
        ))
    }

    fn add_virtual(&self, name: &str, text: &str) -> SourceId {
        let key = PathBuf::from(format!("<virtual>/{name}"));
        self.sources.lock().unwrap().add(
            name.to_string(),
            Some(PathBuf::new()),
            text.to_string(),
            Some(key),
        )
    }

    fn source(&self, id: SourceId) -> Source {
        self.sources.lock().unwrap().list[id.0 as usize].clone()
    }

    fn open(&self, path: &Path) -> std::io::Result<Box<dyn ReadSeek>> {
        self.read.lock().unwrap().insert(path.to_path_buf());
        Ok(Box::new(std::io::Cursor::new(self.bytes(path)?)))
    }

    fn record(&self, path: &Path) {
        self.read.lock().unwrap().insert(path.to_path_buf());
    }

    fn dependencies(&self) -> Vec<PathBuf> {
        self.read.lock().unwrap().iter().cloned().collect()
    }
}
