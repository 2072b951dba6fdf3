//! The WAV container as mixdown writes it: the bytes `hound` 3.5 writes for the same
//! spec (a `PCMWAVEFORMAT` fmt chunk for 1-2 channels of 16-bit PCM, else
//! `WAVEFORMATEXTENSIBLE`; a checked test keeps them equal), but with whole blocks of
//! samples packed into a byte buffer at once instead of one call per sample: that
//! call was a tenth of a `watch` edit's CPU.

use super::AudioError;
use super::encode::Quantiser;
use std::io::{Seek, SeekFrom, Write};

const SUBTYPE_PCM: [u8; 16] = [
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];
const SUBTYPE_FLOAT: [u8; 16] = [
    0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71,
];

/// How samples are stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Coding {
    Int16,
    Int24,
    Float32,
}

impl Coding {
    pub fn bytes(self) -> usize {
        match self {
            Self::Int16 => 2,
            Self::Int24 => 3,
            Self::Float32 => 4,
        }
    }
}

/// The RIFF header up to the data chunk's length; the two lengths left 0 until
/// [`finish`] knows them. Returns the header and the offset of the data length.
pub fn header(coding: Coding, channels: u16, rate: u32) -> (Vec<u8>, u64) {
    let bytes = coding.bytes() as u16;
    let extensible = channels > 2 || coding != Coding::Int16;
    let mut h = Vec::with_capacity(68);
    h.extend(b"RIFF");
    h.extend(0u32.to_le_bytes());
    h.extend(b"WAVE");
    h.extend(b"fmt ");
    h.extend(if extensible { 40u32 } else { 16 }.to_le_bytes());
    let tag: u16 = match (extensible, coding) {
        (true, _) => 0xfffe,
        (false, Coding::Float32) => 3,
        (false, _) => 1,
    };
    h.extend(tag.to_le_bytes());
    h.extend(channels.to_le_bytes());
    h.extend(rate.to_le_bytes());
    let per_second = rate * u32::from(bytes) * u32::from(channels);
    h.extend(per_second.to_le_bytes());
    h.extend(((per_second / rate.max(1)) as u16).to_le_bytes());
    h.extend((bytes * 8).to_le_bytes());
    if extensible {
        h.extend(22u16.to_le_bytes());
        h.extend((bytes * 8).to_le_bytes());
        let mask = (0..u32::from(channels.min(18))).fold(0u32, |m, c| m | (1 << c));
        h.extend(mask.to_le_bytes());
        h.extend(match coding {
            Coding::Float32 => SUBTYPE_FLOAT,
            _ => SUBTYPE_PCM,
        });
    }
    h.extend(b"data");
    let at = h.len() as u64;
    h.extend(0u32.to_le_bytes());
    (h, at)
}

/// Packs planar samples, interleaved, onto `out`.
pub fn pack(planar: &[&[f32]], coding: Coding, quant: Option<&mut Quantiser>, out: &mut Vec<u8>) {
    let n = planar.first().map_or(0, |p| p.len());
    out.reserve(n * planar.len() * coding.bytes());
    match (coding, quant) {
        (Coding::Float32, _) | (_, None) => {
            for i in 0..n {
                for p in planar {
                    out.extend(p[i].to_le_bytes());
                }
            }
        }
        (Coding::Int16, Some(q)) => pack_ints::<2>(planar, q, out),
        (Coding::Int24, Some(q)) => pack_ints::<3>(planar, q, out),
    }
}

/// Integer samples of `B` bytes, interleaved: each channel converted a block at a
/// time (a loop the compiler vectorises), then its bytes put in their places.
fn pack_ints<const B: usize>(planar: &[&[f32]], q: &mut Quantiser, out: &mut Vec<u8>) {
    const BLOCK: usize = 256;
    let (n, ch) = (planar.first().map_or(0, |p| p.len()), planar.len());
    let start = out.len();
    out.resize(start + n * ch * B, 0);
    let mut ints = [0i32; BLOCK];
    for (k, frames) in out[start..].chunks_mut(BLOCK * ch * B).enumerate() {
        let (at, m) = (k * BLOCK, frames.len() / (ch * B));
        for (c, p) in planar.iter().enumerate() {
            q.convert_block(&p[at..at + m], &mut ints[..m]);
            for (frame, v) in frames.chunks_exact_mut(ch * B).zip(&ints[..m]) {
                frame[c * B..(c + 1) * B].copy_from_slice(&v.to_le_bytes()[..B]);
            }
        }
    }
}

