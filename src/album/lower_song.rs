//! A `song` statement of an album: its file, transition and settings.

use super::ir::{Crossfade, Song, SongSource, XfadeCurve};
use super::lower::{commands, text, word};
use crate::compile::values::{Units, describe};
use crate::diag::Diagnostic;
use crate::syntax::ast::{Command, Unit, Value, ValueKind};
use std::path::Path;

/// `song "FILE" [gap D | crossfade D [CURVE]] [split S] [{ title; artist; isrc; gain; trim }]`
pub(super) fn song(
    v: &Value,
    rest: &[Value],
    c: &Command,
    base: &Path,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Option<Song> {
    let written = text(v, diags)?;
    let path = base.join(&written);
    let source = if path.extension().is_some_and(|e| e == "mix") {
        SongSource::Mix(path)
    } else {
        SongSource::Audio(path)
    };
    let mut s = Song {
        source,
        written,
        title: None,
        artist: None,
        isrc: None,
        gain_db: 0.0,
        gap: 0,
        crossfade: None,
        trim: None,
        span: c.span,
    };
    let mut split = 0.5;
    let mut i = 0;
    while i < rest.len() {
        let (w, next) = (word(&rest[i]), rest.get(i + 1));
        match (w, next) {
            (Some("gap"), Some(d)) => {
                s.gap = units.duration(d).map_err(|e| diags.push(e)).unwrap_or(0);
                i += 2;
            }
            (Some("crossfade"), Some(d)) => {
                let length = units.duration(d).map_err(|e| diags.push(e)).unwrap_or(0);
                let curve = match rest.get(i + 2).and_then(word) {
                    Some("power") => Some(XfadeCurve::Power),
                    Some("gain" | "linear") => Some(XfadeCurve::Gain),
                    Some("smooth") => Some(XfadeCurve::Smooth),
                    _ => None,
                };
                i += if curve.is_some() { 3 } else { 2 };
                s.crossfade = Some(Crossfade {
                    length,
                    curve: curve.unwrap_or(XfadeCurve::Power),
                    split: 0.5,
                });
            }
            (Some("split"), Some(p)) => {
                split = match (word(p), &p.kind) {
                    (Some("start"), _) => 0.0,
                    (Some("mid"), _) => 0.5,
                    (Some("end"), _) => 1.0,
                    (
                        _,
                        ValueKind::Number {
                            value,
                            unit: Some(Unit::Percent),
                        },
                    ) if (0.0..=100.0).contains(value) => value / 100.0,
                    _ => {
                        diags.push(Diagnostic::error(
                            "wrong-value",
                            p.span,
                            "`split` is start, mid, end or a percentage of the crossfade",
                        ));
                        0.5
                    }
                };
                i += 2;
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "wrong-value",
                        rest[i].span,
                        format!("unexpected {} after the song's file", describe(&rest[i])),
                    )
                    .with_hint(
                        "write e.g. `song \"b.mix\" gap 2s` or `song \"c.mix\" crossfade 3s power`",
                    ),
                );
                break;
            }
        }
    }
    if let Some(x) = &mut s.crossfade {
        x.split = split;
        if s.gap > 0 {
            diags.push(Diagnostic::error(
                "wrong-value",
                c.span,
                "a song has a gap or a crossfade, not both",
            ));
        }
    }
    let settings = c
        .block
        .as_ref()
        .map(|b| commands(b, diags))
        .unwrap_or_default();
    for b in settings {
        match (b.name.name.as_str(), b.args.as_slice()) {
            ("title", [v]) => s.title = text(v, diags),
            ("artist", [v]) => s.artist = text(v, diags),
            ("isrc", [v]) => {
                s.isrc = text(v, diags).map(|t| t.replace('-', ""));
                if s.isrc.as_ref().is_some_and(|t| !valid_isrc(t)) {
                    diags.push(Diagnostic::error(
                        "wrong-value",
                        v.span,
                        "an ISRC is 12 characters: country (2 letters), registrant (3), \
                         year (2 digits), designation (5 digits), e.g. \"USABC2600001\"",
                    ));
                }
            }
            ("gain", [v]) => match v.kind {
                ValueKind::Number {
                    value,
                    unit: Some(Unit::Db),
                } if value.is_finite() => s.gain_db = value,
                _ => diags.push(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "`gain` expects a level such as -1.5dB, found {}",
                        describe(v)
                    ),
                )),
            },
            ("trim", [a]) => {
                s.trim = units
                    .position(a)
                    .map_err(|e| diags.push(e))
                    .ok()
                    .map(|a| (a, None))
            }
            ("trim", [a, r, b]) if r.kind == ValueKind::Range => {
                let end_span = b.span;
                match (units.position(a), units.position(b)) {
                    (Ok(a), Ok(b)) if b > a => s.trim = Some((a, Some(b))),
                    (Ok(_), Ok(_)) => diags.push(Diagnostic::error(
                        "bad-position",
                        end_span,
                        "a trim ends after it starts",
                    )),
                    (a, b) => diags.extend(a.err().into_iter().chain(b.err())),
                }
            }
            (name, _) => diags.push(
                Diagnostic::error(
                    "unknown-name",
                    b.span,
                    format!("`{name}` with these values is not a song setting"),
                )
                .with_hint("a song block holds title, artist, isrc, gain and trim"),
            ),
        }
    }
    Some(s)
}

/// CC XXX YY NNNNN (REFERENCES.md §8.2).
fn valid_isrc(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 12
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..5].iter().all(u8::is_ascii_alphanumeric)
        && b[5..].iter().all(u8::is_ascii_digit)
}
