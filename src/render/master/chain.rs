//! One instance of the master chain, and the ways to run it over the kept input: on
//! the calling thread, or on a worker thread that hands each output block to the
//! calling thread (a two-stage pipeline). Both cut the input into the same blocks and
//! process them in the same order, so they give the same samples to the last bit.

use crate::dsp::ParamId;
// The batches in flight between the chain's thread and the calling thread, and the
// frames each holds at least (whole blocks of the chain): as behind a file.
use crate::render::behind::{BATCH, DEPTH};
use crate::render::strip::{Earlier, StripOut, StripRt};
use ebur128::{EbuR128, Mode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::sync_channel;

/// What every run of a chain reads: the kept input and how to cut it into blocks.
#[derive(Clone, Copy)]
pub struct Pass<'a> {
    /// The master's input from output time zero (the chain's latency still ahead).
    pub input: [&'a [f32]; 2],
    /// Render time of `input[0][0]`, as the master node would have seen it.
    pub pos: u64,
    /// The chain's latency: output frames dropped from the start.
    pub latency: usize,
    pub chunk: usize,
    pub rate: u32,
    /// Each limiter of the chain: its insert index, parameter id and ceiling (dBTP).
    pub limiters: &'a [(usize, ParamId, f64)],
    /// How far under their written ceilings the limiters run (dB).
    pub margin_db: f64,
    /// When set, a run ends at the next block (its output is then incomplete: the
    /// render is being stopped and writes nothing).
    pub stop: Option<&'a AtomicBool>,
}

impl Pass<'_> {
    fn stopped(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

pub struct Chain {
    pub rt: StripRt,
    feed: StripOut,
    out: StripOut,
}

fn buffers(n: usize) -> [Vec<f32>; 2] {
    [vec![0.0; n], vec![0.0; n]]
}

pub fn gain(db: f64) -> f64 {
    libm::pow(10.0, db / 20.0)
}

/// An integrated-loudness meter for a chain's output.
pub fn meter(rate: u32) -> EbuR128 {
    EbuR128::new(2, rate, Mode::I).expect("stereo at the session rate")
}

/// What `meter` read, when there was something to read.
pub fn integrated(m: &EbuR128) -> Option<f64> {
    m.loudness_global().ok().filter(|x| x.is_finite())
}

impl Chain {
    pub fn new(rt: StripRt, chunk: usize) -> Self {
        Self {
            rt,
            feed: StripOut {
                post: buffers(chunk),
                pre: None,
            },
            out: StripOut {
                post: buffers(chunk),
                pre: None,
            },
        }
    }

    fn start(&mut self, pass: &Pass) {
        for p in &mut self.rt.inserts {
            p.reset();
        }
        for &(k, id, c) in pass.limiters {
            self.rt.inserts[k].set_param(id, c - pass.margin_db);
        }
    }

    /// Runs the block of input starting at `at` with linear gain `g` into `self.out`:
    /// returns the output frames to skip (latency), the block's length and the
    /// deepest gain reduction of the chain's limiters over it (dB).
    fn block(&mut self, pass: &Pass, g: f64, at: usize) -> (usize, usize, Option<f32>) {
        let n = pass.chunk.min(pass.input[0].len() - at);
        for (f, x) in self.feed.post.iter_mut().zip(pass.input) {
            for (a, b) in f[..n].iter_mut().zip(&x[at..at + n]) {
                *a = (f64::from(*b) * g) as f32;
            }
        }
        self.rt
            .run(
                pass.pos + at as u64,
                n,
                &mut self.out,
                Earlier::outs(std::slice::from_ref(&self.feed)),
            )
            .expect("a strip without a source cannot fail");
        let skip = pass.latency.saturating_sub(at).min(n);
        let gr = (self.rt.inserts.iter_mut())
            .filter_map(|p| p.take_gain_reduction_db())
            .reduce(f32::max);
        (skip, n, gr)
    }

    /// Runs the chain over the whole input at `drive_db`, handing each block of output
    /// (latency removed) to `sink` with its gain reduction.
    pub fn run<E>(
        &mut self,
        pass: &Pass,
        drive_db: f64,
        mut sink: impl FnMut([&[f32]; 2], Option<f32>) -> Result<(), E>,
    ) -> Result<(), E> {
        self.start(pass);
        let g = gain(drive_db);
        let mut at = 0;
        while at < pass.input[0].len() && !pass.stopped() {
            let (skip, n, gr) = self.block(pass, g, at);
            if skip < n {
                sink([&self.out.post[0][skip..n], &self.out.post[1][skip..n]], gr)?;
            }
            at += n;
        }
        Ok(())
    }

    /// Integrated loudness of the output at `drive_db`.
    pub fn loudness(&mut self, pass: &Pass, drive_db: f64) -> Option<f64> {
        let mut m = meter(pass.rate);
        let _ = self.run(pass, drive_db, |b, _| m.add_frames_planar_f32(&b));
        integrated(&m)
    }

    /// [`Self::run`] as a pipeline of up to three threads: the chain runs on a worker;
    /// the calling thread hands each block to `sink`; then, when `measure` is given, a
    /// third thread meters the block. Blocks travel in batches of at least [`BATCH`]
    /// frames, and `sink` and `measure` see exactly the blocks [`Self::run`] would
    /// give. After an error from `sink` the chain stops early (the meter then has
    /// seen only part of the output).
    pub fn run_split<E>(
        &mut self,
        pass: &Pass,
        drive_db: f64,
        measure: Option<&mut EbuR128>,
        mut sink: impl FnMut([&[f32]; 2]) -> Result<(), E>,
    ) -> Result<(), E> {
        let total = pass.input[0].len();
        let room = pass.chunk * BATCH.div_ceil(pass.chunk);
        type Batch = ([Vec<f32>; 2], usize);
        std::thread::scope(|s| {
            let (full_tx, full_rx) = sync_channel::<Batch>(DEPTH);
            let (free_tx, free_rx) = sync_channel::<[Vec<f32>; 2]>(DEPTH);
            for _ in 0..DEPTH {
                free_tx.send(buffers(room)).expect("room for every buffer");
            }
            // Where the calling thread passes a batch on: the meter, or back to the chain.
            let (sunk_tx, meter) = match measure {
                Some(m) => {
                    let (tx, rx) = sync_channel::<Batch>(DEPTH);
                    let back = free_tx.clone();
                    let meter = s.spawn(move || {
                        for (buf, fill) in rx {
                            let _ = m.add_frames_planar_f32(&[&buf[0][..fill], &buf[1][..fill]]);
                            let _ = back.send(buf);
                        }
                    });
                    (Some(tx), Some(meter))
                }
                None => (None, None),
            };
            let worker = s.spawn(move || {
                self.start(pass);
                let g = gain(drive_db);
                let mut at = 0;
                let mut batch: Option<Batch> = None;
                while at < total {
                    if pass.stopped() {
                        // The calling thread learns of it from the hung-up channel.
                        return;
                    }
                    let (skip, n, _) = self.block(pass, g, at);
                    at += n;
                    if skip == n {
                        continue;
                    }
                    if batch.is_none() {
                        let Ok(buf) = free_rx.recv() else { return };
                        batch = Some((buf, 0));
                    }
                    let (buf, fill) = batch.as_mut().expect("a batch");
                    for (b, o) in buf.iter_mut().zip(&self.out.post) {
                        b[*fill..*fill + n - skip].copy_from_slice(&o[skip..n]);
                    }
                    *fill += n - skip;
                    if *fill + pass.chunk > room || at >= total {
                        let full = batch.take().expect("a batch");
                        if full_tx.send(full).is_err() {
                            return;
                        }
                    }
                }
            });
            // The blocks `run` would make, cut again from the batches.
            let mut blocks = (0..total).step_by(pass.chunk).filter_map(|at| {
                let n = pass.chunk.min(total - at);
                let skip = pass.latency.saturating_sub(at).min(n);
                (skip < n).then_some(n - skip)
            });
            let mut result = Ok(());
            'batches: while let Ok((buf, fill)) = full_rx.recv() {
                let mut from = 0;
                while from < fill {
                    let n = blocks.next().expect("a batch holds whole blocks");
                    result = sink([&buf[0][from..from + n], &buf[1][from..from + n]]);
                    if result.is_err() {
                        break 'batches;
                    }
                    from += n;
                }
                // Fails only once the worker is done: the last batches are still read.
                let _ = match &sunk_tx {
                    Some(tx) => tx.send((buf, fill)).map_err(drop),
                    None => free_tx.send(buf).map_err(drop),
                };
            }
            // Unblocks the worker, if the sink stopped early, and ends the meter.
            drop((full_rx, free_tx, sunk_tx));
            for t in std::iter::once(worker).chain(meter) {
                if let Err(panic) = t.join() {
                    std::panic::resume_unwind(panic);
                }
            }
            result
        })
    }
}
