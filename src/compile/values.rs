//! Turning written values into canonical numbers: units checked against what a
//! parameter expects, timeline positions to samples, note lengths to seconds.

use super::tempo::Tempo;
use crate::diag::Diagnostic;
use crate::dsp::param::{ParamSpec, UnitKind};
use crate::ir::ParamValue;
use crate::syntax::ast::{NoteModifier, Unit, Value, ValueKind};
use std::path::Path;

/// How a value is described in messages: `120Hz`, `"kick.wav"`, `rms`.
pub fn describe(v: &Value) -> String {
    match &v.kind {
        ValueKind::Number { value, unit } => {
            let num = if value.is_infinite() {
                format!("{}inf", if *value < 0.0 { "-" } else { "" })
            } else {
                fmt_num(*value)
            };
            match unit {
                Some(u) if value.is_infinite() => format!("{num} {}", u.as_str()),
                Some(u) => format!("{num}{}", u.as_str()),
                None => format!("the plain number {num}"),
            }
        }
        ValueKind::Str(s) => format!("the string \"{s}\""),
        ValueKind::Word(w) => format!("the word `{w}`"),
        ValueKind::Path(p) => format!("`{}`", p.join(".")),
        ValueKind::Clock(_) => "a clock position".into(),
        ValueKind::Bar { .. } => "a bar position".into(),
        ValueKind::Fraction { .. } => "a note length".into(),
        ValueKind::Range => "`..`".into(),
        ValueKind::Compare(_) => "a comparison".into(),
    }
}

/// A number without trailing zeros (`2`, `2.5`).
pub fn fmt_num(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Context for converting values.
pub struct Units<'a> {
    pub rate: f64,
    pub tempo: Option<&'a Tempo>,
    /// The mix file's folder: path parameters (`reverb "ir.wav"`) are stored joined
    /// to it, as track file paths are.
    pub base: &'a Path,
}

