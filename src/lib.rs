//! mixdown: a declarative mix-as-code compiler.
//!
//! A `.mix` file describes a whole song; mixdown turns it into rendered masters and
//! stems through a chain of stages, each a function from one typed value to the next:
//!
//! ```text
//! source ─syntax::parse→ ast::File ─compile::compile→ ir::Mix ─graph::build→ SignalGraph
//!        ─graph::schedule→ Schedule ─render::render→ master + stems ─export→ files + report
//! ```
//!
//! - Up to [`ir::Mix`], problems are [`diag::Diagnostic`]s with spans, many at once.
//!   After it, runtime errors (a stem that fails to decode) still carry the span of the
//!   IR item that caused them.
//! - All file access goes through a [`world::World`], which records every file read:
//!   the set `watch` watches and `--lock` hashes.
//! - Processors are described once, in [`dsp::registry`], which drives validation,
//!   construction and the reference docs.
//! - Rendering is chunked (memory does not grow with song length) and parallel over
//!   independent strips, with sums in a fixed order so any thread count and chunk size
//!   write the same bytes.

pub mod album;
pub mod analysis;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod compile;
pub mod diag;
pub mod diff;
pub mod dsp;
pub mod fmt;
pub mod graph;
pub mod io;
pub mod ir;
pub mod render;
pub mod report_html;
pub mod repro;
pub mod span;
pub mod stdlib;
pub mod syntax;
pub mod world;
