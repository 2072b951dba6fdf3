//! The drive search of `loudness TARGET`: a secant step inside a bracket, falling
//! back to bisection. Integrated loudness rises monotonically with the drive into a
//! limiter, with slope 1 below it (BS.1770 loudness scales with gain, REFERENCES.md
//! §1.3) and less and less as the limiter works, so the first step, made as if the
//! chain were linear, is exact when nothing limits.

use crate::diag::Diagnostic;
use crate::ir::LoudnessTarget;

/// The most drive the solver may use (LANGUAGE.md: "more than 24 dB of drive" is an error).
pub const MAX_DRIVE_DB: f64 = 24.0;
/// The least drive tried: far below anything a real master needs.
pub const MIN_DRIVE_DB: f64 = -60.0;
/// The solver stops within this of the target; the delivered file must be within
/// 0.1 LU, the rest of the budget being SRC and dither.
pub const SOLVE_TOL_LU: f64 = 0.01;
const MAX_TRIALS: usize = 30;

/// What the solve found, for the report.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Solved {
    pub drive_db: f64,
    /// The largest gain reduction of any limiter in the chain (dB, positive).
    pub max_gain_reduction_db: Option<f64>,
    /// Integrated loudness of the chain's output at the session rate.
    pub integrated_lufs: f64,
    /// Runs of the master chain the search took.
    pub trials: usize,
}

/// A trial: (drive in dB, loudness minus target in LU).
type Point = (f64, f64);

/// Finds the drive whose chain output `loudness(drive)` (LUFS, `None` for silence)
/// is within [`SOLVE_TOL_LU`] of the target. Errors say why the target cannot be met.
pub fn solve(
    target: LoudnessTarget,
    ceiling: Option<f64>,
    mut loudness: impl FnMut(f64) -> Option<f64>,
) -> Result<Solved, Diagnostic> {
    let want = target.lufs;
    let span = target.span;
    let mut trials = 1;
    let Some(f0) = loudness(0.0).map(|l| l - want) else {
        return Err(Diagnostic::error(
            "loudness",
            span,
            "the master is silent (no 400 ms block above -70 LUFS): there is no loudness to raise",
        ));
    };
    // Points with f < 0 (too quiet) and f > 0 (too loud), the closest of each.
    let (mut lo, mut hi): (Option<Point>, Option<Point>) = (None, None);
    let (mut prev, mut cur) = ((0.0, f0), (0.0, f0));
    let mut d = (-f0).clamp(MIN_DRIVE_DB, MAX_DRIVE_DB);
    for _ in 0..MAX_TRIALS {
        if cur.1.abs() <= SOLVE_TOL_LU {
            break;
        }
        if cur.1 < 0.0 {
            lo = Some(lo.map_or(cur, |l: Point| if cur.0 > l.0 { cur } else { l }));
        } else {
            hi = Some(hi.map_or(cur, |h: Point| if cur.0 < h.0 { cur } else { h }));
        }
        if cur.1 < 0.0 && cur.0 >= MAX_DRIVE_DB {
            let reach = want + cur.1;
            let how = match ceiling {
                Some(c) => format!("the limiter at {c} dBTP caps the master at {reach:.1} LUFS"),
                None => format!("the master reaches only {reach:.1} LUFS with +24 dB of drive"),
            };
            return Err(Diagnostic::error(
                "loudness",
                span,
                format!("{how}; {want} LUFS needs more than {MAX_DRIVE_DB} dB of drive"),
            )
            .with_label_text("unreachable target")
            .with_hint("lower the target, or raise the limiter's ceiling"));
        }
        if trials > 1 {
            d = secant(prev, cur);
            let inside = |x: f64| lo.is_none_or(|l| x > l.0) && hi.is_none_or(|h| x < h.0);
            if !d.is_finite() || !inside(d) {
                d = match (lo, hi) {
                    (Some(l), Some(h)) => 0.5 * (l.0 + h.0),
                    // Not bracketed yet: step as if the chain were linear.
                    _ => cur.0 - cur.1,
                };
            }
            d = d.clamp(MIN_DRIVE_DB, MAX_DRIVE_DB);
        }
        trials += 1;
        let Some(fd) = loudness(d).map(|l| l - want) else {
            return Err(Diagnostic::error(
                "loudness",
                span,
                format!("the master falls silent at {d:.1} dB of drive"),
            ));
        };
        prev = cur;
        cur = (d, fd);
    }
    if cur.1.abs() > SOLVE_TOL_LU {
        return Err(Diagnostic::error(
            "loudness",
            span,
            format!(
                "the drive search did not settle: best {:.2} LUFS at {:+.2} dB of drive",
                want + cur.1,
                cur.0
            ),
        ));
    }
    Ok(Solved {
        drive_db: cur.0,
        max_gain_reduction_db: None,
        integrated_lufs: want + cur.1,
        trials,
    })
}

/// The secant step through two points.
fn secant(a: Point, b: Point) -> f64 {
    b.0 - b.1 * (b.0 - a.0) / (b.1 - a.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn target(lufs: f64) -> LoudnessTarget {
        LoudnessTarget {
            lufs,
            span: Span::default(),
        }
    }

    #[test]
    fn linear_chain_is_solved_in_one_step() {
        let s = solve(target(-14.0), None, |d| Some(-30.0 + d)).unwrap();
        assert!((s.drive_db - 16.0).abs() < 1e-9);
        assert_eq!(s.trials, 2);
    }

    #[test]
    fn a_limited_chain_converges() {
        // Loudness saturating toward -8 LUFS as a limiter would make it.
        let f = |d: f64| Some(-8.0 - 10.0 * (-(d + 2.0) / 10.0).exp());
        let s = solve(target(-10.0), Some(-1.0), f).unwrap();
        assert!((s.integrated_lufs + 10.0).abs() <= SOLVE_TOL_LU);
        assert!(s.trials < 10, "{} trials", s.trials);
    }

    #[test]
    fn unreachable_and_silent() {
        let f = |d: f64| Some(-8.0 - 10.0 * (-(d + 2.0) / 10.0).exp());
        let e = solve(target(-7.0), Some(-1.0), f).unwrap_err();
        assert!(
            e.message.contains("caps the master at -8.7 LUFS"),
            "{}",
            e.message
        );
        let e = solve(target(-7.0), None, |_| None).unwrap_err();
        assert!(e.message.contains("silent"), "{}", e.message);
    }
}
