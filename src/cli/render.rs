//! `mixdown render FILE [-o DIR] [--jobs N] [--report FILE.json|FILE.yaml] [--quiet]`.

use crate::render::RenderOptions;
use crate::world::DiskWorld;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    file: PathBuf,
    /// Write every export into this folder instead of the one its path names (file names are kept).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(short, long, value_name = "N")]
    jobs: Option<usize>,
    /// Frames per render chunk (the output does not depend on it).
    #[arg(long, value_name = "FRAMES", default_value_t = 4096, hide = true)]
    chunk: usize,
    /// Write a report of every exported file (loudness, peaks, drive, hash) as JSON, or YAML for .yaml/.yml.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(a: Args) -> ExitCode {
    let world = DiskWorld::new();
    let started = Instant::now();
    let mix = match super::compile(&world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    if a.chunk == 0 || a.jobs == Some(0) {
        eprintln!("error: --chunk and --jobs must be at least 1");
        return ExitCode::from(2);
    }
    let opts = RenderOptions {
        jobs: a
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        chunk: a.chunk,
        out_dir: a.out_dir.clone(),
        file_stem: a
            .file
            .file_stem()
            .map_or("mix".into(), |s| s.to_string_lossy().into_owned()),
    };
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} rendering [{bar:30}] {percent}% {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        Some(bar)
    } else {
        None
    };
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let result = crate::render::render(&mix, &world, &opts, &progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    match result {
        Ok(report) => {
            super::print_diags(&report.warnings, &world);
            if let Some(path) = &a.report {
                let written = crate::render::report::build(&report, mix.loudness.map(|l| l.lufs))
                    .map_err(|e| e.to_string())
                    .and_then(|r| crate::render::report::write(path, &r));
                if let Err(e) = written {
                    eprintln!("error: cannot write the report {}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            if !a.quiet {
                let secs = report.frames as f64 / f64::from(mix.session.rate);
                eprintln!(
                    "rendered {} ({}) in {:.2}s",
                    a.file.display(),
                    clock(secs),
                    started.elapsed().as_secs_f64()
                );
                if let (Some(s), Some(t)) = (&report.solved, mix.loudness) {
                    eprintln!(
                        "  loudness {} LUFS: drive {:+.2} dB, limiter {}, {:.2} LUFS ({} runs of the master chain)",
                        t.lufs,
                        s.drive_db,
                        s.max_gain_reduction_db.map_or("none".into(), |g| format!(
                            "{:.2} dB max reduction",
                            g.abs()
                        )),
                        s.integrated_lufs,
                        s.trials
                    );
                }
                for f in &report.files {
                    let m = f.measured.as_ref();
                    eprintln!(
                        "  wrote {}  {} Hz  {}  {} LUFS  {:.2} dBTP",
                        f.path.display(),
                        f.rate,
                        clock(f.seconds),
                        m.and_then(|m| m.integrated_lufs)
                            .map_or("-inf".into(), |l| format!("{l:.2}")),
                        m.map_or(f.peak_dbfs, |m| m.true_peak_dbtp)
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(diags) => {
            super::print_diags(&diags, &world);
            eprintln!("no file was written");
            super::exit_for(&diags)
        }
    }
}

fn clock(secs: f64) -> String {
    let m = (secs / 60.0).floor();
    format!("{}:{:06.3}", m as u64, secs - m * 60.0)
}
