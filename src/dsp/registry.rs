//! The one table of built-in processors. Each entry describes a processor's
//! parameters (and EQ-style bands) and how to build it; the compiler validates
//! against it, the renderer builds from it, and the reference docs are generated
//! from it (`mixdown docs`), so the three can never disagree.

use super::param::ParamSpec;
use super::{BuildContext, Processor};
use crate::ir::Insert;

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
    pub build: fn(&Insert, &BuildContext) -> Result<Box<dyn Processor>, String>,
}

/// A kind of sub-item (an EQ band type).
pub struct BandSpec {
    pub kind: &'static str,
    pub doc: &'static str,
    pub params: &'static [ParamSpec],
}

/// Every built-in processor, in the order the docs list them.
pub static PROCESSORS: &[&ProcessorSpec] = &[];

pub fn lookup(kind: &str) -> Option<&'static ProcessorSpec> {
    PROCESSORS.iter().copied().find(|p| p.kind == kind)
}

pub fn kinds() -> impl Iterator<Item = &'static str> {
    PROCESSORS.iter().map(|p| p.kind)
}
