//! A file path written in a module is relative to that module, as `use "x.mix"` is:
//! a module that ships its impulse response beside it must find it from any mix that
//! uses it. Chains expand into the caller's strips, where paths resolve against the
//! mix's folder, so a module's own strings are made absolute when it is loaded. A
//! string the caller passes as an argument stays the caller's.

use crate::syntax::ast::{Block, File, Item, Stmt, Value, ValueKind};
use std::path::Path;

/// Anchors every relative string literal in `file`'s chains to `dir`.
pub fn anchor(file: &mut File, dir: &Path) {
    for item in &mut file.items {
        if let Item::Chain(def) = item {
            for p in &mut def.params {
                if let Some(v) = &mut p.default {
                    value(v, dir);
                }
            }
            block(&mut def.body, dir);
        }
    }
}

fn block(b: &mut Block, dir: &Path) {
    for stmt in &mut b.stmts {
        match stmt {
            Stmt::Command(c) => {
                c.args.iter_mut().for_each(|v| value(v, dir));
                if let Some(inner) = &mut c.block {
                    block(inner, dir);
                }
            }
            Stmt::Call(call) => call.args.iter_mut().for_each(|a| value(&mut a.value, dir)),
        }
    }
}

fn value(v: &mut Value, dir: &Path) {
    if let ValueKind::Str(s) = &mut v.kind
        && Path::new(s.as_str()).is_relative()
    {
        *s = dir.join(&*s).to_string_lossy().into_owned();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::SourceId;

    #[test]
    fn a_modules_own_paths_are_anchored_and_absolute_ones_kept() {
        let text = "chain roomy(ir = \"halls/big.wav\") {\n  reverb \"room.wav\" { mix 30% }\n  \
                    other(ir: \"plate.wav\")\n  reverb \"/abs/ir.wav\"\n}\n";
        let mut file = crate::syntax::parse(SourceId(1), text).expect("parses");
        anchor(&mut file, Path::new("/lib/chains"));
        let Item::Chain(def) = &file.items[0] else {
            panic!("a chain")
        };
        let strings = |v: &Value| match &v.kind {
            ValueKind::Str(s) => s.clone(),
            other => panic!("{other:?}"),
        };
        let default = def.params[0].default.as_ref().expect("default");
        assert_eq!(strings(default), "/lib/chains/halls/big.wav");
        let got: Vec<String> = (def.body.stmts.iter())
            .map(|s| match s {
                Stmt::Command(c) => strings(&c.args[0]),
                Stmt::Call(c) => strings(&c.args[0].value),
            })
            .collect();
        assert_eq!(
            got,
            [
                "/lib/chains/room.wav",
                "/lib/chains/plate.wav",
                "/abs/ir.wav"
            ]
        );
    }
}
