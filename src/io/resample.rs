//! Sample-rate conversion, streaming: frames are pulled from a [`FrameSource`] in blocks
//! and converted by [`resample_kernel`](super::resample_kernel), an FFT resampler on our
//! own FFT (rubato's `Fft` algorithm and filter; REFERENCES §7 measured that design flat
//! to 20 kHz with −194 dBFS aliasing). It runs in f64, takes nothing from the platform's
//! libm and picks no code at run time, so it gives the same bits on every machine (a
//! golden hash in the tests pins it; see `crate::repro`).
//!
//! Guarantees:
//! - Output length is exactly `round(in_frames · out / in)`, computed in integers
//!   (rubato's own `ceil` of a float ratio gives one frame too many, REFERENCES §7).
//! - The startup delay is trimmed, so output frame k is input time k·in/out.
//! - Input is pulled in fixed blocks, so the output does not depend on how many frames
//!   the caller asks for per read.

use super::resample_kernel::{Kernel, Plan};
use super::{AudioError, FrameSource, MemorySource, read_to_end};
use std::collections::VecDeque;

/// Blocks of about this many input frames: the filter has as many taps, so this sets how
/// close to Nyquist its cutoff can sit (1024 is what rubato's `Fft` was measured with).
const BLOCK: usize = 1024;

/// The largest block allowed (2^20 frames). Converting any file rate from 1 kHz to
/// 400 kHz to any of the usual rates (8 kHz to 384 kHz, 44.1 and 48 kHz families) needs
/// at most 2^20 (checked for every whole rate when this was written); the usual rates
/// among themselves need at most 49152.
const MAX_BLOCK: usize = 1 << 20;

/// Input and output frames per block: whole multiples of the reduced ratio, and an
/// **even** number of them, because the filter is centred on input frame `n_in / 2`
/// (integer division) and the delay trimmed is `n_out / 2`: an odd block (e.g. 7 × 147
/// for 44.1 → 48 kHz) would leave a half-sample misalignment that cannot be trimmed.
fn block_sizes(from: u32, to: u32) -> (usize, usize) {
    let (mut a, mut b) = (from as usize, to as usize);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let (min_in, min_out) = (from as usize / a, to as usize / a);
    let blocks = BLOCK.div_ceil(min_in).next_multiple_of(2);
    (blocks * min_in, blocks * min_out)
}

/// Exact output length for `frames` input frames: round-half-up of frames·to/from.
pub fn output_len(frames: u64, from: u32, to: u32) -> u64 {
    let (f, from, to) = (u128::from(frames), u128::from(from), u128::from(to));
    ((f * to + from / 2) / from) as u64
}

/// A [`FrameSource`] converted to another sample rate (streaming).
pub struct Resampled<S: FrameSource> {
    src: S,
    out_rate: u32,
    state: Option<State>,
}

struct State {
    /// One kernel per pair of channels (the last one may carry a single channel).
    kernels: Vec<Kernel>,
    n_in: usize,
    n_out: usize,
    input: Vec<Vec<f32>>,
    output: Vec<Vec<f32>>,
    fifo: Vec<VecDeque<f32>>,
    /// Startup-delay frames still to drop from the kernels' output.
    to_trim: usize,
    in_frames: u64,
    src_done: bool,
    /// Frames that will be emitted in total, known once the source has ended.
    total: Option<u64>,
    /// Frames pushed into `fifo` so far (after trimming).
    queued: u64,
    /// Frames handed to the caller so far.
    emitted: u64,
    in_rate: u32,
    out_rate: u32,
}

