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
        let mut pos = self.pos;
        for (ch, (o, i)) in out.iter_mut().zip(input).enumerate() {
            let ring = &mut self.rings[ch];
            pos = self.pos;
            for k in 0..n {
                o[k] = ring[pos];
                ring[pos] = i[k];
                pos += 1;
                if pos == d {
                    pos = 0;
                }
            }
        }
        self.pos = pos;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_exactly_across_blocks() {
        let input: Vec<f32> = (0..100).map(|i| i as f32 + 1.0).collect();
        for block in [1, 7, 100] {
            let mut d = DelayLine::new(1, 5);
            let mut out = Vec::new();
            for chunk in input.chunks(block) {
                let mut o = vec![vec![0.0; chunk.len()]];
                d.process(&[chunk], &mut o, chunk.len());
                out.extend_from_slice(&o[0]);
            }
            assert_eq!(&out[..5], &[0.0; 5]);
            assert_eq!(&out[5..], &input[..95]);
        }
    }
}
