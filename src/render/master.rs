//! `loudness TARGET`: the master chain solved, not guessed.
//!
//! With a target, the graph's master node only sums: the master strip itself (trim,
//! inserts, fader) becomes the *master chain*, run here after the graph. The render
//! keeps the sum arriving at the master for the whole song (the one buffer that grows
//! with song length), then finds the drive, a gain at the head of the chain, whose
//! output has the target integrated loudness (ITU-R BS.1770 via `ebur128`). Only the
//! chain runs again for each trial, never the graph. The search ([`super::solve`])
//! starts from the loudness of the chain's input; without dynamics in the chain its
//! first drive is exact (integrated loudness scales with gain, REFERENCES.md §1.3).
//!
//! Once solved, the chain runs a last time into the master exports; each file is
//! measured as written (after SRC, dither and quantisation), trimmed and written
//! again if it passes the limiter's ceiling, and checked against the target
//! ([`deliver`]). A target the chain cannot reach within [`solve::MAX_DRIVE_DB`] is
//! an error that says what the chain can reach; more than [`HEAVY_GR_DB`] of
//! limiting is a warning.
//!
//! With `--jobs` above 1 the same work is spread over threads, with the same bytes
//! (the search tries the same drives in the same order and every run of the chain
//! cuts the input into the same blocks): the two drives of the search's first round
//! run at once on two instances of the chain; a run of the chain is a pipeline (the
//! chain on one thread, its meter or the files on another); and a drive that may be
//! the answer (the first of a round) is also written into the master exports while
//! it is measured, so when it is the answer the delivery is already done. During the
//! first round that is three threads (twin, chain, files) sharing the cores.

mod chain;
mod deliver;
mod feed;
#[cfg(test)]
mod tests;
mod trials;

use super::delay::DelayLine;
use super::output::{Output, Tap};
use super::setup::Plan;
use super::solve::{self, Solved};
use super::strip::{Input, InputKind, StripRt};
use crate::diag::Diagnostic;
use crate::dsp::ParamId;
use crate::ir::{LoudnessTarget, Mix, Tail};
use chain::{Chain, Pass};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Limiting beyond this is met with a warning.
pub const HEAVY_GR_DB: f64 = 6.0;
/// The contract: within 0.1 LU of the target (issue 6; LANGUAGE.md "met within 0.1 LU").
pub const DELIVERY_TOL_LU: f64 = 0.1;

pub struct MasterStage {
    chain: Chain,
    /// A second instance of the chain, for two drives at once (only with `jobs` > 1).
    twin: Option<Chain>,
    /// The sum arriving at the master, from render time zero (in `feed` while the
    /// graph renders).
    input: [Vec<f32>; 2],
    feed: Option<feed::Feed>,
    shape: Shape,
    target: LoudnessTarget,
    /// The last limiter's ceiling in the chain (dBTP).
    pub ceiling: Option<f64>,
    /// Each limiter of the chain: its insert index, parameter id and ceiling (dBTP).
    limiters: Vec<(usize, ParamId, f64)>,
    /// How far under their written ceilings the limiters run (dB): set when the file
    /// as written measured over the ceiling, so the solve accounts for the margin.
    margin_db: f64,
    jobs: usize,
    /// Whether the linear head of the chain has been applied to `input`.
    baked: bool,
    /// The loudness of the input as the chain after its head sees it.
    input_lufs: Option<f64>,
    /// Where the next search starts: the drive a unity chain would need, then the
    /// last drive found.
    guess: f64,
    /// The master exports hold the complete output at this (drive, margin), written
    /// while the search tried it.
    written: Option<(u64, u64)>,
    /// The master exports hold something since they were last (re)started.
    dirty: bool,
    /// Set to stop the render (Ctrl-C, a newer save in `watch`): every run of the
    /// chain then ends at its next block, and the render writes nothing.
    pub stop: Option<Arc<AtomicBool>>,
}

/// How the kept input is cut and timed.
#[derive(Clone, Copy)]
struct Shape {
    /// Frames of `input` before the first output frame (the latency at the master's
    /// input, and a region's pre-roll).
    lead: usize,
    /// Render time of `input`'s first frame (0, or where a region's pre-roll starts).
    origin: usize,
    /// The chain's latency.
    latency: usize,
    chunk: usize,
    rate: u32,
}

