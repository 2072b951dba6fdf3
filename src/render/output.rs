//! Where rendered audio goes: one [`Output`] per file (a master export or one stem),
//! with dither and quantisation, optional sample-rate conversion, and held-back
//! frames while `tail auto` decides whether a block of tail is still audible.

use super::rng::Rng;
use crate::diag::Diagnostic;
use crate::io::AudioSink;
use crate::ir::{Dither, Export, SampleFormat};
use std::path::PathBuf;

/// TPDF dither (optionally first-order noise-shaped) and quantisation to the export's
/// word length. The result is exactly representable, so the writer's own rounding is
/// a no-op and the dither is what decides every last bit.
pub struct Quantiser {
    lsb: f64,
    rngs: [Rng; 2],
    shaped: bool,
    dither: bool,
    err: [f64; 2],
}

impl Quantiser {
    pub fn new(bits: SampleFormat, dither: Dither, seed: u64) -> Option<Self> {
        let lsb = match bits {
            SampleFormat::Int16 => 1.0 / 32768.0,
            SampleFormat::Int24 => 1.0 / 8_388_608.0,
            SampleFormat::Float32 => return None,
        };
        Some(Self {
            lsb,
            rngs: [Rng::new(seed), Rng::new(seed ^ 0x5851_F42D_4C95_7F2D)],
            shaped: dither == Dither::Shaped,
            dither: dither != Dither::None,
            err: [0.0; 2],
        })
    }

    pub fn process(&mut self, ch: usize, buf: &mut [f32]) {
        let (lsb, inv) = (self.lsb, 1.0 / self.lsb);
        for s in buf.iter_mut() {
            let mut v = f64::from(*s);
            if self.shaped {
                // First-order error feedback: the noise transfer function is 1 - z^-1,
                // moving quantisation noise away from low frequencies.
                v -= self.err[ch];
            }
            let d = if self.dither {
                (self.rngs[ch].unit() - self.rngs[ch].unit()) * lsb
            } else {
                0.0
            };
            let q = ((v + d) * inv).round().clamp(-inv, inv - 1.0) * lsb;
            self.err[ch] = q - v;
            *s = q as f32;
        }
    }
}

pub enum Tap {
    Master,
    /// Position of the strip in execution order.
    Stem(usize),
}

pub struct Output {
    pub path: PathBuf,
    pub export: Export,
    pub tap: Tap,
    pub sink: Option<Box<dyn AudioSink>>,
    quant: Option<Quantiser>,
    /// At another rate than the session's, the file is collected and converted at the end.
    collect: Option<[Vec<f32>; 2]>,
    session_rate: u32,
    /// Frames held while `tail auto` judges the current tail block.
    held: [Vec<f32>; 2],
    pub peak: f32,
    pub frames: u64,
    scratch: [Vec<f32>; 2],
}

impl Output {
    pub fn new(
        path: PathBuf,
        export: Export,
        tap: Tap,
        session_rate: u32,
        seed: u64,
        max_frames: usize,
    ) -> Result<Self, Diagnostic> {
        let sink = crate::io::create_writer(
            &path,
            export.format,
            export.bits,
            export.rate,
            2,
            &export.tags,
        )
        .map_err(|e| {
            Diagnostic::error(
                "output",
                export.span,
                format!("cannot write {}: {e}", path.display()),
            )
            .with_label_text("this export")
        })?;
        Ok(Self {
            quant: Quantiser::new(export.bits, export.dither, seed),
            collect: (export.rate != session_rate).then(|| [Vec::new(), Vec::new()]),
            path,
            export,
            tap,
            sink: Some(sink),
            session_rate,
            held: [Vec::new(), Vec::new()],
            peak: 0.0,
            frames: 0,
            scratch: [vec![0.0; max_frames], vec![0.0; max_frames]],
        })
    }

    /// Takes frames; when `hold` they wait in the tail buffer until [`Self::release`].
    pub fn push(&mut self, sig: [&[f32]; 2], hold: bool) -> Result<(), Diagnostic> {
        if hold {
            for (h, s) in self.held.iter_mut().zip(sig) {
                h.extend_from_slice(s);
            }
            return Ok(());
        }
        self.emit(sig)
    }

    /// Writes (`keep`) or drops the held frames.
    pub fn release(&mut self, keep: bool) -> Result<(), Diagnostic> {
        let held = std::mem::take(&mut self.held);
        if keep {
            for (a, b) in held[0]
                .chunks(self.scratch[0].len().max(1))
                .zip(held[1].chunks(self.scratch[0].len().max(1)))
            {
                self.emit([a, b])?;
            }
        }
        Ok(())
    }

    fn emit(&mut self, sig: [&[f32]; 2]) -> Result<(), Diagnostic> {
        let n = sig[0].len();
        self.frames += n as u64;
        if let Some(c) = &mut self.collect {
            c[0].extend_from_slice(sig[0]);
            c[1].extend_from_slice(sig[1]);
            return Ok(());
        }
        for (s, x) in self.scratch.iter_mut().zip(sig) {
            s[..n].copy_from_slice(x);
        }
        self.write_scratch(n)
    }

    fn write_scratch(&mut self, n: usize) -> Result<(), Diagnostic> {
        if let Some(q) = &mut self.quant {
            for (ch, s) in self.scratch.iter_mut().enumerate() {
                q.process(ch, &mut s[..n]);
            }
        }
        for s in &self.scratch {
            self.peak = s[..n].iter().fold(self.peak, |m, x| m.max(x.abs()));
        }
        let sink = self.sink.as_mut().expect("sink open until finish");
        sink.write(&[&self.scratch[0][..n], &self.scratch[1][..n]])
            .map_err(|e| self.fail(e))
    }

    fn fail(&self, e: crate::io::AudioError) -> Diagnostic {
        Diagnostic::error(
            "output",
            self.export.span,
            format!("{} {e}", self.path.display()),
        )
    }

    /// Completes the file (converting its rate first if needed) and moves it into place.
    pub fn finish(&mut self) -> Result<(), Diagnostic> {
        if let Some(c) = self.collect.take() {
            let converted = crate::io::resample_planar(&c, self.session_rate, self.export.rate)
                .map_err(|e| self.fail(e))?;
            let block = self.scratch[0].len().max(1);
            let len = converted[0].len();
            self.frames = len as u64;
            let mut at = 0;
            while at < len {
                let n = block.min(len - at);
                for (s, x) in self.scratch.iter_mut().zip(&converted) {
                    s[..n].copy_from_slice(&x[at..at + n]);
                }
                self.write_scratch(n)?;
                at += n;
            }
        }
        let sink = self.sink.take().expect("finish is called once");
        sink.finish().map_err(|e| self.fail(e))
    }
}
