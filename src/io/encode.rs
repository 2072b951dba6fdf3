//! WAV writing (the container in [`super::wav_write`]) and the float → integer conversion shared with FLAC.
//!
//! Samples arrive already dithered when the export asks for it, so conversion here is
//! plain round-to-nearest with clipping, scaled by 2^(B−1) so that −1.0 maps to the
//! most negative code and +1.0 clips to the largest (REFERENCES.md §6.1). Clipped
//! samples are counted so the render report can say so. No timestamps, host names or
//! other run-dependent bytes go into files: the same render gives the same file.

use super::atomic::AtomicFile;
use super::flac::FlacWriter;
use super::wav_write::{self, Coding};
use super::{AudioError, AudioSink};
use crate::ir::{FileFormat, SampleFormat};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

/// Opens a writer for `path` in the given format. WAV ignores `tags` (no WAV carrier
/// is standard; see REFERENCES.md §8.3); FLAC stores them as Vorbis comments.
pub fn create_writer(
    path: &Path,
    format: FileFormat,
    bits: SampleFormat,
    rate: u32,
    channels: usize,
    tags: &BTreeMap<String, String>,
) -> Result<Box<dyn AudioSink>, AudioError> {
    Ok(match format {
        FileFormat::Wav => Box::new(WavWriter::create(path, bits, rate, channels)?),
        FileFormat::Flac => Box::new(FlacWriter::create(path, bits, rate, channels, tags)?),
    })
}

/// Float → integer conversion with clip counting.
#[derive(Debug, Clone)]
pub(crate) struct Quantiser {
    scale: f64,
    min: f64,
    max: f64,
    pub(crate) clipped: u64,
}

impl Quantiser {
    pub(crate) fn new(bits: u32) -> Self {
        let full = f64::from(1u32 << (bits - 1));
        Self {
            scale: full,
            min: -full,
            max: full - 1.0,
            clipped: 0,
        }
    }

    /// [`Self::convert`] over a block, counting clips the same way, without a branch
    /// per sample.
    pub(crate) fn convert_block(&mut self, x: &[f32], out: &mut [i32]) {
        let mut clipped = 0;
        for (o, &x) in out.iter_mut().zip(x) {
            let v = crate::dsp::round::round(f64::from(x) * self.scale);
            // A NaN compares false both ways: counted by the last test, written as 0.
            let inside = v >= self.min && v <= self.max;
            clipped += u64::from(!inside);
            *o = if v.is_nan() {
                0
            } else {
                v.clamp(self.min, self.max) as i32
            };
        }
        self.clipped += clipped;
    }

    pub(crate) fn convert(&mut self, x: f32) -> i32 {
        let v = crate::dsp::round::round(f64::from(x) * self.scale);
        if v > self.max {
            self.clipped += 1;
            self.max as i32
        } else if v < self.min {
            self.clipped += 1;
            self.min as i32
        } else if v.is_nan() {
            // A NaN is an upstream bug; write silence rather than garbage, and count it.
            self.clipped += 1;
            0
        } else {
            v as i32
        }
    }
}

/// Checks the channel count and that all planes have the same length; returns it.
pub(crate) fn check_planar(planar: &[&[f32]], channels: usize) -> Result<usize, AudioError> {
    if planar.len() != channels {
        return Err(AudioError::BadOutput(format!(
            "got {} channels of audio for a {channels}-channel file",
            planar.len()
        )));
    }
    let n = planar.first().map_or(0, |p| p.len());
    if planar.iter().any(|p| p.len() != n) {
        return Err(AudioError::BadOutput("channels of unequal length".into()));
    }
    Ok(n)
}

pub(crate) fn check_channels(channels: usize) -> Result<(), AudioError> {
    if channels == 0 || channels > 8 {
        return Err(AudioError::BadOutput(format!(
            "{channels} channels (mixdown writes 1 to 8)"
        )));
    }
    Ok(())
}

