//! Chain definitions and calls: `chain warm(air = 2dB) { ... }` and `warm(air: 3dB)`.
//! A call is expanded in place into the chain's statements, with each parameter's
//! word replaced by the value given at the call (or its default).
//!
//! Names resolve in scopes (see [`super::module`]): a call in the mix looks in the
//! mix's scope; a call inside a chain's body looks in the scope of the file that
//! defines that chain, so a module's chains can use its private helpers and imports.

use crate::diag::{Diagnostic, did_you_mean};
use crate::span::Span;
use crate::syntax::ast::{Block, Call, ChainDef, Stmt, Unit, Value, ValueKind};
use std::collections::BTreeMap;

/// A chain definition and the scope its body resolves names in.
#[derive(Clone, Copy)]
pub struct ChainRef<'a> {
    pub def: &'a ChainDef,
    pub scope: usize,
}

/// The chains callable from each scope: local ones by name, standard ones as `module.name`.
#[derive(Default)]
pub struct Chains<'a> {
    /// Scope 0 is the mix being compiled.
    pub scopes: Vec<BTreeMap<String, ChainRef<'a>>>,
}

/// A call being expanded: which definition, by what name, from where.
struct Frame {
    scope: usize,
    def: String,
    shown: String,
    span: Span,
}

impl Chains<'_> {
    /// Expands every call in `block` (written in the mix), recursively. Errors go to `diags`.
    pub fn expand(&self, block: &Block, diags: &mut Vec<Diagnostic>) -> Block {
        let mut stack = Vec::new();
        self.expand_in(block, 0, &BTreeMap::new(), &mut stack, diags)
    }

    fn expand_in(
        &self,
        block: &Block,
        scope: usize,
        subst: &BTreeMap<String, Value>,
        stack: &mut Vec<Frame>,
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
                        c.block = Some(self.expand_in(b, scope, subst, stack, diags));
                    }
                    out.push(Stmt::Command(c));
                }
                Stmt::Call(call) => {
                    if let Some(stmts) = self.call(call, scope, subst, stack, diags) {
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
        scope: usize,
        outer: &BTreeMap<String, Value>,
        stack: &mut Vec<Frame>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<Stmt>> {
        let name: String = call
            .path
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let defs = &self.scopes[scope];
        let Some(&ChainRef {
            def,
            scope: def_scope,
        }) = defs.get(&name)
        else {
            let mut d = Diagnostic::error(
                "unknown-name",
                call.span,
                format!("no chain named `{name}`"),
            )
            .with_label_text("unknown chain");
            if let Some(s) = did_you_mean(&name, defs.keys().map(String::as_str)) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            } else if call.path.len() == 2 && crate::stdlib::get(&call.path[0].name).is_some() {
                d = d.with_hint(format!("is `use std.{}` missing?", call.path[0].name));
            }
            diags.push(d);
            return None;
        };
        if let Some(pos) = stack
            .iter()
            .position(|f| f.scope == def_scope && f.def == def.name.name)
        {
            let cycle: Vec<&str> = stack[pos..]
                .iter()
                .map(|f| f.shown.as_str())
                .chain([name.as_str()])
                .collect();
            let mut d = Diagnostic::error(
                "recursive-chain",
                call.span,
                format!("chain recursion: {}", cycle.join(" -> ")),
            )
            .with_label_text("calls back into the cycle");
            for f in &stack[pos..] {
                d = d.with_label(f.span, format!("called `{}` here", f.shown));
            }
            diags.push(d);
            return None;
        }
        let mut subst = BTreeMap::new();
        // Given twice, the second value would silently win.
        let mut given = super::once::Once::default();
        for arg in &call.args {
            if let Some(d) = given.set(&arg.name.name, arg.span, " in this call") {
                diags.push(d);
                continue;
            }
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
        stack.push(Frame {
            scope: def_scope,
            def: def.name.name.clone(),
            shown: name,
            span: call.span,
        });
        let body = self.expand_in(&def.body, def_scope, &subst, stack, diags);
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
