//! Test support for the limiter: two true-peak meters independent of its
//! detector, adversarial test material (seeded, deterministic), and a runner that
//! flushes the limiter and removes its latency.

use crate::dsp::testutil::*;
use std::f64::consts::PI;

/// Meter (a): the `ebur128` crate's true-peak mode (libebur128's 49-tap
/// Hann-windowed sinc at 4x, f32 arithmetic), the largest over the channels,
/// never below the sample peak (REFERENCES.md §3.1), linear.
pub fn ebu_tp(chans: &[Vec<f32>], rate: f64) -> f64 {
    use ebur128::{EbuR128, Mode};
    let mut e = EbuR128::new(chans.len() as u32, rate as u32, Mode::TRUE_PEAK).expect("meter");
    let refs: Vec<&[f32]> = chans.iter().map(|c| c.as_slice()).collect();
    e.add_frames_planar_f32(&refs).expect("frames");
    // Silence after the end, so the meter's filter reads the last samples too.
    let tail = vec![0.0f32; 64];
    let tails: Vec<&[f32]> = chans.iter().map(|_| tail.as_slice()).collect();
    e.add_frames_planar_f32(&tails).expect("frames");
    let tp = (0..chans.len())
        .map(|c| e.true_peak(c as u32).expect("tp"))
        .fold(0.0, f64::max);
    chans.iter().map(|c| peak(c)).fold(tp, f64::max)
}

/// Meter (b): 32 points per sample from a 128-tap Kaiser-windowed sinc (beta 10,
/// cutoff at half the rate, each phase normalised to unity gain at DC); zeros
/// before and after the signal. Written here, apart from the detector's cascade.
pub struct Sharp {
    phases: Vec<[f64; 128]>,
}

pub const SHARP_OVER: usize = 32;

impl Sharp {
    pub fn new() -> Self {
        let i0 = crate::dsp::truepeak::bessel_i0;
        let phases = (0..SHARP_OVER)
            .map(|k| {
                let mut h = [0.0; 128];
                for (j, tap) in h.iter_mut().enumerate() {
                    // Weighs x[n + j - 63] for the point n + k / 32.
                    let d = k as f64 / SHARP_OVER as f64 - (j as f64 - 63.0);
                    let sinc = if d == 0.0 {
                        1.0
                    } else {
                        libm::sin(PI * d) / (PI * d)
                    };
                    let r = d / 64.5;
                    *tap = sinc * i0(10.0 * libm::sqrt(1.0 - r * r)) / i0(10.0);
                }
                let s: f64 = h.iter().sum();
                h.map(|t| t / s)
            })
            .collect();
        Self { phases }
    }

    /// The largest |value| read on one channel, linear.
    pub fn tp(&self, x: &[f32]) -> f64 {
        self.tp_within(x, 0, x.len() + 64)
    }

    /// The largest |value| read from sample `from` up to sample `to` (the samples
    /// around still weigh in: the signal is not cut).
    pub fn tp_within(&self, x: &[f32], from: usize, to: usize) -> f64 {
        let pad: Vec<f64> = std::iter::repeat_n(0.0, 64)
            .chain(x.iter().map(|&v| f64::from(v)))
            .chain(std::iter::repeat_n(0.0, 128))
            .collect();
        let mut best = 0.0f64;
        for n in from..to.min(x.len() + 64) {
            let win = &pad[n + 1..n + 129];
            best = best.max(win[63].abs());
            for ph in &self.phases[1..] {
                let mut acc = [0.0f64; 4];
                for (a, b) in win.chunks_exact(4).zip(ph.chunks_exact(4)) {
                    for i in 0..4 {
                        acc[i] += a[i] * b[i];
                    }
                }
                best = best.max(((acc[0] + acc[1]) + (acc[2] + acc[3])).abs());
            }
        }
        best
    }

    pub fn tp_all(&self, chans: &[Vec<f32>]) -> f64 {
        chans.iter().map(|c| self.tp(c)).fold(0.0, f64::max)
    }
}

