//! `mixdown graph FILE --format dot|yaml|json`: the compiled mix and its schedule.

use crate::world::DiskWorld;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Dot,
    Yaml,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// The .mix file.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    format: Format,
}

#[derive(serde::Serialize)]
struct GraphDoc<'a> {
    mix: &'a crate::ir::Mix,
    /// Strip names per topological level, in render order.
    schedule: Vec<Vec<&'a str>>,
}

pub fn run(a: Args) -> ExitCode {
    let world = DiskWorld::new();
    let mix = match super::compile(&world, &a.file) {
        Ok(m) => m,
        Err(code) => return code,
    };
    let g = crate::graph::build(&mix);
    let sched = crate::graph::schedule::schedule(&g);
    let name = |i: usize| mix.strips.get(i).map_or("master", |s| s.name.as_str());
    let doc = GraphDoc {
        mix: &mix,
        schedule: sched
            .levels
            .iter()
            .map(|l| l.iter().map(|&i| name(i)).collect())
            .collect(),
    };
    let text = match a.format {
        Format::Dot => crate::graph::dot::to_dot(&mix, &g),
        Format::Json => serde_json::to_string_pretty(&doc)
            .map(|s| s + "\n")
            .unwrap_or_default(),
        Format::Yaml => serde_saphyr::to_string(&doc).unwrap_or_default(),
    };
    print!("{text}");
    ExitCode::SUCCESS
}
