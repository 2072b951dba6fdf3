//! Chain definitions and calls: `chain warm(air = 2dB) { ... }` and `warm(air: 3dB)`.
//! A call is expanded in place into the chain's statements, with each parameter's
//! word replaced by the value given at the call (or its default).

use crate::diag::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::syntax::ast::{Block, Call, ChainDef, Stmt, Unit, Value, ValueKind};
use std::collections::BTreeMap;

/// The chains callable from a file: local ones by name, module ones as `module.name`.
#[derive(Default)]
pub struct Chains<'a> {
    pub defs: BTreeMap<String, &'a ChainDef>,
}

impl<'a> Chains<'a> {
    /// Expands every call in `block`, recursively. Errors go to `diags`.
    pub fn expand(&self, block: &Block, diags: &mut Vec<Diagnostic>) -> Block {
        let mut stack = Vec::new();
        self.expand_in(block, &BTreeMap::new(), &mut stack, diags)
    }

    fn expand_in(
        &self,
        block: &Block,
        subst: &BTreeMap<String, Value>,
        stack: &mut Vec<(String, Span)>,
        diags: &mut Vec<Diagnostic>,
    ) -> Block {
        let mut out = Vec::new();
        for stmt in &block.stmts {
            match stmt {
                Stmt::Command(c) => {
                    let mut c = c.clone();
                    for v in &mut c.args {
                        substitute(v, subst);
                    }
                    if let Some(b) = &c.block {
                        c.block = Some(self.expand_in(b, subst, stack, diags));
                    }
                    out.push(Stmt::Command(c));
                }
                Stmt::Call(call) => {
                    if let Some(stmts) = self.call(call, subst, stack, diags) {
                        out.extend(stmts);
                    }
                }
            }
        }
        Block {
            stmts: out,
            span: block.span,
        }
    }

    fn call(
        &self,
        call: &Call,
        outer: &BTreeMap<String, Value>,
        stack: &mut Vec<(String, Span)>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Stmt>> {
        let name: String = call
            .path
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let Some(def) = self.defs.get(&name) else {
            let mut d = Diagnostic::error(
                "unknown-name",
                call.span,
                format!("no chain named `{name}`"),
            )
            .with_label_text("unknown chain");
            if let Some(s) = did_you_mean(&name, self.defs.keys().map(String::as_str)) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            } else if call.path.len() == 2 {
                d = d.with_hint(format!("is `use std.{}` missing?", call.path[0].name));
            }
            diags.push(d);
            return None;
        };
        if let Some(pos) = stack.iter().position(|(n, _)| *n == name) {
            let cycle: Vec<&str> = stack[pos..]
                .iter()
                .map(|(n, _)| n.as_str())
                .chain([name.as_str()])
                .collect();
            let mut d = Diagnostic::error(
                "recursive-chain",
                call.span,
                format!("chain recursion: {}", cycle.join(" -> ")),
            )
            .with_label_text("calls back into the cycle");
            for (n, span) in &stack[pos..] {
                d = d.with_label(*span, format!("called `{n}` here"));
            }
            diags.push(d);
            return None;
        }
        let mut subst = BTreeMap::new();
        for arg in &call.args {
            let Some(p) = def.params.iter().find(|p| p.name.name == arg.name.name) else {
                let mut d = Diagnostic::error(
                    "unknown-name",
                    arg.name.span,
                    format!("chain `{name}` has no parameter `{}`", arg.name.name),
                );
                if let Some(s) = did_you_mean(
                    &arg.name.name,
                    def.params.iter().map(|p| p.name.name.as_str()),
                ) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                continue;
            };
            let mut value = arg.value.clone();
            substitute(&mut value, outer);
            if let Some(default) = &p.default
                && !same_kind(default, &value)
            {
                diags.push(
                    Diagnostic::error(
                        "wrong-unit",
                        value.span,
                        format!(
                            "`{}` of chain `{name}` expects a value like {}",
                            p.name.name,
                            super::values::describe(default)
                        ),
                    )
                    .with_label(p.span, "declared here"),
                );
                continue;
            }
            subst.insert(p.name.name.clone(), value);
        }
        for p in &def.params {
            if subst.contains_key(&p.name.name) {
                continue;
            }
            match &p.default {
                Some(v) => {
                    subst.insert(p.name.name.clone(), v.clone());
                }
                None => diags.push(
                    Diagnostic::error(
                        "missing-value",
                        call.span,
                        format!("chain `{name}` needs `{}`", p.name.name),
                    )
                    .with_label(p.span, "declared without a default here"),
                ),
            }
        }
        stack.push((name, call.span));
        let body = self.expand_in(&def.body, &subst, stack, diags);
        stack.pop();
        Some(body.stmts)
    }
}

fn substitute(v: &mut Value, subst: &BTreeMap<String, Value>) {
    if let ValueKind::Word(w) = &v.kind
        && let Some(new) = subst.get(w)
    {
        // Keep the call's value but point at where it is used, so errors about it show the use.
        *v = Value {
            kind: new.kind.clone(),
            span: new.span,
        };
    }
}

/// Whether two values are of the same kind of quantity (for typed chain parameters).
fn same_kind(a: &Value, b: &Value) -> bool {
    fn family(u: Option<Unit>) -> u8 {
        match u {
            None => 0,
            Some(Unit::Db | Unit::Dbfs | Unit::Dbtp) => 1,
            Some(Unit::Hz | Unit::Khz) => 2,
            Some(Unit::Ms | Unit::S | Unit::Smp) => 3,
            Some(Unit::Percent) => 4,
            Some(Unit::Lufs) => 5,
            Some(Unit::Lu) => 6,
            Some(Unit::DbPerOct) => 7,
            Some(Unit::Bpm) => 8,
            Some(Unit::Float) => 9,
        }
    }
    match (&a.kind, &b.kind) {
        (ValueKind::Number { unit: ua, .. }, ValueKind::Number { unit: ub, .. }) => {
            family(*ua) == family(*ub)
        }
        (
            ValueKind::Number {
                unit: Some(Unit::Ms | Unit::S),
                ..
            },
            ValueKind::Fraction { .. },
        ) => true,
        (x, y) => std::mem::discriminant(x) == std::mem::discriminant(y),
    }
}
