//! The album as one continuous timeline: where each song starts, where the song files
//! are cut, and the sum of the songs with their gains, gaps and crossfades.
//!
//! Songs are placed one after another: a `gap` is silence between the previous song's
//! end and this one's start; a `crossfade` starts this song that long before the
//! previous one ends, fading one out and the other in over the overlap. The files of
//! the songs are cut at the song's start (after a gap: the gap stays at the end of the
//! previous file, as CD rippers' "gaps appended to the previous track") or inside the
//! crossfade at its `split` point. For a CD target every cut and the album's end are on
//! 588-sample CD frames (REFERENCES.md §8.2): a song after a gap is moved later by up
//! to one frame (13 ms) so its first sample starts a frame; a crossfade's cut is
//! rounded to the nearest frame.

use super::ir::{Album, CD_FRAME};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Placement {
    /// The song's first sample on the timeline.
    pub start: u64,
    /// The song's length (samples).
    pub len: u64,
    /// Where its file starts (the CUE sheet's INDEX 01).
    pub cut: u64,
    /// Where its pregap (the gap before it) starts, the CUE sheet's INDEX 00.
    pub pregap: Option<u64>,
}

impl Placement {
    pub fn end(&self) -> u64 {
        self.start + self.len
    }
}

fn ceil_frame(x: u64) -> u64 {
    x.div_ceil(CD_FRAME) * CD_FRAME
}

fn round_frame(x: u64) -> u64 {
    (x + CD_FRAME / 2) / CD_FRAME * CD_FRAME
}

/// Places songs of the given lengths. Returns the placements and the album length.
pub fn layout(album: &Album, lens: &[u64]) -> (Vec<Placement>, u64) {
    let mut out: Vec<Placement> = Vec::with_capacity(lens.len());
    for (song, &len) in album.songs.iter().zip(lens) {
        let Some(prev) = out.last().copied() else {
            out.push(Placement {
                start: 0,
                len,
                cut: 0,
                pregap: None,
            });
            continue;
        };
        let p = match song.crossfade {
            Some(x) => {
                // An overlap longer than either song would reach past its start.
                let x_len = x.length.min(prev.len).min(len);
                let start = prev.end() - x_len;
                let mut cut = start + (x.split * x_len as f64).round() as u64;
                if album.cd {
                    cut = round_frame(cut);
                }
                // Every file holds at least one sample (one frame on a CD).
                let least = prev.cut + if album.cd { CD_FRAME } else { 1 };
                Placement {
                    start,
                    len,
                    cut: cut.max(least),
                    pregap: None,
                }
            }
            None => {
                let mut start = prev.end() + song.gap;
                let mut pregap = prev.end();
                if album.cd {
                    start = ceil_frame(start);
                    pregap = ceil_frame(pregap);
                }
                Placement {
                    start,
                    len,
                    cut: start,
                    pregap: (song.gap > 0 && pregap < start).then_some(pregap),
                }
            }
        };
        out.push(p);
    }
    let mut total = out.iter().map(Placement::end).max().unwrap_or(0);
    if album.cd {
        total = ceil_frame(total);
    }
    if let Some(last) = out.last() {
        total = total.max(last.cut + 1);
    }
    (out, total)
}

/// The songs summed on the timeline, each scaled by its gain (dB) and faded in and
/// out over its crossfades. Songs are added in album order, in f64, so the result is
/// the same on every machine.
pub fn mix(
    album: &Album,
    songs: &[[Vec<f32>; 2]],
    gains_db: &[f64],
    places: &[Placement],
    total: u64,
) -> [Vec<f32>; 2] {
    let mut out = [vec![0.0f32; total as usize], vec![0.0f32; total as usize]];
    for (i, (audio, p)) in songs.iter().zip(places).enumerate() {
        let g = libm::pow(10.0, gains_db[i] / 20.0);
        // The overlap with the previous song (fade in) and the next (fade out).
        let fade_in = album.songs[i]
            .crossfade
            .map(|x| (x.curve, places[i - 1].end() - p.start));
        let fade_out = album.songs.get(i + 1).and_then(|s| s.crossfade).map(|x| {
            let next = places[i + 1];
            (x.curve, p.end() - next.start)
        });
        for (o, x) in out.iter_mut().zip(audio) {
            let dst = &mut o[p.start as usize..p.end() as usize];
            for (k, (d, s)) in dst.iter_mut().zip(x).enumerate() {
                let mut v = f64::from(*s) * g;
                let k = k as u64;
                if let Some((curve, n)) = fade_in.filter(|&(_, n)| k < n) {
                    v *= curve.gains((k as f64 + 0.5) / n as f64).1;
                }
                if let Some((curve, n)) = fade_out.filter(|&(_, n)| k + n >= p.len) {
                    let t = (k + n - p.len) as f64 + 0.5;
                    v *= curve.gains(t / n as f64).0;
                }
                *d = (f64::from(*d) + v) as f32;
            }
        }
    }
    out
}

/// The half-open range of the timeline in song `i`'s file.
pub fn file_range(places: &[Placement], total: u64, i: usize) -> std::ops::Range<usize> {
    let end = places.get(i + 1).map_or(total, |n| n.cut);
    places[i].cut as usize..end as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::album::ir::XfadeCurve;
    use crate::world::World;

    /// REFERENCES.md §8.2: equal power keeps the power of uncorrelated material,
    /// equal gain (linear and smooth) the amplitude of correlated material.
    #[test]
    fn crossfade_laws_sum_to_one() {
        for k in 0..=100 {
            let t = f64::from(k) / 100.0;
            let (o, i) = XfadeCurve::Power.gains(t);
            assert!((o * o + i * i - 1.0).abs() < 1e-12);
            for c in [XfadeCurve::Gain, XfadeCurve::Smooth] {
                let (o, i) = c.gains(t);
                assert!((o + i - 1.0).abs() < 1e-12);
            }
        }
    }

    /// The summed envelope of two matched, independent noises through an
    /// equal-power crossfade has no bump or dip beyond ±0.5 dB (REFERENCES.md §8.2).
    #[test]
    fn equal_power_on_matched_noise_is_flat() {
        let src = "album \"T\" { song \"a.wav\"; song \"b.wav\" crossfade 1s power }";
        let world = crate::world::MemoryWorld::new();
        let id = world.add_virtual("album.mix", src);
        let file = crate::syntax::parse(id, src).expect("parses");
        let mut diags = Vec::new();
        let album = crate::album::lower::lower(&file, std::path::Path::new(""), &mut diags)
            .expect("an album");
        assert!(diags.is_empty(), "{diags:?}");
        let mut rng = crate::render::rng::Rng::new(7);
        let mut noise = |n: usize| -> [Vec<f32>; 2] {
            let mut c = || {
                (0..n)
                    .map(|_| (rng.unit() - 0.5) as f32)
                    .collect::<Vec<f32>>()
            };
            [c(), c()]
        };
        let rate = album.rate as usize;
        let songs = [noise(2 * rate), noise(2 * rate)];
        let (places, total) = layout(&album, &[2 * rate as u64, 2 * rate as u64]);
        assert_eq!(places[1].start, rate as u64);
        let x = mix(&album, &songs, &[0.0, 0.0], &places, total);
        let rms = |a: usize| {
            let w = &x[0][a..a + rate / 10];
            10.0 * (w.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / w.len() as f64).log10()
        };
        let reference = rms(0);
        for k in 0..30 {
            let d = rms(k * rate / 10) - reference;
            assert!(d.abs() < 0.5, "window {k}: {d:+.2} dB");
        }
    }
}
