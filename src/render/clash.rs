//! Outputs that would destroy something, refused before any file is replaced: two
//! exports writing one file (the second would silently replace the first), an
//! export or the report written over a file the mix reads (a stem, an impulse
//! response, a module, the mix itself: the source would be lost, and `watch` would
//! render its own output forever), or the report written over an export.
//!
//! Paths are compared as the file system resolves them (`o/../o/a.wav` is
//! `o/a.wav`, a symlink is the file it names), so spelling a path differently does
//! not get past the check.

use crate::diag::Diagnostic;
use crate::ir::Export;
use crate::world::World;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file `p` names: resolved when it exists, else its resolved folder and name.
pub fn identity(p: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(p) {
        return c;
    }
    let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
    match (
        parent.map_or(std::fs::canonicalize("."), std::fs::canonicalize),
        p.file_name(),
    ) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => p.to_path_buf(),
    }
}

/// Every clash among the files the exports write (`outs`), the `report` path and the
/// files `world` has read.
pub fn check(
    outs: &[(&Path, &Export)],
    report: Option<&Path>,
    world: &dyn World,
) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let inputs: BTreeMap<PathBuf, PathBuf> = world
        .dependencies()
        .into_iter()
        .map(|p| (identity(&p), p))
        .collect();
    let mut seen = BTreeMap::new();
    for &(path, export) in outs {
        let id = identity(path);
        if path.is_dir() {
            errors.push(
                Diagnostic::error(
                    "output",
                    export.span,
                    format!(
                        "{} is a folder: the export cannot replace it",
                        path.display()
                    ),
                )
                .with_hint("name a file, or move the folder away"),
            );
        }
        if let Some(input) = inputs.get(&id) {
            errors.push(
                Diagnostic::error(
                    "output",
                    export.span,
                    if input == path {
                        format!(
                            "{} is read by this mix: the export would write over it",
                            path.display()
                        )
                    } else {
                        format!(
                            "{} would be written over {}, which this mix reads",
                            path.display(),
                            input.display()
                        )
                    },
                )
                .with_label_text("writes over an input")
                .with_hint("write the export somewhere else (`-o DIR` moves every export)"),
            );
        }
        if let Some(first) = seen.insert(id, export.span) {
            errors.push(
                Diagnostic::error(
                    "duplicate-output",
                    export.span,
                    format!("two exports write {}", path.display()),
                )
                .with_label(first, "this one writes it too")
                .with_hint(
                    "give the files different names (with `-o`, every export lands in one folder)",
                ),
            );
        }
    }
    if let Some(r) = report {
        let id = identity(r);
        let clash = match (inputs.get(&id), seen.contains_key(&id)) {
            (Some(input), _) => Some(format!("{}, which this mix reads", input.display())),
            (None, true) => Some("an export of this render".to_string()),
            (None, false) => None,
        };
        if let Some(what) = clash {
            errors.push(
                Diagnostic::global(
                    "output",
                    format!("the report {} would be written over {what}", r.display()),
                )
                .with_hint("give `--report` a file of its own"),
            );
        }
    }
    errors
}
