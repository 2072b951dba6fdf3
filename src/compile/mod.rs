//! Compiling: the syntax tree of a `.mix` file to the validated [`crate::ir::Mix`].
//! Every mistake in the file is reported at once, each with its span.

pub mod anchor;
pub mod assert;
pub mod automation;
pub mod call_sites;
pub mod chain;
pub mod export;
pub mod insert;
pub mod module;
pub mod once;
pub mod pick;
pub mod routing;
pub mod session;
pub mod strip;
pub mod synced;
pub mod tempo;
pub mod values;

use crate::diag::{Diagnostic, Severity};
use crate::ir::{self, Mix, NoiseColor, Source, StripKind};
use crate::span::{SourceId, Span};
use crate::syntax::ast::{self, Item, StripSource, ValueKind};
use crate::world::World;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use values::Units;

/// A compile's result: the mix when there were no errors, and every diagnostic
/// (warnings too) in source order.
#[derive(Debug)]
pub struct Compiled {
    pub mix: Option<Mix>,
    pub diags: Vec<Diagnostic>,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }
}

/// Loads, parses and compiles the mix at `path`.
pub fn compile_path(
    world: &dyn World,
    path: &Path,
) -> Result<(SourceId, Compiled), std::io::Error> {
    let id = world.load_source(path)?;
    Ok((id, compile(world, id)))
}

/// Compiles an already loaded source.
pub fn compile(world: &dyn World, id: SourceId) -> Compiled {
    let source = world.source(id);
    let file = match crate::syntax::parse(id, &source.text) {
        Ok(f) => f,
        Err(diags) => return Compiled { mix: None, diags },
    };
    let base = source.dir.clone().unwrap_or_default();
    let mut diags = Vec::new();
    let loaded = module::load(world, id, &file, &base, &mut diags);
    let chains = loaded.chains(&file, &mut diags);
    let mix = lower_file(&file, &base, &chains, &mut diags);
    diags.sort_by_key(|d| {
        d.primary_span()
            .map(|s| (s.source, s.start))
            .unwrap_or_default()
    });
    // A mistake inside a chain body is found once per call; report it once.
    diags.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.labels == b.labels);
    let failed = diags.iter().any(Diagnostic::is_error);
    Compiled {
        mix: (!failed).then_some(mix),
        diags,
    }
}

