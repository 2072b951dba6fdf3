//! `--format human|json|github` for `check`, `render` and `verify`.
//!
//! - `human`: diagnostics drawn with their source lines on stderr (colour only on a
//!   terminal and never with `NO_COLOR`), summaries on stderr.
//! - `json`: one document on stdout when the command ends (schema in README.md,
//!   "Machine-readable output"); nothing else on stdout, no summaries on stderr.
//! - `github`: one workflow annotation per diagnostic on stdout
//!   (`::error file=F,line=L,col=C,...::message`), the human summaries on stderr.

use crate::diag::{Diagnostic, Severity};
use crate::span::Span;
use crate::world::World;
use serde::Serialize;
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::ExitCode;

/// The version of the JSON documents; raised only when a field changes meaning or
/// goes away (new fields may appear without it).
pub const SCHEMA: u32 = 1;

#[derive(clap::ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Text for people, on stderr.
    #[default]
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
}

/// Where a span points, for people and machines: 1-based line, and column in characters.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Resolves a span against its source text (`None` for detached spans).
pub fn locate(world: &dyn World, span: Span) -> Option<Location> {
    if span.is_detached() {
        return None;
    }
    let src = world.source(span.source);
    let at = |offset: usize| {
        let before = &src.text[..offset.min(src.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    };
    let (line, column) = at(span.start as usize);
    let (end_line, end_column) = at(span.end as usize);
    Some(Location {
        file: src.name,
        line,
        column,
        end_line,
        end_column,
    })
}

/// A diagnostic as a JSON object (schema 1).
pub fn diag_json(d: &Diagnostic, world: &dyn World) -> Value {
    let loc = d.primary_span().and_then(|s| locate(world, s));
    json!({
        "file": loc.as_ref().map(|l| l.file.clone()).or_else(|| d.file.clone()),
        "line": loc.as_ref().map(|l| l.line),
        "column": loc.as_ref().map(|l| l.column),
        "end_line": loc.as_ref().map(|l| l.end_line),
        "end_column": loc.as_ref().map(|l| l.end_column),
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "hints": d.hints,
    })
}

/// Escapes workflow-command data (`%`, CR, LF) and, for properties, `:` and `,`.
fn escape(s: &str, property: bool) -> String {
    let mut out = s
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// A diagnostic as a GitHub Actions annotation.
pub fn annotation(d: &Diagnostic, world: &dyn World) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(l) = d.primary_span().and_then(|s| locate(world, s)) {
        props.push(format!("file={}", escape(&l.file, true)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        props.push(format!("endColumn={}", l.end_column));
    } else if let Some(f) = &d.file {
        // No line to name: GitHub shows the annotation on the file as a whole.
        props.push(format!("file={}", escape(f, true)));
    }
    props.push(format!("title={}", escape(d.code, true)));
    let mut msg = d.message.clone();
    for h in &d.hints {
        msg.push_str("\nhelp: ");
        msg.push_str(h);
    }
    format!("::{kind} {}::{}", props.join(","), escape(&msg, false))
}

/// Collects what a command reports and prints it in the chosen format.
pub struct Reporter {
    pub format: Format,
    diags: Vec<Value>,
    /// The warnings of the last compile (shown again on the HTML report).
    pub compile_warnings: Vec<Diagnostic>,
}

impl Reporter {
    pub fn new(format: Format) -> Self {
        Self {
            format,
            diags: Vec::new(),
            compile_warnings: Vec::new(),
        }
    }

    /// Diagnostics: drawn now (human), annotated now (github) or kept for the document.
    pub fn diags(&mut self, diags: &[Diagnostic], world: &dyn World) {
        match self.format {
            Format::Human => super::print_diags(diags, world),
            Format::Json => self.diags.extend(diags.iter().map(|d| diag_json(d, world))),
            Format::Github => diags
                .iter()
                .for_each(|d| println!("{}", annotation(d, world))),
        }
    }

    /// A line for people (stderr); JSON output stays silent so stdout and stderr
    /// hold nothing a parser has to skip.
    pub fn say(&self, line: impl std::fmt::Display) {
        if self.format != Format::Json {
            eprintln!("{line}");
        }
    }

    /// Loads and compiles, reporting diagnostics. `Err` carries the exit code.
    pub fn compile(&mut self, world: &dyn World, file: &Path) -> Result<crate::ir::Mix, u8> {
        match crate::compile::compile_path(world, file) {
            Ok((_, compiled)) => {
                self.diags(&compiled.diags, world);
                self.compile_warnings = compiled
                    .diags
                    .iter()
                    .filter(|d| !d.is_error())
                    .cloned()
                    .collect();
                compiled.mix.ok_or(1)
            }
            Err(e) => {
                let message = format!("cannot read {}: {e}", file.display());
                match self.format {
                    Format::Human => eprintln!("error: {message}"),
                    _ => self.diags(&[Diagnostic::global("input", message)], world),
                }
                Err(2)
            }
        }
    }

    /// Ends the command: prints the JSON document (with `extra` fields) and gives the exit code.
    pub fn finish(
        self,
        command: &str,
        file: &Path,
        code: u8,
        extra: Map<String, Value>,
    ) -> ExitCode {
        if self.format == Format::Json {
            let mut doc = Map::new();
            doc.insert("schema".into(), json!(SCHEMA));
            doc.insert("command".into(), json!(command));
            doc.insert("file".into(), json!(file.display().to_string()));
            doc.insert("ok".into(), json!(code == 0));
            doc.insert("exit_code".into(), json!(code));
            doc.insert("diagnostics".into(), Value::Array(self.diags));
            doc.extend(extra);
            let text = serde_json::to_string_pretty(&Value::Object(doc))
                .unwrap_or_else(|e| format!("{{\"schema\":{SCHEMA},\"error\":\"{e}\"}}"));
            println!("{text}");
        }
        ExitCode::from(code)
    }
}

/// Checked assertions as JSON objects (schema 1).
pub fn assertions_json(checked: &[crate::repro::assertions::Checked], world: &dyn World) -> Value {
    use crate::ir::AssertCheck;
    let items = checked.iter().map(|c| {
        let a = &c.assertion;
        let loc = locate(world, a.span);
        let (op, tolerance) = match a.check {
            AssertCheck::Le => ("<=", None),
            AssertCheck::Ge => (">=", None),
            AssertCheck::Lt => ("<", None),
            AssertCheck::Gt => (">", None),
            AssertCheck::Eq => ("==", None),
            AssertCheck::Within(t) => ("within", Some(t)),
        };
        json!({
            "file": loc.as_ref().map(|l| l.file.clone()),
            "line": loc.as_ref().map(|l| l.line),
            "column": loc.as_ref().map(|l| l.column),
            "subject": a.subject,
            "quantity": a.quantity,
            "unit": a.quantity.unit(),
            "op": op,
            "value": a.value,
            "tolerance": tolerance,
            "measured": c.measured.filter(|m| m.is_finite()),
            "passed": c.passed,
        })
    });
    Value::Array(items.collect())
}
