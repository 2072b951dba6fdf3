//! `--from T --to T`: a render of part of the timeline. The graph starts a pre-roll
//! before the region so that reverbs, delays, envelopes and filters are already
//! where they would be in the whole render when the first written frame comes.

use super::master::MasterStage;
use super::setup::Plan;

/// How far before the region the graph starts: a reverb with a 3 s RT60 has decayed
/// by 96 dB after about 4.8 s (RT60 is the time to fall 60 dB).
pub const PREROLL_SECONDS: u64 = 5;

/// Part of the timeline, in output samples at the session rate: `from..to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub from: u64,
    pub to: u64,
}

/// Sets the render up to start at the pre-roll; returns that render-time sample.
pub fn start(plan: &mut Plan, stage: Option<&mut MasterStage>, r: Region, rate: u32) -> u64 {
    let origin = r.from.saturating_sub(PREROLL_SECONDS * u64::from(rate));
    plan.origin = origin;
    for st in &mut plan.states {
        if let Some(src) = &mut st.source {
            src.start_at(origin);
        }
    }
    if let Some(st) = stage {
        st.region(origin, r.from);
    }
    origin
}

/// The warning for a region rendered without the whole song's drive at hand.
pub fn solved_alone(mix: &crate::ir::Mix) -> crate::diag::Diagnostic {
    let span = mix.loudness.map(|l| l.span).unwrap_or_default();
    crate::diag::Diagnostic::warning(
        "region",
        span,
        "the loudness drive of this region was solved over the region alone; \
         render the whole song once (or keep `watch` running) to hear it at the song's drive",
    )
}
