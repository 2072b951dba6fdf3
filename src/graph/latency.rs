//! Latency compensation. Each strip reports the delay its inserts add; a strip's
//! output is late by the latest of its inputs plus its own delay. Every input of a
//! bus is delayed to match its latest input, so parallel paths stay sample-aligned;
//! the renderer then drops the master's total latency from the start of every output.

use super::schedule::Schedule;
use super::{EdgeKind, SignalGraph};
use petgraph::Direction;
use petgraph::visit::EdgeRef;

#[derive(Debug, Clone, Default)]
pub struct Latencies {
    /// How late each strip's input is (the alignment point of its inputs), by strip index.
    pub input: Vec<usize>,
    /// How late each strip's output is.
    pub output: Vec<usize>,
}

/// `own[i]` is the delay added by strip `i`'s inserts; `keyed_at[i][k]` the delay of
/// the inserts before insert `k` (where a sidechain key is consumed).
pub fn compensate(
    g: &SignalGraph,
    schedule: &Schedule,
    own: &[usize],
    before_insert: &[Vec<usize>],
) -> Latencies {
    let n = g.nodes.len();
    let mut lat = Latencies {
        input: vec![0; n],
        output: vec![0; n],
    };
    for i in schedule.order() {
        let mut input = 0;
        for e in g.graph.edges_directed(g.nodes[i], Direction::Incoming) {
            let from = g.graph[e.source()].strip;
            let arrives = match *e.weight() {
                // A key must reach its insert no later than the strip's own signal does.
                EdgeKind::Sidechain { insert } => lat.output[from]
                    .saturating_sub(before_insert[i].get(insert).copied().unwrap_or(0)),
                _ => lat.output[from],
            };
            input = input.max(arrives);
        }
        lat.input[i] = input;
        lat.output[i] = input + own[i];
    }
    lat
}

/// The delay to put on an edge so its signal arrives aligned at the target.
pub fn edge_delay(
    lat: &Latencies,
    from: usize,
    to: usize,
    kind: EdgeKind,
    before_insert: &[Vec<usize>],
) -> usize {
    match kind {
        EdgeKind::Sidechain { insert } => (lat.input[to]
            + before_insert[to].get(insert).copied().unwrap_or(0))
        .saturating_sub(lat.output[from]),
        _ => lat.input[to] - lat.output[from],
    }
}
