//! `mixdown render ALBUM.mix`: the album's deliverables and a report of every song.
//! `render` (and so `watch`) hands a file holding an `album` block here.

use super::render::{Flags, Outcome, clock};
use crate::album::{self, AlbumReport};
use crate::world::World;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Compiles and renders the album at `file`, printing diagnostics and the report.
pub fn render_once(
    file: &Path,
    flags: &Flags,
    world: &dyn World,
    cancel: Arc<AtomicBool>,
) -> Outcome {
    let started = Instant::now();
    let done = |code: u8| Outcome {
        code,
        report: None,
        seconds: started.elapsed().as_secs_f64(),
        checked: vec![],
    };
    if flags.chunk == 0 || flags.jobs == Some(0) {
        eprintln!("error: --chunk and --jobs must be at least 1");
        return done(2);
    }
    if flags
        .report
        .as_deref()
        .is_some_and(crate::report_html::wanted)
    {
        eprintln!("error: the HTML report is not made for albums yet: use .json or .yaml");
        return done(2);
    }
    let album = match album::compile(world, file) {
        Ok((a, warnings)) => {
            super::print_diags(&warnings, world);
            a
        }
        Err(diags) => {
            super::print_diags(&diags, world);
            return done(1);
        }
    };
    let opts = album::Options {
        jobs: flags
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        out_dir: flags.out_dir.clone(),
        file_stem: file
            .file_stem()
            .map_or("album".into(), |s| s.to_string_lossy().into_owned()),
        cancel: Some(cancel),
        cache: match flags.open_cache() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return done(2);
            }
        },
    };
    let report = match album::render(&album, world, &opts) {
        Ok(r) => r,
        Err(diags) => {
            super::print_diags(&diags, world);
            eprintln!("no album file was written");
            return done(super::exit_for(&diags));
        }
    };
    super::print_diags(&report.warnings, world);
    if let Some(path) = &flags.report
        && let Err(e) = crate::render::report::write(path, &report)
    {
        eprintln!("error: cannot write the report {}: {e}", path.display());
        return done(2);
    }
    if !flags.quiet {
        print_report(file, &report, started.elapsed().as_secs_f64());
    }
    // `watch` reads a successful pass from a render report; the album's own report
    // was printed above.
    Outcome {
        code: 0,
        report: Some(crate::render::RenderReport {
            files: Vec::new(),
            frames: report.frames,
            solved: None,
            warnings: Vec::new(),
            meters: None,
            cache: None,
        }),
        seconds: started.elapsed().as_secs_f64(),
        checked: vec![],
    }
}

fn lufs(x: Option<f64>) -> String {
    x.map_or("-inf".into(), |l| format!("{l:.2}"))
}

fn print_report(file: &Path, r: &AlbumReport, seconds: f64) {
    eprintln!(
        "rendered album {} \"{}\" ({}) in {seconds:.2}s",
        file.display(),
        r.title,
        clock(r.frames as f64 / f64::from(r.rate))
    );
    if let (Some(t), Some(m)) = (r.target_lufs, r.mode) {
        eprintln!(
            "  loudness {t} LUFS {}: album {} LUFS, {:.2} dBTP (ceiling {} dBTP, limiter {:.2} dB max reduction)",
            serde_json::to_value(m)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default(),
            lufs(r.integrated_lufs),
            r.true_peak_dbtp,
            r.ceiling_dbtp,
            r.max_gain_reduction_db
        );
    }
    eprintln!("   #  start      length     gain      LUFS     dBTP  title");
    for s in &r.songs {
        eprintln!(
            "  {:>2}  {}  {}  {:+6.2} dB  {:>7}  {:>7.2}  {}",
            s.n,
            clock(s.start_s),
            clock(s.file_s),
            s.gain_db,
            lufs(s.integrated_lufs),
            s.true_peak_dbtp,
            s.title
        );
    }
    for f in &r.files {
        eprintln!("  wrote {}", f.display());
    }
}

/// `mixdown check ALBUM.mix`: the album, every song mix and every audio file it reads.
pub fn check(world: &dyn World, file: &Path) -> std::process::ExitCode {
    let album = match album::compile(world, file) {
        Ok((a, warnings)) => {
            super::print_diags(&warnings, world);
            a
        }
        Err(diags) => {
            super::print_diags(&diags, world);
            return std::process::ExitCode::from(1);
        }
    };
    let diags: Vec<_> = album
        .songs
        .iter()
        .flat_map(|s| album::song::check(s, world))
        .collect();
    super::print_diags(&diags, world);
    if diags.iter().any(crate::diag::Diagnostic::is_error) {
        return std::process::ExitCode::from(1);
    }
    eprintln!(
        "{}: ok (album, {} songs, {} exports)",
        file.display(),
        album.songs.len(),
        album.exports.len()
    );
    std::process::ExitCode::SUCCESS
}
