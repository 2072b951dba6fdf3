//! Writing the album's files: the album file, the song files cut from the same
//! quantised timeline, their tags, and the CUE sheet.

use super::ir::Album;
use super::stage::{Key, Stage};
use super::{Options, cue, deliver, timeline};
use crate::analysis::Measurement;
use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub(super) fn place(path: &Path, opts: &Options) -> PathBuf {
    let path = PathBuf::from(path.to_string_lossy().replace("{file}", &opts.file_stem));
    match (&opts.out_dir, path.file_name()) {
        (Some(dir), Some(name)) => dir.join(name),
        _ => path,
    }
}

/// A title as a file name: no folder separators or characters that file systems refuse.
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if "/\\:*?\"<>|".contains(c) || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect()
}

type Delivered = (Vec<PathBuf>, Vec<Measurement>, Measurement);

/// ReplayGain 2.0 reference loudness (REFERENCES.md §8.1).
const RG_REFERENCE_LUFS: f64 = -18.0;

/// `REPLAYGAIN_{ALBUM|TRACK}_GAIN` (dB to the -18 LUFS reference, 2 decimals) and
/// `_PEAK` (linear true peak), as ReplayGain 2.0 writes them.
fn replaygain(tags: &mut BTreeMap<String, String>, which: &str, m: &Measurement) {
    if let Some(i) = m.integrated_lufs {
        tags.insert(
            format!("REPLAYGAIN_{which}_GAIN"),
            format!("{:.2} dB", RG_REFERENCE_LUFS - i),
        );
        tags.insert(
            format!("REPLAYGAIN_{which}_PEAK"),
            format!("{:.6}", libm::pow(10.0, m.true_peak_dbtp / 20.0)),
        );
    }
}

/// Quantises, writes every export and the CUE sheet; measures each song file and the
/// album as written (the first export's format; float without exports).
pub fn write(
    album: &Album,
    opts: &Options,
    stage: &Stage,
    ranges: &[std::ops::Range<usize>],
    titles: &[String],
    places: &[timeline::Placement],
    total: u64,
) -> Result<Delivered, Vec<Diagnostic>> {
    let rate = album.rate;
    // Each word length measured as it will be written: the report and ReplayGain tags.
    let mut measured: BTreeMap<Key, (Vec<Measurement>, Measurement)> = stage
        .quantised
        .iter()
        .map(|(k, q)| {
            let songs = ranges
                .iter()
                .map(|r| deliver::measure(&q.audio, r.clone(), rate));
            (
                *k,
                (
                    songs.collect(),
                    deliver::measure(&q.audio, 0..total as usize, rate),
                ),
            )
        })
        .collect();
    // Every file planned before any is written, so two that would land on one path
    // (a pattern without `{n}`, or `-o DIR`) are an error, not a silent overwrite.
    let mut plan = Vec::new();
    let mut first = None;
    for e in &album.exports {
        let key = super::stage::key(&e.export);
        first.get_or_insert(key);
        let (song_m, album_m) = &measured[&key];
        let mut album_tags = BTreeMap::from([
            ("ALBUM".to_string(), album.title.clone()),
            ("TITLE".to_string(), album.title.clone()),
        ]);
        if let Some(a) = &album.artist {
            album_tags.insert("ARTIST".into(), a.clone());
            album_tags.insert("ALBUMARTIST".into(), a.clone());
        }
        replaygain(&mut album_tags, "ALBUM", album_m);
        if e.songs {
            for (i, r) in ranges.iter().enumerate() {
                let s = &album.songs[i];
                let name = e
                    .export
                    .path
                    .to_string_lossy()
                    .replace("{n}", &format!("{:02}", i + 1))
                    .replace("{title}", &file_safe(&titles[i]));
                let mut tags = album_tags.clone();
                tags.insert("TITLE".into(), titles[i].clone());
                tags.insert("TRACKNUMBER".into(), (i + 1).to_string());
                tags.insert("TRACKTOTAL".into(), ranges.len().to_string());
                if let Some(a) = s.artist.as_ref().or(album.artist.as_ref()) {
                    tags.insert("ARTIST".into(), a.clone());
                }
                replaygain(&mut tags, "TRACK", &song_m[i]);
                if let Some(isrc) = &s.isrc {
                    tags.insert("ISRC".into(), isrc.clone());
                }
                tags.extend(e.export.tags.clone());
                plan.push((place(Path::new(&name), opts), e, tags, key, r.clone()));
            }
        } else {
            replaygain(&mut album_tags, "TRACK", album_m);
            album_tags.extend(e.export.tags.clone());
            let path = place(&e.export.path, opts);
            plan.push((path, e, album_tags, key, 0..total as usize));
        }
    }
    let cue_path = album.cue.as_ref().map(|c| place(c, opts));
    let mut seen = std::collections::BTreeSet::new();
    for path in plan.iter().map(|p| &p.0).chain(&cue_path) {
        if !seen.insert(path) {
            return Err(vec![
                Diagnostic::error(
                    "duplicate-output",
                    album.span,
                    format!(
                        "two of the album's files would be written to {}",
                        path.display()
                    ),
                )
                .with_hint("give each song its own name with `{n}` in the pattern"),
            ]);
        }
    }
    let mut files = Vec::new();
    for (path, e, tags, key, range) in plan {
        deliver::write(&path, &e.export, &tags, &stage.quantised[&key].audio, range)
            .map_err(|d| vec![d])?;
        files.push(path);
    }
    if let Some(path) = cue_path {
        let e = album
            .exports
            .iter()
            .find(|e| !e.songs)
            .expect("lowering asks a cue sheet for an album file");
        // The sheet names the album file relative to itself, as players resolve it.
        let target = place(&e.export.path, opts);
        let dir = path.parent().unwrap_or(Path::new(""));
        let name = target
            .strip_prefix(dir)
            .unwrap_or(&target)
            .to_string_lossy()
            .replace('\\', "/");
        let text = cue::sheet(album, &name, titles, places);
        let fail = |e: std::io::Error| {
            vec![Diagnostic::error(
                "output",
                album.span,
                format!("cannot write {}: {e}", path.display()),
            )]
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        std::fs::write(&path, text).map_err(fail)?;
        files.push(path);
    }
    let (songs, whole) = match first {
        Some(k) => measured.remove(&k).expect("measured"),
        None => (
            ranges
                .iter()
                .map(|r| deliver::measure(&stage.limited, r.clone(), rate))
                .collect(),
            deliver::measure(&stage.limited, 0..total as usize, rate),
        ),
    };
    Ok((files, songs, whole))
}
