//! Parameter smoothing shared by the processors: a fixed-length linear ramp.
//!
//! The ramp length is counted in samples from the `set_param` call, never in
//! blocks, so a moving parameter renders the same bits for any chunk size. It
//! matches the automation engine's sub-block of at most 32 samples: values set
//! every 32 samples join into one continuous piecewise-linear curve.

/// Samples a new value takes to be reached.
pub const RAMP_LEN: u32 = 32;

/// A value that glides linearly to its target over [`RAMP_LEN`] samples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ramp {
    current: f64,
    target: f64,
    step: f64,
    left: u32,
}

impl Ramp {
    /// A ramp resting at `value`.
    pub fn new(value: f64) -> Self {
        Self {
            current: value,
            target: value,
            step: 0.0,
            left: 0,
        }
    }

    /// Starts gliding from the present value to `target`.
    pub fn set(&mut self, target: f64) {
        if !target.is_finite() || !self.current.is_finite() {
            // A jump to or from an infinite value cannot be interpolated: take it at once.
            *self = Self::new(target);
            return;
        }
        self.target = target;
        self.step = (target - self.current) / f64::from(RAMP_LEN);
        self.left = RAMP_LEN;
    }

    /// Jumps to `value` with no glide (used by `reset`).
    pub fn jump(&mut self, value: f64) {
        *self = Self::new(value);
    }

    /// Samples left before the target is reached.
    pub fn remaining(&self) -> usize {
        self.left as usize
    }

    /// The value for the present sample once the ramp has ended.
    pub fn value(&self) -> f64 {
        self.current
    }

    /// The value for the next sample, advancing the ramp by one sample.
    #[inline]
    pub fn next_value(&mut self) -> f64 {
        if self.left > 0 {
            self.left -= 1;
            self.current = if self.left == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reaches_target_exactly_after_ramp_len() {
        let mut r = Ramp::new(0.0);
        r.set(1.0);
        let vals: Vec<f64> = (0..RAMP_LEN).map(|_| r.next_value()).collect();
        assert_eq!(vals[RAMP_LEN as usize - 1], 1.0);
        assert!((vals[0] - 1.0 / 32.0).abs() < 1e-15);
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.next_value(), 1.0);
    }

    #[test]
    fn infinite_targets_jump() {
        let mut r = Ramp::new(0.0);
        r.set(f64::NEG_INFINITY);
        assert_eq!(r.next_value(), f64::NEG_INFINITY);
        r.set(0.0);
        assert_eq!(r.next_value(), 0.0);
    }
}
