//! Reading the values of one strip setting: `start`, `region`, `trim`, `gain`, `pan`,
//! `width`, `mute`, `solo`, `polarity`, `fade`, `send`, `loudness`, and a generator's
//! `level` and `length`.
//!
//! These are apart from `strip.rs`, which decides what a statement is and whether it
//! repeats, because each reader only turns one setting's arguments into its value
//! (with the range it allows and the usage it shows when written wrong) and knows
//! nothing of the rest of the block.

use super::{GENERATOR_SETTINGS, MASTER_SETTINGS, STRIP_SETTINGS, StripLowering};
use crate::compile::values::describe;
use crate::diag::Diagnostic;
use crate::ir::{Fade, FadeCurve, Region, SendIr, Strip};
use crate::syntax::ast::{Command, Value, ValueKind};

impl StripLowering<'_> {
    pub(super) fn one<'v>(&self, c: &'v Command) -> Result<&'v Value, Diagnostic> {
        match c.args.as_slice() {
            [v] => Ok(v),
            [] => Err(Diagnostic::error(
                "missing-value",
                c.span,
                format!("`{}` needs a value", c.name.name),
            )),
            [_, extra, ..] => Err(Diagnostic::error(
                "unexpected-value",
                extra.span,
                format!("`{}` takes one value", c.name.name),
            )),
        }
    }

    pub(super) fn level(&self, c: &Command, min: f64, max: f64) -> Result<f64, Diagnostic> {
        let v = self.one(c)?;
        let spec = crate::dsp::param::ParamSpec::num(
            leak_name(&c.name.name),
            crate::dsp::param::UnitKind::Level,
            min,
            max,
            0.0,
            "",
        );
        Ok(self.units.param(&spec, v)?.number().unwrap_or(0.0))
    }

    pub(super) fn percent(&self, c: &Command, min: f64, max: f64) -> Result<f64, Diagnostic> {
        let v = self.one(c)?;
        let spec = crate::dsp::param::ParamSpec::num(
            leak_name(&c.name.name),
            crate::dsp::param::UnitKind::Percent,
            min / 100.0,
            max / 100.0,
            0.0,
            "",
        );
        Ok(self.units.param(&spec, v)?.number().unwrap_or(0.0))
    }

    /// `mute` alone means on; `mute on|off` is also accepted.
    pub(super) fn flag(&self, c: &Command, on: &str, off: &str) -> Result<bool, Diagnostic> {
        match c.args.as_slice() {
            [] => Ok(true),
            [
                Value {
                    kind: ValueKind::Word(w),
                    ..
                },
            ] if w == on => Ok(true),
            [
                Value {
                    kind: ValueKind::Word(w),
                    ..
                },
            ] if w == off => Ok(false),
            [v, ..] => Err(Diagnostic::error(
                "wrong-value",
                v.span,
                format!(
                    "`{}` takes no value, or `{on}` / `{off}`; found {}",
                    c.name.name,
                    describe(v)
                ),
            )),
        }
    }

    pub(super) fn region(&self, c: &Command) -> Result<Region, Diagnostic> {
        match c.args.as_slice() {
            [
                a,
                Value {
                    kind: ValueKind::Range,
                    ..
                },
                b,
            ] => {
                let (start, end) = (self.units.position(a)?, self.units.position(b)?);
                if end <= start {
                    return Err(Diagnostic::error(
                        "bad-region",
                        c.span,
                        "the region ends before it starts",
                    ));
                }
                Ok(Region { start, end })
            }
            _ => Err(Diagnostic::error(
                "wrong-value",
                c.span,
                "write a region as `region START .. END`, e.g. `region 0:01 .. 2:30`",
            )),
        }
    }

    pub(super) fn fade(&self, strip: &mut Strip, c: &Command) -> Result<(), Diagnostic> {
        let usage = || {
            Diagnostic::error(
                "wrong-value",
                c.span,
                "write `fade in LENGTH [linear|exp|smooth]` or `fade out LENGTH [curve]`",
            )
        };
        let (dir, len, curve) = match c.args.as_slice() {
            [d, l] => (d, l, None),
            [d, l, cv] => (d, l, Some(cv)),
            _ => return Err(usage()),
        };
        let length = self.units.duration(len)?;
        let curve = match curve.map(|v| &v.kind) {
            None => FadeCurve::Linear,
            Some(ValueKind::Word(w)) if w == "linear" => FadeCurve::Linear,
            Some(ValueKind::Word(w)) if w == "exp" => FadeCurve::Exp,
            Some(ValueKind::Word(w)) if w == "smooth" => FadeCurve::Smooth,
            Some(_) => {
                return Err(Diagnostic::error(
                    "wrong-value",
                    curve.map_or(c.span, |v| v.span),
                    "a fade curve is `linear`, `exp` or `smooth`",
                ));
            }
        };
        let fade = Some(Fade { length, curve });
        match &dir.kind {
            ValueKind::Word(w) if w == "in" => strip.fade_in = fade,
            ValueKind::Word(w) if w == "out" => strip.fade_out = fade,
            _ => return Err(usage()),
        }
        Ok(())
    }

    pub(super) fn send(&self, c: &Command) -> Result<SendIr, Diagnostic> {
        let usage = || {
            Diagnostic::error(
                "wrong-value",
                c.span,
                "write `send BUS LEVEL [pre|post]`, e.g. `send plate -12dB`",
            )
        };
        let (to, level, mode) = match c.args.as_slice() {
            [
                Value {
                    kind: ValueKind::Word(to),
                    span,
                },
                l,
            ] => ((to, *span), l, None),
            [
                Value {
                    kind: ValueKind::Word(to),
                    span,
                },
                l,
                m,
            ] => ((to, *span), l, Some(m)),
            _ => return Err(usage()),
        };
        let spec = crate::dsp::param::ParamSpec::num(
            "send",
            crate::dsp::param::UnitKind::Level,
            f64::NEG_INFINITY,
            24.0,
            0.0,
            "",
        );
        let level_db = self.units.param(&spec, level)?.number().unwrap_or(0.0);
        let pre = match mode.map(|m| &m.kind) {
            None => false,
            Some(ValueKind::Word(w)) if w == "post" => false,
            Some(ValueKind::Word(w)) if w == "pre" => true,
            Some(_) => {
                return Err(Diagnostic::error(
                    "wrong-value",
                    mode.map_or(c.span, |m| m.span),
                    "a send is `pre` or `post` (the default)",
                ));
            }
        };
        Ok(SendIr {
            to: to.0.clone(),
            level_db,
            pre,
            span: to.1,
        })
    }

    pub(super) fn loudness(&self, c: &Command) -> Result<f64, Diagnostic> {
        match self.one(c)? {
            Value {
                kind:
                    ValueKind::Number {
                        value,
                        unit: Some(crate::syntax::ast::Unit::Lufs),
                    },
                span,
            } => {
                if (-60.0..=0.0).contains(value) {
                    Ok(*value)
                } else {
                    Err(Diagnostic::error(
                        "out-of-range",
                        *span,
                        "a loudness target must be between -60LUFS and 0LUFS",
                    ))
                }
            }
            v => Err(Diagnostic::error(
                "wrong-unit",
                v.span,
                format!(
                    "`loudness` expects an integrated loudness in LUFS, found {}",
                    describe(v)
                ),
            )),
        }
    }
}

/// Setting names come from the source; the ad-hoc ParamSpec used for their checks
/// wants a `'static` name, and the set of setting names is fixed and small.
fn leak_name(name: &str) -> &'static str {
    STRIP_SETTINGS
        .iter()
        .chain(MASTER_SETTINGS)
        .chain(GENERATOR_SETTINGS)
        .find(|s| **s == name)
        .copied()
        .unwrap_or("value")
}
