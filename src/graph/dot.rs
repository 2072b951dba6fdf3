//! The graph as Graphviz DOT: strips left to right, routes solid, sends dashed,
//! sidechains dotted; each node lists its inserts.

use super::{EdgeKind, SignalGraph};
use crate::ir::{Mix, StripKind};
use petgraph::visit::{EdgeRef, IntoEdgeReferences};
use std::fmt::Write;

pub fn to_dot(mix: &Mix, g: &SignalGraph) -> String {
    let mut out =
        String::from("digraph mix {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    for (i, s) in mix.strips.iter().chain([&mix.master]).enumerate() {
        let inserts: Vec<&str> = s.inserts.iter().map(|x| x.name.as_str()).collect();
        let label = if inserts.is_empty() {
            s.name.clone()
        } else {
            format!("{}\\n{}", s.name, inserts.join(" > "))
        };
        let shape = match s.kind {
            StripKind::Track => "box",
            StripKind::Bus => "box, style=rounded",
            StripKind::Master => "doubleoctagon",
        };
        let _ = writeln!(
            out,
            "  n{i} [label=\"{}\", shape={shape}];",
            label.replace('"', "\\\"")
        );
    }
    let mut edges: Vec<_> = (&g.graph).edge_references().collect();
    edges.sort_by_key(|e| e.id());
    for e in edges {
        let (a, b) = (g.graph[e.source()].strip, g.graph[e.target()].strip);
        let attrs = match e.weight() {
            EdgeKind::Route => String::new(),
            EdgeKind::Send { level_db, pre } => format!(
                " [style=dashed, label=\"{}{}dB\"]",
                if *pre { "pre " } else { "" },
                crate::compile::values::fmt_num(*level_db)
            ),
            EdgeKind::Sidechain { .. } => " [style=dotted, label=\"key\"]".into(),
        };
        let _ = writeln!(out, "  n{a} -> n{b}{attrs};");
    }
    out.push_str("}\n");
    out
}
