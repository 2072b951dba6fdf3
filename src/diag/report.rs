//! Diagnostics as text, through miette: `file:line:col`, the source lines with
//! labels, hints. The only place besides the CLI that knows about miette.
//!
//! A diagnostic's labels may point into several sources (a chain clash labels both
//! modules). miette draws one source per report, so labels in other sources become
//! related reports after the main one, one per source, in label order.

use super::{Diagnostic, Severity};
use crate::world::World;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use std::fmt;

struct Report {
    diag: Diagnostic,
    source: Option<NamedSource<String>>,
    help: Option<String>,
    /// Labels in other sources, one report per source.
    related: Vec<Report>,
    /// Related reports are notes, not errors of their own.
    note: bool,
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diag.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.note).then(|| Box::new(self.diag.code) as Box<dyn fmt::Display>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(
            self.related.iter().map(|r| r as &dyn miette::Diagnostic),
        ))
    }

    fn severity(&self) -> Option<miette::Severity> {
        if self.note {
            return Some(miette::Severity::Advice);
        }
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let primary = self.diag.labels.first()?.span.source;
        let labels = self
            .diag
            .labels
            .iter()
            .filter(move |l| l.span.source == primary)
            .enumerate()
            .map(|(i, l)| {
                let text = (!l.message.is_empty()).then(|| l.message.clone());
                let len = (l.span.end - l.span.start) as usize;
                if i == 0 {
                    LabeledSpan::new_primary_with_span(text, (l.span.start as usize, len))
                } else {
                    LabeledSpan::new_with_span(text, (l.span.start as usize, len))
                }
            });
        Some(Box::new(labels))
    }
}

/// How to draw: colours only on a terminal and never with `NO_COLOR`.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

impl Style {
    /// Fixed and colourless, for tests and logs.
    pub fn plain() -> Self {
        Self {
            color: false,
            width: 100,
        }
    }
}

/// Renders diagnostics (in the order given) as one text.
pub fn render(diags: &[Diagnostic], world: &dyn World, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1);
    let mut out = String::new();
    for d in diags {
        let named = |id| {
            let src = world.source(id);
            NamedSource::new(src.name, src.text)
        };
        let primary = d.primary_span().filter(|s| !s.is_detached());
        let source = primary.map(|s| named(s.source));
        let help = (!d.hints.is_empty()).then(|| d.hints.join("\n"));
        let report = Report {
            diag: d.clone(),
            source,
            help,
            related: related(d, primary.map(|s| s.source), named),
            note: false,
        };
        // miette pads to a label's column with a format width, which panics past
        // u16::MAX: a label that deep into one line is told without the excerpt.
        let deep = d.labels.iter().any(|l| {
            !l.span.is_detached()
                && column(&world.source(l.span.source).text, l.span.start) > 60_000
        });
        if deep || handler.render_report(&mut out, &report).is_err() {
            out.push_str(&plain(d, world));
        }
        out.push('\n');
    }
    out
}

/// Bytes from the start of the line to `at`.
fn column(text: &str, at: u32) -> usize {
    let at = (at as usize).min(text.len());
    at - text.as_bytes()[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// A diagnostic without source excerpts: message, where, hints.
fn plain(d: &Diagnostic, world: &dyn World) -> String {
    let mut out = format!("{}: {}\n", d.code, d.message);
    for l in d.labels.iter().filter(|l| !l.span.is_detached()) {
        let src = world.source(l.span.source);
        let at = (l.span.start as usize).min(src.text.len());
        let line = 1 + src.text.as_bytes()[..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        let col = 1 + column(&src.text, l.span.start);
        out.push_str(&format!("  at {}:{line}:{col}", src.name));
        if !l.message.is_empty() {
            out.push_str(&format!(": {}", l.message));
        }
        out.push('\n');
    }
    for h in &d.hints {
        out.push_str(&format!("  help: {h}\n"));
    }
    out
}

/// One note report per source other than the primary one, holding that source's labels.
fn related(
    d: &Diagnostic,
    primary: Option<crate::span::SourceId>,
    named: impl Fn(crate::span::SourceId) -> NamedSource<String>,
) -> Vec<Report> {
    let mut sources = Vec::new();
    for l in &d.labels {
        if Some(l.span.source) != primary
            && !l.span.is_detached()
            && !sources.contains(&l.span.source)
        {
            sources.push(l.span.source);
        }
    }
    sources
        .into_iter()
        .map(|id| {
            let labels: Vec<_> = d
                .labels
                .iter()
                .filter(|l| l.span.source == id)
                .cloned()
                .collect();
            let message = labels
                .iter()
                .map(|l| l.message.as_str())
                .find(|m| !m.is_empty())
                .unwrap_or("related")
                .to_string();
            Report {
                diag: Diagnostic {
                    message,
                    labels,
                    hints: vec![],
                    ..d.clone()
                },
                source: Some(named(id)),
                help: None,
                related: vec![],
                note: true,
            }
        })
        .collect()
}

/// `error: 3 errors, 1 warning` style summary line.
pub fn summary(diags: &[Diagnostic]) -> Option<String> {
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.len() - errors;
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, 0) => None,
        (0, w) => Some(plural(w, "warning")),
        (e, 0) => Some(plural(e, "error")),
        (e, w) => Some(format!("{}, {}", plural(e, "error"), plural(w, "warning"))),
    }
}
