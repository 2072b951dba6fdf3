//! Rendering: the scheduled graph, chunk by chunk, into the export files.
//!
//! Memory is bounded by strips x chunk x graph depth, not by song length. The
//! topological levels run as a pipeline ([`pipeline`]: level L on chunk t - L), and
//! the strips of one level in parallel; every sum is computed by the one strip that
//! owns it, in edge order, so `--jobs 1`, `--jobs 8` and any chunk size write the
//! same bytes.

#[cfg(test)]
mod alloc_tests;
pub mod automation;
mod behind;
pub mod cached;
mod chunks;
pub mod clash;
pub mod delay;
pub mod dither;
pub mod generator;
mod held;
pub mod master;
pub mod meters;
pub mod output;
mod overflow;
pub mod pan;
mod pipeline;
pub mod preflight;
pub mod region;
pub mod report;
mod result;
pub mod rng;
pub mod setup;
pub mod solve;
pub mod source;
mod stop;
pub mod strip;
pub mod targets;
mod timings;

use crate::diag::Diagnostic;
use crate::ir::Mix;
use crate::world::World;
use chunks::Chunks;
use output::Tap;
pub use result::{RenderReport, Written};
use std::path::PathBuf;
pub use stop::check_cancel;

/// Below this, a tail is over: -96 dBFS.
const TAIL_THRESHOLD: f32 = 1.584_893_2e-5;

/// Frames per chunk unless asked otherwise. The output does not depend on it; big
/// enough that the threads meet a few hundred times a minute of audio, not thousands
/// (each meeting is a wake-up), small enough that a strip's buffers stay in cache.
pub const DEFAULT_CHUNK: usize = 16384;

#[derive(Clone)]
pub struct RenderOptions {
    /// Worker threads (1 renders everything on the calling thread).
    pub jobs: usize,
    /// Frames per chunk.
    pub chunk: usize,
    /// Write every export into this folder instead of the one its path names.
    pub out_dir: Option<PathBuf>,
    /// Stands in for `{file}` in the default export's name.
    pub file_stem: String,
    /// When set (Ctrl-C), the render stops before the next chunk and writes nothing.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// Gather the measurements of the visual report ([`meters`]).
    pub meters: bool,
    /// The report the caller writes after the render: refused when it would land
    /// on an input or an export.
    pub report: Option<PathBuf>,
    /// Replay what an earlier render computed, and keep what this one computes.
    pub cache: Option<std::sync::Arc<crate::cache::Cache>>,
    /// Render only this part of the timeline.
    pub region: Option<region::Region>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            jobs: 1,
            chunk: DEFAULT_CHUNK,
            out_dir: None,
            file_stem: "mix".into(),
            cancel: None,
            meters: false,
            report: None,
            cache: None,
            region: None,
        }
    }
}

/// Progress: frames done and the expected total (which `tail auto` may extend).
pub type Progress<'a> = &'a (dyn Fn(u64, u64) + Sync);

/// Renders every export of `mix`. On any error no file is replaced.
pub fn render(
    mix: &Mix,
    world: &dyn World,
    opts: &RenderOptions,
    progress: Progress,
) -> Result<RenderReport, Vec<Diagnostic>> {
    let mut forced = cached::Forced::default();
    for restart in 0.. {
        // Each restart runs more nodes; should that not settle, render without the cache.
        forced.off = restart >= 3;
        match pass(mix, world, opts, progress, &mut forced) {
            Err(d) if d.len() == 1 && d[0].code == cached::RESTART => continue,
            r => return r,
        }
    }
    unreachable!("the loop returns")
}

