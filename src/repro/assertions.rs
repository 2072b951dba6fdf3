//! Checking `assert` items after a render.
//!
//! Master quantities are read from the first master export as written (after
//! sample-rate conversion, dither and quantisation: what a listener gets). A strip's
//! quantities come from its post-fader signal, metered through an internal
//! [`ExportKind::Meter`] tap that [`with_meters`] adds to the mix before rendering: a
//! 32-bit float "file" at the session rate that is written nowhere.

use crate::analysis::Measurement;
use crate::diag::Diagnostic;
use crate::ir::{AssertCheck, Assertion, Dither, Export, ExportKind, Mix, Quantity, SampleFormat};
use crate::render::{RenderReport, Written};
use crate::span::Span;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The folder part of a meter tap's (never written) path.
const METER_DIR: &str = ".mixdown-meter";

/// `mix`, plus a meter tap for every strip an assertion measures.
pub fn with_meters(mix: &Mix) -> Cow<'_, Mix> {
    let of: BTreeSet<String> = mix
        .asserts
        .iter()
        .filter_map(|a| a.subject.clone())
        .filter(|s| s != "master")
        .collect();
    if of.is_empty() {
        return Cow::Borrowed(mix);
    }
    let mut m = mix.clone();
    m.exports.push(Export {
        kind: ExportKind::Meter {
            of: of.into_iter().collect(),
        },
        path: PathBuf::from(METER_DIR).join("{name}.meter"),
        format: crate::ir::FileFormat::Wav,
        bits: SampleFormat::Float32,
        rate: mix.session.rate,
        dither: Dither::None,
        tags: Default::default(),
        span: Span::detached(),
    });
    Cow::Owned(m)
}

/// Takes the meter taps out of the report (they are no files), keyed by strip name.
pub fn take_meters(report: &mut RenderReport) -> Vec<(String, Measurement)> {
    let (meters, files): (Vec<Written>, Vec<Written>) = std::mem::take(&mut report.files)
        .into_iter()
        .partition(|f| matches!(f.export.kind, ExportKind::Meter { .. }));
    report.files = files;
    meters
        .into_iter()
        .filter_map(|w| {
            let name = w.path.file_stem()?.to_string_lossy().into_owned();
            Some((name, w.measured?))
        })
        .collect()
}

/// One assertion, checked.
#[derive(Debug, Clone, Serialize)]
pub struct Checked {
    pub assertion: Assertion,
    /// What was measured, in the quantity's unit (`None`: nothing to measure, e.g. no
    /// master export; `-inf` loudness or peak is silence, serialised as `null`).
    pub measured: Option<f64>,
    pub passed: bool,
}

/// Checks every assertion of `mix` against the files of `report` and the strip meters.
pub fn check(mix: &Mix, report: &RenderReport, meters: &[(String, Measurement)]) -> Vec<Checked> {
    let master = report.files.iter().find(|f| f.master);
    mix.asserts
        .iter()
        .map(|a| {
            let measured = measure(a, master, meters);
            let passed = measured.is_some_and(|m| holds(a.check, m, a.value));
            Checked {
                assertion: a.clone(),
                measured,
                passed,
            }
        })
        .collect()
}

fn measure(
    a: &Assertion,
    master: Option<&Written>,
    meters: &[(String, Measurement)],
) -> Option<f64> {
    if a.quantity == Quantity::Length {
        return master.map(|f| f.seconds);
    }
    let m = match a.subject.as_deref() {
        Some("master") | None => master?.measured.as_ref()?,
        Some(s) => &meters.iter().find(|(n, _)| n == s)?.1,
    };
    Some(match a.quantity {
        Quantity::Loudness => m.integrated_lufs.unwrap_or(f64::NEG_INFINITY),
        Quantity::TruePeak => m.true_peak_dbtp,
        Quantity::Peak => m.sample_peak_dbfs,
        Quantity::Lra => m.lra_lu,
        Quantity::Length => m.duration_s,
    })
}

fn holds(check: AssertCheck, m: f64, v: f64) -> bool {
    match check {
        AssertCheck::Le => m <= v,
        AssertCheck::Ge => m >= v,
        AssertCheck::Lt => m < v,
        AssertCheck::Gt => m > v,
        AssertCheck::Eq => m == v,
        AssertCheck::Within(t) => (m - v).abs() <= t,
    }
}

/// A figure with its unit, as people write it (`-14.21 LUFS`, `3:20.000`).
fn show(q: Quantity, x: f64) -> String {
    match q {
        Quantity::Length => {
            let m = (x / 60.0).floor();
            format!("{}:{:06.3}", m as u64, x - m * 60.0)
        }
        _ if x.is_infinite() => format!("-inf {}", q.unit()),
        _ => format!("{x:.2} {}", q.unit()),
    }
}

/// One error per failed assertion, at its span.
pub fn diagnostics(checked: &[Checked]) -> Vec<Diagnostic> {
    checked
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            let a = &c.assertion;
            let q = a.quantity;
            let what = match &a.subject {
                Some(s) => format!("{s} {}", q.as_str()),
                None => q.as_str().to_string(),
            };
            let wanted = match a.check {
                AssertCheck::Within(t) => {
                    let tol = match q {
                        Quantity::Length => format!("{t:.3}s"),
                        Quantity::Loudness | Quantity::Lra => format!("{t} LU"),
                        _ => format!("{t} dB"),
                    };
                    format!("{} within {tol}", show(q, a.value))
                }
                op => format!("{} {}", op_str(op), show(q, a.value)),
            };
            let (message, label) = match c.measured {
                Some(m) => (
                    format!("assertion failed: {what} is {}", show(q, m)),
                    format!("asserted {wanted}"),
                ),
                None => (
                    format!("assertion failed: {what} could not be measured"),
                    "the mix has no master export to measure".to_string(),
                ),
            };
            let mut d = Diagnostic::error("assert-failed", a.span, message).with_label_text(label);
            if a.check == AssertCheck::Eq {
                d = d.with_hint("measured figures are rarely exact: use `VALUE within TOLERANCE`");
            }
            d
        })
        .collect()
}

fn op_str(op: AssertCheck) -> &'static str {
    match op {
        AssertCheck::Le => "<=",
        AssertCheck::Ge => ">=",
        AssertCheck::Lt => "<",
        AssertCheck::Gt => ">",
        AssertCheck::Eq | AssertCheck::Within(_) => "==",
    }
}
