//! `deesser`: split-band compression of the sibilant band.
//!
//! Detection: per channel a 12 dB/oct Butterworth high-pass at `freq` isolates the
//! band; its stereo-linked peak level drives a hard-knee compressor curve
//! (threshold, ratio) whose reduction is capped at `range`, with fixed ballistics
//! (attack 0.5 ms, release 40 ms; time constants as in [`super::dynamics`]).
//!
//! Reduction: a high shelf at `freq` of `-range` dB (RBJ, Q 0.707) runs all the
//! time, and the output crossfades from the input toward it:
//! `x + w * (shelf(x) - x)` with `w = (1 - g) / (1 - 10^(-range/20))` for a
//! reduction of `g`. Well above `freq` the shelf is a plain gain, so the band is
//! turned down by exactly the reduction; well below it the shelf is unity, so
//! the low band is untouched; with no reduction the output is the input exactly.
//! (A subtractive split `x - (1 - g) * highpass(x)` would not do: the high-pass's
//! phase shift near `freq` leaves much of the band in the "low" part.)

use super::biquad::{Coefs, State};
use super::dynamics::{Ballistics, compressor_reduction, power_db};
use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, param_name};
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

const ATTACK: f64 = 0.0005;
const RELEASE: f64 = 0.040;

static PARAMS: &[ParamSpec] = &[
    ParamSpec::num(
        "freq",
        UnitKind::Frequency,
        2000.0,
        16000.0,
        6000.0,
        "Where the sibilant band starts: the detector's 12 dB/oct high-pass and the \
         reducing high shelf's midpoint, 2..16 kHz; default 6 kHz.",
    ),
    ParamSpec::num(
        "threshold",
        UnitKind::Level,
        -60.0,
        0.0,
        -30.0,
        "Peak level of the band above which it is turned down, -60..0 dB; default -30 dB.",
    ),
    ParamSpec::num(
        "range",
        UnitKind::Level,
        0.0,
        24.0,
        6.0,
        "Most the band is ever turned down, 0..24 dB; default 6 dB.",
    ),
    ParamSpec::num(
        "ratio",
        UnitKind::Number,
        1.0,
        20.0,
        4.0,
        "Band dB over the threshold per output dB (until `range`), 1..20; default 4.",
    ),
];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "deesser",
    doc: "De-esser: turns the band above `freq` down when it is loud: \
          `deesser { freq 7kHz; threshold -28dB; range 8dB }` (a dynamic high shelf \
          keyed by the band above `freq`). Attack 0.5 ms, release \
          40 ms. No latency.",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let n = |name| number(&insert.params, PARAMS, name);
    Ok(Box::new(Deesser::new(
        [n("freq")?, n("threshold")?, n("range")?, n("ratio")?],
        ctx,
    )))
}

pub struct Deesser {
    rate: f64,
    initial: [f64; 4],
    coefs: Coefs,
    shelf: Coefs,
    threshold: f64,
    range: f64,
    ratio: f64,
    ballistics: Ballistics,
    filters: Vec<State>,
    shelves: Vec<State>,
    freq: f64,
}

impl Deesser {
    /// `v` is freq (Hz), threshold (dB), range (dB), ratio.
    fn new(v: [f64; 4], ctx: &BuildContext) -> Self {
        let mut d = Self {
            rate: ctx.rate,
            initial: v,
            coefs: Coefs::IDENTITY,
            shelf: Coefs::IDENTITY,
            threshold: 0.0,
            range: 0.0,
            ratio: 1.0,
            ballistics: Ballistics::new(ATTACK, RELEASE, ctx.rate),
            filters: vec![State::default(); ctx.channels.max(1)],
            shelves: vec![State::default(); ctx.channels.max(1)],
            freq: v[0],
        };
        d.reset();
        d
    }

    /// Detector and shelf filters for the present freq and range.
    fn design(&mut self) {
        let f = self.freq.clamp(20.0, 0.49 * self.rate);
        let q = std::f64::consts::FRAC_1_SQRT_2;
        self.coefs = Coefs::highpass(f, q, self.rate);
        self.shelf = Coefs::high_shelf(f, -self.range, q, self.rate);
    }
}