/// What a run of the chain reads (a function of the fields it borrows, so the
/// chains can be borrowed beside it).
fn pass<'a>(
    input: &'a [Vec<f32>; 2],
    limiters: &'a [(usize, ParamId, f64)],
    shape: Shape,
    margin_db: f64,
    stop: Option<&'a AtomicBool>,
) -> Pass<'a> {
    let lead = shape.lead.min(input[0].len());
    Pass {
        input: [&input[0][lead..], &input[1][lead..]],
        pos: (shape.origin + lead) as u64,
        latency: shape.latency,
        chunk: shape.chunk,
        rate: shape.rate,
        limiters,
        margin_db,
        stop,
    }
}

/// Splits the master node of `plan` into a plain sum (left in the graph) and the
/// master chain (returned). With `jobs` > 1 a second instance of the chain is built.
pub fn split(
    mix: &Mix,
    plan: &mut Plan,
    chunk: usize,
    jobs: usize,
) -> Result<MasterStage, Diagnostic> {
    let target = mix.loudness.expect("split only with a loudness target");
    let st = &mut plan.states[plan.master];
    if st
        .inputs
        .iter()
        .any(|i| matches!(i.kind, InputKind::Key { .. }))
    {
        return Err(Diagnostic::error(
            "loudness",
            target.span,
            "a master insert keyed by a sidechain cannot be used with `loudness`: \
             the master chain is solved apart from the graph",
        ));
    }
    let sum = StripRt::sum(st.strip, std::mem::take(&mut st.inputs), chunk);
    let chain = fed(std::mem::replace(st, sum));
    let chain_latency: usize = chain.inserts.iter().map(|p| p.latency()).sum();
    let lead = plan.latency - chain_latency;
    let twin = (jobs > 1)
        .then(|| twin(mix, chunk, lead))
        .transpose()?
        .map(|rt| Chain::new(fed(rt), chunk));
    // The whole song is known in advance but for an automatic tail: reserve it, so
    // the buffer never moves while it grows.
    let tail = match mix.session.tail {
        Tail::Fixed(t) => t as usize,
        Tail::Auto => 0,
    };
    let frames = plan.latency + plan.song_len as usize + tail;
    Ok(MasterStage {
        chain: Chain::new(chain, chunk),
        twin,
        input: [Vec::with_capacity(frames), Vec::with_capacity(frames)],
        feed: None,
        shape: Shape {
            lead,
            origin: 0,
            latency: chain_latency,
            chunk,
            rate: mix.session.rate,
        },
        target,
        ceiling: ceiling(mix),
        limiters: limiters(mix),
        margin_db: 0.0,
        jobs,
        baked: false,
        input_lufs: None,
        guess: 0.0,
        written: None,
        dirty: false,
        stop: None,
    })
}

/// The master strip as a chain fed by one plain input (the sum, scaled by the drive).
fn fed(mut chain: StripRt) -> StripRt {
    chain.inputs = vec![Input {
        from: 0,
        kind: InputKind::Route,
        delay: DelayLine::new(2, 0),
        level: None,
        scratch: [Vec::new(), Vec::new()],
    }];
    chain
}

/// A second master strip, built by the render's own setup from a mix that holds
/// only the master, so it is the same as the first in every respect: its lanes
/// too, once told the `lead` (latency) its input arrives with in the whole mix.
fn twin(mix: &Mix, chunk: usize, lead: usize) -> Result<StripRt, Diagnostic> {
    let only = Mix {
        session: mix.session.clone(),
        strips: Vec::new(),
        master: mix.master.clone(),
        loudness: mix.loudness,
        exports: Vec::new(),
        lanes: (mix.lanes.iter())
            .filter(|l| l.strip == mix.master.name)
            .cloned()
            .collect(),
        asserts: Vec::new(),
    };
    let world = crate::world::MemoryWorld::new();
    let mut plan = super::setup::prepare(&only, &world, chunk).map_err(|mut e| e.remove(0))?;
    let mut rt = plan.states.pop().expect("the master");
    rt.inputs.clear();
    rt.auto.align(lead, &[], 0);
    Ok(rt)
}

