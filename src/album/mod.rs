//! Albums: songs strung into one record with one consistent level.
//!
//! ```text
//! album file ─lower→ ir::Album ─song::render (each song, in parallel)→ audio at the album rate
//!   ─level::gains→ gains ─timeline::layout/mix→ continuous timeline ─deliver::limit→ held to the ceiling
//!   ─deliver::quantise (once per word length)→ album file + song files cut from it + CUE sheet
//! ```
//!
//! Songs are rendered by the ordinary renderer, one per worker, each on one thread,
//! and collected in album order, so the result does not depend on the thread count.

pub mod cue;
pub mod deliver;
pub mod ir;
pub mod level;
pub mod lower;
pub mod song;
pub mod timeline;

use crate::diag::Diagnostic;
use crate::world::World;
use ir::{Album, LoudnessMode};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Album loudness is corrected after the limiter until within this (LU); the
/// delivery contract is 0.1 LU (LANGUAGE.md, `loudness`), the rest is dither.
const LEVEL_TOL_LU: f64 = 0.02;
/// Corrections of the level after the limiter.
const LEVEL_ROUNDS: usize = 4;
/// More album limiting than this is met with a warning, as on a master.
const HEAVY_GR_DB: f64 = crate::render::master::HEAVY_GR_DB;

/// Whether the file at `path` holds an album (parses; a file that does not parse is
/// not an album, and the ordinary compile reports why).
pub fn is_album(world: &dyn World, path: &Path) -> bool {
    let Ok(id) = world.load_source(path) else {
        return false;
    };
    let src = world.source(id);
    crate::syntax::parse(id, &src.text).is_ok_and(|f| {
        f.items
            .iter()
            .any(|i| matches!(i, crate::syntax::ast::Item::Album(_)))
    })
}

/// Loads and lowers the album at `path`: the album, or every diagnostic.
pub fn compile(
    world: &dyn World,
    path: &Path,
) -> Result<(Album, Vec<Diagnostic>), Vec<Diagnostic>> {
    let id = world.load_source(path).map_err(|e| {
        vec![Diagnostic::global(
            "input",
            format!("cannot read {}: {e}", path.display()),
        )]
    })?;
    let src = world.source(id);
    let file = crate::syntax::parse(id, &src.text)?;
    let mut diags = Vec::new();
    let album = lower::lower(&file, &src.dir.clone().unwrap_or_default(), &mut diags);
    match album {
        Some(a) if !diags.iter().any(Diagnostic::is_error) => Ok((a, diags)),
        _ => Err(diags),
    }
}

