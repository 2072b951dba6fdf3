//! Literals: numbers and units, clock and bar positions, note lengths, strings.
//!
//! The grammar only decides where a literal starts and ends; the checks a user can
//! get wrong (an unknown unit, `1:75`, `1/0`, a bad escape) happen here, so each one
//! becomes a [`Diagnostic`] with its own span and parsing carries on to find more.

use super::Rule;
use super::ast::{CompareOp, NoteModifier, Unit, Value, ValueKind};
use crate::diag::{Diagnostic, did_you_mean};
use crate::span::{SourceId, Span};
use pest::iterators::Pair;

/// Every unit, as written, in the order the grammar tries them.
pub const UNITS: [Unit; 14] = [
    Unit::DbPerOct,
    Unit::Dbfs,
    Unit::Dbtp,
    Unit::Db,
    Unit::Lufs,
    Unit::Lu,
    Unit::Khz,
    Unit::Hz,
    Unit::Ms,
    Unit::Smp,
    Unit::S,
    Unit::Percent,
    Unit::Bpm,
    Unit::Float,
];

/// The unit spelled exactly `text` (units are case-sensitive: `khz` is not `kHz`).
pub fn unit(text: &str) -> Option<Unit> {
    UNITS.into_iter().find(|u| u.as_str() == text)
}

/// The error for letters glued to a number that are not a unit (`3dbb`, `10khz`).
pub fn unknown_unit(span: Span, text: &str) -> Diagnostic {
    let mut d = Diagnostic::error("unknown-unit", span, format!("unknown unit `{text}`"))
        .with_label_text("not a unit");
    if let Some(close) = did_you_mean(text, UNITS.iter().map(|u| u.as_str())) {
        d = d.with_hint(format!("did you mean `{close}`?"));
    }
    d.with_hint("units are written like dB, dBFS, Hz, kHz, ms, s, %, dB/oct, LUFS")
}

/// The value of a number literal as the grammar matched it: `-3`, `2.5`, `+1`, `-inf`.
pub fn number(text: &str) -> f64 {
    match text {
        "-inf" => f64::NEG_INFINITY,
        "+inf" => f64::INFINITY,
        // The grammar admits only digits with an optional sign and fraction, which
        // always parse; NaN is unreachable but harmless if it ever happened.
        _ => text.parse().unwrap_or(f64::NAN),
    }
}

/// `1:23.5` (m:ss.s) or `1:02:03.5` (h:mm:ss.s) to seconds.
pub fn clock(text: &str, span: Span) -> Result<f64, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(
            "syntax",
            span,
            format!("bad clock position `{text}`: {why}"),
        )
        .with_label_text("not a valid time")
        .with_hint("positions are written m:ss or h:mm:ss, e.g. 1:23.5 or 1:02:03")
    };
    let (whole, frac) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text, None),
    };
    let fields: Vec<&str> = whole.split(':').collect();
    let parse = |f: &str| f.parse::<u64>().map_err(|_| bad("a field is too large"));
    let seconds = match fields.as_slice() {
        [m, s] => {
            let (m, s) = (parse(m)?, two_digit(s).ok_or_else(|| bad(SECONDS))?);
            m as f64 * 60.0 + s as f64
        }
        [h, m, s] => {
            let h = parse(h)?;
            let m = two_digit(m).ok_or_else(|| bad("minutes must be two digits, 00 to 59"))?;
            let s = two_digit(s).ok_or_else(|| bad(SECONDS))?;
            h as f64 * 3600.0 + m as f64 * 60.0 + s as f64
        }
        _ => return Err(bad("expected m:ss or h:mm:ss")),
    };
    let frac = match frac {
        Some(f) => format!("0.{f}").parse::<f64>().unwrap_or(0.0),
        None => 0.0,
    };
    Ok(seconds + frac)
}

const SECONDS: &str = "seconds must be two digits, 00 to 59";

/// A two-digit field below 60 (`05`, `59`), as in clocks.
fn two_digit(field: &str) -> Option<u64> {
    if field.len() != 2 {
        return None;
    }
    field.parse::<u64>().ok().filter(|v| *v < 60)
}

/// The number after `bar`: `17` (beat 1) or `17.3` (bar 17, beat 3).
pub fn bar(text: &str, span: Span) -> Result<(u32, f64), Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error(
            "syntax",
            span,
            format!("bad bar position `bar {text}`: {why}"),
        )
        .with_label_text("not a valid bar")
        .with_hint("bars and beats count from 1: `bar 17` or `bar 17.3` (bar 17, beat 3)")
    };
    let (bar, beat) = match text.split_once('.') {
        Some((b, beat)) => (b, Some(beat)),
        None => (text, None),
    };
    let bar: u32 = bar
        .parse()
        .map_err(|_| bad("the bar number is too large"))?;
    if bar == 0 {
        return Err(bad("bars count from 1"));
    }
    let beat = match beat {
        // The digits after the dot are a beat number, not a decimal fraction.
        Some(b) => {
            let beat: u32 = b.parse().map_err(|_| bad("the beat number is too large"))?;
            if beat == 0 {
                return Err(bad("beats count from 1"));
            }
            f64::from(beat)
        }
        None => 1.0,
    };
    Ok((bar, beat))
}

