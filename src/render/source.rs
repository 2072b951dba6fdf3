//! A track's source placed on the timeline: a decoded (and resampled) file or a
//! generator, cut to its region, starting at `start`, with its fades. Reads must come
//! in timeline order; each returns exactly the frames asked for (zeros outside the clip).

use super::generator::Generator;
use crate::diag::Diagnostic;
use crate::io::{AudioError, FrameSource};
use crate::ir::{Fade, FadeCurve, Source, Strip};
use crate::span::Span;
use crate::world::World;

pub enum Feed {
    File(Box<dyn FrameSource>),
    Gen(Generator),
}

pub struct SourceStream {
    feed: Feed,
    pub channels: usize,
    /// Timeline sample of the clip's first frame.
    start: u64,
    /// Clip length in frames.
    pub len: u64,
    /// Frames of the decoded file to skip before the clip (the region start).
    skip: u64,
    fade_in: Option<Fade>,
    fade_out: Option<Fade>,
    /// Where errors point: the file path in the `.mix`.
    span: Span,
    name: String,
}

/// Opens a track's source for rendering at `rate`.
pub fn open(world: &dyn World, strip: &Strip, rate: u32) -> Result<SourceStream, Diagnostic> {
    let source = strip.source.as_ref().expect("tracks have sources");
    let (feed, channels, full_len, span, name) = match source {
        Source::File {
            written,
            path,
            span,
        } => {
            let fail = |e: AudioError| {
                Diagnostic::error("audio", *span, format!("{written} {e}"))
                    .with_label_text("this file")
            };
            let reader = world.open(path).map_err(|e| {
                Diagnostic::error(
                    "audio",
                    *span,
                    format!("cannot open {written}: {}", io_reason(&e)),
                )
                .with_label_text("this file")
            })?;
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            let decoder = crate::io::open(reader, ext.as_deref()).map_err(fail)?;
            let info = decoder.info().clone();
            let frames = match info.frames {
                Some(f) => f,
                // A stream that does not declare its length (some MP3s): count it once.
                None => count_frames(world, path, ext.as_deref()).map_err(fail)?,
            };
            let (feed, len): (Box<dyn FrameSource>, u64) = if info.rate == rate {
                (Box::new(decoder), frames)
            } else {
                let len = crate::io::resample::output_len(frames, info.rate, rate);
                (
                    Box::new(crate::io::Resampled::new(decoder, rate).map_err(fail)?),
                    len,
                )
            };
            (Feed::File(feed), info.channels, len, *span, written.clone())
        }
        Source::Sine {
            freq_hz,
            level_db,
            length,
        } => (
            Feed::Gen(Generator::sine(*freq_hz, *level_db, f64::from(rate))),
            1,
            *length,
            strip.span,
            strip.name.clone(),
        ),
        Source::Noise {
            color,
            level_db,
            length,
            seed,
        } => (
            Feed::Gen(Generator::noise(*color, *level_db, *seed)),
            1,
            *length,
            strip.span,
            strip.name.clone(),
        ),
        Source::Silence { length } => (
            Feed::Gen(Generator::Silence),
            1,
            *length,
            strip.span,
            strip.name.clone(),
        ),
    };
    let (skip, len) = match strip.region {
        None => (0, full_len),
        Some(r) => {
            if r.start >= full_len {
                return Err(Diagnostic::error(
                    "bad-region",
                    strip.span,
                    format!(
                        "the region of `{}` starts after the end of {name}",
                        strip.name
                    ),
                ));
            }
            (r.start, r.end.min(full_len) - r.start)
        }
    };
    Ok(SourceStream {
        feed,
        channels,
        start: strip.start,
        len,
        skip,
        fade_in: strip.fade_in,
        fade_out: strip.fade_out,
        span,
        name,
    })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// A whole file decoded and converted to `rate` (what the render cache keeps).
pub fn decode_whole(
    world: &dyn World,
    path: &std::path::Path,
    rate: u32,
) -> Result<Vec<Vec<f32>>, AudioError> {
    let reader = world.open(path).map_err(AudioError::Read)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let decoder = crate::io::open(reader, ext.as_deref())?;
    if decoder.info().rate == rate {
        let mut d = decoder;
        crate::io::read_to_end(&mut d)
    } else {
        crate::io::read_to_end(&mut crate::io::Resampled::new(decoder, rate)?)
    }
}

/// Decodes the whole of a file track's audio, as the render will: a file whose data
/// ends before its header says, or that is corrupt or holds a NaN further in, fails
/// here (what `check` runs) rather than minutes into a render.
pub fn decode_all(world: &dyn World, strip: &Strip) -> Result<(), Diagnostic> {
    let Some(Source::File {
        written,
        path,
        span,
    }) = &strip.source
    else {
        return Ok(());
    };
    let ext = (path.extension().and_then(|e| e.to_str())).map(str::to_ascii_lowercase);
    count_frames(world, path, ext.as_deref())
        .map(|_| ())
        .map_err(|e| {
            Diagnostic::error("audio", *span, format!("{written} {e}")).with_label_text("this file")
        })
}

fn count_frames(
    world: &dyn World,
    path: &std::path::Path,
    ext: Option<&str>,
) -> Result<u64, AudioError> {
    let reader = world.open(path).map_err(AudioError::Read)?;
    let mut d = crate::io::open(reader, ext)?;
    let ch = d.channels();
    let mut buf = vec![vec![0.0f32; 8192]; ch];
    let mut total = 0;
    loop {
        let mut outs: Vec<&mut [f32]> = buf.iter_mut().map(|b| b.as_mut_slice()).collect();
        let n = d.read(&mut outs)?;
        total += n as u64;
        if n < 8192 {
            return Ok(total);
        }
    }
}

impl SourceStream {
    /// The timeline sample just after the clip.
    pub fn end(&self) -> u64 {
        self.start + self.len
    }

    /// Fills `out` (one slice per source channel) for timeline frames `pos..pos + n`.
    pub fn read(&mut self, pos: u64, out: &mut [&mut [f32]]) -> Result<(), Diagnostic> {
        let n = out[0].len() as u64;
        let a = pos.max(self.start).min(pos + n);
        let b = (pos + n).min(self.end()).max(a);
        let (ia, ib) = ((a - pos) as usize, (b - pos) as usize);
        for ch in out.iter_mut() {
            ch[..ia].fill(0.0);
            ch[ib..].fill(0.0);
        }
        if ia == ib {
            return Ok(());
        }
        if self.skip > 0 {
            self.skip_region()?;
        }
        match &mut self.feed {
            Feed::File(src) => {
                let mut parts: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[ia..ib]).collect();
                let got = src.read(&mut parts).map_err(|e| self.fail(e))?;
                // A file that decodes shorter than its header said ends in silence; the
                // decoder reports real truncation as an error.
                for p in parts.iter_mut() {
                    p[got..].fill(0.0);
                }
            }
            Feed::Gen(g) => g.fill(&mut out[0][ia..ib]),
        }
        let clip_pos = a - self.start;
        for ch in out.iter_mut() {
            apply_fades(
                &mut ch[ia..ib],
                clip_pos,
                self.len,
                self.fade_in,
                self.fade_out,
            );
        }
        Ok(())
    }

    /// Starts reading at timeline sample `pos` instead of 0 (a region render's pre-roll).
    pub fn start_at(&mut self, pos: u64) {
        self.skip += pos.saturating_sub(self.start).min(self.len);
    }

    /// Reads from planes already decoded at the render rate (the render cache's copy
    /// of this file) instead of decoding the file.
    pub fn preload(&mut self, planes: crate::cache::Planes, rate: u32) {
        self.feed = Feed::File(Box::new(crate::io::MemorySource::shared(planes, rate)));
    }

    pub fn fail(&self, e: AudioError) -> Diagnostic {
        Diagnostic::error("audio", self.span, format!("{} {e}", self.name))
            .with_label_text("this file")
    }

    fn skip_region(&mut self) -> Result<(), Diagnostic> {
        let mut scratch = vec![vec![0.0f32; 4096]; self.channels];
        while self.skip > 0 {
            let n = self.skip.min(4096) as usize;
            let got = match &mut self.feed {
                Feed::File(src) => {
                    let mut parts: Vec<&mut [f32]> =
                        scratch.iter_mut().map(|c| &mut c[..n]).collect();
                    src.read(&mut parts).map_err(|e| self.fail(e))?
                }
                Feed::Gen(g) => {
                    g.fill(&mut scratch[0][..n]);
                    n
                }
            };
            self.skip -= n as u64;
            if got < n {
                self.skip = 0;
            }
        }
        Ok(())
    }
}

