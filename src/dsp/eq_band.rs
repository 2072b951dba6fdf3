//! One `eq` band's settings and the design of its biquad sections.
//!
//! [`BandParams`] holds a band in canonical units, read from the IR against the
//! band table, and turns it into up to [`MAX_SECTIONS`] coefficient sets at a
//! given rate; the filter in the parent module runs and glides between them.

use super::BANDS;
use crate::dsp::biquad::{Coefs, butterworth_qs};
use crate::dsp::registry::number;
use crate::ir::Band;

pub(super) const MAX_SECTIONS: usize = 4;

/// One band's settings in canonical units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandParams {
    /// Index into the band table.
    pub(super) kind: usize,
    pub(super) freq: f64,
    pub(super) gain: f64,
    pub(super) q: f64,
    /// Butterworth order for high/low-pass.
    pub(super) order: usize,
}

impl BandParams {
    pub fn from_ir(band: &Band) -> Result<Self, String> {
        let kind = BANDS
            .iter()
            .position(|b| b.kind == band.kind)
            .ok_or_else(|| format!("unknown eq band `{}`", band.kind))?;
        let specs = BANDS[kind].params;
        let has = |name| specs.iter().any(|p| p.name == name);
        let get = |name| {
            if has(name) {
                number(&band.params, specs, name).map(Some)
            } else {
                Ok(None)
            }
        };
        let slope = get("slope")?.unwrap_or(12.0);
        if !(6.0..=48.0).contains(&slope) || slope % 6.0 != 0.0 {
            return Err(format!("slope {slope} dB/oct is not one of 6, 12, .. 48"));
        }
        Ok(Self {
            kind,
            freq: get("freq")?.unwrap_or(1000.0),
            gain: get("gain")?.unwrap_or(0.0),
            q: get("q")?.unwrap_or(0.707),
            order: (slope / 6.0) as usize,
        })
    }

    /// The band's sections at `rate`.
    pub fn design(&self, rate: f64) -> ([Coefs; MAX_SECTIONS], usize) {
        let mut out = [Coefs::IDENTITY; MAX_SECTIONS];
        let (f, g, q) = (self.freq, self.gain, self.q);
        let n = match BANDS[self.kind].kind {
            pass @ ("highpass" | "lowpass") => {
                let high = pass == "highpass";
                let mut n = 0;
                for q in butterworth_qs(self.order) {
                    out[n] = if high {
                        Coefs::highpass(f, q, rate)
                    } else {
                        Coefs::lowpass(f, q, rate)
                    };
                    n += 1;
                }
                if self.order % 2 == 1 {
                    out[n] = if high {
                        Coefs::highpass1(f, rate)
                    } else {
                        Coefs::lowpass1(f, rate)
                    };
                    n += 1;
                }
                n
            }
            kind => {
                out[0] = match kind {
                    "lowshelf" => Coefs::low_shelf(f, g, q, rate),
                    "highshelf" => Coefs::high_shelf(f, g, q, rate),
                    "bell" => Coefs::bell(f, g, q, rate),
                    "notch" => Coefs::notch(f, q, rate),
                    _ => Coefs::bandpass(f, q, rate),
                };
                1
            }
        };
        (out, n)
    }

    /// Analytic magnitude response of the band in dB.
    pub fn magnitude_db(&self, freq: f64, rate: f64) -> f64 {
        let (c, n) = self.design(rate);
        c[..n].iter().map(|c| c.magnitude_db(freq, rate)).sum()
    }
}
