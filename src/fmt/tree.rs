//! The syntax tree as `fmt` sees it: every statement is a head (its text up to the
//! block, written canonically) and an optional block of child statements. Laying
//! out one shape is what keeps every block of every item formatted alike.

use crate::span::Span;
use crate::syntax::ast::*;

/// One statement: `compressor as duck`, `track vox "vox.wav"`, `0:02 0dB linear`.
pub struct Node {
    pub head: String,
    /// Byte range of the whole statement, block included.
    pub start: usize,
    pub end: usize,
    pub block: Option<Group>,
}

/// The statements of a `{ }` block (or of the whole file).
pub struct Group {
    /// Byte range of the block, braces included.
    pub start: usize,
    pub end: usize,
    pub children: Vec<Node>,
}

/// Builds heads from the source text, so numbers keep the digits the user wrote.
pub struct Builder<'s> {
    pub src: &'s str,
}

impl Builder<'_> {
    pub fn file(&self, f: &File) -> Group {
        Group {
            start: 0,
            end: self.src.len(),
            children: f.items.iter().map(|i| self.item(i)).collect(),
        }
    }

    /// pest's spans can run on over trailing spaces and a comment (the implicit
    /// whitespace rule skips them while looking for one more value), so a
    /// statement ends at its block's `}` or at its last token.
    fn node(&self, head: String, span: Span, block: Option<Group>) -> Node {
        let start = span.start as usize;
        let end = match &block {
            Some(g) => g.end,
            None => {
                let raw = &self.src[start..span.end as usize];
                let code = super::comments::scan(raw)
                    .first()
                    .map_or(raw, |c| &raw[..c.start]);
                start + code.trim_end().len()
            }
        };
        Node {
            head,
            start,
            end,
            block,
        }
    }

    /// A written block; `None` for an optional block that is absent.
    fn block(&self, b: &Block) -> Option<Group> {
        (b.span.start != b.span.end).then(|| Group {
            start: b.span.start as usize,
            end: b.span.end as usize,
            children: b.stmts.iter().map(|s| self.stmt(s)).collect(),
        })
    }

    fn item(&self, item: &Item) -> Node {
        match item {
            Item::Use(u) => {
                let target = match &u.target {
                    UseTarget::Std(n) => format!("std.{}", n.name),
                    UseTarget::File(s) => self.text(s.span).to_string(),
                };
                self.node(format!("use {target}"), u.span, None)
            }
            Item::Chain(c) => {
                let params: Vec<String> = c
                    .params
                    .iter()
                    .map(|p| match &p.default {
                        Some(v) => format!("{} = {}", p.name.name, self.value(v)),
                        None => p.name.name.clone(),
                    })
                    .collect();
                let head = format!("chain {}({})", c.name.name, params.join(", "));
                self.node(head, c.span, self.block(&c.body))
            }
            Item::Session(s) => {
                let head = match &s.title {
                    Some(t) => format!("session {}", self.text(t.span)),
                    None => "session".into(),
                };
                self.node(head, s.span, self.block(&s.body))
            }
            Item::Strip(s) => {
                let kw = match s.kind {
                    StripKind::Track => "track",
                    StripKind::Bus => "bus",
                };
                let mut head = format!("{kw} {}", s.name.name);
                match &s.source {
                    Some(StripSource::File(f)) => {
                        head.push(' ');
                        head.push_str(self.text(f.span));
                    }
                    Some(StripSource::Generator { kind, args, .. }) => {
                        head.push(' ');
                        head.push_str(&kind.name);
                        head.push_str(&self.args(args));
                    }
                    None => {}
                }
                self.node(head, s.span, self.block(&s.body))
            }
            Item::Master(m) => self.node("master".into(), m.span, self.block(&m.body)),
            Item::Export(e) => {
                let mut head = "export".to_string();
                if let Some(k) = &e.kind {
                    head.push(' ');
                    head.push_str(&k.name);
                }
                head.push(' ');
                head.push_str(self.text(e.path.span));
                self.node(head, e.span, self.block(&e.body))
            }
            Item::Automate(a) => {
                let target: Vec<&str> = a.target.iter().map(|i| i.name.as_str()).collect();
                let points = a
                    .points
                    .iter()
                    .map(|p| {
                        let mut head = format!("{} {}", self.value(&p.at), self.value(&p.value));
                        if let Some(c) = &p.curve {
                            head.push(' ');
                            head.push_str(&c.name);
                        }
                        self.node(head, p.span, None)
                    })
                    .collect();
                let block = Group {
                    start: a.target_span.end as usize,
                    end: a.span.end as usize,
                    children: points,
                };
                self.node(
                    format!("automate {}", target.join(".")),
                    a.span,
                    Some(block),
                )
            }
            Item::Assert(a) => self.node(format!("assert{}", self.args(&a.args)), a.span, None),
            Item::Album(a) => self.node(
                format!("album {}", self.text(a.title.span)),
                a.span,
                self.block(&a.body),
            ),
        }
    }

    fn stmt(&self, s: &Stmt) -> Node {
        match s {
            Stmt::Command(c) => {
                let mut head = c.name.name.clone();
                if let Some(a) = &c.alias {
                    head.push_str(" as ");
                    head.push_str(&a.name);
                }
                head.push_str(&self.args(&c.args));
                let block = c.block.as_ref().and_then(|b| self.block(b));
                self.node(head, c.span, block)
            }
            Stmt::Call(c) => {
                let path: Vec<&str> = c.path.iter().map(|i| i.name.as_str()).collect();
                let args: Vec<String> = c
                    .args
                    .iter()
                    .map(|a| format!("{}: {}", a.name.name, self.value(&a.value)))
                    .collect();
                self.node(
                    format!("{}({})", path.join("."), args.join(", ")),
                    c.span,
                    None,
                )
            }
        }
    }

    fn text(&self, span: Span) -> &str {
        &self.src[span.range()]
    }

    /// Values after a name, each preceded by a space; a comma written between two
    /// values is kept (`of drums, bass`), since it reads as a list.
    fn args(&self, args: &[Value]) -> String {
        let mut out = String::new();
        for (i, v) in args.iter().enumerate() {
            if i > 0 && self.src[args[i - 1].span.end as usize..v.span.start as usize].contains(',')
            {
                out.push(',');
            }
            out.push(' ');
            out.push_str(&self.value(v));
        }
        out
    }

    /// A value as written, with canonical spacing: `-3 dB` is `-3dB`, but `-inf dB`
    /// keeps its space (`-infdB` reads badly); `bar  17` is `bar 17`.
    pub fn value(&self, v: &Value) -> String {
        let raw = self.text(v.span);
        match &v.kind {
            ValueKind::Number { value, .. } if value.is_infinite() => {
                let at = raw.find("inf").map_or(raw.len(), |i| i + 3);
                let unit = raw[at..].trim();
                if unit.is_empty() {
                    raw[..at].to_string()
                } else {
                    format!("{} {unit}", &raw[..at])
                }
            }
            ValueKind::Number { .. } => {
                let mut parts = raw.split_whitespace();
                let num = parts.next().unwrap_or_default();
                match parts.next() {
                    Some(unit) => format!("{num}{unit}"),
                    None => num.to_string(),
                }
            }
            ValueKind::Bar { .. } => raw.split_whitespace().collect::<Vec<_>>().join(" "),
            _ => raw.to_string(),
        }
    }
}
