//! The cache's own bookkeeping: versions per strip, spare buffers and the budget.

use super::*;

fn key(n: u8) -> Key {
    blake3::hash(&[n])
}

/// A node of two planes of `frames` samples, put under `k` as strip `line` renders it.
fn render(c: &Cache, line: Key, k: Key, frames: usize) -> *const f32 {
    c.supersede(line, k);
    let planes: Vec<Vec<f32>> = (0..2)
        .map(|_| {
            let mut v = c.buffer(frames);
            v.resize(frames, 0.5);
            v
        })
        .collect();
    let at = planes[0].as_ptr();
    c.put_node(k, Arc::new(planes));
    at
}

#[test]
fn a_strip_keeps_its_newest_two_outputs_and_the_oldest_feeds_the_next() {
    let c = Cache::new(64, None).unwrap();
    let line = keys::lineage("song", "kick", 0);
    let first = render(&c, line, key(1), 1000);
    render(&c, line, key(2), 1000);
    assert!(c.node(&key(1)).is_some() && c.node(&key(2)).is_some());
    // A third version lets the first go, and writes into its memory.
    c.supersede(line, key(3));
    assert!(c.node(&key(1)).is_none(), "the oldest is let go");
    assert!(
        c.node(&key(2)).is_some(),
        "the one before stays, for an undo"
    );
    let reused = c.buffer(1000);
    let again = c.buffer(1000);
    assert!(
        reused.as_ptr() == first || again.as_ptr() == first,
        "the buffers of the output let go are handed out again"
    );
    assert_eq!(c.held(), 2 * 1000 * 4, "only the kept version counts");
}

#[test]
fn going_back_to_a_kept_version_lets_nothing_go() {
    let c = Cache::new(64, None).unwrap();
    let line = keys::lineage("song", "kick", 0);
    render(&c, line, key(1), 100);
    render(&c, line, key(2), 100);
    c.supersede(line, key(1));
    assert!(c.node(&key(1)).is_some() && c.node(&key(2)).is_some());
    // Other strips and other songs have lineages of their own.
    render(&c, keys::lineage("song", "snare", 0), key(3), 100);
    render(&c, keys::lineage("other", "kick", 0), key(4), 100);
    render(&c, keys::lineage("song", "kick", 48000), key(5), 100);
    assert!(c.node(&key(1)).is_some() && c.node(&key(2)).is_some());
}

#[test]
fn a_shared_output_is_let_go_but_not_reused() {
    let c = Cache::new(64, None).unwrap();
    let line = keys::lineage("song", "kick", 0);
    render(&c, line, key(1), 100);
    let replaying = c.node(&key(1)).unwrap();
    render(&c, line, key(2), 100);
    c.supersede(line, key(3));
    assert!(c.node(&key(1)).is_none());
    let fresh = c.buffer(100);
    assert!(
        fresh.as_ptr() != replaying[0].as_ptr(),
        "still read by a render"
    );
}

#[test]
fn spare_buffers_count_against_the_budget() {
    let c = Cache::new(1, None).unwrap();
    c.recycle(Vec::with_capacity(300_000)); // 1.2 MB: over the 1 MB budget alone
    assert_eq!(
        c.lock().pool.bytes(),
        0,
        "a spare over the budget is dropped"
    );
    c.recycle(Vec::with_capacity(100_000));
    assert_eq!(c.lock().pool.bytes(), 400_000);
    // Entries come first: a node that needs the room pushes the spare out.
    c.put_node(key(1), Arc::new(vec![vec![0.0; 100_000]; 2]));
    assert_eq!(c.lock().pool.bytes(), 0);
    assert!(c.node(&key(1)).is_some());
}

#[test]
fn a_version_never_stored_does_not_push_out_a_kept_one() {
    let c = Cache::new(64, None).unwrap();
    let line = keys::lineage("song", "kick", 0);
    render(&c, line, key(1), 100);
    render(&c, line, key(2), 100);
    // A render of version 3 was stopped before it stored anything.
    c.supersede(line, key(3));
    render(&c, line, key(4), 100);
    assert!(c.node(&key(2)).is_some(), "the one before the newest stays");
    assert!(c.node(&key(4)).is_some());
}