/// `1/4`, `1/8.`, `1/8t`, `4/4`.
pub fn fraction(text: &str, span: Span) -> Result<ValueKind, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error("syntax", span, format!("bad note length `{text}`: {why}"))
            .with_label_text("not a valid fraction")
            .with_hint("note lengths are written 1/4, 1/8. (dotted) or 1/8t (triplet)")
    };
    let (body, modifier) = if let Some(b) = text.strip_suffix('.') {
        (b, NoteModifier::Dotted)
    } else if let Some(b) = text.strip_suffix('t') {
        (b, NoteModifier::Triplet)
    } else {
        (text, NoteModifier::Plain)
    };
    let (num, den) = body.split_once('/').ok_or_else(|| bad("expected a/b"))?;
    let num: u32 = num.parse().map_err(|_| bad("a number is too large"))?;
    let den: u32 = den.parse().map_err(|_| bad("a number is too large"))?;
    if den == 0 {
        return Err(bad("the denominator is zero"));
    }
    Ok(ValueKind::Fraction { num, den, modifier })
}

/// Resolves `\"` and `\\` in a string's inner text, whose span is `span`.
/// Any other escape is an error (one per bad escape), with a span on the escape.
pub fn unescape(inner: &str, span: Span) -> Result<String, Vec<Diagnostic>> {
    let mut out = String::with_capacity(inner.len());
    let mut errors = Vec::new();
    let mut chars = inner.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, e @ ('"' | '\\'))) => out.push(e),
            Some((j, other)) => {
                let at = span.start as usize + i;
                let esc_span =
                    Span::new(span.source, at, span.start as usize + j + other.len_utf8());
                errors.push(
                    Diagnostic::error("syntax", esc_span, format!("unknown escape `\\{other}`"))
                        .with_label_text("not an escape")
                        .with_hint(
                            r#"strings know two escapes: \" for a quote and \\ for a backslash"#,
                        ),
                );
            }
            // The grammar never lets a string end in a lone backslash.
            None => out.push('\\'),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Builds a [`Value`] from a `value` pair (or one of its alternatives), pushing any
/// literal error to `errors`. A value with an error still gets a placeholder kind, so
/// the caller can keep building and report more.
pub fn value(source: SourceId, pair: Pair<'_, Rule>, errors: &mut Vec<Diagnostic>) -> Value {
    let span_of = |p: &Pair<'_, Rule>| Span::new(source, p.as_span().start(), p.as_span().end());
    let span = span_of(&pair);
    let pair = if pair.as_rule() == Rule::value {
        match pair.into_inner().next() {
            Some(inner) => inner,
            None => return placeholder(span),
        }
    } else {
        pair
    };
    let text = pair.as_str();
    let mut check = |r: Result<ValueKind, Diagnostic>| {
        r.unwrap_or_else(|d| {
            errors.push(d);
            ValueKind::Word(String::new())
        })
    };
    let kind = match pair.as_rule() {
        Rule::string => {
            let inner = pair.into_inner().next();
            let value = inner.map_or(Ok(String::new()), |i| unescape(i.as_str(), span_of(&i)));
            match value {
                Ok(s) => ValueKind::Str(s),
                Err(errs) => {
                    errors.extend(errs);
                    ValueKind::Str(String::new())
                }
            }
        }
        Rule::range => ValueKind::Range,
        Rule::compare => ValueKind::Compare(match text {
            "<=" => CompareOp::Le,
            ">=" => CompareOp::Ge,
            "<" => CompareOp::Lt,
            ">" => CompareOp::Gt,
            _ => CompareOp::Eq,
        }),
        Rule::clock => check(clock(text, span).map(ValueKind::Clock)),
        Rule::fraction => check(fraction(text, span)),
        Rule::number => {
            let mut value = f64::NAN;
            let mut unit_found = None;
            for p in pair.into_inner() {
                match p.as_rule() {
                    Rule::num_lit => value = number(p.as_str()),
                    Rule::unit => unit_found = unit(p.as_str()),
                    _ => errors.push(unknown_unit(span_of(&p), p.as_str())),
                }
            }
            ValueKind::Number {
                value,
                unit: unit_found,
            }
        }
        Rule::bar_pos => {
            let num = pair.into_inner().find(|p| p.as_rule() == Rule::bar_num);
            let (text, num_span) = num.map_or(("", span), |n| (n.as_str(), span_of(&n)));
            check(bar(text, num_span).map(|(bar, beat)| ValueKind::Bar { bar, beat }))
        }
        Rule::path => ValueKind::Path(text.split('.').map(str::to_owned).collect()),
        _ => ValueKind::Word(text.to_owned()),
    };
    Value { kind, span }
}

fn placeholder(span: Span) -> Value {
    Value {
        kind: ValueKind::Word(String::new()),
        span,
    }
}
