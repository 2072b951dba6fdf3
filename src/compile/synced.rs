//! Note lengths follow the tempo map. A parameter written as a note length
//! (`delay { time 1/8. }`) holds its seconds at the opening tempo; where the tempo
//! changes (`tempo 140bpm at bar 33`) it steps to the same note at the new tempo,
//! as a tempo-synced delay does in a DAW. Each such parameter gets a lane of steps,
//! one per tempo change, unless the mix automates it itself.

use crate::dsp::registry;
use crate::ir::{Curve, Lane, LaneParam, LanePoint, Scale, Strip, TempoMap};

/// The lanes that keep note-length parameters on the tempo; none without changes.
pub fn lanes(strips: &[&Strip], tempo: Option<&TempoMap>, written: &[Lane]) -> Vec<Lane> {
    let Some(map) = tempo.filter(|m| m.segments.windows(2).any(|w| w[0].bpm != w[1].bpm)) else {
        return Vec::new();
    };
    let mut lanes = Vec::new();
    for s in strips {
        for (k, ins) in s.inserts.iter().enumerate() {
            let Some(spec) = registry::lookup(&ins.kind) else {
                continue;
            };
            for (name, &quarters) in &ins.notes {
                let Some(index) = spec.params.iter().position(|p| p.name == name) else {
                    continue;
                };
                let param = LaneParam::Insert {
                    insert: k,
                    band: None,
                    param: index,
                };
                if written
                    .iter()
                    .any(|l| l.strip == s.name && l.param == param)
                {
                    continue;
                }
                let mut points: Vec<LanePoint> = Vec::new();
                for seg in &map.segments {
                    let value = quarters * 60.0 / seg.bpm;
                    if points.last().is_some_and(|p| p.value == value) {
                        continue;
                    }
                    let at = libm::round(seg.sample) as u64;
                    points.push(LanePoint {
                        at,
                        value,
                        curve: Curve::Step,
                    });
                }
                lanes.push(Lane {
                    strip: s.name.clone(),
                    target: vec![ins.name.clone(), name.clone()],
                    param,
                    scale: Scale::Linear,
                    points,
                    span: ins.span,
                });
            }
        }
    }
    lanes
}
