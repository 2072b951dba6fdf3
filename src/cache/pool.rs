//! Spare sample buffers, kept between renders so that a `watch` render writes into
//! memory an earlier one already touched. A fresh whole-song buffer costs a page
//! fault per 4 KiB on first touch (the kernel zeroes each page, and under a
//! hypervisor the host backs it too): on a 2-core VM that was a sixth of an edit's
//! CPU. Buffers come back from the master's kept input after every render and from
//! node outputs the cache lets go ([`super::Cache::supersede`]).

/// At most this many spare buffers are kept (four whole-song stereo strips' worth).
const MAX_SPARE: usize = 8;

#[derive(Default)]
pub struct Pool {
    spare: Vec<Vec<f32>>,
}

impl Pool {
    /// An empty buffer with room for `frames`: the smallest spare that fits, else new.
    pub fn take(&mut self, frames: usize) -> Vec<f32> {
        let fit = (0..self.spare.len())
            .filter(|&i| self.spare[i].capacity() >= frames)
            .min_by_key(|&i| self.spare[i].capacity());
        match fit {
            Some(i) => {
                let mut v = self.spare.swap_remove(i);
                v.clear();
                v
            }
            None => Vec::with_capacity(frames),
        }
    }

    /// Keeps `v` for a later [`Self::take`], dropping the smallest spare when full.
    pub fn give(&mut self, v: Vec<f32>) {
        if v.capacity() == 0 {
            return;
        }
        self.spare.push(v);
        if self.spare.len() > MAX_SPARE {
            let smallest = (0..self.spare.len())
                .min_by_key(|&i| self.spare[i].capacity())
                .expect("not empty");
            self.spare.swap_remove(smallest);
        }
    }

    /// Drops the largest spare; false when there was none.
    pub fn drop_one(&mut self) -> bool {
        let largest = (0..self.spare.len()).max_by_key(|&i| self.spare[i].capacity());
        largest.map(|i| self.spare.swap_remove(i)).is_some()
    }

    /// Bytes the spares hold.
    pub fn bytes(&self) -> usize {
        self.spare.iter().map(|v| v.capacity() * 4).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spare_is_reused_only_when_it_fits() {
        let mut p = Pool::default();
        let mut v = Vec::with_capacity(1000);
        v.extend([1.0f32; 10]);
        let at = v.as_ptr();
        p.give(v);
        let big = p.take(2000);
        assert!(big.capacity() >= 2000 && big.as_ptr() != at);
        let again = p.take(500);
        assert_eq!(again.as_ptr(), at, "the spare that fits is handed out");
        assert!(again.is_empty(), "handed out empty");
        assert_eq!(p.bytes(), 0);
    }

    #[test]
    fn the_pool_is_bounded() {
        let mut p = Pool::default();
        for n in 1..=(MAX_SPARE + 3) {
            p.give(Vec::with_capacity(n * 100));
        }
        assert_eq!(p.spare.len(), MAX_SPARE);
        // The smallest went first.
        assert!(p.spare.iter().all(|v| v.capacity() >= 400));
    }
}
