//! Reproducible masters: what CI needs beyond a render.
//!
//! - [`lock`]: `FILE.mix.lock`, the hashes of every input and output of a render, so
//!   `render --locked` refuses changed inputs and `verify` proves a render gives the
//!   same bytes.
//! - [`assertions`]: `assert ...` items, checked against what the delivered files (and
//!   metered strips) measure after each render.
//!
//! Why the bytes are reproducible at all: every sum runs in a fixed order (any
//! `--jobs`, any chunk size), noise and dither are seeded from names, transcendental
//! functions on the signal path come from `libm` (the same code on every machine,
//! where `f64::sin` and friends call the platform's libm, which glibc dispatches to
//! FMA or non-FMA variants by CPU), and no file carries a timestamp or a host name.
//! Convolution reverb runs on our own FFT (`crate::dsp::fft`): no code is picked at run
//! time and its twiddles come from `libm`, so it gives the same bits on any machine (a
//! golden hash in its tests pins them). One known limit: rubato's FFT resampler runs on
//! rustfft, which picks AVX, SSE or scalar butterflies at run time and computes its
//! twiddles with std `sin`/`cos`; the rounding of each path differs, so a mix that
//! resamples may differ in its last bits between x86-64 machines with and without AVX
//! or FMA. Likewise the `ebur128` crate (the loudness meter) calls std `powf`/`log10`;
//! with a `loudness` target its figures set the master's drive, so glibc's
//! CPU-dispatched variants could move a last bit there.
//! `mixdown verify` reports exactly which files differ.

pub mod assertions;
pub mod lock;