/// Fade gain for position `x` in 0..=1 of the fade (0 = silent end).
fn fade_gain(curve: FadeCurve, x: f64) -> f64 {
    match curve {
        FadeCurve::Linear => x,
        // Quadratic: slow start, the shape engineers call an exponential fade.
        FadeCurve::Exp => x * x,
        // Raised cosine: an S-curve with zero slope at both ends.
        FadeCurve::Smooth => 0.5 - 0.5 * libm::cos(std::f64::consts::PI * x),
    }
}

fn apply_fades(buf: &mut [f32], clip_pos: u64, len: u64, fin: Option<Fade>, fout: Option<Fade>) {
    if let Some(f) = fin.filter(|f| f.length > 0 && clip_pos < f.length) {
        for (i, s) in buf.iter_mut().enumerate() {
            let p = clip_pos + i as u64;
            if p >= f.length {
                break;
            }
            *s *= fade_gain(f.curve, p as f64 / f.length as f64) as f32;
        }
    }
    if let Some(f) = fout.filter(|f| f.length > 0) {
        let fade_start = len.saturating_sub(f.length);
        for (i, s) in buf.iter_mut().enumerate() {
            let p = clip_pos + i as u64;
            if p >= fade_start {
                let remaining = (len - p) as f64 - 1.0;
                *s *= fade_gain(f.curve, (remaining / f.length as f64).max(0.0)) as f32;
            }
        }
    }
}
