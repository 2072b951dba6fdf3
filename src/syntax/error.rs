//! pest error to [`Diagnostic`].
//!
//! pest stops at the first syntax error and says which rules it tried there. Rule
//! names mean nothing to a user, so this module turns them into words ("expected a
//! track name"), names what was found instead ("unexpected end of file"), and
//! special-cases the common mistakes: an unclosed block (with a second label on its
//! `{`), an unterminated string and a stray `}`.

use super::Rule;
use crate::diag::Diagnostic;
use crate::span::{SourceId, Span};
use pest::error::{Error, ErrorVariant, InputLocation};

/// The one diagnostic for a failed parse.
pub fn from_pest(source: SourceId, text: &str, err: &Error<Rule>) -> Diagnostic {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    }
    .min(text.len());
    let positives: &[Rule] = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => positives,
        ErrorVariant::CustomError { message } => {
            // Only the call limit and the stack guard produce custom errors.
            return Diagnostic::error(
                "syntax",
                Span::new(source, pos, pos),
                format!("this file is too complex to parse ({message})"),
            );
        }
    };
    let found = Found::at(text, pos);
    let span = Span::new(source, found.start, found.end);
    let has = |r: Rule| positives.contains(&r);

    if found.what == "`\"`" && has(Rule::string) {
        let end = text[pos..]
            .find(['\n', '\r'])
            .map_or(text.len(), |n| pos + n);
        return Diagnostic::error(
            "syntax",
            Span::new(source, pos, end),
            "this string is not closed",
        )
        .with_label_text("string starts here")
        .with_hint(r#"close it with `"` on the same line; write \" for a quote inside it"#);
    }
    if has(Rule::rbrace) && found.at_end {
        let mut d = Diagnostic::error(
            "syntax",
            span,
            "expected `}` to close the block opened here",
        )
        .with_label_text("the file ends here");
        if let Some(open) = unclosed_brace(&text[..pos]) {
            d = d.with_label(
                Span::new(source, open, open + 1),
                "this block is never closed",
            );
        }
        return d;
    }
    if found.what == "`}`" && !has(Rule::rbrace) && unclosed_brace(&text[..pos]).is_none() {
        return Diagnostic::error("syntax", span, "unexpected `}`: no block is open here")
            .with_label_text("nothing to close")
            .with_hint("remove it, or check the `{` that should open its block");
    }
    let names = expected(positives);
    let label = format!("unexpected {}", found.what);
    match names.split_first() {
        // A long phrase ("a value such as -3dB, 2kHz or 50%") reads badly in a list,
        // so it leads alone and the other possibilities become a hint.
        Some((first, rest)) if is_phrase(first) && !rest.is_empty() => {
            Diagnostic::error("syntax", span, format!("expected {first}"))
                .with_label_text(label)
                .with_hint(format!("also possible here: {}", join_or(rest)))
        }
        _ => Diagnostic::error("syntax", span, format!("expected {}", join_or(&names)))
            .with_label_text(label),
    }
}

fn is_phrase(name: &str) -> bool {
    name.contains(" such as ") || name.contains(':')
}

/// "a, b or c"
fn join_or(names: &[&str]) -> String {
    match names {
        [] => "something else here".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// What the parser met where it failed, and the span to underline.
struct Found {
    what: String,
    start: usize,
    end: usize,
    /// Only whitespace and comments remain.
    at_end: bool,
}

impl Found {
    fn at(text: &str, pos: usize) -> Found {
        let rest = &text[pos..];
        let at_end = rest
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let Some(c) = rest.chars().next() else {
            // Zero-length spans at the end of a file render badly (miette#277):
            // underline the last character instead and say it is the end.
            let start = text.char_indices().next_back().map_or(0, |(i, _)| i);
            return Found {
                what: "end of file".into(),
                start,
                end: text.len(),
                at_end,
            };
        };
        if c == '\n' || c == '\r' {
            return Found {
                what: "end of line".into(),
                start: pos,
                end: pos + c.len_utf8(),
                at_end,
            };
        }
        let len = if c.is_alphanumeric() || c == '_' {
            rest.find(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '-' || ch == '.'))
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        Found {
            what: format!("`{}`", &rest[..len]),
            start: pos,
            end: pos + len,
            at_end,
        }
    }
}

/// The byte offset of the innermost `{` still open at the end of `text`, skipping
/// strings and comments.
fn unclosed_brace(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
        } else {
            match c {
                '#' => in_comment = true,
                '"' => in_string = true,
                '{' => open.push(i),
                '}' => {
                    open.pop();
                }
                _ => {}
            }
        }
    }
    open.pop()
}

