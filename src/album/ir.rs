//! The validated album: songs in order with their transitions, the level policy and
//! the deliverables. Every position and length is in samples at the album rate.

use crate::ir::Export;
use crate::span::Span;
use serde::Serialize;
use std::path::PathBuf;

/// Samples per CD frame at 44.1 kHz: 75 frames a second (REFERENCES.md §8.2).
pub const CD_FRAME: u64 = 588;
/// CUE sheet frames per second (Red Book).
pub const CUE_FPS: u64 = 75;

#[derive(Debug, Clone, Serialize)]
pub struct Album {
    pub title: String,
    pub artist: Option<String>,
    /// 13-digit UPC/EAN for the CUE sheet's `CATALOG`.
    pub catalog: Option<String>,
    /// The rate every song is rendered at and every file is written at.
    pub rate: u32,
    /// A CD target: track starts and the album's end fall on 588-sample frames.
    pub cd: bool,
    /// The true-peak ceiling every song holds (dBTP).
    pub ceiling_db: f64,
    pub loudness: Option<Loudness>,
    pub songs: Vec<Song>,
    pub exports: Vec<AlbumExport>,
    pub cue: Option<PathBuf>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Loudness {
    pub lufs: f64,
    pub mode: LoudnessMode,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LoudnessMode {
    /// One gain for the record, from the loudness of all songs gated together.
    Album,
    /// Each song normalised on its own.
    Track,
    /// One gain for the record that puts its loudest song on the target (AES TD1008,
    /// REFERENCES.md §8.1).
    Loudest,
}

#[derive(Debug, Clone, Serialize)]
pub enum SongSource {
    /// A `.mix`, rendered through its own graph.
    Mix(PathBuf),
    /// A finished audio file, decoded (and resampled to the album rate).
    Audio(PathBuf),
}

#[derive(Debug, Clone, Serialize)]
pub struct Song {
    pub source: SongSource,
    /// The path as written, for messages.
    pub written: String,
    /// `None`: the song mix's session title, else the file name.
    pub title: Option<String>,
    pub artist: Option<String>,
    pub isrc: Option<String>,
    /// Offset (dB) on top of the album's level policy.
    pub gain_db: f64,
    /// Silence before the song (samples).
    pub gap: u64,
    pub crossfade: Option<Crossfade>,
    /// Part of the rendered song to keep: `start .. end` (end `None`: to its end).
    pub trim: Option<(u64, Option<u64>)>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Crossfade {
    /// How long the song overlaps the previous one's tail (samples).
    pub length: u64,
    pub curve: XfadeCurve,
    /// Where in the overlap the song files are cut, 0 (its start) .. 1 (its end).
    pub split: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum XfadeCurve {
    /// sin/cos: constant power, for uncorrelated material (REFERENCES.md §8.2).
    Power,
    /// Linear: constant amplitude, for correlated material.
    Gain,
    /// Raised cosine: constant amplitude, flat at both ends.
    Smooth,
}

impl XfadeCurve {
    /// (fade-out, fade-in) gains at `t` in 0..1 of the overlap.
    pub fn gains(self, t: f64) -> (f64, f64) {
        use std::f64::consts::FRAC_PI_2;
        match self {
            XfadeCurve::Power => ((t * FRAC_PI_2).cos(), (t * FRAC_PI_2).sin()),
            XfadeCurve::Gain => (1.0 - t, t),
            XfadeCurve::Smooth => {
                let i = 0.5 - 0.5 * (t * std::f64::consts::PI).cos();
                (1.0 - i, i)
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AlbumExport {
    /// `export songs "pattern"`: one file per song (`{n}`, `{title}` in the pattern).
    pub songs: bool,
    pub export: Export,
}