/// A stable seed per track name, so noise generators are reproducible and decorrelated.
fn seed_for(name: &str) -> u64 {
    let h = blake3::hash(name.as_bytes());
    u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

fn lower_file(
    file: &ast::File,
    base: &Path,
    chains: &chain::Chains,
    diags: &mut Vec<Diagnostic>,
) -> Mix {
    // An album file is rendered by `crate::album`; lowering it here reports its mistakes.
    crate::album::lower::lower(file, base, diags);
    let mut sessions = Vec::new();
    for item in &file.items {
        if let Item::Session(s) = item {
            sessions.push(s);
        }
    }
    for extra in sessions.iter().skip(1) {
        diags.push(
            Diagnostic::error(
                "duplicate-setting",
                extra.span,
                "a mix has one session block",
            )
            .with_label(sessions[0].span, "the first one"),
        );
    }
    let settings = session::lower_session(sessions.first().copied(), diags);
    let rate = settings.rate;
    let units = Units {
        rate: f64::from(rate),
        tempo: settings.tempo.as_ref(),
        base,
    };

    let mut strips: Vec<ir::Strip> = Vec::new();
    let mut names: BTreeMap<String, Span> = BTreeMap::new();
    let mut master: Option<(ir::Strip, Option<ir::LoudnessTarget>)> = None;
    let mut master_bits = ir::SampleFormat::Int24;
    let mut export_items = Vec::new();
    let mut stem_refs = Vec::new();
    let mut automations = Vec::new();
    let mut asserts = Vec::new();
    for item in &file.items {
        match item {
            Item::Strip(s) => {
                if s.name.name == "master" {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-name",
                            s.name.span,
                            "`master` is the name of the master strip",
                        )
                        .with_hint("write the master's settings in `master { ... }`"),
                    );
                    continue;
                }
                if let Some(first) = names.insert(s.name.name.clone(), s.name.span) {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-name",
                            s.name.span,
                            format!("`{}` is declared twice", s.name.name),
                        )
                        .with_label(first, "first declared here"),
                    );
                    continue;
                }
                strips.push(lower_strip(s, base, &units, chains, diags));
            }
            Item::Master(m) => {
                if master.is_some() {
                    diags.push(Diagnostic::error(
                        "duplicate-setting",
                        m.span,
                        "a mix has one master block",
                    ));
                    continue;
                }
                let mut strip = strip::new_strip("master", StripKind::Master, m.span);
                let first = diags.len();
                let body = chains.expand(&m.body, diags);
                let extras =
                    strip::StripLowering::new(&units, diags, false).lower(&mut strip, &body);
                call_sites::label(chains, &m.body, &mut diags[first..]);
                master_bits = extras.bits.unwrap_or(master_bits);
                master = Some((
                    strip,
                    extras
                        .loudness
                        .map(|(lufs, span)| ir::LoudnessTarget { lufs, span }),
                ));
            }
            Item::Export(e) => {
                stem_refs.extend(export::stem_name_spans(e));
                export_items.push(e);
            }
            Item::Automate(a) => automations.push(a),
            Item::Assert(a) => asserts.push(a),
            _ => {}
        }
    }
    // After the master, whose `bits` the master exports default to, wherever it is.
    let mut exports: Vec<ir::Export> = (export_items.iter())
        .map(|e| export::lower_export(e, base, rate, master_bits, diags))
        .collect();
    routing::check(&strips, diags);
    export::check_stem_names(&stem_refs, &strips, diags);
    if exports.is_empty() {
        exports.push(default_export(base, rate, master_bits));
    }
    let (master, loudness) = master.unwrap_or_else(|| {
        (
            strip::new_strip("master", StripKind::Master, Span::detached()),
            None,
        )
    });
    let all: Vec<&ir::Strip> = strips.iter().chain([&master]).collect();
    let mut lanes = automation::lower(&automations, &all, &units, diags);
    let tempo = settings.tempo.as_ref().map(|t| &t.map);
    lanes.extend(synced::lanes(&all, tempo, &lanes));
    let asserts = assert::lower(&asserts, &strips, &units, diags);
    Mix {
        session: ir::Session {
            title: settings.title,
            rate,
            tail: settings.tail,
            tempo: settings.tempo.map(|t| t.map),
        },
        strips,
        master,
        loudness,
        exports,
        lanes,
        asserts,
    }
}

/// With no `export`: one WAV at `out/<file name>.wav` beside the file, 24-bit unless
/// the master says otherwise (`bits`, as `master.cd()` sets).
pub fn default_export(base: &Path, rate: u32, bits: ir::SampleFormat) -> ir::Export {
    ir::Export {
        kind: ir::ExportKind::Master,
        path: base.join("out").join("{file}.wav"),
        format: ir::FileFormat::Wav,
        bits,
        rate,
        dither: if bits == ir::SampleFormat::Float32 {
            ir::Dither::None
        } else {
            ir::Dither::Tpdf
        },
        tags: BTreeMap::new(),
        span: Span::detached(),
    }
}

