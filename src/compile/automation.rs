//! Lowering `automate` blocks to lanes: the target path resolved against the strips
//! and the processor registry, every point checked (position, unit, range, order),
//! one lane per target.

use super::pick::{Pick, pick};
use super::values::{Units, describe};
use crate::diag::{Diagnostic, did_you_mean};
use crate::dsp::param::{ParamSpec, UnitKind};
use crate::dsp::registry;
use crate::ir::{Curve, Lane, LaneParam, LanePoint, Scale, Strip, StripSetting};
use crate::span::Span;
use crate::syntax::ast::{Automate, Ident, Value, ValueKind};
use std::collections::BTreeMap;

/// The automatable strip settings, with the checks their values get.
fn strip_setting(name: &str) -> Option<(StripSetting, ParamSpec)> {
    let level = |n, min, max| ParamSpec::num(n, UnitKind::Level, min, max, 0.0, "");
    Some(match name {
        "gain" => (StripSetting::Gain, level("gain", f64::NEG_INFINITY, 24.0)),
        "trim" => (StripSetting::Trim, level("trim", -120.0, 48.0)),
        "pan" => (
            StripSetting::Pan,
            ParamSpec::num("pan", UnitKind::Percent, -1.0, 1.0, 0.0, ""),
        ),
        "width" => (
            StripSetting::Width,
            ParamSpec::num("width", UnitKind::Percent, 0.0, 4.0, 1.0, ""),
        ),
        "mute" => (
            StripSetting::Mute,
            ParamSpec::choice("mute", &["on", "off"], "off", ""),
        ),
        _ => return None,
    })
}

const STRIP_TARGETS: &[&str] = &["gain", "trim", "pan", "width", "mute", "send"];

fn scale_for(kind: UnitKind) -> Scale {
    match kind {
        UnitKind::Level | UnitKind::TruePeak => Scale::Db,
        UnitKind::Frequency => Scale::Log,
        _ => Scale::Linear,
    }
}

