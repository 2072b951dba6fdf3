//! The FFT under convolution reverb and sample-rate conversion, written here so both
//! compute the same bits on every machine.
//!
//! Why not rustfft: its planner picks AVX, SSE or scalar butterflies at run time (each
//! path rounds differently), and it computes its twiddles with std `sin`/`cos`, i.e. the
//! platform's libm, which glibc dispatches to FMA or non-FMA code by CPU. On the machine
//! this was written on, 102 of the 65536 f64 twiddles of a 65536-point FFT change their
//! last bit when glibc is told to skip its FMA variants
//! (`GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA`); `realfft` and rubato inherit both.
//!
//! Here the twiddles come from `libm` (pure Rust, the same code everywhere) and the
//! butterflies are plain Rust with a fixed order of operations. Rust never contracts
//! `a * b + c` into an FMA nor reorders float arithmetic, so whatever SIMD the compiler
//! turns the loops into (SSE2 for the x86-64 baseline, AVX under `target-cpu=native`,
//! NEON on arm64) performs the same IEEE-754 operations lane by lane: the results do not
//! depend on the CPU, its features or the build's target features. Nothing is chosen at
//! run time.
//!
//! Algorithm: Stockham autosort (no bit reversal), decimation in frequency, on split
//! complex data (separate real and imaginary arrays, so every butterfly loop runs over
//! contiguous elements and vectorises). Radices 8, 4, 2, 3, 5 and 7 have their own
//! butterflies, other primes up to [`MAX_GENERIC`] a direct DFT; lengths with a larger
//! prime factor go through Bluestein's algorithm on a power-of-two FFT. Lengths met in
//! practice: powers of two (convolution) and 2^a·3·5·7^b (resampling between the 44.1
//! and 48 kHz families).

use super::fft_radix::{Loops, Pass, run_pass};
use std::f64::consts::PI;
use std::ops::{Add, Mul, Neg, Sub};

/// Largest prime factor done by a direct DFT butterfly (cost `p` per point and pass);
/// above it Bluestein's three power-of-two FFTs are cheaper.
pub const MAX_GENERIC: usize = 31;

/// Elements between the real and imaginary halves of the scratch buffer. With both
/// halves a power of two long, loads from one and stores to the other would otherwise
/// share their addresses modulo 4 KiB, which x86 cores treat as a possible overlap and
/// stall on (measured: the last radix-8 pass of a 32768-point FFT ran 2.8x slower).
/// 48 f32 are three cache lines.
pub const PAD: usize = 48;

/// The sample types the FFT runs in: f32 for convolution, f64 for resampling.
pub trait Float:
    Copy
    + Default
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Neg<Output = Self>
{
    fn from_f64(v: f64) -> Self;
}

impl Float for f32 {
    fn from_f64(v: f64) -> Self {
        v as f32
    }
}

impl Float for f64 {
    fn from_f64(v: f64) -> Self {
        v
    }
}

/// exp(-2πi·k/n), from `libm` in f64 (k reduced mod n first, so the angle is exact to
/// one rounding).
pub fn twiddle(k: usize, n: usize) -> (f64, f64) {
    let a = -2.0 * PI * ((k % n) as f64) / n as f64;
    (libm::cos(a), libm::sin(a))
}

/// exp(-2πi·j/n) for every j < n. When 8 divides n, only the first eighth of the circle
/// comes from `libm` (n/8 + 1 calls of cos and of sin instead of about n) and the rest
/// by the exact symmetries cos(π/2 − x) = sin x and so on, which also makes the
/// quarter turns exactly 0 and ±1.
pub struct Roots {
    n: usize,
    /// (cos, sin) of 2πj/n for j ≤ n/8, or for all j < n when 8 does not divide n.
    table: Vec<(f64, f64)>,
}

impl Roots {
    pub fn new(n: usize) -> Self {
        let n = n.max(1);
        let count = if n.is_multiple_of(8) { n / 8 + 1 } else { n };
        let table = (0..count)
            .map(|j| {
                let a = 2.0 * PI * j as f64 / n as f64;
                (libm::cos(a), libm::sin(a))
            })
            .collect();
        Self { n, table }
    }

    /// n: how many roots.
    pub fn count(&self) -> usize {
        self.n
    }

