//! The album stage: the level policy's gains, the sum, the limiter, and the
//! quantised timelines, settled together.
//!
//! The limiter takes some loudness from the loudest passages, so the level is
//! measured again after it and the difference given back (album mode: the album's
//! loudness; track mode: each song file's; loudest: the loudest song file's), a few
//! times, as the mastering solve does for a song (`render::master`). And when a
//! timeline as quantised measures over the ceiling (dither, and the meter's
//! interpolation against the limiter's 4x detector) the trim that holds it would cost
//! loudness: so the limiter is run that much lower and the level settled again.

use super::deliver::{self, Quantised};
use super::ir::{Album, LoudnessMode};
use super::timeline::{self, Placement};
use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::ops::Range;

/// The level is settled to within this (LU); the delivery contract is 0.1 LU
/// (LANGUAGE.md, `loudness`), the rest is left for dither.
const LEVEL_TOL_LU: f64 = 0.02;
/// Measurements of the level after the limiter.
const LEVEL_ROUNDS: usize = 4;
/// Lowerings of the limiter for a ceiling trim.
const MARGIN_ROUNDS: usize = 3;
/// A ceiling trim smaller than this costs nothing worth another pass (dB).
const TRIM_TOL_DB: f64 = 0.01;

/// A quantised timeline per (bits, dither) of the exports.
pub type Key = (u8, u8);

pub struct Stage {
    pub gains_db: Vec<f64>,
    pub max_gain_reduction_db: f64,
    /// The limited timeline (float).
    pub limited: [Vec<f32>; 2],
    pub quantised: BTreeMap<Key, Quantised>,
}

pub fn key(e: &crate::ir::Export) -> Key {
    (e.bits as u8, e.dither as u8)
}

/// Settles the level and the ceiling; quantises once per export format.
pub fn run(
    album: &Album,
    songs: &[[Vec<f32>; 2]],
    gains_db: &[f64],
    places: &[Placement],
    ranges: &[Range<usize>],
    total: u64,
) -> Result<Stage, Diagnostic> {
    let mut margin = 0.0;
    let mut gains = gains_db.to_vec();
    for round in 0..MARGIN_ROUNDS {
        let ceiling = album.ceiling_db - margin;
        let (limited, gr) = settle(album, songs, &mut gains, places, ranges, total, ceiling);
        let mut quantised = BTreeMap::new();
        for e in &album.exports {
            if quantised.contains_key(&key(&e.export)) {
                continue;
            }
            let q = deliver::quantise(
                &limited,
                e.export.bits,
                e.export.dither,
                deliver::seed(&e.export.path),
                album.ceiling_db,
                ranges,
                album.rate,
            )
            .map_err(|m| Diagnostic::error("loudness", e.export.span, m))?;
            quantised.insert(key(&e.export), q);
        }
        let worst = quantised.values().map(|q| -q.trim_db).fold(0.0, f64::max);
        if worst <= TRIM_TOL_DB || round + 1 == MARGIN_ROUNDS {
            return Ok(Stage {
                gains_db: gains,
                max_gain_reduction_db: gr,
                limited,
                quantised,
            });
        }
        margin += worst;
    }
    unreachable!("the last round returns")
}

/// Sums and limits at `ceiling`, giving back what the limiter took from the level.
fn settle(
    album: &Album,
    songs: &[[Vec<f32>; 2]],
    gains: &mut [f64],
    places: &[Placement],
    ranges: &[Range<usize>],
    total: u64,
    ceiling: f64,
) -> ([Vec<f32>; 2], f64) {
    let rate = album.rate;
    for round in 0..LEVEL_ROUNDS {
        let sum = timeline::mix(album, songs, gains, places, total);
        let (out, gr) = deliver::limit(&sum, ceiling, rate);
        let Some(l) = album.loudness else {
            return (out, gr);
        };
        let misses: Vec<f64> = match l.mode {
            LoudnessMode::Album => {
                let m = deliver::measure(&out, 0..total as usize, rate).integrated_lufs;
                vec![m.map_or(0.0, |m| l.lufs - m); gains.len()]
            }
            LoudnessMode::Loudest => {
                let top = ranges
                    .iter()
                    .filter_map(|r| deliver::measure(&out, r.clone(), rate).integrated_lufs)
                    .reduce(f64::max);
                vec![top.map_or(0.0, |m| l.lufs - m); gains.len()]
            }
            LoudnessMode::Track => ranges
                .iter()
                .zip(&album.songs)
                .map(|(r, s)| {
                    let m = deliver::measure(&out, r.clone(), rate).integrated_lufs;
                    m.map_or(0.0, |m| l.lufs + s.gain_db - m)
                })
                .collect(),
        };
        if misses.iter().all(|m| m.abs() <= LEVEL_TOL_LU) || round + 1 == LEVEL_ROUNDS {
            return (out, gr);
        }
        gains.iter_mut().zip(&misses).for_each(|(g, m)| *g += m);
    }
    unreachable!("the last round returns")
}
