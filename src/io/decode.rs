//! Streaming decode of WAV, AIFF, FLAC, MP3 and Ogg Vorbis via symphonia 0.6.
//!
//! [`open`] reads only the headers (what `mixdown check` needs); audio is decoded one
//! packet at a time as [`FrameSource::read`] asks for it, so a long stem never sits in
//! memory whole.
//!
//! Truncation policy: a render must not silently use half a stem. For codecs whose
//! header length is exact (PCM in WAV/AIFF, FLAC with a STREAMINFO total), decoding
//! fewer frames than declared is [`AudioError::Truncated`]. Lossy containers (MP3
//! without an exact Xing/LAME count, Ogg) may only estimate their length, so for them a
//! short stream is accepted; a packet cut off mid-way is still an error.

use super::{AudioError, AudioInfo, FrameSource};
use crate::world::ReadSeek;
use std::io::{Read, Seek, SeekFrom};
use std::panic::{AssertUnwindSafe, catch_unwind};
use symphonia::core::codecs::audio::{AudioDecoder, AudioDecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

/// Adapts our [`ReadSeek`] stream to symphonia's `MediaSource` (which also wants the
/// length, measured once when the file is opened).
struct Stream {
    inner: Box<dyn ReadSeek>,
    len: u64,
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Seek for Stream {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        self.inner.seek(pos)
    }
}

impl MediaSource for Stream {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        Some(self.len)
    }
}

/// An open audio file, decoding on demand.
pub struct Decoder {
    format: Box<dyn FormatReader>,
    decoder: Box<dyn AudioDecoder>,
    track_id: u32,
    info: AudioInfo,
    /// Whether `info.frames` is exact, so that a shorter stream means truncation.
    exact_length: bool,
    /// The last decoded packet, planar, and how much of it was handed out.
    pending: Vec<Vec<f32>>,
    pending_pos: usize,
    decoded: u64,
    ended: bool,
}

/// Reads the headers and returns what they say, without decoding audio.
pub fn probe(reader: Box<dyn ReadSeek>, ext_hint: Option<&str>) -> Result<AudioInfo, AudioError> {
    open(reader, ext_hint).map(|d| d.info)
}

/// Opens a stream for decoding; reads only the headers. `ext_hint` is the file
/// extension (without the dot), which speeds up format detection.
pub fn open(mut reader: Box<dyn ReadSeek>, ext_hint: Option<&str>) -> Result<Decoder, AudioError> {
    let len = reader.seek(SeekFrom::End(0)).map_err(AudioError::Read)?;
    reader.seek(SeekFrom::Start(0)).map_err(AudioError::Read)?;
    if len == 0 {
        return Err(AudioError::Empty);
    }
    let mss = MediaSourceStream::new(
        Box::new(Stream { inner: reader, len }),
        MediaSourceStreamOptions::default(),
    );
    let mut hint = Hint::new();
    if let Some(ext) = ext_hint {
        hint.with_extension(ext);
    }
    let format = guard(|| {
        symphonia::default::get_probe().probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
    })
    .map_err(|e| match e {
        SymError::Unsupported(_) => AudioError::UnrecognisedFormat,
        other => map_error(other, "header", 0, None),
    })?;

    let track = format
        .default_track(TrackType::Audio)
        .ok_or(AudioError::NoAudioTrack)?;
    let track_id = track.id;
    let frames = track.num_frames;
    let params = track
        .codec_params
        .as_ref()
        .and_then(|p| p.audio())
        .ok_or(AudioError::NoAudioTrack)?
        .clone();
    let rate = params
        .sample_rate
        .filter(|r| *r > 0)
        .ok_or_else(|| corrupt("no sample rate", 0))?;
    let decoder = symphonia::default::get_codecs()
        .make_audio_decoder(&params, &AudioDecoderOptions::default())
        .map_err(|e| match e {
            SymError::Unsupported(what) => AudioError::UnsupportedCodec(what.to_string()),
            other => map_error(other, "codec setup", 0, None),
        })?;
    let codec = decoder.codec_info().short_name.to_string();
    let exact_length = codec.starts_with("pcm") || codec == "flac";
    let mut dec = Decoder {
        format,
        decoder,
        track_id,
        info: AudioInfo {
            rate,
            channels: 0,
            frames,
            codec,
            bits: params.bits_per_sample,
        },
        exact_length,
        pending: Vec::new(),
        pending_pos: 0,
        decoded: 0,
        ended: false,
    };
    dec.info.channels = match params.channels.as_ref().map(|c| c.count()) {
        Some(n) => n,
        // Some streams only reveal their layout in the first packet: decode it now
        // (it is kept and handed out by the first read).
        None => {
            dec.refill()?;
            dec.pending.len()
        }
    };
    match dec.info.channels {
        1 | 2 => Ok(dec),
        0 => Err(corrupt("no channels", 0)),
        n => Err(AudioError::UnsupportedChannels(n)),
    }
}

