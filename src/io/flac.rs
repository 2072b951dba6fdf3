//! FLAC writing via `flacenc`, with tags as a Vorbis comment block.
//!
//! flacenc encodes a whole stream at once, so the writer buffers the integer samples
//! (4 bytes each) until [`AudioSink::finish`]. flacenc's output is deterministic
//! (DEPENDENCIES.md §2.10), and the vendor string carries no version or date, so the
//! same samples and tags always give the same bytes.

use super::atomic::AtomicFile;
use super::encode::{Quantiser, check_channels, check_planar};
use super::{AudioError, AudioSink};
use crate::ir::SampleFormat;
use flacenc::component::{BitRepr, MetadataBlockData};
use flacenc::error::Verify;
use std::collections::BTreeMap;
use std::path::Path;

/// FLAC metadata block type of a Vorbis comment (RFC 9639 §8.1).
const VORBIS_COMMENT: u8 = 4;
const VENDOR: &str = "mixdown";

/// A FLAC file being written (16- or 24-bit).
pub struct FlacWriter {
    file: AtomicFile,
    samples: Vec<i32>,
    quant: Quantiser,
    channels: usize,
    bits: u32,
    rate: u32,
    comment: Vec<u8>,
}

impl FlacWriter {
    pub fn create(
        path: &Path,
        bits: SampleFormat,
        rate: u32,
        channels: usize,
        tags: &BTreeMap<String, String>,
    ) -> Result<Self, AudioError> {
        check_channels(channels)?;
        let bits = match bits {
            SampleFormat::Int16 => 16,
            SampleFormat::Int24 => 24,
            SampleFormat::Float32 => {
                return Err(AudioError::BadOutput(
                    "FLAC stores integers only; use 16 or 24 bits, or write WAV for float".into(),
                ));
            }
        };
        // FLAC's STREAMINFO has a 20-bit rate field.
        if rate == 0 || rate >= 1 << 20 {
            return Err(AudioError::BadOutput(format!(
                "sample rate {rate} Hz is outside FLAC's range"
            )));
        }
        let comment = vorbis_comment(tags)?;
        Ok(Self {
            file: AtomicFile::create(path)?,
            samples: Vec::new(),
            quant: Quantiser::new(bits),
            channels,
            bits,
            rate,
            comment,
        })
    }
}

/// Serialises a Vorbis comment block: little-endian lengths, `NAME=value` in UTF-8.
/// Names are upper-cased (they are case-insensitive, upper case is the convention).
fn vorbis_comment(tags: &BTreeMap<String, String>) -> Result<Vec<u8>, AudioError> {
    let mut out = Vec::new();
    let push = |out: &mut Vec<u8>, s: &[u8]| {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s);
    };
    push(&mut out, VENDOR.as_bytes());
    out.extend_from_slice(&(tags.len() as u32).to_le_bytes());
    for (name, value) in tags {
        // Vorbis I spec §5.2.1: field names are ASCII 0x20..=0x7D without '='.
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| (0x20..=0x7d).contains(&b) && b != b'=');
        if !valid {
            return Err(AudioError::BadOutput(format!(
                "tag name {name:?} is not allowed in FLAC (use ASCII letters, no '=')"
            )));
        }
        push(
            &mut out,
            format!("{}={value}", name.to_ascii_uppercase()).as_bytes(),
        );
    }
    if out.len() >= 1 << 24 {
        return Err(AudioError::BadOutput("tags exceed 16 MiB".into()));
    }
    Ok(out)
}

impl AudioSink for FlacWriter {
    fn write(&mut self, planar: &[&[f32]]) -> Result<(), AudioError> {
        let n = check_planar(planar, self.channels)?;
        self.samples.reserve(n * self.channels);
        for i in 0..n {
            for p in planar {
                self.samples.push(self.quant.convert(p[i]));
            }
        }
        Ok(())
    }

    fn clipped(&self) -> u64 {
        self.quant.clipped
    }

    fn finish(self: Box<Self>) -> Result<(), AudioError> {
        let Self {
            mut file,
            samples,
            channels,
            bits,
            rate,
            comment,
            ..
        } = *self;
        let mut config = flacenc::config::Encoder::default();
        if bits > 16 {
            // flacenc 0.5.1 mis-sizes its fixed-predictor residuals at 24 bits: uniform
            // noise comes out 11 times larger than raw PCM, and a loud final partial
            // block can reach gigabytes. LPC, constant and verbatim subframes still
            // cover every signal (see `noise_at_24_bits_stays_near_raw_size`).
            config.subframe_coding.use_fixed = false;
        }
        let config = config
            .into_verified()
            .map_err(|(_, e)| AudioError::BadOutput(format!("FLAC encoder setup: {e}")))?;
        let source = flacenc::source::MemSource::from_samples(
            &samples,
            channels,
            bits as usize,
            rate as usize,
        );
        let mut stream = flacenc::encode_with_fixed_block_size(&config, source, config.block_size)
            .map_err(|e| AudioError::BadOutput(format!("FLAC encoding failed: {e}")))?;
        // flacenc records the short final block as the minimum block size, which makes
        // the stream look variable-blocksize although its frames are numbered as
        // fixed-blocksize; symphonia then rejects every frame. RFC 9639 §8.2 excludes the
        // last block from the minimum, so min = max = the fixed block size is correct.
        let bs = config.block_size;
        stream
            .stream_info_mut()
            .set_block_sizes(bs, bs)
            .map_err(|e| AudioError::BadOutput(format!("FLAC block size: {e}")))?;
        let block = MetadataBlockData::new_unknown(VORBIS_COMMENT, &comment)
            .map_err(|e| AudioError::BadOutput(format!("FLAC tags: {e}")))?;
        stream.add_metadata_block(block);
        let mut sink = flacenc::bitsink::ByteSink::new();
        stream
            .write(&mut sink)
            .map_err(|e| AudioError::BadOutput(format!("FLAC encoding failed: {e}")))?;
        file.write_all(sink.as_slice())?;
        file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vorbis_comment_layout() {
        let tags = BTreeMap::from([("title".to_string(), "Ü".to_string())]);
        let c = vorbis_comment(&tags).unwrap();
        let mut expect = Vec::new();
        expect.extend_from_slice(&7u32.to_le_bytes());
        expect.extend_from_slice(b"mixdown");
        expect.extend_from_slice(&1u32.to_le_bytes());
        expect.extend_from_slice(&8u32.to_le_bytes());
        expect.extend_from_slice("TITLE=Ü".as_bytes());
        assert_eq!(c, expect);
        let bad = BTreeMap::from([("A=B".to_string(), String::new())]);
        assert!(vorbis_comment(&bad).is_err());
    }
}

#[cfg(test)]
mod round_trip_tests {
    use crate::io::encode::tests::{int_codes, round_trip};
    use crate::ir::{FileFormat, SampleFormat};

