//! Writing the master exports with the solved drive, each held to its ceiling and
//! checked against the target.

use super::{DELIVERY_TOL_LU, HEAVY_GR_DB, MasterStage, masters};
use crate::diag::Diagnostic;
use crate::render::output::Output;
use crate::render::solve::{self, SOLVE_TOL_LU, Solved};

/// Solves with the limiters lowered by what the files as written overshot.
const RESOLVE_ROUNDS: usize = 3;

impl MasterStage {
    /// Writes the master exports with the solved drive, holding each to its ceiling
    /// and checking it against the target. Returns warnings.
    ///
    /// When a file as written needs a trim to hold the ceiling (the limiter's 4x
    /// detector and the BS.1770 meter interpolate differently; SRC can overshoot),
    /// the trim would cost loudness. So the limiters are run that much lower and the
    /// drive solved again, once or twice, until no file needs a trim that matters.
    pub fn deliver(
        &mut self,
        solved: &mut Solved,
        outputs: &mut [Output],
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let masters = masters(outputs);
        for round in 0..RESOLVE_ROUNDS {
            self.deliver_once(solved, outputs, &masters)
                .map_err(|d| vec![d])?;
            let mut again = false;
            // A trim means the limiters let through more than the meter allows: run
            // them that much lower and solve again.
            let worst_trim = masters
                .iter()
                .map(|&i| -20.0 * libm::log10(outputs[i].gain))
                .fold(0.0, f64::max);
            let resolve = worst_trim > SOLVE_TOL_LU;
            // A converted file misses by what the conversion took: make it up into
            // its ceiling guard.
            for &i in &masters {
                let o = &mut outputs[i];
                if let (false, Some(l)) = (
                    o.streams(),
                    o.measured.as_ref().and_then(|m| m.integrated_lufs),
                ) {
                    let miss = self.target.lufs - solve::reading(l);
                    if miss.abs() > SOLVE_TOL_LU {
                        o.makeup *= super::chain::gain(miss);
                        again = true;
                    }
                }
            }
            if round + 1 == RESOLVE_ROUNDS || !(resolve || again) {
                break;
            }
            for &i in &masters {
                outputs[i].gain = 1.0;
                outputs[i].restart().map_err(|d| vec![d])?;
            }
            (self.written, self.dirty) = (None, false);
            if resolve {
                self.margin_db += worst_trim;
                let trials = solved.trials;
                *solved = self.solve(outputs).map_err(|d| vec![d])?;
                solved.trials += trials;
            }
        }
        self.verdict(solved, outputs, &masters)
    }

    fn deliver_once(
        &mut self,
        solved: &mut Solved,
        outputs: &mut [Output],
        masters: &[usize],
    ) -> Result<(), Diagnostic> {
        for &i in masters {
            outputs[i].ceiling = self.ceiling;
        }
        let mut pending = masters.to_vec();
        let key = (solved.drive_db.to_bits(), self.margin_db.to_bits());
        for attempt in 0..4 {
            if attempt > 0 || self.written != Some(key) {
                if attempt == 0 && self.dirty {
                    pending.iter().try_for_each(|&i| outputs[i].restart())?;
                }
                self.dirty = true;
                let pass = super::pass(
                    &self.input,
                    &self.limiters,
                    self.shape,
                    self.margin_db,
                    self.stop.as_deref(),
                );
                let push =
                    |b: [&[f32]; 2]| pending.iter().try_for_each(|&i| outputs[i].push(b, false));
                if self.jobs > 1 {
                    self.chain.run_split(&pass, solved.drive_db, None, push)?;
                } else {
                    let mut push = push;
                    self.chain.run(&pass, solved.drive_db, |b, _| push(b))?;
                }
            }
            self.written = None;
            if attempt == 0 {
                solved.max_gain_reduction_db = self.gain_reduction();
            }
            close_all(outputs, &pending, self.jobs)?;
            // A streamed file over its ceiling is trimmed and written again.
            pending.retain(|&i| outputs[i].streams() && outputs[i].over().is_some());
            if pending.is_empty() {
                break;
            }
            for &i in &pending {
                let over = outputs[i].over().expect("over");
                outputs[i].trim(over);
                outputs[i].restart()?;
            }
        }
        Ok(())
    }

    /// Warnings for heavy limiting; errors for any file off target or over its ceiling.
    fn verdict(
        &self,
        solved: &Solved,
        outputs: &[Output],
        masters: &[usize],
    ) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let span = self.target.span;
        if let Some(gr) = solved.max_gain_reduction_db.filter(|&g| g > HEAVY_GR_DB) {
            warnings.push(Diagnostic::warning(
                "loudness",
                span,
                format!(
                    "{} LUFS is met with {gr:.1} dB of limiting (more than {HEAVY_GR_DB} dB): \
                     expect audible distortion and pumping",
                    self.target.lufs
                ),
            ));
        }
        for &i in masters {
            let o = &outputs[i];
            let m = o.measured.as_ref().expect("closed");
            let name = o.path.display();
            match m.integrated_lufs {
                Some(l) if (l - self.target.lufs).abs() <= DELIVERY_TOL_LU => {}
                got => {
                    let e = Diagnostic::error(
                        "loudness",
                        span,
                        format!(
                            "{name} measures {} as written, not within {DELIVERY_TOL_LU} LU of {} LUFS",
                            got.map_or("silence".into(), |l| format!("{l:.2} LUFS")),
                            self.target.lufs
                        ),
                    );
                    // A file turned down to hold the ceiling: peaks got past the limiter.
                    let trim = -20.0 * libm::log10(o.gain);
                    errors.push(match o.ceiling {
                        Some(c) if trim > DELIVERY_TOL_LU => e.with_hint(format!(
                            "the file was turned down {trim:.1} dB to hold the {c} dBTP ceiling: \
                             something after the last limiter (the master's `gain`, which is \
                             its fader, or an insert after it) lets peaks through"
                        )),
                        _ => e,
                    });
                }
            }
            if let (Some(over), Some(c)) = (o.over(), o.ceiling) {
                errors.push(Diagnostic::error(
                    "loudness",
                    span,
                    format!("{name} peaks at {:.2} dBTP as written, {over:.2} dB over the {c} dBTP ceiling", m.true_peak_dbtp),
                ));
            }
        }
        if errors.is_empty() {
            Ok(warnings)
        } else {
            Err(errors)
        }
    }
}

/// Closes (converts, guards, measures) each of `which`, up to `jobs` at once; the
/// first error in `which` order is returned.
fn close_all(outputs: &mut [Output], which: &[usize], jobs: usize) -> Result<(), Diagnostic> {
    let mut picked: Vec<&mut Output> = (outputs.iter_mut().enumerate())
        .filter(|(i, _)| which.contains(i))
        .map(|(_, o)| o)
        .collect();
    if jobs <= 1 || picked.len() <= 1 {
        return picked.iter_mut().try_for_each(|o| o.close());
    }
    for group in picked.chunks_mut(jobs) {
        let results: Vec<Result<(), Diagnostic>> = std::thread::scope(|s| {
            let handles: Vec<_> = (group.iter_mut())
                .map(|o| s.spawn(move || o.close()))
                .collect();
            (handles.into_iter())
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        results.into_iter().collect::<Result<(), Diagnostic>>()?;
    }
    Ok(())
}