impl Decoder {
    pub fn info(&self) -> &AudioInfo {
        &self.info
    }

    /// Decodes the next packet into `pending`; `false` at the end of the stream.
    fn refill(&mut self) -> Result<bool, AudioError> {
        if self.ended {
            return Ok(false);
        }
        let result = self.next_packet();
        if !matches!(result, Ok(true)) {
            self.ended = true;
        }
        result
    }

    fn next_packet(&mut self) -> Result<bool, AudioError> {
        let at = self.decoded;
        let declared = self.info.frames.filter(|_| self.exact_length);
        loop {
            let packet = match guard(|| self.format.next_packet()) {
                Ok(Some(p)) => p,
                Ok(None) => {
                    return match declared {
                        Some(d) if self.decoded < d => Err(AudioError::Truncated {
                            declared: d,
                            decoded: self.decoded,
                        }),
                        _ => Ok(false),
                    };
                }
                Err(e) => return Err(map_error(e, "container", at, declared)),
            };
            if packet.track_id != self.track_id {
                continue;
            }
            let decoder = &mut self.decoder;
            let buf = guard(|| decoder.decode(&packet).map(|b| b.frames()))
                .map_err(|e| map_error(e, "audio packet", at, declared))?;
            if buf == 0 {
                continue;
            }
            let buf = self.decoder.last_decoded();
            let expected = if self.info.channels == 0 {
                buf.num_planes()
            } else {
                self.info.channels
            };
            if buf.spec().channels().count() != expected {
                return Err(corrupt("the channel count changes mid-stream", at));
            }
            buf.copy_to_vecs_planar::<f32>(&mut self.pending);
            self.pending_pos = 0;
            // Float files can hold NaN or infinity; one such sample would silence or
            // poison everything downstream of it (an IIR filter never recovers).
            let bad = (self.pending.iter())
                .filter_map(|p| p.iter().position(|v| !v.is_finite()))
                .min();
            if let Some(i) = bad {
                return Err(AudioError::NonFinite {
                    frame: self.decoded + i as u64,
                });
            }
            let mut frames = buf.frames() as u64;
            // Never hand out more than an exact header declares.
            if let Some(d) = declared {
                frames = frames.min(d.saturating_sub(self.decoded));
                for p in &mut self.pending {
                    p.truncate(frames as usize);
                }
            }
            self.decoded += frames;
            return Ok(true);
        }
    }
}

impl FrameSource for Decoder {
    fn channels(&self) -> usize {
        self.info.channels
    }

    fn rate(&self) -> u32 {
        self.info.rate
    }

    fn read(&mut self, out: &mut [&mut [f32]]) -> Result<usize, AudioError> {
        let want = out.first().map_or(0, |o| o.len());
        let mut done = 0;
        while done < want {
            let avail = self.pending.first().map_or(0, Vec::len) - self.pending_pos;
            if avail == 0 {
                if !self.refill()? {
                    break;
                }
                continue;
            }
            let n = avail.min(want - done);
            for (o, p) in out.iter_mut().zip(&self.pending) {
                o[done..done + n].copy_from_slice(&p[self.pending_pos..self.pending_pos + n]);
            }
            self.pending_pos += n;
            done += n;
        }
        Ok(done)
    }
}

fn corrupt(what: &str, at_frame: u64) -> AudioError {
    AudioError::Corrupt {
        what: what.to_string(),
        at_frame,
    }
}

/// Turns a symphonia error into ours; `stage` names what was being read.
fn map_error(e: SymError, stage: &str, at: u64, declared: Option<u64>) -> AudioError {
    match e {
        SymError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => match declared {
            Some(d) => AudioError::Truncated {
                declared: d,
                decoded: at,
            },
            None => corrupt(&format!("the {stage} ends mid-way (truncated file?)"), at),
        },
        SymError::IoError(io) => AudioError::Read(io),
        SymError::DecodeError(m) => corrupt(&format!("bad {stage}: {m}"), at),
        SymError::Unsupported(m) => AudioError::UnsupportedCodec(m.to_string()),
        SymError::LimitError(m) => corrupt(&format!("{stage} exceeds a limit: {m}"), at),
        SymError::ResetRequired => corrupt("the stream changes its format mid-way", at),
        SymError::SeekError(_) => corrupt(&format!("{stage} needed an impossible seek"), at),
        other => corrupt(&format!("{stage}: {other}"), at),
    }
}

/// Runs a symphonia call, turning a panic inside it (a library bug on malformed bytes)
/// into a decode error: bad input must give a message, never a crash.
fn guard<T>(f: impl FnOnce() -> Result<T, SymError>) -> Result<T, SymError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(Err(SymError::DecodeError(
        "the decoder failed on malformed data",
    )))
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