    #[test]
    fn flac_round_trips_are_bit_exact() {
        for (bits, fmt) in [(16, SampleFormat::Int16), (24, SampleFormat::Int24)] {
            for ch in [1, 2] {
                let x = int_codes(bits, 5000, ch);
                let (info, y) = round_trip(FileFormat::Flac, fmt, &x);
                assert_eq!(info.codec, "flac");
                assert_eq!((info.channels, info.bits), (ch, Some(bits)));
                assert_eq!(info.frames, Some(5000));
                assert_eq!(x, y, "{bits}-bit, {ch} ch");
            }
        }
    }

    #[test]
    fn flac_output_is_deterministic_and_tagged() {
        let dir = tempfile::tempdir().unwrap();
        let x = int_codes(16, 3000, 2);
        let tags = std::collections::BTreeMap::from([
            ("ISRC".to_string(), "GBAYE0601498".to_string()),
            ("Artist".to_string(), "Someone".to_string()),
        ]);
        let write = |name: &str| {
            let path = dir.path().join(name);
            let mut w = crate::io::create_writer(
                &path,
                FileFormat::Flac,
                SampleFormat::Int16,
                48000,
                2,
                &tags,
            )
            .unwrap();
            w.write(&[&x[0], &x[1]]).unwrap();
            w.finish().unwrap();
            std::fs::read(path).unwrap()
        };
        let (a, b) = (write("a.flac"), write("b.flac"));
        assert_eq!(a, b);
        let has = |s: &[u8]| a.windows(s.len()).any(|w| w == s);
        assert!(has(b"ISRC=GBAYE0601498") && has(b"ARTIST=Someone"));
    }
}

#[cfg(test)]
mod edge_tests {
    use crate::io::{AudioError, create_writer, decode, read_to_end};
    use crate::ir::{FileFormat, SampleFormat};
    use std::collections::BTreeMap;

    fn flac_bytes(frames: usize) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.flac");
        let x: Vec<f32> = (0..frames).map(|i| (i % 200) as f32 / 400.0).collect();
        let mut w = create_writer(
            &path,
            FileFormat::Flac,
            SampleFormat::Int16,
            44100,
            1,
            &BTreeMap::new(),
        )
        .unwrap();
        w.write(&[&x]).unwrap();
        w.finish().unwrap();
        std::fs::read(path).unwrap()
    }

    #[test]
    fn noise_at_24_bits_stays_near_raw_size() {
        // Independent uniform noise per channel is incompressible: a sane encoder falls
        // back to verbatim subframes, so the file is the raw size plus framing.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("n.flac");
        let mut seed = 3u64;
        let mut noise = || {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            ((seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.9
        };
        let (l, r): (Vec<f32>, Vec<f32>) = (0..10_000).map(|_| (noise(), noise())).unzip();
        let mut w = crate::io::create_writer(
            &path,
            FileFormat::Flac,
            SampleFormat::Int24,
            48000,
            2,
            &Default::default(),
        )
        .unwrap();
        w.write(&[&l, &r]).unwrap();
        w.finish().unwrap();
        let raw = 10_000 * 2 * 3;
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(
            size < raw * 102 / 100,
            "{size} bytes for {raw} bytes of PCM"
        );
    }

    #[test]
    fn truncated_flac_is_an_error() {
        let mut bytes = flac_bytes(20_000);
        bytes.truncate(bytes.len() / 2);
        let mut d = decode::open(Box::new(std::io::Cursor::new(bytes)), Some("flac")).unwrap();
        let err = read_to_end(&mut d).unwrap_err();
        assert!(
            matches!(
                err,
                AudioError::Truncated {
                    declared: 20_000,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn empty_flac_is_written() {
        // A frameless stream is valid FLAC, but symphonia 0.6 syncs to the first frame
        // when opening and so reports it as cut short: an error, not a panic.
        let bytes = flac_bytes(0);
        assert_eq!(&bytes[..4], b"fLaC");
        let r = decode::open(Box::new(std::io::Cursor::new(bytes)), Some("flac"));
        assert!(matches!(r, Err(AudioError::Corrupt { .. })));
    }
}