/// The human names of the rules pest tried, most useful first, without repeats.
fn expected(positives: &[Rule]) -> Vec<&'static str> {
    let has = |r: Rule| positives.contains(&r);
    let mut names: Vec<&str> = Vec::new();
    // Pairs that read better as one phrase.
    if has(Rule::string) && has(Rule::generator_kind) {
        names.push(
            r#"a string path in quotes such as "stems/vox.wav", or a generator such as sine 1kHz"#,
        );
    } else if has(Rule::string) && has(Rule::export_kind) {
        names.push(r#"a string path in quotes such as "out/mix.wav" (or `stems` and a pattern)"#);
    } else if has(Rule::string) && has(Rule::std_module) {
        names.push(
            r#"a module such as std.vocal, or a string path in quotes such as "chains/house.mix""#,
        );
    }
    let mut sorted = positives.to_vec();
    sorted.sort_by_key(|r| priority(*r));
    for r in sorted {
        let skip = !names.is_empty()
            && matches!(
                r,
                Rule::string | Rule::generator_kind | Rule::export_kind | Rule::std_module
            );
        // A separator is two things to a user.
        let these: &[&'static str] = if r == Rule::sep {
            &["a new line", "`;`"]
        } else {
            &[human(r)]
        };
        for &name in these {
            if !skip && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

/// Sort key: the names a user most likely meant come first.
fn priority(rule: Rule) -> u8 {
    match rule {
        Rule::EOI => 4,
        Rule::sep => 3,
        Rule::rbrace | Rule::rparen => 2,
        Rule::lbrace | Rule::block | Rule::point_block => 1,
        _ => 0,
    }
}

/// What a rule is called in an error message.
fn human(rule: Rule) -> &'static str {
    match rule {
        Rule::file | Rule::item => {
            "an item: use, chain, session, track, bus, master, export, automate, assert or album"
        }
        Rule::track_name => "a track name",
        Rule::bus_name => "a bus name",
        Rule::chain_name => "a chain name",
        Rule::param_name | Rule::chain_param => "a parameter name",
        Rule::named_arg => "an argument such as air: 3dB",
        Rule::ident | Rule::call_path | Rule::command | Rule::call => "a name",
        Rule::export_kind => "`stems`",
        Rule::generator_kind | Rule::generator => "a generator such as sine 1kHz or noise pink",
        Rule::string | Rule::string_inner => r#"a string in quotes such as "stems/vox.wav""#,
        Rule::std_module => "a module such as std.vocal",
        Rule::automate_target => "a target such as vox.gain or plate.reverb.mix",
        Rule::point => "an automation point such as 0:02 -3dB",
        Rule::curve => "a curve: linear, exp, smooth or step",
        Rule::value | Rule::number | Rule::num_lit | Rule::path | Rule::word => {
            "a value such as -3dB, 2kHz or 50%"
        }
        Rule::unit | Rule::bad_unit => "a unit such as dB, Hz or ms",
        Rule::clock => "a time such as 1:23.5",
        Rule::bar_pos | Rule::bar_num => "a bar number such as bar 17",
        Rule::fraction => "a note length such as 1/8",
        Rule::range => "`..`",
        Rule::compare => "a comparison such as <=",
        Rule::alias => "a name after `as`",
        Rule::lbrace | Rule::block | Rule::point_block => "`{`",
        Rule::rbrace => "`}`",
        Rule::lparen => "`(`",
        Rule::rparen => "`)`",
        Rule::EOI => "end of file",
        Rule::kw_use | Rule::use_item => "`use`",
        Rule::kw_chain | Rule::chain_def => "`chain`",
        Rule::kw_session | Rule::session => "`session`",
        Rule::kw_track | Rule::track => "`track`",
        Rule::kw_bus | Rule::bus => "`bus`",
        Rule::kw_master | Rule::master => "`master`",
        Rule::kw_export | Rule::export => "`export`",
        Rule::kw_automate | Rule::automate => "`automate`",
        Rule::kw_assert | Rule::assert_item => "`assert`",
        Rule::kw_album | Rule::album => "`album`",
        Rule::kw_as => "`as`",
        Rule::kw_bar => "`bar`",
        _ => "something else",
    }
}
