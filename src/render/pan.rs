//! The fader's laws: constant-power pan for a mono source, balance for a stereo one,
//! and the pre-fader tap, taken before the pan.

/// Constant-power pan for a mono source: -3.01 dB per side at centre.
pub fn mono_pan(pan: f64) -> (f32, f32) {
    let theta = (pan + 1.0) * std::f64::consts::FRAC_PI_4;
    (libm::cos(theta) as f32, libm::sin(theta) as f32)
}

/// Balance for a stereo source: centre leaves both sides at unity; moving right
/// lowers the left side along a quarter cosine (and the other way round).
pub fn stereo_balance(pan: f64) -> (f32, f32) {
    let fade = |p: f64| libm::cos(p * std::f64::consts::FRAC_PI_2) as f32;
    if pan >= 0.0 {
        (fade(pan), 1.0)
    } else {
        (1.0, fade(-pan))
    }
}

/// The pre-fader tap: the inserts' output before the whole fader (gain, pan, width),
/// silenced only by mute (`g` is 0 or 1). A mono source goes to both sides at the
/// pan law's centre, as it would with the pan in the middle.
pub fn pre_tap(pre: &mut [Vec<f32>; 2], work: [&[f32]; 2], mono: bool, g: f32) {
    let centre = mono_pan(0.0).0;
    let [ql, qr] = pre;
    for i in 0..work[0].len() {
        let (l, r) = unpanned(&work, i, mono, centre);
        (ql[i], qr[i]) = (l * g, r * g);
    }
}

/// Frame `i` of the inserts' output as a stereo pair before the pan: a mono source
/// at `centre` on both sides.
#[inline(always)]
pub fn unpanned<W: AsRef<[f32]>>(work: &[W; 2], i: usize, mono: bool, centre: f32) -> (f32, f32) {
    let x = work[0].as_ref()[i];
    if mono {
        (x * centre, x * centre)
    } else {
        (x, work[1].as_ref()[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pan_laws() {
        let (l, r) = mono_pan(0.0);
        // Constant power: -3.0103 dB per side at centre.
        assert!((20.0 * f64::from(l).log10() + 3.0103).abs() < 1e-3);
        assert_eq!(l, r);
        let (l, r) = mono_pan(1.0);
        assert!(l.abs() < 1e-7 && (r - 1.0).abs() < 1e-7);
        assert_eq!(stereo_balance(0.0), (1.0, 1.0));
        let (l, r) = stereo_balance(1.0);
        assert!(l.abs() < 1e-7 && r == 1.0);
    }
}
