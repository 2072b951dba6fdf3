//! One Stockham pass of the FFT in [`super::fft`]: its twiddles and the loops that feed
//! its butterflies.
//!
//! A pass of radix r over sub-transforms of length r·m with stride s reads, for each
//! p < m and q < s, the r points a_j = x[q + s·(p + j·m)], takes their r-point DFT b_k,
//! and writes b_k·W^(k·p) (W = exp(-2πi/(r·m))) to y[q + s·(r·p + k)].
//! The loops are arranged so the compiler can vectorise them whatever the stride:
//! - stride ≥ 16 and radix ≤ 4: for each p, one loop over the s contiguous q (one
//!   twiddle for the whole run), which the compiler vectorises itself;
//! - otherwise: the q are taken in blocks of 4 (or 2, or 1) lanes ([`Lanes`]), each
//!   butterfly computing a block at once; with stride 1 the loop runs over p, whose
//!   inputs are contiguous.
//!
//! Every arrangement runs the same butterfly code (`fft_butterfly`) lane by lane, so the
//! arrangement changes speed, never bits (`fft_tests` checks against one butterfly at a
//! time).

use super::fft::{Float, MAX_GENERIC, Roots};
use super::fft_butterfly::{Bf2, Bf3, Bf4, Bf5, Bf8, BfOdd, Butterfly, C, Lanes, cmul};
use std::array::from_fn;
use std::f64::consts::FRAC_1_SQRT_2;

/// The constants of one pass.
pub struct Pass<T> {
    radix: usize,
    m: usize,
    s: usize,
    /// W^(k·p) for k = 1..r, as (re, im) pairs at `2·((r - 1)·p + k - 1)`: what one
    /// group of butterflies needs is one contiguous run, not r - 1 streams.
    tw: Vec<T>,
    /// exp(-2πi·j·k/r) at `j·r + k`: the DFT matrix of the generic butterfly (radices 3
    /// and 5 read their cos/sin constants from row 1).
    dft_re: Vec<T>,
    dft_im: Vec<T>,
}

impl<T: Float> Pass<T> {
    /// Pass constants from `roots`, the roots of unity of the whole transform (whose
    /// length the pass's r·m divides).
    pub fn new(radix: usize, m: usize, s: usize, roots: &Roots) -> Self {
        let step = roots.count() / (radix * m);
        let tw = (0..m)
            .flat_map(|p| (1..radix).map(move |k| roots.get(k * p * step)))
            .flat_map(|(c, s)| [T::from_f64(c), T::from_f64(s)])
            .collect();
        let dft: Vec<(f64, f64)> = (0..radix * radix)
            .map(|i| roots.get((i / radix) * (i % radix) % radix * (roots.count() / radix)))
            .collect();
        let re = |v: &[(f64, f64)]| v.iter().map(|c| T::from_f64(c.0)).collect();
        let im = |v: &[(f64, f64)]| v.iter().map(|c| T::from_f64(c.1)).collect();
        Self {
            radix,
            m,
            s,
            tw,
            dft_re: re(&dft),
            dft_im: im(&dft),
        }
    }
}

/// How the loops of a pass are arranged: the fastest arrangement for its stride, or
/// one butterfly at a time (tests compare the two bit for bit).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Loops {
    Fastest,
    Scalar,
}

/// Runs `pass` from `x` into `y` (all four slices hold the whole transform).
pub fn run_pass<T: Float>(
    pass: &Pass<T>,
    loops: Loops,
    xr: &[T],
    xi: &[T],
    yr: &mut [T],
    yi: &mut [T],
) {
    let (d, h) = (&pass.dft_re, &pass.dft_im);
    let x = (xr, xi);
    let y = (yr, yi);
    match pass.radix {
        2 => drive(pass, loops, x, y, Bf2),
        3 => drive(pass, loops, x, y, Bf3(d[4], -h[4])),
        4 => drive(pass, loops, x, y, Bf4),
        5 => drive(pass, loops, x, y, Bf5(d[6], -h[6], d[7], -h[7])),
        7 => drive(pass, loops, x, y, BfOdd::<T, 7>::new(&d[7..], &h[7..])),
        8 => drive(pass, loops, x, y, Bf8(T::from_f64(FRAC_1_SQRT_2))),
        _ => generic(pass, x.0, x.1, y.0, y.1),
    }
}

/// Picks the loop arrangement for the pass's stride (see the module docs).
#[inline(always)]
fn drive<T: Float, const R: usize, B: Butterfly<T, R>>(
    pass: &Pass<T>,
    loops: Loops,
    (xr, xi): (&[T], &[T]),
    (yr, yi): (&mut [T], &mut [T]),
    b: B,
) {
    let s = pass.s;
    if loops == Loops::Scalar {
        blocks::<T, 1, R, B>(pass, xr, xi, yr, yi, b);
    } else if s >= 16 && R <= 4 {
        runs::<T, R, B>(pass, xr, xi, yr, yi, b);
    } else if s.is_multiple_of(4) {
        blocks::<T, 4, R, B>(pass, xr, xi, yr, yi, b);
    } else if s.is_multiple_of(2) {
        blocks::<T, 2, R, B>(pass, xr, xi, yr, yi, b);
    } else {
        blocks::<T, 1, R, B>(pass, xr, xi, yr, yi, b);
    }
}

