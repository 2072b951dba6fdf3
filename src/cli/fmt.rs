//! `mixdown fmt FILE... [--check]`: rewrite `.mix` files in the canonical layout
//! (see [`crate::fmt`]). Folders are searched for `.mix` files. With `--check`
//! nothing is written: the files that would change are listed and the exit code is
//! 1, for CI.

use crate::world::{DiskWorld, World};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The .mix files, or folders to search for them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Write nothing; list the files that are not formatted and exit 1 if there are any.
    #[arg(long)]
    check: bool,
}

pub fn run(a: Args) -> ExitCode {
    let mut files = Vec::new();
    for f in &a.files {
        if let Err(e) = collect(f, &mut files) {
            eprintln!("error: cannot read {}: {e}", f.display());
            return ExitCode::from(2);
        }
    }
    let world = DiskWorld::new();
    let mut changed = Vec::new();
    let mut broken = false;
    for file in &files {
        let id = match world.load_source(file) {
            Ok(id) => id,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        let text = world.source(id).text;
        let formatted = match crate::fmt::format(id, &text) {
            Ok(t) => t,
            Err(diags) => {
                super::print_diags(&diags, &world);
                broken = true;
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if !a.check
            && let Err(e) = write(file, &formatted)
        {
            eprintln!("error: cannot write {}: {e}", file.display());
            return ExitCode::from(2);
        }
        changed.push(file);
    }
    for f in &changed {
        if a.check {
            println!("would reformat {}", f.display());
        } else {
            eprintln!("formatted {}", f.display());
        }
    }
    if broken || (a.check && !changed.is_empty()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `path` itself, or every `.mix` under it, hidden ones aside (sorted, so output is stable).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        // Hidden files and folders (`.git`, editors' temp files) are not the user's mixes.
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            collect(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "mix") {
            out.push(p);
        }
    }
    Ok(())
}

/// Replaces the file through a temp file beside it, so an interrupted write
/// never leaves half a mix behind.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
