//! Parse tree to AST: one function per grammar rule.
//!
//! The parse tree is already known to match the grammar, so each function reads the
//! children it expects by rule name and skips the punctuation rules (`lbrace`, `sep`,
//! keywords) that exist only for error messages. Literal errors are pushed to the
//! builder and building continues, so every bad literal in a file is reported.

use super::Rule;
use super::ast::*;
use super::literal;
use crate::diag::Diagnostic;
use crate::span::{SourceId, Span};
use pest::iterators::Pair;

/// Builds the AST from the `file` pair, or returns every literal error found.
pub fn file(source: SourceId, pair: Pair<'_, Rule>) -> Result<File, Vec<Diagnostic>> {
    let mut b = Builder {
        source,
        errors: Vec::new(),
    };
    let span = b.span(&pair);
    let items = pair
        .into_inner()
        .filter_map(|p| b.item(p))
        .collect::<Vec<_>>();
    if b.errors.is_empty() {
        Ok(File { items, span })
    } else {
        Err(b.errors)
    }
}

/// Rules that carry no meaning of their own (separators, brackets, keywords).
fn is_punct(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::sep
            | Rule::lbrace
            | Rule::rbrace
            | Rule::lparen
            | Rule::rparen
            | Rule::EOI
            | Rule::kw_use
            | Rule::kw_chain
            | Rule::kw_session
            | Rule::kw_track
            | Rule::kw_bus
            | Rule::kw_master
            | Rule::kw_export
            | Rule::kw_automate
            | Rule::kw_assert
            | Rule::kw_album
            | Rule::kw_as
            | Rule::kw_bar
    )
}

/// The meaningful children of a pair.
fn children<'i>(pair: Pair<'i, Rule>) -> impl Iterator<Item = Pair<'i, Rule>> {
    pair.into_inner().filter(|p| !is_punct(p.as_rule()))
}

struct Builder {
    source: SourceId,
    errors: Vec<Diagnostic>,
}

