//! Routing checks on the lowered strips: every output, send, sidechain and stem names
//! a strip that exists (and the right kind), no routing loops (one diagnostic that
//! labels every edge of the loop), and warnings for buses nothing feeds and strips
//! that can never be heard.

use crate::diag::{Diagnostic, did_you_mean};
use crate::ir::{Strip, StripKind};
use crate::span::Span;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::BTreeMap;

/// One signal connection between strips, by index into the strip list.
#[derive(Debug, Clone)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub what: &'static str,
    pub span: Span,
}

/// Checks references and loops. `master` is index `strips.len()`.
pub fn check(strips: &[Strip], diags: &mut Vec<Diagnostic>) -> Vec<Edge> {
    let errors = |d: &[Diagnostic]| {
        (d.iter())
            .filter(|d| d.severity == crate::diag::Severity::Error)
            .count()
    };
    let before = errors(diags);
    let index: BTreeMap<&str, usize> = strips
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let master = strips.len();
    let mut edges = Vec::new();
    let buses = || {
        strips
            .iter()
            .filter(|s| s.kind == StripKind::Bus)
            .map(|s| s.name.as_str())
    };
    let resolve_bus =
        |name: &str, span: Span, what: &str, diags: &mut Vec<Diagnostic>| -> Option<usize> {
            match index.get(name) {
                Some(&i) if strips[i].kind == StripKind::Bus => Some(i),
                Some(_) => {
                    diags.push(
                        Diagnostic::error(
                            "not-a-bus",
                            span,
                            format!("`{name}` is a track; {what} a bus"),
                        )
                        .with_label_text("a track cannot take input"),
                    );
                    None
                }
                None => {
                    let mut d =
                        Diagnostic::error("unknown-name", span, format!("no bus named `{name}`"))
                            .with_label_text("unknown bus");
                    if let Some(s) = did_you_mean(name, buses()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    } else {
                        d = d.with_hint(format!("declare it with `bus {name} {{ }}`"));
                    }
                    diags.push(d);
                    None
                }
            }
        };
    for (i, s) in strips.iter().enumerate() {
        match &s.output {
            None => edges.push(Edge {
                from: i,
                to: master,
                what: "feeds",
                span: s.output_span,
            }),
            Some(out) => {
                if let Some(t) = resolve_bus(out, s.output_span, "`to` must name", diags) {
                    edges.push(Edge {
                        from: i,
                        to: t,
                        what: "feeds",
                        span: s.output_span,
                    });
                }
            }
        }
        for send in &s.sends {
            if send.to == "master" {
                diags.push(Diagnostic::error("not-a-bus", send.span, "send to a bus, not the master; every strip already feeds the master unless routed elsewhere"));
            } else if let Some(t) = resolve_bus(&send.to, send.span, "a send must go to", diags) {
                edges.push(Edge {
                    from: i,
                    to: t,
                    what: "sends to",
                    span: send.span,
                });
            }
        }
        for ins in &s.inserts {
            if let Some(key) = ins.params.get("sidechain").and_then(|v| v.text()) {
                match index.get(key) {
                    Some(&k) if k == i => diags.push(
                        Diagnostic::error(
                            "self-sidechain",
                            ins.span,
                            format!("`{}` is keyed from its own strip", ins.name),
                        )
                        .with_hint("leave `sidechain` out to key from the strip's own signal"),
                    ),
                    Some(&k) => edges.push(Edge {
                        from: k,
                        to: i,
                        what: "keys",
                        span: ins.span,
                    }),
                    None => {
                        let mut d = Diagnostic::error(
                            "unknown-name",
                            ins.span,
                            format!("sidechain `{key}` is not a track or bus"),
                        );
                        if let Some(s) = did_you_mean(key, strips.iter().map(|s| s.name.as_str())) {
                            d = d.with_hint(format!("did you mean `{s}`?"));
                        }
                        diags.push(d);
                    }
                }
            }
        }
    }
    report_loops(strips, &edges, diags);
    // With a route to nowhere or a loop, "nothing reaches the master" would blame
    // mutes for what the errors already say.
    if errors(diags) == before {
        warn_unused(strips, &edges, diags);
    }
    edges
}

