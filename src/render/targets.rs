//! Where each export writes: its pattern filled in (`{file}`, `{name}` for each stem),
//! `-o DIR` applied, and the outputs opened. `check` reads the same paths, so a clash
//! it passes cannot fail the render.

use super::output::{Output, Tap};
use super::setup::Plan;
use crate::diag::Diagnostic;
use crate::ir::{Export, ExportKind, Mix};
use crate::world::World;
use std::path::{Path, PathBuf};

/// Where an export's file goes, with `-o DIR` applied.
fn place(path: &Path, out_dir: Option<&Path>) -> PathBuf {
    match (out_dir, path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path.to_path_buf(),
    }
}

fn seed(path: &Path) -> u64 {
    // Seeded by the file name as written, so `-o DIR` does not change the dither.
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    u64::from_le_bytes(
        blake3::hash(name.as_bytes()).as_bytes()[..8]
            .try_into()
            .expect("8 bytes"),
    )
}

/// Every file the exports write, in order: the path, its export, and for a stem the
/// strip (its index in `mix.strips`) it taps.
pub fn export_paths<'m>(
    mix: &'m Mix,
    file_stem: &str,
    out_dir: Option<&Path>,
) -> Vec<(PathBuf, &'m Export, Option<usize>)> {
    let mut all = Vec::new();
    for e in &mix.exports {
        let path = PathBuf::from(e.path.to_string_lossy().replace("{file}", file_stem));
        match &e.kind {
            ExportKind::Master => all.push((place(&path, out_dir), e, None)),
            ExportKind::Stems { of } | ExportKind::Meter { of } => {
                for name in of {
                    if let Some(i) = mix.strips.iter().position(|s| &s.name == name) {
                        let stem = PathBuf::from(path.to_string_lossy().replace("{name}", name));
                        all.push((place(&stem, out_dir), e, Some(i)));
                    }
                }
            }
        }
    }
    all
}

pub fn outputs(
    mix: &Mix,
    world: &dyn World,
    opts: &super::RenderOptions,
    plan: &Plan,
    chunk: usize,
) -> Result<Vec<Output>, Vec<Diagnostic>> {
    let paths = export_paths(mix, &opts.file_stem, opts.out_dir.as_deref());
    // `-o DIR` (or two patterns) could send two exports to one file, or an export
    // could land on a stem: refused before anything is written.
    let targets: Vec<(&Path, &Export)> = paths.iter().map(|(p, e, _)| (p.as_path(), *e)).collect();
    let mut errors = super::clash::check(&targets, opts.report.as_deref(), world);
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut outs = Vec::new();
    for (path, e, strip) in &paths {
        let tap = strip.map_or(Tap::Master, |i| Tap::Stem(plan.pos_of[i]));
        let rate = mix.session.rate;
        match Output::new(path.clone(), (*e).clone(), tap, rate, seed(path), chunk) {
            Ok(o) => outs.push(o),
            Err(d) => errors.push(d),
        }
    }
    if errors.is_empty() {
        Ok(outs)
    } else {
        Err(errors)
    }
}
