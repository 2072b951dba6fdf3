//! Comments, recovered from the source text: the parser drops them, so `fmt` finds
//! every `#` outside a string and remembers where it stood.

/// One `# ...` comment.
#[derive(Debug, Clone)]
pub struct Comment {
    /// Byte offset of the `#`.
    pub start: usize,
    /// The comment without trailing spaces, from `#` to the end of the line.
    pub text: String,
    /// Alone on its line (only spaces before it), rather than after code.
    pub own_line: bool,
    /// Column of the `#` in characters, for recognising continuation comments.
    pub column: usize,
    /// Line number (0-based).
    pub line: usize,
}

/// Every comment in `text`, in order. Strings are skipped (a `#` in `"a#b.wav"` is
/// not a comment); strings end at a newline, as in the grammar.
pub fn scan(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 0;
    let mut line_start = 0;
    let mut iter = text.char_indices();
    while let Some((i, c)) = iter.next() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                '\n' => {
                    in_string = false;
                    line += 1;
                    line_start = i + 1;
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '\n' => {
                line += 1;
                line_start = i + 1;
            }
            '#' => {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                let before = &text[line_start..i];
                out.push(Comment {
                    start: i,
                    text: text[i..end].trim_end().to_string(),
                    own_line: before.trim().is_empty() || before.trim() == "\u{FEFF}",
                    column: before.chars().count(),
                    line,
                });
                // Skip to the newline, which the loop then counts.
                while let Some((j, _)) = iter.clone().next() {
                    if j >= end {
                        break;
                    }
                    iter.next();
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_comments_outside_strings() {
        let c = scan("track a \"x#y.wav\" # one\n  # two\ngain 1dB#three");
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["# one", "# two", "#three"]);
        assert!(!c[0].own_line && c[1].own_line && !c[2].own_line);
        assert_eq!((c[1].line, c[1].column), (1, 2));
    }
}