    /// exp(-2πi·j/n) as (re, im).
    pub fn get(&self, j: usize) -> (f64, f64) {
        let j = j % self.n;
        if !self.n.is_multiple_of(8) {
            let (c, s) = self.table[j];
            return (c, -s);
        }
        let q = self.n / 8;
        // (cos, sin) of 2πj/n for j in [0, 2q], a quarter turn.
        let quarter = |j: usize| {
            if j <= q {
                self.table[j]
            } else {
                let (c, s) = self.table[2 * q - j];
                (s, c)
            }
        };
        let (c, s) = match j / (2 * q) {
            0 => quarter(j),
            1 => {
                let (c, s) = quarter(j - 2 * q);
                (-s, c)
            }
            2 => {
                let (c, s) = quarter(j - 4 * q);
                (-c, -s)
            }
            _ => {
                let (c, s) = quarter(j - 6 * q);
                (s, -c)
            }
        };
        (c, -s)
    }
}

/// A planned complex FFT of one length, forward (sign −1) and unnormalised inverse.
pub struct Fft<T> {
    len: usize,
    kind: Kind<T>,
}

enum Kind<T> {
    Stockham(Vec<Pass<T>>),
    Bluestein(Box<Bluestein<T>>),
}

/// Bluestein's algorithm: a length-n DFT as a circular convolution with a chirp, done by
/// FFTs of a power of two `m` ≥ 2n − 1.
struct Bluestein<T> {
    inner: Fft<T>,
    /// exp(-πi·j²/n), j < n.
    chirp_re: Vec<T>,
    chirp_im: Vec<T>,
    /// FFT of the conjugate chirp (wrapped for negative j), scaled by 1/m for the inverse.
    kernel_re: Vec<T>,
    kernel_im: Vec<T>,
}

/// Radices for 2^e. Radix 8 does three levels per sweep through memory but vectorises
/// only on blocks of lanes; radix 4 vectorises best once the stride is long. So up to
/// three radix-8 passes first (as many as leave an even number of levels), radix 4
/// after. Per pass of a 32768-point f32 FFT (measured): radix 8 16–22 µs, radix 4 at
/// stride ≥ 16 about 9 µs, radix 4 at stride 1 or 4 16–24 µs.
fn power_of_two_radices(e: usize) -> Vec<usize> {
    // The most radix-8 passes up to three that leave an even number of levels.
    let eights = (0..=3.min(e / 3))
        .rev()
        .find(|a| (e - 3 * a).is_multiple_of(2))
        .unwrap_or(0);
    let mut out = vec![8; eights];
    let rest = e - 3 * eights;
    out.extend(std::iter::repeat_n(4, rest / 2));
    if rest % 2 == 1 {
        out.push(2);
    }
    out
}

/// The prime factors of `n`, smallest first.
fn factor(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut p = 2;
    while p * p <= n {
        while n.is_multiple_of(p) {
            out.push(p);
            n /= p;
        }
        p += 1;
    }
    if n > 1 {
        out.push(n);
    }
    out
}

