//! Audio input and output: decoding, resampling, encoding, atomic writes.
