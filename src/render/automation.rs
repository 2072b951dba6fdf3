//! Evaluating automation lanes at timeline positions.
//!
//! The curve word of a point shapes the segment arriving at it: `linear` is a
//! straight line in the parameter's scale (dB for levels, octaves for frequencies,
//! the value itself otherwise), `smooth` a raised-cosine S-curve in that scale, `exp`
//! a constant ratio per unit of time in the parameter's natural unit (amplitude for
//! levels and Hz for frequencies, where it equals `linear`; the value itself for the
//! rest when both ends are positive), `step` holds the previous value and jumps on the
//! point's exact sample. Before the first point the first value holds; after the last,
//! the last. A level of `-inf dB` is interpolated from -96 dB.

use crate::ir::{Curve, Lane, LanePoint, Scale};

/// Where interpolation of `-inf dB` starts from.
const FLOOR_DB: f64 = -96.0;

#[derive(Debug, Clone)]
pub struct LaneRt {
    points: Vec<LanePoint>,
    scale: Scale,
    /// Index of the first point after the last position asked for (a cursor, since
    /// positions mostly arrive in order).
    next: usize,
    /// How late the audio the lane acts on is at its processor (the latency
    /// compensation upstream of it): render position `pos` is timeline `pos - delay`.
    delay: u64,
}

impl LaneRt {
    pub fn new(lane: &Lane) -> Self {
        Self {
            points: lane.points.clone(),
            scale: lane.scale,
            next: 0,
            delay: 0,
        }
    }

    /// The lane for audio `frames` later than it was: a curve stays on the music it
    /// was written against, however much latency the processors before it add.
    pub fn delay_by(&mut self, frames: usize) {
        self.delay += frames as u64;
    }

    /// The value at render position `pos` (timeline sample `pos` less the delay).
    pub fn value_at(&mut self, pos: u64) -> f64 {
        let pos = pos.saturating_sub(self.delay);
        let pts = &self.points;
        if self.next > 0 && pts[self.next - 1].at > pos {
            self.next = 0;
        }
        while self.next < pts.len() && pts[self.next].at <= pos {
            self.next += 1;
        }
        match self.next {
            0 => pts[0].value,
            n if n == pts.len() => pts[n - 1].value,
            n => segment(self.scale, &pts[n - 1], &pts[n], pos),
        }
    }
}

fn segment(scale: Scale, a: &LanePoint, b: &LanePoint, pos: u64) -> f64 {
    if b.curve == Curve::Step || pos == a.at {
        return a.value;
    }
    let t = (pos - a.at) as f64 / (b.at - a.at) as f64;
    let t = if b.curve == Curve::Smooth {
        0.5 - 0.5 * libm::cos(std::f64::consts::PI * t)
    } else {
        t
    };
    match scale {
        Scale::Db => {
            let (x, y) = (a.value.max(FLOOR_DB), b.value.max(FLOOR_DB));
            x + (y - x) * t
        }
        Scale::Log => {
            let (x, y) = (libm::log2(a.value.max(1e-3)), libm::log2(b.value.max(1e-3)));
            libm::exp2(x + (y - x) * t)
        }
        Scale::Linear if b.curve == Curve::Exp && a.value > 0.0 && b.value > 0.0 => {
            a.value * libm::pow(b.value / a.value, t)
        }
        Scale::Linear => a.value + (b.value - a.value) * t,
    }
}

/// dB to amplitude, with `-inf` as silence.
pub fn amp(db: f64) -> f32 {
    if db == f64::NEG_INFINITY {
        0.0
    } else {
        libm::pow(10.0, db / 20.0) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{LaneParam, StripSetting};

    fn lane(scale: Scale, pts: &[(u64, f64, Curve)]) -> LaneRt {
        LaneRt::new(&Lane {
            strip: "s".into(),
            target: vec!["gain".into()],
            param: LaneParam::Strip {
                setting: StripSetting::Gain,
            },
            scale,
            points: pts
                .iter()
                .map(|&(at, value, curve)| LanePoint { at, value, curve })
                .collect(),
            span: crate::span::Span::detached(),
        })
    }

    #[test]
    fn levels_interpolate_in_db() {
        // `0s -20dB; 1s 0dB linear` is -10 dB at 0.5 s.
        let mut l = lane(
            Scale::Db,
            &[(0, -20.0, Curve::Linear), (48000, 0.0, Curve::Linear)],
        );
        assert!((l.value_at(24000) + 10.0).abs() < 1e-12);
        assert_eq!(l.value_at(0), -20.0);
        assert_eq!(l.value_at(100_000), 0.0);
    }

    #[test]
    fn step_jumps_on_the_exact_sample() {
        let mut l = lane(
            Scale::Linear,
            &[(0, 1.0, Curve::Linear), (1000, 5.0, Curve::Step)],
        );
        assert_eq!(l.value_at(999), 1.0);
        assert_eq!(l.value_at(1000), 5.0);
        // Out-of-order queries still answer correctly.
        assert_eq!(l.value_at(10), 1.0);
    }

    #[test]
    fn frequencies_move_on_a_log_scale_and_smooth_is_an_s_curve() {
        let mut l = lane(
            Scale::Log,
            &[(0, 100.0, Curve::Linear), (100, 10_000.0, Curve::Linear)],
        );
        assert!((l.value_at(50) - 1000.0).abs() < 1e-9);
        let mut s = lane(
            Scale::Linear,
            &[(0, 0.0, Curve::Linear), (100, 1.0, Curve::Smooth)],
        );
        assert!((s.value_at(50) - 0.5).abs() < 1e-12);
        assert!(s.value_at(10) < 0.1);
        let mut e = lane(
            Scale::Linear,
            &[(0, 1.0, Curve::Linear), (100, 0.25, Curve::Exp)],
        );
        assert!((e.value_at(50) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn minus_inf_fades_from_the_floor() {
        let mut l = lane(
            Scale::Db,
            &[
                (0, f64::NEG_INFINITY, Curve::Linear),
                (100, 0.0, Curve::Linear),
            ],
        );
        assert_eq!(l.value_at(0), f64::NEG_INFINITY);
        assert!((l.value_at(50) - FLOOR_DB / 2.0).abs() < 1e-12);
    }
}