impl Builder {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.source, s.start(), s.end())
    }

    fn item(&mut self, pair: Pair<'_, Rule>) -> Option<Item> {
        // `item` wraps exactly one of the item rules.
        let pair = if pair.as_rule() == Rule::item {
            pair.into_inner().next()?
        } else {
            pair
        };
        Some(match pair.as_rule() {
            Rule::use_item => Item::Use(self.use_item(pair)),
            Rule::chain_def => Item::Chain(self.chain_def(pair)),
            Rule::session => Item::Session(self.session(pair)),
            Rule::track | Rule::bus => Item::Strip(self.strip(pair)),
            Rule::master => Item::Master(Master {
                span: self.span(&pair),
                body: self.block_of(pair),
            }),
            Rule::export => Item::Export(self.export(pair)),
            Rule::automate => Item::Automate(self.automate(pair)),
            Rule::assert_item => Item::Assert(Assert {
                span: self.span(&pair),
                args: children(pair).map(|v| self.value(v)).collect(),
            }),
            Rule::album => Item::Album(self.album(pair)),
            _ => return None,
        })
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_owned(),
            span: self.span(pair),
        }
    }

    /// A `string` pair: the quotes are in its span, the escapes resolved in its value.
    fn string(&mut self, pair: Pair<'_, Rule>) -> Str {
        let span = self.span(&pair);
        let value = match pair.into_inner().next() {
            Some(inner) => {
                let inner_span = self.span(&inner);
                literal::unescape(inner.as_str(), inner_span).unwrap_or_else(|errs| {
                    self.errors.extend(errs);
                    String::new()
                })
            }
            None => String::new(),
        };
        Str { value, span }
    }

    fn use_item(&mut self, pair: Pair<'_, Rule>) -> Use {
        let span = self.span(&pair);
        let target = match children(pair).next() {
            Some(p) if p.as_rule() == Rule::string => UseTarget::File(self.string(p)),
            Some(p) => {
                // std_module = "std" "." ident: the module is the ident.
                let name = p.into_inner().next().map(|i| self.ident(&i));
                UseTarget::Std(name.unwrap_or_else(|| self.missing_ident(span)))
            }
            None => UseTarget::File(self.missing_str(span)),
        };
        Use { target, span }
    }

    fn chain_def(&mut self, pair: Pair<'_, Rule>) -> ChainDef {
        let span = self.span(&pair);
        let mut name = None;
        let mut params = Vec::new();
        let mut body = Block::default();
        for p in children(pair) {
            match p.as_rule() {
                Rule::chain_name => name = Some(self.ident(&p)),
                Rule::chain_param => params.push(self.chain_param(p)),
                Rule::block => body = self.block(p),
                _ => {}
            }
        }
        ChainDef {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            params,
            body,
            span,
        }
    }

    fn chain_param(&mut self, pair: Pair<'_, Rule>) -> ChainParam {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let name = inner.next().map(|p| self.ident(&p));
        let default = inner.next().map(|v| self.value(v));
        ChainParam {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            default,
            span,
        }
    }

    fn session(&mut self, pair: Pair<'_, Rule>) -> Session {
        let span = self.span(&pair);
        let (title, body) = self.titled_block(pair);
        Session { title, body, span }
    }

    /// The optional string and the block of `session` and `album`.
    fn titled_block(&mut self, pair: Pair<'_, Rule>) -> (Option<Str>, Block) {
        let mut title = None;
        let mut body = Block::default();
        for p in children(pair) {
            match p.as_rule() {
                Rule::string => title = Some(self.string(p)),
                Rule::block => body = self.block(p),
                _ => {}
            }
        }
        (title, body)
    }

    /// `track` and `bus` share one shape; a bus simply has no source.
    fn strip(&mut self, pair: Pair<'_, Rule>) -> Strip {
        let span = self.span(&pair);
        let kind = if pair.as_rule() == Rule::track {
            StripKind::Track
        } else {
            StripKind::Bus
        };
        let keyword_span = pair
            .clone()
            .into_inner()
            .next()
            .map_or(span, |k| self.span(&k));
        let mut name = None;
        let mut source = None;
        let mut body = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::track_name | Rule::bus_name => name = Some(self.ident(&p)),
                Rule::string => source = Some(StripSource::File(self.string(p))),
                Rule::generator => source = Some(self.generator(p)),
                Rule::block => body = Some(self.block(p)),
                _ => {}
            }
        }
        Strip {
            kind,
            keyword_span,
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            source,
            body: body.unwrap_or_else(|| self.absent_block(span)),
            span,
        }
    }

    fn generator(&mut self, pair: Pair<'_, Rule>) -> StripSource {
        let span = self.span(&pair);
        let mut inner = children(pair);
        let kind = inner.next().map(|k| self.ident(&k));
        let args = inner.map(|v| self.value(v)).collect();
        StripSource::Generator {
            kind: kind.unwrap_or_else(|| self.missing_ident(span)),
            args,
            span,
        }
    }

    fn export(&mut self, pair: Pair<'_, Rule>) -> Export {
        let span = self.span(&pair);
        let mut kind = None;
        let mut path = None;
        let mut body = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::export_kind => kind = Some(self.ident(&p)),
                Rule::string => path = Some(self.string(p)),
                Rule::block => body = Some(self.block(p)),
                _ => {}
            }
        }
        Export {
            kind,
            path: path.unwrap_or_else(|| self.missing_str(span)),
            body: body.unwrap_or_else(|| self.absent_block(span)),
            span,
        }
    }

    fn automate(&mut self, pair: Pair<'_, Rule>) -> Automate {
        let span = self.span(&pair);
        let mut target = Vec::new();
        let mut target_span = span;
        let mut points = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::automate_target => {
                    // Atomic in the grammar (so errors say "a target"), so split it here.
                    target_span = self.span(&p);
                    let mut at = target_span.start as usize;
                    for part in p.as_str().split('.') {
                        target.push(Ident {
                            name: part.to_owned(),
                            span: Span::new(self.source, at, at + part.len()),
                        });
                        at += part.len() + 1;
                    }
                }
                Rule::point_block => {
                    points = children(p).map(|pt| self.point(pt)).collect();
                }
                _ => {}
            }
        }
        Automate {
            target,
            target_span,
            points,
            span,
        }
    }

    fn point(&mut self, pair: Pair<'_, Rule>) -> AutomationPoint {
        let span = self.span(&pair);
        let mut at = None;
        let mut value = None;
        let mut curve = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::value if at.is_none() => at = Some(self.value(p)),
                Rule::value => value = Some(self.value(p)),
                Rule::curve => curve = Some(self.ident(&p)),
                _ => {}
            }
        }
        let placeholder = || Value {
            kind: ValueKind::Word(String::new()),
            span,
        };
        AutomationPoint {
            at: at.unwrap_or_else(placeholder),
            value: value.unwrap_or_else(placeholder),
            curve,
            span,
        }
    }

    fn album(&mut self, pair: Pair<'_, Rule>) -> Album {
        let span = self.span(&pair);
        let (title, body) = self.titled_block(pair);
        Album {
            title: title.unwrap_or_else(|| self.missing_str(span)),
            body,
            span,
        }
    }

    /// The block child of an item that requires one (`master`).
    fn block_of(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        match children(pair).find(|p| p.as_rule() == Rule::block) {
            Some(b) => self.block(b),
            None => self.absent_block(span),
        }
    }

    fn block(&mut self, pair: Pair<'_, Rule>) -> Block {
        let span = self.span(&pair);
        let stmts = children(pair).filter_map(|s| self.stmt(s)).collect();
        Block { stmts, span }
    }

    /// Where a block would be when it is not written: the empty span at the item's end.
    fn absent_block(&self, item: Span) -> Block {
        Block {
            stmts: Vec::new(),
            span: Span::new(self.source, item.end as usize, item.end as usize),
        }
    }

    /// Only reached if the grammar and this builder disagree; keeps us from panicking.
    fn missing_ident(&self, span: Span) -> Ident {
        Ident {
            name: String::new(),
            span,
        }
    }

    fn missing_str(&self, span: Span) -> Str {
        Str {
            value: String::new(),
            span,
        }
    }

    fn stmt(&mut self, pair: Pair<'_, Rule>) -> Option<Stmt> {
        match pair.as_rule() {
            Rule::call => Some(Stmt::Call(self.call(pair))),
            Rule::command => Some(Stmt::Command(self.command(pair))),
            _ => None,
        }
    }

    fn call(&mut self, pair: Pair<'_, Rule>) -> Call {
        let span = self.span(&pair);
        let mut path = Vec::new();
        let mut args = Vec::new();
        for p in children(pair) {
            match p.as_rule() {
                Rule::call_path => path = p.into_inner().map(|i| self.ident(&i)).collect(),
                Rule::named_arg => {
                    let arg_span = self.span(&p);
                    let mut inner = children(p);
                    let name = inner.next().map(|n| self.ident(&n));
                    let value = inner.next().map(|v| self.value(v));
                    if let (Some(name), Some(value)) = (name, value) {
                        args.push(NamedArg {
                            name,
                            value,
                            span: arg_span,
                        });
                    }
                }
                _ => {}
            }
        }
        Call { path, args, span }
    }

    fn command(&mut self, pair: Pair<'_, Rule>) -> Command {
        let span = self.span(&pair);
        let mut name = None;
        let mut alias = None;
        let mut args = Vec::new();
        let mut block = None;
        for p in children(pair) {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(&p)),
                Rule::alias => alias = children(p).next().map(|a| self.ident(&a)),
                Rule::value => args.push(self.value(p)),
                Rule::block => block = Some(self.block(p)),
                _ => {}
            }
        }
        Command {
            name: name.unwrap_or_else(|| self.missing_ident(span)),
            alias,
            args,
            block,
            span,
        }
    }
}

impl Builder {
    fn value(&mut self, pair: Pair<'_, Rule>) -> Value {
        literal::value(self.source, pair, &mut self.errors)
    }
}
