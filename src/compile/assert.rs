//! Lowering `assert` items: `[SUBJECT] QUANTITY (OP VALUE | VALUE within TOLERANCE)`.
//!
//! The parser keeps an assertion as a plain run of words and values; here each one is
//! read against a small fixed shape, with the unit of every value checked against its
//! quantity (`loudness` takes LUFS, `true_peak` dBTP, `peak` dBFS, `lra` LU, `length` a
//! time), so a mistake is reported at compile time with its span, not after a render.

use super::values::{Units, describe};
use crate::diag::Diagnostic;
use crate::ir::{AssertCheck, Assertion, Quantity, Strip};
use crate::syntax::ast::{self, CompareOp, Unit, Value, ValueKind};

const SHAPE: &str = "write e.g. `assert master loudness -14LUFS within 0.5LU`, \
                     `assert vox peak <= -6dBFS` or `assert length 3:20 within 1s`";

/// Lowers every assertion; `strips` are the mix's tracks and buses (for subject names).
pub fn lower(
    items: &[&ast::Assert],
    strips: &[Strip],
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Assertion> {
    items
        .iter()
        .filter_map(|a| match lower_one(a, strips, units) {
            Ok(x) => Some(x),
            Err(d) => {
                diags.push(d);
                None
            }
        })
        .collect()
}

fn word(v: &Value) -> Option<&str> {
    match &v.kind {
        ValueKind::Word(w) => Some(w),
        _ => None,
    }
}

fn quantity(w: &str) -> Option<Quantity> {
    Some(match w {
        "loudness" => Quantity::Loudness,
        "true_peak" => Quantity::TruePeak,
        "peak" => Quantity::Peak,
        "lra" => Quantity::Lra,
        "length" => Quantity::Length,
        _ => return None,
    })
}

const QUANTITIES: [&str; 5] = ["loudness", "true_peak", "peak", "lra", "length"];

fn lower_one(a: &ast::Assert, strips: &[Strip], units: &Units) -> Result<Assertion, Diagnostic> {
    let shape = || Diagnostic::error("bad-assert", a.span, "this assertion has no known shape");
    let args = a.args.as_slice();
    let first = args.first().ok_or_else(|| shape().with_hint(SHAPE))?;
    // `length` has no subject; every other quantity measures one strip.
    let (subject, rest) = match word(first) {
        Some("length") => (None, args),
        Some(name) => (Some((name, first.span)), &args[1..]),
        None => {
            return Err(Diagnostic::error(
                "bad-assert",
                first.span,
                format!(
                    "an assertion starts with `master`, a strip name or `length`, found {}",
                    describe(first)
                ),
            )
            .with_hint(SHAPE));
        }
    };
    let qv = rest.first().ok_or_else(|| shape().with_hint(SHAPE))?;
    let q = word(qv).and_then(quantity).ok_or_else(|| {
        let mut d = Diagnostic::error(
            "bad-assert",
            qv.span,
            format!(
                "expected what to measure ({}), found {}",
                QUANTITIES.join(", "),
                describe(qv)
            ),
        );
        if let Some(s) = word(qv).and_then(|w| crate::diag::did_you_mean(w, QUANTITIES)) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        d
    })?;
    if let Some((name, span)) = subject {
        if q == Quantity::Length {
            return Err(Diagnostic::error(
                "bad-assert",
                span,
                "`length` is the length of the master export: write `assert length ...`",
            ));
        }
        if name != "master" && !strips.iter().any(|s| s.name == name) {
            let mut d = Diagnostic::error(
                "unknown-name",
                span,
                format!("no track or bus named `{name}`"),
            );
            let names = strips.iter().map(|s| s.name.as_str()).chain(["master"]);
            if let Some(s) = crate::diag::did_you_mean(name, names) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            return Err(d);
        }
    }
    let (check, value) = match &rest[1..] {
        [
            Value {
                kind: ValueKind::Compare(op),
                ..
            },
            v,
        ] => {
            let check = match op {
                CompareOp::Le => AssertCheck::Le,
                CompareOp::Ge => AssertCheck::Ge,
                CompareOp::Lt => AssertCheck::Lt,
                CompareOp::Gt => AssertCheck::Gt,
                CompareOp::Eq => AssertCheck::Eq,
            };
            (check, amount(q, v, units, false)?)
        }
        [v, w, tol] if word(w) == Some("within") => {
            let t = amount(q, tol, units, true)?;
            (AssertCheck::Within(t), amount(q, v, units, false)?)
        }
        _ => return Err(shape().with_hint(SHAPE)),
    };
    Ok(Assertion {
        subject: subject.map(|(n, _)| n.to_string()),
        quantity: q,
        check,
        value,
        span: a.span,
    })
}

/// A value (or, with `tolerance`, a difference) in the quantity's canonical unit.
fn amount(q: Quantity, v: &Value, units: &Units, tolerance: bool) -> Result<f64, Diagnostic> {
    if q == Quantity::Length {
        let samples = if tolerance {
            units.duration(v)?
        } else {
            units.position(v)?
        };
        return Ok(samples as f64 / units.rate);
    }
    // A tolerance is a difference of levels: LU for loudness, dB for peaks.
    let expected: &[Unit] = match (q, tolerance) {
        (Quantity::Loudness, false) => &[Unit::Lufs],
        (Quantity::TruePeak, false) => &[Unit::Dbtp],
        (Quantity::Peak, false) => &[Unit::Dbfs],
        (Quantity::Lra, _) | (Quantity::Loudness, true) => &[Unit::Lu],
        (Quantity::TruePeak | Quantity::Peak, true) => &[Unit::Db],
        (Quantity::Length, _) => unreachable!("handled above"),
    };
    match v.kind {
        ValueKind::Number {
            value,
            unit: Some(u),
        } if expected.contains(&u) => {
            if tolerance && value < 0.0 {
                return Err(Diagnostic::error(
                    "out-of-range",
                    v.span,
                    "a tolerance cannot be negative",
                ));
            }
            Ok(value)
        }
        _ => Err(Diagnostic::error(
            "wrong-unit",
            v.span,
            format!(
                "`{}` {} in {}, found {}",
                q.as_str(),
                if tolerance {
                    "takes a tolerance"
                } else {
                    "is measured"
                },
                expected[0].as_str(),
                describe(v)
            ),
        )
        .with_label_text(format!("expected {}", expected[0].as_str()))),
    }
}
