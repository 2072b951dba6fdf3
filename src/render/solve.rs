//! The drive search of `loudness TARGET`, in rounds. Integrated loudness rises
//! monotonically with the drive into a limiter, with slope 1 below it (BS.1770
//! loudness scales with gain, REFERENCES.md §1.3) and less and less as the limiter
//! works.
//!
//! The first round tries the drive a unity chain would need (from the loudness of
//! the chain's input, the `guess`) alone: without dynamics, or with dynamics that
//! barely work at the answer, it is the answer, and one run of the chain settles the
//! search (that run is also written into the exports while it is measured). Else the
//! second round tries two drives ([`pair`]), and their secant, which sees what the
//! chain's dynamics do near the answer, gives the next drive; every later round tries
//! one drive, a secant step inside the bracket found so far, falling back to
//! bisection.
//!
//! The drives a round tries depend only on the readings of earlier rounds, never on
//! how the caller runs them: the two of the second round may run at once on two
//! threads, and `--jobs 1` tries exactly the same drives one after the other.

use crate::diag::Diagnostic;
use crate::ir::LoudnessTarget;

/// The most drive the solver may use (LANGUAGE.md: "more than 24 dB of drive" is an error).
pub const MAX_DRIVE_DB: f64 = 24.0;
/// The least drive tried: far below anything a real master needs.
pub const MIN_DRIVE_DB: f64 = -60.0;
/// The solver stops within this of the target; the delivered file must be within
/// 0.1 LU, the rest of the budget being SRC and dither.
pub const SOLVE_TOL_LU: f64 = 0.01;
/// The second drive of the first round, above the guess (dB).
const SPREAD_DB: f64 = 1.0;
const MAX_TRIALS: usize = 30;
/// Loudness readings are rounded to a grid of 1/this LU before they drive any decision.
const READING_STEPS_PER_LU: f64 = 1e6;

/// What the solve found, for the report.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Solved {
    pub drive_db: f64,
    /// The largest gain reduction of any limiter in the chain (dB, positive).
    pub max_gain_reduction_db: Option<f64>,
    /// Integrated loudness of the chain's output at the session rate.
    pub integrated_lufs: f64,
    /// Runs of the master chain the search took.
    pub trials: usize,
}

/// A loudness reading (LUFS or LU; or a true peak in dBTP) as the solve and the
/// delivery use it.
///
/// The `ebur128` crate computes with std `powf`, `log10` and friends, whose glibc
/// versions are picked by CPU at run time (FMA or not) and may differ in the last
/// bit between machines. A reading decides which drive is tried next and which one
/// is delivered, so a last-bit difference could otherwise move the drive, and with
/// it every byte of the master. Rounded to a grid of 1e-6 LU (ten thousand times
/// finer than the 0.01 LU the solve settles to), two machines agree on the reading
/// unless it falls within a few ulps of a grid boundary: a few readings in 10^9.
pub fn reading(x: f64) -> f64 {
    if x.is_finite() {
        (x * READING_STEPS_PER_LU).round() / READING_STEPS_PER_LU
    } else {
        x
    }
}

/// A trial: (drive in dB, loudness minus target in LU).
type Point = (f64, f64);

