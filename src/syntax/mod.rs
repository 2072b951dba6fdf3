//! Parsing: `.mix` text to the [`ast`].
//!
//! The grammar lives in `grammar/mix.pest` (pest, a PEG). Parsing runs in two steps:
//! pest checks the structure and stops at the first syntax error (`error.rs` turns
//! that into one [`Diagnostic`] with human words), then `build.rs` walks the parse
//! tree into the AST, checking literals (`literal.rs`: units, clock positions, note
//! lengths, escapes) and collecting every problem it finds, so a file with three bad
//! units reports three errors at once.

pub mod ast;
mod build;
mod error;
mod literal;
#[cfg(test)]
mod tests;

use crate::diag::Diagnostic;
use crate::span::{SourceId, Span};
use pest::Parser;
use std::num::NonZeroUsize;

/// The parser pest derives from the grammar, in a private module so that the
/// generated `Rule` enum does not become public API: callers use [`parse`].
mod grammar {
    #[derive(pest_derive::Parser)]
    #[grammar = "grammar/mix.pest"]
    pub struct MixParser;
}
use grammar::{MixParser, Rule};

/// Deepest nesting of `{ }` and `( )` accepted. Real files nest three or four levels;
/// the limit keeps both pest and the recursive AST builder far from the stack's end.
const MAX_NESTING: usize = 64;

/// Budget of pest calls per byte of input. The grammar is linear (a handful of
/// alternatives per token): the spec band example takes about 15 calls per byte. The
/// limit only stops pathological input from running for a long time.
const CALLS_PER_BYTE: usize = 1_000;

/// Parses one `.mix` source. Spans in the result (and in errors) are byte ranges into
/// `text`, tagged with `source`.
pub fn parse(source: SourceId, text: &str) -> Result<ast::File, Vec<Diagnostic>> {
    if text.len() > u32::MAX as usize {
        return Err(vec![Diagnostic::error(
            "syntax",
            Span::new(source, 0, 0),
            "file is too large (over 4 GiB)",
        )]);
    }
    if let Some(diag) = check_nesting(source, text) {
        return Err(vec![diag]);
    }
    let limit = text.len().saturating_mul(CALLS_PER_BYTE).max(1_000_000);
    // Process-wide setting in pest; every parse sets it for its own input size.
    pest::set_call_limit(NonZeroUsize::new(limit));
    let mut pairs =
        MixParser::parse(Rule::file, text).map_err(|e| vec![error::from_pest(source, text, &e)])?;
    let Some(file) = pairs.next() else {
        // pest always yields the `file` pair on success; be defensive rather than panic.
        return Err(vec![Diagnostic::error(
            "syntax",
            Span::new(source, 0, text.len()),
            "could not parse this file",
        )]);
    };
    build::file(source, file)
}

/// Rejects absurdly deep nesting before pest (and our recursive builder) see it.
/// Brackets inside strings and comments do not count.
fn check_nesting(source: SourceId, text: &str) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '{' | '(' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::error(
                            "syntax",
                            Span::new(source, i, i + 1),
                            format!(
                                "blocks are nested too deeply (more than {MAX_NESTING} levels)"
                            ),
                        )
                        .with_label_text("this bracket is too deep"),
                    );
                }
            }
            '}' | ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}