impl<T: Float> Fft<T> {
    /// Plans a transform of `len` ≥ 1 points.
    pub fn new(len: usize) -> Self {
        let len = len.max(1);
        let primes = factor(len);
        if primes.last().is_some_and(|&p| p > MAX_GENERIC) {
            return Self {
                len,
                kind: Kind::Bluestein(Box::new(Bluestein::new(len))),
            };
        }
        // The powers of two first: the stride of a pass is the product of the radices
        // before it, and only strides divisible by 4 run on SIMD lanes.
        let twos = primes.iter().filter(|&&p| p == 2).count();
        let mut radices = power_of_two_radices(twos);
        radices.extend(primes.iter().copied().filter(|&p| p != 2));
        let mut passes = Vec::with_capacity(radices.len());
        let roots = Roots::new(len);
        let (mut sub, mut s) = (len, 1);
        for radix in radices {
            passes.push(Pass::new(radix, sub / radix, s, &roots));
            sub /= radix;
            s *= radix;
        }
        Self {
            len,
            kind: Kind::Stockham(passes),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Never: a plan has at least one point (clippy wants the pair).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Elements of `T` the `scratch` argument must hold.
    pub fn scratch_len(&self) -> usize {
        match &self.kind {
            Kind::Stockham(_) => 2 * self.len + PAD,
            Kind::Bluestein(b) => 2 * b.inner.len + b.inner.scratch_len(),
        }
    }

    /// In-place forward transform X[k] = Σ x[j]·exp(-2πi·jk/n) of `re` + i·`im`
    /// (each of [`len`](Self::len) elements).
    pub fn forward(&self, re: &mut [T], im: &mut [T], scratch: &mut [T]) {
        self.transform(re, im, scratch, Loops::Fastest);
    }

    /// [`forward`](Self::forward) with every pass run one butterfly at a time: the
    /// reference that the vectorised loop arrangements must match bit for bit.
    #[cfg(test)]
    pub fn forward_scalar(&self, re: &mut [T], im: &mut [T], scratch: &mut [T]) {
        self.transform(re, im, scratch, Loops::Scalar);
    }

    fn transform(&self, re: &mut [T], im: &mut [T], scratch: &mut [T], loops: Loops) {
        let n = self.len;
        let (re, im) = (&mut re[..n], &mut im[..n]);
        match &self.kind {
            Kind::Stockham(passes) => {
                let (sr, rest) = scratch.split_at_mut(n);
                let si = &mut rest[PAD..][..n];
                let mut in_place = true;
                for pass in passes {
                    if in_place {
                        run_pass(pass, loops, re, im, sr, si);
                    } else {
                        run_pass(pass, loops, sr, si, re, im);
                    }
                    in_place = !in_place;
                }
                if !in_place {
                    re.copy_from_slice(sr);
                    im.copy_from_slice(si);
                }
            }
            Kind::Bluestein(b) => b.forward(re, im, scratch, loops),
        }
    }

    /// In-place inverse transform without the 1/n: x[j] = Σ X[k]·exp(+2πi·jk/n).
    /// It is the forward transform with real and imaginary parts swapped on the way in
    /// and out, so it shares every rounding property of the forward one.
    pub fn inverse(&self, re: &mut [T], im: &mut [T], scratch: &mut [T]) {
        self.forward(im, re, scratch);
    }
}

impl<T: Float> Bluestein<T> {
    fn new(n: usize) -> Self {
        let m = (2 * n - 1).next_power_of_two();
        let inner = Fft::new(m);
        // j² mod 2n keeps the chirp's angle small and exact (as rustfft does).
        let chirp: Vec<(f64, f64)> = (0..n)
            .map(|j| twiddle(((j as u128 * j as u128) % (2 * n) as u128) as usize, 2 * n))
            .collect();
        let (mut kr, mut ki) = (vec![T::default(); m], vec![T::default(); m]);
        let scale = 1.0 / m as f64;
        for (j, &(c, s)) in chirp.iter().enumerate() {
            kr[j] = T::from_f64(c * scale);
            ki[j] = T::from_f64(-s * scale);
            if j > 0 {
                kr[m - j] = kr[j];
                ki[m - j] = ki[j];
            }
        }
        let mut scratch = vec![T::default(); inner.scratch_len()];
        inner.forward(&mut kr, &mut ki, &mut scratch);
        Self {
            chirp_re: chirp.iter().map(|c| T::from_f64(c.0)).collect(),
            chirp_im: chirp.iter().map(|c| T::from_f64(c.1)).collect(),
            kernel_re: kr,
            kernel_im: ki,
            inner,
        }
    }

    fn forward(&self, re: &mut [T], im: &mut [T], scratch: &mut [T], loops: Loops) {
        let m = self.inner.len;
        let (work, rest) = scratch.split_at_mut(2 * m);
        let (wr, wi) = work.split_at_mut(m);
        wr.fill(T::default());
        wi.fill(T::default());
        let chirp = self.chirp_re.iter().zip(&self.chirp_im);
        for (j, (&cr, &ci)) in chirp.clone().enumerate() {
            wr[j] = re[j] * cr - im[j] * ci;
            wi[j] = re[j] * ci + im[j] * cr;
        }
        self.inner.transform(wr, wi, rest, loops);
        let kernel = self.kernel_re.iter().zip(&self.kernel_im);
        for ((r, i), (&kr, &ki)) in wr.iter_mut().zip(wi.iter_mut()).zip(kernel) {
            let (a, b) = (*r, *i);
            *r = a * kr - b * ki;
            *i = a * ki + b * kr;
        }
        self.inner.transform(wi, wr, rest, loops);
        for (j, (&cr, &ci)) in chirp.enumerate() {
            re[j] = wr[j] * cr - wi[j] * ci;
            im[j] = wr[j] * ci + wi[j] * cr;
        }
    }
}

#[cfg(test)]
#[path = "fft_tests.rs"]
mod tests;