fn lower_strip(
    s: &ast::Strip,
    base: &Path,
    units: &Units,
    chains: &chain::Chains,
    diags: &mut Vec<Diagnostic>,
) -> ir::Strip {
    let kind = match s.kind {
        ast::StripKind::Track => StripKind::Track,
        ast::StripKind::Bus => StripKind::Bus,
    };
    let mut strip = strip::new_strip(&s.name.name, kind, s.name.span);
    let is_generator = matches!(s.source, Some(StripSource::Generator { .. }));
    let first = diags.len();
    let body = chains.expand(&s.body, diags);
    let extras = strip::StripLowering::new(units, diags, is_generator).lower(&mut strip, &body);
    call_sites::label(chains, &s.body, &mut diags[first..]);
    strip.source = match &s.source {
        None if kind == StripKind::Track => {
            diags.push(
                Diagnostic::error(
                    "missing-value",
                    s.name.span,
                    format!("track `{}` needs a file or a generator", s.name.name),
                )
                .with_hint("e.g. `track vox \"stems/vox.wav\"` or `track tone sine 1kHz`"),
            );
            None
        }
        None => None,
        Some(StripSource::File(path)) => Some(Source::File {
            written: path.value.clone(),
            path: resolve(base, &path.value),
            span: path.span,
        }),
        Some(StripSource::Generator {
            kind: gk,
            args,
            span,
        }) => lower_generator(&s.name.name, gk, args, *span, &extras, units, diags),
    };
    if !is_generator && let Some((_, span)) = extras.level.or(extras.length.map(|(_, s)| (0.0, s)))
    {
        diags.push(Diagnostic::error(
            "misplaced",
            span,
            "`level` and `length` belong to generator tracks",
        ));
    }
    strip
}

fn resolve(base: &Path, written: &str) -> PathBuf {
    base.join(written)
}

fn lower_generator(
    name: &str,
    kind: &ast::Ident,
    args: &[ast::Value],
    span: Span,
    extras: &strip::Extras,
    units: &Units,
    diags: &mut Vec<Diagnostic>,
) -> Option<Source> {
    let Some((length, _)) = extras.length else {
        diags.push(
            Diagnostic::error("missing-value", span, "a generator needs a `length`")
                .with_hint("add e.g. `length 10s` to the track's block"),
        );
        return None;
    };
    let level_db = extras.level.map(|l| l.0);
    let nyquist = units.rate / 2.0;
    match (kind.name.as_str(), args) {
        ("sine", [v]) => match v.kind {
            ValueKind::Number {
                value,
                unit: Some(u @ (ast::Unit::Hz | ast::Unit::Khz)),
            } => {
                let hz = if u == ast::Unit::Khz {
                    value * 1000.0
                } else {
                    value
                };
                if hz <= 0.0 || hz >= nyquist {
                    diags.push(Diagnostic::error(
                        "out-of-range",
                        v.span,
                        format!(
                            "a sine must be between 0 and the Nyquist frequency ({}Hz)",
                            values::fmt_num(nyquist)
                        ),
                    ));
                    return None;
                }
                Some(Source::Sine {
                    freq_hz: hz,
                    level_db: level_db.unwrap_or(-18.0),
                    length,
                })
            }
            _ => {
                diags.push(Diagnostic::error(
                    "wrong-unit",
                    v.span,
                    format!(
                        "`sine` expects a frequency such as 1kHz, found {}",
                        values::describe(v)
                    ),
                ));
                None
            }
        },
        (
            "noise",
            [
                ast::Value {
                    kind: ValueKind::Word(c),
                    span: cspan,
                },
            ],
        ) => {
            let color = match c.as_str() {
                "white" => NoiseColor::White,
                "pink" => NoiseColor::Pink,
                _ => {
                    diags.push(Diagnostic::error(
                        "unknown-choice",
                        *cspan,
                        format!("noise is `white` or `pink`, found `{c}`"),
                    ));
                    return None;
                }
            };
            Some(Source::Noise {
                color,
                level_db: level_db.unwrap_or(-18.0),
                length,
                seed: seed_for(name),
            })
        }
        ("silence", []) => Some(Source::Silence { length }),
        ("sine" | "noise" | "silence", _) => {
            diags.push(Diagnostic::error(
                "wrong-value",
                span,
                "write `sine FREQ`, `noise white|pink` or `silence`",
            ));
            None
        }
        (other, _) => {
            let mut d = Diagnostic::error(
                "unknown-name",
                kind.span,
                format!("unknown generator `{other}`"),
            )
            .with_hint("generators are sine, noise and silence; a file path goes in quotes");
            if let Some(s) = crate::diag::did_you_mean(other, ["sine", "noise", "silence"]) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            diags.push(d);
            None
        }
    }
}
