//! Rounding to the nearest integer, halves away from zero: `f64::round`, bit for
//! bit, without its call. The portable x86-64 target has no rounding instruction
//! (SSE4.1's `roundsd` is not in the baseline), so `f64::round` is a call into libm
//! for every sample written. This is the classic `2^52` trick (adding and taking
//! away 2^52 rounds to the nearest integer, ties to even, exactly) with the ties
//! that went to even moved away from zero, and no branches: a loop of it over a
//! block of samples becomes vector code.

/// 2^52: from here up every `f64` is an integer.
const INTEGRAL: f64 = 4_503_599_627_370_496.0;

/// Exactly `x.round()` for every `f64` (NaN, infinities and -0.0 included).
#[inline]
pub fn round(x: f64) -> f64 {
    let a = x.abs();
    // `a + 2^52` is exact to the integer (round to nearest even) below 2^52, and
    // `a - even` is then exact too: 0.5 means a tie that went down.
    let even = (a + INTEGRAL) - INTEGRAL;
    let r = if a - even >= 0.5 { even + 1.0 } else { even };
    let r = if a >= INTEGRAL { a } else { r };
    // NaN comes back quiet as from libm (`x + x` sets the quiet bit, keeps the
    // payload).
    if x.is_nan() { x + x } else { r.copysign(x) }
}

#[cfg(test)]
mod tests {
    use super::round;

    #[test]
    fn equals_std_round_bit_for_bit() {
        let special = [
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            2.5,
            -2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_496.0,
            9_007_199_254_740_993.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            8_388_607.5,
            -8_388_608.5,
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let random = (0..200_000).map(|i| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            match i % 3 {
                // Arbitrary bit patterns, and values around the quantiser's range.
                0 => f64::from_bits(seed),
                1 => (seed as i64 as f64) / 2f64.powi(40),
                _ => f64::from((seed >> 40) as u32 as i32 - (1 << 23)) + 0.5,
            }
        });
        for x in special.into_iter().chain(random) {
            assert_eq!(round(x).to_bits(), x.round().to_bits(), "{x:e}");
        }
    }
}
