//! Generator sources: `sine` (level = peak), `noise white|pink` (level = RMS, fixed
//! seed per track), `silence`. Samples depend only on their index, never on how the
//! render is chunked.

use super::rng::Rng;
use crate::ir::NoiseColor;

pub enum Generator {
    Sine {
        freq: f64,
        amp: f64,
        rate: f64,
        t: u64,
    },
    White {
        rng: Rng,
        scale: f64,
    },
    Pink {
        rng: Rng,
        scale: f64,
        b: [f64; 7],
    },
    Silence,
}

/// Paul Kellet's refined pink filter: pole and gain of each first-order section,
/// then the direct white gain and the one-sample delayed term.
const PINK: [(f64, f64); 6] = [
    (0.99886, 0.0555179),
    (0.99332, 0.0750759),
    (0.96900, 0.1538520),
    (0.86650, 0.3104856),
    (0.55000, 0.5329522),
    (-0.7616, -0.0168980),
];
const PINK_DIRECT: f64 = 0.5362;
const PINK_DELAYED: f64 = 0.115926;

fn db_to_amp(db: f64) -> f64 {
    libm::pow(10.0, db / 20.0)
}

/// The RMS of uniform noise in [-1, 1).
const UNIFORM_RMS: f64 = 0.577_350_269_189_625_8;

/// Energy of the pink filter's impulse response, so the output RMS is exact:
/// RMS_out = RMS_in * sqrt(sum h^2).
fn pink_energy() -> f64 {
    let mut b = [0.0f64; 7];
    let mut e = 0.0;
    for n in 0..200_000 {
        let x = if n == 0 { 1.0 } else { 0.0 };
        let y = step_pink(&mut b, x);
        e += y * y;
    }
    e
}

fn step_pink(b: &mut [f64; 7], white: f64) -> f64 {
    let mut sum = 0.0;
    for (i, (pole, gain)) in PINK.iter().enumerate() {
        b[i] = pole * b[i] + white * gain;
        sum += b[i];
    }
    let y = sum + b[6] + white * PINK_DIRECT;
    b[6] = white * PINK_DELAYED;
    y
}

impl Generator {
    pub fn sine(freq: f64, level_db: f64, rate: f64) -> Self {
        Generator::Sine {
            freq,
            amp: db_to_amp(level_db),
            rate,
            t: 0,
        }
    }

    pub fn noise(color: NoiseColor, level_db: f64, seed: u64) -> Self {
        let amp = db_to_amp(level_db);
        match color {
            NoiseColor::White => Generator::White {
                rng: Rng::new(seed),
                scale: amp / UNIFORM_RMS,
            },
            NoiseColor::Pink => Generator::Pink {
                rng: Rng::new(seed),
                scale: amp / (UNIFORM_RMS * pink_energy().sqrt()),
                b: [0.0; 7],
            },
        }
    }

    /// Fills `out` with the next samples.
    pub fn fill(&mut self, out: &mut [f32]) {
        match self {
            Generator::Sine { freq, amp, rate, t } => {
                for o in out.iter_mut() {
                    // Reduce the phase in cycles first, so precision does not fade over long files.
                    let cycles = (*freq * *t as f64 / *rate).fract();
                    *o = (*amp * libm::sin(std::f64::consts::TAU * cycles)) as f32;
                    *t += 1;
                }
            }
            Generator::White { rng, scale } => out
                .iter_mut()
                .for_each(|o| *o = (rng.bipolar() * *scale) as f32),
            Generator::Pink { rng, scale, b } => out
                .iter_mut()
                .for_each(|o| *o = (step_pink(b, rng.bipolar()) * *scale) as f32),
            Generator::Silence => out.fill(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rms_db(x: &[f32]) -> f64 {
        let p = x.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / x.len() as f64;
        10.0 * p.log10()
    }

    #[test]
    fn noise_level_is_rms() {
        for color in [NoiseColor::White, NoiseColor::Pink] {
            let mut g = Generator::noise(color, -20.0, 1);
            let mut x = vec![0.0f32; 480_000];
            g.fill(&mut x);
            // 10 s of noise: the measured RMS of a stationary process converges to well within 0.2 dB.
            assert!((rms_db(&x) + 20.0).abs() < 0.2, "{color:?}: {}", rms_db(&x));
        }
    }

    #[test]
    fn sine_level_is_peak() {
        let mut g = Generator::sine(1000.0, -20.0, 48000.0);
        let mut x = vec![0.0f32; 4800];
        g.fill(&mut x);
        let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        // 1 kHz at 48 kHz hits the crest every 48 samples exactly (at sample 12 of each cycle).
        assert!((20.0 * f64::from(peak).log10() + 20.0).abs() < 1e-4);
    }
}