fn pass(
    mix: &Mix,
    world: &dyn World,
    opts: &RenderOptions,
    progress: Progress,
    forced: &mut cached::Forced,
) -> Result<RenderReport, Vec<Diagnostic>> {
    let chunk = opts.chunk.max(1);
    let sw = timings::Stopwatch::from_env();
    let mut plan = setup::prepare(mix, world, chunk)?;
    let mut stage = match mix.loudness {
        Some(_) => Some(master::split(mix, &mut plan, chunk, opts.jobs).map_err(|d| vec![d])?),
        None => None,
    };
    let mut outputs = targets::outputs(mix, world, opts, &plan, chunk)?;
    let ceiling = master::ceiling(mix);
    for o in &mut outputs {
        if matches!(o.tap, Tap::Master) {
            o.ceiling = ceiling;
            // With a loudness target the master files are written after the graph,
            // beside the chain: their meters get threads of their own.
            if stage.is_some() && opts.jobs > 1 {
                o.meter_behind().map_err(|d| vec![d])?;
            }
        }
    }
    let pool = (opts.jobs > 1)
        .then(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(opts.jobs)
                .build()
        })
        .transpose()
        .map_err(|e| {
            vec![Diagnostic::global(
                "threads",
                format!("cannot start worker threads: {e}"),
            )]
        })?;

    sw.mark("setup");
    let rate = u64::from(mix.session.rate);
    let latency = plan.latency as u64;
    let chunks::Extent {
        main_len,
        auto,
        cap,
    } = chunks::extent(plan.song_len, mix.session.tail, rate, opts.region)
        .map_err(|m| vec![Diagnostic::global("region", m)])?;
    let from = opts.region.map_or(0, |r| r.from);
    if let Some(r) = opts.region {
        region::start(&mut plan, stage.as_mut(), r, mix.session.rate);
    }
    let tail_block = (rate / 10).max(1);
    let cache = opts.cache.as_deref().filter(|_| !forced.off);
    let mut session = match cache {
        Some(c) => Some(cached::begin(
            c,
            mix,
            world,
            &mut plan,
            &mut outputs,
            forced,
            opts,
        )?),
        None => None,
    };
    sw.mark("cache lookups");
    let mut kept_solve = None;
    if let Some(s) = &mut session
        && s.stage_kept(&outputs)
    {
        // Every master file is already right: no solve, no master chain.
        stage = None;
        kept_solve = s.solve();
    }
    if let Some(st) = &mut stage {
        st.stop = opts.cancel.clone();
        if let Some(c) = cache {
            st.keep_input_in(|n| c.buffer(n));
        }
        st.start_feed(main_len - from);
    }
    let mut written: u64 = 0;
    let mut block_peak = 0.0f32;
    // With `loudness` the tail is judged on the master's input, before the drive
    // the solve will find: it must be below -96 dBFS after the most drive there is.
    let tail_threshold = match stage {
        Some(_) => TAIL_THRESHOLD * libm::pow(10.0, -solve::MAX_DRIVE_DB / 20.0) as f32,
        None => TAIL_THRESHOLD,
    };
    let mut meters = (opts.meters)
        .then(|| meters::Meters::new(mix, &plan, main_len))
        .transpose()
        .map_err(|e| vec![Diagnostic::global("meters", e)])?;
    let chunks = Chunks {
        chunk: chunk as u64,
        latency,
        main_len,
        auto,
        cap,
        tail_block,
    };
    let mut pipe = pipeline::Pipeline::new(&mut plan);
    // Where the next chunk to start starts, while there is one.
    let mut next = Some(plan.origin);
    loop {
        let start = next.and_then(|p| chunks.at(p).map(|n| (p, n)));
        next = start.map(|(p, n)| p + n as u64);
        if start.is_none() && pipe.in_flight() == 0 {
            break;
        }
        check_cancel(opts.cancel.as_ref())?;
        let (pos, n) = match pipe.step(&mut plan, start, pool.as_ref()) {
            Ok(Some(done)) => done,
            Ok(None) => continue,
            Err(d) => {
                if let (Some(s), Some(end)) = (&session, pipe.reached()) {
                    cached::exhausted(&plan, &s.keys, end - plan.origin, forced);
                }
                return Err(vec![d]);
            }
        };
        let in_tail = chunks.in_tail(pos);
        // Stems are delayed to the master's latency so every file lines up.
        for (p, slot) in plan.aligned.iter_mut().enumerate() {
            if let Some((delay, buf)) = slot {
                let src = &plan.outs[p].post;
                delay.process(&[&src[0][..n], &src[1][..n]], buf, n);
            }
        }
        // The first `latency` frames of render time come before time zero (and a
        // region's pre-roll before its start).
        let skip = (from + latency).saturating_sub(pos).min(n as u64) as usize;
        if let Some(m) = &mut meters {
            m.chunk(&mut plan, skip, n, stage.is_none(), pool.as_ref());
        }
        overflow::check(&plan, mix, pos, n).map_err(|d| vec![d])?;
        let sum = &plan.outs[plan.master].post;
        if let Some(st) = &mut stage {
            // Loudness mode: the master's input is kept whole for the solve.
            st.push(sum, n);
            if in_tail {
                block_peak = peak_of(sum, skip, n, block_peak);
            }
        }
        for o in &mut outputs {
            let sig = match o.tap {
                Tap::Master if stage.is_some() => continue,
                Tap::Master => sum,
                Tap::Stem(p) => &plan.aligned[p].as_ref().expect("stems are aligned").1,
            };
            if in_tail {
                block_peak = peak_of(sig, skip, n, block_peak);
            }
            o.push([&sig[0][skip..n], &sig[1][skip..n]], in_tail)
                .map_err(|d| vec![d])?;
        }
        written += (n - skip) as u64;
        let end = pos + n as u64;
        if in_tail && (end - latency - main_len).is_multiple_of(tail_block) {
            let audible = block_peak >= tail_threshold;
            for o in &mut outputs {
                o.release(audible).map_err(|d| vec![d])?;
            }
            if !audible {
                written -= tail_block;
                break;
            }
            block_peak = 0.0;
        }
        progress(written, (main_len - from).max(written));
    }
    pipe.finish(&mut plan);
    for o in &mut outputs {
        o.release(true).map_err(|d| vec![d])?;
    }
    if let Some(s) = &mut session {
        s.check_kept(written, forced)?;
    }
    sw.mark("graph");
    let mut warnings = Vec::new();
    let mut solved = kept_solve;
    if let Some(st) = &mut stage {
        st.trim_input(written);
        let cached = session.as_mut().and_then(|s| s.solve());
        let mut s = match cached {
            Some(s) => {
                st.skip_solve();
                s
            }
            None => {
                let s = st.solve(&mut outputs);
                // A stopped search reads cut-short runs: whatever it says, stop.
                check_cancel(opts.cancel.as_ref())?;
                let s = s.map_err(|d| vec![d])?;
                match (&session, opts.region) {
                    (Some(sess), None) => sess.put_solve(s),
                    (_, Some(_)) => warnings.push(region::solved_alone(mix)),
                    _ => {}
                }
                s
            }
        };
        sw.mark("loudness search");
        let delivered = st.deliver(&mut s, &mut outputs);
        check_cancel(opts.cancel.as_ref())?;
        warnings.extend(delivered?);
        sw.mark("delivery");
        if let Some(m) = &mut meters {
            m.replay(st, s.drive_db);
        }
        solved = Some(s);
    }
    if let (Some(st), Some(c)) = (stage, cache) {
        st.into_input().into_iter().for_each(|v| c.recycle(v));
    }
    for o in outputs.iter_mut().filter(|o| o.measured.is_none()) {
        o.close().map_err(|d| vec![d])?;
        // A streamed master without `loudness` cannot be run again: say so.
        if let (Some(over), Some(c)) = (o.over(), o.ceiling) {
            warnings.push(Diagnostic::warning(
                "ceiling",
                o.export.span,
                format!(
                    "{} peaks {over:.2} dB over the limiter's {c} dBTP ceiling as written \
                     (dither and quantisation); with `loudness` set mixdown trims it",
                    o.path.display()
                ),
            ));
        }
    }
    // The last moment a stop is honoured: after it every file goes into place.
    check_cancel(opts.cancel.as_ref())?;
    warnings.extend(outputs.iter().filter_map(|o| o.clip_warning()));
    if written == 0 {
        let m = "the song is empty: no track has any audio, so every file is 0:00.000 long";
        warnings.push(Diagnostic::warning(
            "empty",
            crate::span::Span::detached(),
            m,
        ));
    }
    let mut files = Vec::new();
    for o in &mut outputs {
        if let Err(d) = o.commit() {
            // Renames happen one by one: say which files this render already replaced.
            let mut diags = vec![d];
            if !files.is_empty() {
                let done: Vec<String> = files
                    .iter()
                    .map(|w: &Written| w.path.display().to_string())
                    .collect();
                diags.push(Diagnostic::global(
                    "partly-written",
                    format!(
                        "these files were already replaced by this render: {}",
                        done.join(", ")
                    ),
                ));
            }
            return Err(diags);
        }
        files.push(Written {
            path: o.path.clone(),
            frames: o.frames,
            rate: o.export.rate,
            seconds: o.frames as f64 / f64::from(o.export.rate),
            peak_dbfs: 20.0 * f64::from(o.peak).max(1e-30).log10(),
            export: o.export.clone(),
            master: matches!(o.tap, Tap::Master),
            measured: o.measured.clone(),
            ceiling_trim_db: 20.0 * o.gain.log10(),
        });
    }
    sw.mark("files in place");
    let cache = session.map(|s| s.finish(&mut plan, &outputs, &mut files));
    Ok(RenderReport {
        files,
        frames: written,
        solved,
        warnings,
        meters: meters.map(|m| m.finish(mix, &plan, written)),
        cache,
    })
}

fn peak_of(sig: &[Vec<f32>; 2], from: usize, to: usize, acc: f32) -> f32 {
    sig.iter()
        .flat_map(|c| &c[from..to])
        .fold(acc, |m, x| m.max(x.abs()))
}