/// Stride ≥ 16, radix ≤ 4: for each p, one loop over the s contiguous q, which the
/// compiler vectorises (with 16 streams or fewer its run-time overlap checks still fit).
#[inline(always)]
fn runs<T: Float, const R: usize, B: Butterfly<T, R>>(
    pass: &Pass<T>,
    xr: &[T],
    xi: &[T],
    yr: &mut [T],
    yi: &mut [T],
    b: B,
) {
    let (m, s) = (pass.m, pass.s);
    for p in 0..m {
        let ar: [&[T]; R] = from_fn(|j| &xr[s * (p + j * m)..][..s]);
        let ai: [&[T]; R] = from_fn(|j| &xi[s * (p + j * m)..][..s]);
        // Copied out first, so the compiler knows no store in the loop can change them.
        let mut w = [(T::default(), T::default()); R];
        for (k, w) in w.iter_mut().enumerate().skip(1) {
            let t = 2 * ((R - 1) * p + k - 1);
            *w = (pass.tw[t], pass.tw[t + 1]);
        }
        let mut or = yr[R * s * p..][..R * s].chunks_exact_mut(s);
        let mut oi = yi[R * s * p..][..R * s].chunks_exact_mut(s);
        let or: [&mut [T]; R] = from_fn(|_| or.next().map_or(&mut [][..], |c| &mut c[..s]));
        let oi: [&mut [T]; R] = from_fn(|_| oi.next().map_or(&mut [][..], |c| &mut c[..s]));
        for q in 0..s {
            let mut a = [<C<T>>::default(); R];
            for j in 0..R {
                a[j] = (ar[j][q], ai[j][q]);
            }
            let out = b.bf(a);
            for k in 0..R {
                let (vr, vi) = if k == 0 {
                    out[0]
                } else {
                    cmul(out[k], w[k].0, w[k].1)
                };
                or[k][q] = vr;
                oi[k][q] = vi;
            }
        }
    }
}

/// The pass on blocks of `S` lanes (S divides the stride s): for each p, a loop over
/// the t = s/S blocks of the run; when t = 1, one loop over p.
#[inline(always)]
fn blocks<T: Float, const S: usize, const R: usize, B: Butterfly<T, R>>(
    pass: &Pass<T>,
    xr: &[T],
    xi: &[T],
    yr: &mut [T],
    yi: &mut [T],
    b: B,
) {
    let (m, t) = (pass.m, pass.s / S);
    let (xr, xi) = (xr.as_chunks::<S>().0, xi.as_chunks::<S>().0);
    let (yr, yi) = (yr.as_chunks_mut::<S>().0, yi.as_chunks_mut::<S>().0);
    let tw = pass.tw.chunks_exact(2 * (R - 1));
    if t == 1 {
        // Inputs contiguous in p, outputs R blocks per p: no index arithmetic at all.
        let ar: [&[[T; S]]; R] = from_fn(|j| &xr[j * m..][..m]);
        let ai: [&[[T; S]]; R] = from_fn(|j| &xi[j * m..][..m]);
        let yr = yr[..R * m].as_chunks_mut::<R>().0;
        let yi = yi[..R * m].as_chunks_mut::<R>().0;
        let outs = yr.iter_mut().zip(yi.iter_mut()).zip(tw);
        for (p, ((or, oi), w)) in outs.enumerate().take(m) {
            let mut a = [<C<Lanes<T, S>>>::default(); R];
            for j in 0..R {
                a[j] = (Lanes(ar[j][p]), Lanes(ai[j][p]));
            }
            let out = b.bf(a);
            for k in 0..R {
                let (vr, vi) = if k == 0 {
                    out[0]
                } else {
                    cmul(out[k], w[2 * k - 2], w[2 * k - 1])
                };
                or[k] = vr.0;
                oi[k] = vi.0;
            }
        }
        return;
    }
    for (p, w) in tw.enumerate().take(m) {
        for q in 0..t {
            let mut a = [<C<Lanes<T, S>>>::default(); R];
            for (j, a) in a.iter_mut().enumerate() {
                let at = q + t * (p + j * m);
                *a = (Lanes(xr[at]), Lanes(xi[at]));
            }
            let out = b.bf(a);
            for k in 0..R {
                let (vr, vi) = if k == 0 {
                    out[0]
                } else {
                    cmul(out[k], w[2 * k - 2], w[2 * k - 1])
                };
                let at = q + t * (R * p + k);
                yr[at] = vr.0;
                yi[at] = vi.0;
            }
        }
    }
}

/// Any radix up to `fft::MAX_GENERIC`, by the r×r DFT matrix: r complex products per
/// point, scalar; only lengths with a prime factor above 5 come here.
fn generic<T: Float>(pass: &Pass<T>, xr: &[T], xi: &[T], yr: &mut [T], yi: &mut [T]) {
    let (r, m, s) = (pass.radix, pass.m, pass.s);
    let mut a = [(T::default(), T::default()); MAX_GENERIC];
    for p in 0..m {
        for q in 0..s {
            for (j, a) in a[..r].iter_mut().enumerate() {
                let at = q + s * (p + j * m);
                *a = (xr[at], xi[at]);
            }
            for k in 0..r {
                let (mut br, mut bi) = a[0];
                for (j, &(ar, ai)) in a[1..r].iter().enumerate() {
                    let d = (j + 1) * r + k;
                    let (pr, pi) = cmul::<T, T>((ar, ai), pass.dft_re[d], pass.dft_im[d]);
                    br = br + pr;
                    bi = bi + pi;
                }
                let at = q + s * (r * p + k);
                (yr[at], yi[at]) = if k == 0 {
                    (br, bi)
                } else {
                    let t = 2 * ((r - 1) * p + k - 1);
                    cmul::<T, T>((br, bi), pass.tw[t], pass.tw[t + 1])
                };
            }
        }
    }
}
