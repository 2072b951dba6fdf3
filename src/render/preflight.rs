//! What `check` reads of a mix's inputs, as the render will read them: every audio
//! file decoded to its end (a file cut short or corrupt further in fails here, not
//! minutes into a render) and every file a processor loads (an impulse response).

use crate::diag::Diagnostic;
use crate::ir::{Mix, Source};
use crate::world::World;

/// The errors the render would meet reading `mix`'s inputs.
pub fn inputs(mix: &Mix, world: &dyn World) -> Vec<Diagnostic> {
    let mut errors: Vec<_> = (mix.strips.iter())
        .filter(|s| matches!(s.source, Some(Source::File { .. })))
        .filter_map(|s| {
            let opened = super::source::open(world, s, mix.session.rate);
            opened
                .and_then(|_| super::source::decode_all(world, s))
                .err()
        })
        .collect();
    let ctx = crate::dsp::BuildContext {
        rate: f64::from(mix.session.rate),
        channels: 2,
        max_frames: super::DEFAULT_CHUNK,
    };
    for ins in (mix.strips.iter().chain([&mix.master])).flat_map(|s| &s.inserts) {
        if crate::dsp::registry::files(ins).is_empty() {
            continue;
        }
        if let Err(m) = crate::dsp::build(ins, &ctx) {
            errors.push(Diagnostic::error(
                "processor",
                ins.span,
                format!("cannot build `{}`: {m}", ins.name),
            ));
        }
    }
    errors
}
