//! `mixdown docs`: the processor reference (Markdown), generated from the registry.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn run(_: Args) -> ExitCode {
    print!("{}", crate::dsp::docs::markdown());
    ExitCode::SUCCESS
}
