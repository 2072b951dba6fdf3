//! `MIXDOWN_TIMINGS=1`: the time each phase of a render ends at, on stderr, for
//! profiling (setup, cache lookups, the graph, the loudness search, the delivery, the
//! files put in place).

use std::time::Instant;

pub struct Stopwatch(Option<Instant>);

impl Stopwatch {
    /// Running when `MIXDOWN_TIMINGS` is set, else a no-op.
    pub fn from_env() -> Self {
        Self(std::env::var_os("MIXDOWN_TIMINGS").map(|_| Instant::now()))
    }

    pub fn mark(&self, phase: &str) {
        if let Some(t0) = self.0 {
            eprintln!(
                "timings: {phase} done at {:.3} s",
                t0.elapsed().as_secs_f64()
            );
        }
    }
}
