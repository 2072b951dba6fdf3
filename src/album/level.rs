//! The album's level policy: the gain of every song.
//!
//! - `loudness T album`: one gain for the record, `T − I_album`, where `I_album` is
//!   the BS.1770 gated loudness of all songs' 400 ms blocks taken together, the
//!   relative gate recomputed over the whole album (ReplayGain 2.0 album gain,
//!   `ebur128::EbuR128::loudness_global_multiple`, REFERENCES.md §8.1). It is not the
//!   mean of the songs' loudness, and a quiet song stays as much quieter as it was.
//! - `loudness T track`: each song on its own, `T − I_song`.
//! - `loudness T loudest`: one gain for the record, `T − max(I_song)`: the loudest
//!   song on the target and the rest as much under it as they were (AES TD1008).
//! - Per-song `gain` offsets are part of the material in album mode (measured with
//!   it) and added after the normalisation in track mode, so in both modes a song
//!   with `gain -2dB` ends 2 dB under where it would otherwise be.

use super::ir::{Loudness, LoudnessMode};
use crate::diag::Diagnostic;
use ebur128::{EbuR128, Mode};

fn db(x: f64) -> f64 {
    libm::pow(10.0, x / 20.0)
}

/// A gating meter over `audio` scaled by `gain_db`.
pub fn meter(audio: &[Vec<f32>; 2], gain_db: f64, rate: u32) -> EbuR128 {
    let mut ebu = EbuR128::new(2, rate, Mode::I).expect("stereo at the album rate");
    let g = db(gain_db);
    let mut buf = [vec![0.0f32; 4096], vec![0.0f32; 4096]];
    for (l, r) in audio[0].chunks(4096).zip(audio[1].chunks(4096)) {
        for (b, x) in buf.iter_mut().zip([l, r]) {
            for (d, s) in b.iter_mut().zip(x) {
                *d = (f64::from(*s) * g) as f32;
            }
        }
        let n = l.len();
        let _ = ebu.add_frames_planar_f32(&[&buf[0][..n], &buf[1][..n]]);
    }
    ebu
}

/// Integrated loudness, `None` for silence (no block above the absolute gate).
pub fn integrated(ebu: &EbuR128) -> Option<f64> {
    ebu.loudness_global().ok().filter(|x| x.is_finite())
}

/// What the level policy decided, before the album limiter.
#[derive(Debug, Clone)]
pub struct Levels {
    /// Gain (dB) on each song, offsets included.
    pub gains_db: Vec<f64>,
    /// Each song's loudness as rendered (its offset applied), LUFS.
    pub song_lufs: Vec<Option<f64>>,
    /// The album's gated loudness as rendered (offsets applied).
    pub album_lufs: Option<f64>,
}

/// The gain of every song under `loudness` (or just the offsets without one).
pub fn gains(
    songs: &[[Vec<f32>; 2]],
    offsets_db: &[f64],
    loudness: Option<Loudness>,
    rate: u32,
) -> Result<Levels, Diagnostic> {
    let meters: Vec<EbuR128> = songs
        .iter()
        .zip(offsets_db)
        .map(|(a, &o)| meter(a, o, rate))
        .collect();
    let song_lufs: Vec<Option<f64>> = meters.iter().map(integrated).collect();
    let album_lufs = EbuR128::loudness_global_multiple(meters.iter())
        .ok()
        .filter(|x| x.is_finite());
    let gains_db = match loudness {
        None => offsets_db.to_vec(),
        Some(l) => {
            let Some(album) = album_lufs else {
                return Err(Diagnostic::error(
                    "loudness",
                    l.span,
                    "the album is silent (no 400 ms block above -70 LUFS): there is no loudness to set",
                ));
            };
            match l.mode {
                LoudnessMode::Album => offsets_db.iter().map(|o| o + l.lufs - album).collect(),
                LoudnessMode::Loudest => {
                    // The album's loudness, a power mean of the songs', is a floor.
                    let top = song_lufs.iter().flatten().copied().fold(album, f64::max);
                    offsets_db.iter().map(|o| o + l.lufs - top).collect()
                }
                // A silent song keeps its offset: there is nothing to normalise.
                LoudnessMode::Track => song_lufs
                    .iter()
                    .zip(offsets_db)
                    .map(|(s, &o)| s.map_or(o, |s| l.lufs - (s - o) + o))
                    .collect(),
            }
        }
    };
    Ok(Levels {
        gains_db,
        song_lufs,
        album_lufs,
    })
}
