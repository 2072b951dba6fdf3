//! The signal graph as a diagram: tracks to buses to the master, left to right.
//!
//! Columns are the render schedule's topological levels (so a sidechain key sits
//! left of the strip it keys). Within a column, strips are ordered by the
//! barycentre of their neighbours, sweeping down and up a few times (the
//! Sugiyama heuristic), which removes most crossings; ties keep file order, so the
//! layout is deterministic. Each box spreads its incoming and outgoing edges over
//! its side, ordered by the other end's height, so parallel edges do not overlap.

use super::svg::{self, Anchor, Svg};
use crate::graph::{EdgeKind, schedule};
use crate::ir::{Mix, StripKind};

const ROW: f64 = 44.0;
const BOX_H: f64 = 28.0;
const PAD: f64 = 12.0;
const SWEEPS: usize = 3;

/// Orders each level by the mean position of each node's neighbours in `from`
/// (`None`: keep the node where it is).
fn sweep(levels: &mut [Vec<usize>], pos: &mut [f64], neighbours: &[Vec<usize>], down: bool) {
    let order: Vec<usize> = if down {
        (1..levels.len()).collect()
    } else {
        (0..levels.len().saturating_sub(1)).rev().collect()
    };
    for l in order {
        let mut keyed: Vec<(f64, f64, usize)> = levels[l]
            .iter()
            .map(|&n| {
                let nb = &neighbours[n];
                let bary = if nb.is_empty() {
                    pos[n]
                } else {
                    nb.iter().map(|&m| pos[m]).sum::<f64>() / nb.len() as f64
                };
                (bary, pos[n], n)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
        levels[l] = keyed.iter().map(|k| k.2).collect();
        for (k, &n) in levels[l].iter().enumerate() {
            pos[n] = k as f64;
        }
    }
}

/// The diagram of `mix`'s signal graph, `width` px wide.
pub fn diagram(mix: &Mix, width: f64) -> String {
    let g = crate::graph::build(mix);
    let mut levels = schedule::schedule(&g).levels;
    let n = g.nodes.len();
    let edges: Vec<(usize, usize, EdgeKind)> = g
        .graph
        .edge_indices()
        .filter_map(|e| {
            let (a, b) = g.graph.edge_endpoints(e)?;
            Some((g.graph[a].strip, g.graph[b].strip, g.graph[e]))
        })
        .collect();
    let (mut preds, mut succs) = (vec![Vec::new(); n], vec![Vec::new(); n]);
    for &(a, b, _) in &edges {
        preds[b].push(a);
        succs[a].push(b);
    }
    let mut pos = vec![0.0; n];
    let mut level_of = vec![0; n];
    for (l, lv) in levels.iter().enumerate() {
        for (k, &s) in lv.iter().enumerate() {
            pos[s] = k as f64;
            level_of[s] = l;
        }
    }
    for _ in 0..SWEEPS {
        sweep(&mut levels, &mut pos, &preds, true);
        sweep(&mut levels, &mut pos, &succs, false);
    }
    sweep(&mut levels, &mut pos, &preds, true);

    let name = |s: usize| mix.strips.get(s).map_or("master", |x| x.name.as_str());
    let cols = levels.len().max(1) as f64;
    let col = ((width - 2.0 * PAD) / cols).min(240.0);
    let longest = (0..n).map(|s| name(s).chars().count()).max().unwrap_or(6);
    let box_w = (longest as f64 * 7.5 + 20.0).clamp(70.0, col - 36.0);
    let rows = levels.iter().map(Vec::len).max().unwrap_or(1) as f64;
    let legend = 30.0;
    let h = PAD + rows * ROW + legend;
    let at = |s: usize| {
        let len = levels[level_of[s]].len() as f64;
        let x = PAD + col * level_of[s] as f64;
        let y = PAD + (rows - len) / 2.0 * ROW + pos[s] * ROW;
        (x, y)
    };
    let mut out = Svg::new(width, h, "signal graph: tracks to buses to the master");
    // Ports: each edge gets a slot on the right of its source and the left of its
    // target, ordered by the other end's height.
    let port = |list: Vec<(f64, usize)>, k: usize| {
        let mut list = list;
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let slot = list.iter().position(|&(_, e)| e == k).unwrap_or(0);
        (slot as f64 + 1.0) * BOX_H / (list.len() as f64 + 1.0)
    };
    for (k, &(a, b, kind)) in edges.iter().enumerate() {
        let (ax, ay) = at(a);
        let (bx, by) = at(b);
        let outs = (edges.iter().enumerate())
            .filter(|(_, e)| e.0 == a)
            .map(|(j, e)| (at(e.1).1, j))
            .collect();
        let ins = (edges.iter().enumerate())
            .filter(|(_, e)| e.1 == b)
            .map(|(j, e)| (at(e.0).1, j))
            .collect();
        let from = (ax + box_w, ay + port(outs, k));
        let to = (bx - 6.0, by + port(ins, k));
        let class = match kind {
            EdgeKind::Route => "e route",
            EdgeKind::Send { .. } => "e send",
            EdgeKind::Sidechain { .. } => "e key",
        };
        out.path(&svg::curve(from, to), class);
        let tip = [(bx, to.1), (bx - 7.0, to.1 - 4.0), (bx - 7.0, to.1 + 4.0)];
        out.polygon(&tip, &format!("{class} tip"));
    }
    for s in 0..n {
        let (x, y) = at(s);
        let strip = mix.strips.get(s).unwrap_or(&mix.master);
        let kind = match strip.kind {
            StripKind::Track => "node track",
            StripKind::Bus => "node bus",
            StripKind::Master => "node master",
        };
        let class = if strip.mute {
            format!("{kind} muted")
        } else {
            kind.into()
        };
        out.rect(x, y, box_w, BOX_H, &class);
        let mut label = name(s).to_string();
        let fits = ((box_w - 12.0) / 7.5) as usize;
        if label.chars().count() > fits {
            label = label
                .chars()
                .take(fits.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
        out.text(x + box_w / 2.0, y + 18.0, Anchor::Middle, "nlabel", &label);
    }
    let ly = h - 12.0;
    let mut lx = PAD;
    for (class, text) in [
        ("e route", "output"),
        ("e send", "send"),
        ("e key", "sidechain key"),
    ] {
        out.line(lx, ly - 4.0, lx + 30.0, ly - 4.0, class);
        out.text(lx + 36.0, ly, Anchor::Start, "lbl", text);
        lx += 150.0;
    }
    for (class, text) in [
        ("node track", "track"),
        ("node bus", "bus"),
        ("node master", "master"),
    ] {
        out.rect(lx, ly - 11.0, 14.0, 12.0, class);
        out.text(lx + 20.0, ly, Anchor::Start, "lbl", text);
        lx += 90.0;
    }
    out.finish()
}
