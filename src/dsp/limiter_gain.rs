//! The limiter's gain curve, from the gain each frame needs to the gain applied.
//!
//! A sliding minimum holds each needed gain for `hold` frames; the release lets
//! the held gain return toward unity (linear domain, one-pole time constant); two
//! moving averages in a row, `ramp` frames long together, turn each step down into
//! a smooth S-shaped ramp (no corner where it starts, at most twice the slope of
//! a straight ramp). With `hold = ramp + span`, for a need entering at frame `n`
//! the curve is at or below it over the `span` frames from `n + ramp - 1` on.

/// A moving average over a fixed number of frames. The running sum is recomputed
/// exactly each time the ring wraps, so rounding cannot drift; the wrap falls on
/// fixed frame numbers, so any block size gives the same bits.
struct BoxAverage {
    ring: Vec<f64>,
    pos: usize,
    sum: f64,
    /// `1 / ring.len()`: a product is quicker than a quotient.
    scale: f64,
}

impl BoxAverage {
    fn new(len: usize) -> Self {
        let len = len.max(1);
        Self {
            ring: vec![1.0; len],
            pos: 0,
            sum: len as f64,
            scale: 1.0 / len as f64,
        }
    }

    fn reset(&mut self) {
        self.ring.fill(1.0);
        self.pos = 0;
        self.sum = self.ring.len() as f64;
    }

    #[inline]
    fn push(&mut self, g: f64) -> f64 {
        self.sum += g - self.ring[self.pos];
        self.ring[self.pos] = g;
        self.pos += 1;
        if self.pos == self.ring.len() {
            self.pos = 0;
            self.sum = self.ring.iter().sum();
        }
        // At most 1: the mean of values at most 1, and a rounding up cannot
        // lift the gain over unity.
        (self.sum * self.scale).min(1.0)
    }

    /// What every [`Self::push`] of `g` returns from now on, if that push leaves
    /// the average as it is: the ring holds only `g`, so the running sum gains
    /// `g - g = 0`, and the sum is already what the wrap recomputes. Scans the
    /// ring: meant for once per block, not per frame.
    fn settled(&self, g: f64) -> Option<f64> {
        let uniform = self.ring.iter().all(|v| v.to_bits() == g.to_bits());
        (uniform && self.sum.to_bits() == self.ring.iter().sum::<f64>().to_bits())
            .then(|| (self.sum * self.scale).min(1.0))
    }

    /// The state after `k` pushes of the value it is [`Self::settled`] on.
    fn skip(&mut self, k: usize) {
        self.pos = (self.pos + k) % self.ring.len();
    }
}

pub struct GainCurve {
    hold: usize,
    /// Sliding-minimum deque of (frame number, gain), a ring of `hold` slots.
    minq: Vec<(u64, f64)>,
    minq_head: usize,
    minq_len: usize,
    /// Per-frame release factor on the distance from unity.
    release: f64,
    held: f64,
    avg: [BoxAverage; 2],
    n: u64,
}

impl GainCurve {
    /// `ramp >= 1` frames down, `span >= 1` frames at or below each need.
    pub fn new(ramp: usize, span: usize, release: f64) -> Self {
        let ramp = ramp.max(1);
        let first = ramp.div_ceil(2);
        let hold = ramp + span.max(1) - 1;
        Self {
            hold,
            minq: vec![(0, 1.0); hold],
            minq_head: 0,
            minq_len: 0,
            release,
            held: 1.0,
            avg: [BoxAverage::new(first), BoxAverage::new(ramp + 1 - first)],
            n: 0,
        }
    }

    pub fn reset(&mut self, release: f64) {
        self.minq_head = 0;
        self.minq_len = 0;
        self.release = release;
        self.held = 1.0;
        self.avg.iter_mut().for_each(BoxAverage::reset);
        self.n = 0;
    }

    pub fn set_release(&mut self, release: f64) {
        self.release = release;
    }

