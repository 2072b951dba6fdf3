//! `mixdown verify FILE [--jobs N] [--format F]`: renders into a temporary folder and
//! compares every output (and every input) with `FILE.mix.lock`.
//!
//! Each export keeps its path relative to the mix inside the temporary folder, so the
//! comparison is file by file; nothing beside the mix is written or replaced.

use super::lockfile::{outcome_json, usage};
use super::output::{Format, Reporter};
use super::render::{Flags, render_mix};
use crate::diag::Diagnostic;
use crate::ir::{Mix, Source};
use crate::repro::lock::{self, Change, Difference};
use crate::span::Span;
use crate::world::{DiskWorld, World};
use serde_json::{Map, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
    let mut places = Places::of_inputs(&mix, &base, world, &a.file);
    let mut outputs = BTreeMap::new();
    for f in &report.files {
        let key = lock::relative(tmp.path(), &f.path).replace(UP, "..");
        if let Some(hash) = lock::hash_file(&f.path) {
            places.spans.entry(key.clone()).or_insert(f.export.span);
            outputs.insert(key, hash);
        }
    }
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
    let changed: Vec<&str> = in_diffs.iter().map(|d| d.path.as_str()).collect();
    let diags: Vec<Diagnostic> = in_diffs
        .iter()
        .map(|d| places.input(d))
        .chain(out_diffs.iter().map(|d| places.output(d, &changed)))
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

/// Where in the mix each difference comes from, so an annotation lands on the line
/// that caused it: the track or insert naming a changed input, the export writing an
/// output; else the `.mix` as a whole.
struct Places {
    /// Lock key -> the span in the mix that names that file.
    spans: BTreeMap<String, Span>,
    /// Lock key -> display name, for the `.mix` files the compile read (the mix and
    /// its modules).
    sources: BTreeMap<String, String>,
    /// The verified mix's display name (`None` if it cannot be read again).
    mix: Option<String>,
}

impl Places {
    fn of_inputs(mix: &Mix, base: &Path, world: &DiskWorld, file: &Path) -> Self {
        let key = |p: &Path| {
            std::path::absolute(p)
                .ok()
                .map(|p| lock::relative(base, &p))
        };
        let mut spans = BTreeMap::new();
        for s in mix.strips.iter().chain([&mix.master]) {
            if let Some(Source::File { path, span, .. }) = &s.source
                && let Some(k) = key(path)
            {
                spans.entry(k).or_insert(*span);
            }
            for ins in &s.inserts {
                for p in crate::dsp::registry::files(ins) {
                    if let Some(k) = key(&p) {
                        spans.entry(k).or_insert(ins.span);
                    }
                }
            }
        }
        // Loading a source again gives the id the compile gave it, so the name its
        // diagnostics use.
        let name = |p: &Path| world.load_source(p).ok().map(|id| world.source(id).name);
        let sources = world
            .dependencies()
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "mix"))
            .filter_map(|p| Some((key(p)?, name(p)?)))
            .collect();
        Self {
            spans,
            sources,
            mix: name(file),
        }
    }

    /// A diagnostic about `key`: at the span naming it, else on its own `.mix`, else
    /// on the verified mix (whose edit made the file appear or go).
    fn at(&self, key: &str, message: String) -> Diagnostic {
        if let Some(span) = self.spans.get(key).filter(|s| !s.is_detached()) {
            return Diagnostic::error("verify", *span, message);
        }
        let d = Diagnostic::global("verify", message);
        match self.sources.get(key).or(self.mix.as_ref()) {
            Some(f) => d.in_file(f.clone()),
            None => d,
        }
    }

    fn input(&self, d: &Difference) -> Diagnostic {
        self.at(&d.path, format!("input {d}"))
            .with_hint("the inputs changed since the lock: render with --lock to accept")
    }

    /// `changed` lists every input that differs from the lock: with none, different
    /// bytes from the same inputs are a reproducibility failure, which no line of the
    /// mix caused.
    fn output(&self, d: &Difference, changed: &[&str]) -> Diagnostic {
        let message = format!("output {d}");
        match d.change {
            Change::Changed if changed.is_empty() => Diagnostic::global("verify", message)
                .with_hint(
                    "the same inputs rendered different bytes: see the reproducibility notes in README.md",
                ),
            Change::Changed => self.at(&d.path, message).with_hint(format!(
                "it differs because inputs changed since the lock ({}): render with --lock to accept",
                changed.join(", ")
            )),
            Change::Missing | Change::New => self
                .at(&d.path, message)
                .with_hint("the exports changed since the lock: render with --lock to accept"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_outputs_round_trip_through_the_temp_folder() {
        let base = Path::new("/p/song");
        let rel = lock::relative(base, Path::new("/p/masters/a.wav"));
        let placed = Path::new("/tmp/x").join(rel.replace("..", UP));
        let back = lock::relative(Path::new("/tmp/x"), &placed).replace(UP, "..");
        assert_eq!(back, "../masters/a.wav");
    }
}
