//! Stopping a render (Ctrl-C, or a newer save in `watch`): the render checks its
//! flag between chunks of the graph, between blocks of the master chain, and once
//! more before any file goes into place; a stopped render writes nothing.

use crate::diag::Diagnostic;

/// Stops a render when Ctrl-C set the flag: the unfinished outputs are then dropped
/// and their temporary files removed, so nothing is written or changed.
pub fn check_cancel(
    cancel: Option<&std::sync::Arc<std::sync::atomic::AtomicBool>>,
) -> Result<(), Vec<Diagnostic>> {
    if cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed)) {
        return Err(vec![Diagnostic::global(
            "interrupted",
            "interrupted: no file was written or changed",
        )]);
    }
    Ok(())
}