/// Finds the drive whose chain output is within [`SOLVE_TOL_LU`] of the target.
///
/// `guess` is the drive a unity chain would need (target minus the loudness of the
/// chain's input; 0 when unknown). `loudness` runs the chain once per drive it is
/// given (one or two per round) and returns each output's integrated loudness
/// (LUFS, `None` for silence), in order. Errors say why the target cannot be met.
pub fn solve(
    target: LoudnessTarget,
    ceiling: Option<f64>,
    guess: f64,
    mut loudness: impl FnMut(&[f64]) -> Vec<Option<f64>>,
) -> Result<Solved, Diagnostic> {
    let want = target.lufs;
    let span = target.span;
    let mut round = vec![reading(guess).clamp(MIN_DRIVE_DB, MAX_DRIVE_DB)];
    let mut points: Vec<Point> = Vec::new();
    loop {
        let read = loudness(&round);
        for (&d, l) in round.iter().zip(read) {
            let Some(l) = l else {
                let message = if points.is_empty() {
                    "the master is silent (no 400 ms block above -70 LUFS): there is no loudness to raise".into()
                } else {
                    format!("the master falls silent at {d:.1} dB of drive")
                };
                return Err(Diagnostic::error("loudness", span, message));
            };
            points.push((d, reading(l) - want));
        }
        let trials = points.len();
        let tried = &points[trials - round.len()..];
        // The closest of this round, the first of equals.
        let best = tried
            .iter()
            .fold(tried[0], |b, p| if p.1.abs() < b.1.abs() { *p } else { b });
        if best.1.abs() <= SOLVE_TOL_LU {
            return Ok(Solved {
                drive_db: best.0,
                max_gain_reduction_db: None,
                integrated_lufs: want + best.1,
                trials,
            });
        }
        if let Some(&(_, f)) = points.iter().find(|p| p.1 < 0.0 && p.0 >= MAX_DRIVE_DB) {
            let reach = want + f;
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
        if trials >= MAX_TRIALS {
            let closest = points
                .iter()
                .fold(points[0], |b, p| if p.1.abs() < b.1.abs() { *p } else { b });
            return Err(Diagnostic::error(
                "loudness",
                span,
                format!(
                    "the drive search did not settle: best {:.2} LUFS at {:+.2} dB of drive",
                    want + closest.1,
                    closest.0
                ),
            ));
        }
        round = match points[..] {
            [only] => pair(only),
            _ => vec![next(&points)],
        };
    }
}

/// The second round, after the guess alone: the drive the guess's miss asks for
/// if the chain were linear, and [`SPREAD_DB`] beyond it on the side the chain's
/// dynamics can leave the answer (loudness rises by at most 1 LU per dB of drive
/// into a compressor or limiter, so a master still too quiet needs at least the
/// linear step, and one too loud at most undoes it). Their secant sees what the
/// dynamics do near the answer.
fn pair((d, miss): Point) -> Vec<f64> {
    let step = (d - miss).clamp(MIN_DRIVE_DB, MAX_DRIVE_DB);
    let beyond = if miss < 0.0 {
        step + SPREAD_DB
    } else {
        step - SPREAD_DB
    };
    let beyond = beyond.clamp(MIN_DRIVE_DB, MAX_DRIVE_DB);
    if beyond == step {
        vec![step]
    } else {
        vec![step, beyond]
    }
}

/// The next drive to try: the secant through the last two trials when it falls
/// inside the bracket found so far, else bisection of the bracket; with nothing
/// above (or below) the target yet, at least the step the closest trial would need
/// if the chain were linear.
fn next(points: &[Point]) -> f64 {
    let below = points
        .iter()
        .filter(|p| p.1 < 0.0)
        .fold(None, |m: Option<Point>, p| match m {
            Some(m) if m.0 >= p.0 => Some(m),
            _ => Some(*p),
        });
    let above = points
        .iter()
        .filter(|p| p.1 > 0.0)
        .fold(None, |m: Option<Point>, p| match m {
            Some(m) if m.0 <= p.0 => Some(m),
            _ => Some(*p),
        });
    let (a, b) = (points[points.len() - 2], points[points.len() - 1]);
    let d = secant(a, b);
    let inside = |x: f64| below.is_none_or(|l| x > l.0) && above.is_none_or(|h| x < h.0);
    let usable = d.is_finite() && inside(d) && d != a.0 && d != b.0;
    let d = match (below, above) {
        (Some(_), Some(_)) if usable => d,
        (Some(l), Some(h)) => 0.5 * (l.0 + h.0),
        // All below the target: the answer is at least the linear step away, as
        // loudness rises by at most 1 LU per dB of drive into a compressor or limiter.
        (Some(l), None) if usable => f64::max(d, l.0 - l.1),
        (Some(l), None) => l.0 - l.1,
        (None, Some(h)) if usable => f64::min(d, h.0 - h.1),
        (None, Some(h)) => h.0 - h.1,
        (None, None) => b.0 - b.1,
    };
    if d.is_finite() {
        d.clamp(MIN_DRIVE_DB, MAX_DRIVE_DB)
    } else {
        b.0 - b.1
    }
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

    /// Runs `solve` with `f` as the chain, one drive at a time.
    fn with(lufs: f64, guess: f64, f: impl Fn(f64) -> Option<f64>) -> Result<Solved, Diagnostic> {
        solve(target(lufs), Some(-1.0), guess, |ds| {
            ds.iter().map(|&d| f(d)).collect()
        })
    }

    /// Loudness saturating toward -8 LUFS as a limiter would make it.
    fn limited(d: f64) -> Option<f64> {
        Some(-8.0 - 10.0 * libm::exp(-(d + 2.0) / 10.0))
    }

    #[test]
    fn a_linear_chain_is_solved_by_its_guess() {
        let s = with(-14.0, 16.0, |d| Some(-30.0 + d)).unwrap();
        assert_eq!(s.drive_db, 16.0);
        assert_eq!(s.trials, 1);
        // A chain with gain of its own: the linear step of the second round is exact.
        let s = with(-14.0, 16.0, |d| Some(-27.0 + d)).unwrap();
        assert!((s.drive_db - 13.0).abs() < 1e-9, "{}", s.drive_db);
        assert_eq!(s.trials, 3);
    }

    #[test]
    fn a_limited_chain_converges() {
        for guess in [-20.0, 0.0, 2.0, 30.0] {
            let s = with(-10.0, guess, limited).unwrap();
            assert!((s.integrated_lufs + 10.0).abs() <= SOLVE_TOL_LU);
            assert!(s.trials < 10, "{} trials from {guess}", s.trials);
        }
    }

    #[test]
    fn unreachable_and_silent() {
        let e = with(-7.0, 1.0, limited).unwrap_err();
        assert!(
            e.message.contains("caps the master at -8.7 LUFS"),
            "{}",
            e.message
        );
        let e = with(-7.0, 0.0, |_| None).unwrap_err();
        assert!(e.message.contains("silent"), "{}", e.message);
    }

    #[test]
    fn the_guess_alone_then_a_pair_then_one_drive_a_round() {
        let mut sizes = Vec::new();
        solve(target(-10.0), None, 0.0, |ds| {
            sizes.push(ds.len());
            ds.iter().map(|&d| limited(d)).collect()
        })
        .unwrap();
        assert_eq!(sizes[..2], [1, 2]);
        assert!(sizes[2..].iter().all(|&n| n == 1), "{sizes:?}");
    }

    /// Issue 8: readings that differ in their last bits (another CPU's `log10`) give
    /// the same drive, bit for bit, and so the same master.
    #[test]
    fn last_bit_differences_in_readings_do_not_move_the_drive() {
        let exact = with(-10.0, 0.0, limited).unwrap();
        for ulps in [-3i64, -1, 1, 2, 4] {
            let nudged =
                |d: f64| limited(d).map(|l| f64::from_bits((l.to_bits() as i64 + ulps) as u64));
            let s = with(-10.0, 0.0, nudged).unwrap();
            assert_eq!(
                s.drive_db.to_bits(),
                exact.drive_db.to_bits(),
                "{ulps} ulps"
            );
            assert_eq!(s.trials, exact.trials);
        }
        assert_eq!(
            reading(-14.000_000_000_000_2),
            reading(-13.999_999_999_999_8)
        );
        assert_eq!(reading(-14.0), -14.0);
    }
}
