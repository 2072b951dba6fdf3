//! The limiter's lookahead: every channel's input held `latency` frames, so the gain
//! curve has turned down before a peak comes out. A ring of `latency + 1` frames per
//! channel: each frame is written into the slot whose old frame it pushes out.

pub struct Lookahead {
    rings: Vec<Vec<f32>>,
    pos: usize,
}

impl Lookahead {
    pub fn new(channels: usize, latency: usize) -> Self {
        Self {
            rings: vec![vec![0.0; latency + 1]; channels],
            pos: 0,
        }
    }

    pub fn reset(&mut self) {
        self.rings.iter_mut().for_each(|d| d.fill(0.0));
        self.pos = 0;
    }

    fn len(&self) -> usize {
        self.rings.first().map_or(1, Vec::len)
    }

    /// Frame `i` of every channel in, the frame `latency` before it out at gain `g`.
    #[inline]
    pub fn frame(&mut self, io: &mut [&mut [f32]], i: usize, g: f64) {
        let out = if self.pos + 1 == self.len() {
            0
        } else {
            self.pos + 1
        };
        for (ch, d) in io.iter_mut().zip(self.rings.iter_mut()) {
            d[self.pos] = ch[i];
            ch[i] = (f64::from(d[out]) * g) as f32;
        }
        self.pos = out;
    }

    /// Frames `at..at + n` as [`Self::frame`] gives them, all at gain `g`: the same
    /// bits, in slices instead of frame by frame.
    pub fn frames(&mut self, io: &mut [&mut [f32]], at: usize, n: usize, g: f64) {
        let len = self.len();
        for (ch, d) in io.iter_mut().zip(self.rings.iter_mut()) {
            let mut pos = self.pos;
            let mut frames = &mut ch[at..at + n];
            while !frames.is_empty() {
                if pos + 1 == len {
                    // The frame that wraps: it reads the ring's first slot.
                    let v = &mut frames[0];
                    d[pos] = *v;
                    *v = (f64::from(d[0]) * g) as f32;
                    (pos, frames) = (0, &mut frames[1..]);
                    continue;
                }
                // Frames that write slots pos.. and read the ones just after, each
                // read before it is written over: as one swap, a shift back by one
                // slot and the gain, in loops that vectorise.
                let k = frames.len().min(len - 1 - pos);
                let (now, rest) = std::mem::take(&mut frames).split_at_mut(k);
                let ring = &mut d[pos..=pos + k];
                now.swap_with_slice(&mut ring[1..]);
                ring.copy_within(1.., 0);
                ring[k] = now[k - 1];
                for v in now.iter_mut() {
                    *v = (f64::from(*v) * g) as f32;
                }
                (pos, frames) = (pos + k, rest);
            }
        }
        self.pos = (self.pos + n) % len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slices give the bits of frame-by-frame, for every block size against the ring
    /// (shorter, equal, longer, wrapping anywhere), and delay by `latency` frames.
    #[test]
    fn frames_in_slices_are_frames_one_by_one() {
        let x: Vec<f32> = (0..3000).map(|i| (i as f32 * 0.37).sin()).collect();
        let y: Vec<f32> = x.iter().map(|v| v * -0.5).collect();
        for latency in [0, 1, 7, 64] {
            for block in [1, 5, 64, 65, 200] {
                let (mut a, mut b) = (Lookahead::new(2, latency), Lookahead::new(2, latency));
                let (mut one, mut sliced) = ([x.clone(), y.clone()], [x.clone(), y.clone()]);
                let g = 0.7;
                for at in (0..x.len()).step_by(block) {
                    let n = block.min(x.len() - at);
                    let [l, r] = &mut one;
                    for i in at..at + n {
                        a.frame(&mut [&mut l[..], &mut r[..]], i, g);
                    }
                    let [l, r] = &mut sliced;
                    b.frames(&mut [&mut l[..], &mut r[..]], at, n, g);
                }
                let bits = |v: &[f32]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
                for c in 0..2 {
                    assert_eq!(bits(&one[c]), bits(&sliced[c]), "{latency} {block}");
                }
                let want = (f64::from(x[100]) * g) as f32;
                assert_eq!(one[0][100 + latency], want, "delayed by {latency}");
            }
        }
    }
}
