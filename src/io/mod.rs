//! Audio input and output: decoding, resampling, encoding, atomic writes.
//!
//! Everything here works on **planar `f32`** audio (one slice per channel, all the same
//! length) and streams: a decoder hands out frames as asked, a resampler pulls from any
//! [`FrameSource`], and a writer takes chunks through [`AudioSink`]. Files are written
//! beside their target and renamed over it only when complete ([`atomic`]).
//!
//! Error messages are written to follow a file name, e.g.
//! `format!("{} {err}", path.display())` reads "drums.wav has 6 channels; …".

pub mod atomic;
pub mod decode;
pub mod encode;
pub mod flac;
pub mod resample;
mod resample_kernel;
mod wav_write;

pub use decode::{Decoder, open, probe};
pub use encode::{WavWriter, create_writer};
pub use flac::FlacWriter;
pub use resample::{Resampled, resample_planar};

use std::path::PathBuf;

/// What a file's header says about its audio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioInfo {
    pub rate: u32,
    /// 1 or 2 (other counts are rejected when the file is opened).
    pub channels: usize,
    /// Length in frames, when the container declares it.
    pub frames: Option<u64>,
    /// Short codec name as symphonia reports it, e.g. `pcm_s24le`, `flac`, `mp3`, `vorbis`.
    pub codec: String,
    /// Bits per sample for lossless codecs.
    pub bits: Option<u32>,
}

/// Everything that can go wrong reading or writing audio. Each message reads as a
/// predicate after the file's name.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    #[error("is empty (0 bytes)")]
    Empty,
    #[error("is not an audio file mixdown can read (it reads WAV, AIFF, FLAC, MP3 and Ogg Vorbis)")]
    UnrecognisedFormat,
    #[error("contains no audio track")]
    NoAudioTrack,
    #[error("uses an unsupported codec or codec feature ({0})")]
    UnsupportedCodec(String),
    #[error("has {0} channels; mixdown reads mono or stereo files")]
    UnsupportedChannels(usize),
    #[error(
        "is truncated: its header declares {declared} frames but the data ends after {decoded}"
    )]
    Truncated { declared: u64, decoded: u64 },
    #[error(
        "holds a sample that is not a number (NaN or infinite) at frame {frame}: \
         mixing it would spread through every filter and bus it reaches"
    )]
    NonFinite { frame: u64 },
    #[error("has corrupt audio data near frame {at_frame}: {what}")]
    Corrupt { what: String, at_frame: u64 },
    #[error("could not be read: {0}")]
    Read(#[source] std::io::Error),
    #[error("could not be written ({path}): {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot be written: {0}")]
    BadOutput(String),
    #[error("could not be resampled: {0}")]
    Resample(String),
}

/// A stream of planar audio frames.
pub trait FrameSource: Send {
    fn channels(&self) -> usize;
    fn rate(&self) -> u32;
    /// Fills planar f32 slices (all the same length, one per channel) and returns the
    /// frames written; fewer than asked only at the end of the stream (then 0 forever).
    fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError>;
}

impl<S: FrameSource + ?Sized> FrameSource for Box<S> {
    fn channels(&self) -> usize {
        (**self).channels()
    }
    fn rate(&self) -> u32 {
        (**self).rate()
    }
    fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        (**self).read(out)
    }
}

/// A destination for planar audio (a file being written).
pub trait AudioSink: Send {
    /// Appends frames; `planar` has one slice per channel, all the same length.
    fn write(&mut self, planar: &[&[f32]]) -> Result<(), AudioError>;
    /// Samples changed by clipping to the integer range so far (0 for float output).
    fn clipped(&self) -> u64;
    /// Completes the file and moves it over the target. Dropping a sink without calling
    /// this leaves the target untouched.
    fn finish(self: Box<Self>) -> Result<(), AudioError>;
}

/// A [`FrameSource`] over planar buffers in memory.
pub struct MemorySource {
    planes: std::sync::Arc<Vec<Vec<f32>>>,
    rate: u32,
    pos: usize,
}

impl MemorySource {
    /// All planes must have the same length.
    pub fn new(planes: Vec<Vec<f32>>, rate: u32) -> Self {
        Self::shared(std::sync::Arc::new(planes), rate)
    }

    /// Reads planes that others hold too (a decoded source kept in the render cache).
    pub fn shared(planes: std::sync::Arc<Vec<Vec<f32>>>, rate: u32) -> Self {
        debug_assert!(planes.windows(2).all(|w| w[0].len() == w[1].len()));
        Self {
            planes,
            rate,
            pos: 0,
        }
    }
}

impl FrameSource for MemorySource {
    fn channels(&self) -> usize {
        self.planes.len()
    }
    fn rate(&self) -> u32 {
        self.rate
    }
    fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let total = self.planes.first().map_or(0, Vec::len);
        let want = out.first().map_or(0, |o| o.len());
        let n = want.min(total - self.pos);
        for (o, p) in out.iter_mut().zip(self.planes.iter()) {
            o[..n].copy_from_slice(&p[self.pos..self.pos + n]);
        }
        self.pos += n;
        Ok(n)
    }
}

/// Reads a source to its end into planar buffers (for short files: impulse responses,
/// tests).
pub fn read_to_end(src: &mut dyn FrameSource) -> Result<Vec<Vec<f32>>, AudioError> {
    let ch = src.channels();
    let mut planes = vec![Vec::new(); ch];
    let mut buf = vec![vec![0.0f32; 4096]; ch];
    loop {
        let mut outs: Vec<&mut [f32]> = buf.iter_mut().map(|b| b.as_mut_slice()).collect();
        let n = src.read(&mut outs)?;
        for (p, b) in planes.iter_mut().zip(&buf) {
            p.extend_from_slice(&b[..n]);
        }
        if n < 4096 {
            return Ok(planes);
        }
    }
}
