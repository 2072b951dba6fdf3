//! Lowering a channel strip (`track`, `bus`, `master`): its settings, which mean the
//! same wherever they stand in the block, and its inserts, in written order.
//!
//! This file decides what each statement of a strip block is (a setting, a
//! processor, or a mistake) and checks for repeats; reading one setting's values
//! is in `strip_settings.rs`.

use super::insert::lower_insert;
use super::values::Units;
use crate::diag::{Diagnostic, did_you_mean};
use crate::dsp::registry;
use crate::ir::{Insert, Strip, StripKind};
use crate::span::Span;
use crate::syntax::ast::{Block, Command, Stmt, Value, ValueKind};
use std::collections::BTreeMap;

#[path = "strip_settings.rs"]
mod settings;

/// Settings every strip understands (the master takes a subset, see [`MASTER_SETTINGS`]).
pub const STRIP_SETTINGS: &[&str] = &[
    "start", "region", "trim", "gain", "pan", "width", "mute", "solo", "polarity", "fade", "send",
    "to",
];
pub const MASTER_SETTINGS: &[&str] = &["trim", "gain", "width", "loudness", "bits"];
/// Settings of generator tracks.
pub const GENERATOR_SETTINGS: &[&str] = &["level", "length"];

/// What a strip block holds besides the strip itself.
#[derive(Default)]
pub struct Extras {
    /// `level` and `length` of a generator track.
    pub level: Option<(f64, Span)>,
    pub length: Option<(u64, Span)>,
    /// `loudness -14LUFS` in the master.
    pub loudness: Option<(f64, Span)>,
    /// `bits 16` in the master: the word length of master exports that give none.
    pub bits: Option<crate::ir::SampleFormat>,
}

/// An empty strip with console defaults.
pub fn new_strip(name: &str, kind: StripKind, span: Span) -> Strip {
    Strip {
        name: name.into(),
        kind,
        span,
        source: None,
        start: 0,
        region: None,
        trim_db: 0.0,
        gain_db: 0.0,
        pan: 0.0,
        width: 1.0,
        mute: false,
        solo: false,
        polarity_inverted: false,
        fade_in: None,
        fade_out: None,
        inserts: vec![],
        sends: vec![],
        output: None,
        output_span: Span::detached(),
    }
}

pub struct StripLowering<'a> {
    pub units: &'a Units<'a>,
    pub diags: &'a mut Vec<Diagnostic>,
    pub is_generator: bool,
    seen: super::once::Once,
}

impl<'a> StripLowering<'a> {
    pub fn new(units: &'a Units<'a>, diags: &'a mut Vec<Diagnostic>, is_generator: bool) -> Self {
        Self {
            units,
            diags,
            is_generator,
            seen: super::once::Once::default(),
        }
    }

    /// Applies every statement of `body` (chain calls already expanded) to `strip`.
    pub fn lower(&mut self, strip: &mut Strip, body: &Block) -> Extras {
        let mut extras = Extras::default();
        for stmt in &body.stmts {
            match stmt {
                Stmt::Command(c) => self.command(strip, c, &mut extras),
                Stmt::Call(c) => self.diags.push(Diagnostic::error(
                    "internal",
                    c.span,
                    "chain call left unexpanded",
                )),
            }
        }
        self.check_insert_names(&strip.inserts);
        extras
    }

    fn once(&mut self, key: &str, span: Span) -> bool {
        match self.seen.set(key, span, " in this strip") {
            Some(d) => {
                self.diags.push(d);
                false
            }
            None => true,
        }
    }

