//! The solved drive, pinned to a grid so that it does not depend on where the search
//! started.
//!
//! `watch` starts the loudness search from the drive of the previous render (an edit
//! seldom moves the master's loudness by more than a few tenths of a dB), which makes
//! the solve two runs of the chain instead of five. But a search that starts
//! elsewhere ends elsewhere, within its tolerance, and the files must be the same
//! bytes as a render from scratch. So the answer is defined by the grid, not by the
//! path: the cell `[k·STEP, (k+1)·STEP]` whose ends straddle the target, and the
//! drive interpolated linearly between its two measured ends. Both ends are evaluated
//! at exact grid points (STEP is a power of two), so any path that finds the cell finds
//! the same two loudness readings and the same drive. Integrated loudness rises with
//! drive, so there is one such cell.

/// The grid: 1/64 dB. Within one cell the chain's loudness is a straight line to far
/// better than the 0.01 LU the solve asks (a limiter's knee spans decibels).
pub const STEP_DB: f64 = 1.0 / 64.0;
/// Cells tried before giving up (the caller then falls back to the plain search).
const MAX_MOVES: usize = 10;

/// A trial: (drive dB, loudness minus target LU).
type Point = (f64, f64);

/// The pinned result: the drive, the loudness interpolated there, the chain runs spent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pinned {
    pub drive_db: f64,
    pub lufs: f64,
    pub trials: usize,
}

/// Finds the cell around `guess` whose ends straddle `want` and interpolates in it.
/// `pair(a, b)` measures the chain's loudness at two drives (at once, when it can);
/// `None` for silence. `limits` bounds the drive.
pub fn pin(
    guess: f64,
    want: f64,
    limits: (f64, f64),
    mut pair: impl FnMut(f64, f64) -> (Option<f64>, Option<f64>),
) -> Option<Pinned> {
    let cell = |d: f64| (d.clamp(limits.0, limits.1) / STEP_DB).floor() as i64;
    let mut k = cell(guess);
    let mut trials = 0;
    // The closest drives found too quiet and too loud, and the last point seen.
    let (mut lo, mut hi, mut last): (Option<Point>, Option<Point>, Option<Point>) =
        (None, None, None);
    for _ in 0..MAX_MOVES {
        let (a, b) = (k as f64 * STEP_DB, (k + 1) as f64 * STEP_DB);
        let (la, lb) = pair(a, b);
        trials += 2;
        let (fa, fb) = (la? - want, lb? - want);
        for p in [(a, fa), (b, fb)] {
            if p.1 < 0.0 {
                lo = Some(lo.map_or(p, |l| if p.0 > l.0 { p } else { l }));
            } else {
                hi = Some(hi.map_or(p, |h| if p.0 < h.0 { p } else { h }));
            }
        }
        // Found: two neighbouring grid points on either side (from this cell, or one
        // from here and one from the last).
        if let (Some(l), Some(h)) = (lo, hi)
            && h.0 - l.0 == STEP_DB
        {
            let t = -l.1 / (h.1 - l.1);
            return Some(Pinned {
                drive_db: l.0 + t * STEP_DB,
                lufs: want + l.1 + t * (h.1 - l.1),
                trials,
            });
        }
        // The near end of this cell and the secant through the previous cell's; a
        // prediction outside the bracket found so far bisects it instead.
        let near = if fa >= 0.0 { (a, fa) } else { (b, fb) };
        // The slope across this cell is a fair first guess (a limiting chain rises
        // far slower than 1:1); one that is not plainly rising is not trusted.
        let cell_slope = (fb - fa) / STEP_DB;
        let mut d = match last {
            Some(p) if (near.1 - p.1) * (near.0 - p.0) > 0.0 => {
                near.0 - near.1 * (near.0 - p.0) / (near.1 - p.1)
            }
            _ if (0.05..=2.0).contains(&cell_slope) => near.0 - near.1 / cell_slope,
            _ => near.0 - near.1,
        };
        if let (Some(l), Some(h)) = (lo, hi)
            && !(d >= l.0 && d <= h.0)
        {
            d = 0.5 * (l.0 + h.0);
        }
        last = Some(near);
        let mut next = cell(d);
        if next == k {
            next = if fa >= 0.0 { k - 1 } else { k + 1 };
        }
        if !(cell(limits.0)..=cell(limits.1)).contains(&next) {
            return None;
        }
        k = next;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain that limits: loudness rises 1:1 with drive, then ever more slowly.
    fn limited(d: f64) -> f64 {
        let x = -20.0 + d;
        if x < -12.0 {
            x
        } else {
            -12.0 + 4.0 * (1.0 - libm::exp(-(x + 12.0) / 4.0))
        }
    }

    fn pin_from(guess: f64, want: f64) -> Pinned {
        pin(guess, want, (-24.0, 24.0), |a, b| {
            (Some(limited(a)), Some(limited(b)))
        })
        .expect("pinned")
    }

    #[test]
    fn any_start_gives_the_same_bits() {
        for want in [-23.0, -14.0, -10.5] {
            let cold = pin_from(0.0, want);
            for guess in [-3.0, 5.9, 6.0, 9.1, 12.0, 20.0] {
                let warm = pin_from(guess, want);
                assert_eq!(
                    warm.drive_db.to_bits(),
                    cold.drive_db.to_bits(),
                    "from {guess}"
                );
            }
            // The interpolated drive meets the target to the solve's 0.01 LU.
            assert!((limited(cold.drive_db) - want).abs() < 0.01, "{want}");
        }
    }

    #[test]
    fn a_close_guess_costs_one_pair() {
        // (A target off the grid: one exactly on a grid point sits on a cell's edge.)
        let exact = pin_from(0.0, -14.003).drive_db;
        assert_eq!(pin_from(exact, -14.003).trials, 2);
        assert!(pin_from(exact + 0.4, -14.003).trials <= 4);
    }

    #[test]
    fn silence_or_an_unreachable_target_gives_up() {
        assert!(pin(0.0, -14.0, (-24.0, 24.0), |_, _| (None, None)).is_none());
        // Limited at -8 LUFS: -6 is out of reach.
        assert!(
            pin(0.0, -6.0, (-24.0, 24.0), |a, b| (
                Some(limited(a)),
                Some(limited(b))
            ))
            .is_none()
        );
    }
}
