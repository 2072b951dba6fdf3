//! Settings a block takes once: set twice, the second would silently win, so it is an
//! error that points at both.

use crate::diag::Diagnostic;
use crate::span::Span;
use std::collections::BTreeMap;

/// The settings a block has seen, with where each was first set.
#[derive(Default)]
pub struct Once(BTreeMap<String, Span>);

impl Once {
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// `None` the first time `key` is set; after that, the error naming both places.
    /// `within` ends the message ("" or " in this strip").
    pub fn set(&mut self, key: &str, span: Span, within: &str) -> Option<Diagnostic> {
        let first = self.0.insert(key.to_string(), span)?;
        Some(
            Diagnostic::error(
                "duplicate-setting",
                span,
                format!("`{key}` is set twice{within}"),
            )
            .with_label(first, "first set here"),
        )
    }
}
