//! The processor reference, generated from the registry: one section per processor
//! with a table of its parameters (unit, range, default, automatable). `mixdown docs`
//! prints it, and `grammar/README.md` carries it between markers that a test keeps in
//! step with the registry.

use super::param::{Default, ParamSpec, UnitKind};
use super::registry::{PROCESSORS, ProcessorSpec};
use crate::compile::values::fmt_num;
use std::fmt::Write;

/// A value in the parameter's canonical unit, written as a user would write it.
fn show(kind: UnitKind, v: f64) -> String {
    if v.is_infinite() {
        return format!("{}inf", if v < 0.0 { "-" } else { "" });
    }
    match kind {
        UnitKind::Level => format!("{}dB", fmt_num(v)),
        UnitKind::TruePeak => format!("{}dBTP", fmt_num(v)),
        UnitKind::Frequency if v >= 1000.0 => format!("{}kHz", fmt_num(v / 1000.0)),
        UnitKind::Frequency => format!("{}Hz", fmt_num(v)),
        UnitKind::Time | UnitKind::TimeOrNote if v < 1.0 => format!("{}ms", fmt_num(v * 1000.0)),
        UnitKind::Time | UnitKind::TimeOrNote => format!("{}s", fmt_num(v)),
        UnitKind::Percent => format!("{}%", fmt_num(v * 100.0)),
        UnitKind::Slope => format!("{}dB/oct", fmt_num(v)),
        _ => fmt_num(v),
    }
}

fn row(out: &mut String, p: &ParamSpec) {
    let range = match p.kind {
        UnitKind::Choice(words) => words.join(", "),
        UnitKind::StripRef => "a track or bus".into(),
        UnitKind::Path => "a file path".into(),
        UnitKind::Frequency if p.max.is_infinite() => {
            format!("{} .. below Nyquist", show(p.kind, p.min))
        }
        k => format!("{} .. {}", show(k, p.min), show(k, p.max)),
    };
    let default = match p.default {
        Default::Number(v) => show(p.kind, v),
        Default::Choice(c) => c.to_string(),
        Default::Required => "required".into(),
        Default::Absent => "none".into(),
    };
    let name = if p.positional {
        format!("`{}` (positional)", p.name)
    } else {
        format!("`{}`", p.name)
    };
    let auto = if p.automatable
        && !matches!(
            p.kind,
            UnitKind::Choice(_) | UnitKind::StripRef | UnitKind::Path
        ) {
        "yes"
    } else {
        "no"
    };
    let doc = p.doc.replace('|', "\\|").replace('\n', " ");
    let _ = writeln!(
        out,
        "| {name} | {} | {range} | {default} | {auto} | {doc} |",
        p.kind.describe()
    );
}

fn table(out: &mut String, params: &[ParamSpec]) {
    out.push_str("| parameter | takes | range | default | automatable | meaning |\n| --- | --- | --- | --- | --- | --- |\n");
    for p in params {
        row(out, p);
    }
}

fn section(out: &mut String, spec: &ProcessorSpec) {
    let _ = writeln!(
        out,
        "### `{}`\n\n{}\n",
        spec.kind,
        spec.doc.replace('\n', " ")
    );
    if let Some(arg) = &spec.arg {
        let _ = writeln!(
            out,
            "Written `{} \"file\" {{ ... }}`, the value after the name is `{}`: {}\n",
            spec.kind, arg.name, arg.doc
        );
    }
    if !spec.params.is_empty() {
        table(out, spec.params);
        out.push('\n');
    }
    for band in spec.bands {
        let _ = writeln!(
            out,
            "Band `{}`: {}\n",
            band.kind,
            band.doc.replace('\n', " ")
        );
        table(out, band.params);
        out.push('\n');
    }
}

/// The whole reference, in registry order.
pub fn markdown() -> String {
    let mut out = String::from(
        "Generated from the processor registry by `mixdown docs`; do not edit by hand.\n\
         Positional parameters may be written without their name (`bell 3kHz +2dB`); a value\n\
         goes to the first positional parameter whose unit it matches. Percentages are written\n\
         with `%`, times in `ms` or `s`.\n\n",
    );
    for spec in PROCESSORS {
        section(&mut out, spec);
    }
    out
}

#[cfg(test)]
mod tests {
    /// `grammar/README.md` must carry exactly what the registry says.
    #[test]
    fn the_language_reference_carries_the_generated_tables() {
        let readme = include_str!("../../grammar/README.md");
        let (begin, end) = ("<!-- processors:begin -->\n", "<!-- processors:end -->");
        let start = readme
            .find(begin)
            .expect("begin marker in grammar/README.md")
            + begin.len();
        let stop = readme.find(end).expect("end marker in grammar/README.md");
        assert!(
            readme[start..stop] == super::markdown(),
            "grammar/README.md's processor tables are out of date: run `mixdown docs` and paste its output between the markers"
        );
    }
}
