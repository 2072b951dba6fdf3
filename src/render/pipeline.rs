//! The graph's levels as a pipeline. In step `t` level `L` renders chunk `t - L`: a
//! strip needs only its inputs' output for its chunk, and those finished in an
//! earlier step, so the levels of a deep and narrow graph (an edited track, its bus,
//! the master) run at once instead of one after the other. Each chunk in flight has
//! its own output buffers (a ring as deep as the graph). A strip still reads the same
//! inputs in the same order with the same chunking as in a level-by-level render, so
//! the bytes are those of `--jobs 1`, which runs the same steps on one thread.

use super::cached::{self, Chunk};
use super::setup::Plan;
use super::strip::{Earlier, StripOut, StripRt};
use crate::diag::Diagnostic;
use rayon::prelude::*;
use std::collections::VecDeque;

pub struct Pipeline {
    /// Output buffers, one set per chunk in flight: chunk `k` uses `ring[k % depth]`.
    ring: Vec<Vec<StripOut>>,
    /// Chunks started and not yet handed out, oldest first: (render position, frames).
    flight: VecDeque<(u64, usize)>,
    /// The number of the oldest chunk in `flight`; of the next step.
    first: u64,
    step: u64,
    /// The slot lent to `plan.outs` with the chunk last handed out.
    lent: Option<usize>,
}

/// One level's work in a step: its strips, on one chunk, in that chunk's buffers.
struct Task<'a> {
    start: usize,
    states: &'a mut [StripRt],
    record: &'a mut [Option<Vec<Vec<f32>>>],
    outs: &'a mut [StripOut],
    chunk: Chunk,
}

impl Pipeline {
    /// Takes over `plan.outs`, which from now on holds a chunk only while it is
    /// handed out ([`Self::step`]); [`Self::finish`] gives them back.
    pub fn new(plan: &mut Plan) -> Self {
        let depth = plan.level_sizes.len().max(1);
        let first = std::mem::take(&mut plan.outs);
        let mut ring = vec![first.clone(); depth - 1];
        ring.insert(0, first);
        Self {
            ring,
            flight: VecDeque::with_capacity(depth),
            first: 0,
            step: 0,
            lent: None,
        }
    }

    /// Chunks started and not handed out yet.
    pub fn in_flight(&self) -> usize {
        self.flight.len()
    }

    /// The furthest render position any strip has reached.
    pub fn reached(&self) -> Option<u64> {
        self.flight.back().map(|&(pos, n)| pos + n as u64)
    }

    /// Starts chunk `next` (if any) and runs every level one step. When that completes
    /// the oldest chunk in flight, its buffers go into `plan.outs` and it is returned.
    /// Chunk `k` must start in step `k`: once `next` is `None` it stays `None`, and
    /// the steps after it only drain what is in flight.
    pub fn step(
        &mut self,
        plan: &mut Plan,
        next: Option<(u64, usize)>,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<Option<(u64, usize)>, Diagnostic> {
        self.take_back(plan);
        self.flight.extend(next);
        let depth = self.ring.len() as u64;
        let t = self.step;
        self.step += 1;
        // Level `L` works on chunk `t - L`, when that has started and is not done.
        let (first, flight, origin) = (self.first, &self.flight, plan.origin);
        let chunk = move |l: u64| {
            let i = t.checked_sub(l)?.checked_sub(first)? as usize;
            let &(pos, n) = flight.get(i)?;
            Some(Chunk { pos, origin, n })
        };
        let replay = &plan.replay[..];
        let (mut states, mut record) = (&mut plan.states[..], &mut plan.record[..]);
        let (front, back) = self.ring.split_at_mut((t % depth) as usize + 1);
        // Slots t % depth, t % depth - 1, ... wrapping round: level L's is (t - L) % depth.
        let mut slots = front.iter_mut().rev().chain(back.iter_mut().rev());
        let (mut levels, mut start) = (plan.level_sizes.iter().enumerate(), 0);
        // The tasks one by one, built as they are taken: a step allocates nothing.
        let tasks = std::iter::from_fn(move || {
            let (l, &len) = levels.next()?;
            let (s, rest) = std::mem::take(&mut states).split_at_mut(len);
            let (r, rest_r) = std::mem::take(&mut record).split_at_mut(len);
            (states, record) = (rest, rest_r);
            let outs = slots.next().expect("a slot per level");
            let task = chunk(l as u64).map(|chunk| Task {
                start,
                states: s,
                record: r,
                outs,
                chunk,
            });
            start += len;
            Some(task)
        })
        .flatten();
        match pool {
            Some(pool) => pool.install(|| all_at_once(tasks, replay))?,
            None => tasks
                .into_iter()
                .try_for_each(|mut t| t.run(replay, false))?,
        }
        // The oldest chunk has been through the last level when it started
        // `depth - 1` steps ago.
        if t + 1 < self.first + depth || self.flight.is_empty() {
            return Ok(None);
        }
        let done = self.flight.pop_front().expect("in flight");
        let slot = (self.first % depth) as usize;
        self.first += 1;
        std::mem::swap(&mut plan.outs, &mut self.ring[slot]);
        self.lent = Some(slot);
        Ok(Some(done))
    }

    fn take_back(&mut self, plan: &mut Plan) {
        if let Some(slot) = self.lent.take() {
            std::mem::swap(&mut plan.outs, &mut self.ring[slot]);
        }
    }

    /// Gives `plan.outs` back; chunks still in flight are dropped.
    pub fn finish(mut self, plan: &mut Plan) {
        self.take_back(plan);
        plan.outs = self.ring.swap_remove(0);
    }
}

/// Runs every task at once: each on a thread of the pool while there are more, with
/// `join` (which allocates nothing) rather than a list of tasks.
fn all_at_once<'a>(
    mut tasks: impl Iterator<Item = Task<'a>> + Send,
    replay: &[Option<cached::Replay>],
) -> Result<(), Diagnostic> {
    let Some(mut task) = tasks.next() else {
        return Ok(());
    };
    let (a, b) = rayon::join(|| task.run(replay, true), || all_at_once(tasks, replay));
    a.and(b)
}

impl Task<'_> {
    /// This level's strips on its chunk (in parallel when more than one runs).
    fn run(&mut self, replay: &[Option<cached::Replay>], parallel: bool) -> Result<(), Diagnostic> {
        let len = self.states.len();
        let (done, outs) = self.outs.split_at_mut(self.start);
        let outs = &mut outs[..len];
        let done = Earlier {
            outs: done,
            replay: &replay[..self.start],
            at: (self.chunk.pos - self.chunk.origin) as usize,
        };
        let mine = &replay[self.start..self.start + len];
        let c = self.chunk;
        let step = |(((s, o), rp), rc)| cached::step(s, o, rp, rc, c, done);
        // Replays are cheap: a level with one node to run is not worth the threads.
        let running = mine.iter().filter(|r| r.is_none()).count();
        if parallel && running > 1 {
            (self.states.par_iter_mut())
                .zip(outs.par_iter_mut())
                .zip(mine.par_iter())
                .zip(self.record.par_iter_mut())
                .try_for_each(step)
        } else {
            (self.states.iter_mut())
                .zip(outs.iter_mut())
                .zip(mine.iter())
                .zip(self.record.iter_mut())
                .try_for_each(step)
        }
    }
}
