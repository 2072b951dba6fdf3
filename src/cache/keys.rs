//! Content keys: a blake3 over everything that determines what a node, the loudness
//! solve or an export produces. Two renders that compute the same key produce the
//! same samples, so the second can take the first's.
//!
//! A node's key covers the session (rate, tail, tempo), its strip as compiled (spans
//! are not serialised, so moving text around changes nothing; a source file counts by
//! its bytes, not its path), its lanes, the settings resolved at render time (mute
//! and solo, pan law, trim), the bytes of any file an insert reads (impulse
//! responses), and for each input the key of the strip it comes from, how it is
//! connected and its compensation delay. The chunk size and the thread count are not
//! in it: they do not change a sample.

use super::Key;
use crate::ir::{Mix, Strip};
use crate::render::output::{Output, Tap};
use crate::render::setup::Plan;
use crate::render::strip::{InputKind, StripRt};
use std::path::Path;

/// Changes whenever a render of the same key could give other samples.
const SCHEMA: &str = concat!("mixdown ", env!("CARGO_PKG_VERSION"), " cache 2");

fn json(h: &mut blake3::Hasher, v: &impl serde::Serialize) {
    // Serialising IR types cannot fail (no maps with non-string keys).
    let text = serde_json::to_string(v).unwrap_or_default();
    h.update(&(text.len() as u64).to_le_bytes());
    h.update(text.as_bytes());
}

fn strip_of(mix: &Mix, i: usize) -> &Strip {
    mix.strips.get(i).unwrap_or(&mix.master)
}

/// The strip as compiled, with its file source named by content.
fn strip_json(s: &Strip, file_hash: &dyn Fn(&Path) -> Option<Key>) -> serde_json::Value {
    let mut v = serde_json::to_value(s).unwrap_or_default();
    if let Some(crate::ir::Source::File { path, .. }) = &s.source {
        let content = file_hash(path).map_or("unreadable".into(), |h| h.to_hex().to_string());
        v["source"]["path"] = serde_json::Value::String(content);
    }
    v
}

/// Files that inserts read (impulse responses): any text parameter naming a file.
fn insert_files(h: &mut blake3::Hasher, s: &Strip, file_hash: &dyn Fn(&Path) -> Option<Key>) {
    let texts = s.inserts.iter().flat_map(|i| {
        (i.params.values())
            .chain(i.bands.iter().flat_map(|b| b.params.values()))
            .filter_map(|v| v.text())
    });
    for t in texts {
        let p = Path::new(t);
        if p.is_absolute()
            && let Some(c) = file_hash(p)
        {
            h.update(c.as_bytes());
        }
    }
}

fn settings(h: &mut blake3::Hasher, st: &StripRt) {
    let floats = [st.trim, st.gain, st.pan.0, st.pan.1, st.width, st.polarity];
    for f in floats {
        h.update(&f.to_bits().to_le_bytes());
    }
    h.update(&[
        st.muted as u8,
        st.solo_muted as u8,
        st.channels as u8,
        st.source.is_some() as u8,
    ]);
    h.update(&(st.inserts.len() as u64).to_le_bytes());
}

/// The key of every node, in execution order. `start` is the render-time sample the
/// render begins at (0, or a region's pre-roll start).
pub fn nodes(
    mix: &Mix,
    plan: &Plan,
    start: u64,
    file_hash: &dyn Fn(&Path) -> Option<Key>,
) -> Vec<Key> {
    let mut keys: Vec<Key> = Vec::with_capacity(plan.states.len());
    for st in &plan.states {
        let s = strip_of(mix, st.strip);
        let mut h = blake3::Hasher::new();
        h.update(SCHEMA.as_bytes());
        h.update(&start.to_le_bytes());
        json(&mut h, &mix.session);
        json(&mut h, &strip_json(s, file_hash));
        insert_files(&mut h, s, file_hash);
        for lane in mix.lanes.iter().filter(|l| l.strip == s.name) {
            json(&mut h, lane);
        }
        settings(&mut h, st);
        for input in &st.inputs {
            h.update(keys[input.from].as_bytes());
            let (tag, gain, extra) = match input.kind {
                InputKind::Route => (0u8, 1.0f32, 0u64),
                InputKind::Send { gain, pre } => (1, gain, u64::from(pre)),
                InputKind::Key { insert } => (2, 1.0, insert as u64),
            };
            h.update(&[tag]);
            h.update(&gain.to_bits().to_le_bytes());
            h.update(&extra.to_le_bytes());
            h.update(&(input.delay.delay() as u64).to_le_bytes());
        }
        keys.push(h.finalize());
    }
    keys
}

/// The key of the loudness solve: the master's input, the master chain and the target.
pub fn solve(mix: &Mix, sum: &Key) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(SCHEMA.as_bytes());
    h.update(b"solve");
    h.update(sum.as_bytes());
    json(&mut h, &mix.master);
    for lane in mix.lanes.iter().filter(|l| l.strip == mix.master.name) {
        json(&mut h, lane);
    }
    json(&mut h, &mix.loudness);
    h.finalize()
}

/// The key of one export's file: what feeds it, the export, where it goes, and the
/// region rendered. (Its length is checked after the render: see `render::cached`.)
pub fn output(
    o: &Output,
    feed: &Key,
    latency: usize,
    region: Option<crate::render::region::Region>,
    stage: Option<&Key>,
) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(SCHEMA.as_bytes());
    h.update(b"output");
    h.update(feed.as_bytes());
    if let Some(s) = stage {
        h.update(s.as_bytes());
    }
    json(&mut h, &o.export);
    h.update(o.path.to_string_lossy().as_bytes());
    h.update(&[matches!(o.tap, Tap::Master) as u8]);
    h.update(&(latency as u64).to_le_bytes());
    h.update(format!("{region:?}").as_bytes());
    h.finalize()
}

/// Which strip of which song a node is, whatever its settings: the versions of its
/// output the cache keeps are counted per lineage. `song` tells songs apart (the
/// mix's file name; an album's song path), `start` a region from the whole song.
pub fn lineage(song: &str, strip: &str, start: u64) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(SCHEMA.as_bytes());
    h.update(b"lineage");
    for part in [song, strip] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update(&start.to_le_bytes());
    h.finalize()
}
