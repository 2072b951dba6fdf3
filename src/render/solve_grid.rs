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
const MAX_MOVES: usize = 8;

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
    for _ in 0..MAX_MOVES {
        let (a, b) = (k as f64 * STEP_DB, (k + 1) as f64 * STEP_DB);
        let (la, lb) = pair(a, b);
        trials += 2;
        let (fa, fb) = (la? - want, lb? - want);
        if fa < 0.0 && fb >= 0.0 {
            let t = -fa / (fb - fa);
            return Some(Pinned {
                drive_db: a + t * STEP_DB,
                lufs: want + fa + t * (fb - fa),
                trials,
            });
        }
        // The secant through the two ends predicts the cell; always move at least one.
        let slope = (fb - fa) / STEP_DB;
        let next = if slope > 1e-3 {
            cell(a - fa / slope)
        } else if fa >= 0.0 {
            k - 1
        } else {
            k + 1
        };
        let next = match next.cmp(&k) {
            std::cmp::Ordering::Equal if fa >= 0.0 => k - 1,
            std::cmp::Ordering::Equal => k + 1,
            _ => next,
        };
        if next == k || !(cell(limits.0)..=cell(limits.1)).contains(&next) {
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
