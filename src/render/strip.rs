//! One strip at render time: gather its input (source, or the sum of what feeds a
//! bus, in a fixed order), trim and polarity, the inserts in written order, then the
//! fader (gain, pan or balance, width, mute) into a stereo output.

use super::delay::DelayLine;
use super::source::SourceStream;
use crate::diag::Diagnostic;
use crate::dsp::Processor;

/// What a strip hands downstream each chunk: stereo, post-fader (and pre-fader when a
/// pre-fader send uses it). Plain buffers, so strips of one level can read them in parallel.
pub struct StripOut {
    pub post: [Vec<f32>; 2],
    pub pre: Option<[Vec<f32>; 2]>,
}

/// An incoming connection of a bus or a sidechain key, with its compensation delay.
pub struct Input {
    /// Position of the source strip in execution order.
    pub from: usize,
    pub kind: InputKind,
    pub delay: DelayLine,
    /// Where the delayed signal is written when the delay is not zero.
    pub scratch: [Vec<f32>; 2],
}

pub enum InputKind {
    Route,
    Send { gain: f32, pre: bool },
    Key { insert: usize },
}

pub struct StripRt {
    /// Index into `mix.strips` (the master is `strips.len()`).
    pub strip: usize,
    /// Channels through the inserts: the source's for tracks, 2 for buses.
    pub channels: usize,
    pub source: Option<SourceStream>,
    pub inserts: Vec<Box<dyn Processor>>,
    pub inputs: Vec<Input>,
    /// Trim with polarity, as a linear gain.
    pub trim: f32,
    /// Fader gain, or 0 when muted.
    pub gain: f32,
    /// Stereo gains after pan/balance: (L from L, R from R) for stereo; (L, R) from mono.
    pub pan: (f32, f32),
    pub width: f32,
    /// Whether muting also silences the pre-fader output.
    pub muted: bool,
    pub work: [Vec<f32>; 2],
}

impl StripRt {
    /// Renders frames `pos..pos + n` into `out`, reading earlier strips' outputs.
    pub fn run(
        &mut self,
        pos: u64,
        n: usize,
        out: &mut StripOut,
        earlier: &[StripOut],
    ) -> Result<(), Diagnostic> {
        let ch = self.channels;
        // 1. Input.
        if let Some(src) = &mut self.source {
            let [l, r] = &mut self.work;
            let mut io: [&mut [f32]; 2] = [&mut l[..n], &mut r[..n]];
            src.read(pos, &mut io[..ch])?;
        } else {
            for w in &mut self.work {
                w[..n].fill(0.0);
            }
            for input in &mut self.inputs {
                let (gain, tap) = match input.kind {
                    InputKind::Route => (1.0, false),
                    InputKind::Send { gain, pre } => (gain, pre),
                    InputKind::Key { .. } => continue,
                };
                let src = &earlier[input.from];
                let sig = if tap {
                    src.pre
                        .as_ref()
                        .expect("pre-fader output kept for pre sends")
                } else {
                    &src.post
                };
                let delayed = delayed(input, sig, n);
                for (w, s) in self.work.iter_mut().zip(delayed) {
                    for (a, b) in w[..n].iter_mut().zip(&s[..n]) {
                        *a += gain * b;
                    }
                }
            }
        }
        // 2. Trim and polarity.
        if self.trim != 1.0 {
            for w in &mut self.work[..ch] {
                w[..n].iter_mut().for_each(|x| *x *= self.trim);
            }
        }
        // 3. Inserts, in written order; keys are delayed to line up with the signal.
        for (k, proc) in self.inserts.iter_mut().enumerate() {
            let key_input = self
                .inputs
                .iter_mut()
                .find(|i| matches!(i.kind, InputKind::Key { insert } if insert == k));
            let key = key_input.map(|input| {
                let from = input.from;
                delayed(input, &earlier[from].post, n)
            });
            let [l, r] = &mut self.work;
            let mut io: [&mut [f32]; 2] = [&mut l[..n], &mut r[..n]];
            match key {
                Some(k) => proc.process(&mut io[..ch], Some(&[&k[0][..n], &k[1][..n]])),
                None => proc.process(&mut io[..ch], None),
            }
        }
        // 4. Fader: pan/balance and width, then gain (and mute).
        let [pl, pr] = &mut out.post;
        let (wl, wr) = (&self.work[0][..n], &self.work[1][..n]);
        let (gl, gr) = self.pan;
        if ch == 1 {
            for i in 0..n {
                pl[i] = wl[i] * gl;
                pr[i] = wl[i] * gr;
            }
        } else {
            let half_w = 0.5 * self.width;
            for i in 0..n {
                let (m, s) = (0.5 * (wl[i] + wr[i]), half_w * (wl[i] - wr[i]));
                pl[i] = (m + s) * gl;
                pr[i] = (m - s) * gr;
            }
        }
        if let Some([ql, qr]) = &mut out.pre {
            let g = if self.muted { 0.0 } else { 1.0 };
            for i in 0..n {
                ql[i] = pl[i] * g;
                qr[i] = pr[i] * g;
            }
        }
        if self.gain != 1.0 {
            for i in 0..n {
                pl[i] *= self.gain;
                pr[i] *= self.gain;
            }
        }
        Ok(())
    }
}

/// The input's signal, delayed for compensation when needed.
fn delayed<'a>(input: &'a mut Input, sig: &'a [Vec<f32>; 2], n: usize) -> &'a [Vec<f32>; 2] {
    if input.delay.delay() == 0 {
        return sig;
    }
    input
        .delay
        .process(&[&sig[0][..n], &sig[1][..n]], &mut input.scratch, n);
    &input.scratch
}

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
