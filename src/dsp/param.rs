//! Parameter descriptions: what the registry says about each parameter, and the
//! unit arithmetic the compiler uses to check and convert written values.

use crate::syntax::ast::Unit;

/// What kind of quantity a parameter takes, which decides the units it accepts and
/// the canonical unit it is stored in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// A level or gain in dB (`dB`, `dBFS`; `-inf dB` allowed where min is -inf). Stored in dB.
    Level,
    /// A true-peak level (`dBTP`; `dB`, `dBFS` also accepted). Stored in dB.
    TruePeak,
    /// A frequency (`Hz`, `kHz`). Stored in Hz. Must stay below the Nyquist frequency.
    Frequency,
    /// A duration (`ms`, `s`, `smp`). Stored in seconds.
    Time,
    /// A duration that may also be a note length (`1/8.`) resolved with the session tempo. Stored in seconds.
    TimeOrNote,
    /// A plain number such as a ratio or q.
    Number,
    /// A percentage (`50%`). Stored as a fraction (0.5).
    Percent,
    /// A filter slope (`dB/oct`). Stored in dB/oct.
    Slope,
    /// One word of a fixed set.
    Choice(&'static [&'static str]),
    /// The name of a track or bus (`sidechain kick`).
    StripRef,
    /// A file path, relative to the mix file (`reverb "ir.wav"`).
    Path,
}

impl UnitKind {
    /// How an error message names what is expected.
    pub fn describe(self) -> String {
        match self {
            UnitKind::Level => "a level in dB".into(),
            UnitKind::TruePeak => "a true-peak level in dBTP".into(),
            UnitKind::Frequency => "a frequency in Hz or kHz".into(),
            UnitKind::Time => "a time in ms or s".into(),
            UnitKind::TimeOrNote => "a time in ms or s, or a note length such as 1/8".into(),
            UnitKind::Number => "a plain number".into(),
            UnitKind::Percent => "a percentage".into(),
            UnitKind::Slope => "a slope in dB/oct".into(),
            UnitKind::Choice(words) => format!("one of {}", words.join(", ")),
            UnitKind::StripRef => "the name of a track or bus".into(),
            UnitKind::Path => "a file path in quotes".into(),
        }
    }

    /// Whether a number written with `unit` fits this kind.
    pub fn accepts(self, unit: Option<Unit>) -> bool {
        use Unit::*;
        match self {
            UnitKind::Level => matches!(unit, Some(Db | Dbfs)),
            UnitKind::TruePeak => matches!(unit, Some(Dbtp | Db | Dbfs)),
            UnitKind::Frequency => matches!(unit, Some(Hz | Khz)),
            UnitKind::Time | UnitKind::TimeOrNote => matches!(unit, Some(Ms | S | Smp)),
            UnitKind::Number => unit.is_none(),
            UnitKind::Percent => matches!(unit, Some(Percent)),
            UnitKind::Slope => matches!(unit, Some(DbPerOct)),
            UnitKind::Choice(_) | UnitKind::StripRef | UnitKind::Path => false,
        }
    }

    /// The value in the canonical unit. `rate` converts samples to seconds.
    pub fn canonical(self, value: f64, unit: Option<Unit>, rate: f64) -> f64 {
        match unit {
            Some(Unit::Khz) => value * 1000.0,
            Some(Unit::Ms) => value / 1000.0,
            Some(Unit::Smp) => value / rate,
            Some(Unit::Percent) => value / 100.0,
            _ => value,
        }
    }

    /// The canonical unit as written, for messages and docs.
    pub fn canonical_unit(self) -> &'static str {
        match self {
            UnitKind::Level => "dB",
            UnitKind::TruePeak => "dBTP",
            UnitKind::Frequency => "Hz",
            UnitKind::Time | UnitKind::TimeOrNote => "s",
            UnitKind::Percent => "%",
            UnitKind::Slope => "dB/oct",
            _ => "",
        }
    }
}

/// A parameter's default.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// In the canonical unit (a fraction for percentages, seconds for times).
    Number(f64),
    Choice(&'static str),
    /// The parameter must be given.
    Required,
    /// The parameter may be left out and then has no value (e.g. `sidechain`).
    Absent,
}

/// One parameter of a processor or EQ band: the single description that drives
/// validation, construction and the reference docs.
#[derive(Debug, Clone, Copy)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: UnitKind,
    /// Inclusive range in the canonical unit (percent as a fraction).
    pub min: f64,
    pub max: f64,
    pub default: Default,
    pub automatable: bool,
    /// Whether the value may be written without its name (`bell 3kHz +2dB`): positional
    /// values are matched to the first unfilled positional parameter whose kind accepts their unit.
    pub positional: bool,
    pub doc: &'static str,
}

impl ParamSpec {
    /// A named numeric parameter; the common case.
    pub const fn num(
        name: &'static str,
        kind: UnitKind,
        min: f64,
        max: f64,
        default: f64,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            kind,
            min,
            max,
            default: Default::Number(default),
            automatable: true,
            positional: false,
            doc,
        }
    }

    pub const fn choice(
        name: &'static str,
        words: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            kind: UnitKind::Choice(words),
            min: 0.0,
            max: 0.0,
            default: Default::Choice(default),
            automatable: false,
            positional: false,
            doc,
        }
    }

    pub const fn positional(mut self) -> Self {
        self.positional = true;
        self
    }

    pub const fn fixed(mut self) -> Self {
        self.automatable = false;
        self
    }

    pub const fn required(mut self) -> Self {
        self.default = Default::Required;
        self
    }
}
