//! `loudness TARGET`: the master chain solved, not guessed.
//!
//! With a target, the graph's master node only sums: the master strip itself (trim,
//! inserts, fader) becomes the *master chain*, run here after the graph. The render
//! keeps the sum arriving at the master for the whole song (the one buffer that grows
//! with song length), then finds the drive, a gain at the head of the chain, whose
//! output has the target integrated loudness (ITU-R BS.1770 via `ebur128`). Only the
//! chain runs again for each trial, never the graph. The search is a secant step
//! inside a bracket, falling back to bisection; without a limiter in the way the
//! first step is exact (integrated loudness scales with gain, REFERENCES.md §1.3).
//!
//! Once solved, the chain runs a last time into the master exports; each file is
//! measured as written (after SRC, dither and quantisation), trimmed and written
//! again if it passes the limiter's ceiling, and checked against the target. A
//! target the chain cannot reach within [`solve::MAX_DRIVE_DB`] is an error that says what
//! the chain can reach; more than [`HEAVY_GR_DB`] of limiting is a warning.

use super::delay::DelayLine;
use super::output::{Output, Tap};
use super::setup::Plan;
use super::solve::{self, SOLVE_TOL_LU, Solved};
use super::strip::{Input, InputKind, StripOut, StripRt};
use crate::diag::Diagnostic;
use crate::dsp::ParamId;
use crate::ir::{LoudnessTarget, Mix};
use ebur128::{EbuR128, Mode};

/// Limiting beyond this is met with a warning.
pub const HEAVY_GR_DB: f64 = 6.0;
/// The contract: within 0.1 LU of the target (issue 6; LANGUAGE.md "met within 0.1 LU").
pub const DELIVERY_TOL_LU: f64 = 0.1;
/// Solves with the limiters lowered by what the files as written overshot.
const RESOLVE_ROUNDS: usize = 3;

pub struct MasterStage {
    chain: StripRt,
    feed: StripOut,
    out: StripOut,
    /// The sum arriving at the master, from render time zero.
    pub input: [Vec<f32>; 2],
    /// Frames of `input` before the first output frame (the latency at the master's
    /// input, and a region's pre-roll).
    lead: usize,
    /// Render time of `input`'s first frame (0, or where a region's pre-roll starts).
    origin: usize,
    chain_latency: usize,
    target: LoudnessTarget,
    /// The last limiter's ceiling in the chain (dBTP).
    pub ceiling: Option<f64>,
    /// Each limiter of the chain: its insert index, parameter id and ceiling (dBTP).
    limiters: Vec<(usize, ParamId, f64)>,
    /// How far under their written ceilings the limiters run (dB): set when the file
    /// as written measured over the ceiling, so the solve accounts for the margin.
    margin_db: f64,
    chunk: usize,
    rate: u32,
    /// Whether the linear head of the chain has been applied to `input`.
    baked: bool,
}

fn buffers(n: usize) -> [Vec<f32>; 2] {
    [vec![0.0; n], vec![0.0; n]]
}

