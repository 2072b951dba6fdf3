//! The convolution processor of `reverb "ir.wav"`: the impulse response decoded,
//! resampled to the session rate, and convolved by [`FftConv`] (uniformly partitioned
//! FFT convolution on our own FFT, f32, both channels in one transform).
//!
//! Determinism: the engine is only ever given whole partitions, so its FFTs see the
//! same data whatever the render's block size; the price is a latency of one
//! partition ([`Processor::latency`], compensated by the renderer). The partition is
//! the IR's length rounded up to a power of two, kept within 4096..32768 samples
//! (large partitions are fastest offline, DEPENDENCIES §2.9; for a 3 s IR, 32768 ran
//! 10 % faster than 16384 and as fast as 65536). The FFT picks nothing at run time and
//! takes its twiddles from `libm`, so the output is the same on every machine (see
//! `super::fft`); a golden hash in `convolve_tests.rs` pins it.

use super::fft_conv::FftConv;
use super::reverb::Output;
use super::{BuildContext, ParamId, Processor};
use crate::io::{FrameSource, read_to_end, resample_planar};
use std::path::Path;

const MIN_PARTITION: usize = 4096;
const MAX_PARTITION: usize = 32768;

pub struct Convolution {
    engine: FftConv,
    partition: usize,
    chans: usize,
    /// The dry signal, delayed by one partition (a ring of `partition` samples).
    dry: Vec<Vec<f32>>,
    fill: usize,
    /// The predelay: a ring of `predelay` samples per channel, all at `pre_pos`.
    pre: Vec<Vec<f32>>,
    pre_pos: usize,
    out: Output,
}

/// Decodes `path` to planar f32 at the file's rate.
fn decode(path: &Path) -> Result<(Vec<Vec<f32>>, u32), String> {
    let name = path.display();
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot open the impulse response {name}: {e}"))?;
    let ext = path.extension().and_then(|e| e.to_str());
    let mut dec = crate::io::open(Box::new(std::io::BufReader::new(file)), ext)
        .map_err(|e| format!("the impulse response {name} {e}"))?;
    let rate = dec.rate();
    let planes = read_to_end(&mut dec).map_err(|e| format!("the impulse response {name} {e}"))?;
    Ok((planes, rate))
}

impl Convolution {
    /// Loads the IR at `path` for a processor of `ctx.channels` channels.
    pub fn load(
        path: &Path,
        predelay: usize,
        out: Output,
        ctx: &BuildContext,
    ) -> Result<Self, String> {
        let (planes, rate) = decode(path)?;
        let session = ctx.rate.round() as u32;
        let planes = if rate == session {
            planes
        } else {
            resample_planar(&planes, rate, session)
                .map_err(|e| format!("the impulse response {} {e}", path.display()))?
        };
        if planes.first().is_none_or(|p| p.is_empty()) {
            return Err(format!("the impulse response {} is empty", path.display()));
        }
        let irs: Vec<Vec<f64>> = planes
            .iter()
            .map(|p| p.iter().map(|&v| f64::from(v)).collect())
            .collect();
        Self::new(irs, predelay, out, ctx.channels)
    }

    /// From IR channels at the session rate (1 or 2): a mono IR serves every channel;
    /// a stereo IR on a mono signal is averaged.
    pub fn new(
        irs: Vec<Vec<f64>>,
        predelay: usize,
        out: Output,
        channels: usize,
    ) -> Result<Self, String> {
        let channels = channels.clamp(1, 2);
        let mut irs = irs;
        if irs.is_empty() {
            return Err("the impulse response is empty".into());
        }
        if channels == 1 && irs.len() >= 2 {
            let mono = irs[0].iter().zip(&irs[1]).map(|(a, b)| 0.5 * (a + b));
            irs = vec![mono.collect()];
        }
        irs.truncate(2);
        let len = irs.iter().map(Vec::len).max().unwrap_or(1);
        let partition = len.next_power_of_two().clamp(MIN_PARTITION, MAX_PARTITION);
        Ok(Self {
            engine: FftConv::new(&irs, channels, partition),
            partition,
            chans: channels,
            dry: vec![vec![0.0; partition]; channels],
            fill: 0,
            pre: vec![vec![0.0; predelay]; channels],
            pre_pos: 0,
            out,
        })
    }
}

impl Processor for Convolution {
    fn is_linear(&self) -> bool {
        true
    }

    fn latency(&self) -> usize {
        self.partition
    }

    fn reset(&mut self) {
        self.engine.reset();
        self.dry.iter_mut().for_each(|d| d.fill(0.0));
        self.fill = 0;
        self.pre.iter_mut().for_each(|p| p.fill(0.0));
        self.pre_pos = 0;
        self.out.reset();
    }

    fn set_param(&mut self, id: ParamId, value: f64) {
        if id.band.is_some() || value.is_nan() {
            return;
        }
        if let Some(name) = super::registry::param_name(super::reverb::PARAMS, id.index) {
            self.out.set(name, value);
        }
    }

    fn process(&mut self, io: &mut [&mut [f32]], _sidechain: Option<&[&[f32]]>) {
        let frames = io.first().map_or(0, |c| c.len());
        let n = self.chans.min(io.len());
        let mut i = 0;
        // In runs up to the end of the current partition, so the copies are whole slices.
        while i < frames {
            let at = self.fill;
            let run = (frames - i).min(self.partition - at);
            for (k, ch) in io[..n].iter_mut().enumerate() {
                let x = &mut ch[i..i + run];
                let wet_in = &mut self.engine.input(k)[at..at + run];
                match self.pre.get_mut(k).filter(|p| !p.is_empty()) {
                    Some(ring) => delay(ring, self.pre_pos, x, wet_in),
                    None => wet_in.copy_from_slice(x),
                }
                // The input goes into the dry ring; what comes out (one partition
                // old) is the dry signal that lines up with the wet one.
                x.swap_with_slice(&mut self.dry[k][at..at + run]);
            }
            if let Some(len) = self.pre.first().map(Vec::len).filter(|&l| l > 0) {
                self.pre_pos = (self.pre_pos + run) % len;
            }
            let wet_out =
                [0, 1].map(|k| &self.engine.output(k.min(n.saturating_sub(1)))[at..at + run]);
            for j in 0..run {
                let (mut dry, mut wet) = ([0.0f64; 2], [0.0f64; 2]);
                for k in 0..n {
                    dry[k] = f64::from(io[k][i + j]);
                    wet[k] = f64::from(wet_out[k][j]);
                }
                self.out.apply(&mut io[..n], i + j, dry, wet);
            }
            i += run;
            self.fill += run;
            if self.fill == self.partition {
                self.fill = 0;
                self.engine.process();
            }
        }
    }

    fn has_tail(&self) -> bool {
        true
    }
}

/// Passes `x` through the delay line `ring` (read and written at `pos`, wrapping) into
/// `out`.
fn delay(ring: &mut [f32], mut pos: usize, x: &[f32], out: &mut [f32]) {
    let mut done = 0;
    while done < x.len() {
        let len = (x.len() - done).min(ring.len() - pos);
        out[done..done + len].copy_from_slice(&ring[pos..pos + len]);
        ring[pos..pos + len].copy_from_slice(&x[done..done + len]);
        done += len;
        pos = (pos + len) % ring.len();
    }
}
