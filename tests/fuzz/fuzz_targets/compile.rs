//! Fuzz target: parse and compile any text in an in-memory world. Whatever the input,
//! the compiler reports diagnostics with in-bounds spans and never panics.
//!
//! Run from `tests/fuzz`: `cargo fuzz run compile corpus/parse`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mixdown::world::{MemoryWorld, World};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let world = MemoryWorld::new();
    let id = world.add_virtual("fuzz.mix", text);
    let compiled = mixdown::compile::compile(&world, id);
    for label in compiled.diags.iter().flat_map(|d| &d.labels) {
        if label.span.source == id {
            let r = label.span.range();
            assert!(r.start <= r.end && r.end <= text.len());
        }
    }
    if let Some(mix) = compiled.mix {
        // The graph of anything that compiled must build and schedule.
        let g = mixdown::graph::build(&mix);
        let _ = mixdown::graph::schedule::schedule(&g);
    }
});
