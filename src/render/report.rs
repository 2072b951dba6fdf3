//! `mixdown render --report FILE.json|FILE.yaml`: what was delivered, per export file.
//!
//! Schema (one document; YAML and JSON carry the same fields):
//!
//! ```yaml
//! frames: 2880000            # master length at the session rate
//! loudness:                  # null without a `loudness` target
//!   target_lufs: -14.0
//!   drive_db: 6.31           # gain at the head of the master chain
//!   max_gain_reduction_db: 2.4   # the master limiter's deepest reduction (null: no limiter)
//!   integrated_lufs: -14.003 # chain output at the session rate, as solved
//!   trials: 4                # runs of the master chain the solve took
//! exports:
//!   - path: out/song.wav
//!     kind: master           # or stem
//!     format: { container: wav, bits: int24, rate: 48000, channels: 2, dither: tpdf }
//!     duration_s: 60.0
//!     integrated_lufs: -14.01     # null for silence
//!     lra_lu: 4.2
//!     true_peak_dbtp: -1.02
//!     sample_peak_dbfs: -1.3
//!     drive_db: 6.31              # master exports in loudness mode, else null
//!     max_gain_reduction_db: 2.4  # likewise
//!     ceiling_trim_db: 0.0        # gain taken off this file to hold the ceiling
//!     blake3: 9f2c...             # hash of the file's bytes
//! ```
//!
//! Every figure is measured on the file as written: after sample-rate conversion,
//! dither and quantisation.

use super::RenderReport;
use crate::ir::{Dither, FileFormat, SampleFormat};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The report document.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub frames: u64,
    pub loudness: Option<LoudnessReport>,
    pub exports: Vec<ExportReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoudnessReport {
    pub target_lufs: f64,
    pub drive_db: f64,
    pub max_gain_reduction_db: Option<f64>,
    pub integrated_lufs: f64,
    pub trials: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FormatReport {
    pub container: FileFormat,
    pub bits: SampleFormat,
    pub rate: u32,
    pub channels: u32,
    pub dither: Dither,
}

/// One exported file.
#[derive(Debug, Clone, Serialize)]
pub struct ExportReport {
    pub path: PathBuf,
    /// `master` or `stem`.
    pub kind: &'static str,
    pub format: FormatReport,
    pub duration_s: f64,
    pub integrated_lufs: Option<f64>,
    pub lra_lu: Option<f64>,
    pub true_peak_dbtp: Option<f64>,
    pub sample_peak_dbfs: Option<f64>,
    pub drive_db: Option<f64>,
    pub max_gain_reduction_db: Option<f64>,
    pub ceiling_trim_db: f64,
    pub blake3: String,
}

/// `-inf` (silence) as `null`: JSON has no infinity.
fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Builds the report, hashing each file as it now is on disk.
pub fn build(r: &RenderReport, target: Option<f64>) -> std::io::Result<Report> {
    let loudness = r.solved.zip(target).map(|(s, t)| LoudnessReport {
        target_lufs: t,
        drive_db: s.drive_db,
        max_gain_reduction_db: s.max_gain_reduction_db,
        integrated_lufs: s.integrated_lufs,
        trials: s.trials,
    });
    let mut exports = Vec::new();
    for f in &r.files {
        let bytes = std::fs::read(&f.path)?;
        let m = f.measured.as_ref();
        let solved = r.solved.filter(|_| f.master);
        exports.push(ExportReport {
            path: f.path.clone(),
            kind: if f.master { "master" } else { "stem" },
            format: FormatReport {
                container: f.export.format,
                bits: f.export.bits,
                rate: f.rate,
                channels: 2,
                dither: f.export.dither,
            },
            duration_s: f.seconds,
            integrated_lufs: m.and_then(|m| m.integrated_lufs),
            lra_lu: m.map(|m| m.lra_lu),
            true_peak_dbtp: m.and_then(|m| finite(m.true_peak_dbtp)),
            sample_peak_dbfs: m.and_then(|m| finite(m.sample_peak_dbfs)),
            drive_db: solved.map(|s| s.drive_db),
            max_gain_reduction_db: solved.and_then(|s| s.max_gain_reduction_db),
            ceiling_trim_db: f.ceiling_trim_db,
            blake3: blake3::hash(&bytes).to_hex().to_string(),
        });
    }
    Ok(Report {
        frames: r.frames,
        loudness,
        exports,
    })
}

/// Writes a report (a mix's or an album's) as YAML (`.yaml`/`.yml`) or JSON (anything else).
pub fn write(path: &Path, report: &impl Serialize) -> Result<(), String> {
    let yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let text = if yaml {
        serde_saphyr::to_string(report).map_err(|e| e.to_string())?
    } else {
        serde_json::to_string_pretty(report).map_err(|e| e.to_string())? + "\n"
    };
    write_text(path, &text)
}

/// The folder a report at `path` goes in ("." for a bare name).
fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether a report can be written at `path`, asked before a render writes
/// anything: a report that fails afterwards would fail a render whose files are
/// already in place. Makes the folder and a file in it (removed at once).
pub fn writable(path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err("it is a folder".into());
    }
    let dir = folder(path);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    tempfile::Builder::new()
        .prefix(".mixdown-report")
        .tempfile_in(dir)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Writes `text` to `path` whole or not at all (a temporary file renamed into place).
pub fn write_text(path: &Path, text: &str) -> Result<(), String> {
    let dir = folder(path);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".mixdown-report")
        .tempfile_in(dir)
        .map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut tmp, text.as_bytes()).map_err(|e| e.to_string())?;
    tmp.persist(path).map(drop).map_err(|e| e.error.to_string())
}
