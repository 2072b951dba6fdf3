//! Biquad filters: RBJ "Audio EQ Cookbook" coefficient design (bilinear transform
//! prewarped at the corner/centre frequency), first-order sections, and the
//! transposed direct form II state that runs them in f64.
//!
//! Coefficients are plain values, separate from filter state, and know their own
//! analytic magnitude response, which the tests compare against measurement. All
//! trigonometry goes through `libm` so coefficients are the same bits on every CPU.

use std::f64::consts::PI;

/// Normalised coefficients (a0 = 1) of `H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)`.
/// A first-order section has `b2 = a2 = 0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coefs {
    pub b0: f64,
    pub b1: f64,
    pub b2: f64,
    pub a1: f64,
    pub a2: f64,
}

/// Angular frequency and the shared RBJ terms; `freq` is kept inside (0, Nyquist)
/// so the bilinear transform never sees Nyquist (where `tan` diverges).
fn omega(freq: f64, rate: f64) -> f64 {
    let f = freq.clamp(1e-3, 0.4999 * rate);
    2.0 * PI * f / rate
}

fn alpha(w0: f64, q: f64) -> f64 {
    libm::sin(w0) / (2.0 * q.max(1e-3))
}

impl Coefs {
    /// Passes the signal unchanged.
    pub const IDENTITY: Coefs = Coefs {
        b0: 1.0,
        b1: 0.0,
        b2: 0.0,
        a1: 0.0,
        a2: 0.0,
    };

    fn normalised(b0: f64, b1: f64, b2: f64, a0: f64, a1: f64, a2: f64) -> Self {
        Coefs {
            b0: b0 / a0,
            b1: b1 / a0,
            b2: b2 / a0,
            a1: a1 / a0,
            a2: a2 / a0,
        }
    }

    /// Second-order low-pass (RBJ LPF); -3 dB at `freq` when q = 1/sqrt(2).
    pub fn lowpass(freq: f64, q: f64, rate: f64) -> Self {
        let w0 = omega(freq, rate);
        let (c, a) = (libm::cos(w0), alpha(w0, q));
        // 1 - cos(w0) written as 2 sin^2(w0/2) to keep precision at low frequencies.
        let omc = 2.0 * libm::sin(w0 / 2.0) * libm::sin(w0 / 2.0);
        Self::normalised(omc / 2.0, omc, omc / 2.0, 1.0 + a, -2.0 * c, 1.0 - a)
    }

    /// Second-order high-pass (RBJ HPF).
    pub fn highpass(freq: f64, q: f64, rate: f64) -> Self {
        let w0 = omega(freq, rate);
        let (c, a) = (libm::cos(w0), alpha(w0, q));
        let opc = 1.0 + c;
        Self::normalised(opc / 2.0, -opc, opc / 2.0, 1.0 + a, -2.0 * c, 1.0 - a)
    }

    /// First-order low-pass (bilinear transform of `1 / (s + 1)`, prewarped at `freq`).
    pub fn lowpass1(freq: f64, rate: f64) -> Self {
        let k = libm::tan(omega(freq, rate) / 2.0);
        let b = k / (1.0 + k);
        Coefs {
            b0: b,
            b1: b,
            b2: 0.0,
            a1: (k - 1.0) / (k + 1.0),
            a2: 0.0,
        }
    }

    /// First-order high-pass (bilinear transform of `s / (s + 1)`, prewarped at `freq`).
    pub fn highpass1(freq: f64, rate: f64) -> Self {
        let k = libm::tan(omega(freq, rate) / 2.0);
        let b = 1.0 / (1.0 + k);
        Coefs {
            b0: b,
            b1: -b,
            b2: 0.0,
            a1: (k - 1.0) / (k + 1.0),
            a2: 0.0,
        }
    }

    /// Band-pass with 0 dB gain at `freq` (RBJ BPF, constant peak gain).
    pub fn bandpass(freq: f64, q: f64, rate: f64) -> Self {
        let w0 = omega(freq, rate);
        let (c, a) = (libm::cos(w0), alpha(w0, q));
        Self::normalised(a, 0.0, -a, 1.0 + a, -2.0 * c, 1.0 - a)
    }

