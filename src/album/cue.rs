//! CUE sheets (REFERENCES.md §8.2): one `FILE` (the continuous album), one `TRACK`
//! per song with `INDEX 01` at its cut and `INDEX 00` where its gap starts. Times are
//! `mm:ss:ff` with 75 frames a second; on a CD target every index is a whole frame
//! (588 samples at 44.1 kHz), so the times are exact.

use super::ir::{Album, CUE_FPS};
use super::timeline::Placement;

/// `mm:ss:ff` for a sample position, rounded to the nearest frame.
pub fn msf(samples: u64, rate: u32) -> String {
    let frames = (samples * CUE_FPS + u64::from(rate) / 2) / u64::from(rate);
    let (m, s, f) = (
        frames / (60 * CUE_FPS),
        frames / CUE_FPS % 60,
        frames % CUE_FPS,
    );
    format!("{m:02}:{s:02}:{f:02}")
}

/// Samples at `mm:ss:ff` (the inverse of [`msf`] on frame boundaries).
pub fn parse_msf(t: &str, rate: u32) -> Option<u64> {
    let mut p = t.split(':').map(|x| x.parse::<u64>().ok());
    let (m, s, f) = (p.next()??, p.next()??, p.next()??);
    let frames = (m * 60 + s) * CUE_FPS + f;
    Some(frames * u64::from(rate) / CUE_FPS)
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "'"))
}

/// The sheet for `album` played from `file` (a name beside the sheet).
pub fn sheet(album: &Album, file: &str, titles: &[String], places: &[Placement]) -> String {
    let mut out = String::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push_str("\r\n");
    };
    if let Some(c) = &album.catalog {
        line(format!("CATALOG {c}"));
    }
    if let Some(a) = &album.artist {
        line(format!("PERFORMER {}", quoted(a)));
    }
    line(format!("TITLE {}", quoted(&album.title)));
    // `WAVE` stands for any PCM file, FLAC included, in the tools that read CUE sheets.
    line(format!("FILE {} WAVE", quoted(file)));
    for (i, (song, p)) in album.songs.iter().zip(places).enumerate() {
        line(format!("  TRACK {:02} AUDIO", i + 1));
        line(format!("    TITLE {}", quoted(&titles[i])));
        if let Some(a) = song.artist.as_ref().or(album.artist.as_ref()) {
            line(format!("    PERFORMER {}", quoted(a)));
        }
        if let Some(isrc) = &song.isrc {
            line(format!("    ISRC {isrc}"));
        }
        if let Some(g) = p.pregap {
            line(format!("    INDEX 00 {}", msf(g, album.rate)));
        }
        line(format!("    INDEX 01 {}", msf(p.cut, album.rate)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_on_cd_boundaries() {
        for frames in [0u64, 1, 74, 75, 4499, 4500, 270_000] {
            let s = frames * 588;
            assert_eq!(parse_msf(&msf(s, 44_100), 44_100), Some(s));
        }
        assert_eq!(msf(44_100 * 62 + 588 * 3, 44_100), "01:02:03");
    }
}
