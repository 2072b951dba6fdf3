//! Differences within one channel strip: fader and routing, sends, inserts and their
//! parameters, EQ bands.

use super::units::{self, db};
use crate::dsp::registry;
use crate::ir::{Band, Insert, Strip, StripKind};

pub fn kind(s: &Strip) -> &'static str {
    match s.kind {
        StripKind::Track => "track",
        StripKind::Bus => "bus",
        StripKind::Master => "master",
    }
}

/// `rates` are the two mixes' session rates, to tell lengths in seconds.
pub fn diff(a: &Strip, b: &Strip, rates: (u32, u32), out: &mut Vec<String>) {
    let n = &b.name;
    super::source::diff(n, a.source.as_ref(), b.source.as_ref(), rates, out);
    let mut setting = |what: &str, x: String, y: String| {
        if x != y {
            out.push(format!("{n}: {what} {x} -> {y}"));
        }
    };
    setting(
        "start",
        format!("{}smp", a.start),
        format!("{}smp", b.start),
    );
    setting(
        "region",
        format!("{:?}", a.region),
        format!("{:?}", b.region),
    );
    setting("trim", db(a.trim_db), db(b.trim_db));
    setting("gain", db(a.gain_db), db(b.gain_db));
    setting("pan", units::percent(a.pan), units::percent(b.pan));
    setting("width", units::percent(a.width), units::percent(b.width));
    let fade = |f: &Option<crate::ir::Fade>| {
        f.map_or("none".into(), |f| {
            format!("{}smp {:?}", f.length, f.curve).to_lowercase()
        })
    };
    setting("fade in", fade(&a.fade_in), fade(&b.fade_in));
    setting("fade out", fade(&a.fade_out), fade(&b.fade_out));
    let on = |b: bool, word: &str| {
        if b {
            format!("{word} on")
        } else {
            format!("{word} off")
        }
    };
    if a.mute != b.mute {
        out.push(format!("{n}: {}", on(b.mute, "mute")));
    }
    if a.solo != b.solo {
        out.push(format!("{n}: {}", on(b.solo, "solo")));
    }
    if a.polarity_inverted != b.polarity_inverted {
        out.push(format!(
            "{n}: polarity {}",
            if b.polarity_inverted {
                "inverted"
            } else {
                "normal"
            }
        ));
    }
    if a.output != b.output {
        out.push(format!(
            "{n} now routed to {}",
            b.output.as_deref().unwrap_or("master")
        ));
    }
    for s in &a.sends {
        match b.sends.iter().find(|t| t.to == s.to) {
            None => out.push(format!("removed send {n} -> {}", s.to)),
            Some(t) => {
                if t.level_db != s.level_db {
                    out.push(format!(
                        "{n}: send {} {} -> {}",
                        s.to,
                        db(s.level_db),
                        db(t.level_db)
                    ));
                }
                if t.pre != s.pre {
                    let w = |p: bool| if p { "pre-fader" } else { "post-fader" };
                    out.push(format!("{n}: send {} now {}", s.to, w(t.pre)));
                }
            }
        }
    }
    for t in &b.sends {
        if !a.sends.iter().any(|s| s.to == t.to) {
            out.push(format!("added send {n} -> {} {}", t.to, db(t.level_db)));
        }
    }
    inserts(n, &a.inserts, &b.inserts, out);
}

fn label(i: &Insert) -> String {
    if i.name == i.kind {
        i.kind.clone()
    } else {
        format!("{} {}", i.kind, i.name)
    }
}

fn inserts(n: &str, a: &[Insert], b: &[Insert], out: &mut Vec<String>) {
    for i in a {
        if !b.iter().any(|j| j.name == i.name) {
            out.push(format!("{n}: removed {}", label(i)));
        }
    }
    for j in b {
        let Some(i) = a.iter().find(|i| i.name == j.name) else {
            out.push(format!("{n}: added {}", label(j)));
            continue;
        };
        let spec = registry::lookup(&j.kind);
        let params = spec.map_or(&[][..], |s| s.params);
        params_diff(
            &format!("{n}: {}", label(j)),
            params,
            &i.params,
            &j.params,
            out,
        );
        bands(n, j, &i.bands, &j.bands, spec, out);
    }
    let order = |v: &[Insert], other: &[Insert]| -> Vec<String> {
        v.iter()
            .filter(|i| other.iter().any(|j| j.name == i.name))
            .map(|i| i.name.clone())
            .collect()
    };
    let (x, y) = (order(a, b), order(b, a));
    if x != y {
        out.push(format!(
            "{n}: inserts reordered: {} -> {}",
            x.join(", "),
            y.join(", ")
        ));
    }
}

fn params_diff(
    prefix: &str,
    specs: &[crate::dsp::param::ParamSpec],
    a: &std::collections::BTreeMap<String, crate::ir::ParamValue>,
    b: &std::collections::BTreeMap<String, crate::ir::ParamValue>,
    out: &mut Vec<String>,
) {
    for (k, y) in b {
        let x = a.get(k);
        if x == Some(y) {
            continue;
        }
        let kind = specs.iter().find(|p| p.name == k).map(|p| p.kind);
        let show =
            |v: Option<&crate::ir::ParamValue>| v.map_or("unset".into(), |v| units::param(kind, v));
        out.push(format!("{prefix} {k} {} -> {}", show(x), show(Some(y))));
    }
    for k in a.keys().filter(|k| !b.contains_key(*k)) {
        out.push(format!("{prefix} {k} unset"));
    }
}

/// A band as people name it: its `as` name, or its kind and frequency (`bell 3kHz`).
fn band_label(band: &Band) -> String {
    if band.name != band.kind {
        return band.name.clone();
    }
    match band.params.get("freq").and_then(|f| f.number()) {
        Some(f) => format!("{} {}", band.kind, units::hz(f)),
        None => band.kind.clone(),
    }
}

fn bands(
    n: &str,
    insert: &Insert,
    a: &[Band],
    b: &[Band],
    spec: Option<&crate::dsp::registry::ProcessorSpec>,
    out: &mut Vec<String>,
) {
    let prefix = format!("{n}: {}", label(insert));
    for x in a {
        if !b.iter().any(|y| y.name == x.name) {
            out.push(format!("{prefix}: removed {}", band_label(x)));
        }
    }
    for y in b {
        let Some(x) = a.iter().find(|x| x.name == y.name) else {
            out.push(format!("{prefix}: added {}", band_label(y)));
            continue;
        };
        let params = spec
            .and_then(|s| s.bands.iter().find(|bs| bs.kind == y.kind))
            .map_or(&[][..], |bs| bs.params);
        params_diff(
            &format!("{prefix} {}", band_label(x)),
            params,
            &x.params,
            &y.params,
            out,
        );
    }
}
