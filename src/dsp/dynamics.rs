//! Building blocks shared by the dynamics processors (compressor, and later
//! gate, expander, de-esser): level detectors, the static gain computers in the
//! dB domain, and attack/release ballistics.
//!
//! Conventions, used in every doc string that mentions them:
//! - Levels are detected in the *power* domain (`x^2`), so a level below the
//!   point where the curve starts is recognised without a logarithm.
//! - Gain reduction is a positive number of dB, smoothed in the dB domain.
//! - **Attack and release are time constants**: after a step in the target gain
//!   reduction, the applied reduction covers 1 - 1/e (63.2%) of the change in the
//!   attack time (when reduction grows) or the release time (when it shrinks).

/// How the level of a frame is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectorKind {
    /// The largest instantaneous |x| of the channels (stereo-linked).
    Peak,
    /// The mean power of the channels, averaged with a one-pole of time constant
    /// [`RMS_WINDOW`]: a sine reads 3.01 dB below its peak.
    Rms,
}

/// The averaging time constant of the RMS detector, in seconds.
pub const RMS_WINDOW: f64 = 0.010;

impl DetectorKind {
    pub fn from_word(word: &str) -> Result<Self, String> {
        match word {
            "peak" => Ok(Self::Peak),
            "rms" => Ok(Self::Rms),
            w => Err(format!("unknown detector `{w}` (peak or rms)")),
        }
    }
}

/// A level detector with its state (the RMS average).
#[derive(Debug, Clone, Copy)]
pub struct Detector {
    kind: DetectorKind,
    coef: f64,
    mean_square: f64,
}

impl Detector {
    pub fn new(kind: DetectorKind, rate: f64) -> Self {
        Self {
            kind,
            coef: one_pole(RMS_WINDOW, rate),
            mean_square: 0.0,
        }
    }

    pub fn reset(&mut self) {
        self.mean_square = 0.0;
    }

    /// The level (as power, `x^2`) of frame `i` of `chans`.
    #[inline]
    pub fn power<C: AsRef<[f32]>>(&mut self, chans: &[C], i: usize) -> f64 {
        match self.kind {
            DetectorKind::Peak => chans.iter().fold(0.0f64, |m, c| {
                let x = f64::from(c.as_ref()[i]);
                m.max(x * x)
            }),
            DetectorKind::Rms => {
                let sum: f64 = chans
                    .iter()
                    .map(|c| {
                        let x = f64::from(c.as_ref()[i]);
                        x * x
                    })
                    .sum();
                let p = sum / chans.len().max(1) as f64;
                let ms = self.coef * self.mean_square + (1.0 - self.coef) * p;
                // In silence the average decays geometrically into subnormal numbers,
                // which are very slow to compute with; 1e-30 is -300 dB.
                self.mean_square = if ms < 1e-30 { 0.0 } else { ms };
                self.mean_square
            }
        }
    }

    /// The levels of frames `start..start + out.len()` of `chans` into `out`: the
    /// same values, in the same order, as [`Self::power`] frame by frame. Mono and
    /// stereo get loops without bounds checks or channel iteration that the compiler
    /// vectorises; only the RMS average's recursion stays serial.
    pub fn powers<C: AsRef<[f32]>>(&mut self, chans: &[C], start: usize, out: &mut [f64]) {
        let end = start + out.len();
        match (self.kind, chans) {
            (DetectorKind::Peak, [m]) => {
                for (o, &x) in out.iter_mut().zip(&m.as_ref()[start..end]) {
                    let x = f64::from(x);
                    *o = 0.0f64.max(x * x);
                }
            }
            (DetectorKind::Peak, [l, r]) => {
                let (l, r) = (&l.as_ref()[start..end], &r.as_ref()[start..end]);
                for ((o, &a), &b) in out.iter_mut().zip(l).zip(r) {
                    let (a, b) = (f64::from(a), f64::from(b));
                    *o = 0.0f64.max(a * a).max(b * b);
                }
            }
            (DetectorKind::Rms, [m]) => {
                // `sum()` of one square is -0.0 + x^2 = x^2 exactly, and / 1 is exact.
                let w = 1.0 - self.coef;
                for (o, &x) in out.iter_mut().zip(&m.as_ref()[start..end]) {
                    let x = f64::from(x);
                    *o = w * (x * x);
                }
                self.average(out);
            }
            (DetectorKind::Rms, [l, r]) => {
                let (l, r) = (&l.as_ref()[start..end], &r.as_ref()[start..end]);
                let w = 1.0 - self.coef;
                for ((o, &a), &b) in out.iter_mut().zip(l).zip(r) {
                    let (a, b) = (f64::from(a), f64::from(b));
                    // `sum()` starts from -0.0, which adds exactly: a^2 + b^2, then / 2.
                    *o = w * ((a * a + b * b) / 2.0);
                }
                self.average(out);
            }
            _ => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = self.power(chans, start + i);
                }
            }
        }
    }

    /// The RMS one-pole over `inputs`, each already `(1 - coef) * power`, in place.
    #[inline]
    fn average(&mut self, inputs: &mut [f64]) {
        let (coef, mut state) = (self.coef, self.mean_square);
        for v in inputs.iter_mut() {
            let ms = coef * state + *v;
            state = if ms < 1e-30 { 0.0 } else { ms };
            *v = state;
        }
        self.mean_square = state;
    }
}