impl Processor for Deesser {
    fn reset(&mut self) {
        let [freq, threshold, range, ratio] = self.initial;
        (self.freq, self.threshold, self.range, self.ratio) = (freq, threshold, range, ratio);
        self.design();
        self.ballistics.reset();
        self.filters.fill(State::default());
        self.shelves.fill(State::default());
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || !value.is_finite() {
            return;
        }
        match param_name(PARAMS, id.index) {
            Some("freq") => {
                self.freq = value;
                self.design();
            }
            Some("threshold") => self.threshold = value,
            Some("range") => {
                self.range = value.clamp(0.0, 24.0);
                self.design();
            }
            Some("ratio") => self.ratio = value.max(1.0),
            _ => {}
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let full = 1.0 - libm::exp10(-self.range / 20.0);
        let mut shelved = [0.0f64; 2];
        for i in 0..frames {
            let mut power = 0.0f64;
            for (k, ch) in io.iter().enumerate().take(2) {
                let x = f64::from(ch[i]);
                let hp = self.filters[k].tick(&self.coefs, x);
                power = power.max(hp * hp);
                shelved[k] = self.shelves[k].tick(&self.shelf, x);
            }
            let target = if power > 0.0 {
                compressor_reduction(power_db(power), self.threshold, self.ratio, 0.0)
                    .min(self.range)
            } else {
                0.0
            };
            let reduction = self.ballistics.next(target);
            if reduction == 0.0 || full <= 0.0 {
                continue;
            }
            let w = ((1.0 - libm::exp10(-reduction / 20.0)) / full).min(1.0);
            for (k, ch) in io.iter_mut().enumerate().take(2) {
                let x = f64::from(ch[i]);
                ch[i] = (x + w * (shelved[k] - x)) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testutil::*;

    fn deesser(params: &[(&str, f64)]) -> Insert {
        let p: Vec<(&str, crate::ir::ParamValue)> =
            params.iter().map(|(k, v)| (*k, num(*v))).collect();
        insert("deesser", &p, vec![])
    }

    /// 200 Hz, 9 kHz and 15 kHz sines, each 0.25 peak (-12 dBFS).
    fn voice(len: usize) -> Vec<f32> {
        let lo = sine(len, 200.0, 48000.0, 0.25);
        let hi = sine(len, 9000.0, 48000.0, 0.25);
        let top = sine(len, 15000.0, 48000.0, 0.25);
        (0..len).map(|n| lo[n] + hi[n] + top[n]).collect()
    }

    #[test]
    fn turns_the_sibilant_band_down_by_the_range() {
        let x = voice(48000);
        let ins = deesser(&[("freq", 6000.0), ("threshold", -40.0), ("range", 6.0)]);
        let y = run(
            make(&ins, 48000.0, 1).as_mut(),
            std::slice::from_ref(&x),
            None,
            256,
        );
        let (xs, ys) = (&x[24000..], &y[0][24000..]);
        let change = |f| dft_db(ys, f, 48000.0) - dft_db(xs, f, 48000.0);
        // The band is 28 dB over threshold: at 4:1, 21 dB of reduction, capped at the
        // 6 dB range, so the full -6 dB shelf applies. 0.1 dB: the DFT's reading of
        // a steady sine against the shelf's analytic response.
        let q = std::f64::consts::FRAC_1_SQRT_2;
        let shelf = Coefs::high_shelf(6000.0, -6.0, q, 48000.0);
        for f in [9000.0, 15000.0] {
            let want = shelf.magnitude_db(f, 48000.0);
            assert!(
                (change(f) - want).abs() < 0.1,
                "{f} Hz: {} vs {want}",
                change(f)
            );
        }
        assert!(change(15000.0) < -5.5);
        // The shelf is within 0.01 dB of unity at 200 Hz (analytic), so the low band
        // is untouched.
        assert!(change(200.0).abs() < 0.01, "{}", change(200.0));
    }

    #[test]
    fn below_threshold_is_a_null() {
        let x = voice(9600);
        let ins = deesser(&[("threshold", -6.0)]);
        let y = run(
            make(&ins, 48000.0, 1).as_mut(),
            std::slice::from_ref(&x),
            None,
            100,
        );
        assert!(y[0] == x);
    }

    #[test]
    fn chunks_reset_and_finite() {
        let ins = deesser(&[("threshold", -30.0), ("range", 12.0)]);
        check_chunks_and_reset(&ins, false);
        let id = |index| ParamId { band: None, index };
        check_finite(&ins, &[(id(0), 16000.0), (id(1), -60.0), (id(2), 24.0)]);
        check_chunks_automated(&ins, id(1), |n| -((n % 3000) as f64) / 100.0);
    }
}
