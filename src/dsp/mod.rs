//! Signal processing: the [`Processor`] lifecycle, the registry of built-in
//! processors, and one file per processor family.

pub mod biquad;
pub mod compressor;
pub mod convolve;
pub mod deesser;
pub mod delay;
pub mod docs;
pub mod dynamics;
pub mod eq;
pub mod expander;
pub mod fastmath;
pub mod fft;
mod fft_butterfly;
mod fft_conv;
mod fft_radix;
pub mod gain;
pub mod limiter;
pub mod oversample;
pub mod param;
pub mod registry;
pub mod reverb;
pub mod round;
pub mod saturate;
pub mod smooth;
pub mod stereo;
#[cfg(test)]
pub(crate) mod testutil;
pub mod truepeak;

use crate::ir::Insert;

/// Identifies an automatable parameter of a built processor: its index in the
/// spec's parameter list, and for EQ-like processors the band index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParamId {
    pub band: Option<u16>,
    pub index: u16,
}

/// What a processor is built for.
#[derive(Debug, Clone, Copy)]
pub struct BuildContext {
    /// Session rate in Hz.
    pub rate: f64,
    /// 1 (mono track) or 2.
    pub channels: usize,
    /// The largest block `process` will be given.
    pub max_frames: usize,
}

/// The lifecycle every processor follows (after fundsp's `AudioUnit`): built
/// (prepared) for a rate, channel count and maximum block, then `process`ed block
/// after block. Processing must not depend on how the signal is split into blocks,
/// so any chunk size renders the same bits.
pub trait Processor: Send {
    /// Samples of delay the processor adds (lookahead, oversampling filters).
    fn latency(&self) -> usize {
        0
    }

    /// Clears all state, as if freshly built.
    fn reset(&mut self);

    /// Sets an automatable parameter (canonical unit), effective from the next sample.
    /// Processors smooth or interpolate internally so a moving parameter does not click.
    fn set_param(&mut self, _id: ParamId, _value: f64) {}

    /// Processes in place. `io` has one slice per channel, all the same length
    /// (at most `max_frames`). `sidechain`, when the processor was given one, is the
    /// key signal for the same frames (1 or 2 channels).
    fn process(&mut self, io: &mut [&mut [f32]], sidechain: Option<&[&[f32]]>);

    /// Whether the processor is linear in its input: scaling the input by `g` scales
    /// the output by `g` (filters, delays, reverbs; not dynamics or saturation). The
    /// loudness solve runs a chain's linear head once instead of once per trial.
    fn is_linear(&self) -> bool {
        false
    }

    /// Whether output can continue after the input falls silent (reverb, delay feedback);
    /// `tail auto` keeps rendering while such processors ring.
    fn has_tail(&self) -> bool {
        false
    }

    /// What the processor did since it was built or reset, for the render report:
    /// for a limiter, its largest gain reduction in dB (positive). `None` when the
    /// processor has nothing to report.
    fn report(&self) -> Option<f64> {
        None
    }

    /// For the visual report's plot over time: the deepest gain reduction (dB,
    /// positive) since the last call, which starts the next window. `None` for
    /// processors that do not reduce gain.
    fn take_gain_reduction_db(&mut self) -> Option<f32> {
        None
    }
}

/// Builds the processor an insert describes, through the registry.
pub fn build(insert: &Insert, ctx: &BuildContext) -> Result<Box<dyn Processor>, String> {
    let spec = registry::lookup(&insert.kind)
        .ok_or_else(|| format!("unknown processor `{}`", insert.kind))?;
    (spec.build)(insert, ctx)
}
