//! One song to planar stereo audio at the album rate, in memory.
//!
//! A `.mix` song is compiled and rendered by the ordinary renderer (its own graph,
//! its own `loudness` solve if it has one) into a single 32-bit float file at the
//! album rate in a private temporary folder, then read back: float keeps every bit
//! of the master, and the song's exports are not written (the album decides what is
//! delivered). A finished audio file is decoded and resampled.

use super::ir::{Song, SongSource};
use crate::diag::Diagnostic;
use crate::io::{FrameSource, Resampled};
use crate::ir::{Dither, Export, ExportKind, FileFormat, SampleFormat};
use crate::render::RenderOptions;
use crate::world::World;
use std::collections::BTreeMap;

/// A song's audio and what its own file says about it.
pub struct Rendered {
    pub audio: [Vec<f32>; 2],
    /// The song mix's session title, if any.
    pub title: Option<String>,
}

/// Renders `song` at `rate` on `jobs` threads (the bytes do not depend on it), with
/// the album's cancel flag and cache. Errors carry the song's span or the song mix's own.
pub fn render(
    song: &Song,
    world: &dyn World,
    rate: u32,
    jobs: usize,
    album: &super::Options,
) -> Result<Rendered, Vec<Diagnostic>> {
    let fail = |m: String| vec![Diagnostic::error("song", song.span, m)];
    let mut r = match &song.source {
        SongSource::Mix(path) if super::is_album(world, path) => {
            return Err(fail(format!("{} is an album, not a song", song.written)));
        }
        SongSource::Mix(path) => {
            let (_, compiled) = crate::compile::compile_path(world, path)
                .map_err(|e| fail(format!("cannot read {}: {e}", song.written)))?;
            let Some(mut mix) = compiled.mix else {
                return Err(compiled.diags);
            };
            let dir = tempfile::tempdir().map_err(|e| fail(format!("no temporary folder: {e}")))?;
            let tmp = dir.path().join("song.wav");
            mix.exports = vec![Export {
                kind: ExportKind::Master,
                path: tmp.clone(),
                format: FileFormat::Wav,
                bits: SampleFormat::Float32,
                rate,
                dither: Dither::None,
                tags: BTreeMap::new(),
                span: song.span,
            }];
            let opts = RenderOptions {
                jobs,
                cancel: album.cancel.clone(),
                cache: album.cache.clone(),
                // Tells this song's strips from the other songs' in the cache (its
                // only export is the temporary file above, which names no `{file}`).
                file_stem: song.written.to_string(),
                ..RenderOptions::default()
            };
            crate::render::render(&mix, world, &opts, &|_, _| {})?;
            let file = std::fs::File::open(&tmp)
                .map_err(|e| fail(format!("cannot read back {}: {e}", song.written)))?;
            let mut d = crate::io::open(Box::new(std::io::BufReader::new(file)), Some("wav"))
                .map_err(|e| fail(format!("{} {e}", song.written)))?;
            Rendered {
                audio: stereo(
                    crate::io::read_to_end(&mut d)
                        .map_err(|e| fail(format!("{} {e}", song.written)))?,
                ),
                title: mix.session.title,
            }
        }
        SongSource::Audio(path) => {
            let reader = world
                .open(path)
                .map_err(|e| fail(format!("cannot open {}: {e}", song.written)))?;
            let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
            let d = crate::io::open(reader, ext.as_deref())
                .map_err(|e| fail(format!("{} {e}", song.written)))?;
            let planes = if d.rate() == rate {
                let mut d = d;
                crate::io::read_to_end(&mut d)
            } else {
                let mut s =
                    Resampled::new(d, rate).map_err(|e| fail(format!("{} {e}", song.written)))?;
                crate::io::read_to_end(&mut s)
            }
            .map_err(|e| fail(format!("{} {e}", song.written)))?;
            Rendered {
                audio: stereo(planes),
                title: None,
            }
        }
    };
    if let Some((a, b)) = song.trim {
        let len = r.audio[0].len() as u64;
        let end = b.unwrap_or(len).min(len);
        if a >= end {
            return Err(fail(format!(
                "the trim starts at or after the end of {} ({:.3} s long)",
                song.written,
                len as f64 / f64::from(rate)
            )));
        }
        for c in &mut r.audio {
            c.truncate(end as usize);
            c.drain(..a as usize);
        }
    }
    if r.audio[0].is_empty() {
        return Err(fail(format!("{} has no audio", song.written)));
    }
    Ok(r)
}

/// Mono is played on both sides; stereo stays as it is.
fn stereo(mut planes: Vec<Vec<f32>>) -> [Vec<f32>; 2] {
    let l = planes.remove(0);
    let r = planes.pop().unwrap_or_else(|| l.clone());
    [l, r]
}

/// Everything short of rendering `song`: the song mix compiles and its audio files
/// open, or the finished file opens as audio.
pub fn check(song: &Song, world: &dyn World) -> Vec<Diagnostic> {
    let fail = |m: String| vec![Diagnostic::error("song", song.span, m)];
    match &song.source {
        SongSource::Mix(path) if super::is_album(world, path) => {
            fail(format!("{} is an album, not a song", song.written))
        }
        SongSource::Mix(path) => {
            let compiled = match crate::compile::compile_path(world, path) {
                Ok((_, c)) => c,
                Err(e) => return fail(format!("cannot read {}: {e}", song.written)),
            };
            let Some(mix) = compiled.mix else {
                return compiled.diags;
            };
            let mut diags = compiled.diags;
            diags.extend(crate::render::preflight::inputs(&mix, world));
            diags
        }
        SongSource::Audio(path) => {
            let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
            match world.open(path) {
                Ok(r) => crate::io::probe(r, ext.as_deref())
                    .err()
                    .map(|e| fail(format!("{} {e}", song.written)))
                    .unwrap_or_default(),
                Err(e) => fail(format!("cannot open {}: {e}", song.written)),
            }
        }
    }
}
