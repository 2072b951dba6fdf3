//! `mixdown diff A.mix B.mix`: what changed between two mixes, in mix words, one
//! change per line on stdout. Exit 0 either way (like `git diff` without
//! `--exit-code`); with `--exit-code`, 1 when they differ. Errors in either mix are
//! reported and exit 1.

use crate::world::DiskWorld;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The mix before.
    a: PathBuf,
    /// The mix after.
    b: PathBuf,
    /// Exit 1 when the mixes differ.
    #[arg(long)]
    exit_code: bool,
}

pub fn run(a: Args) -> ExitCode {
    // One world per side: the two files may be two versions of one path (git
    // difftool hands over temp copies), and each resolves its own `use`s.
    let (wa, wb) = (DiskWorld::new(), DiskWorld::new());
    let (ma, mb) = match (super::compile(&wa, &a.a), super::compile(&wb, &a.b)) {
        (Ok(x), Ok(y)) => (x, y),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let (mut ma, mut mb) = (ma, mb);
    let dir = |p: &std::path::Path| {
        std::path::absolute(p)
            .ok()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
            .unwrap_or_default()
    };
    crate::diff::relative_to(&mut ma, &dir(&a.a));
    crate::diff::relative_to(&mut mb, &dir(&a.b));
    let changes = crate::diff::diff(&ma, &mb);
    if changes.is_empty() {
        println!("no changes to the mix");
    }
    for c in &changes {
        println!("{c}");
    }
    if a.exit_code && !changes.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
