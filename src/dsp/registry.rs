//! The one table of built-in processors. Each entry describes a processor's
//! parameters (and EQ-style bands) and how to build it; the compiler validates
//! against it, the renderer builds from it, and the reference docs are generated
//! from it (`mixdown docs`), so the three can never disagree.

use super::param::{Default, ParamSpec};
use super::{BuildContext, Processor};
use crate::ir::{Insert, ParamValue};
use std::collections::BTreeMap;

/// One built-in processor.
pub struct ProcessorSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    /// A value written right after the kind, before the block (`reverb "ir.wav" { ... }`).
    pub arg: Option<ParamSpec>,
    pub params: &'static [ParamSpec],
    /// Statements inside the block that are sub-items rather than parameters (EQ bands).
    pub bands: &'static [BandSpec],
    /// Whether the processor takes a key signal (`sidechain NAME`).
    pub sidechain: bool,
    pub build: BuildFn,
}

/// How a processor is built from its insert (the error is a message for the user).
pub type BuildFn = fn(&Insert, &BuildContext) -> Result<Box<dyn Processor>, String>;

/// A kind of sub-item (an EQ band type).
pub struct BandSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
}

/// Every built-in processor, in the order the docs list them.
pub static PROCESSORS: &[&ProcessorSpec] = &[
    &super::eq::SPEC,
    &super::compressor::SPEC,
    &super::expander::GATE,
    &super::expander::EXPANDER,
    &super::limiter::SPEC,
    &super::saturate::SPEC,
    &super::delay::SPEC,
    &super::reverb::SPEC,
    &super::deesser::SPEC,
    &super::gain::SPEC,
    &super::stereo::WIDTH,
    &super::stereo::POLARITY,
];

pub fn lookup(kind: &str) -> Option<&'static ProcessorSpec> {
    PROCESSORS.iter().copied().find(|p| p.kind == kind)
}

/// The files an insert reads by itself (impulse responses): its path parameters.
pub fn files(ins: &crate::ir::Insert) -> Vec<std::path::PathBuf> {
    let Some(spec) = lookup(&ins.kind) else {
        return Vec::new();
    };
    (spec.arg.iter().chain(spec.params))
        .filter(|p| p.kind == super::param::UnitKind::Path)
        .filter_map(|p| match ins.params.get(p.name) {
            Some(crate::ir::ParamValue::Text(t)) => Some(std::path::PathBuf::from(t)),
            _ => None,
        })
        .collect()
}

pub fn kinds() -> impl Iterator<Item = &'static str> {
    PROCESSORS.iter().map(|p| p.kind)
}

/// A numeric parameter's value from `params`, or its spec default when absent (the
/// compiler fills every parameter in, but tests and tools may not).
pub(crate) fn number(
    params: &BTreeMap<String, ParamValue>,
    specs: &[ParamSpec],
    name: &str,
) -> Result<f64, String> {
    match params.get(name) {
        Some(ParamValue::Number(v)) => Ok(*v),
        Some(ParamValue::Text(t)) => Err(format!("`{name}` must be a number, not `{t}`")),
        None => match spec_of(specs, name)?.default {
            Default::Number(v) => Ok(v),
            _ => Err(format!("`{name}` is required")),
        },
    }
}

/// A word parameter's value (a choice or a strip name), or its default; `None` when absent
/// and the spec default is [`Default::Absent`].
pub(crate) fn word<'a>(
    params: &'a BTreeMap<String, ParamValue>,
    specs: &[ParamSpec],
    name: &str,
) -> Result<Option<&'a str>, String> {
    match params.get(name) {
        Some(ParamValue::Text(t)) => Ok(Some(t)),
        Some(ParamValue::Number(v)) => Err(format!("`{name}` must be a word, not {v}")),
        None => match spec_of(specs, name)?.default {
            Default::Choice(w) => Ok(Some(w)),
            Default::Absent => Ok(None),
            _ => Err(format!("`{name}` is required")),
        },
    }
}

fn spec_of<'s>(specs: &'s [ParamSpec], name: &str) -> Result<&'s ParamSpec, String> {
    specs
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("no parameter `{name}`"))
}

/// The name of parameter `index` of `specs`, for `set_param`.
pub(crate) fn param_name(specs: &[ParamSpec], index: u16) -> Option<&'static str> {
    specs.get(usize::from(index)).map(|p| p.name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::param::UnitKind;

    /// Every spec is self-consistent: unique names, defaults inside their range,
    /// documented, and positional parameters come first.
    #[test]
    fn specs_are_consistent() {
        let check = |owner: &str, params: &[ParamSpec]| {
            for (i, p) in params.iter().enumerate() {
                assert!(!p.doc.is_empty(), "{owner}.{} has no doc", p.name);
                assert!(
                    params[..i].iter().all(|q| q.name != p.name),
                    "{owner}.{} twice",
                    p.name
                );
                if let Default::Number(v) = p.default {
                    assert!(
                        p.min <= v && v <= p.max,
                        "{owner}.{} default out of range",
                        p.name
                    );
                }
                if let (UnitKind::Choice(words), Default::Choice(w)) = (p.kind, p.default) {
                    assert!(
                        words.contains(&w),
                        "{owner}.{} default not a choice",
                        p.name
                    );
                }
            }
        };
        for spec in PROCESSORS {
            assert!(!spec.doc.is_empty());
            assert_eq!(lookup(spec.kind).map(|s| s.kind), Some(spec.kind));
            check(spec.kind, spec.params);
            for band in spec.bands {
                assert!(!band.doc.is_empty());
                check(band.kind, band.params);
            }
            let has_key = spec.params.iter().any(|p| p.kind == UnitKind::StripRef);
            assert_eq!(has_key, spec.sidechain, "{}: sidechain flag", spec.kind);
        }
    }
}