    fn command(&mut self, strip: &mut Strip, c: &Command, extras: &mut Extras) {
        let key = c.name.name.as_str();
        let is_master = strip.kind == StripKind::Master;
        let allowed = if is_master {
            MASTER_SETTINGS.contains(&key)
        } else {
            STRIP_SETTINGS.contains(&key)
        };
        let generator_setting = self.is_generator && GENERATOR_SETTINGS.contains(&key);
        // `gain -2dB` is the fader; `gain { gain -2dB }` and `gain as vol -2dB` are the
        // gain processor, placed among the inserts (a setting has no `as` name).
        let setting_first =
            (allowed || generator_setting) && c.block.is_none() && c.alias.is_none();
        if let Some(spec) = registry::lookup(key).filter(|_| !setting_first) {
            if c.block.is_none() && spec.arg.is_none() && c.args.is_empty() {
                self.diags.push(
                    Diagnostic::error(
                        "missing-block",
                        c.span,
                        format!("`{key}` needs its settings in a block"),
                    )
                    .with_hint(format!("write `{key} {{ ... }}`")),
                );
            }
            let insert = lower_insert(c, spec, self.units, self.diags);
            strip.inserts.push(insert);
            return;
        }
        if !allowed && !generator_setting {
            self.diags.push(self.unknown(c, strip.kind));
            return;
        }
        if let Some(alias) = &c.alias {
            self.diags.push(
                Diagnostic::error(
                    "bad-alias",
                    alias.span,
                    format!("`{key}` is a strip setting, which takes no `as` name"),
                )
                .with_hint("`as NAME` names a processor, e.g. `compressor as peaks { ... }`"),
            );
            return;
        }
        // `fade in` and `fade out` are two settings; sends may repeat (one per bus).
        let once_key = match (key, c.args.first().map(|v| &v.kind)) {
            ("fade", Some(ValueKind::Word(dir))) => format!("fade {dir}"),
            _ => key.to_string(),
        };
        if key != "send" && !self.once(&once_key, c.span) {
            return;
        }
        let args = c.args.as_slice();
        let res = match key {
            "start" => self
                .one(c)
                .and_then(|v| self.units.position(v))
                .map(|s| strip.start = s),
            "region" => self.region(c).map(|r| strip.region = Some(r)),
            "trim" => self.level(c, -120.0, 48.0).map(|v| strip.trim_db = v),
            "gain" => self
                .level(c, f64::NEG_INFINITY, 24.0)
                .map(|v| strip.gain_db = v),
            "pan" => self.percent(c, -100.0, 100.0).map(|v| strip.pan = v),
            "width" => self.percent(c, 0.0, 400.0).map(|v| strip.width = v),
            "mute" => self.flag(c, "on", "off").map(|v| strip.mute = v),
            "solo" => self.flag(c, "on", "off").map(|v| strip.solo = v),
            "polarity" => self
                .flag(c, "invert", "normal")
                .map(|v| strip.polarity_inverted = v),
            "fade" => self.fade(strip, c),
            "send" => self.send(c).map(|s| strip.sends.push(s)),
            "to" => match args {
                [
                    Value {
                        kind: ValueKind::Word(w),
                        span,
                    },
                ] => {
                    strip.output = Some(w.clone()).filter(|w| w != "master");
                    strip.output_span = *span;
                    Ok(())
                }
                _ => Err(Diagnostic::error(
                    "wrong-value",
                    c.span,
                    "`to` names the bus this strip feeds, e.g. `to drums`",
                )),
            },
            "level" => self
                .level(c, f64::NEG_INFINITY, 0.0)
                .map(|v| extras.level = Some((v, c.span))),
            "length" => self
                .one(c)
                .and_then(|v| self.units.duration(v))
                .map(|v| extras.length = Some((v, c.span))),
            "loudness" => self
                .loudness(c)
                .map(|v| extras.loudness = Some((v, c.span))),
            "bits" => self
                .one(c)
                .and_then(super::export::bits)
                .map(|b| extras.bits = Some(b)),
            _ => unreachable!("every allowed setting is handled"),
        };
        if let Err(d) = res {
            self.diags.push(d);
        }
    }

    fn unknown(&self, c: &Command, kind: StripKind) -> Diagnostic {
        let key = &c.name.name;
        let settings = if kind == StripKind::Master {
            MASTER_SETTINGS
        } else {
            STRIP_SETTINGS
        };
        let gens = if self.is_generator {
            GENERATOR_SETTINGS
        } else {
            &[]
        };
        let all = settings
            .iter()
            .chain(gens)
            .copied()
            .chain(registry::kinds());
        let mut d = Diagnostic::error(
            "unknown-name",
            c.name.span,
            format!("unknown setting or processor `{key}`"),
        )
        .with_label_text("not a strip setting or processor");
        if let Some(s) = did_you_mean(key, all) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        } else if kind == StripKind::Master && STRIP_SETTINGS.contains(&key.as_str()) {
            d = Diagnostic::error(
                "misplaced",
                c.name.span,
                format!("`{key}` is a setting of tracks and buses, not of the master"),
            );
        } else if kind != StripKind::Master && MASTER_SETTINGS.contains(&key.as_str()) {
            d = Diagnostic::error(
                "misplaced",
                c.name.span,
                format!("`{key}` is a setting of the master"),
            )
            .with_hint("write it in `master { ... }`, and call a chain that sets it (such as `master.streaming()`) there");
        }
        d
    }

    fn check_insert_names(&mut self, inserts: &[Insert]) {
        let mut names: BTreeMap<&str, Span> = BTreeMap::new();
        for i in inserts {
            if let Some(first) = names.insert(&i.name, i.span) {
                self.diags.push(
                    Diagnostic::error(
                        "duplicate-name",
                        i.span,
                        format!("two processors named `{}` in one strip", i.name),
                    )
                    .with_label(first, "the first one")
                    .with_hint(format!(
                        "tell them apart with `as`, e.g. `{} as {}2 {{ ... }}`",
                        i.kind, i.kind
                    )),
                );
            }
        }
    }
}