    /// Takes this frame's needed gain (at most 1) and returns the gain to apply.
    #[inline]
    pub fn push(&mut self, need: f64) -> f64 {
        let min = self.sliding_min(need);
        self.held = min.min(1.0 - (1.0 - self.held) * self.release);
        self.n += 1;
        let a = self.avg[0].push(self.held);
        self.avg[1].push(a)
    }

    /// The gain every [`Self::push`] of a need of 1 returns from now on, if it
    /// leaves the curve as it is but for the frame count: no lower need is held,
    /// the release no longer moves the held gain, and both averages are settled.
    /// The release stalls short of unity (about `2^-54 / (1 - release)` below it)
    /// once a step rounds back to where it was, so after any reduction the gain
    /// stays just under 1, as does `len * (1 / len)` for some `len`.
    pub fn settled(&self) -> Option<f64> {
        let holding =
            self.minq_len > 1 || (self.minq_len == 1 && self.minq[self.minq_head].1 != 1.0);
        // What `push` makes of the held gain when the sliding minimum is 1.
        let next = 1.0f64.min(1.0 - (1.0 - self.held) * self.release);
        if holding || next.to_bits() != self.held.to_bits() {
            return None;
        }
        let a = self.avg[0].settled(self.held)?;
        self.avg[1].settled(a)
    }

    /// The state after `k >= 1` pushes of a need of 1 on a [`Self::settled`]
    /// curve, as [`Self::push`] leaves it: the queue holds just the last need at
    /// its head (it never expires, as `hold > 1`), the averages have moved on.
    pub fn skip(&mut self, k: usize) {
        debug_assert!(k >= 1 && self.hold > 1 && self.settled().is_some());
        self.n += k as u64;
        self.minq[self.minq_head] = (self.n - 1, 1.0);
        self.minq_len = 1;
        self.avg.iter_mut().for_each(|a| a.skip(k));
    }

    /// The smallest need over the last `hold` frames, given this frame's.
    #[inline]
    fn sliding_min(&mut self, g: f64) -> f64 {
        let w = self.hold;
        // Ring positions wrap by a compare, not a division.
        let wrap = |i: usize| if i >= w { i - w } else { i };
        // Drop the entry that left the window first, so the ring never overfills.
        if self.minq_len > 0 && self.minq[self.minq_head].0 + w as u64 <= self.n {
            self.minq_head = wrap(self.minq_head + 1);
            self.minq_len -= 1;
        }
        while self.minq_len > 0 {
            let back = wrap(self.minq_head + self.minq_len - 1);
            if self.minq[back].1 < g {
                break;
            }
            self.minq_len -= 1;
        }
        let at = wrap(self.minq_head + self.minq_len);
        self.minq[at] = (self.n, g);
        self.minq_len += 1;
        self.minq[self.minq_head].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_need_is_held_over_its_span_after_the_ramp() {
        let (ramp, span) = (9, 5);
        let mut c = GainCurve::new(ramp, span, 0.9);
        let g: Vec<f64> = (0..60)
            .map(|n| c.push(if n == 20 { 0.5 } else { 1.0 }))
            .collect();
        // Down over the ramp, at the need for exactly `span` frames, then released.
        assert!(g[..20].iter().all(|&v| v == 1.0));
        assert!(g[20..28].windows(2).all(|w| w[1] < w[0] && w[1] > 0.5));
        // 1e-12: the running sums' rounding.
        assert!(
            g[28..28 + span].iter().all(|&v| (v - 0.5).abs() < 1e-12),
            "{g:?}"
        );
        assert!(g[28 + span] > 0.5 + 1e-3);
        // The S shape: the first and last steps of the ramp are the smallest.
        let steps: Vec<f64> = g[19..29].windows(2).map(|w| w[0] - w[1]).collect();
        assert!(steps[0] < steps[4] && steps[8] < steps[4], "{steps:?}");
    }
}
