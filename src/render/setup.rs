//! Everything a render needs before the first chunk: the graph and its schedule,
//! opened sources, built processors, latency compensation on every connection, and
//! the output files (opened up front, so an unwritable folder fails before any work).

use super::automation::LaneRt;
use super::delay::DelayLine;
use super::strip::{Automation, Input, InputKind, StripOut, StripRt, mono_pan, stereo_balance};
use crate::diag::Diagnostic;
use crate::dsp::BuildContext;
use crate::dsp::ParamId;
use crate::graph::{self, EdgeKind};
use crate::ir::{ExportKind, Mix, Strip, StripKind};
use crate::ir::{Insert, Lane, LaneParam, StripSetting};
use crate::world::World;
use petgraph::Direction;
use petgraph::visit::EdgeRef;

pub struct Plan {
    /// Strips in execution order (levels one after another).
    pub states: Vec<StripRt>,
    pub outs: Vec<StripOut>,
    pub level_sizes: Vec<usize>,
    /// Position of the master (the last one).
    pub master: usize,
    /// Position in execution order of each strip index.
    pub pos_of: Vec<usize>,
    /// For strips written as stems: a delay to the master's latency and its output.
    pub aligned: Vec<Option<(DelayLine, [Vec<f32>; 2])>>,
    /// Total latency at the master's output, dropped from the start of every file.
    pub latency: usize,
    /// The timeline sample where the last source ends.
    pub song_len: u64,
    /// The render-time sample the render starts at (0, or a region's pre-roll).
    pub origin: u64,
    /// Per node, the cached output it replays instead of running ([`super::cached`]).
    pub replay: Vec<Option<super::cached::Replay>>,
    /// Per node that runs with a cache, its output so far, for the cache.
    pub record: Vec<Option<Vec<Vec<f32>>>>,
}

fn db(db: f64) -> f32 {
    if db == f64::NEG_INFINITY {
        0.0
    } else {
        libm::pow(10.0, db / 20.0) as f32
    }
}

/// With any strip soloed, only soloed strips and what feeds or carries them are heard.
fn effective_mutes(mix: &Mix, g: &graph::SignalGraph) -> Vec<bool> {
    let n = mix.strips.len();
    let mut muted: Vec<bool> = mix
        .strips
        .iter()
        .map(|s| s.mute)
        .chain([mix.master.mute])
        .collect();
    if !mix.strips.iter().any(|s| s.solo) {
        return muted;
    }
    let mut keep = vec![false; n + 1];
    keep[n] = true;
    for (i, s) in mix.strips.iter().enumerate().filter(|(_, s)| s.solo) {
        for dir in [Direction::Incoming, Direction::Outgoing] {
            let mut stack = vec![g.nodes[i]];
            keep[i] = true;
            while let Some(node) = stack.pop() {
                for e in g.graph.edges_directed(node, dir) {
                    if matches!(e.weight(), EdgeKind::Sidechain { .. }) {
                        continue;
                    }
                    let other = if dir == Direction::Incoming {
                        e.source()
                    } else {
                        e.target()
                    };
                    let k = g.graph[other].strip;
                    if !keep[k] {
                        keep[k] = true;
                        stack.push(other);
                    }
                }
            }
        }
        let _ = s;
    }
    for (m, k) in muted.iter_mut().zip(keep) {
        *m |= !k;
    }
    muted
}

