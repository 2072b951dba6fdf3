//! Diagnostics: what every stage up to the IR reports, many at once.
//!
//! A [`Diagnostic`] is plain data (severity, code, message, labelled spans, hints).
//! Turning it into text for a terminal lives in [`report`], the only place that knows
//! about miette, so the library stays testable without a terminal.

pub mod report;

use crate::span::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A span with a short text shown under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable machine-readable code, e.g. `unknown-name` (see [`codes`]).
    pub code: &'static str,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub hints: Vec<String>,
    /// The file it is about when no place inside it can be named (`verify`: a `.mix`
    /// that changed since the lock), so an annotation still lands on that file.
    pub file: Option<String>,
}

/// Result of a stage that reports diagnostics. `Err` holds at least one error;
/// warnings found on the way are carried separately by the caller (see [`Sink`]).
pub type SourceResult<T> = Result<T, Vec<Diagnostic>>;

impl Diagnostic {
    pub fn error(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: vec![Label {
                span,
                message: String::new(),
            }],
            hints: vec![],
            file: None,
        }
    }

    pub fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            ..Self::error(code, span, message)
        }
    }

    /// An error with no location in a source (e.g. an unwritable output folder given on the command line).
    pub fn global(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            code,
            message: message.into(),
            labels: vec![],
            hints: vec![],
            file: None,
        }
    }

    /// Sets the text of the primary label.
    pub fn with_label_text(mut self, text: impl Into<String>) -> Self {
        if let Some(first) = self.labels.first_mut() {
            first.message = text.into();
        }
        self
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: text.into(),
        });
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// Names the file a diagnostic without a span is about (see [`Diagnostic::file`]).
    pub fn in_file(mut self, name: impl Into<String>) -> Self {
        self.file = Some(name.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// Collects diagnostics while a stage keeps going, so one run reports every mistake.
#[derive(Debug, Default)]
pub struct Sink {
    pub diags: Vec<Diagnostic>,
}

impl Sink {
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(Diagnostic::is_error)
    }

    /// Diagnostics in source order (errors and warnings interleaved by position), so output reads top to bottom.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.diags.sort_by_key(|d| {
            d.primary_span()
                .map(|s| (s.source, s.start))
                .unwrap_or_default()
        });
        self.diags
    }
}

/// Suggests the closest of `candidates` to `name` ("did you mean ...?"), if any is close.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(&name.to_lowercase(), &c.to_lowercase());
        let limit = (name.len().max(c.len()) / 3).max(1);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal string alignment distance: edits plus adjacent swaps, the typos people make.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(did_you_mean("vcals", ["vocals", "drums"]), Some("vocals"));
        assert_eq!(did_you_mean("xyz", ["vocals", "drums"]), None);
        assert_eq!(
            did_you_mean("treshold", ["threshold", "ratio"]),
            Some("threshold")
        );
    }
}
