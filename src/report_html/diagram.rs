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

/// Orders each level (down: from the second; up: from the last but one) by the
/// mean position of each node's neighbours (a node without any keeps its place).
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

/// A strip's box or a waypoint of a long edge (a Sugiyama "dummy").
#[derive(Clone, Copy)]
struct Slot {
    /// Left edge and top, and height.
    x: f64,
    y: f64,
    h: f64,
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
    let mut level_of = vec![0; n];
    for (l, lv) in levels.iter().enumerate() {
        for &s in lv {
            level_of[s] = l;
        }
    }
    // An edge across several levels runs through a waypoint in each level between,
    // which takes part in the ordering: long edges then go around boxes, not through.
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut total = n;
    for &(a, b, _) in &edges {
        let mut chain = vec![a];
        for lv in &mut levels[level_of[a] + 1..level_of[b]] {
            lv.push(total);
            chain.push(total);
            total += 1;
        }
        chain.push(b);
        chains.push(chain);
    }
    let (mut preds, mut succs) = (vec![Vec::new(); total], vec![Vec::new(); total]);
    for c in &chains {
        for w in c.windows(2) {
            preds[w[1]].push(w[0]);
            succs[w[0]].push(w[1]);
        }
    }
    let mut pos = vec![0.0; total];
    for lv in &levels {
        for (k, &s) in lv.iter().enumerate() {
            pos[s] = k as f64;
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
    // A box is tall enough to keep its edges apart; a waypoint is a thin lane.
    let height = |s: usize| {
        if s >= n {
            return 10.0;
        }
        let most = preds[s].len().max(succs[s].len()) as f64;
        (most * 7.0 + 8.0).max(BOX_H)
    };
    let gap = ROW - BOX_H;
    let span = |lv: &[usize]| lv.iter().map(|&s| height(s) + gap).sum::<f64>();
    let tallest = levels.iter().map(|l| span(l)).fold(0.0, f64::max);
    let mut slots = vec![
        Slot {
            x: 0.0,
            y: 0.0,
            h: 0.0
        };
        total
    ];
    for (l, lv) in levels.iter().enumerate() {
        let mut y = PAD + (tallest - span(lv)) / 2.0;
        for &s in lv {
            let h = height(s);
            slots[s] = Slot {
                x: PAD + col * l as f64,
                y,
                h,
            };
            y += h + gap;
        }
    }
    let legend = 30.0;
    let h = PAD + tallest + legend;
    let mut out = Svg::new(width, h, "signal graph: tracks to buses to the master");
    // Ports: each edge gets a slot on the right of its source and the left of its
    // target, ordered by where its next (or previous) point lies.
    let port = |list: Vec<(f64, usize)>, k: usize, h: f64| {
        let mut list = list;
        list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let slot = list.iter().position(|&(_, e)| e == k).unwrap_or(0);
        (slot as f64 + 1.0) * h / (list.len() as f64 + 1.0)
    };
    for (k, (&(a, b, kind), chain)) in edges.iter().zip(&chains).enumerate() {
        let outs = (chains.iter().enumerate())
            .filter(|(_, c)| c[0] == a)
            .map(|(j, c)| (slots[c[1]].y, j))
            .collect();
        let ins = (chains.iter().enumerate())
            .filter(|(_, c)| c[c.len() - 1] == b)
            .map(|(j, c)| (slots[c[c.len() - 2]].y, j))
            .collect();
        let (sa, sb) = (slots[a], slots[b]);
        let from = (sa.x + box_w, sa.y + port(outs, k, sa.h));
        let to = (sb.x - 6.0, sb.y + port(ins, k, sb.h));
        let mut d = String::new();
        let mut at = from;
        for &w in &chain[1..chain.len() - 1] {
            let y = slots[w].y + slots[w].h / 2.0;
            let (x0, x1) = (slots[w].x, slots[w].x + box_w);
            d.push_str(&svg::curve(at, (x0, y)));
            d.push_str(&format!(" L{},{} ", svg::num(x1), svg::num(y)));
            at = (x1, y);
        }
        d.push_str(&svg::curve(at, to));
        let class = match kind {
            EdgeKind::Route => "e route",
            EdgeKind::Send { .. } => "e send",
            EdgeKind::Sidechain { .. } => "e key",
        };
        out.path(&d, class);
        let tip = [
            (sb.x, to.1),
            (sb.x - 7.0, to.1 - 4.0),
            (sb.x - 7.0, to.1 + 4.0),
        ];
        out.polygon(&tip, &format!("{class} tip"));
    }
    for (s, &Slot { x, y, h: bh }) in slots.iter().enumerate().take(n) {
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
        out.rect(x, y, box_w, bh, &class);
        let mut label = name(s).to_string();
        let fits = ((box_w - 12.0) / 7.5) as usize;
        if label.chars().count() > fits {
            label = label
                .chars()
                .take(fits.saturating_sub(1))
                .collect::<String>()
                + "…";
        }
        out.text(
            x + box_w / 2.0,
            y + bh / 2.0 + 4.5,
            Anchor::Middle,
            "nlabel",
            &label,
        );
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