/// A WAV file being written: 16/24-bit integer or 32-bit float PCM.
pub struct WavWriter {
    // Declared before `file` so it is dropped (and stops writing) before the temp file
    // is deleted.
    out: Option<BufWriter<File>>,
    file: AtomicFile,
    coding: Coding,
    quant: Option<Quantiser>,
    channels: usize,
    /// Where the data chunk's length goes, and the data bytes written so far.
    data_at: u64,
    data: u64,
    /// One block's samples as bytes.
    bytes: Vec<u8>,
}

impl WavWriter {
    pub fn create(
        path: &Path,
        bits: SampleFormat,
        rate: u32,
        channels: usize,
    ) -> Result<Self, AudioError> {
        check_channels(channels)?;
        let (coding, quant) = match bits {
            SampleFormat::Int16 => (Coding::Int16, Some(Quantiser::new(16))),
            SampleFormat::Int24 => (Coding::Int24, Some(Quantiser::new(24))),
            SampleFormat::Float32 => (Coding::Float32, None),
        };
        let file = AtomicFile::create(path)?;
        let mut out = BufWriter::with_capacity(1 << 16, file.handle()?);
        let (head, data_at) = wav_write::header(coding, channels as u16, rate);
        out.write_all(&head).map_err(|e| file.error(e))?;
        Ok(Self {
            out: Some(out),
            file,
            coding,
            quant,
            channels,
            data_at,
            data: 0,
            bytes: Vec::new(),
        })
    }
}

impl AudioSink for WavWriter {
    fn write(&mut self, planar: &[&[f32]]) -> Result<(), AudioError> {
        let n = check_planar(planar, self.channels)?;
        let Some(out) = self.out.as_mut() else {
            return Err(AudioError::BadOutput("write after an earlier error".into()));
        };
        let size = (n * self.channels * self.coding.bytes()) as u64;
        if self.data + size > wav_write::room(self.data_at + 4) {
            self.out = None;
            return Err(wav_write::too_big());
        }
        self.bytes.clear();
        wav_write::pack(planar, self.coding, self.quant.as_mut(), &mut self.bytes);
        if let Err(e) = out.write_all(&self.bytes) {
            self.out = None;
            return Err(self.file.error(e));
        }
        self.data += size;
        Ok(())
    }

    fn clipped(&self) -> u64 {
        self.quant.as_ref().map_or(0, |q| q.clipped)
    }

