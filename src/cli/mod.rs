//! The command line: `render`, `check`, `verify`, `graph`, `watch`, `analyze`, `fmt`, `init`, `diff`. Exit codes: 0 ok,
//! 1 the mix has errors (including audio that fails to decode, a failed assertion, a
//! lock mismatch), 2 usage or environment errors.

mod album;
mod analyze;
mod check;
mod diff;
mod docs;
mod fmt;
mod graph;
mod init;
mod lockfile;
pub mod output;
mod region;
mod render;
mod verify;
mod watch;
mod watch_dirs;

use crate::diag::Diagnostic;
use crate::diag::report::{self, Style};
use crate::world::World;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "mixdown",
    version,
    about = "A declarative mix-as-code compiler: one .mix file in, masters and stems out."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render every export of a mix.
    Render(render::Args),
    /// Check a mix without rendering: syntax, names, units, routing, and that every audio file opens.
    Check(check::Args),
    /// Render into a temporary folder and compare every output with FILE.mix.lock.
    Verify(verify::Args),
    /// Print the compiled mix and its signal graph.
    Graph(graph::Args),
    /// Print the processor reference (every parameter's unit, range and default) as Markdown.
    Docs(docs::Args),
    /// Render, then re-render whenever the mix or any file it reads is saved.
    Watch(watch::Args),
    /// Rewrite .mix files in the canonical layout (`--check`: only list the ones that differ).
    Fmt(fmt::Args),
    /// Write a starting .mix for a folder of stems.
    Init(init::Args),
    /// Say what changed between two mixes, in mix words.
    Diff(diff::Args),
    /// Measure audio files: integrated loudness, loudness range, true and sample peak.
    Analyze(analyze::Args),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Render(a) => render::run(a),
        Command::Check(a) => check::run(a),
        Command::Verify(a) => verify::run(a),
        Command::Graph(a) => graph::run(a),
        Command::Docs(a) => docs::run(a),
        Command::Watch(a) => watch::run(a),
        Command::Fmt(a) => fmt::run(a),
        Command::Init(a) => init::run(a),
        Command::Diff(a) => diff::run(a),
        Command::Analyze(a) => analyze::run(a),
    }
}

/// Terminal style for stderr.
pub(crate) fn style() -> Style {
    let tty = std::io::stderr().is_terminal();
    let color = tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    Style { color, width: 100 }
}

/// Prints diagnostics to stderr with a summary line.
pub(crate) fn print_diags(diags: &[Diagnostic], world: &dyn World) {
    if diags.is_empty() {
        return;
    }
    eprint!("{}", report::render(diags, world, style()));
    if let Some(s) = report::summary(diags) {
        eprintln!("{s}");
    }
}

/// Loads and compiles, printing diagnostics. `Err` carries the exit code.
pub(crate) fn compile(
    world: &dyn World,
    file: &std::path::Path,
) -> Result<crate::ir::Mix, ExitCode> {
    compile_warned(world, file).map(|(mix, _)| mix)
}

/// [`compile`], also returning the warnings (for the HTML report).
pub(crate) fn compile_warned(
    world: &dyn World,
    file: &std::path::Path,
) -> Result<(crate::ir::Mix, Vec<Diagnostic>), ExitCode> {
    let (_, compiled) = match crate::compile::compile_path(world, file) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return Err(ExitCode::from(2));
        }
    };
    print_diags(&compiled.diags, world);
    let mix = compiled.mix.ok_or(ExitCode::from(1))?;
    Ok((mix, compiled.diags))
}

/// Flags Ctrl-C sets besides [`interrupt_flag`]'s (a render's own stop flag).
static ALSO: std::sync::Mutex<Vec<std::sync::Arc<std::sync::atomic::AtomicBool>>> =
    std::sync::Mutex::new(Vec::new());

/// Makes Ctrl-C set `flag` too.
pub(crate) fn interrupt_also(flag: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    interrupt_flag();
    ALSO.lock().unwrap_or_else(|e| e.into_inner()).push(flag);
}

/// A flag set by Ctrl-C. The renderer checks it between chunks and stops; dropping
/// the unfinished outputs removes their temporary files, so nothing partial is left.
pub(crate) fn interrupt_flag() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    static FLAG: std::sync::OnceLock<std::sync::Arc<std::sync::atomic::AtomicBool>> =
        std::sync::OnceLock::new();
    FLAG.get_or_init(|| {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f = flag.clone();
        let handler = move || {
            for also in ALSO.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                also.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            if f.swap(true, std::sync::atomic::Ordering::SeqCst) {
                // A second Ctrl-C while the first is still being honoured: leave now.
                std::process::exit(130);
            }
        };
        if ctrlc::set_handler(handler).is_err() {
            eprintln!(
                "warning: cannot catch Ctrl-C; an interrupted render may leave temporary files"
            );
        }
        flag
    })
    .clone()
}

/// Exit code for diagnostics found while rendering: environment problems (outputs,
/// threads) are 2, problems with the mix or its audio 1.
pub(crate) fn exit_for(diags: &[Diagnostic]) -> u8 {
    if diags.iter().any(|d| {
        matches!(
            d.code,
            "output" | "partly-written" | "threads" | "interrupted"
        )
    }) {
        2
    } else {
        1
    }
}