/// The most data bytes a RIFF file's 32-bit lengths can describe.
pub fn room(header_len: u64) -> u64 {
    u64::from(u32::MAX) - (header_len - 8)
}

/// Fills in the two lengths once `data` bytes of samples follow the header.
pub fn finish<W: Write + Seek>(w: &mut W, data_at: u64, data: u64) -> Result<(), std::io::Error> {
    let riff = data + data_at + 4 - 8;
    let too_big = || std::io::Error::other("a WAV file cannot hold more than 4 GiB");
    let riff = u32::try_from(riff).map_err(|_| too_big())?;
    let data = u32::try_from(data).map_err(|_| too_big())?;
    w.seek(SeekFrom::Start(4))?;
    w.write_all(&riff.to_le_bytes())?;
    w.seek(SeekFrom::Start(data_at))?;
    w.write_all(&data.to_le_bytes())?;
    w.flush()
}

/// Why a write fails when the file would pass what its lengths can say.
pub fn too_big() -> AudioError {
    AudioError::BadOutput("a WAV file cannot hold more than 4 GiB of audio".into())
}

#[cfg(test)]
mod tests {
    use crate::io::AudioSink;
    use crate::io::encode::{Quantiser, WavWriter};
    use crate::ir::SampleFormat;

    /// What `hound` writes for the same samples, converted the same way.
    fn by_hound(bits: SampleFormat, rate: u32, planar: &[Vec<f32>]) -> Vec<u8> {
        let (b, format, mut q) = match bits {
            SampleFormat::Int16 => (16, hound::SampleFormat::Int, Some(Quantiser::new(16))),
            SampleFormat::Int24 => (24, hound::SampleFormat::Int, Some(Quantiser::new(24))),
            SampleFormat::Float32 => (32, hound::SampleFormat::Float, None),
        };
        let spec = hound::WavSpec {
            channels: planar.len() as u16,
            sample_rate: rate,
            bits_per_sample: b,
            sample_format: format,
        };
        let mut cur = std::io::Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut cur, spec).unwrap();
        for i in 0..planar[0].len() {
            for p in planar {
                match q.as_mut() {
                    Some(q) => w.write_sample(q.convert(p[i])).unwrap(),
                    None => w.write_sample(p[i]).unwrap(),
                }
            }
        }
        w.finalize().unwrap();
        cur.into_inner()
    }

    /// The container and every sample byte are what `hound` 3.5 writes, for each
    /// format, mono to 8 channels, with clipped and NaN samples among them.
    #[test]
    fn the_bytes_are_hounds() {
        let dir = tempfile::tempdir().unwrap();
        for bits in [
            SampleFormat::Int16,
            SampleFormat::Int24,
            SampleFormat::Float32,
        ] {
            for channels in [1, 2, 3, 8] {
                let planar: Vec<Vec<f32>> = (0..channels)
                    .map(|c| {
                        let mut v: Vec<f32> = (0..1000)
                            .map(|i| libm::sinf(i as f32 * 0.05 + c as f32) * 0.9)
                            .collect();
                        v[10] = 1.5;
                        v[11] = -1.5;
                        v[12] = 1.0;
                        v[13] = -1.0;
                        v[14] = f32::NAN;
                        v
                    })
                    .collect();
                let path = dir.path().join(format!("{bits:?}-{channels}.wav"));
                let mut w = Box::new(WavWriter::create(&path, bits, 44100, channels).unwrap());
                let refs: Vec<&[f32]> = planar.iter().map(|p| &p[..]).collect();
                // Blocks of uneven length, as a render writes them.
                let halves: [Vec<&[f32]>; 2] = [
                    refs.iter().map(|p| &p[..377]).collect(),
                    refs.iter().map(|p| &p[377..]).collect(),
                ];
                for h in &halves {
                    w.write(h).unwrap();
                }
                w.finish().unwrap();
                let ours = std::fs::read(&path).unwrap();
                let theirs = by_hound(bits, 44100, &planar);
                assert_eq!(ours, theirs, "{bits:?}, {channels} channels");
            }
        }
    }
}
