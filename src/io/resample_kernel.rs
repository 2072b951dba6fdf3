//! The arithmetic of sample-rate conversion: one block of `n_in` input frames in, one
//! block of `n_out` output frames out, for up to two channels at once. [`super::resample`]
//! streams audio through it.
//!
//! It is rubato 5's `Fft` resampler (the one REFERENCES §7 measured flat to 20 kHz with
//! aliasing at −194 dBFS) redone on our own FFT: each block, zero-padded to 2·n_in, is
//! transformed, multiplied by the spectrum of an anti-aliasing windowed sinc, cut or
//! zero-extended to 2·n_out bins and transformed back; consecutive blocks overlap-add.
//! The ratio n_out/n_in equals out/in exactly, so the bins line up. Same filter as rubato
//! (a sinc of n_in taps under a squared Blackman-Harris window, cutoff by rubato's fit),
//! computed with `libm`; everything in f64. The two channels ride in one complex FFT
//! (left real, right imaginary): the sinc is real, so each channel keeps its own part.
//!
//! Why not rubato itself: its FFTs come from realfft/rustfft (AVX, SSE or scalar picked
//! at run time, twiddles from the platform's `sin`/`cos`), its filter from std `sin`/`cos`,
//! and rubato 5 does not let a caller supply either. See `crate::dsp::fft`.

use crate::dsp::fft::Fft;
use std::f64::consts::PI;
use std::sync::Arc;

/// What every channel pair of one conversion shares: sizes, FFT plans, the filter.
pub struct Plan {
    n_in: usize,
    n_out: usize,
    fwd: Fft<f64>,
    inv: Fft<f64>,
    /// The filter's spectrum over all 2·n_in bins, scaled by 1/(2·n_in) for the
    /// unnormalised transforms.
    filter_re: Vec<f64>,
    filter_im: Vec<f64>,
}

/// rubato's fit of the relative cutoff for a squared Blackman-Harris window of `n` taps
/// (`windows::calculate_cutoff`): close to 1 for long filters.
fn cutoff(n: usize) -> f64 {
    let (k1, k2, k3) = (13.745202940783823, 121.73532586374934, 5964.163279612051);
    let n = n as f64;
    1.0 / (k1 / n + k2 / (n * n) + k3 / (n * n * n) + 1.0)
}

/// A sinc of `n` taps centred on tap n/2, cutoff `fc` (relative to Nyquist), under a
/// periodic squared Blackman-Harris window, normalised to a DC gain of 1.
fn windowed_sinc(n: usize, fc: f64) -> Vec<f64> {
    let (a0, a1, a2, a3) = (0.35875, 0.48829, 0.14128, 0.01168);
    let taps: Vec<f64> = (0..n)
        .map(|i| {
            let t = 2.0 * PI * i as f64 / n as f64;
            let w = a0 - a1 * libm::cos(t) + a2 * libm::cos(2.0 * t) - a3 * libm::cos(3.0 * t);
            let x = (i as f64 - (n / 2) as f64) * fc;
            let sinc = if x == 0.0 {
                1.0
            } else {
                libm::sin(PI * x) / (PI * x)
            };
            w * w * sinc
        })
        .collect();
    let sum: f64 = taps.iter().sum();
    taps.into_iter().map(|v| v / sum).collect()
}

impl Plan {
    /// A conversion of `n_in` frames to `n_out` frames per block (both even, in the ratio
    /// of the rates).
    pub fn new(n_in: usize, n_out: usize) -> Arc<Self> {
        let fc = if n_in > n_out {
            cutoff(n_out) * n_out as f64 / n_in as f64
        } else {
            cutoff(n_in)
        };
        let fwd = Fft::new(2 * n_in);
        let scale = 1.0 / (2 * n_in) as f64;
        let mut re = vec![0.0; 2 * n_in];
        for (d, s) in re.iter_mut().zip(windowed_sinc(n_in, fc)) {
            *d = s * scale;
        }
        let mut im = vec![0.0; 2 * n_in];
        let mut scratch = vec![0.0; fwd.scratch_len()];
        fwd.forward(&mut re, &mut im, &mut scratch);
        Arc::new(Self {
            n_in,
            n_out,
            fwd,
            inv: Fft::new(2 * n_out),
            filter_re: re,
            filter_im: im,
        })
    }

