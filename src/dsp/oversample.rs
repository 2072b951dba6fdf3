//! Polyphase oversampling by [`FACTOR`] for nonlinear processors (`saturate`).
//!
//! One linear-phase Kaiser-windowed sinc serves both directions: [`TAPS`] taps
//! per phase (`FACTOR * TAPS + 1` in all), cutoff at 0.45 of the base rate,
//! passband to 0.4 and stopband from 0.5 of the base rate, Kaiser beta 10
//! (about 100 dB of stopband rejection, Kaiser's formula). The interpolator runs
//! each phase as its own short FIR (each phase normalised to unity DC gain); the
//! decimator computes only every `FACTOR`th output. Each filter delays by
//! `TAPS / 2` base samples, so a round trip delays by exactly [`LATENCY`] base
//! samples. Pure f64 arithmetic on fixed coefficients: the same bits on any CPU
//! and for any block split.

use super::truepeak::bessel_i0;
use std::f64::consts::PI;

/// Oversampling factor.
pub const FACTOR: usize = 8;
/// Taps per polyphase phase.
pub const TAPS: usize = 64;
/// Total taps.
const LEN: usize = FACTOR * TAPS + 1;
/// Base-rate delay of an upsample + downsample round trip.
pub const LATENCY: usize = TAPS;
const BETA: f64 = 10.0;

/// The prototype lowpass at the oversampled rate, unity DC gain.
fn prototype() -> Vec<f64> {
    let centre = (LEN - 1) as f64 / 2.0;
    let fc = 0.45 / FACTOR as f64;
    let mut h: Vec<f64> = (0..LEN)
        .map(|k| {
            let t = k as f64 - centre;
            let sinc = if t == 0.0 {
                2.0 * fc
            } else {
                libm::sin(2.0 * PI * fc * t) / (PI * t)
            };
            let r = t / centre;
            sinc * bessel_i0(BETA * libm::sqrt((1.0 - r * r).max(0.0))) / bessel_i0(BETA)
        })
        .collect();
    let sum: f64 = h.iter().sum();
    h.iter_mut().for_each(|v| *v /= sum);
    h
}

/// The filter state of one channel, both directions.
#[derive(Clone)]
pub struct Oversampler {
    /// `phases[p][j]` weighs input `x[n - j]` for output `n * FACTOR + p`.
    phases: Vec<[f64; TAPS + 1]>,
    /// Decimator taps, reversed so they line up with the newest-first history.
    down: Vec<f64>,
    /// Base-rate input history, newest first, written twice (ring trick).
    up_hist: [f64; 2 * (TAPS + 1)],
    up_pos: usize,
    /// Oversampled history for the decimator, newest first, written twice.
    down_hist: Vec<f64>,
    down_pos: usize,
}

impl Oversampler {
    pub fn new() -> Self {
        let h = prototype();
        let phases = (0..FACTOR)
            .map(|p| {
                let mut ph = [0.0; TAPS + 1];
                for (j, tap) in ph.iter_mut().enumerate() {
                    *tap = h.get(p + FACTOR * j).copied().unwrap_or(0.0);
                }
                let sum: f64 = ph.iter().sum();
                ph.map(|t| t / sum)
            })
            .collect();
        Self {
            phases,
            down: h,
            up_hist: [0.0; 2 * (TAPS + 1)],
            up_pos: 0,
            down_hist: vec![0.0; 2 * LEN],
            down_pos: 0,
        }
    }

    pub fn reset(&mut self) {
        self.up_hist = [0.0; 2 * (TAPS + 1)];
        self.up_pos = 0;
        self.down_hist.fill(0.0);
        self.down_pos = 0;
    }

    /// One base-rate sample in, [`FACTOR`] oversampled samples out.
    #[inline]
    pub fn up(&mut self, x: f64, out: &mut [f64; FACTOR]) {
        const N: usize = TAPS + 1;
        self.up_pos = if self.up_pos == 0 {
            N - 1
        } else {
            self.up_pos - 1
        };
        self.up_hist[self.up_pos] = x;
        self.up_hist[self.up_pos + N] = x;
        let win = &self.up_hist[self.up_pos..self.up_pos + N];
        for (o, ph) in out.iter_mut().zip(&self.phases) {
            *o = dot(win, ph);
        }
    }

    /// [`FACTOR`] oversampled samples in, one base-rate sample out.
    #[inline]
    /// The output is aligned with `v[0]` (the on-sample phase), so the round trip
    /// delays by a whole number of base samples.
    pub fn down(&mut self, v: &[f64; FACTOR]) -> f64 {
        self.push_down(v[0]);
        let y = dot(
            &self.down_hist[self.down_pos..self.down_pos + LEN],
            &self.down,
        );
        for &s in &v[1..] {
            self.push_down(s);
        }
        y
    }

    #[inline]
    fn push_down(&mut self, s: f64) {
        self.down_pos = if self.down_pos == 0 {
            LEN - 1
        } else {
            self.down_pos - 1
        };
        self.down_hist[self.down_pos] = s;
        self.down_hist[self.down_pos + LEN] = s;
    }
}

impl Default for Oversampler {
    fn default() -> Self {
        Self::new()
    }
}

/// A dot product in four fixed lanes (vectorises; the summation order is fixed).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f64; 4];
    let chunks = n / 4;
    for k in 0..chunks {
        for l in 0..4 {
            acc[l] += a[4 * k + l] * b[4 * k + l];
        }
    }
    let mut tail = 0.0;
    for k in chunks * 4..n {
        tail += a[k] * b[k];
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A round trip of a band-limited signal is a pure delay of LATENCY samples.
    #[test]
    fn round_trip_is_a_delay() {
        let x = crate::dsp::testutil::sine(4000, 3000.0, 48000.0, 0.5);
        let mut os = Oversampler::new();
        let mut buf = [0.0; FACTOR];
        let y: Vec<f64> = x
            .iter()
            .map(|&s| {
                os.up(f64::from(s), &mut buf);
                os.down(&buf)
            })
            .collect();
        let err = (1000..4000)
            .map(|n| (y[n] - f64::from(x[n - LATENCY])).abs())
            .fold(0.0, f64::max);
        // 1e-4 (-80 dB): passband ripple of a 100 dB Kaiser design is ~1e-5 per
        // filter; f32 input rounding is below that.
        assert!(err < 1e-4, "round trip error {err}");
    }
}
