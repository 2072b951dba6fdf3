//! What a render hands back: the files it wrote and what it found on the way.

use super::{cached, meters, solve};
use crate::diag::Diagnostic;
use std::path::PathBuf;

/// One file written, with what it measures as written (after SRC, dither and
/// quantisation).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    pub path: PathBuf,
    pub frames: u64,
    pub rate: u32,
    pub seconds: f64,
    pub peak_dbfs: f64,
    pub export: crate::ir::Export,
    /// Whether this is a master export (not a stem).
    pub master: bool,
    pub measured: Option<crate::analysis::Measurement>,
    /// Gain (dB) applied at the export rate to hold the true-peak ceiling (0 = none).
    pub ceiling_trim_db: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct RenderReport {
    pub files: Vec<Written>,
    /// Length of the master at the session rate, in frames.
    pub frames: u64,
    /// The loudness solve, when the master has a target.
    pub solved: Option<solve::Solved>,
    /// Warnings found while rendering (heavy limiting, a ceiling passed).
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
    /// The visual report's measurements, when asked for.
    #[serde(skip)]
    pub meters: Option<meters::Measured>,
    /// What the cache replayed and what ran, when rendering with one.
    #[serde(skip)]
    pub cache: Option<cached::CacheReport>,
}