impl Units<'_> {
    /// Converts `v` for parameter `spec` (unit and range checked). Choice and strip
    /// parameters give text.
    pub fn param(&self, spec: &ParamSpec, v: &Value) -> Result<ParamValue, Diagnostic> {
        let wrong = || {
            Diagnostic::error(
                "wrong-unit",
                v.span,
                format!(
                    "`{}` expects {}, found {}",
                    spec.name,
                    spec.kind.describe(),
                    describe(v)
                ),
            )
            .with_label_text(format!("expected {}", spec.kind.describe()))
        };
        match (&v.kind, spec.kind) {
            (ValueKind::Word(w), UnitKind::Choice(words)) => {
                if words.contains(&w.as_str()) {
                    Ok(ParamValue::Text(w.clone()))
                } else {
                    let mut d = Diagnostic::error(
                        "unknown-choice",
                        v.span,
                        format!(
                            "`{}` must be one of {}, found `{w}`",
                            spec.name,
                            words.join(", ")
                        ),
                    );
                    if let Some(s) = crate::diag::did_you_mean(w, words.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    Err(d)
                }
            }
            (ValueKind::Word(w), UnitKind::StripRef) => Ok(ParamValue::Text(w.clone())),
            (ValueKind::Str(s), UnitKind::Path) => Ok(ParamValue::Text(
                self.base.join(s).to_string_lossy().into_owned(),
            )),
            (ValueKind::Fraction { num, den, modifier }, UnitKind::TimeOrNote) => {
                let Some(tempo) = self.tempo else {
                    return Err(Diagnostic::error(
                        "no-tempo",
                        v.span,
                        "a note length needs a tempo",
                    )
                    .with_hint("add `tempo 120bpm` to the session block"));
                };
                let secs = tempo.note_seconds(*num, *den, *modifier);
                self.check_range(spec, secs, v).map(ParamValue::Number)
            }
            (ValueKind::Number { value, unit }, kind)
                if kind.accepts(*unit)
                    || (value.is_infinite() && kind == UnitKind::Level && unit.is_none()) =>
            {
                let c = kind.canonical(*value, *unit, self.rate);
                self.check_range(spec, c, v).map(ParamValue::Number)
            }
            _ => Err(wrong()),
        }
    }

    fn check_range(&self, spec: &ParamSpec, c: f64, v: &Value) -> Result<f64, Diagnostic> {
        let unit = spec.kind.canonical_unit();
        let show = |x: f64| match spec.kind {
            UnitKind::Percent => format!("{}%", fmt_num(x * 100.0)),
            UnitKind::Time | UnitKind::TimeOrNote if x < 1.0 => {
                format!("{}ms", fmt_num(x * 1000.0))
            }
            // `-inf dB` is how the language writes it (`-infdB` does not parse).
            _ if x.is_infinite() => format!("{}inf {unit}", if x < 0.0 { "-" } else { "" }),
            _ => format!("{}{unit}", fmt_num(x)),
        };
        if spec.kind == UnitKind::Frequency && c >= self.rate / 2.0 {
            return Err(Diagnostic::error(
                "out-of-range",
                v.span,
                format!(
                    "`{}` of {} is not below the Nyquist frequency ({} at a {} rate)",
                    spec.name,
                    show(c),
                    show(self.rate / 2.0),
                    show(self.rate)
                ),
            )
            .with_label_text("too high for the session rate"));
        }
        if c.is_nan() || c < spec.min || c > spec.max {
            return Err(Diagnostic::error(
                "out-of-range",
                v.span,
                format!(
                    "`{}` must be between {} and {}, found {}",
                    spec.name,
                    show(spec.min),
                    show(spec.max),
                    show(c)
                ),
            )
            .with_label_text("out of range"));
        }
        Ok(c)
    }

    /// A timeline position in samples: `1:23.5`, `12.5s`, `96000smp`, `bar 17.3`.
    pub fn position(&self, v: &Value) -> Result<u64, Diagnostic> {
        let secs = match &v.kind {
            ValueKind::Clock(s) => *s,
            ValueKind::Number {
                value,
                unit: Some(Unit::S),
            } => *value,
            ValueKind::Number {
                value,
                unit: Some(Unit::Ms),
            } => *value / 1000.0,
            ValueKind::Number {
                value,
                unit: Some(Unit::Smp),
            } => {
                if *value < 0.0 || value.fract() != 0.0 {
                    return Err(Diagnostic::error(
                        "bad-position",
                        v.span,
                        "a sample position must be a whole number of samples, at least 0",
                    ));
                }
                return Ok(*value as u64);
            }
            ValueKind::Bar { bar, beat } => {
                let Some(tempo) = self.tempo else {
                    return Err(Diagnostic::error(
                        "no-tempo",
                        v.span,
                        "a bar position needs a tempo",
                    )
                    .with_label_text("bar positions count in the session tempo")
                    .with_hint("add `tempo 120bpm` (and `meter 4/4`) to the session block"));
                };
                return tempo
                    .bar_to_sample(*bar, *beat)
                    .map_err(|m| Diagnostic::error("bad-position", v.span, m));
            }
            _ => {
                return Err(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "expected a position such as 1:23.5, 12.5s, 96000smp or bar 17.3, found {}",
                        describe(v)
                    ),
                ));
            }
        };
        if secs < 0.0 || !secs.is_finite() {
            return Err(Diagnostic::error(
                "bad-position",
                v.span,
                "a position cannot be before the start of the timeline",
            ));
        }
        Ok((secs * self.rate).round() as u64)
    }

    /// A duration in samples (fades, lengths, tails): a time, a clock value or a note length.
    pub fn duration(&self, v: &Value) -> Result<u64, Diagnostic> {
        match &v.kind {
            ValueKind::Fraction { num, den, modifier } => match self.tempo {
                Some(t) => Ok((t.note_seconds(*num, *den, *modifier) * self.rate).round() as u64),
                None => Err(
                    Diagnostic::error("no-tempo", v.span, "a note length needs a tempo")
                        .with_hint("add `tempo 120bpm` to the session block"),
                ),
            },
            ValueKind::Bar { .. } => Err(Diagnostic::error(
                "wrong-unit",
                v.span,
                "expected a duration such as 20ms or 2s, found a bar position",
            )),
            _ => self.position(v),
        }
    }
}

/// A sample rate (`48kHz`, `44100Hz`): a whole number of Hz from 8 kHz to 384 kHz.
/// `what` names the setting in messages ("the session rate", "an export rate").
pub fn sample_rate(v: &Value, what: &str) -> Result<u32, Diagnostic> {
    match v.kind {
        ValueKind::Number {
            value,
            unit: Some(u @ (Unit::Hz | Unit::Khz)),
        } => {
            let hz = if u == Unit::Khz {
                value * 1000.0
            } else {
                value
            };
            if hz.fract() != 0.0 || !(8000.0..=384_000.0).contains(&hz) {
                Err(Diagnostic::error(
                    "out-of-range",
                    v.span,
                    format!("{what} must be a whole number of Hz between 8kHz and 384kHz"),
                ))
            } else {
                Ok(hz as u32)
            }
        }
        _ => Err(Diagnostic::error(
            "wrong-unit",
            v.span,
            format!(
                "`rate` expects a sample rate such as 48kHz or 44.1kHz, found {}",
                describe(v)
            ),
        )),
    }
}

/// Seconds of a note length at `bpm` quarter notes per minute.
pub fn note_seconds(bpm: f64, num: u32, den: u32, modifier: NoteModifier) -> f64 {
    let quarters = 4.0 * f64::from(num) / f64::from(den.max(1));
    let factor = match modifier {
        NoteModifier::Plain => 1.0,
        NoteModifier::Dotted => 1.5,
        NoteModifier::Triplet => 2.0 / 3.0,
    };
    quarters * factor * 60.0 / bpm
}
