//! The report's tables: strips and buses with their levels, and the exports with
//! the figures of the JSON/YAML report.
//!
//! Every number cell carries the unrounded value in `data-v` (Rust's shortest
//! round-trip form), so a reader or a test can compare it with the JSON report.

use super::svg::esc;
use crate::ir::{Mix, StripKind};
use crate::render::meters::Figures;
use crate::render::report::Report;
use std::fmt::Write;

/// A number cell: rounded to `dp` places for the eye, exact in `data-v`.
pub fn cell(x: Option<f64>, dp: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("<td class=\"n\" data-v=\"{v}\">{v:.dp$}</td>"),
        Some(v) if v < 0.0 => "<td class=\"n\" data-v=\"-inf\">-inf</td>".into(),
        _ => "<td class=\"n\">–</td>".into(),
    }
}

/// A serde enum's name as in the JSON report (`int24`, `tpdf`).
fn word<T: serde::Serialize>(x: &T) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(v) => v.to_string(),
        Err(_) => "?".into(),
    }
}

/// Clipping (over 0 dBFS) and near clipping (over -1 dBFS) flags.
fn flag(f: &Figures) -> &'static str {
    let top = f.true_peak_dbtp.unwrap_or(f.peak_dbfs).max(f.peak_dbfs);
    if top > 0.0 {
        "<td class=\"clip\">clips</td>"
    } else if top > -1.0 {
        "<td class=\"near\">near clipping</td>"
    } else {
        "<td class=\"ok\">ok</td>"
    }
}

/// Every strip and bus in file order, then the master.
pub fn strips(mix: &Mix, figures: &[Figures]) -> String {
    let mut t = String::from(
        "<table>\n<thead><tr><th>Strip</th><th>Kind</th><th>Peak dBFS</th>\
         <th>True peak dBTP</th><th>RMS dBFS</th><th>Integrated LUFS</th><th>Level</th>\
         </tr></thead>\n<tbody>\n",
    );
    for (s, f) in mix.strips.iter().chain([&mix.master]).zip(figures) {
        let kind = match s.kind {
            StripKind::Track => "track",
            StripKind::Bus => "bus",
            StripKind::Master => "master",
        };
        let muted = if s.mute { " (muted)" } else { "" };
        let _ = writeln!(
            t,
            "<tr class=\"{kind}\"><td>{}{muted}</td><td>{kind}</td>{}{}{}{}{}</tr>",
            esc(&s.name),
            cell(Some(f.peak_dbfs), 2),
            cell(f.true_peak_dbtp, 2),
            cell(Some(f.rms_dbfs), 2),
            cell(f.integrated_lufs, 2),
            flag(f)
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

/// The exports, with the same figures as the JSON/YAML report.
pub fn exports(r: &Report) -> String {
    let mut t = String::from(
        "<table>\n<thead><tr><th>File</th><th>Kind</th><th>Format</th><th>Duration s</th>\
         <th>Integrated LUFS</th><th>LRA LU</th><th>True peak dBTP</th>\
         <th>Sample peak dBFS</th><th>Drive dB</th><th>Max GR dB</th><th>Ceiling trim dB</th>\
         </tr></thead>\n<tbody>\n",
    );
    for e in &r.exports {
        let f = &e.format;
        let format = format!(
            "{} {} {} Hz, {} ch, dither {}",
            word(&f.container),
            word(&f.bits),
            f.rate,
            f.channels,
            word(&f.dither)
        );
        let path = e.path.display().to_string();
        let _ = writeln!(
            t,
            "<tr data-path=\"{}\"><td class=\"path\">{}</td><td>{}</td><td>{}</td>{}{}{}{}{}{}{}{}</tr>",
            esc(&path),
            esc(&path),
            e.kind,
            esc(&format),
            cell(Some(e.duration_s), 3),
            cell(e.integrated_lufs, 2),
            cell(e.lra_lu, 2),
            cell(e.true_peak_dbtp, 2),
            cell(e.sample_peak_dbfs, 2),
            cell(e.drive_db, 2),
            cell(e.max_gain_reduction_db, 2),
            cell(Some(e.ceiling_trim_db), 2),
        );
    }
    t.push_str("</tbody>\n</table>\n");
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_the_exact_value() {
        assert_eq!(
            cell(Some(-14.0123), 2),
            "<td class=\"n\" data-v=\"-14.0123\">-14.01</td>"
        );
        assert!(cell(Some(f64::NEG_INFINITY), 2).contains("-inf"));
        assert!(cell(None, 2).contains('–'));
        let f = |p| Figures {
            peak_dbfs: p,
            true_peak_dbtp: None,
            rms_dbfs: -20.0,
            integrated_lufs: None,
        };
        assert!(flag(&f(0.5)).contains("clips"));
        assert!(flag(&f(-0.5)).contains("near"));
        assert!(flag(&f(-3.0)).contains("ok"));
    }
}
