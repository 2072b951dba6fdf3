//! `mixdown fmt`: one canonical layout for `.mix` files, so that a diff of two
//! versions shows what changed in the mix and nothing else.
//!
//! The rules (also in `grammar/README.md`):
//! - two spaces of indentation per block level; one space between words and values;
//!   `name(arg: value, ...)` for calls and `chain name(param = default, ...)`;
//! - values keep their digits but take canonical spacing: `-3 dB` becomes `-3dB`,
//!   `bar  17` becomes `bar 17`; `-inf dB` keeps its space; commas written between
//!   values are kept (`of drums, bass`);
//! - one statement per line (`;` separators become new lines), except that a block
//!   holding a single statement with no block of its own and no comments stays on
//!   one line (`eq { lowpass 5kHz 12dB/oct }`), and an empty block is `{}`;
//! - comments stay where they were: a comment alone on its line stays between the
//!   same statements, at the block's indentation; a comment after a statement stays
//!   after it (after the closing `}` when the statement's block is laid out on
//!   several lines); comments on consecutive lines are aligned two spaces after the
//!   longest line, and a comment written right under such a comment stays under it;
//! - blank lines between statements are kept, at most one in a row; none at the
//!   start or end of a block; the file ends with one newline.
//!
//! Formatting is idempotent and never changes meaning: the formatted file compiles
//! to the same [`crate::ir::Mix`] (tests check both on every example).

mod comments;
mod layout;
mod tree;

use crate::diag::Diagnostic;
use crate::span::SourceId;

/// Formats one `.mix` source (whose spans use `source`). Errors are the parser's.
pub fn format(source: SourceId, text: &str) -> Result<String, Vec<Diagnostic>> {
    let file = crate::syntax::parse(source, text)?;
    let group = tree::Builder { src: text }.file(&file);
    let comments = comments::scan(text);
    let mut layout = layout::Layout {
        src: text,
        comments: &comments,
        lines: Vec::new(),
    };
    layout.file(&group);
    let out = layout::render(&layout.lines);
    // An empty file stays empty rather than becoming a lone newline.
    Ok(if out.trim().is_empty() {
        String::new()
    } else {
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(s: &str) -> String {
        format(SourceId(0), s).expect("parses")
    }

    #[test]
    fn canonical_spacing_and_one_statement_per_line() {
        let got = fmt(
            "track  vox \"v.wav\" {gain -3 dB;pan   -20 %\n eq { lowpass 5kHz 12dB/oct }\n  compressor{threshold -18dB;ratio 3}}\n",
        );
        assert_eq!(
            got,
            "track vox \"v.wav\" {\n  gain -3dB\n  pan -20%\n  eq { lowpass 5kHz 12dB/oct }\n  compressor {\n    threshold -18dB\n    ratio 3\n  }\n}\n"
        );
    }

    #[test]
    fn comments_stay_and_align() {
        let src = "# head\n\n\nsession { # s\n  rate 48kHz # r\n  tempo 92bpm   # t\n                # more t\n\n  # own\n  meter 4/4\n}\ntrack a sine 1kHz { length 1s; level -20dBFS } # tail\n";
        let got = fmt(src);
        assert_eq!(
            got,
            "# head\n\nsession {      # s\n  rate 48kHz   # r\n  tempo 92bpm  # t\n               # more t\n\n  # own\n  meter 4/4\n}\ntrack a sine 1kHz {\n  length 1s\n  level -20dBFS\n}  # tail\n"
        );
        assert_eq!(fmt(&got), got, "idempotent");
    }

    #[test]
    fn values_and_calls() {
        let got = fmt(
            "chain w(a=2 dB,b) { eq { bell 1kHz a } }\ntrack t silence { w( a : -inf dB , b: 1dB); start bar  2 }\nautomate t.gain { 0:00 -infdB; 0:02 0 dB smooth }\nexport stems \"s/{name}.wav\" { of a, b c }\n",
        );
        assert_eq!(
            got,
            "chain w(a = 2dB, b) {\n  eq { bell 1kHz a }\n}\ntrack t silence {\n  w(a: -inf dB, b: 1dB)\n  start bar 2\n}\nautomate t.gain {\n  0:00 -inf dB\n  0:02 0dB smooth\n}\nexport stems \"s/{name}.wav\" { of a, b c }\n"
        );
    }
}