    fn finish(mut self: Box<Self>) -> Result<(), AudioError> {
        let mut out = self
            .out
            .take()
            .ok_or_else(|| AudioError::BadOutput("finish after an earlier error".into()))?;
        wav_write::finish(&mut out, self.data_at, self.data).map_err(|e| self.file.error(e))?;
        drop(out);
        self.file.commit()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::io::{decode, read_to_end};

    /// Writes `planar` with our writer and decodes it back with our decoder.
    pub(crate) fn round_trip(
        format: FileFormat,
        bits: SampleFormat,
        planar: &[Vec<f32>],
    ) -> (crate::io::AudioInfo, Vec<Vec<f32>>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.out");
        let refs: Vec<&[f32]> = planar.iter().map(Vec::as_slice).collect();
        let tags = BTreeMap::from([("title".to_string(), "Song".to_string())]);
        let mut w = create_writer(&path, format, bits, 44100, planar.len(), &tags).unwrap();
        let half = refs[0].len() / 2;
        // Two writes, to cover chunked writing.
        w.write(&refs.iter().map(|p| &p[..half]).collect::<Vec<_>>())
            .unwrap();
        w.write(&refs.iter().map(|p| &p[half..]).collect::<Vec<_>>())
            .unwrap();
        assert_eq!(w.clipped(), 0);
        w.finish().unwrap();
        let mut d = decode::open(Box::new(std::fs::File::open(&path).unwrap()), None).unwrap();
        let info = d.info().clone();
        (info, read_to_end(&mut d).unwrap())
    }

    /// Every integer code a `bits`-bit file can hold at the extremes, plus a ramp.
    pub(crate) fn int_codes(bits: u32, n: usize, ch: usize) -> Vec<Vec<f32>> {
        let full = 1i64 << (bits - 1);
        (0..ch)
            .map(|c| {
                (0..n)
                    .map(|i| {
                        let code = match i {
                            0 => -full,
                            1 => full - 1,
                            _ => ((i as i64 * 7919 + c as i64 * 104_729) % (2 * full)) - full,
                        };
                        code as f32 / full as f32
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn wav_int_round_trips_are_bit_exact() {
        for (bits, fmt, codec) in [
            (16, SampleFormat::Int16, "pcm_s16le"),
            (24, SampleFormat::Int24, "pcm_s24le"),
        ] {
            for ch in [1, 2] {
                let x = int_codes(bits, 3001, ch);
                let (info, y) = round_trip(FileFormat::Wav, fmt, &x);
                assert_eq!(info.channels, ch);
                assert_eq!(info.rate, 44100);
                assert_eq!(info.frames, Some(3001));
                assert_eq!(info.bits, Some(bits));
                assert_eq!(info.codec, codec);
                assert_eq!(x, y, "{bits}-bit, {ch} ch");
            }
        }
    }

    #[test]
    fn wav_float_round_trip_is_exact() {
        let x: Vec<Vec<f32>> = vec![
            (0..1000)
                .map(|i| libm::sinf(i as f32 * 0.01) * 1.5)
                .collect(),
            (0..1000).map(|i| i as f32 * 1e-7 - 0.3).collect(),
        ];
        let (info, y) = round_trip(FileFormat::Wav, SampleFormat::Float32, &x);
        assert_eq!(info.codec, "pcm_f32le");
        assert_eq!(x, y);
    }

    #[test]
    fn quantiser_rounds_and_counts_clips() {
        let mut q = Quantiser::new(16);
        let lsb = 1.0 / 32768.0;
        let out: Vec<i32> = [1.0, -1.0, 1.5, -2.0, 0.5, 2.4 * lsb, -2.6 * lsb, f32::NAN]
            .iter()
            .map(|x| q.convert(*x))
            .collect();
        assert_eq!(out, [32767, -32768, 32767, -32768, 16384, 2, -3, 0]);
        // +1.0 overshoots by one code; 1.5, −2.0 and NaN are clips too.
        assert_eq!(q.clipped, 4);
    }

    #[test]
    fn a_block_converts_as_each_sample_does() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut x: Vec<f32> = (0..10_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed as i64 as f64 / 2f64.powi(62)) as f32 // in ±2: some clip
            })
            .collect();
        x.extend([
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -0.0,
            0.5 / 8_388_608.0,
        ]);
        for bits in [16, 24] {
            let (mut one, mut block) = (Quantiser::new(bits), Quantiser::new(bits));
            let each: Vec<i32> = x.iter().map(|&v| one.convert(v)).collect();
            let mut all = vec![0; x.len()];
            block.convert_block(&x, &mut all);
            assert_eq!(all, each, "{bits} bits");
            assert_eq!(block.clipped, one.clipped);
            assert!(one.clipped > 1000, "{}", one.clipped);
        }
    }

    #[test]
    fn dropped_writer_leaves_old_file_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.wav");
        std::fs::write(&path, b"old master").unwrap();
        let mut w = WavWriter::create(&path, SampleFormat::Int24, 48000, 2).unwrap();
        let x = [0.25f32; 4800];
        w.write(&[&x, &x]).unwrap();
        drop(w);
        assert_eq!(std::fs::read(&path).unwrap(), b"old master");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn bad_output_requests_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        assert!(WavWriter::create(&path, SampleFormat::Int16, 48000, 0).is_err());
        let mut w = WavWriter::create(&path, SampleFormat::Int16, 48000, 2).unwrap();
        assert!(w.write(&[&[0.0; 3]]).is_err());
        assert!(w.write(&[&[0.0; 3], &[0.0; 2]]).is_err());
        let flac = create_writer(
            &path,
            FileFormat::Flac,
            SampleFormat::Float32,
            48000,
            2,
            &BTreeMap::new(),
        );
        assert!(matches!(flac, Err(AudioError::BadOutput(_))));
    }
}
