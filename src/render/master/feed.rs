//! The master's input as the graph renders it: kept whole for the loudness search,
//! with the chain's linear head (trim, and leading linear inserts such as an EQ)
//! applied and its loudness metered as the frames arrive, so that when the graph
//! is done the search can start at once. With `jobs` > 1 this runs on its own
//! thread, beside the graph (which leaves a core idle whenever a level has one
//! strip to run, as after an edit in `watch`).
//!
//! The head is a chain of linear processors and the meter a sum over the frames:
//! neither depends on how the input is cut into blocks, so the thread, the block
//! sizes and the graph's chunking leave every bit as it would be in one pass.

use super::chain::{integrated, meter};
use crate::dsp::Processor;
use crate::render::behind::Behind;
use ebur128::EbuR128;

/// The head and its meter, over input frames `from..`.
pub struct Head {
    pub trim: Option<f32>,
    pub inserts: Vec<Box<dyn Processor>>,
    meter: EbuR128,
    /// Frames every render of this song keeps, so the meter may read them as they
    /// come; an automatic tail past them may still be cut, so it is read at the end.
    sure: usize,
    /// Frames processed, and frames metered, so far.
    done: usize,
    metered: usize,
    chunk: usize,
}

impl Head {
    pub fn new(
        trim: Option<f32>,
        inserts: Vec<Box<dyn Processor>>,
        from: usize,
        sure: usize,
        chunk: usize,
        rate: u32,
    ) -> Self {
        Self {
            trim,
            inserts,
            meter: meter(rate),
            sure,
            done: from,
            metered: from,
            chunk: chunk.max(1),
        }
    }

    /// Processes and meters what has arrived in `input` since the last call.
    fn catch_up(&mut self, input: &mut [Vec<f32>; 2]) {
        let len = input[0].len();
        while self.done < len {
            let n = self.chunk.min(len - self.done);
            let [l, r] = input;
            let mut io: [&mut [f32]; 2] = [
                &mut l[self.done..self.done + n],
                &mut r[self.done..self.done + n],
            ];
            if let Some(t) = self.trim {
                io.iter_mut()
                    .for_each(|c| c.iter_mut().for_each(|x| *x *= t));
            }
            for p in &mut self.inserts {
                p.process(&mut io, None);
            }
            self.done += n;
        }
        self.meter_to(input, self.sure.min(len));
    }

    fn meter_to(&mut self, input: &[Vec<f32>; 2], end: usize) {
        if end > self.metered {
            let (a, b) = (self.metered, end);
            let _ = (self.meter).add_frames_planar_f32(&[&input[0][a..b], &input[1][a..b]]);
            self.metered = end;
        }
    }

    /// Meters the rest of `input` (cut to the frames kept): its integrated loudness.
    pub fn finish(&mut self, input: &mut [Vec<f32>; 2]) -> Option<f64> {
        self.catch_up(input);
        self.meter_to(input, input[0].len());
        integrated(&self.meter)
    }
}

/// The input and its head, on the calling thread or on a thread of their own
/// (which takes the frames in batches, see [`Behind`]).
pub enum Feed {
    Inline([Vec<f32>; 2], Box<Head>),
    Thread(Behind<([Vec<f32>; 2], Box<Head>)>),
}

impl Feed {
    pub fn new(input: [Vec<f32>; 2], head: Head, threaded: bool) -> Self {
        let head = Box::new(head);
        if !threaded {
            return Self::Inline(input, head);
        }
        Self::Thread(Behind::new(
            (input, head),
            |(input, head): &mut ([Vec<f32>; 2], Box<Head>), b| {
                for (c, s) in input.iter_mut().zip(b) {
                    c.extend_from_slice(s);
                }
                head.catch_up(input);
            },
            |done| done,
        ))
    }

    /// Appends `n` frames of the master's input.
    pub fn push(&mut self, sum: &[Vec<f32>; 2], n: usize) {
        match self {
            Self::Inline(input, head) => {
                for (c, s) in input.iter_mut().zip(sum) {
                    c.extend_from_slice(&s[..n]);
                }
                head.catch_up(input);
            }
            Self::Thread(behind) => behind.push([&sum[0][..n], &sum[1][..n]]),
        }
    }

    /// The input and head once every pushed frame is in.
    pub fn end(self) -> ([Vec<f32>; 2], Box<Head>) {
        match self {
            Self::Inline(input, head) => (input, head),
            Self::Thread(behind) => behind.finish(),
        }
    }
}

impl super::MasterStage {
    /// Starts taking the master's input from the graph ([`Self::push`]), the linear
    /// head applied on the way; `sure` output frames are kept by any render of this
    /// song (its length before an automatic tail).
    pub fn start_feed(&mut self, sure: u64) {
        let (trim, inserts) = self.take_linear_head();
        let lead = self.shape.lead;
        let head = Head::new(
            trim,
            inserts,
            lead,
            lead + sure as usize + self.shape.latency,
            self.shape.chunk,
            self.shape.rate,
        );
        let input = std::mem::take(&mut self.input);
        let threaded = self.jobs > 1;
        self.feed = Some(Feed::new(input, head, threaded));
        self.baked = true;
    }

    /// Takes `n` frames of the sum arriving at the master.
    pub fn push(&mut self, sum: &[Vec<f32>; 2], n: usize) {
        if self.feed.is_none() {
            self.start_feed(0);
        }
        self.feed.as_mut().expect("just started").push(sum, n);
    }

    /// Ends the feed: the input back, cut to `keep` frames, its head applied and its
    /// loudness read.
    pub(super) fn settle(&mut self, keep: Option<usize>) {
        if self.feed.is_none() && !self.baked {
            self.start_feed(0);
        }
        if let Some(f) = self.feed.take() {
            let (mut input, mut head) = f.end();
            if let Some(keep) = keep {
                input.iter_mut().for_each(|c| c.truncate(keep));
            }
            self.input_lufs = head.finish(&mut input);
            self.input = input;
        }
    }

    /// Takes the chain's linear head (trim and the leading linear inserts, such as
    /// an EQ, when no lane moves them) out of the chain and its twin, to be applied
    /// to the input once ([`feed`]). The drive is a gain, and a linear stage commutes
    /// with a gain, so every trial of the search (and the final run) then starts after
    /// the head: the same result as running it each time, up to rounding, at a
    /// fraction of the cost.
    fn take_linear_head(&mut self) -> (Option<f32>, Vec<Box<dyn crate::dsp::Processor>>) {
        let rt = &mut self.chain.rt;
        // An automated trim stays in the chain, and so does everything after it.
        let trim = rt.auto.trim.is_none().then_some(rt.trim);
        let automated = |k: usize| rt.auto.inserts.iter().any(|(i, _, _)| *i == k);
        let head = match trim {
            Some(_) => (rt.inserts.iter().enumerate())
                .take_while(|(k, p)| p.is_linear() && !automated(*k))
                .count(),
            None => 0,
        };
        let taken: Vec<_> = self.chain.rt.inserts.drain(..head).collect();
        if let Some(t) = &mut self.twin {
            t.rt.inserts.drain(..head);
        }
        for c in std::iter::once(&mut self.chain).chain(&mut self.twin) {
            if trim.is_some() {
                c.rt.trim = 1.0;
            }
            for (k, _, _) in &mut c.rt.auto.inserts {
                *k -= head;
            }
        }
        for (k, _, _) in &mut self.limiters {
            *k -= head;
        }
        (trim.filter(|&t| t != 1.0), taken)
    }
}