impl<S: FrameSource> Resampled<S> {
    /// Wraps `src`; when its rate already equals `out_rate`, frames pass through untouched.
    pub fn new(src: S, out_rate: u32) -> Result<Self, AudioError> {
        let (ch, in_rate) = (src.channels(), src.rate());
        if in_rate == 0 || out_rate == 0 || ch == 0 {
            return Err(AudioError::Resample(format!(
                "cannot convert {ch} channels from {in_rate} Hz to {out_rate} Hz"
            )));
        }
        let state = if in_rate == out_rate {
            None
        } else {
            let (n_in, n_out) = block_sizes(in_rate, out_rate);
            // Only absurd rates get here (a file's header can claim any rate): refuse
            // them rather than try to allocate gigabytes for their FFTs.
            if n_in.max(n_out) > MAX_BLOCK {
                return Err(AudioError::Resample(format!(
                    "cannot convert from {in_rate} Hz to {out_rate} Hz: their ratio would \
                     need blocks of {} frames",
                    n_in.max(n_out)
                )));
            }
            let plan = Plan::new(n_in, n_out);
            Some(State {
                kernels: (0..ch.div_ceil(2))
                    .map(|_| Kernel::new(plan.clone()))
                    .collect(),
                to_trim: plan.delay(),
                n_in,
                n_out,
                input: vec![vec![0.0; n_in]; ch],
                output: vec![vec![0.0; n_out]; ch],
                fifo: vec![VecDeque::new(); ch],
                in_frames: 0,
                src_done: false,
                total: None,
                queued: 0,
                emitted: 0,
                in_rate,
                out_rate,
            })
        };
        Ok(Self {
            src,
            out_rate,
            state,
        })
    }

    pub fn into_inner(self) -> S {
        self.src
    }
}

impl State {
    /// Converts one block: pulls input (or silence once the source ended, to flush the
    /// delay) and queues the trimmed output.
    fn step(&mut self, src: &mut dyn FrameSource) -> Result<(), AudioError> {
        let need = self.n_in;
        let mut got = 0;
        if !self.src_done {
            // Read until the block is full: a source returns short only at its end.
            while got < need {
                let mut outs: Vec<&mut [f32]> =
                    self.input.iter_mut().map(|b| &mut b[got..need]).collect();
                let n = src.read(&mut outs)?;
                got += n;
                if n == 0 {
                    break;
                }
            }
            self.in_frames += got as u64;
            if got < need {
                self.src_done = true;
                self.total = Some(output_len(self.in_frames, self.in_rate, self.out_rate));
            }
        }
        for plane in &mut self.input {
            plane[got..].fill(0.0);
        }
        for (pair, kernel) in self.kernels.iter_mut().enumerate() {
            let (a, b) = (2 * pair, 2 * pair + 1);
            let (ya, yb) = match self.output[a..].split_first_mut() {
                Some((ya, rest)) => (ya, rest.first_mut()),
                None => continue,
            };
            let xb = self.input.get(b).map(Vec::as_slice);
            kernel.process(&self.input[a], xb, ya, yb.map(Vec::as_mut_slice));
        }
        let skip = self.to_trim.min(self.n_out);
        self.to_trim -= skip;
        for (q, o) in self.fifo.iter_mut().zip(&self.output) {
            q.extend(&o[skip..]);
        }
        self.queued += (self.n_out - skip) as u64;
        Ok(())
    }

    /// All output that will ever exist is queued.
    fn complete(&self) -> bool {
        self.total.is_some_and(|t| self.queued >= t)
    }
}

impl<S: FrameSource> FrameSource for Resampled<S> {
    fn channels(&self) -> usize {
        self.src.channels()
    }

    fn rate(&self) -> u32 {
        self.out_rate
    }

    fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let Some(st) = self.state.as_mut() else {
            return self.src.read(out);
        };
        let want = out.first().map_or(0, |o| o.len());
        while st.fifo[0].len() < want && !st.complete() {
            st.step(&mut self.src)?;
        }
        // Frames beyond the exact total are the tail of the flushing silence: never emitted.
        let left = st.total.map_or(u64::MAX, |t| t - st.emitted.min(t));
        let n = want
            .min(st.fifo[0].len())
            .min(usize::try_from(left).unwrap_or(usize::MAX));
        for (o, q) in out.iter_mut().zip(st.fifo.iter_mut()) {
            for (d, s) in o[..n].iter_mut().zip(q.drain(..n)) {
                *d = s;
            }
        }
        st.emitted += n as u64;
        Ok(n)
    }
}

/// Resamples whole planar buffers in memory (exports, impulse responses). The result
/// is identical to streaming the same audio through [`Resampled`].
pub fn resample_planar(
    planar: &[Vec<f32>],
    from: u32,
    to: u32,
) -> Result<Vec<Vec<f32>>, AudioError> {
    if from == to {
        return Ok(planar.to_vec());
    }
    let src = MemorySource::new(planar.to_vec(), from);
    let mut rs = Resampled::new(src, to)?;
    read_to_end(&mut rs)
}

#[cfg(test)]
#[path = "resample_tests.rs"]
mod tests;
