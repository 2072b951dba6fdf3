//! The signal graph: one node per channel strip (tracks, buses, the master's summing
//! input) and one edge per connection (outputs, sends, sidechain keys).
//!
//! A strip is the unit of scheduling, caching and parallelism: its source, trim,
//! inserts and fader form a fixed chain inside the node, so the graph only has to
//! carry what can branch and merge. Nodes keep their ids across edits
//! (`StableDiGraph`), which `watch` relies on to match nodes between renders.

pub mod dot;
pub mod latency;
pub mod schedule;

use crate::ir::{Mix, StripKind};
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// Index into `mix.strips`; the master is `mix.strips.len()`.
    pub strip: usize,
    pub name: String,
    pub kind: StripKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "lowercase", tag = "type")]
pub enum EdgeKind {
    /// The strip's output (`to`, or the master by default): post-fader, unity.
    Route,
    /// A send: post-fader (or pre-fader) at a level.
    Send { level_db: f64, pre: bool },
    /// The key signal of insert `insert` of the target strip (the source's post-fader signal).
    Sidechain { insert: usize },
}

#[derive(Debug, Clone)]
pub struct SignalGraph {
    pub graph: StableDiGraph<Node, EdgeKind>,
    /// Node of each strip, by strip index (the master last).
    pub nodes: Vec<NodeIndex>,
}

impl SignalGraph {
    pub fn master(&self) -> NodeIndex {
        *self.nodes.last().expect("the master node always exists")
    }
}

/// Builds the graph of a compiled (so loop-free, fully resolved) mix. Nodes are added
/// in strip order and edges in a fixed order (outputs, then sends, then keys, each in
/// strip order), so the same mix always gives the same graph.
pub fn build(mix: &Mix) -> SignalGraph {
    let mut graph = StableDiGraph::new();
    let mut nodes = Vec::with_capacity(mix.strips.len() + 1);
    for (i, s) in mix.strips.iter().chain([&mix.master]).enumerate() {
        nodes.push(graph.add_node(Node {
            strip: i,
            name: s.name.clone(),
            kind: s.kind,
        }));
    }
    let by_name = |name: &str| {
        mix.strips
            .iter()
            .position(|s| s.name == name)
            .map(|i| nodes[i])
    };
    let master = *nodes.last().expect("master");
    for (i, s) in mix.strips.iter().enumerate() {
        let to = s.output.as_deref().and_then(by_name).unwrap_or(master);
        graph.add_edge(nodes[i], to, EdgeKind::Route);
    }
    for (i, s) in mix.strips.iter().enumerate() {
        for send in &s.sends {
            if let Some(to) = by_name(&send.to) {
                graph.add_edge(
                    nodes[i],
                    to,
                    EdgeKind::Send {
                        level_db: send.level_db,
                        pre: send.pre,
                    },
                );
            }
        }
    }
    for (i, s) in mix.strips.iter().chain([&mix.master]).enumerate() {
        for (k, ins) in s.inserts.iter().enumerate() {
            if let Some(key) = ins
                .params
                .get("sidechain")
                .and_then(|v| v.text())
                .and_then(by_name)
            {
                graph.add_edge(key, nodes[i], EdgeKind::Sidechain { insert: k });
            }
        }
    }
    SignalGraph { graph, nodes }
}
