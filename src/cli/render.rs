//! `mixdown render FILE [-o DIR] [--jobs N] [--report FILE] [--quiet] [--lock|--locked]
//! [--format F]`, and the one render pass that `watch` repeats (assertions included).

use super::output::{Format, Reporter};
use crate::render::{RenderOptions, RenderReport};
use crate::repro::assertions::{self, Checked};
use crate::world::{DiskWorld, World};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The most worker threads `--jobs` may ask for.
const MAX_JOBS: usize = 256;

/// The flags `render` and `watch` share.
#[derive(clap::Args, Clone)]
pub struct Flags {
    /// Write every export into this folder instead of the one its path names (file names are kept).
    #[arg(short = 'o', long = "out-dir", value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Worker threads (default: all cores). The output is the same for any number.
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Frames per render chunk (the output does not depend on it).
    #[arg(long, value_name = "FRAMES", default_value_t = crate::render::DEFAULT_CHUNK, hide = true)]
    pub chunk: usize,
    /// Write a report of every exported file (loudness, peaks, drive, hash) as JSON, or YAML for .yaml/.yml.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    pub quiet: bool,
    /// Keep decoded sources and rendered strips in DIR, and reuse what earlier renders left there.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
    /// Budget of the render cache in memory (and in its folder), in MB.
    #[arg(long, value_name = "MB", default_value_t = crate::cache::DEFAULT_BUDGET_MB)]
    pub cache_mb: usize,
    /// Render from this time on (seconds, `1:30`, `90s` or `500ms`), with a pre-roll so it sounds as in the whole song.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<f64>,
    /// Render up to this time (same forms as --from).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub to: Option<f64>,
    /// The cache `watch` keeps from one render to the next.
    #[arg(skip)]
    pub shared_cache: Option<Arc<crate::cache::Cache>>,
    /// `watch` stops a render when a newer save comes in, and says so itself.
    #[arg(skip)]
    pub quiet_stop: bool,
}

/// A time on the timeline: `90`, `90s`, `1500ms`, `1:30` or `1:02:03.5`.
fn parse_time(s: &str) -> Result<f64, String> {
    let bad = || format!("`{s}` is not a time: write seconds (90, 90s), 1500ms, or m:ss (1:30)");
    let t = s.trim();
    let secs = if let Some(ms) = t.strip_suffix("ms") {
        ms.trim().parse::<f64>().map_err(|_| bad())? / 1000.0
    } else if t.contains(':') {
        // Every field after the first is under 60, as in the language's clock times.
        let parts: Vec<&str> = t.split(':').collect();
        parts
            .iter()
            .enumerate()
            .try_fold(0.0, |acc, (i, part)| match part.parse::<f64>() {
                Ok(v) if i == 0 || (0.0..60.0).contains(&v) => Ok(acc * 60.0 + v),
                _ => Err(bad()),
            })?
    } else {
        t.strip_suffix('s')
            .unwrap_or(t)
            .trim()
            .parse::<f64>()
            .map_err(|_| bad())?
    };
    if secs.is_finite() && secs >= 0.0 {
        Ok(secs)
    } else {
        Err(bad())
    }
}

impl Flags {
    /// `--from`/`--to` in samples at `rate`.
    fn region(&self, rate: u32) -> Result<Option<crate::render::region::Region>, String> {
        if self.from.is_none() && self.to.is_none() {
            return Ok(None);
        }
        let at = |t: f64| (t * f64::from(rate)).round() as u64;
        let from = self.from.map_or(0, at);
        let to = self.to.map_or(u64::MAX, at);
        if to <= from {
            return Err("--to must come after --from".into());
        }
        Ok(Some(crate::render::region::Region { from, to }))
    }

