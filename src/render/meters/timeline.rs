//! The streaming overview of one signal over time: per-block envelopes, loudness
//! on a fixed 100 ms grid, and gain reduction (see the parent module).

use super::{Figures, ebu_figures};
use ebur128::{EbuR128, Mode};

/// About how many blocks the overview of a song holds.
pub const POINTS: u64 = 1500;
/// Short-term loudness (a 3 s window) is read every this many 100 ms hops for songs
/// whose blocks are longer than a hop (every hop for shorter ones): each read sums
/// the whole window, and a 3 s window moves little in 0.5 s.
const SHORT_EVERY: u64 = 5;

/// One block of one channel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Env {
    pub min: f32,
    pub max: f32,
    /// Sum of squares over the block's frames.
    pub sumsq: f64,
}

const EMPTY: Env = Env {
    min: 0.0,
    max: 0.0,
    sumsq: 0.0,
};

impl Env {
    fn merge(a: Env, b: Env) -> Env {
        Env {
            min: a.min.min(b.min),
            max: a.max.max(b.max),
            sumsq: a.sumsq + b.sumsq,
        }
    }
}

/// What the overview plots show, per block; `NEG_INFINITY` loudness is silence,
/// `NAN` is "not read yet".
#[derive(Debug, Clone, PartialEq)]
pub struct Overview {
    pub rate: u32,
    /// Frames per block (the last block may be shorter).
    pub block: u64,
    pub frames: u64,
    /// Per channel, per block.
    pub envelopes: Vec<Vec<Env>>,
    pub momentary: Vec<f32>,
    pub short_term: Vec<f32>,
    /// Limiter gain reduction (dB, positive) per block; `None` without a limiter.
    pub gain_reduction: Option<Vec<f32>>,
    pub figures: Figures,
}

/// The streaming overview of one signal (the master, or a file for `analyze`).
pub struct Timeline {
    rate: u32,
    block: u64,
    fill: u64,
    frames: u64,
    cur: Vec<Env>,
    envelopes: Vec<Vec<Env>>,
    cur_m: f32,
    cur_s: f32,
    cur_gr: f32,
    momentary: Vec<f32>,
    short_term: Vec<f32>,
    gr: Vec<f32>,
    has_gr: bool,
    /// Gain reduction of the push in progress, spread over every block it touches.
    push_gr: f32,
    ebu: EbuR128,
    hop: u64,
    in_hop: u64,
    hops: u64,
    short_every: u64,
}

impl Timeline {
    /// An overview of `channels` channels expected to last about `expected` frames.
    pub fn new(rate: u32, channels: usize, expected: u64) -> Result<Self, String> {
        let mode = Mode::I | Mode::M | Mode::S | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK;
        let ebu = EbuR128::new(channels as u32, rate, mode)
            .map_err(|e| format!("cannot meter {channels} channels at {rate} Hz: {e}"))?;
        let block = expected.div_ceil(POINTS).max(1);
        let hop = u64::from(rate / 10).max(1);
        Ok(Self {
            rate,
            block,
            fill: 0,
            frames: 0,
            cur: vec![EMPTY; channels],
            envelopes: vec![Vec::new(); channels],
            cur_m: f32::NAN,
            cur_s: f32::NAN,
            cur_gr: 0.0,
            momentary: Vec::new(),
            short_term: Vec::new(),
            gr: Vec::new(),
            has_gr: false,
            push_gr: 0.0,
            ebu,
            hop,
            in_hop: 0,
            hops: 0,
            short_every: if block < hop { 1 } else { SHORT_EVERY },
        })
    }

    /// Adds planar frames, with the gain reduction a limiter applied to them.
    pub fn push(&mut self, planar: &[&[f32]], gain_reduction: Option<f32>) {
        if gain_reduction.is_some() {
            self.has_gr = true;
        }
        self.push_gr = gain_reduction.unwrap_or(0.0);
        let n = planar.first().map_or(0, |p| p.len());
        let mut pos = 0;
        while pos < n {
            let take = (self.block - self.fill)
                .min(self.hop - self.in_hop)
                .min((n - pos) as u64) as usize;
            for (env, p) in self.cur.iter_mut().zip(planar) {
                for &x in &p[pos..pos + take] {
                    env.min = env.min.min(x);
                    env.max = env.max.max(x);
                    env.sumsq += f64::from(x) * f64::from(x);
                }
            }
            let part: Vec<&[f32]> = planar.iter().map(|p| &p[pos..pos + take]).collect();
            // The channel count was checked when the meter was made.
            let _ = self.ebu.add_frames_planar_f32(&part);
            self.cur_gr = self.cur_gr.max(self.push_gr);
            pos += take;
            self.fill += take as u64;
            self.in_hop += take as u64;
            self.frames += take as u64;
            if self.in_hop == self.hop {
                self.read_loudness();
            }
            if self.fill == self.block {
                self.close_block();
            }
        }
    }

