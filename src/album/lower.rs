//! The `album` block's statements to [`Album`]. Inside it every line is a generic
//! statement (see `grammar/README.md`, `album`); all mistakes are reported at once.

use super::ir::{Album, AlbumExport, Loudness, LoudnessMode, Song};
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

pub(super) fn commands<'a>(block: &'a ast::Block, diags: &mut Vec<Diagnostic>) -> Vec<&'a Command> {
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
                if let Some(s) = super::lower_song::song(v, rest, c, base, &units, diags) {
                    album.songs.push(s);
                }
            }
            ("export", _) => {
                if let Some(e) = export(c, base, rate, cd, diags) {
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
        // As for a mix: one WAV beside the file (LANGUAGE.md, exports); 16-bit for `cd`.
        album.exports.push(AlbumExport {
            songs: false,
            export: crate::compile::default_export(base, rate, cd_bits(cd)),
        });
    }
    if album.cue.is_some() && album.exports.iter().all(|e| e.songs) {
        diags.push(Diagnostic::error(
            "missing-value",
            a.span,
            "a cue sheet needs an album file to point at: add `export \"out/album.wav\"`",
        ));
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
    crate::compile::values::sample_rate(v, "the album rate").ok()
}

pub(super) fn text(v: &Value, diags: &mut Vec<Diagnostic>) -> Option<String> {
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

pub(super) fn word(v: &Value) -> Option<&str> {
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
        [m] if word(m) == Some("loudest") => LoudnessMode::Loudest,
        _ => {
            diags.push(Diagnostic::error(
                "wrong-value",
                c.span,
                "write `loudness -14LUFS album`, `loudness -14LUFS track` or `loudness -14LUFS loudest`",
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

/// `export [songs] "path" { ... }`: the export settings are those of a mix's export.
fn export(
    c: &Command,
    base: &Path,
    rate: u32,
    cd: bool,
    diags: &mut Vec<Diagnostic>,
) -> Option<AlbumExport> {
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
    let export = crate::compile::export::lower_export(&e, base, rate, cd_bits(cd), diags);
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

/// Red Book audio is 16-bit: a `cd` album's files are, unless they say otherwise.
fn cd_bits(cd: bool) -> crate::ir::SampleFormat {
    match cd {
        true => crate::ir::SampleFormat::Int16,
        false => crate::ir::SampleFormat::Int24,
    }
}
