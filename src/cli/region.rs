//! A region render writes its part of the song where the whole song's files go, so
//! without `-o DIR` it replaces them. That is what a preview in `watch` wants, but a
//! finished master cut down to a passage is a loss nobody asked for: say so, before
//! the render, for every file that holds more than the region will.

use crate::diag::Diagnostic;
use crate::ir::Mix;
use crate::render::region::Region;

/// Warnings for the exports whose files now hold more of the song than `region`.
pub fn replaced(mix: &Mix, file_stem: &str, region: Region) -> Vec<Diagnostic> {
    let rate = f64::from(mix.session.rate);
    // An open-ended region's length is only known once rendered: any file may be longer.
    let region_secs = (region.to != u64::MAX).then(|| (region.to - region.from) as f64 / rate);
    let paths = crate::render::targets::export_paths(mix, file_stem, None);
    (paths.iter())
        .filter_map(|(path, export, _)| {
            let reader = std::fs::File::open(path).ok()?;
            let ext = (path.extension().and_then(|e| e.to_str())).map(str::to_ascii_lowercase);
            let info = crate::io::probe(Box::new(reader), ext.as_deref()).ok()?;
            let secs = info.frames? as f64 / f64::from(info.rate);
            // Half a second over: the region file itself, a block or a tail longer.
            if region_secs.is_some_and(|r| secs <= r + 0.5) {
                return None;
            }
            let part = region_secs.map_or("a part".to_string(), super::render::clock);
            Some(
                Diagnostic::warning(
                    "region-replaces",
                    export.span,
                    format!(
                        "{} ({}) is replaced by {part} of the song",
                        path.display(),
                        super::render::clock(secs)
                    ),
                )
                .with_hint("a region is written where the whole song's files go; add `-o DIR` to keep them"),
            )
        })
        .collect()
}
