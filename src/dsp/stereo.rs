//! Simple channel processors: `width` (mid/side balance) and `polarity`.

use super::param::{ParamSpec, UnitKind};
use super::registry::{ProcessorSpec, number, word};
use super::smooth::Ramp;
use super::{BuildContext, ParamId, Processor};
use crate::ir::Insert;

static WIDTH_PARAMS: &[ParamSpec] = &[ParamSpec::num(
    "width",
    UnitKind::Percent,
    0.0,
    2.0,
    1.0,
    "Side level relative to mid, 0..200%: 0% folds to mono, 100% (default) leaves \
     the image unchanged, 200% doubles the side signal. Mono input passes unchanged. \
     Automation glides over 32 samples. No latency.",
)
.positional()];

pub static WIDTH: ProcessorSpec = ProcessorSpec {
    kind: "width",
    doc: "Stereo width by mid/side: `width 70%`. Mid (L+R)/2 is kept, side (L-R)/2 scaled.",
    arg: None,
    params: WIDTH_PARAMS,
    bands: &[],
    sidechain: false,
    build: build_width,
};

fn build_width(insert: &Insert, _ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let w = number(&insert.params, WIDTH_PARAMS, "width")?;
    Ok(Box::new(Width {
        initial: w,
        width: Ramp::new(w),
    }))
}

pub struct Width {
    initial: f64,
    width: Ramp,
}

impl Processor for Width {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {
        self.width.jump(self.initial);
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_none() && id.index == 0 && value.is_finite() {
            self.width.set(value.clamp(0.0, 2.0));
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let [l, r] = io else {
            return;
        };
        let frames = l.len();
        let ramped = self.width.remaining().min(frames);
        let apply = |l: &mut f32, r: &mut f32, w: f64| {
            let (a, b) = (f64::from(*l), f64::from(*r));
            let mid = 0.5 * (a + b);
            let side = 0.5 * (a - b) * w;
            *l = (mid + side) as f32;
            *r = (mid - side) as f32;
        };
        for i in 0..ramped {
            let w = self.width.next_value();
            apply(&mut l[i], &mut r[i], w);
        }
        let w = self.width.value();
        if w == 1.0 {
            return;
        }
        for (a, b) in l[ramped..].iter_mut().zip(r[ramped..].iter_mut()) {
            apply(a, b, w);
        }
    }
}

static POLARITY_PARAMS: &[ParamSpec] = &[ParamSpec::choice(
    "channels",
    &["both", "left", "right"],
    "both",
    "Which channels to invert: `both` (default), `left` or `right`. On a mono \
     signal any choice inverts it. No latency.",
)
.positional()];

pub static POLARITY: ProcessorSpec = ProcessorSpec {
    kind: "polarity",
    doc: "Inverts the polarity (multiplies by -1) at its place among the inserts: \
          `polarity { channels left }`. (Without a block, `polarity invert` is the strip \
          setting, which inverts both channels.)",
    arg: None,
    params: POLARITY_PARAMS,
    bands: &[],
    sidechain: false,
    build: build_polarity,
};

fn build_polarity(insert: &Insert, _ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let which = match word(&insert.params, POLARITY_PARAMS, "channels")? {
        Some("left") => [true, false],
        Some("right") => [false, true],
        Some("both") | None => [true, true],
        Some(w) => return Err(format!("unknown channels `{w}` (both, left or right)")),
    };
    Ok(Box::new(Polarity { which }))
}

pub struct Polarity {
    which: [bool; 2],
}

impl Processor for Polarity {
    fn is_linear(&self) -> bool {
        true
    }

    fn reset(&mut self) {}

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let mono = io.len() == 1;
        for (ch, &invert) in io.iter_mut().zip(&self.which) {
            if invert || mono {
                ch.iter_mut().for_each(|x| *x = -*x);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::build;
    use crate::dsp::testutil::*;

    fn stereo() -> Vec<Vec<f32>> {
        vec![noise(4800, 31), noise(4800, 32)]
    }

    #[test]
    fn width_extremes() {
        let x = stereo();
        let unity = run(
            make(&insert("width", &[], vec![]), 48000.0, 2).as_mut(),
            &x,
            None,
            64,
        );
        assert!(unity == x);
        let mono = insert("width", &[("width", num(0.0))], vec![]);
        let y = run(make(&mono, 48000.0, 2).as_mut(), &x, None, 64);
        assert!(y[0] == y[1]);
        // 1e-7: f32 rounding of (l + r) / 2.
        for i in 0..4800 {
            let mid = 0.5 * (f64::from(x[0][i]) + f64::from(x[1][i]));
            assert!((f64::from(y[0][i]) - mid).abs() < 1e-7);
        }
        let mono_in = vec![noise(100, 3)];
        let m = run(make(&mono, 48000.0, 1).as_mut(), &mono_in, None, 64);
        assert!(m == mono_in);
    }

    #[test]
    fn polarity_inverts_the_chosen_channels() {
        let x = stereo();
        let left = insert("polarity", &[("channels", text("left"))], vec![]);
        let y = run(make(&left, 48000.0, 2).as_mut(), &x, None, 100);
        assert!(y[1] == x[1]);
        assert!(y[0].iter().zip(&x[0]).all(|(a, b)| *a == -*b));
        assert!(
            build(
                &insert("polarity", &[("channels", text("up"))], vec![]),
                &ctx(48000.0, 2)
            )
            .is_err()
        );
    }

    #[test]
    fn chunks_reset_and_finite() {
        let w = insert("width", &[("width", num(1.5))], vec![]);
        check_chunks_and_reset(&w, false);
        let id = ParamId {
            band: None,
            index: 0,
        };
        check_chunks_automated(&w, id, |n| (n as f64 / 10000.0).min(2.0));
        check_finite(&w, &[(id, 2.0), (id, 0.0)]);
        let p = insert("polarity", &[], vec![]);
        check_chunks_and_reset(&p, false);
        check_finite(&p, &[]);
    }
}