    fn read_loudness(&mut self) {
        self.in_hop = 0;
        self.hops += 1;
        let max = |a: f32, b: f64| {
            if a.is_nan() {
                b as f32
            } else {
                a.max(b as f32)
            }
        };
        if let Ok(m) = self.ebu.loudness_momentary() {
            self.cur_m = max(self.cur_m, m);
        }
        if self.hops.is_multiple_of(self.short_every)
            && let Ok(s) = self.ebu.loudness_shortterm()
        {
            self.cur_s = max(self.cur_s, s);
        }
    }

    fn close_block(&mut self) {
        for (v, env) in self.envelopes.iter_mut().zip(&mut self.cur) {
            v.push(std::mem::replace(env, EMPTY));
        }
        // A block without a reading of its own shows the last one.
        let last = |v: &[f32]| v.last().copied().unwrap_or(f32::NAN);
        let m = if self.cur_m.is_nan() {
            last(&self.momentary)
        } else {
            self.cur_m
        };
        let s = if self.cur_s.is_nan() {
            last(&self.short_term)
        } else {
            self.cur_s
        };
        self.momentary.push(m);
        self.short_term.push(s);
        self.gr.push(self.cur_gr);
        self.cur_m = f32::NAN;
        self.cur_s = f32::NAN;
        self.cur_gr = 0.0;
        self.fill = 0;
        if self.momentary.len() as u64 >= 2 * POINTS {
            self.halve();
        }
    }

    /// Merges neighbouring blocks: twice the block, half the points.
    fn halve(&mut self) {
        fn pairs<T: Copy>(v: &mut Vec<T>, f: impl Fn(T, T) -> T) {
            *v = v
                .chunks(2)
                .map(|c| c[1..].iter().fold(c[0], |a, &b| f(a, b)))
                .collect();
        }
        for v in &mut self.envelopes {
            pairs(v, Env::merge);
        }
        pairs(&mut self.momentary, f32::max);
        pairs(&mut self.short_term, f32::max);
        pairs(&mut self.gr, f32::max);
        self.block *= 2;
    }

    /// The overview of the first `frames` frames (`tail auto` may have metered a
    /// little silence past the end of the files).
    pub fn finish(mut self, frames: u64) -> Overview {
        if self.fill > 0 {
            self.close_block();
        }
        let keep = frames.min(self.frames).div_ceil(self.block) as usize;
        for v in &mut self.envelopes {
            v.truncate(keep);
        }
        self.momentary.truncate(keep);
        self.short_term.truncate(keep);
        self.gr.truncate(keep);
        let channels = self.envelopes.len();
        let peak = (self.envelopes.iter().flatten()).fold(0.0f32, |m, e| m.max(e.max).max(-e.min));
        let sumsq: f64 = self.envelopes.iter().flatten().map(|e| e.sumsq).sum();
        let figures = ebu_figures(
            &self.ebu,
            channels as u32,
            peak,
            sumsq,
            self.frames * channels as u64,
        );
        Overview {
            rate: self.rate,
            block: self.block,
            frames: frames.min(self.frames),
            envelopes: self.envelopes,
            momentary: self.momentary,
            short_term: self.short_term,
            gain_reduction: self.has_gr.then_some(self.gr),
            figures,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lin_to_db;

    #[test]
    fn blocks_merge_exactly_when_the_song_runs_long() {
        let rate = 1000;
        let x: Vec<f32> = (0..10_000).map(|i| ((i % 7) as f32 - 3.0) / 4.0).collect();
        // Expected 3000 frames (2 per block) but 10000 come: at 3000 blocks they merge
        // into blocks of 4 frames.
        let mut t = Timeline::new(rate, 1, 3000).unwrap();
        for c in x.chunks(333) {
            t.push(&[c], Some(1.5));
        }
        let o = t.finish(9_990);
        assert_eq!(o.block, 4);
        assert_eq!(o.envelopes[0].len(), 9_990usize.div_ceil(4));
        let e = o.envelopes[0][3];
        let want: f64 = x[12..16].iter().map(|&v| f64::from(v * v)).sum();
        assert!((e.sumsq - want).abs() < 1e-9);
        assert_eq!((e.min, e.max), (-0.75, 0.75));
        assert!(o.gain_reduction.unwrap().iter().all(|&g| g == 1.5));
        assert!((o.figures.peak_dbfs - lin_to_db(0.75)).abs() < 1e-9);
    }

    #[test]
    fn chunking_does_not_change_the_overview() {
        let x: Vec<f32> = (0..48_000).map(|i| (i as f32 * 0.05).sin() * 0.5).collect();
        let run = |chunk: usize| {
            let mut t = Timeline::new(48_000, 2, 48_000).unwrap();
            for c in x.chunks(chunk) {
                t.push(&[c, c], None);
            }
            t.finish(48_000)
        };
        let (a, b) = (run(100), run(4096));
        assert_eq!(a.envelopes, b.envelopes);
        // NaN (not read yet) is never equal to itself: compare the bits.
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.momentary), bits(&b.momentary));
        assert_eq!(bits(&a.short_term), bits(&b.short_term));
        assert_eq!(a.figures.integrated_lufs, b.figures.integrated_lufs);
        let o = run(4096);
        assert!(o.gain_reduction.is_none());
        assert_eq!(o.momentary.len(), 1500);
        assert!(o.momentary[0].is_nan() && o.momentary[1499].is_finite());
    }
}