    /// The cache to render with: `watch`'s own, or one over `--cache DIR`.
    pub fn open_cache(&self) -> Result<Option<Arc<crate::cache::Cache>>, String> {
        if let Some(c) = &self.shared_cache {
            return Ok(Some(c.clone()));
        }
        match &self.cache {
            None => Ok(None),
            Some(dir) => crate::cache::Cache::new(self.cache_mb, Some(dir.clone()))
                .map(|c| Some(Arc::new(c)))
                .map_err(|e| format!("cannot use the cache folder {}: {e}", dir.display())),
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    pub(super) file: PathBuf,
    #[command(flatten)]
    pub(super) flags: Flags,
    /// Write FILE.mix.lock: the hash of every input and output of this render.
    #[arg(long)]
    pub(super) lock: bool,
    /// Refuse to render when any input differs from FILE.mix.lock.
    #[arg(long, conflicts_with = "lock")]
    pub(super) locked: bool,
    /// How to print diagnostics and the result.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

/// What one render pass produced.
pub struct Outcome {
    pub code: u8,
    pub report: Option<RenderReport>,
    pub seconds: f64,
    /// Every assertion of the mix, checked (empty when the render failed).
    pub checked: Vec<Checked>,
}

pub fn run(a: Args) -> ExitCode {
    let cancel = super::interrupt_flag();
    let world = DiskWorld::new();
    if (a.lock || a.locked) && (a.flags.from.is_some() || a.flags.to.is_some()) {
        eprintln!("error: --lock and --locked record whole renders: drop --from/--to");
        return ExitCode::from(2);
    }
    if crate::album::is_album(&world, &a.file) {
        if a.lock || a.locked || a.format != Format::Human {
            eprintln!("error: --lock, --locked and --format are not supported for albums yet");
            return ExitCode::from(2);
        }
        return ExitCode::from(super::album::render_once(&a.file, &a.flags, &world, cancel).code);
    }
    let mut rep = Reporter::new(a.format);
    let mut extra = serde_json::Map::new();
    let code = super::lockfile::render(&a, &world, cancel, &mut rep, &mut extra);
    rep.finish("render", &a.file, code, extra)
}

/// Compiles and renders `file`, printing diagnostics and a summary (what `watch` runs).
pub fn render_once(
    file: &std::path::Path,
    flags: &Flags,
    world: &dyn World,
    cancel: Arc<AtomicBool>,
) -> Outcome {
    if crate::album::is_album(world, file) {
        return super::album::render_once(file, flags, world, cancel);
    }
    let mut rep = Reporter::new(Format::Human);
    match rep.compile(world, file) {
        Ok(mix) => render_mix(&mix, file, flags, world, cancel, &mut rep),
        Err(code) => Outcome {
            code,
            report: None,
            seconds: 0.0,
            checked: vec![],
        },
    }
}

/// Renders a compiled mix and checks its assertions, reporting through `rep`.
pub fn render_mix(
    mix: &crate::ir::Mix,
    file: &std::path::Path,
    flags: &Flags,
    world: &dyn World,
    cancel: Arc<AtomicBool>,
    rep: &mut Reporter,
) -> Outcome {
    let started = Instant::now();
    let fail = |code: u8| Outcome {
        code,
        report: None,
        seconds: started.elapsed().as_secs_f64(),
        checked: vec![],
    };
    // Each job is an OS thread with buffers of its own: thousands of them only thrash.
    let wrong = match flags.jobs {
        Some(0) => Some("--jobs must be at least 1".to_string()),
        Some(j) if j > MAX_JOBS => Some(format!("--jobs {j}: at most {MAX_JOBS} threads")),
        _ if flags.chunk == 0 => Some("--chunk must be at least 1".to_string()),
        _ => None,
    };
    if let Some(message) = wrong {
        rep.diags(&[crate::diag::Diagnostic::global("usage", message)], world);
        return fail(2);
    }
    let cache = match flags.open_cache() {
        Ok(c) => c,
        Err(e) => {
            rep.diags(&[crate::diag::Diagnostic::global("cache", e)], world);
            return fail(2);
        }
    };
    let region = match flags.region(mix.session.rate) {
        Ok(r) => r,
        Err(e) => {
            rep.diags(&[crate::diag::Diagnostic::global("usage", e)], world);
            return fail(2);
        }
    };
    if let Some(path) = &flags.report
        && let Err(e) = crate::render::report::writable(path)
    {
        let m = format!("cannot write the report {}: {e}", path.display());
        rep.diags(&[crate::diag::Diagnostic::global("report", m)], world);
        return fail(2);
    }
    let file_stem: String =
        (file.file_stem()).map_or("mix".into(), |s| s.to_string_lossy().into_owned());
    if let (Some(r), None) = (region, &flags.out_dir) {
        rep.diags(&super::region::replaced(mix, &file_stem, r), world);
    }
    let opts = RenderOptions {
        region,
        cache,
        jobs: flags
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        chunk: flags.chunk,
        out_dir: flags.out_dir.clone(),
        file_stem,
        cancel: Some(cancel),
        meters: flags
            .report
            .as_deref()
            .is_some_and(crate::report_html::wanted),
        report: flags.report.clone(),
    };
    let bar = (!flags.quiet && rep.format != Format::Json && std::io::stderr().is_terminal()).then(
        || {
            let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} rendering [{bar:30}] {percent}% {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar
        },
    );
    let progress = |done: u64, total: u64| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
    };
    let metered = assertions::with_meters(mix);
    let result = crate::render::render(&metered, world, &opts, &progress);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let seconds = started.elapsed().as_secs_f64();
    match result {
        Ok(mut report) => {
            let meters = assertions::take_meters(&mut report);
            let checked = assertions::check(mix, &report, &meters);
            rep.diags(&report.warnings, world);
            let failed = assertions::diagnostics(&checked);
            rep.diags(&failed, world);
            if let Some(path) = &flags.report {
                let written = crate::render::report::build(&report, mix.loudness.map(|l| l.lufs))
                    .map_err(|e| e.to_string())
                    .and_then(|r| match crate::report_html::wanted(path) {
                        true => html(mix, file, &report, &r, &rep.compile_warnings, world)
                            .and_then(|page| crate::report_html::write(path, &page)),
                        false => crate::render::report::write(path, &r),
                    });
                if let Err(e) = written {
                    let m = format!("cannot write the report {}: {e}", path.display());
                    rep.diags(&[crate::diag::Diagnostic::global("report", m)], world);
                    return Outcome {
                        code: 2,
                        report: Some(report),
                        seconds,
                        checked,
                    };
                }
            }
            if !flags.quiet && rep.format != Format::Json {
                let secs = report.frames as f64 / f64::from(mix.session.rate);
                eprintln!(
                    "rendered {} ({}) in {seconds:.2}s",
                    file.display(),
                    clock(secs)
                );
                if let (Some(s), Some(t)) = (&report.solved, mix.loudness) {
                    let limiter = s.max_gain_reduction_db.map_or("none".into(), |g| {
                        format!("{:.2} dB max reduction", g.abs())
                    });
                    eprintln!(
                        "  loudness {} LUFS: drive {:+.2} dB, limiter {limiter}, {:.2} LUFS ({} runs of the master chain)",
                        t.lufs, s.drive_db, s.integrated_lufs, s.trials
                    );
                }
                if let (Some(c), None) = (&report.cache, &flags.shared_cache) {
                    eprintln!("  cache: {}", c.summary());
                }
                for f in &report.files {
                    let m = f.measured.as_ref();
                    let lufs = m
                        .and_then(|m| m.integrated_lufs)
                        .map_or("-inf".into(), |l| format!("{l:.2}"));
                    let tp = m.map_or(f.peak_dbfs, |m| m.true_peak_dbtp);
                    // A file the cache showed already right was left as it was.
                    let kept = (report.cache.as_ref()).is_some_and(|c| c.kept.contains(&f.path));
                    eprintln!(
                        "  {} {}  {} Hz  {}  {lufs} LUFS  {tp:.2} dBTP",
                        if kept { "kept " } else { "wrote" },
                        f.path.display(),
                        f.rate,
                        clock(f.seconds)
                    );
                }
            }
            if !failed.is_empty() {
                rep.say(format!(
                    "{} of {} assertions failed (the files were written)",
                    failed.len(),
                    checked.len()
                ));
            }
            Outcome {
                code: if failed.is_empty() { 0 } else { 1 },
                report: Some(report),
                seconds,
                checked,
            }
        }
        Err(diags) => {
            let stopped = diags.len() == 1 && diags[0].code == "interrupted";
            if !(stopped && flags.quiet_stop) {
                rep.diags(&diags, world);
                if !diags.iter().any(|d| d.code == "partly-written") {
                    rep.say("no file was written");
                }
            }
            Outcome {
                code: super::exit_for(&diags),
                report: None,
                seconds,
                checked: vec![],
            }
        }
    }
}

/// The HTML page of a render, with the compile's and the render's warnings.
fn html(
    mix: &crate::ir::Mix,
    file: &std::path::Path,
    report: &RenderReport,
    built: &crate::render::report::Report,
    compile_warnings: &[crate::diag::Diagnostic],
    world: &dyn World,
) -> Result<String, String> {
    let style = crate::diag::report::Style {
        color: false,
        width: 100,
    };
    let warnings: Vec<String> = (compile_warnings.iter().chain(&report.warnings))
        .map(|d| crate::diag::report::render(std::slice::from_ref(d), world, style))
        .collect();
    crate::report_html::render_page(mix, file, report, built, &warnings)
}

pub use crate::clock::clock;
