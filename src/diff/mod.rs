//! `mixdown diff`: what changed between two compiled mixes, in mix words
//! (`vox: eq bell 3kHz gain +2dB -> +3dB`, `added track shaker`,
//! `bass now routed to drums`). It compares the IRs, not the text, so moving a
//! block, reformatting or renaming a chain parameter shows no change, while a
//! chain's new default shows up in every strip that calls it.

mod source;
mod strip;
mod units;

use crate::ir::{Export, Mix};
use units::{hz, seconds};

/// Makes the paths in `mix` relative to `dir` (the mix file's folder), so two copies
/// of one mix in different places (git difftool hands over a temp copy) compare equal.
pub fn relative_to(mix: &mut Mix, dir: &std::path::Path) {
    for e in &mut mix.exports {
        if let Ok(rel) = e.path.strip_prefix(dir) {
            e.path = rel.to_path_buf();
        }
    }
    for s in &mut mix.strips {
        if let Some(crate::ir::Source::File { written, path, .. }) = &mut s.source {
            *path = written.as_str().into();
        }
    }
}

/// Every difference from `a` to `b`, one line each, in file order.
pub fn diff(a: &Mix, b: &Mix) -> Vec<String> {
    let mut out = Vec::new();
    let rates = (a.session.rate, b.session.rate);
    session(a, b, &mut out);
    for s in &a.strips {
        if !b.strips.iter().any(|t| t.name == s.name) {
            out.push(format!("removed {} {}", strip::kind(s), s.name));
        }
    }
    for t in &b.strips {
        match a.strips.iter().find(|s| s.name == t.name) {
            None => out.push(format!("added {} {}", strip::kind(t), t.name)),
            Some(s) => strip::diff(s, t, rates, &mut out),
        }
    }
    strip::diff(&a.master, &b.master, rates, &mut out);
    match (&a.loudness, &b.loudness) {
        (Some(x), Some(y)) if x.lufs != y.lufs => out.push(format!(
            "master: loudness {}LUFS -> {}LUFS",
            units::num(x.lufs),
            units::num(y.lufs)
        )),
        (None, Some(y)) => out.push(format!("master: added loudness {}LUFS", units::num(y.lufs))),
        (Some(_), None) => out.push("master: removed loudness target".into()),
        _ => {}
    }
    exports(&a.exports, &b.exports, &mut out);
    let lane = |l: &crate::ir::Lane| format!("{}.{}", l.strip, l.target.join("."));
    for l in &a.lanes {
        match b.lanes.iter().find(|m| lane(m) == lane(l)) {
            None => out.push(format!("removed automation of {}", lane(l))),
            Some(m) if m.points != l.points => {
                out.push(format!("changed automation of {}", lane(l)))
            }
            Some(_) => {}
        }
    }
    for m in &b.lanes {
        if !a.lanes.iter().any(|l| lane(l) == lane(m)) {
            out.push(format!("added automation of {}", lane(m)));
        }
    }
    // Without their spans: an assertion that only moved is the same assertion.
    let asserts = |m: &Mix| -> Vec<_> {
        m.asserts
            .iter()
            .map(|x| (x.subject.clone(), x.quantity, x.check, x.value))
            .collect()
    };
    if asserts(a) != asserts(b) {
        out.push(format!(
            "assertions changed ({} -> {})",
            a.asserts.len(),
            b.asserts.len()
        ));
    }
    out
}

fn session(a: &Mix, b: &Mix, out: &mut Vec<String>) {
    let (x, y) = (&a.session, &b.session);
    if x.title != y.title {
        let t = |t: &Option<String>| t.as_deref().map_or("(none)".into(), |t| format!("\"{t}\""));
        out.push(format!("session title {} -> {}", t(&x.title), t(&y.title)));
    }
    if x.rate != y.rate {
        out.push(format!(
            "session rate {} -> {}",
            hz(f64::from(x.rate)),
            hz(f64::from(y.rate))
        ));
    }
    if x.tail != y.tail {
        let t = |t: &crate::ir::Tail, rate: u32| match t {
            crate::ir::Tail::Auto => "auto".to_string(),
            crate::ir::Tail::Fixed(n) => seconds(*n as f64 / f64::from(rate)),
        };
        out.push(format!(
            "session tail {} -> {}",
            t(&x.tail, x.rate),
            t(&y.tail, y.rate)
        ));
    }
    if x.tempo != y.tempo {
        let t = |m: &Option<crate::ir::TempoMap>| {
            m.as_ref().map_or("none".into(), |m| {
                m.segments
                    .iter()
                    .map(|s| {
                        format!(
                            "{}bpm {}/{} at bar {}",
                            units::num(s.bpm),
                            s.beats_per_bar,
                            s.beat_unit,
                            s.bar
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
        };
        out.push(format!("session tempo {} -> {}", t(&x.tempo), t(&y.tempo)));
    }
}

fn exports(a: &[Export], b: &[Export], out: &mut Vec<String>) {
    let name = |e: &Export| e.path.display().to_string();
    for e in a {
        if !b.iter().any(|f| f.path == e.path) {
            out.push(format!("removed export \"{}\"", name(e)));
        }
    }
    for f in b {
        let Some(e) = a.iter().find(|e| e.path == f.path) else {
            out.push(format!("added export \"{}\"", name(f)));
            continue;
        };
        let mut change = |what: &str, x: String, y: String| {
            if x != y {
                out.push(format!("export \"{}\": {what} {x} -> {y}", name(f)));
            }
        };
        change(
            "bits",
            format!("{:?}", e.bits).to_lowercase(),
            format!("{:?}", f.bits).to_lowercase(),
        );
        change("rate", hz(f64::from(e.rate)), hz(f64::from(f.rate)));
        change(
            "dither",
            format!("{:?}", e.dither).to_lowercase(),
            format!("{:?}", f.dither).to_lowercase(),
        );
        change("kind", format!("{:?}", e.kind), format!("{:?}", f.kind));
        change("tags", format!("{:?}", e.tags), format!("{:?}", f.tags));
    }
}