/// The pole of a one-pole smoother with time constant `tau` seconds (0 gives no smoothing).
pub fn one_pole(tau: f64, rate: f64) -> f64 {
    if tau > 0.0 {
        libm::exp(-1.0 / (tau * rate))
    } else {
        0.0
    }
}

/// Power (`x^2`) to dB.
#[inline]
pub fn power_db(p: f64) -> f64 {
    // Per sample in every detector: the arithmetic log of `fastmath`, not libm's.
    super::fastmath::power_to_db(p)
}

/// dB to power (`x^2`).
pub fn db_power(db: f64) -> f64 {
    libm::exp10(db / 10.0)
}

/// A downward compressor's static curve (Giannoulis, Massberg & Reiss, "Digital
/// Dynamic Range Compressor Design", JAES 2012, eq. 4): the gain reduction in dB
/// (>= 0) for an input level `x` dB, threshold `t` dB, `ratio` and knee width `w` dB,
/// with a quadratic soft knee spanning `t - w/2 .. t + w/2`.
#[inline]
pub fn compressor_reduction(x: f64, t: f64, ratio: f64, w: f64) -> f64 {
    let over = x - t;
    let slope = 1.0 - 1.0 / ratio;
    // All three parts are computed and one selected (the knee's may be inf or NaN
    // when it is not the one), so a loop over frames has no branch and vectorises.
    let k = over + w / 2.0;
    let knee = slope * k * k / (2.0 * w);
    let above = slope * over;
    if 2.0 * over <= -w {
        0.0
    } else if 2.0 * over < w {
        knee
    } else {
        above
    }
}

/// Branching one-pole ballistics on a gain reduction in dB: the attack pole while
/// the target is above the present value, the release pole while it is below.
#[derive(Debug, Clone, Copy)]
pub struct Ballistics {
    attack: f64,
    release: f64,
    value: f64,
}

/// Below this much reduction (dB) the release snaps to exactly 0, so a released
/// processor is an exact unity gain and the state never turns subnormal.
const SNAP_DB: f64 = 1e-6;

impl Ballistics {
    /// `attack` and `release` are time constants in seconds.
    pub fn new(attack: f64, release: f64, rate: f64) -> Self {
        Self {
            attack: one_pole(attack, rate),
            release: one_pole(release, rate),
            value: 0.0,
        }
    }

    pub fn set_attack(&mut self, tau: f64, rate: f64) {
        self.attack = one_pole(tau, rate);
    }

    pub fn set_release(&mut self, tau: f64, rate: f64) {
        self.release = one_pole(tau, rate);
    }

    pub fn reset(&mut self) {
        self.value = 0.0;
    }

    /// Advances one sample toward `target` and returns the smoothed reduction.
    #[inline]
    pub fn next(&mut self, target: f64) -> f64 {
        let c = if target > self.value {
            self.attack
        } else {
            self.release
        };
        self.value = target + c * (self.value - target);
        if target == 0.0 && self.value < SNAP_DB {
            self.value = 0.0;
        }
        self.value
    }

    /// [`Self::next`] over a block of targets, replaced in place by the reductions.
    /// Returns whether any reduction is non-zero.
    #[inline]
    pub fn run(&mut self, buf: &mut [f64]) -> bool {
        let (attack, release, mut value) = (self.attack, self.release, self.value);
        let mut any = false;
        for v in buf.iter_mut() {
            let target = *v;
            let c = if target > value { attack } else { release };
            value = target + c * (value - target);
            if target == 0.0 && value < SNAP_DB {
                value = 0.0;
            }
            any |= value != 0.0;
            *v = value;
        }
        self.value = value;
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_curve_hard_and_soft() {
        // Hard knee: 12 dB over a -18 dB threshold at 4:1 is reduced by 9 dB.
        assert_eq!(compressor_reduction(-6.0, -18.0, 4.0, 0.0), 9.0);
        assert_eq!(compressor_reduction(-20.0, -18.0, 4.0, 0.0), 0.0);
        // Soft knee midpoint: (1 - 1/R) * W / 8 (Giannoulis eq. 4 at x = T).
        let mid = compressor_reduction(-18.0, -18.0, 4.0, 12.0);
        assert!((mid - 0.75 * 12.0 / 8.0).abs() < 1e-12);
        // The knee meets the straight parts at its ends (continuity, to 1e-12 dB).
        let lo = compressor_reduction(-24.0, -18.0, 4.0, 12.0);
        let hi = compressor_reduction(-12.0, -18.0, 4.0, 12.0);
        assert!(lo.abs() < 1e-12 && (hi - 4.5).abs() < 1e-12);
    }

    #[test]
    fn ballistics_reach_63_percent_in_one_time_constant() {
        let rate = 48000.0;
        let mut b = Ballistics::new(0.01, 0.1, rate);
        let n = (0..)
            .find(|_| b.next(10.0) >= 10.0 * (1.0 - (-1.0f64).exp()))
            .unwrap();
        assert!((n + 1) as f64 - 0.01 * rate <= 1.0);
        for _ in 0..48000 {
            b.next(10.0);
        }
        let n = (0..)
            .find(|_| b.next(0.0) <= 10.0 * (-1.0f64).exp())
            .unwrap();
        assert!(((n + 1) as f64 - 0.1 * rate).abs() <= 2.0);
        for _ in 0..48000 * 2 {
            b.next(0.0);
        }
        assert_eq!(b.next(0.0), 0.0);
    }
}