/// xorshift64, uniform in [-1, 1).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

pub fn scale(x: &[f64], g: f64) -> Vec<f32> {
    x.iter().map(|v| (v * g) as f32).collect()
}

pub fn white(len: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    (0..len).map(|_| r.next()).collect()
}

/// Pink noise: Paul Kellet's refined filter on white noise.
pub fn pink(len: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let mut b = [0.0f64; 7];
    (0..len)
        .map(|_| {
            let w = r.next();
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            let p = b[..6].iter().sum::<f64>() + b[6] + w * 0.5362;
            b[6] = w * 0.115926;
            p * 0.2
        })
        .collect()
}

/// A drum loop at 120 bpm, kick (falling sine) and snare (noise and tone) on
/// alternate beats, hats (noise) on eighths, driven by `drive` into a hard clip
/// at +-1: flat tops whose band-limited reconstruction overshoots between samples.
pub fn drums(len: usize, rate: f64, seed: u64, drive: f64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let beat = (rate * 0.5) as usize;
    (0..len)
        .map(|n| {
            let t = (n % beat) as f64 / rate;
            let eighth = (n % (beat / 2)) as f64 / rate;
            let noise = r.next();
            let hit = if (n / beat).is_multiple_of(2) {
                let sweep = 50.0 * t + 3.0 * (1.0 - libm::exp(-t / 0.03));
                libm::sin(2.0 * PI * sweep) * libm::exp(-t / 0.15)
            } else {
                (0.6 * noise + 0.4 * libm::sin(2.0 * PI * 190.0 * t)) * libm::exp(-t / 0.08)
            };
            let hat = 0.3 * noise * libm::exp(-eighth / 0.02);
            ((hit + hat) * drive).clamp(-1.0, 1.0)
        })
        .collect()
}

/// A naive (not band-limited) square wave of `period` samples.
pub fn square(len: usize, period: f64, phase: f64) -> Vec<f64> {
    (0..len)
        .map(|n| {
            if ((n as f64 + phase) / period).fract() < 0.5 {
                1.0
            } else {
                -1.0
            }
        })
        .collect()
}

/// A sine at `f` times the rate, switched on at full level at sample 0.
pub fn tone(len: usize, f: f64, phase: f64) -> Vec<f64> {
    (0..len)
        .map(|n| libm::sin(2.0 * PI * f * n as f64 + phase))
        .collect()
}

/// Isolated clicks 200..2000 samples apart: single samples, equal pairs (their
/// reconstruction peaks 27% higher midway), +-+ triples, and random heights.
pub fn impulses(len: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng::new(seed);
    let mut x = vec![0.0f64; len];
    let (mut n, mut k) = (300, 0);
    while n + 4 < len {
        let s = if r.next() < 0.0 { -1.0 } else { 1.0 };
        match k % 4 {
            0 => x[n] = s,
            1 => x[n..n + 2].copy_from_slice(&[s, s]),
            2 => x[n..n + 3].copy_from_slice(&[s, -s, s]),
            _ => x[n] = s * r.next().abs(),
        }
        k += 1;
        n += 200 + ((r.next() + 1.0) * 900.0) as usize;
    }
    x
}

/// Runs a limiter over `x` plus enough silence to flush it, in blocks of `block`,
/// and returns the output with the latency removed.
pub fn limit(
    params: &[(&str, crate::ir::ParamValue)],
    x: &[Vec<f32>],
    rate: f64,
    block: usize,
) -> Vec<Vec<f32>> {
    let mut p = make(&insert("limiter", params, vec![]), rate, x.len());
    let lat = p.latency();
    let padded: Vec<Vec<f32>> = x
        .iter()
        .map(|c| {
            c.iter()
                .copied()
                .chain(std::iter::repeat_n(0.0, lat + 256))
                .collect()
        })
        .collect();
    run(p.as_mut(), &padded, None, block)
        .into_iter()
        .map(|c| c[lat..].to_vec())
        .collect()
}
