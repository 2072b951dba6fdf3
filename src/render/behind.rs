//! Work that follows a stream of stereo blocks on a thread of its own, such as the
//! meter of a file being written: the caller copies each block in and goes on; the
//! thread sees every frame in order, so whatever it computes is what it would have
//! computed inline, bit for bit. Blocks travel in batches of at least [`BATCH`]
//! frames through a few recycled buffers (no allocation per block).

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Batches in flight, here and in the master chain's pipeline.
pub const DEPTH: usize = 4;
/// Frames a batch gathers before it goes to the other thread, here and in the
/// master chain's pipeline: each hand-off wakes a thread, so a batch is long
/// (1.4 s at 48 kHz) next to a chunk.
pub const BATCH: usize = 65536;

type Batch = ([Vec<f32>; 2], usize);

pub struct Behind<T> {
    full: Option<SyncSender<Batch>>,
    free: Receiver<[Vec<f32>; 2]>,
    /// The batch being gathered.
    open: Option<Batch>,
    worker: Option<JoinHandle<T>>,
}

impl<T: Send + 'static> Behind<T> {
    /// Starts a thread that hands each block pushed to `each` (with `state`) and, once
    /// the stream ends, returns `end(state)` to [`Self::finish`].
    pub fn new<S: Send + 'static>(
        mut state: S,
        mut each: impl FnMut(&mut S, [&[f32]; 2]) + Send + 'static,
        end: impl FnOnce(S) -> T + Send + 'static,
    ) -> Self {
        let (full, rx) = sync_channel::<Batch>(DEPTH);
        let (back, free) = sync_channel(DEPTH + 1);
        for _ in 0..DEPTH {
            back.send([vec![0.0; BATCH], vec![0.0; BATCH]])
                .expect("room for every buffer");
        }
        let worker = std::thread::spawn(move || {
            for (buf, n) in rx {
                each(&mut state, [&buf[0][..n], &buf[1][..n]]);
                // The caller may have hung up: a buffer it will not take back is dropped.
                let _ = back.send(buf);
            }
            end(state)
        });
        Self {
            full: Some(full),
            free,
            open: None,
            worker: Some(worker),
        }
    }

    /// Copies a block in (any length; a long one is cut into batches).
    pub fn push(&mut self, sig: [&[f32]; 2]) {
        let mut from = 0;
        while from < sig[0].len() {
            if self.open.is_none() {
                // Fails only when the thread is gone (it panicked): `finish` says so.
                let Ok(buf) = self.free.recv() else { return };
                self.open = Some((buf, 0));
            }
            let (buf, fill) = self.open.as_mut().expect("a batch");
            let n = (BATCH - *fill).min(sig[0].len() - from);
            for (b, s) in buf.iter_mut().zip(sig) {
                b[*fill..*fill + n].copy_from_slice(&s[from..from + n]);
            }
            *fill += n;
            from += n;
            if *fill == BATCH {
                self.send();
            }
        }
    }

    fn send(&mut self) {
        if let (Some(batch), Some(tx)) = (self.open.take(), &self.full) {
            let _ = tx.send(batch);
        }
    }

    /// What the thread computed over every frame pushed.
    pub fn finish(mut self) -> T {
        self.send();
        self.full = None;
        match self.worker.take().expect("finished once").join() {
            Ok(t) => t,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

impl<T> Drop for Behind<T> {
    /// A stream dropped unfinished (a restarted file, an error) ends its thread too.
    fn drop(&mut self) {
        self.full = None;
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thread_sees_every_frame_in_order_whatever_the_blocks() {
        let x: Vec<f32> = (0..100_000).map(|i| i as f32).collect();
        let y: Vec<f32> = x.iter().map(|v| -v).collect();
        for block in [1, 777, 4096, BATCH, 50_000] {
            let mut b = Behind::new(
                Vec::new(),
                |seen: &mut Vec<(f32, f32)>, s| {
                    seen.extend(s[0].iter().zip(s[1]).map(|(a, b)| (*a, *b)))
                },
                |seen| seen,
            );
            for (l, r) in x.chunks(block).zip(y.chunks(block)) {
                b.push([l, r]);
            }
            let seen = b.finish();
            assert_eq!(seen.len(), x.len(), "block {block}");
            assert!(seen.iter().zip(&x).all(|(s, v)| s.0 == *v && s.1 == -*v));
        }
    }

    #[test]
    fn dropping_unfinished_ends_the_thread() {
        let mut b = Behind::new(0usize, |n: &mut usize, s| *n += s[0].len(), |n| n);
        b.push([&[0.0; 10], &[0.0; 10]]);
        drop(b);
    }
}
