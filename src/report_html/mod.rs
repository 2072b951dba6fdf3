//! `--report FILE.html`: the render report people look at, not read.
//!
//! One self-contained page (inline SVG and CSS; no script, font, image or link
//! fetched from anywhere) with the master's waveform, loudness over time with the
//! limiter's gain reduction, a table of every strip, the exports with the JSON
//! report's figures, the signal graph and the warnings. `analyze --report` writes
//! the waveform and loudness views for any audio file.
//!
//! The page is a pure function of the measurements: the same render writes the same
//! bytes (no dates, no absolute temporary paths beyond what the report names).

pub mod diagram;
pub mod plots;
pub mod svg;
pub mod tables;

use crate::analysis::Measurement;
use crate::ir::{Mix, TempoMap};
use crate::render::RenderReport;
use crate::render::meters::Overview;
use std::fmt::Write;
use std::path::Path;
use svg::esc;

const CSS: &str = "\
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;background:#fff;margin:24px auto;max-width:1240px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
.facts{color:#4a5468;margin:0}.facts b{color:#1d2330;font-weight:600}
svg{display:block;max-width:100%;height:auto}
.lane{fill:#f5f7fa;stroke:#d5dbe5}.grid{stroke:#e3e7ee;stroke-width:1}.tick{stroke:#8a94a6}
.zero{stroke:#9aa4b5;stroke-width:.5}
.lbl{font-size:11px;fill:#5b6578}.name{font-size:13px;font-weight:600;fill:#1d2330}
.peak{fill:#8fb4e8}.rms{fill:#2f6fc8}
.mom{fill:none;stroke:#7fb3e0;stroke-width:1}.short{fill:none;stroke:#1f4f99;stroke-width:2}
.integ{stroke:#d4631a;stroke-width:1.5;stroke-dasharray:6 4}.integ-l{fill:#d4631a}
.target{stroke:#2a9d4b;stroke-width:1.5;stroke-dasharray:2 3}.target-l{fill:#2a9d4b}
.gr{fill:#e0645c;stroke:#b3362f;stroke-width:.5}
.e{fill:none;stroke:#59647a;stroke-width:1.4}.e.tip{fill:#59647a;stroke:none}
.send{stroke-dasharray:6 4}.key{stroke:#b3362f;stroke-dasharray:1.5 3}.key.tip{fill:#b3362f}
.node{stroke:#1d2330;stroke-width:1;rx:5}.track{fill:#e8f0fc}.bus{fill:#fdf0dc}.master{fill:#dff3e4}
.muted{opacity:.45}.nlabel{font-size:12.5px;fill:#1d2330}
.key-legend span{margin-right:18px}.sw{display:inline-block;width:22px;height:0;vertical-align:middle;margin-right:6px;border-top:2px solid}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{padding:4px 8px;border-bottom:1px solid #e6e9ef;text-align:left}
th{background:#f5f7fa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}td.path{font-family:ui-monospace,monospace;font-size:12px}
td.clip{color:#fff;background:#c4302b;font-weight:600}td.near{background:#fbe3b4}td.ok{color:#2a7d43}
pre{background:#fbf6e6;border:1px solid #ecdcae;padding:8px 10px;overflow-x:auto;font-size:12px}
.none{color:#2a7d43}
";

/// Whether `--report PATH` asks for the HTML report.
pub fn wanted(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "htm")
    )
}

/// The legend of a plot, as coloured swatches.
fn legend(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from("<p class=\"key-legend\">");
    for (color, style, text) in items {
        let _ = write!(
            s,
            "<span><i class=\"sw\" style=\"border-top:2px {style} {color}\"></i>{text}</span>"
        );
    }
    s.push_str("</p>\n");
    s
}

/// The waveform and loudness sections, shared by `render` and `analyze`.
fn views(o: &Overview, tempo: Option<&TempoMap>, target: Option<f64>) -> String {
    let mut s = String::from("<section id=\"waveform\">\n<h2>Master waveform</h2>\n");
    s.push_str(&plots::waveform(o, tempo));
    s.push_str(&legend(&[
        ("#8fb4e8", "solid", "peak (min to max)"),
        ("#2f6fc8", "solid", "RMS"),
    ]));
    s.push_str("</section>\n<section id=\"loudness\">\n<h2>Loudness over time</h2>\n");
    s.push_str(&plots::loudness(o, o.figures.integrated_lufs, target));
    s.push_str(&legend(&[
        ("#7fb3e0", "solid", "momentary (400 ms)"),
        ("#1f4f99", "solid", "short-term (3 s)"),
        ("#d4631a", "dashed", "integrated"),
        ("#2a9d4b", "dotted", "target"),
        ("#e0645c", "solid", "limiter gain reduction"),
    ]));
    s.push_str("</section>\n");
    s
}

fn page(title: &str, facts: &[(String, String)], body: &str) -> String {
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{t}</title>\n<style>\n{CSS}</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p class=\"facts\">",
        t = esc(title)
    );
    let list: Vec<String> = facts
        .iter()
        .map(|(k, v)| format!("{} <b>{}</b>", esc(k), esc(v)))
        .collect();
    s.push_str(&list.join(" · "));
    s.push_str("</p>\n");
    s.push_str(body);
    s.push_str("</body>\n</html>\n");
    s
}

use crate::clock::clock;

fn lufs(x: Option<f64>) -> String {
    x.map_or("-inf LUFS".into(), |v| format!("{v:.2} LUFS"))
}

/// The render report. `built` is the JSON/YAML report of the same render (its
/// figures fill the exports table); `warnings` are the compile's and the render's,
/// as printed.
pub fn render_page(
    mix: &Mix,
    file: &Path,
    r: &RenderReport,
    built: &crate::render::report::Report,
    warnings: &[String],
) -> Result<String, String> {
    let m = r
        .meters
        .as_ref()
        .ok_or("the render gathered no measurements")?;
    let o = &m.master;
    let title = mix.session.title.clone().unwrap_or_else(|| {
        file.file_name()
            .map_or("mix".into(), |f| f.to_string_lossy().into_owned())
    });
    let secs = r.frames as f64 / f64::from(mix.session.rate);
    let mut facts = vec![
        ("file".into(), file.display().to_string()),
        ("length".into(), clock(secs)),
        ("rate".into(), format!("{} Hz", mix.session.rate)),
        ("master".into(), lufs(o.figures.integrated_lufs)),
    ];
    if let Some(l) = &built.loudness {
        facts.push(("target".into(), format!("{:.1} LUFS", l.target_lufs)));
        facts.push(("drive".into(), format!("{:+.2} dB", l.drive_db)));
        if let Some(g) = l.max_gain_reduction_db {
            facts.push(("limiter".into(), format!("{g:.2} dB max reduction")));
        }
    }
    let target = mix.loudness.map(|l| l.lufs);
    let mut body = views(o, mix.session.tempo.as_ref(), target);
    body.push_str("<section id=\"strips\">\n<h2>Strips and buses</h2>\n");
    body.push_str(&tables::strips(mix, &m.strips));
    body.push_str("</section>\n<section id=\"exports\">\n<h2>Exports</h2>\n");
    body.push_str(&tables::exports(built));
    body.push_str("</section>\n<section id=\"graph\">\n<h2>Signal graph</h2>\n");
    body.push_str(&diagram::diagram(mix, plots::WIDTH));
    body.push_str("</section>\n<section id=\"warnings\">\n<h2>Warnings</h2>\n");
    if warnings.is_empty() {
        body.push_str("<p class=\"none\">No warnings.</p>\n");
    }
    for w in warnings {
        let _ = writeln!(body, "<pre>{}</pre>", esc(w.trim_end()));
    }
    body.push_str("</section>\n");
    Ok(page(&title, &facts, &body))
}

/// The `analyze` report of one audio file; `format` describes it (rate, channels, codec).
pub fn analyze_page(path: &Path, format: &str, m: &Measurement, o: &Overview) -> String {
    let facts = vec![
        ("length".into(), clock(m.duration_s)),
        ("format".into(), format.to_string()),
        ("integrated".into(), lufs(m.integrated_lufs)),
        ("LRA".into(), format!("{:.2} LU", m.lra_lu)),
        ("true peak".into(), format!("{:.2} dBTP", m.true_peak_dbtp)),
    ];
    let title = path
        .file_name()
        .map_or("audio".into(), |f| f.to_string_lossy().into_owned());
    page(&title, &facts, &views(o, None, None))
}

/// Writes `text` to `path`, creating its folder.
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    crate::render::report::write_text(path, text)
}