pub struct Options {
    pub jobs: usize,
    pub out_dir: Option<PathBuf>,
    /// Stands in for `{file}` in the default export's name.
    pub file_stem: String,
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// One song as delivered.
#[derive(Debug, Clone, Serialize)]
pub struct SongReport {
    pub n: usize,
    pub title: String,
    /// Where its file starts on the album (s): INDEX 01.
    pub start_s: f64,
    /// Where its first sample is on the album (s).
    pub audio_start_s: f64,
    /// Length of its file (s).
    pub file_s: f64,
    /// Gain applied by the level policy and its offset (dB), before the limiter.
    pub gain_db: f64,
    /// As rendered, before any album gain.
    pub rendered_lufs: Option<f64>,
    /// Its file as written.
    pub integrated_lufs: Option<f64>,
    pub true_peak_dbtp: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct AlbumReport {
    pub title: String,
    pub rate: u32,
    pub frames: u64,
    pub target_lufs: Option<f64>,
    pub mode: Option<LoudnessMode>,
    pub integrated_lufs: Option<f64>,
    pub true_peak_dbtp: f64,
    pub ceiling_dbtp: f64,
    pub max_gain_reduction_db: f64,
    pub songs: Vec<SongReport>,
    pub files: Vec<PathBuf>,
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

fn cancelled(opts: &Options) -> Result<(), Vec<Diagnostic>> {
    if opts
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
    {
        return Err(vec![Diagnostic::global(
            "interrupted",
            "interrupted: no file was written or changed",
        )]);
    }
    Ok(())
}

/// Renders every deliverable of `album`. An error in any song, or in the level or
/// the ceiling, is found before the first file is written.
pub fn render(
    album: &Album,
    world: &dyn World,
    opts: &Options,
) -> Result<AlbumReport, Vec<Diagnostic>> {
    let rate = album.rate;
    let threads = opts.jobs.clamp(1, album.songs.len().max(1));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            vec![Diagnostic::global(
                "threads",
                format!("cannot start worker threads: {e}"),
            )]
        })?;
    let rendered: Vec<_> = pool.install(|| {
        album
            .songs
            .par_iter()
            .map(|s| {
                if matches!(&s.source, ir::SongSource::Mix(p) if is_album(world, p)) {
                    return Err(vec![Diagnostic::error(
                        "song",
                        s.span,
                        format!("{} is an album, not a song", s.written),
                    )]);
                }
                song::render(s, world, rate, opts.cancel.clone())
            })
            .collect()
    });
    let mut songs = Vec::new();
    let mut titles = Vec::new();
    let mut errors = Vec::new();
    for (s, r) in album.songs.iter().zip(rendered) {
        match r {
            Ok(r) => {
                titles.push(s.title.clone().or(r.title).unwrap_or_else(|| {
                    Path::new(&s.written)
                        .file_stem()
                        .map_or("song".into(), |x| x.to_string_lossy().into_owned())
                }));
                songs.push(r.audio);
            }
            Err(d) => errors.extend(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    cancelled(opts)?;
    let offsets: Vec<f64> = album.songs.iter().map(|s| s.gain_db).collect();
    let levels = level::gains(&songs, &offsets, album.loudness, rate).map_err(|d| vec![d])?;
    let lens: Vec<u64> = songs.iter().map(|s| s[0].len() as u64).collect();
    let (places, total) = timeline::layout(album, &lens);
    let ranges: Vec<_> = (0..places.len())
        .map(|i| timeline::file_range(&places, total, i))
        .collect();

    // The level policy, then the limiter; what the limiter takes is given back
    // (album: the album's loudness; track: each song file's) until on target.
    let mut gains = levels.gains_db.clone();
    let (mut limited, mut gr) = (None, 0.0);
    for round in 0..LEVEL_ROUNDS {
        let sum = timeline::mix(album, &songs, &gains, &places, total);
        let (out, g) = deliver::limit(&sum, album.ceiling_db, rate);
        gr = g;
        let Some(l) = album.loudness else {
            limited = Some(out);
            break;
        };
        let misses: Vec<f64> = match l.mode {
            LoudnessMode::Album => {
                let m = deliver::measure(&out, 0..total as usize, rate).integrated_lufs;
                vec![m.map_or(0.0, |m| l.lufs - m); gains.len()]
            }
            LoudnessMode::Track => ranges
                .iter()
                .zip(&offsets)
                .map(|(r, o)| {
                    let m = deliver::measure(&out, r.clone(), rate).integrated_lufs;
                    m.map_or(0.0, |m| l.lufs + o - m)
                })
                .collect(),
        };
        limited = Some(out);
        if misses.iter().all(|m| m.abs() <= LEVEL_TOL_LU) || round + 1 == LEVEL_ROUNDS {
            break;
        }
        gains.iter_mut().zip(&misses).for_each(|(g, m)| *g += m);
    }
    let limited = limited.expect("one round at least");
    cancelled(opts)?;
    deliver_files(album, opts, &limited, &ranges, &titles, &places, total).map(|(files, measured, whole)| {
        let secs = |x: u64| x as f64 / f64::from(rate);
        let mut warnings = Vec::new();
        if gr > HEAVY_GR_DB {
            warnings.push(Diagnostic::warning(
                "loudness",
                album.span,
                format!("the album limiter reduces peaks by up to {gr:.1} dB (more than {HEAVY_GR_DB} dB): expect audible distortion"),
            ));
        }
        AlbumReport {
            title: album.title.clone(),
            rate,
            frames: total,
            target_lufs: album.loudness.map(|l| l.lufs),
            mode: album.loudness.map(|l| l.mode),
            integrated_lufs: whole.integrated_lufs,
            true_peak_dbtp: whole.true_peak_dbtp,
            ceiling_dbtp: album.ceiling_db,
            max_gain_reduction_db: gr,
            songs: places
                .iter()
                .enumerate()
                .map(|(i, p)| SongReport {
                    n: i + 1,
                    title: titles[i].clone(),
                    start_s: secs(p.cut),
                    audio_start_s: secs(p.start),
                    file_s: secs((ranges[i].end - ranges[i].start) as u64),
                    gain_db: gains[i],
                    rendered_lufs: levels.song_lufs[i].map(|l| l - offsets[i]),
                    integrated_lufs: measured[i].integrated_lufs,
                    true_peak_dbtp: measured[i].true_peak_dbtp,
                })
                .collect(),
            files,
            warnings,
        }
    })
}

fn place(path: &Path, opts: &Options) -> PathBuf {
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

type Delivered = (
    Vec<PathBuf>,
    Vec<crate::analysis::Measurement>,
    crate::analysis::Measurement,
);

/// Quantises, writes every export and the CUE sheet; measures each song file and the
/// album as written (the first export's format; float without exports).
fn deliver_files(
    album: &Album,
    opts: &Options,
    limited: &[Vec<f32>; 2],
    ranges: &[std::ops::Range<usize>],
    titles: &[String],
    places: &[timeline::Placement],
    total: u64,
) -> Result<Delivered, Vec<Diagnostic>> {
    let rate = album.rate;
    let mut files = Vec::new();
    let mut groups: BTreeMap<(u8, u8), deliver::Quantised> = BTreeMap::new();
    let mut first = None;
    for e in &album.exports {
        let key = (e.export.bits as u8, e.export.dither as u8);
        if !groups.contains_key(&key) {
            let q = deliver::quantise(
                limited,
                e.export.bits,
                e.export.dither,
                deliver::seed(&e.export.path),
                album.ceiling_db,
                ranges,
                rate,
            )
            .map_err(|m| vec![Diagnostic::error("loudness", e.export.span, m)])?;
            groups.insert(key, q);
        }
        first.get_or_insert(key);
        let q = &groups[&key];
        let mut album_tags = BTreeMap::from([
            ("ALBUM".to_string(), album.title.clone()),
            ("TITLE".to_string(), album.title.clone()),
        ]);
        if let Some(a) = &album.artist {
            album_tags.insert("ARTIST".into(), a.clone());
            album_tags.insert("ALBUMARTIST".into(), a.clone());
        }
        if e.songs {
            for (i, r) in ranges.iter().enumerate() {
                let s = &album.songs[i];
                let name = e
                    .export
                    .path
                    .to_string_lossy()
                    .replace("{n}", &format!("{:02}", i + 1))
                    .replace("{title}", &file_safe(&titles[i]));
                let path = place(Path::new(&name), opts);
                let mut tags = album_tags.clone();
                tags.insert("TITLE".into(), titles[i].clone());
                tags.insert("TRACKNUMBER".into(), (i + 1).to_string());
                tags.insert("TRACKTOTAL".into(), ranges.len().to_string());
                if let Some(a) = s.artist.as_ref().or(album.artist.as_ref()) {
                    tags.insert("ARTIST".into(), a.clone());
                }
                if let Some(isrc) = &s.isrc {
                    tags.insert("ISRC".into(), isrc.clone());
                }
                tags.extend(e.export.tags.clone());
                deliver::write(&path, &e.export, &tags, &q.audio, r.clone())
                    .map_err(|d| vec![d])?;
                files.push(path);
            }
        } else {
            let path = place(&e.export.path, opts);
            album_tags.extend(e.export.tags.clone());
            deliver::write(&path, &e.export, &album_tags, &q.audio, 0..total as usize)
                .map_err(|d| vec![d])?;
            files.push(path);
        }
    }
    if let Some(cue) = &album.cue {
        let Some(e) = album.exports.iter().find(|e| !e.songs) else {
            return Err(vec![Diagnostic::error(
                "missing-value",
                album.span,
                "a cue sheet needs an album file to point at: add `export \"out/album.wav\"`",
            )]);
        };
        let target = place(&e.export.path, opts);
        let name = target
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let path = place(cue, opts);
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
    let audio = first.map_or(limited, |k| &groups[&k].audio);
    let measured = ranges
        .iter()
        .map(|r| deliver::measure(audio, r.clone(), rate))
        .collect();
    let whole = deliver::measure(audio, 0..total as usize, rate);
    Ok((files, measured, whole))
}
