//! `mixdown verify FILE [--jobs N] [--format F]`: renders into a temporary folder and
//! compares every output (and every input) with `FILE.mix.lock`.
//!
//! Each export keeps its path relative to the mix inside the temporary folder, so the
//! comparison is file by file; nothing beside the mix is written or replaced.

use super::lockfile::{outcome_json, usage};
use super::output::{Format, Reporter};
use super::render::{Flags, render_mix};
use crate::diag::Diagnostic;
use crate::repro::lock::{self, Change, Difference};
use crate::world::{DiskWorld, World};
use serde_json::{Map, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// Stands in for `..` when an output outside the mix folder is placed in the temporary one.
const UP: &str = "_up_";

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file (its lock is FILE.mix.lock).
    file: PathBuf,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// How to print diagnostics and the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

pub fn run(a: Args) -> ExitCode {
    let world = DiskWorld::new();
    let mut rep = Reporter::new(a.format);
    let mut extra = Map::new();
    let code = verify(&a, &world, &mut rep, &mut extra);
    rep.finish("verify", &a.file, code, extra)
}

fn verify(
    a: &Args,
    world: &DiskWorld,
    rep: &mut Reporter,
    extra: &mut Map<String, serde_json::Value>,
) -> u8 {
    let lock_file = lock::lock_path(&a.file);
    let locked = match lock::read(&lock_file) {
        Ok(l) => l,
        Err(e) => {
            let m = format!(
                "cannot read the lock {}: {e} (write it with `mixdown render --lock`)",
                lock_file.display()
            );
            return usage(rep, world, m);
        }
    };
    let mut mix = match rep.compile(world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let (base, tmp) = match (lock::base_of(&a.file), tempfile::tempdir()) {
        (Ok(b), Ok(t)) => (b, t),
        (Err(e), _) | (_, Err(e)) => return usage(rep, world, e.to_string()),
    };
    for e in &mut mix.exports {
        e.path = tmp
            .path()
            .join(lock::relative(&base, &e.path).replace("..", UP));
    }
    let flags = Flags {
        out_dir: None,
        jobs: a.jobs,
        chunk: crate::render::DEFAULT_CHUNK,
        report: None,
        quiet: true,
        // Verify proves the render from scratch: no cache.
        cache: None,
        cache_mb: 0,
        shared_cache: None,
        quiet_stop: false,
        from: None,
        to: None,
    };
    let out = render_mix(&mix, &a.file, &flags, world, super::interrupt_flag(), rep);
    if rep.format == Format::Json {
        outcome_json(&out, &mix, world, extra);
    }
    let Some(report) = &out.report else {
        return out.code;
    };
    let outputs: std::collections::BTreeMap<String, String> = report
        .files
        .iter()
        .filter_map(|f| {
            let key = lock::relative(tmp.path(), &f.path).replace(UP, "..");
            Some((key, lock::hash_file(&f.path)?))
        })
        .collect();
    let out_diffs = lock::compare(&locked.outputs, &outputs);
    let in_diffs = lock::compare(
        &locked.inputs,
        &lock::hash_all(&base, &world.dependencies()),
    );
    let version = env!("CARGO_PKG_VERSION");
    extra.insert("lock".into(), json!(lock_file.display().to_string()));
    extra.insert("locked_version".into(), json!(locked.mixdown));
    extra.insert("outputs".into(), json!(out_diffs));
    extra.insert("inputs".into(), json!(in_diffs));
    let diags: Vec<Diagnostic> = in_diffs
        .iter()
        .map(|d| describe("input", d))
        .chain(out_diffs.iter().map(|d| describe("output", d)))
        .collect();
    rep.diags(&diags, world);
    if diags.is_empty() {
        rep.say(format!(
            "{}: all {} outputs match {}",
            a.file.display(),
            outputs.len(),
            lock_file.display()
        ));
    } else if locked.mixdown != version {
        rep.say(format!(
            "note: the lock was written by mixdown {}, this is {version}",
            locked.mixdown
        ));
    }
    if out.code != 0 {
        return out.code;
    }
    u8::from(!diags.is_empty())
}

fn describe(what: &str, d: &Difference) -> Diagnostic {
    let hint = match (what, d.change) {
        ("output", Change::Changed) => {
            "the same inputs rendered different bytes: see the reproducibility notes in README.md"
        }
        ("input", _) => "the inputs changed since the lock: render with --lock to accept",
        _ => "the exports changed since the lock: render with --lock to accept",
    };
    Diagnostic::global("verify", format!("{what} {d}")).with_hint(hint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn outside_outputs_round_trip_through_the_temp_folder() {
        let base = Path::new("/p/song");
        let rel = lock::relative(base, Path::new("/p/masters/a.wav"));
        let placed = Path::new("/tmp/x").join(rel.replace("..", UP));
        let back = lock::relative(Path::new("/tmp/x"), &placed).replace(UP, "..");
        assert_eq!(back, "../masters/a.wav");
    }
}
