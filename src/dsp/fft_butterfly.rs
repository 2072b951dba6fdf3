//! The butterflies of the FFT's passes (the r-point DFTs of [`super::fft_radix`]),
//! written once over [`Arith`] so that the same code runs on one float or on a block of
//! SIMD lanes: a pass's loop arrangement changes its speed, never its bits.
//!
//! Each butterfly spells out its operations in a fixed order; Rust neither reorders
//! them nor fuses a multiply and an add, whatever the target's features.

use super::fft::Float;
use std::array::from_fn;
use std::ops::{Add, Mul, Sub};

/// What a butterfly computes on: one float, or a block of lanes.
pub trait Arith<T>:
    Copy + Default + Add<Output = Self> + Sub<Output = Self> + Mul<Output = Self>
{
    fn splat(t: T) -> Self;
}

impl<T: Float> Arith<T> for T {
    #[inline(always)]
    fn splat(t: T) -> T {
        t
    }
}

/// `S` floats operated on element by element (the compiler maps them to SIMD registers).
#[derive(Clone, Copy)]
pub struct Lanes<T, const S: usize>(pub [T; S]);

impl<T: Float, const S: usize> Default for Lanes<T, S> {
    #[inline(always)]
    fn default() -> Self {
        Lanes([T::default(); S])
    }
}

macro_rules! lanewise {
    ($tr:ident, $f:ident, $op:tt) => {
        impl<T: Float, const S: usize> $tr for Lanes<T, S> {
            type Output = Self;
            #[inline(always)]
            fn $f(mut self, o: Self) -> Self {
                for (a, b) in self.0.iter_mut().zip(o.0) {
                    *a = *a $op b;
                }
                self
            }
        }
    };
}
lanewise!(Add, add, +);
lanewise!(Sub, sub, -);
lanewise!(Mul, mul, *);

impl<T: Float, const S: usize> Arith<T> for Lanes<T, S> {
    #[inline(always)]
    fn splat(t: T) -> Self {
        Lanes([t; S])
    }
}

/// A complex value: (real, imaginary).
pub type C<V> = (V, V);

/// a·(wr + i·wi), the twiddle the same for every lane.
#[inline(always)]
pub fn cmul<V: Arith<T>, T>(a: C<V>, wr: T, wi: T) -> C<V> {
    let (wr, wi) = (V::splat(wr), V::splat(wi));
    (a.0 * wr - a.1 * wi, a.0 * wi + a.1 * wr)
}
/// The r-point DFT of a pass (twiddles are applied by the loops).
pub trait Butterfly<T, const R: usize>: Copy {
    fn bf<V: Arith<T>>(self, a: [C<V>; R]) -> [C<V>; R];
}

#[derive(Clone, Copy)]
pub struct Bf2;
/// exp(-2πi/3) = c - i·h.
#[derive(Clone, Copy)]
pub struct Bf3<T>(pub T, pub T);
#[derive(Clone, Copy)]
pub struct Bf4;
/// exp(-2πi·k/5) = c_k - i·h_k, as (c1, h1, c2, h2).
#[derive(Clone, Copy)]
pub struct Bf5<T>(pub T, pub T, pub T, pub T);
/// Any odd radix R by its symmetry: with t_k = a_k + a_(R−k) and d_k = a_k − a_(R−k),
/// b_m = a_0 + Σ cos(2πkm/R)·t_k − i·Σ sin(2πkm/R)·d_k and b_(R−m) its mirror, half
/// the products of the plain DFT. Holds cos and sin of 2πj/R, j < R.
#[derive(Clone, Copy)]
pub struct BfOdd<T, const R: usize>([T; R], [T; R]);

impl<T: Float, const R: usize> BfOdd<T, R> {
    /// From row 1 of the DFT matrix, exp(-2πi·j/R) = cos - i·sin, j < R.
    pub fn new(re: &[T], im: &[T]) -> Self {
        Self(from_fn(|j| re[j]), from_fn(|j| -im[j]))
    }
}

impl<T: Float, const R: usize> Butterfly<T, R> for BfOdd<T, R> {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, a: [C<V>; R]) -> [C<V>; R] {
        let h = R / 2;
        let mut t = [<C<V>>::default(); R];
        let mut d = [<C<V>>::default(); R];
        let mut out = [a[0]; R];
        for k in 1..=h {
            t[k] = (a[k].0 + a[R - k].0, a[k].1 + a[R - k].1);
            d[k] = (a[k].0 - a[R - k].0, a[k].1 - a[R - k].1);
            out[0] = (out[0].0 + t[k].0, out[0].1 + t[k].1);
        }
        for m in 1..=h {
            let (mut u, mut v) = (a[0], <C<V>>::default());
            for k in 1..=h {
                let (c, s) = (V::splat(self.0[k * m % R]), V::splat(self.1[k * m % R]));
                u = (u.0 + c * t[k].0, u.1 + c * t[k].1);
                v = (v.0 + s * d[k].0, v.1 + s * d[k].1);
            }
            out[m] = (u.0 + v.1, u.1 - v.0);
            out[R - m] = (u.0 - v.1, u.1 + v.0);
        }
        out
    }
}