fn name(strips: &[Strip], i: usize) -> &str {
    strips.get(i).map_or("master", |s| s.name.as_str())
}

fn report_loops(strips: &[Strip], edges: &[Edge], diags: &mut Vec<Diagnostic>) {
    let mut g: DiGraph<usize, usize> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..=strips.len()).map(|i| g.add_node(i)).collect();
    for (ei, e) in edges.iter().enumerate() {
        g.add_edge(nodes[e.from], nodes[e.to], ei);
    }
    let mut sccs = petgraph::algo::tarjan_scc(&g);
    sccs.iter_mut().for_each(|c| c.sort());
    sccs.sort();
    // A component of one strip is a loop only when the strip feeds itself (`to` or
    // `send` naming itself).
    let feeds_itself = |c: &Vec<NodeIndex>| {
        let i = g[c[0]];
        edges.iter().any(|e| e.from == i && e.to == i)
    };
    for scc in sccs.iter().filter(|c| c.len() > 1 || feeds_itself(c)) {
        let members: Vec<usize> = scc.iter().map(|n| g[*n]).collect();
        // Walk one cycle through the component, starting at its first strip in file order.
        let mut path = vec![members[0]];
        let mut used = Vec::new();
        loop {
            let cur = *path.last().expect("non-empty");
            let next = edges.iter().enumerate().find(|(ei, e)| {
                e.from == cur
                    && members.contains(&e.to)
                    && !used.contains(ei)
                    && (e.to == members[0] || !path.contains(&e.to))
            });
            match next {
                Some((ei, e)) => {
                    used.push(ei);
                    if e.to == members[0] {
                        break;
                    }
                    path.push(e.to);
                }
                None => break,
            }
        }
        let names: Vec<&str> = path
            .iter()
            .chain([&members[0]])
            .map(|&i| name(strips, i))
            .collect();
        let first = &edges[used[0]];
        let mut d = Diagnostic::error(
            "routing-loop",
            first.span,
            format!("routing loop: {}", names.join(" -> ")),
        )
        .with_label_text(format!(
            "{} {} {}",
            name(strips, first.from),
            first.what,
            name(strips, first.to)
        ));
        for &ei in &used[1..] {
            let e = &edges[ei];
            d = d.with_label(
                e.span,
                format!("{} {} {}", name(strips, e.from), e.what, name(strips, e.to)),
            );
        }
        diags.push(d.with_hint("a bus cannot feed itself, directly or through other buses; route one of these elsewhere"));
    }
}

fn warn_unused(strips: &[Strip], edges: &[Edge], diags: &mut Vec<Diagnostic>) {
    for (i, s) in strips.iter().enumerate() {
        if s.kind == StripKind::Bus && !edges.iter().any(|e| e.to == i && e.what != "keys") {
            diags.push(
                Diagnostic::warning(
                    "unused-bus",
                    s.span,
                    format!("nothing is routed or sent to bus `{}`", s.name),
                )
                .with_label_text("this bus stays silent"),
            );
        }
    }
    // A strip is heard if some path of outputs and sends reaches the master without passing a muted strip.
    let master = strips.len();
    let mut audible = vec![false; strips.len() + 1];
    audible[master] = true;
    for _ in 0..=strips.len() {
        for e in edges.iter().filter(|e| e.what != "keys") {
            if audible[e.to] && !strips[e.from].mute {
                audible[e.from] = true;
            }
        }
    }
    for (i, s) in strips.iter().enumerate() {
        if !audible[i] && !s.mute {
            diags.push(
                Diagnostic::warning(
                    "inaudible",
                    s.span,
                    format!("`{}` is routed nowhere audible", s.name),
                )
                .with_label_text("every path from here to the master passes a muted strip"),
            );
        }
    }
}
