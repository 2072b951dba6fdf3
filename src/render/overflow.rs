//! Values past the float range inside the graph. A source with extreme (finite)
//! samples, a huge gain or a runaway filter can overflow to infinity; the sum is
//! then NaN and, quantised, silence: the whole master would go quietly to zero from
//! there. Every chunk's master input is checked (a pass over two planes), and the
//! first strip in running order whose output went bad is named.

use super::setup::Plan;
use crate::diag::Diagnostic;
use crate::ir::Mix;

/// Whether any of the first `n` frames of `planes` is not finite, and where.
fn first_bad(planes: &[Vec<f32>; 2], n: usize) -> Option<usize> {
    (0..n).find(|&i| !(planes[0][i].is_finite() && planes[1][i].is_finite()))
}

/// Checks the chunk of `n` frames at render position `pos` that reached the master.
pub fn check(plan: &Plan, mix: &Mix, pos: u64, n: usize) -> Result<(), Diagnostic> {
    if first_bad(&plan.outs[plan.master].post, n).is_none() {
        return Ok(());
    }
    // Running order puts every strip after what feeds it: the first bad one is where
    // the overflow starts (a strip replayed from the cache was finite when recorded).
    let (p, at) = (plan.outs.iter().enumerate())
        .find_map(|(p, o)| first_bad(&o.post, n).map(|at| (p, at)))
        .unwrap_or((plan.master, 0));
    let strip = plan.states[p].strip;
    let s = mix.strips.get(strip).unwrap_or(&mix.master);
    let frame = (pos + at as u64).saturating_sub(plan.latency as u64);
    let secs = frame as f64 / f64::from(mix.session.rate);
    Err(Diagnostic::error(
        "overflow",
        s.span,
        format!(
            "`{}` overflowed at {}: its output went past the float range",
            s.name,
            crate::clock::clock(secs)
        ),
    )
    .with_hint(
        "look for a source with extreme sample values, a very large trim or gain, \
         or a filter or feedback driven to run away",
    ))
}