/// √½, of exp(-πi/4) = √½·(1 - i).
#[derive(Clone, Copy)]
pub struct Bf8<T>(pub T);

impl<T: Float> Butterfly<T, 2> for Bf2 {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, [a0, a1]: [C<V>; 2]) -> [C<V>; 2] {
        [(a0.0 + a1.0, a0.1 + a1.1), (a0.0 - a1.0, a0.1 - a1.1)]
    }
}

impl<T: Float> Butterfly<T, 3> for Bf3<T> {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, [a0, a1, a2]: [C<V>; 3]) -> [C<V>; 3] {
        let (c, h) = (V::splat(self.0), V::splat(self.1));
        let t = (a1.0 + a2.0, a1.1 + a2.1);
        let d = (a1.0 - a2.0, a1.1 - a2.1);
        let u = (a0.0 + c * t.0, a0.1 + c * t.1);
        // b1 = u - i·h·d, b2 = u + i·h·d
        [
            (a0.0 + t.0, a0.1 + t.1),
            (u.0 + h * d.1, u.1 - h * d.0),
            (u.0 - h * d.1, u.1 + h * d.0),
        ]
    }
}

impl<T: Float> Butterfly<T, 4> for Bf4 {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, [a0, a1, a2, a3]: [C<V>; 4]) -> [C<V>; 4] {
        let t0 = (a0.0 + a2.0, a0.1 + a2.1);
        let t1 = (a0.0 - a2.0, a0.1 - a2.1);
        let t2 = (a1.0 + a3.0, a1.1 + a3.1);
        let t3 = (a1.0 - a3.0, a1.1 - a3.1);
        // b1 = t1 - i·t3, b3 = t1 + i·t3
        [
            (t0.0 + t2.0, t0.1 + t2.1),
            (t1.0 + t3.1, t1.1 - t3.0),
            (t0.0 - t2.0, t0.1 - t2.1),
            (t1.0 - t3.1, t1.1 + t3.0),
        ]
    }
}

impl<T: Float> Butterfly<T, 5> for Bf5<T> {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, [a0, a1, a2, a3, a4]: [C<V>; 5]) -> [C<V>; 5] {
        let (c1, h1, c2, h2) = (
            V::splat(self.0),
            V::splat(self.1),
            V::splat(self.2),
            V::splat(self.3),
        );
        let t1 = (a1.0 + a4.0, a1.1 + a4.1);
        let t2 = (a2.0 + a3.0, a2.1 + a3.1);
        let t3 = (a1.0 - a4.0, a1.1 - a4.1);
        let t4 = (a2.0 - a3.0, a2.1 - a3.1);
        let u1 = (a0.0 + c1 * t1.0 + c2 * t2.0, a0.1 + c1 * t1.1 + c2 * t2.1);
        let u2 = (a0.0 + c2 * t1.0 + c1 * t2.0, a0.1 + c2 * t1.1 + c1 * t2.1);
        let v1 = (h1 * t3.0 + h2 * t4.0, h1 * t3.1 + h2 * t4.1);
        let v2 = (h2 * t3.0 - h1 * t4.0, h2 * t3.1 - h1 * t4.1);
        // b1 = u1 - i·v1, b2 = u2 - i·v2, b3 = u2 + i·v2, b4 = u1 + i·v1
        [
            (a0.0 + t1.0 + t2.0, a0.1 + t1.1 + t2.1),
            (u1.0 + v1.1, u1.1 - v1.0),
            (u2.0 + v2.1, u2.1 - v2.0),
            (u2.0 - v2.1, u2.1 + v2.0),
            (u1.0 - v1.1, u1.1 + v1.0),
        ]
    }
}

impl<T: Float> Butterfly<T, 8> for Bf8<T> {
    #[inline(always)]
    fn bf<V: Arith<T>>(self, a: [C<V>; 8]) -> [C<V>; 8] {
        // Two 4-point DFTs of the even and odd points, joined by exp(-πi·k/4)·O_k.
        let [e0, e1, e2, e3] = Bf4.bf([a[0], a[2], a[4], a[6]]);
        let [o0, o1, o2, o3] = Bf4.bf([a[1], a[3], a[5], a[7]]);
        let r = V::splat(self.0);
        // ω·o1 = √½·((x + y) + i·(y − x)); -i·o2 = y − i·x; ω³·o3 = √½·((y − x) − i·(x + y))
        let t1 = (r * (o1.0 + o1.1), r * (o1.1 - o1.0));
        let t2 = (o2.1, V::default() - o2.0);
        let t3 = (r * (o3.1 - o3.0), V::default() - r * (o3.0 + o3.1));
        [
            (e0.0 + o0.0, e0.1 + o0.1),
            (e1.0 + t1.0, e1.1 + t1.1),
            (e2.0 + t2.0, e2.1 + t2.1),
            (e3.0 + t3.0, e3.1 + t3.1),
            (e0.0 - o0.0, e0.1 - o0.1),
            (e1.0 - t1.0, e1.1 - t1.1),
            (e2.0 - t2.0, e2.1 - t2.1),
            (e3.0 - t3.0, e3.1 - t3.1),
        ]
    }
}
