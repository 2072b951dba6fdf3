//! A fixed delay line for latency compensation (planar, any block size).

pub struct DelayLine {
    /// One ring per channel, `delay` frames long.
    rings: Vec<Vec<f32>>,
    pos: usize,
}

impl DelayLine {
    pub fn new(channels: usize, delay: usize) -> Self {
        Self {
            rings: vec![vec![0.0; delay]; channels],
            pos: 0,
        }
    }

    pub fn delay(&self) -> usize {
        self.rings.first().map_or(0, Vec::len)
    }

    /// Writes `input` delayed into `out` (same lengths, per channel).
    pub fn process(&mut self, input: &[&[f32]], out: &mut [Vec<f32>], n: usize) {
        let d = self.delay();
        if d == 0 {
            for (o, i) in out.iter_mut().zip(input) {
                o[..n].copy_from_slice(&i[..n]);
            }
            return;
        }
        // The ring holds the last `d` inputs, the oldest at `pos`. Each output is
        // the input `d` frames before it: first what the ring holds (from `pos`,
        // wrapping), then, past `d` frames, the block's own earlier inputs. Whole
        // slices are copied, never a frame at a time.
        let pos = self.pos;
        for (ch, (o, i)) in out.iter_mut().zip(input).enumerate() {
            let (o, i, ring) = (&mut o[..n], &i[..n], &mut self.rings[ch]);
            let old = n.min(d);
            let first = old.min(d - pos);
            o[..first].copy_from_slice(&ring[pos..pos + first]);
            o[first..old].copy_from_slice(&ring[..old - first]);
            o[old..].copy_from_slice(&i[..n - old]);
            // The newest `old` inputs stay, input `k` at `(pos + k) % d`.
            let fresh = &i[n - old..];
            let start = (pos + n - old) % d;
            let first = old.min(d - start);
            ring[start..start + first].copy_from_slice(&fresh[..first]);
            ring[..old - first].copy_from_slice(&fresh[first..]);
        }
        self.pos = (pos + n) % d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_exactly_across_blocks() {
        let input: Vec<f32> = (0..100).map(|i| i as f32 + 1.0).collect();
        // Blocks shorter than the delay, as long, longer, and not multiples of it.
        for delay in [1, 5, 13] {
            for block in [1, 3, 5, 7, 13, 26, 100] {
                let mut d = DelayLine::new(1, delay);
                let mut out = Vec::new();
                for chunk in input.chunks(block) {
                    let mut o = vec![vec![0.0; chunk.len()]];
                    d.process(&[chunk], &mut o, chunk.len());
                    out.extend_from_slice(&o[0]);
                }
                assert_eq!(&out[..delay], &vec![0.0; delay][..], "{delay} {block}");
                assert_eq!(&out[delay..], &input[..100 - delay], "{delay} {block}");
            }
        }
    }
}
