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
pub mod files;
pub mod ir;
pub mod level;
pub mod lower;
mod lower_song;
pub mod song;
pub mod stage;
pub mod timeline;

use crate::diag::Diagnostic;
use crate::world::World;
use ir::{Album, LoudnessMode};
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// The render cache the songs share (`watch` keeps it between renders).
    pub cache: Option<std::sync::Arc<crate::cache::Cache>>,
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
    crate::render::check_cancel(opts.cancel.as_ref())
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
    // Fewer songs than threads: the rest go to each song's own graph.
    let per_song = (opts.jobs / threads).max(1);
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
            .map(|s| song::render(s, world, rate, per_song, opts))
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

    let stage = stage::run(album, &songs, &levels.gains_db, &places, &ranges, total)
        .map_err(|d| vec![d])?;
    let (gains, gr) = (&stage.gains_db, stage.max_gain_reduction_db);
    // The songs live on in the limited timeline; free them before the files.
    drop(songs);
    cancelled(opts)?;
    files::write(album, opts, &stage, &ranges, &titles, &places, total).map(|(files, measured, whole)| {
        let secs = |x: u64| x as f64 / f64::from(rate);
        let mut warnings = shortened_crossfades(album, &lens, rate);
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

/// A crossfade longer than a song it joins overlaps only as long as the shorter of
/// the two (it cannot reach past a song's start): say so, rather than fade shorter
/// than written without a word.
fn shortened_crossfades(album: &Album, lens: &[u64], rate: u32) -> Vec<Diagnostic> {
    let secs = |x: u64| x as f64 / f64::from(rate);
    (album.songs.iter().zip(lens).enumerate().skip(1))
        .filter_map(|(i, (song, &len))| {
            let x = song.crossfade?;
            let shorter = len.min(lens[i - 1]);
            (x.length > shorter).then(|| {
                Diagnostic::warning(
                    "crossfade",
                    song.span,
                    format!(
                        "the {:.3} s crossfade is longer than a song it joins: it overlaps {:.3} s",
                        secs(x.length),
                        secs(shorter)
                    ),
                )
                .with_hint("shorten the crossfade to fit both songs")
            })
        })
        .collect()
}
