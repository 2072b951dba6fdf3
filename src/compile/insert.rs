//! Lowering a processor block (`compressor as duck { threshold -24dB; ... }`) to an
//! [`Insert`], checked against the processor registry: names, units, ranges,
//! required parameters, EQ bands with positional values.

use super::values::{Units, describe};
use crate::diag::{Diagnostic, did_you_mean};
use crate::dsp::param::{Default, ParamSpec, UnitKind};
use crate::dsp::registry::{BandSpec, ProcessorSpec};
use crate::ir::{Band, Insert, ParamValue};
use crate::span::Span;
use crate::syntax::ast::{Command, Stmt, Value, ValueKind};
use std::collections::BTreeMap;

/// Lowers one insert. Problems go to `diags`; a usable insert is returned whenever the
/// kind was known, so later checks (routing, sidechains) still run.
pub fn lower_insert(
    cmd: &Command,
    spec: &'static ProcessorSpec,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Insert {
    let name = cmd
        .alias
        .as_ref()
        .map_or(spec.kind.to_string(), |a| a.name.clone());
    let mut f = Filled::default();
    let mut bands = Vec::new();

    // Values right after the kind: its argument (`reverb "ir.wav"`), or settings
    // written inline as a band's are (`limiter -1dBTP`, `gate -45dB release 80ms`).
    match (&spec.arg, cmd.args.as_slice()) {
        (Some(arg), [v]) => set(&mut f, arg, v, units, diags),
        (Some(_), [_, extra, ..]) => diags.push(
            Diagnostic::error(
                "unexpected-value",
                extra.span,
                format!(
                    "`{}` takes one value after its name, its settings inside `{{ }}`",
                    spec.kind
                ),
            )
            .with_hint(format!("write `{} {{ ... }}`", spec.kind)),
        ),
        (_, []) => {}
        (None, args) => {
            let place = Place {
                specs: spec.params,
                what: format!("`{}`", spec.kind),
                usage: usage(spec.kind, spec.params),
            };
            assign(args, &place, &mut f, units, diags);
        }
    }

    for stmt in cmd.block.iter().flat_map(|b| &b.stmts) {
        let Stmt::Command(c) = stmt else {
            diags.push(Diagnostic::error(
                "misplaced",
                stmt.span(),
                "a chain call cannot stand inside a processor block",
            ));
            continue;
        };
        let key = c.name.name.as_str();
        if let Some(band) = spec.bands.iter().find(|b| b.kind == key) {
            bands.push(lower_band(c, band, units, diags));
        } else if let Some(p) = spec.params.iter().find(|p| p.name == key) {
            if let Some(a) = &c.alias {
                diags.push(Diagnostic::error(
                    "misplaced",
                    a.span,
                    "`as` names processors and bands, not parameters",
                ));
            }
            match c.args.as_slice() {
                [v] => set(&mut f, p, v, units, diags),
                [] => diags.push(Diagnostic::error(
                    "missing-value",
                    c.span,
                    format!("`{key}` needs a value: {}", p.kind.describe()),
                )),
                [_, extra, ..] => diags.push(Diagnostic::error(
                    "unexpected-value",
                    extra.span,
                    format!("`{key}` takes one value"),
                )),
            }
        } else {
            diags.push(unknown_item(c, spec));
        }
    }

    // Two bands of one kind are normal (two bells); an `as` name must still be
    // unique, since automation addresses a band by it (`vox.eq.presence.gain`).
    let mut aliases: BTreeMap<&str, Span> = BTreeMap::new();
    for stmt in cmd.block.iter().flat_map(|blk| &blk.stmts) {
        if let Stmt::Command(c) = stmt
            && spec.bands.iter().any(|bs| bs.kind == c.name.name)
            && let Some(alias) = &c.alias
            && let Some(first) = aliases.insert(&alias.name, alias.span)
        {
            diags.push(
                Diagnostic::error(
                    "duplicate-name",
                    alias.span,
                    format!("two bands named `{}` in one {}", alias.name, spec.kind),
                )
                .with_label(first, "first named here")
                .with_hint("give each `as` name once"),
            );
        }
    }

    fill_defaults(spec.params, &mut f.params, cmd.span, spec.kind, diags);
    Insert {
        kind: spec.kind.to_string(),
        name,
        params: f.params,
        bands,
        notes: f.notes,
        span: cmd.span,
    }
}

fn unknown_item(c: &Command, spec: &ProcessorSpec) -> Diagnostic {
    let key = &c.name.name;
    let names = spec
        .params
        .iter()
        .map(|p| p.name)
        .chain(spec.bands.iter().map(|b| b.kind));
    let mut d = Diagnostic::error(
        "unknown-name",
        c.name.span,
        format!("`{}` has no parameter `{key}`", spec.kind),
    )
    .with_label_text("unknown parameter");
    if let Some(s) = did_you_mean(key, names.clone()) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    } else {
        d = d.with_hint(format!(
            "`{}` takes: {}",
            spec.kind,
            names.collect::<Vec<_>>().join(", ")
        ));
    }
    d
}

