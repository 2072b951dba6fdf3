//! [`TruePeak::read`] and [`TruePeak::peak`] for each number type, each in the
//! baseline build and in builds for wider vectors, picked at run time.

use super::{Level, TruePeak};

/// The builds of [`TruePeak::peak`] and [`TruePeak::read`] for one number type, at
/// the widths that keep about four vector registers of sums in flight (see
/// `truepeak_fir.rs`).
macro_rules! builds {
    ($t:ty, $base:literal, $avx2:literal, $avx512:literal) => {
        impl TruePeak<$t> {
            /// The largest of the readings [`Self::read`] would give for frames
            /// `from..from + n` of `chans` (to the bit, NaNs aside), taking them in
            /// as it does.
            #[cfg_attr(
                target_arch = "x86_64",
                expect(
                    unsafe_code,
                    reason = "calling a build for wider vectors is unsafe: it needs a CPU that has them"
                )
            )]
            pub fn peak<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, n: usize) -> f64 {
                match self.level {
                    // SAFETY: `level` is only ever one that `Level::detect` found this CPU runs.
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => unsafe { self.peak_avx512(chans, from, n) },
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => unsafe { self.peak_avx2(chans, from, n) },
                    _ => self.peak_at::<$base, C>(chans, from, n),
                }
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn peak_avx512<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, n: usize) -> f64 {
                self.peak_at::<$avx512, C>(chans, from, n)
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn peak_avx2<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, n: usize) -> f64 {
                self.peak_at::<$avx2, C>(chans, from, n)
            }

            /// Reads frames `from..from + reads.len()` of `chans`: `reads[j]` is the largest
            /// |value| over the interval from sample `from + j - DELAY` up to (not
            /// including) the next sample, over the channels: the 16x reading times
            /// [`GRID_MARGIN`], or libebur128's 4x reading if larger.
            #[cfg_attr(
                target_arch = "x86_64",
                expect(
                    unsafe_code,
                    reason = "calling a build for wider vectors is unsafe: it needs a CPU that has them"
                )
            )]
            pub fn read<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
                match self.level {
                    // SAFETY: `level` is only ever one that `Level::detect` found this CPU runs.
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx512 => unsafe { self.read_avx512(chans, from, reads) },
                    #[cfg(target_arch = "x86_64")]
                    Level::Avx2 => unsafe { self.read_avx2(chans, from, reads) },
                    _ => self.read_at::<$base, C>(chans, from, reads),
                }
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx512f")]
            fn read_avx512<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
                self.read_at::<$avx512, C>(chans, from, reads);
            }

            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            fn read_avx2<C: AsRef<[f32]>>(&mut self, chans: &[C], from: usize, reads: &mut [f64]) {
                self.read_at::<$avx2, C>(chans, from, reads);
            }
        }
    };
}

builds!(f64, 8, 16, 32);
builds!(f32, 16, 32, 64);
