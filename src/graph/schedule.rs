//! Topological levels: every strip in a level depends only on strips of earlier
//! levels, so the strips of one level can render in parallel.
//!
//! petgraph's `toposort` depends on insertion history; this is a Kahn pass that
//! always takes strips in file order, so the schedule (and with it every cache key
//! and the order of work) is the same for the same mix.

use super::SignalGraph;
use petgraph::Direction;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// Strip indices per level, each level in file order. The master is alone in the last level.
    pub levels: Vec<Vec<usize>>,
}

impl Schedule {
    /// All strips in execution order.
    pub fn order(&self) -> impl Iterator<Item = usize> + '_ {
        self.levels.iter().flatten().copied()
    }
}

/// Levels of a loop-free graph (the compiler has rejected loops).
pub fn schedule(g: &SignalGraph) -> Schedule {
    let n = g.nodes.len();
    let mut level = vec![0usize; n];
    let mut indegree: Vec<usize> = g
        .nodes
        .iter()
        .map(|&ni| g.graph.neighbors_directed(ni, Direction::Incoming).count())
        .collect();
    let mut ready: std::collections::BTreeSet<usize> =
        (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop_first() {
        done += 1;
        for target in g.graph.neighbors_directed(g.nodes[i], Direction::Outgoing) {
            let t = g.graph[target].strip;
            level[t] = level[t].max(level[i] + 1);
            indegree[t] -= 1;
            if indegree[t] == 0 {
                ready.insert(t);
            }
        }
    }
    assert_eq!(
        done, n,
        "the compiler rejects routing loops before scheduling"
    );
    let master = n - 1;
    // The master sums everything: it always renders last, on its own.
    let top = (0..master).map(|i| level[i]).max().map_or(0, |m| m + 1);
    level[master] = top;
    let mut levels = vec![Vec::new(); top + 1];
    for (i, &l) in level.iter().enumerate() {
        levels[l].push(i);
    }
    Schedule {
        levels: levels.into_iter().filter(|l| !l.is_empty()).collect(),
    }
}
