//! The `album` block's statements to [`Album`]. Inside it every line is a generic
//! statement (see `grammar/README.md`, `album`); all mistakes are reported at once.

use super::ir::{
    Album, AlbumExport, Crossfade, Loudness, LoudnessMode, Song, SongSource, XfadeCurve,
};
use crate::compile::values::{Units, describe};
use crate::diag::Diagnostic;
use crate::syntax::ast::{self, Command, Item, Stmt, Unit, Value, ValueKind};
use std::path::Path;

/// The album rate when none is given and `cd` is not set.
const DEFAULT_RATE: u32 = 48_000;
/// The default ceiling: the usual streaming delivery spec (REFERENCES.md §5).
const DEFAULT_CEILING_DB: f64 = -1.0;

/// Lowers the album of `file`, if it has one. An album file holds only its album.
pub fn lower(file: &ast::File, base: &Path, diags: &mut Vec<Diagnostic>) -> Option<Album> {
    let mut albums = file.items.iter().filter_map(|i| match i {
        Item::Album(a) => Some(a),
        _ => None,
    });
    let album = albums.next()?;
    for extra in albums {
        diags.push(Diagnostic::error(
            "duplicate-setting",
            extra.span,
            "a file holds one album",
        ));
    }
    for item in &file.items {
        if let Item::Strip(_) | Item::Master(_) | Item::Export(_) | Item::Automate(_) = item {
            diags.push(
                Diagnostic::error(
                    "misplaced",
                    item_span(item),
                    "an album file holds only its album block",
                )
                .with_hint("put the songs in their own .mix files and list them with `song`"),
            );
        }
    }
    Some(lower_album(album, base, diags))
}

fn item_span(item: &Item) -> crate::span::Span {
    match item {
        Item::Strip(s) => s.span,
        Item::Master(m) => m.span,
        Item::Export(e) => e.span,
        Item::Automate(a) => a.span,
        _ => crate::span::Span::detached(),
    }
}

fn commands<'a>(block: &'a ast::Block, diags: &mut Vec<Diagnostic>) -> Vec<&'a Command> {
    let mut out = Vec::new();
    for s in &block.stmts {
        match s {
            Stmt::Command(c) => out.push(c),
            Stmt::Call(c) => diags.push(Diagnostic::error(
                "misplaced",
                c.span,
                "chain calls cannot stand in an album",
            )),
        }
    }
    out
}

fn lower_album(a: &ast::Album, base: &Path, diags: &mut Vec<Diagnostic>) -> Album {
    let cmds = commands(&a.body, diags);
    let cd = cmds.iter().any(|c| c.name.name == "cd");
    let mut rate = if cd { 44_100 } else { DEFAULT_RATE };
    for c in cmds.iter().filter(|c| c.name.name == "rate") {
        match c.args.as_slice() {
            [v] => match hz(v) {
                Some(r) if cd && r != 44_100 => diags.push(Diagnostic::error(
                    "wrong-value",
                    v.span,
                    "a `cd` album is 44.1kHz",
                )),
                Some(r) => rate = r,
                None => diags.push(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "`rate` expects a rate such as 44.1kHz, found {}",
                        describe(v)
                    ),
                )),
            },
            _ => diags.push(Diagnostic::error(
                "wrong-value",
                c.span,
                "write `rate 44.1kHz`",
            )),
        }
    }
    let units = Units {
        rate: f64::from(rate),
        tempo: None,
        base,
    };
    let mut album = Album {
        title: a.title.value.clone(),
        artist: None,
        catalog: None,
        rate,
        cd,
        ceiling_db: DEFAULT_CEILING_DB,
        loudness: None,
        songs: Vec::new(),
        exports: Vec::new(),
        cue: None,
        span: a.span,
    };
    for c in cmds {
        let args = c.args.as_slice();
        match (c.name.name.as_str(), args) {
            ("rate" | "cd", _) => {}
            ("artist", [v]) => album.artist = text(v, diags),
            ("catalog", [v]) => {
                album.catalog = text(v, diags);
                if album
                    .catalog
                    .as_ref()
                    .is_some_and(|s| s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()))
                {
                    diags.push(Diagnostic::error(
                        "wrong-value",
                        v.span,
                        "a catalog number is 13 digits (UPC/EAN)",
                    ));
                }
            }
            ("ceiling", [v]) => match v.kind {
                ValueKind::Number {
                    value,
                    unit: Some(Unit::Dbtp),
                } if value <= 0.0 => album.ceiling_db = value,
                _ => diags.push(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "`ceiling` expects a level such as -1dBTP, found {}",
                        describe(v)
                    ),
                )),
            },
            ("loudness", [v, rest @ ..]) => album.loudness = loudness(v, rest, c, diags),
            ("song", [v, rest @ ..]) => {
                if let Some(s) = song(v, rest, c, base, &units, diags) {
                    album.songs.push(s);
                }
            }
            ("export", _) => {
                if let Some(e) = export(c, base, rate, diags) {
                    album.exports.push(e);
                }
            }
            ("cue", [v]) => album.cue = text(v, diags).map(|p| base.join(p)),
            (name, _) => diags.push(
                Diagnostic::error(
                    "unknown-name",
                    c.span,
                    format!("`{name}` with these values is not an album statement"),
                )
                .with_hint(
                    "an album holds song, gap, loudness, ceiling, export, cue, \
                     artist, catalog, rate and cd",
                ),
            ),
        }
    }
    if album.exports.is_empty() {
        // As for a mix: one 24-bit WAV beside the file (LANGUAGE.md, exports).
        album.exports.push(AlbumExport {
            songs: false,
            export: crate::ir::Export {
                kind: crate::ir::ExportKind::Master,
                path: base.join("out").join("{file}.wav"),
                format: crate::ir::FileFormat::Wav,
                bits: crate::ir::SampleFormat::Int24,
                rate,
                dither: crate::ir::Dither::Tpdf,
                tags: std::collections::BTreeMap::new(),
                span: crate::span::Span::detached(),
            },
        });
    }
    if album.songs.is_empty() {
        diags.push(Diagnostic::error(
            "missing-value",
            a.span,
            "an album needs a `song`",
        ));
    }
    if let Some(Song {
        crossfade: Some(_),
        span,
        ..
    }) = album.songs.first()
    {
        diags.push(Diagnostic::error(
            "wrong-value",
            *span,
            "the first song has nothing to cross-fade with",
        ));
    }
    album
}

