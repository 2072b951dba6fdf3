//! Where rendered audio goes: one [`Output`] per file (a master export or one stem),
//! with dither and quantisation, optional sample-rate conversion, and held-back
//! frames while `tail auto` decides whether a block of tail is still audible.

use super::behind::Behind;
use super::dither::Quantiser;
use crate::analysis::{Measurement, Meter};
use crate::diag::Diagnostic;
use crate::dsp::{BuildContext, limiter::Limiter};
use crate::io::AudioSink;
use crate::ir::Export;
use std::path::PathBuf;

/// Attempts at trimming the export gain before a ceiling miss becomes an error.
const CEILING_TRIES: usize = 4;
/// How far under the ceiling a trim aims (dB), so float rounding and dither cannot
/// land the re-measured peak back on the wrong side of it.
const TRIM_MARGIN_DB: f64 = 0.01;

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
    /// Samples over full scale before quantisation, and the largest |sample| then.
    pub overs: u64,
    pub hottest: f32,
    pub frames: u64,
    scratch: [Vec<f32>; 2],
    /// Linear gain at the export rate, just before quantisation: 1 unless the
    /// true-peak ceiling needed a trim on this file.
    pub gain: f64,
    /// Linear gain at the export rate before the ceiling guard of a converted file:
    /// makes up loudness the conversion took (content above the new Nyquist).
    pub makeup: f64,
    /// The true-peak ceiling (dBTP) this file must hold: the master limiter's, for
    /// master exports.
    pub ceiling: Option<f64>,
    /// Meters exactly the samples handed to the writer (after SRC, gain, dither and
    /// quantisation), so the figures are the delivered file's.
    meter: Metering,
    /// Whether the meter runs on a thread of its own ([`Self::meter_behind`]).
    behind: bool,
    /// What the file measures as written, once [`Self::close`] has run.
    pub measured: Option<Measurement>,
}

fn new_meter(e: &Export) -> Result<Meter, Diagnostic> {
    Meter::delivery(e.rate, 2).map_err(|m| Diagnostic::error("output", e.span, m.to_string()))
}

/// The file's meter: on the writing thread, or behind it on a thread of its own
/// (a master's, whose writing is the last stage of a render, with cores to spare).
enum Metering {
    Here(Box<Meter>),
    Behind(Behind<Measurement>),
}

impl Metering {
    fn new(e: &Export, behind: bool) -> Result<Self, Diagnostic> {
        let meter = new_meter(e)?;
        Ok(match behind {
            // Two equal channels, as every block written has: the push cannot fail.
            true => Self::Behind(Behind::new(
                meter,
                |m: &mut Meter, b| drop(m.push(&b)),
                Meter::finish,
            )),
            false => Self::Here(Box::new(meter)),
        })
    }

    fn push(&mut self, b: [&[f32]; 2]) -> Result<(), crate::analysis::MeterError> {
        match self {
            Self::Here(m) => m.push(&b),
            Self::Behind(t) => {
                t.push(b);
                Ok(())
            }
        }
    }

