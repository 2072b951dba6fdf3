//! The drives each round of the search asks for, run on the master chain: one after
//! the other with `--jobs 1`; with more, the two of a round at once on the chain and
//! its twin, each as a pipeline, and the first also written ahead into the master
//! exports (it may well be the answer, and then the delivery is done).
//! Whatever runs where, every drive is measured from the same samples.

use super::chain::{self, Chain, Pass};
use crate::render::output::Output;

/// Where the output of a drive tried alone goes besides the meter.
pub struct Ahead<'a> {
    pub outputs: &'a mut [Output],
    pub masters: &'a [usize],
    /// Set to the (drive, margin) the exports then hold in full.
    pub written: &'a mut Option<(u64, u64)>,
    /// Whether the exports hold anything since they were last (re)started.
    pub dirty: &'a mut bool,
    pub margin: u64,
}

pub struct Trials<'a> {
    pub chain: &'a mut Chain,
    /// The twin (only with `jobs` > 1).
    pub twin: Option<&'a mut Chain>,
    pub pass: Pass<'a>,
    /// With `jobs` > 1 and master exports to write.
    pub ahead: Option<Ahead<'a>>,
    pub jobs: usize,
}

impl Trials<'_> {
    /// The integrated loudness at each of `drives`, in order.
    pub fn run(&mut self, drives: &[f64]) -> Vec<Option<f64>> {
        let Self {
            chain,
            twin,
            pass,
            ahead,
            jobs,
        } = self;
        match (drives, twin) {
            (&[a, b], Some(twin)) => std::thread::scope(|s| {
                let second = s.spawn(|| twin.loudness(pass, b));
                let first = first(chain, pass, ahead.as_mut(), *jobs, a);
                match second.join() {
                    Ok(l) => vec![first, l],
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }),
            (&[d], _) => vec![first(chain, pass, ahead.as_mut(), *jobs, d)],
            _ => drives.iter().map(|&d| chain.loudness(pass, d)).collect(),
        }
    }
}

/// One drive on the first chain: written ahead when there is somewhere to write it,
/// else measured behind the chain on the calling thread (with `jobs` > 1).
fn first(
    chain: &mut Chain,
    pass: &Pass,
    ahead: Option<&mut Ahead>,
    jobs: usize,
    d: f64,
) -> Option<f64> {
    let mut m = chain::meter(pass.rate);
    match ahead {
        Some(a) => {
            *a.written = None;
            if *a.dirty && a.masters.iter().any(|&i| a.outputs[i].restart().is_err()) {
                return chain.loudness(pass, d);
            }
            *a.dirty = true;
            // A failed write is left for the delivery to meet again and report; the
            // chain runs to the end regardless, for the measurement.
            let mut ok = true;
            let _ = chain.run_split(pass, d, Some(&mut m), |b| {
                ok = ok && (a.masters.iter()).all(|&i| a.outputs[i].push(b, false).is_ok());
                Ok::<(), ()>(())
            });
            *a.written = ok.then_some((d.to_bits(), a.margin));
        }
        None if jobs > 1 => {
            let _ = chain.run_split(pass, d, None, |b| m.add_frames_planar_f32(&b));
        }
        None => return chain.loudness(pass, d),
    }
    chain::integrated(&m)
}
