//! `render --lock` and `render --locked`: the render command around the lock file.

use super::output::{Format, Reporter, assertions_json};
use super::render::{Args, Outcome, render_mix};
use crate::diag::Diagnostic;
use crate::ir::Mix;
use crate::repro::lock::{self, Lock};
use crate::world::{DiskWorld, World};
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Runs `mixdown render`; returns the exit code and fills `extra` with the JSON fields.
pub fn render(
    a: &Args,
    world: &DiskWorld,
    cancel: Arc<AtomicBool>,
    rep: &mut Reporter,
    extra: &mut Map<String, Value>,
) -> u8 {
    let mix = match rep.compile(world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let (base, lock_file) = match lock::base_of(&a.file) {
        Ok(b) => (b, lock::lock_path(&a.file)),
        Err(e) => return usage(rep, world, format!("{}: {e}", a.file.display())),
    };
    if a.lock && a.flags.out_dir.is_some() {
        return usage(
            rep,
            world,
            "--lock records the outputs where the mix writes them: drop -o".into(),
        );
    }
    if a.locked {
        let locked = match lock::read(&lock_file) {
            Ok(l) => l,
            Err(e) => {
                let m = format!("cannot read the lock {}: {e}", lock_file.display());
                return usage(rep, world, m);
            }
        };
        let now = lock::current_inputs(
            &base,
            &locked,
            &world.dependencies(),
            &lock::planned_inputs(&mix),
        );
        let diffs = lock::compare(&locked.inputs, &now);
        extra.insert("inputs".into(), json!(diffs));
        if !diffs.is_empty() {
            let ds: Vec<Diagnostic> = diffs
                .iter()
                .map(|d| {
                    Diagnostic::global("locked", format!("input {d}"))
                        .with_hint("render with --lock to accept the change")
                })
                .collect();
            rep.diags(&ds, world);
            rep.say(format!(
                "refusing to render: {} input(s) differ from {}",
                diffs.len(),
                lock_file.display()
            ));
            return 1;
        }
    }
    let out = render_mix(&mix, &a.file, &a.flags, world, cancel, rep);
    if rep.format == Format::Json {
        outcome_json(&out, &mix, world, extra);
    }
    if a.lock && out.code == 0 {
        let files = out
            .report
            .iter()
            .flat_map(|r| r.files.iter().map(|f| &f.path));
        let l = Lock {
            mixdown: env!("CARGO_PKG_VERSION").to_string(),
            inputs: lock::hash_all(&base, &world.dependencies()),
            outputs: lock::hash_all(&base, files),
        };
        if let Err(e) = lock::write(&lock_file, &l) {
            let m = format!("cannot write {}: {e}", lock_file.display());
            return usage(rep, world, m);
        }
        extra.insert("lock".into(), json!(lock_file.display().to_string()));
        if !a.flags.quiet {
            rep.say(format!(
                "locked {} inputs and {} outputs in {}",
                l.inputs.len(),
                l.outputs.len(),
                lock_file.display()
            ));
        }
    }
    out.code
}

/// Reports an environment or usage problem; exit code 2.
pub(super) fn usage(rep: &mut Reporter, world: &dyn World, message: String) -> u8 {
    if rep.format == Format::Human {
        eprintln!("error: {message}");
    } else {
        rep.diags(&[Diagnostic::global("usage", message)], world);
    }
    2
}

/// The render report and the checked assertions, for `--format json`.
pub(super) fn outcome_json(
    out: &Outcome,
    mix: &Mix,
    world: &dyn World,
    extra: &mut Map<String, Value>,
) {
    if let Some(r) = &out.report
        && let Ok(report) = crate::render::report::build(r, mix.loudness.map(|l| l.lufs))
    {
        extra.insert("report".into(), json!(report));
    } else {
        extra.insert("report".into(), Value::Null);
    }
    extra.insert("assertions".into(), assertions_json(&out.checked, world));
}
