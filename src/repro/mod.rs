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
//! The FFTs of convolution reverb and sample-rate conversion are our own
//! (`crate::dsp::fft`): no code is picked at run time and their twiddles and filters
//! come from `libm`, so they give the same bits on any machine and for any build
//! flags (golden hashes in their tests pin them). Known limits, all outside that code:
//! - Lossy decoding: symphonia's MP3 and Vorbis decoders call std `powf`, `sin`, `cos`
//!   and `exp` (f32 and f64) while decoding, so an MP3 or Ogg source may decode to
//!   samples that differ in a last bit between machines (on the machine this was
//!   written on, glibc's FMA and non-FMA `sin`/`cos` disagree on about one f64 angle in
//!   670). WAV, AIFF and FLAC decode exactly. symphonia's `opt-simd` feature, which
//!   would also run the Vorbis IMDCT on rustfft's run-time-dispatched AVX/SSE code, is
//!   turned off in `Cargo.toml`.
//! - The `ebur128` crate (the loudness meter) calls std `powf`/`log10`; with a
//!   `loudness` target its figures set the master's drive, so glibc's CPU-dispatched
//!   variants could move a last bit there.
//!
//! `mixdown verify` reports exactly which files differ.

pub mod assertions;
pub mod lock;