pub fn prepare(mix: &Mix, world: &dyn World, chunk: usize) -> Result<Plan, Vec<Diagnostic>> {
    let g = graph::build(mix);
    let sched = graph::schedule::schedule(&g);
    let all: Vec<&Strip> = mix.strips.iter().chain([&mix.master]).collect();
    let order: Vec<usize> = sched.order().collect();
    let mut pos_of = vec![0; all.len()];
    for (p, &i) in order.iter().enumerate() {
        pos_of[i] = p;
    }
    let muted = effective_mutes(mix, &g);
    let rate = mix.session.rate;
    let mut errors = Vec::new();
    let mut states = Vec::with_capacity(all.len());
    let mut own = vec![0; all.len()];
    let mut before = vec![Vec::new(); all.len()];
    let mut song_len = 0;
    for &i in &order {
        let s = all[i];
        let source = if s.kind == StripKind::Track {
            match super::source::open(world, s, rate) {
                Ok(src) => {
                    song_len = song_len.max(src.end());
                    Some(src)
                }
                Err(d) => {
                    errors.push(d);
                    None
                }
            }
        } else {
            None
        };
        let channels = source.as_ref().map_or(2, |src| src.channels);
        let ctx = BuildContext {
            rate: f64::from(rate),
            channels,
            max_frames: chunk,
        };
        let lanes: Vec<&Lane> = mix.lanes.iter().filter(|l| l.strip == s.name).collect();
        let mut auto = Automation::default();
        let mut inserts = Vec::new();
        for (k, ins) in s.inserts.iter().enumerate() {
            before[i].push(own[i]);
            let mut ins = ins.clone();
            for lane in &lanes {
                if let LaneParam::Insert {
                    insert,
                    band,
                    param,
                } = lane.param
                    && insert == k
                {
                    let rt = start_value(&mut ins, band, param, lane);
                    let id = ParamId {
                        band: band.map(|b| b as u16),
                        index: param as u16,
                    };
                    auto.inserts.push((k, id, rt));
                }
            }
            for f in crate::dsp::registry::files(&ins) {
                world.record(&f);
            }
            match crate::dsp::build(&ins, &ctx) {
                Ok(p) => {
                    own[i] += p.latency();
                    inserts.push(p);
                }
                Err(m) => errors.push(Diagnostic::error(
                    "processor",
                    ins.span,
                    format!("cannot build `{}`: {m}", ins.name),
                )),
            }
        }
        for lane in &lanes {
            if let LaneParam::Strip { setting } = lane.param {
                let slot = match setting {
                    StripSetting::Trim => &mut auto.trim,
                    StripSetting::Gain => &mut auto.gain,
                    StripSetting::Pan => &mut auto.pan,
                    StripSetting::Width => &mut auto.width,
                    StripSetting::Mute => &mut auto.mute,
                };
                *slot = Some(LaneRt::new(lane));
            }
        }
        let pan = if channels == 1 {
            mono_pan(s.pan)
        } else {
            stereo_balance(s.pan)
        };
        let trim = db(s.trim_db) * if s.polarity_inverted { -1.0 } else { 1.0 };
        states.push(StripRt {
            strip: i,
            channels,
            source,
            inserts,
            inputs: Vec::new(),
            trim,
            gain: if muted[i] { 0.0 } else { db(s.gain_db) },
            pan,
            width: s.width as f32,
            muted: muted[i],
            solo_muted: muted[i] && !s.mute,
            polarity: if s.polarity_inverted { -1.0 } else { 1.0 },
            static_gain_db: s.gain_db,
            static_pan: s.pan,
            auto,
            work: [vec![0.0; chunk], vec![0.0; chunk]],
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let lat = graph::latency::compensate(&g, &sched, &own, &before);
    for st in &mut states {
        let i = st.strip;
        st.auto.align(lat.input[i], &before[i], own[i]);
    }
    let mut pre_needed = vec![false; all.len()];
    for (p, &i) in order.iter().enumerate() {
        let mut edges: Vec<_> = g
            .graph
            .edges_directed(g.nodes[i], Direction::Incoming)
            .collect();
        edges.sort_by_key(|e| e.id());
        for e in edges {
            let from = g.graph[e.source()].strip;
            let kind = match *e.weight() {
                EdgeKind::Route => InputKind::Route,
                EdgeKind::Send { level_db, pre } => {
                    pre_needed[from] |= pre;
                    InputKind::Send {
                        gain: db(level_db),
                        pre,
                    }
                }
                EdgeKind::Sidechain { insert } => InputKind::Key { insert },
            };
            let delay = graph::latency::edge_delay(&lat, from, i, *e.weight(), &before);
            // An automated send level lives on the sending strip's lanes.
            let level = match *e.weight() {
                EdgeKind::Send { .. } => {
                    let sender = all[from];
                    sender
                        .sends
                        .iter()
                        .position(|sd| sd.to == all[i].name)
                        .and_then(|send| {
                            mix.lanes.iter().find(|l| {
                                l.strip == sender.name && l.param == LaneParam::Send { send }
                            })
                        })
                        .map(|l| {
                            // Applied at this strip, after the edge's delay.
                            let mut rt = LaneRt::new(l);
                            rt.delay_by(lat.input[i]);
                            rt
                        })
                }
                _ => None,
            };
            states[p].inputs.push(Input {
                from: pos_of[from],
                kind,
                delay: DelayLine::new(2, delay),
                level,
                scratch: [vec![0.0; chunk], vec![0.0; chunk]],
            });
        }
    }
    let outs = order
        .iter()
        .map(|&i| StripOut {
            post: [vec![0.0; chunk], vec![0.0; chunk]],
            pre: pre_needed[i].then(|| [vec![0.0; chunk], vec![0.0; chunk]]),
        })
        .collect();
    let master_idx = all.len() - 1;
    let latency = lat.output[master_idx];
    let mut aligned: Vec<Option<(DelayLine, [Vec<f32>; 2])>> =
        (0..all.len()).map(|_| None).collect();
    for e in &mix.exports {
        if let ExportKind::Stems { of } | ExportKind::Meter { of } = &e.kind {
            for name in of {
                if let Some(i) = mix.strips.iter().position(|s| &s.name == name) {
                    aligned[pos_of[i]] = Some((
                        DelayLine::new(2, latency - lat.output[i]),
                        [vec![0.0; chunk], vec![0.0; chunk]],
                    ));
                }
            }
        }
    }
    Ok(Plan {
        states,
        outs,
        level_sizes: sched.levels.iter().map(Vec::len).collect(),
        master: pos_of[master_idx],
        pos_of,
        aligned,
        latency,
        song_len,
        origin: 0,
        replay: vec![None; all.len()],
        record: vec![None; all.len()],
    })
}

/// Sets the automated parameter to its value at time zero, so the processor is built
/// there and nothing glides in; returns the lane's runtime.
fn start_value(ins: &mut Insert, band: Option<usize>, param: usize, lane: &Lane) -> LaneRt {
    let mut rt = LaneRt::new(lane);
    let v0 = rt.value_at(0);
    let spec = crate::dsp::registry::lookup(&ins.kind);
    let name = match band {
        None => spec.and_then(|sp| sp.params.get(param)).map(|p| p.name),
        Some(b) => spec
            .and_then(|sp| sp.bands.iter().find(|bs| bs.kind == ins.bands[b].kind))
            .and_then(|bs| bs.params.get(param))
            .map(|p| p.name),
    };
    if let Some(name) = name {
        let params = match band {
            None => &mut ins.params,
            Some(b) => &mut ins.bands[b].params,
        };
        params.insert(name.to_string(), crate::ir::ParamValue::Number(v0));
    }
    rt
}
