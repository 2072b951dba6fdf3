//! The convolution engine of `reverb "ir.wav"`: the impulse response decoded,
//! resampled to the session rate, and convolved by uniformly partitioned FFT
//! convolution (the `fft-convolver` crate, in f64).
//!
//! Determinism: the convolver is only ever given whole partitions, so its FFTs
//! see the same data whatever the render's block size; the price is a latency
//! of one partition ([`Processor::latency`], compensated by the renderer). The
//! partition is the IR's length rounded up to a power of two, kept within
//! 4096..16384 samples (large partitions are fastest offline, DEPENDENCIES §2.9).
//! rustfft picks its SIMD kernels at run time, so the last bits may differ between
//! CPU families (not between runs or block sizes on one machine).

use super::reverb::Output;
use super::{BuildContext, ParamId, Processor};
use crate::io::{FrameSource, read_to_end, resample_planar};
use fft_convolver::FFTConvolver;
use std::path::Path;

const MIN_PARTITION: usize = 4096;
const MAX_PARTITION: usize = 16384;

struct Channel {
    conv: FFTConvolver<f64>,
    input: Vec<f64>,
    output: Vec<f64>,
    /// The dry signal, delayed by one partition (a ring of `partition` samples).
    dry: Vec<f64>,
}

pub struct Convolution {
    partition: usize,
    chans: Vec<Channel>,
    fill: usize,
    pre: Vec<f64>,
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
        let planes = resample_planar(&planes, rate, session)
            .map_err(|e| format!("the impulse response {} {e}", path.display()))?;
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
        let irs: Vec<Vec<f64>> = match (irs.len(), channels) {
            (1, _) => vec![irs[0].clone(); channels],
            (_, 1) => vec![
                irs[0]
                    .iter()
                    .zip(&irs[1])
                    .map(|(a, b)| 0.5 * (a + b))
                    .collect(),
            ],
            _ => irs[..2].to_vec(),
        };
        let len = irs.iter().map(Vec::len).max().unwrap_or(1);
        let partition = len.next_power_of_two().clamp(MIN_PARTITION, MAX_PARTITION);
        let chans = irs
            .iter()
            .map(|ir| {
                let mut conv = FFTConvolver::default();
                conv.init(partition, ir).map_err(|e| e.to_string())?;
                Ok(Channel {
                    conv,
                    input: vec![0.0; partition],
                    output: vec![0.0; partition],
                    dry: vec![0.0; partition],
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            partition,
            chans,
            fill: 0,
            pre: vec![0.0; predelay * channels],
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
        for c in &mut self.chans {
            c.conv.reset();
            c.input.fill(0.0);
            c.output.fill(0.0);
            c.dry.fill(0.0);
        }
        self.fill = 0;
        self.pre.fill(0.0);
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
        let n = self.chans.len().min(io.len());
        let pre_len = self.pre.len() / n.max(1);
        for i in 0..frames {
            let (mut dry, mut wet) = ([0.0f64; 2], [0.0f64; 2]);
            for k in 0..n {
                let x = f64::from(io[k][i]);
                let c = &mut self.chans[k];
                let x_wet = if pre_len > 0 {
                    let at = self.pre_pos * n + k;
                    std::mem::replace(&mut self.pre[at], x)
                } else {
                    x
                };
                c.input[self.fill] = x_wet;
                wet[k] = c.output[self.fill];
                dry[k] = std::mem::replace(&mut c.dry[self.fill], x);
            }
            if pre_len > 0 {
                self.pre_pos = (self.pre_pos + 1) % pre_len;
            }
            self.fill += 1;
            if self.fill == self.partition {
                self.fill = 0;
                for c in &mut self.chans[..n] {
                    if c.conv.process(&c.input, &mut c.output).is_err() {
                        c.output.fill(0.0);
                    }
                }
            }
            self.out.apply(&mut io[..n], i, dry, wet);
        }
    }

    fn has_tail(&self) -> bool {
        true
    }
}
