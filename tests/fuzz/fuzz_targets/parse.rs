//! Fuzz target: the parser must never panic, whatever bytes it is given, and every
//! span it reports must lie inside the text on character boundaries (so rendering a
//! diagnostic cannot panic either).
//!
//! Run from `tests/fuzz`: `cargo fuzz run parse corpus/parse` (the corpus holds the
//! spec examples as seeds).

#![no_main]

use libfuzzer_sys::fuzz_target;
use mixdown::span::SourceId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match mixdown::syntax::parse(SourceId(0), text) {
        Ok(file) => assert!(file.span.end as usize <= text.len()),
        Err(diags) => {
            assert!(!diags.is_empty());
            for label in diags.iter().flat_map(|d| &d.labels) {
                let r = label.span.range();
                assert!(r.start <= r.end && r.end <= text.len());
                assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
            }
        }
    }
});
