//! `mixdown check FILE [--format F]`: everything short of rendering.

use super::output::{Format, Reporter};
use crate::world::DiskWorld;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    file: PathBuf,
    /// How to print diagnostics and the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(a: Args) -> ExitCode {
    let world = DiskWorld::new();
    if crate::album::is_album(&world, &a.file) {
        return super::album::check(&world, &a.file);
    }
    let mut rep = Reporter::new(a.format);
    let code = check(&a, &world, &mut rep);
    rep.finish("check", &a.file, code, serde_json::Map::new())
}

fn check(a: &Args, world: &DiskWorld, rep: &mut Reporter) -> u8 {
    let mix = match rep.compile(world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let mut errors = crate::render::preflight::inputs(&mix, world);
    // No two exports may write one file, nor an export write over an input.
    let stem = (a.file.file_stem()).map_or("mix".into(), |s| s.to_string_lossy().into_owned());
    let paths = crate::render::targets::export_paths(&mix, &stem, None);
    let targets: Vec<_> = paths.iter().map(|(p, e, _)| (p.as_path(), *e)).collect();
    errors.extend(crate::render::clash::check(&targets, None, world));
    if !errors.is_empty() {
        rep.diags(&errors, world);
        return 1;
    }
    rep.say(format!(
        "{}: ok ({} strips, {} exports, {} assertions)",
        a.file.display(),
        mix.strips.len() + 1,
        mix.exports.len(),
        mix.asserts.len()
    ));
    0
}
