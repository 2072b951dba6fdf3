//! Laying out the tree as lines, with the comments put back.
//!
//! Each comment belongs to the innermost block that holds it. Inside that block a
//! comment alone on its line is an entry of its own, kept between the statements it
//! stood between; a comment after code belongs to the last statement that ended on
//! its line (or, right after `{`, to the block's opening line). A comment alone on
//! its line whose `#` stands exactly under the trailing comment of the line above
//! continues that comment, and stays aligned with it.

use super::comments::Comment;
use super::tree::{Group, Node};

/// One output line before comment alignment.
pub enum Line {
    Blank,
    Code {
        indent: usize,
        code: String,
        comment: Option<String>,
    },
    /// A comment alone on its line, at the block's indentation.
    Comment {
        indent: usize,
        text: String,
    },
    /// A comment continuing the trailing comment of the line above.
    Continuation {
        text: String,
    },
}

pub struct Layout<'a> {
    pub src: &'a str,
    pub comments: &'a [Comment],
    pub lines: Vec<Line>,
}

/// What a block holds once comments are assigned.
struct Entries<'c> {
    /// After the `{`, on its line.
    header: Option<&'c Comment>,
    /// Statements (by index) and own-line comments, in source order.
    items: Vec<Entry<'c>>,
}

enum Entry<'c> {
    Node(usize, Option<&'c Comment>),
    Comment(&'c Comment, bool),
}

impl Entry<'_> {
    fn start(&self, group: &Group) -> usize {
        match self {
            Entry::Node(i, _) => group.children[*i].start,
            Entry::Comment(c, _) => c.start,
        }
    }

    fn end(&self, group: &Group) -> usize {
        match self {
            Entry::Node(i, trailing) => {
                trailing.map_or(group.children[*i].end, |c| c.start + c.text.len())
            }
            Entry::Comment(c, _) => c.start + c.text.len(),
        }
    }
}

impl<'a> Layout<'a> {
    /// The whole file: items at indentation 0, no braces.
    pub fn file(&mut self, group: &Group) {
        let entries = self.entries(group, true);
        if let Some(h) = entries.header {
            self.lines.push(Line::Comment {
                indent: 0,
                text: h.text.clone(),
            });
        }
        self.entries_lines(group, &entries, 0);
    }