    fn finish(self) -> Measurement {
        match self {
            Self::Here(m) => (*m).finish(),
            Self::Behind(t) => t.finish(),
        }
    }
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
        let sink = Self::open_sink(&path, &export)?;
        Ok(Self {
            quant: Quantiser::new(export.bits, export.dither, seed),
            collect: (export.rate != session_rate).then(|| [Vec::new(), Vec::new()]),
            meter: Metering::new(&export, false)?,
            behind: false,
            path,
            export,
            tap,
            sink: Some(sink),
            session_rate,
            held: [Vec::new(), Vec::new()],
            peak: 0.0,
            overs: 0,
            hottest: 0.0,
            frames: 0,
            scratch: [vec![0.0; max_frames], vec![0.0; max_frames]],
            gain: 1.0,
            makeup: 1.0,
            ceiling: None,
            measured: None,
        })
    }

    fn open_sink(
        path: &std::path::Path,
        export: &Export,
    ) -> Result<Box<dyn AudioSink>, Diagnostic> {
        if matches!(export.kind, crate::ir::ExportKind::Meter { .. }) {
            return Ok(Box::new(NullSink));
        }
        crate::io::create_writer(
            path,
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
        })
    }

    /// Whether the file streams at the session rate (so a correction needs the
    /// signal again) rather than being collected and converted at the end.
    pub fn streams(&self) -> bool {
        self.export.rate == self.session_rate
    }

    /// Starts the file again from its first sample (the unfinished one is dropped):
    /// the dither restarts from its seed, so the same input writes the same bits.
    pub fn restart(&mut self) -> Result<(), Diagnostic> {
        self.sink = None;
        self.sink = Some(Self::open_sink(&self.path, &self.export)?);
        if let Some(c) = &mut self.collect {
            c.iter_mut().for_each(Vec::clear);
        }
        if let Some(q) = &mut self.quant {
            q.reset();
        }
        self.meter = Metering::new(&self.export, self.behind)?;
        self.measured = None;
        self.peak = 0.0;
        (self.overs, self.hottest) = (0, 0.0);
        self.frames = 0;
        Ok(())
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
        if let Some(c) = &mut self.collect {
            self.frames += n as u64;
            c[0].extend_from_slice(sig[0]);
            c[1].extend_from_slice(sig[1]);
            return Ok(());
        }
        self.write_block(sig)
    }

    /// Gain, dither and quantisation, metering, and the writer, for one block at the
    /// export rate.
    fn write_block(&mut self, sig: [&[f32]; 2]) -> Result<(), Diagnostic> {
        let n = sig[0].len();
        self.frames += n as u64;
        for (s, x) in self.scratch.iter_mut().zip(sig) {
            s[..n].copy_from_slice(x);
            if self.gain != 1.0 {
                s[..n]
                    .iter_mut()
                    .for_each(|v| *v = (f64::from(*v) * self.gain) as f32);
            }
        }
        for s in &self.scratch {
            for v in &s[..n] {
                self.overs += u64::from(v.abs() > 1.0);
                self.hottest = self.hottest.max(v.abs());
            }
        }
        if let Some(q) = &mut self.quant {
            let [l, r] = &mut self.scratch;
            q.process_stereo(&mut l[..n], &mut r[..n]);
        }
        for s in &self.scratch {
            self.peak = s[..n].iter().fold(self.peak, |m, x| m.max(x.abs()));
        }
        let (l, r) = (&self.scratch[0][..n], &self.scratch[1][..n]);
        self.meter
            .push([l, r])
            .map_err(|m| Diagnostic::error("output", self.export.span, m.to_string()))?;
        let sink = self.sink.as_mut().expect("sink open until finish");
        sink.write(&[l, r]).map_err(|e| self.fail(e))
    }

    fn fail(&self, e: crate::io::AudioError) -> Diagnostic {
        Diagnostic::error(
            "output",
            self.export.span,
            format!("{} {e}", self.path.display()),
        )
    }

    /// What went over full scale: integer words clip it, and a float master keeps it
    /// for players and converters to clip.
    pub fn clip_warning(&self) -> Option<Diagnostic> {
        let db = 20.0 * libm::log10(f64::from(self.hottest));
        let path = self.path.display();
        let message = match self.quant {
            Some(_) if self.overs > 0 => format!(
                "{path} clipped {} samples at full scale: the mix peaks {db:+.2} dBFS \
                 before the word length",
                self.overs
            ),
            None if self.overs > 0 && matches!(self.tap, Tap::Master) => format!(
                "{path} peaks {db:+.2} dBFS, over full scale: a float file keeps it, \
                 but players and converters will clip it"
            ),
            _ => return None,
        };
        Some(
            Diagnostic::warning("clipping", self.export.span, message).with_hint(
                "lower the master's gain, end the master with a limiter, or (for an \
                 integer file) export `bits 32float`",
            ),
        )
    }

    /// By how many dB the file as written exceeds its ceiling, if it does.
    pub fn over(&self) -> Option<f64> {
        let (m, c) = (self.measured.as_ref()?, self.ceiling?);
        // On a grid, like every reading that changes samples (see `solve::reading`):
        // the meter's `log10` is the CPU's.
        let peak = super::solve::reading(m.true_peak_dbtp);
        (peak > c).then_some(peak - c)
    }

    /// Lowers the export gain by `over_db` (plus a small margin) for the next attempt.
    pub fn trim(&mut self, over_db: f64) {
        self.gain *= libm::pow(10.0, -(over_db + TRIM_MARGIN_DB) / 20.0);
    }

    /// Ends the audio: a collected file is converted to its rate, held to its ceiling
    /// at that rate (SRC can overshoot a limited signal) and written; then the file as
    /// written is measured. A collected file that still measures over its ceiling is
    /// trimmed and written again. The file is not yet in place: see [`Self::commit`].
    pub fn close(&mut self) -> Result<(), Diagnostic> {
        if let Some(c) = self.collect.take() {
            let mut converted = crate::io::resample_planar(&c, self.session_rate, self.export.rate)
                .map_err(|e| self.fail(e))?;
            drop(c);
            if self.makeup != 1.0 {
                for ch in &mut converted {
                    ch.iter_mut()
                        .for_each(|v| *v = (f64::from(*v) * self.makeup) as f32);
                }
            }
            if let Some(ceiling) = self.ceiling {
                converted = self.guard(converted, ceiling);
            }
            self.frames = 0;
            for attempt in 0..CEILING_TRIES {
                if attempt > 0 {
                    self.restart()?;
                }
                let block = self.scratch[0].len().max(1);
                for (l, r) in converted[0].chunks(block).zip(converted[1].chunks(block)) {
                    self.write_block([l, r])?;
                }
                self.measure();
                match self.over() {
                    Some(o) => self.trim(o),
                    None => break,
                }
            }
            // Ready to collect again, should the master chain run once more.
            self.collect = Some([Vec::new(), Vec::new()]);
        } else {
            self.measure();
        }
        Ok(())
    }

    fn measure(&mut self) {
        // Only a restart writes (and meters) again, and it starts a meter of its own.
        let fresh = Metering::new(&self.export, false).expect("valid");
        let meter = std::mem::replace(&mut self.meter, fresh);
        self.measured = Some(meter.finish());
    }

    /// Meters the file on a thread of its own from now on (same figures).
    pub fn meter_behind(&mut self) -> Result<(), Diagnostic> {
        self.meter = Metering::new(&self.export, true)?;
        self.behind = true;
        Ok(())
    }

    /// A true-peak limiter at the export rate with the master's ceiling, latency
    /// removed. It only acts where conversion pushed a peak over the ceiling.
    fn guard(&self, x: Vec<Vec<f32>>, ceiling: f64) -> Vec<Vec<f32>> {
        let block = self.scratch[0].len().max(1);
        let ctx = BuildContext {
            rate: f64::from(self.export.rate),
            channels: 2,
            max_frames: block,
        };
        let mut lim = Limiter::new(ceiling, 0.05, 0.0015, &ctx);
        crate::dsp::limiter::limit_whole(&mut lim, &x, block).into()
    }

    /// Moves the finished file into place.
    pub fn commit(&mut self) -> Result<(), Diagnostic> {
        let sink = self.sink.take().expect("commit is called once");
        sink.finish().map_err(|e| self.fail(e))
    }

    /// [`Self::close`] then [`Self::commit`].
    pub fn finish(&mut self) -> Result<(), Diagnostic> {
        self.close()?;
        self.commit()
    }
}

/// Where a meter tap's audio goes: nowhere; only its [`Meter`] reads it.
struct NullSink;

impl AudioSink for NullSink {
    fn write(&mut self, _: &[&[f32]]) -> Result<(), crate::io::AudioError> {
        Ok(())
    }
    fn clipped(&self) -> u64 {
        0
    }
    fn finish(self: Box<Self>) -> Result<(), crate::io::AudioError> {
        Ok(())
    }
}