/// Lowers every `automate` block. `strips` includes the master last.
pub fn lower(
    blocks: &[&Automate],
    strips: &[&Strip],
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Lane> {
    let mut lanes = Vec::new();
    let mut seen: BTreeMap<String, Span> = BTreeMap::new();
    for a in blocks {
        let Some((strip, param, spec)) = resolve(a, strips, diags) else {
            continue;
        };
        let key = a
            .target
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        if let Some(first) = seen.insert(format!("{}/{param:?}", strip.name), a.target_span) {
            diags.push(
                Diagnostic::error(
                    "duplicate-lane",
                    a.target_span,
                    format!("`{key}` is automated twice"),
                )
                .with_label(first, "first automated here")
                .with_hint("put every point of a parameter in one `automate` block"),
            );
            continue;
        }
        let Some(points) = points(a, &spec, units, diags) else {
            continue;
        };
        let scale = if matches!(param, LaneParam::Send { .. }) {
            Scale::Db
        } else {
            scale_for(spec.kind)
        };
        lanes.push(Lane {
            strip: strip.name.clone(),
            target: a.target[1..].iter().map(|i| i.name.clone()).collect(),
            param,
            scale,
            points,
            span: a.span,
        });
    }
    lanes
}

fn resolve<'s>(
    a: &Automate,
    strips: &[&'s Strip],
    diags: &mut Vec<Diagnostic>,
) -> Option<(&'s Strip, LaneParam, ParamSpec)> {
    let path = &a.target;
    let Some(strip) = strips.iter().find(|s| s.name == path[0].name) else {
        let mut d = Diagnostic::error(
            "unknown-name",
            path[0].span,
            format!("no track or bus named `{}`", path[0].name),
        );
        if let Some(s) = did_you_mean(&path[0].name, strips.iter().map(|s| s.name.as_str())) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        diags.push(d);
        return None;
    };
    let usage = || {
        Diagnostic::error(
            "bad-target",
            a.target_span,
            "an automation target is `strip.setting`, `strip.send.BUS`, `strip.processor.param` or `strip.eq.band.param`",
        )
    };
    if path.len() < 2 {
        diags.push(usage());
        return None;
    }
    let second = &path[1];
    // `strip.gain`, `strip.pan`, ... and `strip.send.BUS`.
    if path.len() == 2
        && let Some((setting, spec)) = strip_setting(&second.name)
    {
        return Some((strip, LaneParam::Strip { setting }, spec));
    }
    if second.name == "send" && path.len() == 3 {
        let Some(send) = strip.sends.iter().position(|s| s.to == path[2].name) else {
            diags.push(
                Diagnostic::error(
                    "unknown-name",
                    path[2].span,
                    format!("`{}` has no send to `{}`", strip.name, path[2].name),
                )
                .with_hint("automate a send that the strip declares with `send BUS LEVEL`"),
            );
            return None;
        };
        return Some((
            strip,
            LaneParam::Send { send },
            ParamSpec::num("send", UnitKind::Level, f64::NEG_INFINITY, 24.0, 0.0, ""),
        ));
    }
    // An insert, by its `as` name or its kind.
    let found = pick(
        strip
            .inserts
            .iter()
            .map(|i| (i.name.as_str(), i.kind.as_str())),
        &second.name,
    );
    let insert = match found {
        Pick::One(i) => Some(i),
        Pick::Several(names) => {
            diags.push(several(second, &strip.name, "processors", &names));
            return None;
        }
        Pick::Nothing => None,
    };
    let Some(insert) = insert else {
        let names = strip
            .inserts
            .iter()
            .map(|i| i.name.as_str())
            .chain(STRIP_TARGETS.iter().copied());
        let mut d = Diagnostic::error(
            "unknown-name",
            second.span,
            format!(
                "`{}` has no setting or processor `{}` to automate",
                strip.name, second.name
            ),
        );
        if let Some(s) = did_you_mean(&second.name, names) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        diags.push(d);
        return None;
    };
    let ins = &strip.inserts[insert];
    let spec = registry::lookup(&ins.kind)?;
    let (band, specs, param_ident) = if !spec.bands.is_empty() {
        let (Some(band_ident), Some(param_ident)) = (path.get(2), path.get(3)) else {
            diags.push(Diagnostic::error(
                "bad-target",
                a.target_span,
                format!("name the band: `{}.{}.BAND.param`", strip.name, ins.name),
            ));
            return None;
        };
        let bands = ins.bands.iter().map(|b| (b.name.as_str(), b.kind.as_str()));
        let band = match pick(bands, &band_ident.name) {
            Pick::One(one) => one,
            Pick::Nothing => {
                let mut d = Diagnostic::error(
                    "unknown-name",
                    band_ident.span,
                    format!("`{}` has no band `{}`", ins.name, band_ident.name),
                );
                if let Some(s) =
                    did_you_mean(&band_ident.name, ins.bands.iter().map(|b| b.name.as_str()))
                {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                return None;
            }
            Pick::Several(names) => {
                diags.push(several(band_ident, &ins.name, "bands", &names));
                return None;
            }
        };
        let bspec = spec.bands.iter().find(|b| b.kind == ins.bands[band].kind)?;
        (Some(band), bspec.params, param_ident)
    } else {
        let Some(p) = path.get(2) else {
            diags.push(Diagnostic::error(
                "bad-target",
                a.target_span,
                format!("name the parameter: `{}.{}.PARAM`", strip.name, ins.name),
            ));
            return None;
        };
        (None, spec.params, p)
    };
    if path.len() > if band.is_some() { 4 } else { 3 } {
        diags.push(usage());
        return None;
    }
    let Some(index) = specs.iter().position(|p| p.name == param_ident.name) else {
        let mut d = Diagnostic::error(
            "unknown-name",
            param_ident.span,
            format!("`{}` has no parameter `{}`", ins.kind, param_ident.name),
        );
        if let Some(s) = did_you_mean(&param_ident.name, specs.iter().map(|p| p.name)) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        diags.push(d);
        return None;
    };
    let p = specs[index];
    if !p.automatable
        || matches!(
            p.kind,
            UnitKind::Choice(_) | UnitKind::StripRef | UnitKind::Path
        )
    {
        diags.push(
            Diagnostic::error(
                "not-automatable",
                param_ident.span,
                format!("`{}` of `{}` cannot be automated", p.name, ins.kind),
            )
            .with_hint("set it once in the processor block"),
        );
        return None;
    }
    Some((
        strip,
        LaneParam::Insert {
            insert,
            band,
            param: index,
        },
        p,
    ))
}

fn points(
    a: &Automate,
    spec: &ParamSpec,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Option<Vec<LanePoint>> {
    let before = diags.len();
    let mut out: Vec<LanePoint> = Vec::new();
    let mut last: Option<(u64, Span)> = None;
    for p in &a.points {
        let at = match units.position(&p.at) {
            Ok(at) => at,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        if let Some((prev, span)) = last
            && at < prev
        {
            diags.push(
                Diagnostic::error(
                    "out-of-order",
                    p.at.span,
                    "automation points must be in time order",
                )
                .with_label(span, "this point comes later"),
            );
        }
        last = Some((at, p.at.span));
        let value = match point_value(spec, &p.value, units) {
            Ok(v) => v,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        let curve = match p.curve.as_ref().map(|c| c.name.as_str()) {
            None | Some("linear") => Curve::Linear,
            Some("exp") => Curve::Exp,
            Some("smooth") => Curve::Smooth,
            Some("step") => Curve::Step,
            Some(other) => {
                let mut d = Diagnostic::error(
                    "unknown-choice",
                    p.curve.as_ref().map_or(p.span, |c| c.span),
                    format!("unknown curve `{other}`: use linear, exp, smooth or step"),
                );
                if let Some(s) = did_you_mean(other, ["linear", "exp", "smooth", "step"]) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                Curve::Linear
            }
        };
        // Mute is on or off: it can only step.
        let curve = if matches!(spec.kind, UnitKind::Choice(_)) {
            Curve::Step
        } else {
            curve
        };
        out.push(LanePoint { at, value, curve });
    }
    if a.points.is_empty() {
        diags.push(Diagnostic::error(
            "missing-value",
            a.span,
            "an automation block needs at least one point",
        ));
    }
    (diags.len() == before).then_some(out)
}

fn point_value(spec: &ParamSpec, v: &Value, units: &Units) -> Result<f64, Diagnostic> {
    if let UnitKind::Choice(_) = spec.kind {
        // Mute: `on`/`off`.
        return match &v.kind {
            ValueKind::Word(w) if w == "on" => Ok(1.0),
            ValueKind::Word(w) if w == "off" => Ok(0.0),
            _ => Err(Diagnostic::error(
                "wrong-value",
                v.span,
                format!("a mute point is `on` or `off`, found {}", describe(v)),
            )),
        };
    }
    units.param(spec, v).map(|p| p.number().unwrap_or(0.0))
}

/// Several processors (or bands) of `owner` answer to `ident`: name one with `as`.
fn several(ident: &Ident, owner: &str, what: &str, names: &[String]) -> Diagnostic {
    let aliased: Vec<String> = names
        .iter()
        .filter(|n| **n != ident.name)
        .cloned()
        .collect();
    let hint = if aliased.len() == names.len() {
        let list: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        format!("name one by its `as` name: {}", list.join(", "))
    } else {
        "tell them apart with `as`, e.g. `bell as presence 3kHz +2dB`".to_string()
    };
    Diagnostic::error(
        "ambiguous",
        ident.span,
        format!(
            "`{owner}` has several {what} that `{}` could mean",
            ident.name
        ),
    )
    .with_hint(hint)
}
