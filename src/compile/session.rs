//! The `session` block: render rate, tempo and meter map, tail.

use super::tempo::{Change, Tempo};
use super::values::{Units, describe};
use crate::diag::Diagnostic;
use crate::ir::Tail;
use crate::syntax::ast::{Command, Session, Stmt, Unit, Value, ValueKind};

pub struct SessionSettings {
    pub title: Option<String>,
    pub rate: u32,
    pub tail: Tail,
    pub tempo: Option<Tempo>,
}

pub fn lower_session(session: Option<&Session>, diags: &mut Vec<Diagnostic>) -> SessionSettings {
    let mut out = SessionSettings {
        title: None,
        rate: 48000,
        tail: Tail::Auto,
        tempo: None,
    };
    let Some(session) = session else { return out };
    out.title = session.title.as_ref().map(|t| t.value.clone());
    let mut bpm: Option<(f64, &Command)> = None;
    let mut meter: Option<(u32, u32)> = None;
    let mut changes: Vec<(&Command, &Value, Change)> = Vec::new();
    // Set once each (a tempo or meter `at` a position is a change, not a setting).
    let mut once = super::once::Once::default();
    let mut tail: Option<&Command> = None;
    for stmt in &session.body.stmts {
        let Stmt::Command(c) = stmt else {
            diags.push(Diagnostic::error(
                "misplaced",
                stmt.span(),
                "chain calls belong in strips and the master, not the session",
            ));
            continue;
        };
        let at = match c.args.as_slice() {
            [
                _,
                Value {
                    kind: ValueKind::Word(w),
                    ..
                },
                pos,
            ] if w == "at" => Some(pos),
            _ => None,
        };
        let name = c.name.name.as_str();
        if at.is_none()
            && ["rate", "tempo", "meter", "tail"].contains(&name)
            && let Some(d) = once.set(name, c.span, "")
        {
            diags.push(d);
            continue;
        }
        if name == "tail" {
            tail = Some(c);
        }
        match (name, c.args.first()) {
            ("rate", Some(v)) if c.args.len() == 1 => {
                match super::values::sample_rate(v, "the session rate") {
                    Ok(hz) => out.rate = hz,
                    Err(d) => diags.push(d),
                }
            }
            ("tempo", Some(v)) => match (v.kind.clone(), at) {
                (
                    ValueKind::Number {
                        value,
                        unit: Some(Unit::Bpm),
                    },
                    at,
                ) if value > 0.0 && value <= 999.0 => match at {
                    None if c.args.len() == 1 => bpm = Some((value, c)),
                    Some(pos) => changes.push((
                        c,
                        pos,
                        Change {
                            bar: 0,
                            bpm: Some(value),
                            meter: None,
                        },
                    )),
                    None => diags.push(Diagnostic::error(
                        "wrong-value",
                        c.span,
                        "write `tempo 120bpm` or `tempo 120bpm at bar 33`",
                    )),
                },
                (
                    ValueKind::Number {
                        unit: Some(Unit::Bpm),
                        ..
                    },
                    _,
                ) => diags.push(Diagnostic::error(
                    "out-of-range",
                    v.span,
                    format!(
                        "a tempo must be above 0bpm and at most 999bpm, found {}",
                        describe(v)
                    ),
                )),
                _ => diags.push(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "`tempo` expects beats per minute such as 92bpm, found {}",
                        describe(v)
                    ),
                )),
            },
            ("meter", Some(v)) => match (&v.kind, at) {
                (
                    ValueKind::Fraction {
                        num,
                        den,
                        modifier: crate::syntax::ast::NoteModifier::Plain,
                    },
                    at,
                ) if *num > 0 && [1, 2, 4, 8, 16, 32].contains(den) => match at {
                    None if c.args.len() == 1 => meter = Some((*num, *den)),
                    Some(pos) => changes.push((
                        c,
                        pos,
                        Change {
                            bar: 0,
                            bpm: None,
                            meter: Some((*num, *den)),
                        },
                    )),
                    None => diags.push(Diagnostic::error(
                        "wrong-value",
                        c.span,
                        "write `meter 4/4` or `meter 3/4 at bar 49`",
                    )),
                },
                _ => diags.push(Diagnostic::error(
                    "wrong-value",
                    v.span,
                    format!(
                        "`meter` expects a time signature such as 4/4 or 6/8, found {}",
                        describe(v)
                    ),
                )),
            },
            ("tail", Some(v)) if c.args.len() == 1 => match &v.kind {
                ValueKind::Word(w) if w == "auto" => out.tail = Tail::Auto,
                _ => match (Units {
                    rate: f64::from(out.rate),
                    tempo: None,
                    base: std::path::Path::new(""),
                })
                .duration(v)
                {
                    Ok(n) => out.tail = Tail::Fixed(n),
                    Err(_) => diags.push(Diagnostic::error(
                        "wrong-value",
                        v.span,
                        format!(
                            "`tail` is `auto` or a time such as 2s, found {}",
                            describe(v)
                        ),
                    )),
                },
            },
            (name @ ("rate" | "tempo" | "meter" | "tail"), _) => diags.push(Diagnostic::error(
                "missing-value",
                c.span,
                format!("`{name}` needs one value"),
            )),
            (name, _) => {
                let mut d = Diagnostic::error(
                    "unknown-name",
                    c.name.span,
                    format!("unknown session setting `{name}`"),
                );
                if let Some(s) = crate::diag::did_you_mean(name, ["rate", "tempo", "meter", "tail"])
                {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                } else {
                    d = d.with_hint("the session block takes rate, tempo, meter and tail");
                }
                diags.push(d);
            }
        }
    }
    // A fixed tail was converted at 48 kHz if `rate` came later; redo it at the real rate.
    if let (Some(c), Tail::Fixed(_)) = (tail, out.tail)
        && let Some(v) = c.args.first()
        && let Ok(n) = (Units {
            rate: f64::from(out.rate),
            tempo: None,
            base: std::path::Path::new(""),
        })
        .duration(v)
    {
        out.tail = Tail::Fixed(n);
    }
    let rate = f64::from(out.rate);
    match bpm {
        Some((bpm, _)) => {
            let mut resolved = Vec::new();
            let mut last_bar = 1;
            for (c, pos, mut change) in changes {
                match pos.kind {
                    ValueKind::Bar { bar, beat } if beat == 1.0 && bar >= 1 => {
                        if bar < last_bar {
                            diags.push(Diagnostic::error(
                                "out-of-order",
                                pos.span,
                                "tempo and meter changes must be written in timeline order",
                            ));
                        }
                        last_bar = bar;
                        change.bar = bar;
                        resolved.push(change);
                    }
                    _ => diags.push(
                        Diagnostic::error(
                            "wrong-value",
                            pos.span,
                            "tempo and meter change at the start of a bar, e.g. `at bar 33`",
                        )
                        .with_label(c.span, "this change"),
                    ),
                }
            }
            out.tempo = Some(Tempo::new(rate, bpm, meter.unwrap_or((4, 4)), &resolved));
        }
        None => {
            if let Some((c, _, _)) = changes.first() {
                diags.push(
                    Diagnostic::error("no-tempo", c.span, "a tempo change needs an opening tempo")
                        .with_hint("add `tempo 120bpm` before the changes"),
                );
            }
        }
    }
    out
}
