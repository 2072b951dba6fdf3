//! `gain`: a plain, automatable gain stage.
//!
//! The gain is held as a linear factor; a new value (from automation) glides
//! linearly in the linear domain over [`RAMP_LEN`](super::smooth::RAMP_LEN)
//! samples, so a moving gain never clicks and the result does not depend on
//! the block size.

use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

static PARAMS: &[ParamSpec] = &[ParamSpec::num(
    "gain",
    UnitKind::Level,
    f64::NEG_INFINITY,
    24.0,
    0.0,
    "Gain in dB, -inf dB (silence) to +24 dB; default 0 dB (unchanged). \
     Automation glides over 32 samples. No latency.",
)
.positional()];

pub static SPEC: ProcessorSpec = ProcessorSpec {
    kind: "gain",
    doc: "Multiplies the signal by a gain: `gain -3dB`. Useful as an automatable \
          volume stage anywhere in the insert chain.",
    arg: None,
    params: PARAMS,
    bands: &[],
    sidechain: false,
    build,
};

fn build(insert: &Insert, _ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let db = number(&insert.params, PARAMS, "gain")?;
    Ok(Box::new(Gain::new(db)))
}

/// dB to a linear amplitude factor (`-inf` gives 0).
pub fn db_to_lin(db: f64) -> f64 {
    libm::exp10(db / 20.0)
}

pub struct Gain {
    initial: f64,
    gain: Ramp,
}

impl Gain {
    pub fn new(db: f64) -> Self {
        let lin = db_to_lin(db);
        Self {
            initial: lin,
            gain: Ramp::new(lin),
        }
    }
}

impl Processor for Gain {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        self.gain.jump(self.initial);
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_none() && id.index == 0 {
            self.gain.set(db_to_lin(value));
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let ramped = self.gain.remaining().min(frames);
        for i in 0..ramped {
            let g = self.gain.next_value();
            for ch in io.iter_mut() {
                ch[i] = (f64::from(ch[i]) * g) as f32;
            }
        }
        let g = self.gain.value();
        if g == 1.0 {
            return;
        }
        for ch in io.iter_mut() {
            for x in ch[ramped..].iter_mut() {
                *x = (f64::from(*x) * g) as f32;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::testutil::*;

    fn gain_insert(db: f64) -> Insert {
        insert("gain", &[("gain", num(db))], vec![])
    }

    #[test]
    fn scales_by_the_gain() {
        let input = vec![noise(1000, 9)];
        let out = run(
            make(&gain_insert(-6.0), 48000.0, 1).as_mut(),
            &input,
            None,
            64,
        );
        let g = db_to_lin(-6.0);
        for (o, i) in out[0].iter().zip(&input[0]) {
            assert_eq!(*o, (f64::from(*i) * g) as f32);
        }
        let muted = run(
            make(&gain_insert(f64::NEG_INFINITY), 48000.0, 1).as_mut(),
            &input,
            None,
            64,
        );
        assert!(muted[0].iter().all(|&x| x == 0.0));
    }

    #[test]
    fn zero_db_is_a_null() {
        let input = vec![noise(1000, 9), noise(1000, 10)];
        let out = run(
            make(&gain_insert(0.0), 48000.0, 2).as_mut(),
            &input,
            None,
            100,
        );
        assert!(out == input);
    }

    #[test]
    fn automation_glides_without_steps() {
        let mut p = make(&gain_insert(0.0), 48000.0, 1);
        p.set_param(
            ParamId {
                band: None,
                index: 0,
            },
            -20.0,
        );
        let out = run(p.as_mut(), &[vec![1.0; 64]], None, 5);
        // Linear glide from 1.0 to 0.1 over 32 samples: steps of 0.9/32.
        for w in out[0][..32].windows(2) {
            assert!((f64::from(w[0] - w[1]) - 0.9 / 32.0).abs() < 1e-6);
        }
        assert!(out[0][31..].iter().all(|&x| x == 0.1f64 as f32));
    }

    #[test]
    fn automated_chunks_are_identical() {
        let id = ParamId {
            band: None,
            index: 0,
        };
        check_chunks_automated(&gain_insert(0.0), id, |n| -(n as f64) / 1000.0);
    }

    #[test]
    fn chunks_reset_and_finite() {
        check_chunks_and_reset(&gain_insert(-3.0), false);
        let id = ParamId {
            band: None,
            index: 0,
        };
        check_finite(
            &gain_insert(24.0),
            &[(id, f64::NEG_INFINITY), (id, 24.0), (id, -120.0)],
        );
    }
}
