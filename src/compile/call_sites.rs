//! Errors inside a called chain point at the chain's own text (often in a module or
//! the standard library); this adds a label at the call in the strip, so the user
//! sees which line of their mix brought the error in.

use super::chain::Chains;
use crate::diag::Diagnostic;
use crate::span::Span;
use crate::syntax::ast::{Block, Stmt};

/// Labels each of `diags` (raised while lowering `block`'s expansion) whose span
/// lies in the definition of a chain `block` calls, with that call.
pub fn label(chains: &Chains, block: &Block, diags: &mut [Diagnostic]) {
    let calls: Vec<(Span, Span)> = (block.stmts.iter())
        .filter_map(|s| match s {
            Stmt::Call(c) => Some(c),
            Stmt::Command(_) => None,
        })
        .filter_map(|c| {
            let name: Vec<&str> = c.path.iter().map(|i| i.name.as_str()).collect();
            let def = chains.scopes.first()?.get(&name.join("."))?.def;
            Some((c.span, def.span))
        })
        .collect();
    let inside =
        |d: Span, def: Span| d.source == def.source && def.range().contains(&d.range().start);
    for d in diags.iter_mut() {
        let Some(span) = d
            .labels
            .first()
            .map(|l| l.span)
            .filter(|s| !s.is_detached())
        else {
            continue;
        };
        // A chain's own body, or (for one calling others) any text outside the strip.
        let call = (calls.iter().find(|(_, def)| inside(span, *def)))
            .or_else(|| calls.iter().find(|_| span.source != block.span.source));
        if let Some(&(call, _)) = call
            && !d.labels.iter().any(|l| l.span == call)
        {
            d.labels.push(crate::diag::Label {
                span: call,
                message: "in this call".into(),
            });
        }
    }
}
