//! `mixdown check FILE`: everything short of rendering.

use crate::world::DiskWorld;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    file: PathBuf,
}

pub fn run(a: Args) -> ExitCode {
    let world = DiskWorld::new();
    if crate::album::is_album(&world, &a.file) {
        return super::album::check(&world, &a.file);
    }
    let mix = match super::compile(&world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    // Every audio file must open and decode its header.
    let errors: Vec<_> = mix
        .strips
        .iter()
        .filter(|s| matches!(s.source, Some(crate::ir::Source::File { .. })))
        .filter_map(|s| crate::render::source::open(&world, s, mix.session.rate).err())
        .collect();
    if !errors.is_empty() {
        super::print_diags(&errors, &world);
        return ExitCode::from(1);
    }
    eprintln!(
        "{}: ok ({} strips, {} exports)",
        a.file.display(),
        mix.strips.len() + 1,
        mix.exports.len()
    );
    ExitCode::SUCCESS
}
