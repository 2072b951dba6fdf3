//! What a track plays, and how that changed: another file or generator, or the same
//! generator with other settings (`sine 1kHz -> 2kHz`, `length 2s -> 3s`).
//!
//! Compared field by field, never with `==` on [`Source`]: a file source carries the
//! span of its path, which moves whenever the text before it does.

use super::units::{self, hz, seconds};
use crate::ir::Source;

/// What a strip plays, as written: `"stems/kick.wav"`, `sine 1kHz`, `noise pink`.
fn plays(s: Option<&Source>) -> String {
    match s {
        Some(Source::File { written, .. }) => format!("\"{written}\""),
        Some(Source::Sine { freq_hz, .. }) => format!("sine {}", hz(*freq_hz)),
        Some(Source::Noise { color, .. }) => format!("noise {color:?}").to_lowercase(),
        Some(Source::Silence { .. }) => "silence".into(),
        None => "nothing".into(),
    }
}

/// A generator's settings, each as written, in the order the line lists them. The
/// length is in seconds at its session's rate, so a new rate alone is no change.
fn settings(s: &Source, rate: u32) -> Vec<(&'static str, String)> {
    let level = |db: f64| ("level", format!("{}dBFS", units::num(db)));
    let length = |n: u64| ("length", seconds(n as f64 / f64::from(rate)));
    match s {
        Source::File { .. } => vec![],
        Source::Sine {
            level_db,
            length: n,
            ..
        } => vec![level(*level_db), length(*n)],
        Source::Noise {
            level_db,
            length: n,
            seed,
            ..
        } => vec![level(*level_db), length(*n), ("seed", seed.to_string())],
        Source::Silence { length: n } => vec![length(*n)],
    }
}

/// Appends `{n}: ...` lines for every difference between the sources `a` (at session
/// rate `rates.0`) and `b` (at `rates.1`).
pub fn diff(
    n: &str,
    a: Option<&Source>,
    b: Option<&Source>,
    rates: (u32, u32),
    out: &mut Vec<String>,
) {
    let (x, y) = (plays(a), plays(b));
    let same_kind = match (a, b) {
        (Some(a), Some(b)) => std::mem::discriminant(a) == std::mem::discriminant(b),
        (None, None) => true,
        _ => false,
    };
    if !same_kind || matches!(b, Some(Source::File { .. })) {
        if x != y {
            out.push(format!("{n}: plays {y} (was {x})"));
        }
        return;
    }
    // The same generator: its frequency or colour (`sine 1kHz -> 2kHz`), then each setting.
    if x != y {
        let new = y.split_once(' ').map_or(y.as_str(), |(_, v)| v);
        out.push(format!("{n}: {x} -> {new}"));
    }
    let (Some(a), Some(b)) = (a, b) else { return };
    for ((what, old), (_, new)) in settings(a, rates.0).into_iter().zip(settings(b, rates.1)) {
        if old != new {
            out.push(format!("{n}: {what} {old} -> {new}"));
        }
    }
}