fn hz(v: &Value) -> Option<u32> {
    match v.kind {
        ValueKind::Number {
            value,
            unit: Some(u @ (Unit::Hz | Unit::Khz)),
        } => {
            let hz = if u == Unit::Khz {
                value * 1000.0
            } else {
                value
            };
            (hz.fract() == 0.0 && (8000.0..=384_000.0).contains(&hz)).then_some(hz as u32)
        }
        _ => None,
    }
}

fn text(v: &Value, diags: &mut Vec<Diagnostic>) -> Option<String> {
    match &v.kind {
        ValueKind::Str(s) => Some(s.clone()),
        _ => {
            diags.push(Diagnostic::error(
                "wrong-value",
                v.span,
                format!("expected text in quotes, found {}", describe(v)),
            ));
            None
        }
    }
}

fn word(v: &Value) -> Option<&str> {
    match &v.kind {
        ValueKind::Word(w) => Some(w),
        _ => None,
    }
}

fn loudness(
    v: &Value,
    rest: &[Value],
    c: &Command,
    diags: &mut Vec<Diagnostic>,
) -> Option<Loudness> {
    let ValueKind::Number {
        value,
        unit: Some(Unit::Lufs),
    } = v.kind
    else {
        diags.push(Diagnostic::error(
            "wrong-unit",
            v.span,
            format!(
                "`loudness` expects a target such as -14LUFS, found {}",
                describe(v)
            ),
        ));
        return None;
    };
    let mode = match rest {
        [] => LoudnessMode::Album,
        [m] if word(m) == Some("album") => LoudnessMode::Album,
        [m] if word(m) == Some("track") => LoudnessMode::Track,
        _ => {
            diags.push(Diagnostic::error(
                "wrong-value",
                c.span,
                "write `loudness -14LUFS album` or `loudness -14LUFS track`",
            ));
            return None;
        }
    };
    Some(Loudness {
        lufs: value,
        mode,
        span: c.span,
    })
}

fn song(
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

/// `export [songs] "path" { ... }`: the export settings are those of a mix's export.
fn export(c: &Command, base: &Path, rate: u32, diags: &mut Vec<Diagnostic>) -> Option<AlbumExport> {
    let (songs, path) = match c.args.as_slice() {
        [p] => (false, p),
        [k, p] if word(k) == Some("songs") => (true, p),
        _ => {
            diags.push(Diagnostic::error(
                "wrong-value",
                c.span,
                "write `export \"out/album.wav\"` or `export songs \"out/{n}-{title}.flac\"`",
            ));
            return None;
        }
    };
    let value = text(path, diags)?;
    if songs && !value.contains("{n}") && !value.contains("{title}") {
        diags.push(Diagnostic::error(
            "wrong-value",
            path.span,
            "a songs pattern needs `{n}` or `{title}`, e.g. \"out/{n}-{title}.flac\"",
        ));
    }
    let e = ast::Export {
        kind: None,
        path: ast::Str {
            value,
            span: path.span,
        },
        body: c.block.clone().unwrap_or_default(),
        span: c.span,
    };
    let export = crate::compile::export::lower_export(&e, base, rate, diags);
    if export.rate != rate {
        diags.push(
            Diagnostic::error(
                "wrong-value",
                c.span,
                format!("album files are written at the album rate ({rate} Hz)"),
            )
            .with_hint("set the album's rate with `rate 44.1kHz` in the album block"),
        );
    }
    Some(AlbumExport { songs, export })
}