    fn entries(&self, group: &Group, top: bool) -> Entries<'a> {
        let inside = |c: &&Comment| {
            let within = if top {
                true
            } else {
                group.start < c.start && c.start < group.end
            };
            within
                && !group
                    .children
                    .iter()
                    .any(|n| n.start <= c.start && c.start < n.end)
        };
        let mut header = None;
        let mut trailing: Vec<Option<&'a Comment>> = vec![None; group.children.len()];
        let mut items = Vec::new();
        for c in self.comments.iter().filter(inside) {
            if c.own_line {
                items.push((c.start, Entry::Comment(c, false)));
                continue;
            }
            let owner = group
                .children
                .iter()
                .rposition(|n| n.end <= c.start && !self.src[n.end..c.start].contains('\n'));
            match owner {
                Some(i) if trailing[i].is_none() => trailing[i] = Some(c),
                _ if header.is_none() => header = Some(c),
                _ => items.push((c.start, Entry::Comment(c, false))),
            }
        }
        for (i, n) in group.children.iter().enumerate() {
            items.push((n.start, Entry::Node(i, trailing[i])));
        }
        items.sort_by_key(|(at, _)| *at);
        let mut items: Vec<Entry<'a>> = items.into_iter().map(|(_, e)| e).collect();
        // Continuations: a comment right under the trailing comment of the line above.
        for k in 1..items.len() {
            let above = match &items[k - 1] {
                Entry::Node(_, Some(t)) => Some((t.line, t.column)),
                Entry::Comment(c, true) => Some((c.line, c.column)),
                _ => None,
            };
            if let (Entry::Comment(c, cont), Some((line, column))) = (&mut items[k], above)
                && c.line == line + 1
                && c.column == column
            {
                *cont = true;
            }
        }
        Entries { header, items }
    }

    fn entries_lines(&mut self, group: &Group, entries: &Entries<'a>, indent: usize) {
        for (k, e) in entries.items.iter().enumerate() {
            if k > 0 {
                let gap = &self.src[entries.items[k - 1].end(group)..e.start(group)];
                if gap.matches('\n').count() >= 2 {
                    self.lines.push(Line::Blank);
                }
            }
            match e {
                Entry::Comment(c, true) => self.lines.push(Line::Continuation {
                    text: c.text.clone(),
                }),
                Entry::Comment(c, false) => self.lines.push(Line::Comment {
                    indent,
                    text: c.text.clone(),
                }),
                Entry::Node(i, trailing) => self.node(
                    &group.children[*i],
                    indent,
                    trailing.map(|c| c.text.clone()),
                ),
            }
        }
    }

    /// One statement. A block is written on the statement's line when it holds one
    /// statement without a block of its own and no comments (`eq { lowpass 5kHz }`),
    /// as `{}` when empty, and otherwise one statement per line.
    fn node(&mut self, node: &Node, indent: usize, trailing: Option<String>) {
        let Some(group) = &node.block else {
            self.lines.push(Line::Code {
                indent,
                code: node.head.clone(),
                comment: trailing,
            });
            return;
        };
        let entries = self.entries(group, false);
        let quiet = entries.header.is_none()
            && entries
                .items
                .iter()
                .all(|e| matches!(e, Entry::Node(_, None)));
        let code = match group.children.as_slice() {
            [] if quiet => Some(format!("{} {{}}", node.head)),
            [only] if quiet && only.block.is_none() => {
                Some(format!("{} {{ {} }}", node.head, only.head))
            }
            _ => None,
        };
        if let Some(code) = code {
            self.lines.push(Line::Code {
                indent,
                code,
                comment: trailing,
            });
            return;
        }
        self.lines.push(Line::Code {
            indent,
            code: format!("{} {{", node.head),
            comment: entries.header.map(|c| c.text.clone()),
        });
        self.entries_lines(group, &entries, indent + 1);
        self.lines.push(Line::Code {
            indent,
            code: "}".into(),
            comment: trailing,
        });
    }
}

/// Writes the lines, aligning the comments of consecutive commented lines (and
/// their continuations) to one column, two spaces after the longest code.
pub fn render(lines: &[Line]) -> String {
    let width = |l: &Line| match l {
        Line::Code {
            indent,
            code,
            comment: Some(_),
        } => Some(indent * 2 + code.chars().count()),
        Line::Continuation { .. } => Some(0),
        _ => None,
    };
    let mut out = String::new();
    let mut k = 0;
    while k < lines.len() {
        let run_end = (k..lines.len())
            .find(|&j| width(&lines[j]).is_none())
            .unwrap_or(lines.len());
        let column = lines[k..run_end]
            .iter()
            .filter_map(width)
            .max()
            .unwrap_or(0)
            + 2;
        for line in &lines[k..run_end.max(k + 1)] {
            match line {
                Line::Blank => {}
                Line::Code {
                    indent,
                    code,
                    comment,
                } => {
                    let text = format!("{}{code}", "  ".repeat(*indent));
                    match comment {
                        Some(c) => {
                            let pad = column.saturating_sub(text.chars().count()).max(1);
                            out.push_str(&format!("{text}{}{c}", " ".repeat(pad)));
                        }
                        None => out.push_str(&text),
                    }
                }
                Line::Comment { indent, text } => {
                    out.push_str(&format!("{}{text}", "  ".repeat(*indent)))
                }
                Line::Continuation { text } => {
                    out.push_str(&format!("{}{text}", " ".repeat(column)))
                }
            }
            out.push('\n');
        }
        k = run_end.max(k + 1);
    }
    out
}