/// The ceiling of the master's last limiter (dBTP), which every master export holds.
pub fn ceiling(mix: &Mix) -> Option<f64> {
    mix.master
        .inserts
        .iter()
        .rev()
        .find(|i| i.kind == "limiter")
        .and_then(|i| i.params.get("ceiling")?.number())
}

/// The limiters among the master's inserts, with their `ceiling` parameter.
fn limiters(mix: &Mix) -> Vec<(usize, ParamId, f64)> {
    let index = crate::dsp::registry::lookup("limiter")
        .and_then(|s| s.params.iter().position(|p| p.name == "ceiling"));
    let Some(index) = index else {
        return Vec::new();
    };
    let id = ParamId {
        band: None,
        index: index as u16,
    };
    mix.master
        .inserts
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind == "limiter")
        .filter_map(|(k, i)| Some((k, id, i.params.get("ceiling")?.number()?)))
        .collect()
}

/// The positions of the master exports among `outputs`.
fn masters(outputs: &[Output]) -> Vec<usize> {
    (0..outputs.len())
        .filter(|&i| matches!(outputs[i].tap, Tap::Master))
        .collect()
}

impl MasterStage {
    /// For a region render: the input starts at render time `origin` and the output
    /// at output time `from`.
    pub fn region(&mut self, origin: u64, from: u64) {
        self.shape.lead += (from - origin) as usize;
        self.shape.origin = origin as usize;
    }

    /// Takes the buffers the input is kept in from `take` (a cache's spares) instead
    /// of fresh memory; before the feed starts.
    pub fn keep_input_in(&mut self, mut take: impl FnMut(usize) -> Vec<f32>) {
        let room = self.input[0].capacity();
        self.input = [take(room), take(room)];
    }

    /// The buffers the input was kept in, for a later render.
    pub fn into_input(mut self) -> [Vec<f32>; 2] {
        self.settle(None);
        std::mem::take(&mut self.input)
    }

    /// Readies the chain for [`Self::deliver`] with a drive solved before (cached).
    pub fn skip_solve(&mut self) {
        self.settle(None);
    }

    /// Keeps `written` output frames of input (plus what the chain's latency needs).
    pub fn trim_input(&mut self, written: u64) {
        let keep = self.shape.lead + written as usize + self.shape.latency;
        self.settle(Some(keep));
    }

    /// Runs the chain once more as delivered (after [`Self::deliver`]), for the
    /// visual report's meters: each block of output and its gain reduction.
    pub fn replay(&mut self, drive_db: f64, mut sink: impl FnMut([&[f32]; 2], Option<f32>)) {
        let pass = pass(
            &self.input,
            &self.limiters,
            self.shape,
            self.margin_db,
            self.stop.as_deref(),
        );
        let _ = self.chain.run(&pass, drive_db, |b, gr| {
            sink(b, gr);
            Ok::<(), ()>(())
        });
    }

    fn gain_reduction(&self) -> Option<f64> {
        (self.chain.rt.inserts.iter())
            .filter_map(|p| p.report())
            .reduce(f64::max)
    }

    /// Finds the drive (see [`super::solve`]). With `jobs` > 1 the output of a drive
    /// tried alone also goes into the master exports among `outputs`, so that
    /// [`Self::deliver`] need not run the chain again when it is the one found.
    pub fn solve(&mut self, outputs: &mut [Output]) -> Result<Solved, Diagnostic> {
        if self.feed.is_some() || !self.baked {
            self.settle(None);
        }
        if let Some(l) = self.input_lufs.take() {
            self.guess = self.target.lufs - solve::reading(l);
        }
        let masters = masters(outputs);
        let ahead = (self.jobs > 1 && !masters.is_empty()).then(|| trials::Ahead {
            outputs,
            masters: &masters,
            written: &mut self.written,
            dirty: &mut self.dirty,
            margin: self.margin_db.to_bits(),
        });
        let mut trials = trials::Trials {
            chain: &mut self.chain,
            twin: self.twin.as_mut(),
            pass: pass(
                &self.input,
                &self.limiters,
                self.shape,
                self.margin_db,
                self.stop.as_deref(),
            ),
            ahead,
            jobs: self.jobs,
        };
        let found = solve::solve(self.target, self.ceiling, self.guess, |ds| trials.run(ds))?;
        self.guess = found.drive_db;
        Ok(found)
    }
}