/// Splits the master node of `plan` into a plain sum (left in the graph) and the
/// master chain (returned).
pub fn split(mix: &Mix, plan: &mut Plan, chunk: usize) -> Result<MasterStage, Diagnostic> {
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
    let sum = StripRt {
        strip: st.strip,
        channels: 2,
        source: None,
        inserts: Vec::new(),
        inputs: std::mem::take(&mut st.inputs),
        trim: 1.0,
        gain: 1.0,
        pan: (1.0, 1.0),
        width: 1.0,
        muted: false,
        solo_muted: false,
        polarity: 1.0,
        static_gain_db: 0.0,
        static_pan: 0.0,
        auto: super::strip::Automation::default(),
        work: buffers(chunk),
    };
    let mut chain = std::mem::replace(st, sum);
    chain.inputs = vec![Input {
        from: 0,
        kind: InputKind::Route,
        delay: DelayLine::new(2, 0),
        level: None,
        scratch: [Vec::new(), Vec::new()],
    }];
    let chain_latency: usize = chain.inserts.iter().map(|p| p.latency()).sum();
    let ceiling = ceiling(mix);
    let limiters = limiters(mix);
    Ok(MasterStage {
        chain,
        feed: StripOut {
            post: buffers(chunk),
            pre: None,
        },
        out: StripOut {
            post: buffers(chunk),
            pre: None,
        },
        input: [Vec::new(), Vec::new()],
        lead: plan.latency - chain_latency,
        origin: 0,
        chain_latency,
        target,
        ceiling,
        limiters,
        margin_db: 0.0,
        chunk,
        rate: mix.session.rate,
        baked: false,
    })
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

fn db(x: f64) -> f64 {
    libm::pow(10.0, x / 20.0)
}

impl MasterStage {
    /// For a region render: the input starts at render time `origin` and the output
    /// at output time `from`.
    pub fn region(&mut self, origin: u64, from: u64) {
        self.lead += (from - origin) as usize;
        self.origin = origin as usize;
    }

    /// Keeps `written` output frames of input (plus what the chain's latency needs).
    pub fn trim_input(&mut self, written: u64) {
        let keep = self.lead + written as usize + self.chain_latency;
        for c in &mut self.input {
            c.truncate(keep);
            c.drain(..self.lead.min(c.len()));
        }
    }

    /// Runs the chain over the whole input at `drive_db`, handing each block of output
    /// (latency removed) to `sink`, with the deepest gain reduction of the chain's
    /// limiters over the block (dB, for the visual report).
    fn run<E>(
        &mut self,
        drive_db: f64,
        mut sink: impl FnMut([&[f32]; 2], Option<f32>) -> Result<(), E>,
    ) -> Result<(), E> {
        for p in &mut self.chain.inserts {
            p.reset();
        }
        for &(k, id, c) in &self.limiters {
            self.chain.inserts[k].set_param(id, c - self.margin_db);
        }
        let g = db(drive_db);
        let total = self.input[0].len();
        let mut at = 0;
        while at < total {
            let n = self.chunk.min(total - at);
            for (f, x) in self.feed.post.iter_mut().zip(&self.input) {
                for (a, b) in f[..n].iter_mut().zip(&x[at..at + n]) {
                    *a = (f64::from(*b) * g) as f32;
                }
            }
            // Render time, as the master node would have seen it in the graph.
            let pos = (self.origin + self.lead + at) as u64;
            self.chain
                .run(pos, n, &mut self.out, std::slice::from_ref(&self.feed))
                .expect("a strip without a source cannot fail");
            let skip = self.chain_latency.saturating_sub(at).min(n);
            let gr = (self.chain.inserts.iter_mut())
                .filter_map(|p| p.take_gain_reduction_db())
                .reduce(f32::max);
            if skip < n {
                sink([&self.out.post[0][skip..n], &self.out.post[1][skip..n]], gr)?;
            }
            at += n;
        }
        Ok(())
    }

    /// Integrated loudness of the chain's output at `drive_db`.
    fn loudness(&mut self, drive_db: f64) -> Option<f64> {
        let mut ebu = EbuR128::new(2, self.rate, Mode::I).expect("stereo at the session rate");
        let _ = self.run(drive_db, |b, _| ebu.add_frames_planar_f32(&b));
        ebu.loudness_global().ok().filter(|x| x.is_finite())
    }

    /// Runs the chain once more as delivered (after [`Self::deliver`]), for the
    /// visual report's meters: each block of output and its gain reduction.
    pub fn replay(&mut self, drive_db: f64, mut sink: impl FnMut([&[f32]; 2], Option<f32>)) {
        let _ = self.run(drive_db, |b, gr| {
            sink(b, gr);
            Ok::<(), ()>(())
        });
    }

    fn gain_reduction(&self) -> Option<f64> {
        self.chain
            .inserts
            .iter()
            .filter_map(|p| p.report())
            .reduce(f64::max)
    }

    /// Runs the chain's linear head (trim and the leading linear inserts, such as an
    /// EQ, when no lane moves them) over the kept input once, and drops it from the
    /// chain. The drive is a gain, and a linear stage commutes with a gain, so every
    /// trial of the search (and the final run) then starts after the head: the same
    /// result as running it each time, up to rounding, at a fraction of the cost.
    fn bake_linear_head(&mut self) {
        if self.chain.auto.trim.is_some() {
            return;
        }
        let automated = |k: usize| self.chain.auto.inserts.iter().any(|(i, _, _)| *i == k);
        let head = self
            .chain
            .inserts
            .iter()
            .enumerate()
            .take_while(|(k, p)| p.is_linear() && !automated(*k))
            .count();
        if head == 0 && self.chain.trim == 1.0 {
            return;
        }
        let trim = self.chain.trim;
        let total = self.input[0].len();
        let mut at = 0;
        while at < total {
            let n = self.chunk.min(total - at);
            let [l, r] = &mut self.input;
            let mut io: [&mut [f32]; 2] = [&mut l[at..at + n], &mut r[at..at + n]];
            if trim != 1.0 {
                io.iter_mut()
                    .for_each(|c| c.iter_mut().for_each(|x| *x *= trim));
            }
            for p in &mut self.chain.inserts[..head] {
                p.process(&mut io, None);
            }
            at += n;
        }
        self.chain.trim = 1.0;
        self.chain.inserts.drain(..head);
        for (k, _, _) in &mut self.chain.auto.inserts {
            *k -= head;
        }
        for (k, _, _) in &mut self.limiters {
            *k -= head;
        }
    }

    /// Readies the chain for [`Self::deliver`] with a drive solved before (cached).
    pub fn skip_solve(&mut self) {
        if !self.baked {
            self.bake_linear_head();
            self.baked = true;
        }
    }

    /// Finds the drive (see [`super::solve`]), pinned to the grid of
    /// [`super::solve_grid`].
    pub fn solve(&mut self) -> Result<Solved, Diagnostic> {
        self.solve_from(None)
    }

    /// Finds the drive, starting from `hint` (the previous render's) when given: the
    /// result is the same, the search shorter.
    pub fn solve_from(&mut self, hint: Option<f64>) -> Result<Solved, Diagnostic> {
        self.skip_solve();
        let (target, ceiling) = (self.target, self.ceiling);
        let limits = (solve::MIN_DRIVE_DB, solve::MAX_DRIVE_DB);
        let pinned = |p: super::solve_grid::Pinned, before: usize| Solved {
            drive_db: p.drive_db,
            integrated_lufs: p.lufs,
            trials: before + p.trials,
            max_gain_reduction_db: None,
        };
        // Without a hint, one run at 0 dB and a step as if the chain were linear
        // (exact below the limiter, REFERENCES.md §1.3) land next to the cell.
        let (start, spent) = match hint {
            Some(h) => (Some(h), 0),
            None => (self.loudness(0.0).map(|l| target.lufs - l), 1),
        };
        if let Some(h) = start
            && let Some(p) = super::solve_grid::pin(h, target.lufs, limits, |a, b| {
                (self.loudness(a), self.loudness(b))
            })
        {
            return Ok(pinned(p, spent));
        }
        let s = solve::solve(target, ceiling, |d| self.loudness(d))?;
        let grid = super::solve_grid::pin(s.drive_db, target.lufs, limits, |a, b| {
            (self.loudness(a), self.loudness(b))
        });
        Ok(grid.map_or(s, |p| pinned(p, s.trials)))
    }

    /// Writes the master exports with the solved drive, holding each to its ceiling
    /// and checking it against the target. Returns warnings.
    ///
    /// When a file as written needs a trim to hold the ceiling (the limiter's 4x
    /// detector and the BS.1770 meter interpolate differently; SRC can overshoot),
    /// the trim would cost loudness. So the limiters are run that much lower and the
    /// drive solved again, once or twice, until no file needs a trim that matters.
    pub fn deliver(
        &mut self,
        solved: &mut Solved,
        outputs: &mut [Output],
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let masters: Vec<usize> = (0..outputs.len())
            .filter(|&i| matches!(outputs[i].tap, Tap::Master))
            .collect();
        for round in 0..RESOLVE_ROUNDS {
            self.deliver_once(solved, outputs, &masters)
                .map_err(|d| vec![d])?;
            let mut again = false;
            // A trim means the limiters let through more than the meter allows: run
            // them that much lower and solve again.
            let worst_trim = masters
                .iter()
                .map(|&i| -20.0 * libm::log10(outputs[i].gain))
                .fold(0.0, f64::max);
            let resolve = worst_trim > SOLVE_TOL_LU;
            // A converted file misses by what the conversion took: make it up into
            // its ceiling guard.
            for &i in &masters {
                let o = &mut outputs[i];
                if let (false, Some(l)) = (
                    o.streams(),
                    o.measured.as_ref().and_then(|m| m.integrated_lufs),
                ) {
                    let miss = self.target.lufs - l;
                    if miss.abs() > SOLVE_TOL_LU {
                        o.makeup *= db(miss);
                        again = true;
                    }
                }
            }
            if round + 1 == RESOLVE_ROUNDS || !(resolve || again) {
                break;
            }
            if resolve {
                self.margin_db += worst_trim;
                let trials = solved.trials;
                // From the drive just found: the grid makes the answer the same.
                *solved = self
                    .solve_from(Some(solved.drive_db))
                    .map_err(|d| vec![d])?;
                solved.trials += trials;
            }
            for &i in &masters {
                outputs[i].gain = 1.0;
                outputs[i].restart().map_err(|d| vec![d])?;
            }
        }
        self.verdict(solved, outputs, &masters)
    }

    fn deliver_once(
        &mut self,
        solved: &mut Solved,
        outputs: &mut [Output],
        masters: &[usize],
    ) -> Result<(), Diagnostic> {
        for &i in masters {
            outputs[i].ceiling = self.ceiling;
        }
        let mut pending = masters.to_vec();
        for attempt in 0..4 {
            self.run(solved.drive_db, |b, _| {
                pending.iter().try_for_each(|&i| outputs[i].push(b, false))
            })?;
            if attempt == 0 {
                solved.max_gain_reduction_db = self.gain_reduction();
            }
            for &i in &pending {
                outputs[i].close()?;
            }
            // A streamed file over its ceiling is trimmed and written again.
            pending.retain(|&i| outputs[i].streams() && outputs[i].over().is_some());
            if pending.is_empty() {
                break;
            }
            for &i in &pending {
                let over = outputs[i].over().expect("over");
                outputs[i].trim(over);
                outputs[i].restart()?;
            }
        }
        Ok(())
    }

    /// Warnings for heavy limiting; errors for any file off target or over its ceiling.
    fn verdict(
        &self,
        solved: &Solved,
        outputs: &[Output],
        masters: &[usize],
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let span = self.target.span;
        if let Some(gr) = solved.max_gain_reduction_db.filter(|&g| g > HEAVY_GR_DB) {
            warnings.push(Diagnostic::warning(
                "loudness",
                span,
                format!(
                    "{} LUFS is met with {gr:.1} dB of limiting (more than {HEAVY_GR_DB} dB): \
                     expect audible distortion and pumping",
                    self.target.lufs
                ),
            ));
        }
        for &i in masters {
            let o = &outputs[i];
            let m = o.measured.as_ref().expect("closed");
            let name = o.path.display();
            match m.integrated_lufs {
                Some(l) if (l - self.target.lufs).abs() <= DELIVERY_TOL_LU => {}
                got => errors.push(Diagnostic::error(
                    "loudness",
                    span,
                    format!(
                        "{name} measures {} as written, not within {DELIVERY_TOL_LU} LU of {} LUFS",
                        got.map_or("silence".into(), |l| format!("{l:.2} LUFS")),
                        self.target.lufs
                    ),
                )),
            }
            if let (Some(over), Some(c)) = (o.over(), o.ceiling) {
                errors.push(Diagnostic::error(
                    "loudness",
                    span,
                    format!("{name} peaks at {:.2} dBTP as written, {over:.2} dB over the {c} dBTP ceiling", m.true_peak_dbtp),
                ));
            }
        }
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(errors)
        }
    }
}