    /// Output frames by which the filter delays the signal: its centre, n_in/2 input
    /// frames.
    pub fn delay(&self) -> usize {
        self.n_out / 2
    }
}

/// One channel pair's state: the transform buffers and the half block that overlaps
/// into the next output block.
pub struct Kernel {
    plan: Arc<Plan>,
    in_re: Vec<f64>,
    in_im: Vec<f64>,
    out_re: Vec<f64>,
    out_im: Vec<f64>,
    overlap_re: Vec<f64>,
    overlap_im: Vec<f64>,
    scratch: Vec<f64>,
}

impl Kernel {
    pub fn new(plan: Arc<Plan>) -> Self {
        let (n_in, n_out) = (plan.n_in, plan.n_out);
        let scratch = vec![0.0; plan.fwd.scratch_len().max(plan.inv.scratch_len())];
        Self {
            in_re: vec![0.0; 2 * n_in],
            in_im: vec![0.0; 2 * n_in],
            out_re: vec![0.0; 2 * n_out],
            out_im: vec![0.0; 2 * n_out],
            overlap_re: vec![0.0; n_out],
            overlap_im: vec![0.0; n_out],
            scratch,
            plan,
        }
    }

    /// Converts one block: `a` and `b` (the second channel, or none) hold n_in frames;
    /// `ya` and `yb` receive n_out.
    pub fn process(
        &mut self,
        a: &[f32],
        b: Option<&[f32]>,
        ya: &mut [f32],
        yb: Option<&mut [f32]>,
    ) {
        let p = &*self.plan;
        let (n_in, n_out) = (p.n_in, p.n_out);
        let (m_in, m_out) = (2 * n_in, 2 * n_out);
        for (d, s) in self.in_re.iter_mut().zip(&a[..n_in]) {
            *d = f64::from(*s);
        }
        match b {
            Some(b) => {
                for (d, s) in self.in_im.iter_mut().zip(&b[..n_in]) {
                    *d = f64::from(*s);
                }
            }
            None => self.in_im[..n_in].fill(0.0),
        }
        self.in_re[n_in..].fill(0.0);
        self.in_im[n_in..].fill(0.0);
        p.fwd
            .forward(&mut self.in_re, &mut self.in_im, &mut self.scratch);

        // Keep the bins both rates can represent, positive and negative frequencies, each
        // times the filter; the rest of the output spectrum is zero. Upsampling keeps the
        // input's Nyquist bin (on both sides: it is real for each channel).
        let keep = if n_in < n_out { n_in + 1 } else { n_out };
        self.out_re.fill(0.0);
        self.out_im.fill(0.0);
        let (zr, zi) = (&self.in_re, &self.in_im);
        let (hr, hi) = (&p.filter_re, &p.filter_im);
        for k in 0..keep {
            self.out_re[k] = zr[k] * hr[k] - zi[k] * hi[k];
            self.out_im[k] = zr[k] * hi[k] + zi[k] * hr[k];
        }
        for k in 1..keep {
            let (j, o) = (m_in - k, m_out - k);
            self.out_re[o] = zr[j] * hr[j] - zi[j] * hi[j];
            self.out_im[o] = zr[j] * hi[j] + zi[j] * hr[j];
        }
        p.inv
            .inverse(&mut self.out_re, &mut self.out_im, &mut self.scratch);

        for (k, y) in ya[..n_out].iter_mut().enumerate() {
            *y = (self.out_re[k] + self.overlap_re[k]) as f32;
        }
        if let Some(yb) = yb {
            for (k, y) in yb[..n_out].iter_mut().enumerate() {
                *y = (self.out_im[k] + self.overlap_im[k]) as f32;
            }
        }
        self.overlap_re.copy_from_slice(&self.out_re[n_out..]);
        self.overlap_im.copy_from_slice(&self.out_im[n_out..]);
    }
}
