//! Where a render's chunks start and how long each is: a function of the position
//! alone, so the graph can start chunks ahead of the ones being written.

use super::region::Region;
use crate::ir::Tail;

/// `tail auto` stops at 30 s past the last source.
const TAIL_CAP_SECONDS: u64 = 30;

/// How far a render runs, in output frames from time zero.
pub struct Extent {
    /// The frames every render writes: to the song's end (and a fixed tail).
    pub main_len: u64,
    /// Whether blocks after `main_len` follow while the tail sounds (`tail auto`)...
    pub auto: bool,
    /// ...up to here at the latest.
    pub cap: u64,
}

/// The extent of a render of a song whose sources end at frame `song`. A region
/// ends where it says, or where the whole render would: at the song's end, or
/// (`tail auto`) where its tail dies away; one that starts past the end is refused.
pub fn extent(song: u64, tail: Tail, rate: u64, region: Option<Region>) -> Result<Extent, String> {
    let mut e = match tail {
        Tail::Fixed(t) => Extent {
            main_len: song + t,
            auto: false,
            cap: song + t,
        },
        Tail::Auto => Extent {
            main_len: song,
            auto: true,
            cap: song + TAIL_CAP_SECONDS * rate,
        },
    };
    let Some(r) = region else {
        return Ok(e);
    };
    if r.from >= e.main_len {
        let end = crate::clock::clock(e.main_len as f64 / rate as f64);
        let tail = if e.auto {
            " (where its sources end)"
        } else {
            ""
        };
        return Err(format!("--from is past the end of the song, {end}{tail}"));
    }
    if r.to <= e.main_len {
        (e.main_len, e.auto) = (r.to, false);
    } else {
        e.cap = e.cap.min(r.to);
    }
    Ok(e)
}

/// How a render is cut into chunks: each chunk's length follows from where it starts.
pub struct Chunks {
    pub chunk: u64,
    pub latency: u64,
    pub main_len: u64,
    pub auto: bool,
    /// `tail auto` stops here at the latest.
    pub cap: u64,
    pub tail_block: u64,
}

impl Chunks {
    /// Whether a chunk starting at render position `pos` lies past the song: output
    /// time lags render time by the latency.
    pub fn in_tail(&self, pos: u64) -> bool {
        pos >= self.latency && pos - self.latency >= self.main_len
    }

    /// The frames of the chunk that starts at render position `pos`, or `None` past
    /// the end. A `tail auto` runs in whole tail blocks (which `pass` ends early on
    /// silence) up to the cap.
    pub fn at(&self, pos: u64) -> Option<usize> {
        let out_pos = pos.saturating_sub(self.latency);
        let n = if !self.in_tail(pos) {
            self.chunk.min(self.main_len + self.latency - pos)
        } else if !self.auto || out_pos >= self.cap {
            return None;
        } else {
            let past = (out_pos - self.main_len) / self.tail_block + 1;
            let block_end = self.main_len + past * self.tail_block;
            self.chunk.min(block_end - out_pos)
        };
        (n > 0).then_some(n as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_ends_where_the_whole_render_would() {
        let (rate, song) = (10, 100);
        let at = |tail, from, to| extent(song, tail, rate, Some(Region { from, to }));
        let e = at(Tail::Fixed(20), 10, 1000).expect("inside");
        assert_eq!((e.main_len, e.auto), (120, false));
        let e = at(Tail::Auto, 10, 1000).expect("inside");
        assert_eq!((e.main_len, e.auto, e.cap), (100, true, 400));
        let e = at(Tail::Auto, 10, 150).expect("inside");
        assert_eq!((e.main_len, e.auto, e.cap), (100, true, 150));
        let e = at(Tail::Auto, 10, 50).expect("inside");
        assert_eq!((e.main_len, e.auto), (50, false));
        let past = at(Tail::Fixed(0), 100, 200).err().expect("past the end");
        assert!(past.contains("0:10.000"), "{past}");
    }

    /// Every chunk start of a render from `origin`, and where the last one ends.
    fn cut(c: &Chunks, origin: u64) -> (Vec<u64>, u64) {
        let (mut starts, mut pos) = (Vec::new(), origin);
        while let Some(n) = c.at(pos) {
            assert!(n as u64 <= c.chunk);
            starts.push(pos);
            pos += n as u64;
        }
        (starts, pos)
    }

    #[test]
    fn chunks_tile_the_song_and_whole_tail_blocks_up_to_the_cap() {
        let fixed = Chunks {
            chunk: 1000,
            latency: 37,
            main_len: 10_500,
            auto: false,
            cap: 20_000,
            tail_block: 480,
        };
        // Song and latency, no more: the last chunk is cut short to end there.
        let (starts, end) = cut(&fixed, 0);
        assert_eq!(end, 10_537);
        assert_eq!(starts.len(), 11);
        assert!(!fixed.in_tail(starts[10]) && fixed.in_tail(end));
        // `tail auto`: after the song, chunks end on every tail block, up to the cap.
        let auto = Chunks {
            auto: true,
            ..fixed
        };
        let (starts, end) = cut(&auto, 0);
        // The last block is the one that starts before the cap: 19_620..20_100.
        assert_eq!(end, 20_100 + 37, "the block at the cap is finished");
        for &s in starts.iter().filter(|&&s| auto.in_tail(s)) {
            assert_eq!(
                (s - 37 - 10_500) % 480,
                0,
                "a tail chunk starts a block at {s}"
            );
        }
        // A region's pre-roll starts later: the same end.
        assert_eq!(cut(&fixed, 3_333).1, 10_537);
    }
}