    /// Notch: a zero on the unit circle at `freq` (RBJ notch).
    pub fn notch(freq: f64, q: f64, rate: f64) -> Self {
        let w0 = omega(freq, rate);
        let (c, a) = (libm::cos(w0), alpha(w0, q));
        Self::normalised(1.0, -2.0 * c, 1.0, 1.0 + a, -2.0 * c, 1.0 - a)
    }

    /// Peaking EQ (RBJ peakingEQ): exactly `gain_db` at `freq`, 0 dB far away.
    pub fn bell(freq: f64, gain_db: f64, q: f64, rate: f64) -> Self {
        let w0 = omega(freq, rate);
        let (c, a) = (libm::cos(w0), alpha(w0, q));
        let big_a = libm::exp10(gain_db / 40.0);
        Self::normalised(
            1.0 + a * big_a,
            -2.0 * c,
            1.0 - a * big_a,
            1.0 + a / big_a,
            -2.0 * c,
            1.0 - a / big_a,
        )
    }

    /// Low shelf (RBJ lowShelf): `gain_db` at DC, half of it (in dB) at `freq`, 0 dB at Nyquist.
    pub fn low_shelf(freq: f64, gain_db: f64, q: f64, rate: f64) -> Self {
        Self::shelf(freq, gain_db, q, rate, false)
    }

    /// High shelf (RBJ highShelf): 0 dB at DC, half of `gain_db` at `freq`, `gain_db` at Nyquist.
    pub fn high_shelf(freq: f64, gain_db: f64, q: f64, rate: f64) -> Self {
        Self::shelf(freq, gain_db, q, rate, true)
    }

    fn shelf(freq: f64, gain_db: f64, q: f64, rate: f64, high: bool) -> Self {
        let w0 = omega(freq, rate);
        let big_a = libm::exp10(gain_db / 40.0);
        // The high shelf is the low shelf with cos(w0) and the odd taps negated.
        let (c, s) = if high {
            (-libm::cos(w0), -1.0)
        } else {
            (libm::cos(w0), 1.0)
        };
        let ta = 2.0 * libm::sqrt(big_a) * alpha(w0, q);
        let (ap, am) = (big_a + 1.0, big_a - 1.0);
        Self::normalised(
            big_a * (ap - am * c + ta),
            s * 2.0 * big_a * (am - ap * c),
            big_a * (ap - am * c - ta),
            ap + am * c + ta,
            s * -2.0 * (am + ap * c),
            ap + am * c - ta,
        )
    }

    /// Analytic magnitude response in dB at `freq` Hz.
    pub fn magnitude_db(&self, freq: f64, rate: f64) -> f64 {
        let w = 2.0 * PI * freq / rate;
        let (c1, s1) = (libm::cos(w), libm::sin(w));
        let (c2, s2) = (libm::cos(2.0 * w), libm::sin(2.0 * w));
        let (nr, ni) = (
            self.b0 + self.b1 * c1 + self.b2 * c2,
            -(self.b1 * s1 + self.b2 * s2),
        );
        let (dr, di) = (
            1.0 + self.a1 * c1 + self.a2 * c2,
            -(self.a1 * s1 + self.a2 * s2),
        );
        10.0 * libm::log10((nr * nr + ni * ni).max(1e-300) / (dr * dr + di * di).max(1e-300))
    }

    /// The coefficients a fraction `t` (0..1) of the way from `self` to `to`. The
    /// stability region of (a1, a2) is a triangle, hence convex: interpolating between
    /// two stable sections gives stable sections all the way.
    #[inline]
    pub fn lerp(&self, to: &Coefs, t: f64) -> Coefs {
        Coefs {
            b0: self.b0 + (to.b0 - self.b0) * t,
            b1: self.b1 + (to.b1 - self.b1) * t,
            b2: self.b2 + (to.b2 - self.b2) * t,
            a1: self.a1 + (to.a1 - self.a1) * t,
            a2: self.a2 + (to.a2 - self.a2) * t,
        }
    }
}

/// Pole Qs of an order-`order` Butterworth filter's second-order sections (the
/// poles in pairs); an odd order adds one first-order section.
pub fn butterworth_qs(order: usize) -> impl Iterator<Item = f64> {
    (0..order / 2)
        .map(move |k| 1.0 / (2.0 * libm::sin(PI * (2 * k + 1) as f64 / (2 * order) as f64)))
}

