//! True-peak detection by 4x oversampling (the method of ITU-R BS.1770-4 Annex 2),
//! stereo-linked, for the limiter.
//!
//! The three in-between phases come from a 24-tap-per-phase Kaiser-windowed sinc
//! (beta 7, cutoff at the input Nyquist frequency, each phase normalised to unity
//! gain at DC). The on-sample phase of such a filter is a pure delay, so the
//! samples themselves are always part of the maximum. Like any 4x meter it can
//! under-read a peak that falls midway between two of its points, by up to
//! `1 - cos(pi f / (4 rate))` (0.12 dB at 10 kHz, 48 kHz).

use std::f64::consts::PI;

/// Taps per phase.
const TAPS: usize = 24;
const HALF: usize = TAPS / 2;
/// Kaiser window shape: sidelobes about 70 dB down.
const BETA: f64 = 7.0;

/// Delay in samples between a frame going in and the interval its reading covers.
pub const DELAY: usize = HALF;

/// Zeroth-order modified Bessel function of the first kind (power series).
pub(crate) fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-17 * sum {
        term *= (x / (2.0 * k)) * (x / (2.0 * k));
        sum += term;
        k += 1.0;
    }
    sum
}

fn phase(k: usize) -> [f64; TAPS] {
    let mut h = [0.0; TAPS];
    for (j, tap) in h.iter_mut().enumerate() {
        // Distance from input sample x[n - j] to the point (n - HALF + k/4).
        let d = j as f64 - HALF as f64 + k as f64 / 4.0;
        let sinc = libm::sin(PI * d) / (PI * d);
        let r = d / (HALF as f64 + 1.0);
        *tap = sinc * bessel_i0(BETA * libm::sqrt(1.0 - r * r)) / bessel_i0(BETA);
    }
    let sum: f64 = h.iter().sum();
    h.map(|t| t / sum)
}

/// Stereo-linked 4x true-peak detector with per-channel history.
pub struct TruePeak {
    phases: [[f64; TAPS]; 3],
    /// Per channel, the last TAPS inputs written twice (at `pos` and `pos + TAPS`)
    /// so the newest TAPS are always one contiguous slice.
    history: Vec<[f64; 2 * TAPS]>,
    pos: usize,
}

impl TruePeak {
    pub fn new(channels: usize) -> Self {
        Self {
            phases: [phase(1), phase(2), phase(3)],
            history: vec![[0.0; 2 * TAPS]; channels.max(1)],
            pos: 0,
        }
    }

    pub fn reset(&mut self) {
        self.history.iter_mut().for_each(|h| *h = [0.0; 2 * TAPS]);
        self.pos = 0;
    }

    /// Takes frame `i` of `chans` and returns the largest |value| over the interval
    /// from sample `i - DELAY` up to (not including) sample `i - DELAY + 1`.
    #[inline]
    pub fn push<C: AsRef<[f32]>>(&mut self, chans: &[C], i: usize) -> f64 {
        self.pos = if self.pos == 0 {
            TAPS - 1
        } else {
            self.pos - 1
        };
        let mut peak = 0.0f64;
        for (c, h) in chans.iter().zip(self.history.iter_mut()) {
            let x = f64::from(c.as_ref()[i]);
            h[self.pos] = x;
            h[self.pos + TAPS] = x;
            // Newest first: win[j] = x[n - j].
            let win = &h[self.pos..self.pos + TAPS];
            peak = peak.max(win[HALF].abs());
            for ph in &self.phases {
                peak = peak.max(dot(win, ph).abs());
            }
        }
        peak
    }
}

/// An inner product with four running sums: one sum would make every add wait for
/// the one before, four let the CPU overlap them. The order is fixed, so the result
/// is the same on every run and for any block size.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testutil::{db, sine};

    /// The largest reading, past the switch-on transient of the test signal.
    fn read(x: &[f32]) -> f64 {
        let mut tp = TruePeak::new(1);
        let chans = [x];
        (0..x.len())
            .map(|i| tp.push(&chans, i))
            .skip(4 * TAPS)
            .fold(0.0, f64::max)
    }

    #[test]
    fn finds_the_peak_between_samples() {
        // A quarter-rate sine at 45 degrees: every sample is +-0.707, the wave peaks
        // at 1.0 midway between samples (BS.1770-4's classic +3 dB case).
        let x: Vec<f32> = (0..4800)
            .map(|n| libm::sin(PI / 2.0 * n as f64 + PI / 4.0) as f32)
            .collect();
        // 0.05 dB: the interpolator's passband ripple at a quarter of the rate.
        assert!(db(read(&x)).abs() < 0.05, "{}", db(read(&x)));
    }

    #[test]
    fn reads_sines_within_the_4x_bound() {
        for f in [100.0, 997.0, 5000.0, 10000.0] {
            let got = db(read(&sine(4800, f, 48000.0, 0.5))) - db(0.5);
            // Under-read at most 1 - cos(pi f / (4 rate)) plus 0.05 dB of ripple;
            // over-read at most the 0.05 dB ripple.
            let bound = db(libm::cos(PI * f / (4.0 * 48000.0))) - 0.05;
            assert!(got > bound && got < 0.05, "{f} Hz: {got} dB");
        }
    }

    #[test]
    fn on_sample_phase_is_a_pure_delay() {
        let mut tp = TruePeak::new(1);
        let mut x = vec![0.0f32; 64];
        x[3] = 1.0;
        let reads: Vec<f64> = (0..64).map(|i| tp.push(&[&x[..]], i)).collect();
        assert_eq!(reads[3 + DELAY], 1.0);
    }
}