/// The parameters of one processor or band as they are written.
#[derive(Default)]
struct Filled {
    params: BTreeMap<String, ParamValue>,
    seen: super::once::Once,
    /// Those written as note lengths, in quarter notes: they follow the tempo map.
    notes: BTreeMap<String, f64>,
}

fn set(f: &mut Filled, p: &ParamSpec, v: &Value, units: &Units, diags: &mut Vec<Diagnostic>) {
    if let Some(d) = f.seen.set(p.name, v.span, "") {
        diags.push(d);
        return;
    }
    match units.param(p, v) {
        Ok(val) => {
            f.params.insert(p.name.to_string(), val);
            if let ValueKind::Fraction { num, den, modifier } = v.kind {
                let quarters = super::values::note_seconds(60.0, num, den, modifier);
                f.notes.insert(p.name.to_string(), quarters);
            }
        }
        Err(d) => diags.push(d),
    }
}

fn fill_defaults(
    specs: &[ParamSpec],
    params: &mut BTreeMap<String, ParamValue>,
    span: Span,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) {
    for p in specs {
        if params.contains_key(p.name) {
            continue;
        }
        match p.default {
            Default::Number(n) => {
                params.insert(p.name.into(), ParamValue::Number(n));
            }
            Default::Choice(c) => {
                params.insert(p.name.into(), ParamValue::Text(c.into()));
            }
            Default::Absent => {}
            Default::Required => diags.push(
                Diagnostic::error(
                    "missing-value",
                    span,
                    format!("`{what}` needs `{}` ({})", p.name, p.kind.describe()),
                )
                .with_label_text(format!("`{}` missing", p.name)),
            ),
        }
    }
}

/// `bell as presence 3kHz +2dB q 1.0`: positional values go to the first unfilled
/// positional parameter whose kind accepts their unit; `name value` pairs set named ones.
fn lower_band(
    c: &Command,
    spec: &'static BandSpec,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Band {
    let mut f = Filled::default();
    let place = Place {
        specs: spec.params,
        what: format!("a `{}` band", spec.kind),
        usage: usage(spec.kind, spec.params),
    };
    assign(&c.args, &place, &mut f, units, diags);
    fill_defaults(spec.params, &mut f.params, c.span, spec.kind, diags);
    Band {
        kind: spec.kind.into(),
        name: c
            .alias
            .as_ref()
            .map_or(spec.kind.to_string(), |a| a.name.clone()),
        params: f.params,
        span: c.span,
    }
}

/// Where a run of values goes: the parameters, what to call their owner in errors
/// ("a `bell` band", "`limiter`") and how to write it.
struct Place {
    specs: &'static [ParamSpec],
    what: String,
    usage: String,
}

/// Sets parameters from a run of values: `name value` pairs set named ones; any
/// other value goes to the first unfilled positional parameter that takes it (a
/// number by its unit, a word among a choice's words).
fn assign(
    args: &[Value],
    place: &Place,
    f: &mut Filled,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) {
    let mut args = args.iter();
    while let Some(v) = args.next() {
        let named = match &v.kind {
            ValueKind::Word(w) => place.specs.iter().find(|p| p.name == w),
            _ => None,
        };
        if let Some(p) = named {
            match args.next() {
                Some(val) => set(f, p, val, units, diags),
                None => diags.push(Diagnostic::error(
                    "missing-value",
                    v.span,
                    format!("`{}` needs a value: {}", p.name, p.kind.describe()),
                )),
            }
            continue;
        }
        let fits = |p: &&ParamSpec| {
            p.positional
                && !f.seen.contains(p.name)
                && match (&v.kind, p.kind) {
                    (ValueKind::Number { unit, value }, k) => {
                        k.accepts(*unit) || (value.is_infinite() && unit.is_none())
                    }
                    (ValueKind::Word(w), UnitKind::Choice(words)) => words.contains(&w.as_str()),
                    _ => false,
                }
        };
        match place.specs.iter().find(fits) {
            Some(p) => set(f, p, v, units, diags),
            None => diags.push(
                Diagnostic::error(
                    "unexpected-value",
                    v.span,
                    format!("{} has no place for {}", place.what, describe(v)),
                )
                .with_hint(place.usage.clone()),
            ),
        }
    }
}

fn usage(kind: &str, specs: &[ParamSpec]) -> String {
    let pos: Vec<String> = specs
        .iter()
        .filter(|p| p.positional)
        .map(|p| format!("<{}>", p.name))
        .collect();
    let named: Vec<String> = specs
        .iter()
        .filter(|p| !p.positional)
        .map(|p| format!("[{} <value>]", p.name))
        .collect();
    format!("write `{} {} {}`", kind, pos.join(" "), named.join(" "))
        .trim_end()
        .replace("  ", " ")
}
