//! The validated mix: plain serde data, no syntax types. `mixdown graph --format
//! yaml|json` prints it. Values are in one canonical unit per kind (dB for levels,
//! Hz, seconds for processor times, fractions for percentages) and every timeline
//! position is in samples at the session rate.

use crate::span::Span;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mix {
    pub session: Session,
    /// Tracks and buses in file order. The master is not in here.
    pub strips: Vec<Strip>,
    pub master: Strip,
    /// The master's integrated loudness target, if any.
    pub loudness: Option<LoudnessTarget>,
    pub exports: Vec<Export>,
    pub lanes: Vec<Lane>,
    pub asserts: Vec<Assertion>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub title: Option<String>,
    /// Render rate in Hz.
    pub rate: u32,
    pub tail: Tail,
    pub tempo: Option<TempoMap>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tail {
    /// Render past the last source until every tail is below -96 dBFS, at most 30 s.
    Auto,
    /// A fixed number of samples after the last source ends.
    Fixed(u64),
}

/// Tempo and meter over the timeline. Positions in bars resolve through it at compile time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TempoMap {
    /// In timeline order; the first starts at bar 1, sample 0.
    pub segments: Vec<TempoSegment>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TempoSegment {
    /// First bar of the segment (1-based).
    pub bar: u32,
    /// Sample where that bar starts (exact, computed from the earlier segments).
    pub sample: f64,
    pub bpm: f64,
    pub beats_per_bar: u32,
    /// The note value of one beat (4 for x/4).
    pub beat_unit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StripKind {
    Track,
    Bus,
    Master,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Strip {
    pub name: String,
    pub kind: StripKind,
    #[serde(skip)]
    pub span: Span,
    /// What a track plays; `None` for buses and the master.
    pub source: Option<Source>,
    /// Timeline sample of the region's first sample.
    pub start: u64,
    /// Part of the source to use, in samples at the session rate (after resampling).
    pub region: Option<Region>,
    pub trim_db: f64,
    pub gain_db: f64,
    /// -1 (hard left) .. +1 (hard right).
    pub pan: f64,
    /// Stereo width as a fraction: 1 = unchanged, 0 = mono, 2 = twice as wide.
    pub width: f64,
    pub mute: bool,
    pub solo: bool,
    /// True when the polarity is inverted.
    pub polarity_inverted: bool,
    pub fade_in: Option<Fade>,
    pub fade_out: Option<Fade>,
    pub inserts: Vec<Insert>,
    pub sends: Vec<SendIr>,
    /// Name of the strip this one feeds; `None` means the master (and always for the master itself).
    pub output: Option<String>,
    #[serde(skip)]
    pub output_span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Region {
    pub start: u64,
    pub end: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type")]
pub enum Source {
    File {
        /// As written in the `.mix` file (for messages).
        written: String,
        /// Resolved against the folder of the file that names it.
        path: PathBuf,
        #[serde(skip)]
        span: Span,
    },
    Sine {
        freq_hz: f64,
        level_db: f64,
        length: u64,
    },
    Noise {
        color: NoiseColor,
        level_db: f64,
        length: u64,
        seed: u64,
    },
    Silence {
        length: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoiseColor {
    White,
    Pink,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fade {
    /// Length in samples.
    pub length: u64,
    pub curve: FadeCurve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FadeCurve {
    Linear,
    Exp,
    Smooth,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Insert {
    /// The registry kind: `eq`, `compressor`, ...
    pub kind: String,
    /// The `as` name, or the kind when there is none. Unique within a strip.
    pub name: String,
    /// Parameter name -> value in the canonical unit; every parameter of the spec is present (defaults filled in).
    pub params: BTreeMap<String, ParamValue>,
    /// Sub-items such as EQ bands, in written order.
    pub bands: Vec<Band>,
    /// Parameters written as note lengths (`time 1/8.`), in quarter notes: their
    /// seconds in `params` are at the opening tempo, and they follow tempo changes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub notes: BTreeMap<String, f64>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub kind: String,
    pub name: String,
    pub params: BTreeMap<String, ParamValue>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Number(f64),
    /// A word from a fixed set (`rms`, `tanh`), or a strip name (`sidechain kick`), or a path.
    Text(String),
}

impl ParamValue {
    pub fn number(&self) -> Option<f64> {
        match self {
            ParamValue::Number(v) => Some(*v),
            ParamValue::Text(_) => None,
        }
    }

    pub fn text(&self) -> Option<&str> {
        match self {
            ParamValue::Text(s) => Some(s),
            ParamValue::Number(_) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendIr {
    pub to: String,
    pub level_db: f64,
    pub pre: bool,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoudnessTarget {
    pub lufs: f64,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Export {
    pub kind: ExportKind,
    /// For stems, a pattern with `{name}`. Resolved against the mix file's folder.
    pub path: PathBuf,
    pub format: FileFormat,
    pub bits: SampleFormat,
    /// Output rate in Hz (the session rate unless `rate` is given).
    pub rate: u32,
    pub dither: Dither,
    pub tags: BTreeMap<String, String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportKind {
    Master,
    /// Post-fader strips, each to its own file.
    Stems {
        of: Vec<String>,
    },
    /// Post-fader strips metered for assertions and written nowhere. Never written in
    /// a `.mix`: added for `assert STRIP ...` just before a render.
    Meter {
        of: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Wav,
    Flac,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SampleFormat {
    Int16,
    Int24,
    Float32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dither {
    None,
    Tpdf,
    Shaped,
}

/// One automation lane: a parameter following a curve (see the automation issue).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lane {
    pub strip: String,
    /// The parameter path below the strip: `["gain"]`, `["duck", "threshold"]`, `["eq", "presence", "gain"]`.
    pub target: Vec<String>,
    /// What the path resolved to.
    pub param: LaneParam,
    /// How values between points are interpolated.
    pub scale: Scale,
    /// In time order (equal times allowed: a jump).
    pub points: Vec<LanePoint>,
    #[serde(skip)]
    pub span: Span,
}

/// The parameter an automation lane drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type")]
pub enum LaneParam {
    /// A fader setting of the strip.
    Strip { setting: StripSetting },
    /// The level of the strip's send with index `send` (in `Strip::sends`).
    Send { send: usize },
    /// Parameter `param` (index in the registry spec) of insert `insert`, or of its band `band`.
    Insert {
        insert: usize,
        band: Option<usize>,
        param: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StripSetting {
    Trim,
    Gain,
    Pan,
    Width,
    Mute,
}

/// The space values are interpolated in: levels in dB, frequencies on a log scale,
/// everything else linearly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    Db,
    Log,
    Linear,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LanePoint {
    pub at: u64,
    pub value: f64,
    pub curve: Curve,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Curve {
    Linear,
    Exp,
    Smooth,
    Step,
}

/// `assert ...`, checked after a render against what the files measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assertion {
    /// The strip measured (`master` or a track/bus name); `None` for `assert length`.
    pub subject: Option<String>,
    pub quantity: Quantity,
    pub check: AssertCheck,
    /// In the quantity's canonical unit: LUFS, dBTP, dBFS, LU, or seconds for length.
    pub value: f64,
    #[serde(skip)]
    pub span: Span,
}

/// What an assertion measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    /// Integrated loudness (LUFS).
    Loudness,
    /// Max true peak (dBTP).
    TruePeak,
    /// Max sample peak (dBFS).
    Peak,
    /// Loudness range (LU).
    Lra,
    /// Length of the first master export (seconds).
    Length,
}

impl Quantity {
    /// As written in a `.mix` file.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantity::Loudness => "loudness",
            Quantity::TruePeak => "true_peak",
            Quantity::Peak => "peak",
            Quantity::Lra => "lra",
            Quantity::Length => "length",
        }
    }

    /// The unit its values are written in.
    pub fn unit(self) -> &'static str {
        match self {
            Quantity::Loudness => "LUFS",
            Quantity::TruePeak => "dBTP",
            Quantity::Peak => "dBFS",
            Quantity::Lra => "LU",
            Quantity::Length => "s",
        }
    }
}

/// How the measured value is compared with the asserted one.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssertCheck {
    Le,
    Ge,
    Lt,
    Gt,
    Eq,
    /// `VALUE within TOLERANCE`: |measured - value| <= tolerance.
    Within(f64),
}
