//! A small seeded random number generator (xoshiro256**, seeded by SplitMix64).
//! It lives here rather than in a crate so the stream of numbers, and with it every
//! noise generator and dither sequence, can never change under a dependency update.

#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), 53 bits.
    pub fn unit(&mut self) -> f64 {
        // Through i64, which the value fits: one conversion instruction on x86-64,
        // where u64 to f64 is a branchy sequence. The same value either way.
        ((self.next_u64() >> 11) as i64) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [-1, 1).
    pub fn bipolar(&mut self) -> f64 {
        self.unit() * 2.0 - 1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_and_uniform() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<f64> = (0..10000).map(|_| a.bipolar()).collect();
        assert!(xs.iter().all(|&x| x == b.bipolar()));
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        // The standard error of the mean of 10000 uniform(-1,1) draws is 0.0058.
        assert!(mean.abs() < 0.03, "{mean}");
        assert!(xs.iter().all(|x| (-1.0..1.0).contains(x)));
    }
}