/// State below this is set to zero. A filter ringing out into silence decays towards
/// subnormal numbers, which x86 CPUs process up to a hundred times slower; 1e-30 is
/// some 600 dB below full scale. Flushing per sample, by value, keeps the output
/// independent of how the signal is split into blocks.
const FLUSH_BELOW: f64 = 1e-30;

#[inline]
fn flush(x: f64) -> f64 {
    if x.abs() < FLUSH_BELOW { 0.0 } else { x }
}

/// Transposed direct form II state of one section (f64).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct State {
    s1: f64,
    s2: f64,
}

impl State {
    #[inline]
    pub fn tick(&mut self, c: &Coefs, x: f64) -> f64 {
        let y = c.b0 * x + self.s1;
        self.s1 = flush(c.b1 * x - c.a1 * y + self.s2);
        self.s2 = flush(c.b2 * x - c.a2 * y);
        y
    }

    /// Filters `buf` in place with fixed coefficients.
    pub fn run(&mut self, c: &Coefs, buf: &mut [f64]) {
        let (mut s1, mut s2) = (self.s1, self.s2);
        for x in buf.iter_mut() {
            let y = c.b0 * *x + s1;
            s1 = flush(c.b1 * *x - c.a1 * y + s2);
            s2 = flush(c.b2 * *x - c.a2 * y);
            *x = y;
        }
        self.s1 = s1;
        self.s2 = s2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Tolerance 1e-9 dB: these identities are exact in the math; the slack covers
    // f64 rounding in the coefficients and the response evaluation.
    const EXACT: f64 = 1e-9;

    #[test]
    fn bell_is_exact_at_its_centre() {
        for rate in [44100.0, 48000.0, 96000.0] {
            for g in [-12.0, 6.0, 18.0] {
                let c = Coefs::bell(1000.0, g, 1.0, rate);
                assert!((c.magnitude_db(1000.0, rate) - g).abs() < EXACT);
                assert!(c.magnitude_db(0.0, rate).abs() < EXACT);
            }
        }
    }

    #[test]
    fn shelves_reach_full_and_half_gain() {
        let rate = 48000.0;
        let lo = Coefs::low_shelf(200.0, 8.0, 0.707, rate);
        assert!((lo.magnitude_db(0.0, rate) - 8.0).abs() < EXACT);
        assert!((lo.magnitude_db(200.0, rate) - 4.0).abs() < EXACT);
        assert!(lo.magnitude_db(rate / 2.0, rate).abs() < EXACT);
        let hi = Coefs::high_shelf(5000.0, -6.0, 0.707, rate);
        assert!((hi.magnitude_db(rate / 2.0, rate) + 6.0).abs() < EXACT);
        assert!((hi.magnitude_db(5000.0, rate) + 3.0).abs() < EXACT);
        assert!(hi.magnitude_db(0.0, rate).abs() < EXACT);
    }

    #[test]
    fn bandpass_and_notch_at_centre() {
        let rate = 44100.0;
        assert!(
            Coefs::bandpass(3000.0, 2.0, rate)
                .magnitude_db(3000.0, rate)
                .abs()
                < EXACT
        );
        assert!(Coefs::notch(3000.0, 2.0, rate).magnitude_db(3000.0, rate) < -200.0);
    }

    #[test]
    fn butterworth_qs_match_the_tables() {
        // Butterworth pole Qs from the standard tables (4 decimals).
        let q4: Vec<f64> = butterworth_qs(4).collect();
        assert!((q4[0] - 1.3066).abs() < 1e-4 && (q4[1] - 0.5412).abs() < 1e-4);
        let q3: Vec<f64> = butterworth_qs(3).collect();
        assert!(q3.len() == 1 && (q3[0] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn interpolation_keeps_stability() {
        let a = Coefs::highpass(20.0, 10.0, 48000.0);
        let b = Coefs::lowpass(20000.0, 10.0, 48000.0);
        for i in 0..=100 {
            let c = a.lerp(&b, f64::from(i) / 100.0);
            assert!(c.a2.abs() < 1.0 && c.a1.abs() < 1.0 + c.a2);
        }
    }
}
