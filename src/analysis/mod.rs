//! Signal analysis: loudness, true peak and level helpers for the render report and
//! loudness normalisation.

pub mod meter;

pub use meter::{Measurement, Meter, MeterError};

/// Linear amplitude to dB (`-inf` for 0).
pub fn lin_to_db(x: f64) -> f64 {
    if x > 0.0 {
        20.0 * libm::log10(x)
    } else {
        f64::NEG_INFINITY
    }
}

/// The largest absolute sample over all channels (linear).
pub fn peak(planar: &[&[f32]]) -> f32 {
    planar
        .iter()
        .flat_map(|p| p.iter())
        .fold(0.0f32, |m, x| m.max(x.abs()))
}

/// Sample peak in dBFS (`-inf` for digital silence).
pub fn peak_dbfs(planar: &[&[f32]]) -> f64 {
    lin_to_db(f64::from(peak(planar)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_helpers() {
        let a = [0.0f32, -0.5, 0.25];
        let b = [0.1f32, 0.2, 0.3];
        assert_eq!(peak(&[&a, &b]), 0.5);
        assert!((peak_dbfs(&[&a, &b]) + 6.0206).abs() < 1e-3);
        assert_eq!(peak_dbfs(&[&[0.0f32; 4]]), f64::NEG_INFINITY);
    }
}
