//! `export` items: file format from the extension, sample format, rate, dither, tags,
//! and for `export stems` the strips to write.

use super::values::describe;
use crate::diag::Diagnostic;
use crate::ir::{Dither, Export, ExportKind, FileFormat, SampleFormat};
use crate::span::Span;
use crate::syntax::ast::{self, Stmt, Unit, Value, ValueKind};
use std::collections::BTreeMap;
use std::path::Path;

const SETTINGS: &[&str] = &["bits", "rate", "dither", "tags", "of"];

/// A word length: `16`, `24` or `32float` (an export's `bits`, and the master's).
pub fn bits(v: &Value) -> Result<SampleFormat, Diagnostic> {
    match v.kind {
        ValueKind::Number {
            value: 16.0,
            unit: None,
        } => Ok(SampleFormat::Int16),
        ValueKind::Number {
            value: 24.0,
            unit: None,
        } => Ok(SampleFormat::Int24),
        ValueKind::Number {
            value: 32.0,
            unit: Some(Unit::Float),
        } => Ok(SampleFormat::Float32),
        _ => Err(Diagnostic::error(
            "wrong-value",
            v.span,
            format!("`bits` is 16, 24 or 32float, found {}", describe(v)),
        )),
    }
}

/// Lowers one export. A master export that does not give `bits` takes
/// `master_bits` (the master's own `bits`, as `master.cd()` sets; 24 otherwise).
pub fn lower_export(
    e: &ast::Export,
    base: &Path,
    session_rate: u32,
    master_bits: SampleFormat,
    diags: &mut Vec<Diagnostic>,
) -> Export {
    let stems = match &e.kind {
        None => false,
        Some(k) if k.name == "stems" => true,
        Some(k) => {
            diags.push(
                Diagnostic::error(
                    "unknown-name",
                    k.span,
                    format!("unknown export kind `{}`", k.name),
                )
                .with_hint("write `export \"file.wav\"` or `export stems \"stems/{name}.wav\"`"),
            );
            false
        }
    };
    let ext = Path::new(&e.path.value)
        .extension()
        .and_then(|x| x.to_str())
        .map(str::to_ascii_lowercase);
    let format = match ext.as_deref() {
        Some("wav") => FileFormat::Wav,
        Some("flac") => FileFormat::Flac,
        _ => {
            diags.push(
                Diagnostic::error(
                    "unknown-format",
                    e.path.span,
                    "an export file must end in .wav or .flac",
                )
                .with_label_text("unknown file type"),
            );
            FileFormat::Wav
        }
    };
    if stems && !e.path.value.contains("{name}") {
        diags.push(Diagnostic::error(
            "wrong-value",
            e.path.span,
            "a stems pattern needs `{name}`, e.g. \"out/stems/{name}.wav\"",
        ));
    }
    let mut out = Export {
        kind: ExportKind::Master,
        path: base.join(&e.path.value),
        format,
        bits: if stems {
            SampleFormat::Int24
        } else {
            master_bits
        },
        rate: session_rate,
        dither: Dither::Tpdf,
        tags: BTreeMap::new(),
        span: e.span,
    };
    let mut of = Vec::new();
    let mut dither_given = None;
    let mut tags_given = None;
    let mut seen = super::once::Once::default();
    for stmt in &e.body.stmts {
        let Stmt::Command(c) = stmt else {
            diags.push(Diagnostic::error(
                "misplaced",
                stmt.span(),
                "chain calls cannot stand in an export",
            ));
            continue;
        };
        let key = c.name.name.as_str();
        if let Some(d) = seen.set(key, c.span, "") {
            diags.push(d);
            continue;
        }
        let one = c.args.first().filter(|_| c.args.len() == 1);
        match (key, one) {
            ("bits", Some(v)) => match bits(v) {
                Ok(b) => out.bits = b,
                Err(d) => diags.push(d),
            },
            ("rate", Some(v)) => match super::values::sample_rate(v, "an export rate") {
                Ok(hz) => out.rate = hz,
                Err(d) => diags.push(d),
            },
            (
                "dither",
                Some(Value {
                    kind: ValueKind::Word(w),
                    span,
                }),
            ) => {
                dither_given = Some(*span);
                out.dither = match w.as_str() {
                    "none" => Dither::None,
                    "tpdf" => Dither::Tpdf,
                    "shaped" => Dither::Shaped,
                    _ => {
                        diags.push(Diagnostic::error(
                            "unknown-choice",
                            *span,
                            format!("`dither` is none, tpdf or shaped, found `{w}`"),
                        ));
                        Dither::Tpdf
                    }
                }
            }
            ("tags", None) if c.block.is_some() && c.args.is_empty() => {
                tags_given = Some(c.span);
                for t in c.block.iter().flat_map(|b| &b.stmts) {
                    match t {
                        Stmt::Command(tc) => match tc.args.as_slice() {
                            [
                                Value {
                                    kind: ValueKind::Str(s),
                                    ..
                                },
                            ] => {
                                out.tags
                                    .insert(tc.name.name.to_ascii_uppercase(), s.clone());
                            }
                            _ => diags.push(Diagnostic::error(
                                "wrong-value",
                                tc.span,
                                "a tag is a name and a string, e.g. `title \"Midnight Drive\"`",
                            )),
                        },
                        Stmt::Call(call) => diags.push(Diagnostic::error(
                            "misplaced",
                            call.span,
                            "tags are `name \"value\"` lines",
                        )),
                    }
                }
            }
            ("of", _) if stems && !c.args.is_empty() => {
                for v in &c.args {
                    match &v.kind {
                        ValueKind::Word(w) => of.push((w.clone(), v.span)),
                        _ => diags.push(Diagnostic::error(
                            "wrong-value",
                            v.span,
                            format!("`of` lists strip names, found {}", describe(v)),
                        )),
                    }
                }
            }
            _ => {
                let mut d = Diagnostic::error(
                    "unknown-name",
                    c.span,
                    format!("`{key}` is not an export setting here"),
                );
                if let Some(s) = crate::diag::did_you_mean(key, SETTINGS.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{s}`? An export takes bits, rate, dither, tags and, for stems, of"));
                } else {
                    d = d.with_hint("an export takes `bits 16|24|32float`, `rate 44.1kHz`, `dither none|tpdf|shaped`, `tags { ... }` and, for stems, `of a, b`");
                }
                diags.push(d);
            }
        }
    }
    if out.bits == SampleFormat::Float32 {
        // Float output keeps every bit of the mix: nothing to dither.
        if let Some(span) = dither_given.filter(|_| out.dither != Dither::None) {
            diags.push(Diagnostic::warning(
                "ignored",
                span,
                "a 32-bit float file is not dithered: it keeps every bit of the mix",
            ));
        }
        out.dither = Dither::None;
    }
    if let (FileFormat::Wav, Some(span)) = (format, tags_given) {
        diags.push(
            Diagnostic::warning("ignored", span, "WAV files are written without tags")
                .with_hint("tags are written to FLAC exports (Vorbis comments)"),
        );
    }
    if format == FileFormat::Flac && out.bits == SampleFormat::Float32 {
        diags.push(Diagnostic::error(
            "wrong-value",
            e.span,
            "FLAC stores 16 or 24 bit integers; use `bits 16` or `bits 24`",
        ));
    }
    if stems {
        out.kind = ExportKind::Stems {
            of: of.iter().map(|(n, _)| n.clone()).collect(),
        };
        if of.is_empty() {
            diags.push(Diagnostic::error(
                "missing-value",
                e.span,
                "`export stems` needs `of` with the strips to write, e.g. `of drums, bass, vox`",
            ));
        }
    }
    out
}

/// The spans of the names in `of`, for routing checks (looked up again by the caller).
pub fn stem_name_spans(e: &ast::Export) -> Vec<(String, Span)> {
    e.body
        .stmts
        .iter()
        .filter_map(|s| match s {
            Stmt::Command(c) if c.name.name == "of" => Some(c),
            _ => None,
        })
        .flat_map(|c| c.args.iter())
        .filter_map(|v| match &v.kind {
            ValueKind::Word(w) => Some((w.clone(), v.span)),
            _ => None,
        })
        .collect()
}

/// Every name in a stems export's `of` is a track or a bus. The master is not a
/// stem: it is what `export "path"` writes (after its chain and the loudness solve).
pub fn check_stem_names(
    refs: &[(String, Span)],
    strips: &[crate::ir::Strip],
    diags: &mut Vec<Diagnostic>,
) {
    for (name, span) in refs {
        if name == "master" {
            diags.push(
                Diagnostic::error("wrong-value", *span, "the master is not a stem")
                    .with_hint("write the master with `export \"out/master.wav\"`"),
            );
        } else if !strips.iter().any(|s| &s.name == name) {
            let mut d = Diagnostic::error(
                "unknown-name",
                *span,
                format!("no track or bus named `{name}`"),
            );
            if let Some(s) = crate::diag::did_you_mean(name, strips.iter().map(|s| s.name.as_str()))
            {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
}
