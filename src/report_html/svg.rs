//! A small SVG writer for the report's plots and diagram.
//!
//! Coordinates are rounded to 0.1 px and written without trailing zeros, and a
//! point equal (after rounding) to the one before is dropped: the output stays
//! small and the same data always gives the same bytes. Styling is left to CSS
//! classes, which the page defines once. The SVG is inline in HTML5, so it needs
//! no namespace attribute (and the page names no URL at all).

use std::fmt::Write;

/// A number rounded to 0.1, as short as possible (`12`, `-3.5`, never `-0`).
pub fn num(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let (sign, a) = if tenths < 0 {
        ("-", -tenths)
    } else {
        ("", tenths)
    };
    if a % 10 == 0 {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text anchoring for [`Svg::text`].
#[derive(Clone, Copy)]
pub enum Anchor {
    Start,
    Middle,
    End,
}

/// One `<svg>` element being written.
pub struct Svg {
    out: String,
}

impl Svg {
    /// An SVG of `w` x `h` px; `label` names it for screen readers.
    pub fn new(w: f64, h: f64, label: &str) -> Self {
        let (w, h) = (num(w), num(h));
        Self {
            out: format!(
                "<svg viewBox=\"0 0 {w} {h}\" \
                 width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">\n",
                esc(label)
            ),
        }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str) {
        let _ = writeln!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"{class}\"/>",
            num(x),
            num(y),
            num(w.max(0.0)),
            num(h.max(0.0))
        );
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        let _ = writeln!(
            self.out,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"{class}\"/>",
            num(x1),
            num(y1),
            num(x2),
            num(y2)
        );
    }

    /// An open line through `pts` (nothing for fewer than two distinct points).
    pub fn polyline(&mut self, pts: &[(f64, f64)], class: &str) {
        self.poly("polyline", pts, class);
    }

    /// A closed, filled shape.
    pub fn polygon(&mut self, pts: &[(f64, f64)], class: &str) {
        self.poly("polygon", pts, class);
    }

    fn poly(&mut self, tag: &str, pts: &[(f64, f64)], class: &str) {
        let mut list = String::new();
        let mut last = (String::new(), String::new());
        let mut count = 0;
        for &(x, y) in pts {
            let p = (num(x), num(y));
            if p != last {
                if count > 0 {
                    list.push(' ');
                }
                let _ = write!(list, "{},{}", p.0, p.1);
                last = p;
                count += 1;
            }
        }
        if count >= 2 {
            let _ = writeln!(self.out, "<{tag} points=\"{list}\" class=\"{class}\"/>");
        }
    }

    /// A path from its `d` commands (see [`curve`]).
    pub fn path(&mut self, d: &str, class: &str) {
        let _ = writeln!(self.out, "<path d=\"{d}\" class=\"{class}\"/>");
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: Anchor, class: &str, text: &str) {
        let a = match anchor {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        };
        let _ = writeln!(
            self.out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"{a}\" class=\"{class}\">{}</text>",
            num(x),
            num(y),
            esc(text)
        );
    }

    /// A tooltip for the whole plot (written first, it describes the `<svg>`).
    pub fn title(&mut self, text: &str) {
        let _ = writeln!(self.out, "<title>{}</title>", esc(text));
    }

    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// A horizontal S-curve from `a` to `b` (cubic Bézier), as path data.
pub fn curve(a: (f64, f64), b: (f64, f64)) -> String {
    let mx = (a.0 + b.0) / 2.0;
    format!(
        "M{},{} C{},{} {},{} {},{}",
        num(a.0),
        num(a.1),
        num(mx),
        num(a.1),
        num(mx),
        num(b.1),
        num(b.0),
        num(b.1)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(-3.46), "-3.5");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(0.05), "0.1");
        assert_eq!(num(1234.56), "1234.6");
    }

    #[test]
    fn polylines_drop_repeated_points_and_text_is_escaped() {
        let mut s = Svg::new(10.0, 5.0, "a <plot>");
        s.polyline(&[(0.0, 1.0), (0.01, 1.02), (2.0, 3.0)], "m");
        s.polyline(&[(1.0, 1.0), (1.0, 1.0)], "m");
        s.text(1.0, 2.0, Anchor::End, "l", "R&B \"x\"");
        let out = s.finish();
        assert_eq!(
            out,
            "<svg viewBox=\"0 0 10 5\" width=\"10\" \
             height=\"5\" role=\"img\" aria-label=\"a &lt;plot&gt;\">\n\
             <polyline points=\"0,1 2,3\" class=\"m\"/>\n\
             <text x=\"1\" y=\"2\" text-anchor=\"end\" class=\"l\">R&amp;B &quot;x&quot;</text>\n\
             </svg>\n"
        );
        assert_eq!(curve((0.0, 0.0), (10.0, 4.0)), "M0,0 C5,0 5,4 10,4");
    }
}
