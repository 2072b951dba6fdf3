//! Measurements gathered during the render for the visual report (`--report
//! FILE.html`): per-strip figures and the master's overview over time.
//!
//! Memory stays small for any song length: the master is summarised per fixed
//! block of frames, the block sized from the expected length so the song fills
//! about [`POINTS`] blocks; when `tail auto` runs long and the count doubles,
//! neighbouring blocks are merged pairwise (exactly: min, max and sums merge), so
//! the overview never holds more than twice [`POINTS`] blocks. Loudness is read on
//! a fixed 100 ms grid counted from the first frame, and gain reduction once per
//! render chunk, so the same render gives the same numbers.

mod timeline;

use super::master::MasterStage;
use super::setup::Plan;
use crate::analysis::lin_to_db;
use ebur128::{EbuR128, Mode};
use rayon::prelude::*;
pub use timeline::{Env, Overview, POINTS, Timeline};

/// Whole-signal figures of a strip or the master.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Figures {
    pub peak_dbfs: f64,
    /// Only where measured (buses and the master): it needs 4x oversampling.
    pub true_peak_dbtp: Option<f64>,
    pub rms_dbfs: f64,
    pub integrated_lufs: Option<f64>,
}

pub(crate) fn ebu_figures(
    ebu: &EbuR128,
    channels: u32,
    peak: f32,
    sumsq: f64,
    samples: u64,
) -> Figures {
    let tp = ebu.mode().contains(Mode::TRUE_PEAK).then(|| {
        let t = (0..channels)
            .filter_map(|c| ebu.true_peak(c).ok())
            .fold(f64::from(peak), f64::max);
        lin_to_db(t)
    });
    let rms = if samples == 0 {
        0.0
    } else {
        (sumsq / samples as f64).sqrt()
    };
    Figures {
        peak_dbfs: lin_to_db(f64::from(peak)),
        true_peak_dbtp: tp,
        rms_dbfs: lin_to_db(rms),
        integrated_lufs: ebu.loudness_global().ok().filter(|x| x.is_finite()),
    }
}

/// Whole-signal figures of one strip.
struct StripMeter {
    pos: usize,
    peak: f32,
    sumsq: f64,
    frames: u64,
    ebu: EbuR128,
}

/// Everything the report measures during one render.
pub struct Meters {
    strips: Vec<StripMeter>,
    master: Timeline,
}

/// What [`Meters`] measured.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Per strip index (the master last), as in `mix.strips`.
    pub strips: Vec<Figures>,
    pub master: Overview,
}

impl Meters {
    /// Meters for every strip of `plan`, for a song of about `expected` frames.
    pub fn new(mix: &crate::ir::Mix, plan: &Plan, expected: u64) -> Result<Self, String> {
        let rate = mix.session.rate;
        let mut strips = Vec::new();
        for (pos, st) in plan
            .states
            .iter()
            .enumerate()
            .filter(|(p, _)| *p != plan.master)
        {
            // True peak only where it matters (buses): it oversamples every sample.
            let bus = mix.strips[st.strip].kind == crate::ir::StripKind::Bus;
            let mode = if bus {
                Mode::I | Mode::TRUE_PEAK
            } else {
                Mode::I
            };
            let ebu = EbuR128::new(2, rate, mode).map_err(|e| e.to_string())?;
            strips.push(StripMeter {
                pos,
                peak: 0.0,
                sumsq: 0.0,
                frames: 0,
                ebu,
            });
        }
        Ok(Self {
            strips,
            master: Timeline::new(rate, 2, expected)?,
        })
    }

    /// Reads the chunk just rendered: frames `skip..n` of every strip's output, and
    /// the master's when it is the master's output (`streams`; with a loudness
    /// target the master chain runs after the graph, see [`Self::replay`]). The
    /// meters are independent of each other, so they run on the render's workers.
    pub fn chunk(
        &mut self,
        plan: &mut Plan,
        skip: usize,
        n: usize,
        streams: bool,
        pool: Option<&rayon::ThreadPool>,
    ) {
        let gr = streams
            .then(|| {
                (plan.states[plan.master].inserts.iter_mut())
                    .filter_map(|p| p.take_gain_reduction_db())
                    .reduce(f32::max)
            })
            .flatten();
        let outs = &plan.outs;
        let strip = |m: &mut StripMeter| {
            let out = &outs[m.pos].post;
            let part = [&out[0][skip..n], &out[1][skip..n]];
            for c in part {
                for &x in c {
                    m.peak = m.peak.max(x.abs());
                    m.sumsq += f64::from(x) * f64::from(x);
                }
            }
            m.frames += (n - skip) as u64;
            let _ = m.ebu.add_frames_planar_f32(&part);
        };
        let master = |t: &mut Timeline| {
            let out = &outs[plan.master].post;
            if streams && skip < n {
                t.push(&[&out[0][skip..n], &out[1][skip..n]], gr);
            }
        };
        match pool {
            Some(pool) => {
                pool.install(|| {
                    rayon::join(
                        || self.strips.par_iter_mut().for_each(strip),
                        || master(&mut self.master),
                    )
                });
            }
            None => {
                self.strips.iter_mut().for_each(strip);
                master(&mut self.master);
            }
        }
    }

    /// Meters the master chain as delivered at `drive_db` (loudness mode).
    pub fn replay(&mut self, stage: &mut MasterStage, drive_db: f64) {
        stage.replay(drive_db, |b, gr| self.master.push(&b, gr));
    }

    /// The figures, for `frames` frames of output.
    pub fn finish(self, mix: &crate::ir::Mix, plan: &Plan, frames: u64) -> Measured {
        let mut strips = vec![None; mix.strips.len() + 1];
        for m in &self.strips {
            let f = ebu_figures(&m.ebu, 2, m.peak, m.sumsq, m.frames * 2);
            strips[plan.states[m.pos].strip] = Some(f);
        }
        let master = self.master.finish(frames);
        strips[mix.strips.len()] = Some(master.figures);
        let empty = Figures {
            peak_dbfs: f64::NEG_INFINITY,
            true_peak_dbtp: None,
            rms_dbfs: f64::NEG_INFINITY,
            integrated_lufs: None,
        };
        Measured {
            strips: strips.into_iter().map(|f| f.unwrap_or(empty)).collect(),
            master,
        }
    }
}
