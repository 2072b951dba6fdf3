//! From the summed timeline to files: the album limiter, one quantisation of the
//! whole timeline per word length, and the writers.
//!
//! The limiter runs over the continuous timeline, so a peak built by two songs
//! overlapping in a crossfade is held like any other. Each integer format is
//! dithered and quantised once, over the whole timeline, and the song files are cut
//! from that: their concatenation is the album file sample for sample, dither
//! included (REFERENCES.md §8.2, §6.2 item 5). The quantised timeline is then
//! measured as written, whole and cut, and if dither or the meter's finer
//! interpolation put a true peak over the ceiling the timeline is trimmed and
//! quantised again, as a master export is (see `render::output`).

use crate::analysis::{Measurement, Meter};
use crate::diag::Diagnostic;
use crate::dsp::{BuildContext, Processor, limiter::Limiter};
use crate::ir::{Dither, Export, SampleFormat};
use crate::render::dither::Quantiser;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

/// The album limiter's release: slow enough not to pump on a mastered record.
const RELEASE_S: f64 = 0.1;
/// Its lookahead (the limiter's maximum, 20 ms, is far more than a true peak needs).
const LOOKAHEAD_S: f64 = 0.005;
/// Attempts at trimming a quantised timeline before a ceiling miss is an error.
const CEILING_TRIES: usize = 4;
/// How far under the ceiling a trim aims (dB), as `render::output` does.
const TRIM_MARGIN_DB: f64 = 0.01;
const BLOCK: usize = 4096;

/// The limiter over the whole timeline, latency removed. Returns the deepest gain
/// reduction (dB, positive) too.
pub fn limit(x: &[Vec<f32>; 2], ceiling_db: f64, rate: u32) -> ([Vec<f32>; 2], f64) {
    let ctx = BuildContext {
        rate: f64::from(rate),
        channels: 2,
        max_frames: BLOCK,
    };
    let mut lim = Limiter::new(ceiling_db, RELEASE_S, LOOKAHEAD_S, &ctx);
    let out = crate::dsp::limiter::limit_whole(&mut lim, x, BLOCK);
    let gr = lim.report().map_or(0.0, f64::abs);
    (out, gr)
}

/// Measures `x[range]` as a file of its own.
pub fn measure(x: &[Vec<f32>; 2], range: Range<usize>, rate: u32) -> Measurement {
    let mut m = Meter::delivery(rate, 2).expect("stereo at the album rate");
    let (l, r) = (&x[0][range.clone()], &x[1][range]);
    for (a, b) in l.chunks(BLOCK).zip(r.chunks(BLOCK)) {
        m.push(&[a, b]).expect("equal channels");
    }
    m.finish()
}

/// A timeline quantised for one word length and dither.
pub struct Quantised {
    pub audio: [Vec<f32>; 2],
    /// Gain (dB, ≤ 0) taken off to hold the ceiling as written.
    pub trim_db: f64,
}

/// Quantises `x` once (float output is left as it is), holding every range in
/// `ranges` (the song files) and the whole under `ceiling_db` as measured.
pub fn quantise(
    x: &[Vec<f32>; 2],
    bits: SampleFormat,
    dither: Dither,
    seed: u64,
    ceiling_db: f64,
    ranges: &[Range<usize>],
    rate: u32,
) -> Result<Quantised, String> {
    let mut trim_db = 0.0;
    for _ in 0..CEILING_TRIES {
        let g = libm::pow(10.0, trim_db / 20.0);
        let mut audio = x.clone();
        if trim_db != 0.0 {
            for c in &mut audio {
                c.iter_mut().for_each(|v| *v = (f64::from(*v) * g) as f32);
            }
        }
        if let Some(mut q) = Quantiser::new(bits, dither, seed) {
            for (ch, c) in audio.iter_mut().enumerate() {
                q.process(ch, c);
            }
        }
        let len = audio[0].len();
        let over = std::iter::once(0..len)
            .chain(ranges.iter().cloned())
            .map(|r| measure(&audio, r, rate).true_peak_dbtp - ceiling_db)
            .fold(0.0f64, f64::max);
        if over <= 0.0 {
            return Ok(Quantised { audio, trim_db });
        }
        trim_db -= over + TRIM_MARGIN_DB;
    }
    Err(format!(
        "the album cannot be held under its {ceiling_db} dBTP ceiling as written \
         ({:.2} dB of trim did not do it)",
        -trim_db
    ))
}

/// The dither seed of a file: from its name as written, as for a mix's exports, so
/// `-o DIR` does not change the bits.
pub fn seed(path: &Path) -> u64 {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let h = blake3::hash(name.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

/// Writes `x[range]` to `path` in the export's format, with `tags` (FLAC).
pub fn write(
    path: &Path,
    export: &Export,
    tags: &BTreeMap<String, String>,
    x: &[Vec<f32>; 2],
    range: Range<usize>,
) -> Result<(), Diagnostic> {
    let fail = |e: crate::io::AudioError| {
        Diagnostic::error("output", export.span, format!("{} {e}", path.display()))
    };
    let mut sink = crate::io::create_writer(path, export.format, export.bits, export.rate, 2, tags)
        .map_err(fail)?;
    let (l, r) = (&x[0][range.clone()], &x[1][range]);
    for (a, b) in l.chunks(BLOCK).zip(r.chunks(BLOCK)) {
        sink.write(&[a, b]).map_err(fail)?;
    }
    sink.finish().map_err(fail)
}
