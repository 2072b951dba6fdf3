//! Unit tests for the parser: the spec examples, every ```mix block of the language
//! reference, literal edge cases, spans, error messages, and no panics on garbage.

use super::ast::*;
use super::parse;
use crate::diag::Diagnostic;
use crate::span::SourceId;

// The spec examples (shared/spec/examples/*.mix), copied into the fuzz seed corpus
// so tests do not read outside the crate.
const BAND: &str = include_str!("../../tests/fuzz/corpus/parse/band.mix");
const CHAINS: &str = include_str!("../../tests/fuzz/corpus/parse/chains.mix");
const GENERATORS: &str = include_str!("../../tests/fuzz/corpus/parse/generators.mix");
const MINIMAL: &str = include_str!("../../tests/fuzz/corpus/parse/minimal.mix");

fn ok(text: &str) -> File {
    match parse(SourceId(0), text) {
        Ok(f) => f,
        Err(e) => panic!("parse failed for {text:?}: {e:#?}"),
    }
}

fn err(text: &str) -> Vec<Diagnostic> {
    match parse(SourceId(0), text) {
        Ok(f) => panic!("expected an error for {text:?}, got {f:#?}"),
        Err(e) => e,
    }
}

/// The first statement of the first strip's block.
fn first_cmd(file: &File) -> &Command {
    let Some(Item::Strip(s)) = file.items.first() else {
        panic!("not a strip: {file:#?}")
    };
    match s.body.stmts.first() {
        Some(Stmt::Command(c)) => c,
        other => panic!("not a command: {other:#?}"),
    }
}

/// The argument kinds of `track t "x" { cmd ARGS }`.
fn args(args_text: &str) -> Vec<ValueKind> {
    let f = ok(&format!("track t \"x\" {{ cmd {args_text} }}"));
    first_cmd(&f).args.iter().map(|v| v.kind.clone()).collect()
}

fn num(value: f64, unit: Option<Unit>) -> ValueKind {
    ValueKind::Number { value, unit }
}

#[test]
fn spec_examples_parse() {
    for (name, text) in [
        ("band", BAND),
        ("chains", CHAINS),
        ("generators", GENERATORS),
        ("minimal", MINIMAL),
    ] {
        let f = ok(text);
        assert!(!f.items.is_empty(), "{name}");
    }
    assert_eq!(ok(BAND).items.len(), 17);
}

#[test]
fn readme_mix_blocks_parse() {
    let readme = include_str!("../../grammar/README.md");
    let mut count = 0;
    let mut failures = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```mix\n") {
        let after = &rest[start + 7..];
        let end = after.find("```").expect("unclosed ```mix block in README");
        let block = &after[..end];
        count += 1;
        if let Err(e) = parse(SourceId(0), block) {
            failures.push(format!("--- block {count}:\n{block}\n{e:#?}"));
        }
        rest = &after[end + 3..];
    }
    assert!(count >= 10, "only {count} ```mix blocks found");
    assert!(
        failures.is_empty(),
        "README blocks fail to parse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn items_have_their_shapes() {
    let f = ok(CHAINS);
    let Item::Use(u) = &f.items[0] else { panic!() };
    assert!(matches!(&u.target, UseTarget::Std(i) if i.name == "vocal"));
    let Item::Chain(c) = &f.items[2] else {
        panic!()
    };
    assert_eq!(c.name.name, "warm");
    assert_eq!(c.params.len(), 2);
    assert_eq!(
        c.params[0].default.as_ref().map(|v| &v.kind),
        Some(&num(2.0, Some(Unit::Db)))
    );
    let Item::Strip(s) = &f.items[4] else {
        panic!()
    };
    let Stmt::Call(call) = &s.body.stmts[1] else {
        panic!()
    };
    let path: Vec<_> = call.path.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(path, ["vocal", "lead"]);

    let f = ok(GENERATORS);
    let Item::Strip(s) = &f.items[1] else {
        panic!()
    };
    let Some(StripSource::Generator { kind, args, .. }) = &s.source else {
        panic!()
    };
    assert_eq!(kind.name, "sine");
    assert_eq!(args[0].kind, num(1.0, Some(Unit::Khz)));

    let f = ok(MINIMAL);
    let Item::Strip(s) = &f.items[0] else {
        panic!()
    };
    assert!(s.body.stmts.is_empty());
    assert_eq!(s.body.span.start, s.body.span.end);

    let f = ok(
        r#"use "chains/house.mix"; export stems "s/{name}.wav"; bus b; album "A" { song "x.mix" gap 2s }"#,
    );
    assert!(
        matches!(&f.items[0], Item::Use(Use { target: UseTarget::File(s), .. }) if s.value == "chains/house.mix")
    );
    assert!(matches!(&f.items[1], Item::Export(e) if e.kind.as_ref().unwrap().name == "stems"));
    assert!(
        matches!(&f.items[2], Item::Strip(s) if s.kind == StripKind::Bus && s.source.is_none())
    );
    assert!(
        matches!(&f.items[3], Item::Album(a) if a.title.value == "A" && a.body.stmts.len() == 1)
    );
}

#[test]
fn automation_points() {
    let f = ok(BAND);
    let Some(Item::Automate(a)) = f.items.iter().find(|i| matches!(i, Item::Automate(_))) else {
        panic!()
    };
    let target: Vec<_> = a.target.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(target, ["vox", "gain"]);
    assert_eq!(a.points[0].at.kind, ValueKind::Clock(0.0));
    assert_eq!(
        a.points[0].value.kind,
        num(f64::NEG_INFINITY, Some(Unit::Db))
    );
    assert_eq!(a.points[1].at.kind, ValueKind::Bar { bar: 2, beat: 1.0 });
    assert_eq!(
        a.points[1].curve.as_ref().map(|c| c.name.as_str()),
        Some("linear")
    );
    assert_eq!(
        a.points[2].curve.as_ref().map(|c| c.name.as_str()),
        Some("smooth")
    );
    let f = ok("automate plate.reverb.mix { 1:00 20%; 1:10 60% exp }");
    let Item::Automate(a) = &f.items[0] else {
        panic!()
    };
    assert_eq!(a.target.len(), 3);
    assert_eq!(a.points.len(), 2);
    assert_eq!(a.points[1].at.kind, ValueKind::Clock(70.0));
}

#[test]
fn numbers_and_units() {
    use Unit::*;
    assert_eq!(
        args("-3dB +2.5dB -3 dB"),
        [num(-3.0, Some(Db)), num(2.5, Some(Db)), num(-3.0, Some(Db))]
    );
    assert_eq!(
        args("24dB/oct -1dBTP -20dBFS"),
        [
            num(24.0, Some(DbPerOct)),
            num(-1.0, Some(Dbtp)),
            num(-20.0, Some(Dbfs))
        ]
    );
    assert_eq!(
        args("-14LUFS 1LU 92bpm 32float"),
        [
            num(-14.0, Some(Lufs)),
            num(1.0, Some(Lu)),
            num(92.0, Some(Bpm)),
            num(32.0, Some(Float))
        ]
    );
    assert_eq!(
        args("2.5kHz 120Hz 10ms 12.5s 96000smp 50%"),
        [
            num(2.5, Some(Khz)),
            num(120.0, Some(Hz)),
            num(10.0, Some(Ms)),
            num(12.5, Some(S)),
            num(96000.0, Some(Smp)),
            num(50.0, Some(Percent)),
        ]
    );
    assert_eq!(args("1.0 3"), [num(1.0, None), num(3.0, None)]);
    assert_eq!(
        args("-inf dB -inf dBFS"),
        [
            num(f64::NEG_INFINITY, Some(Db)),
            num(f64::NEG_INFINITY, Some(Dbfs))
        ]
    );
    // A unit, then a word; a number, a space, then a word that is not a unit.
    assert_eq!(
        args("0dB linear"),
        [num(0.0, Some(Db)), ValueKind::Word("linear".into())]
    );
    assert_eq!(
        args("2s smooth"),
        [num(2.0, Some(S)), ValueKind::Word("smooth".into())]
    );
    assert_eq!(
        args("3 smooth"),
        [num(3.0, None), ValueKind::Word("smooth".into())]
    );
}

#[test]
fn positions_fractions_and_words() {
    use ValueKind::*;
    assert_eq!(
        args("1:23.5 1:02:03 0:00.652"),
        [Clock(83.5), Clock(3723.0), Clock(0.652)]
    );
    assert_eq!(
        args("bar 17 bar 17.3"),
        [Bar { bar: 17, beat: 1.0 }, Bar { bar: 17, beat: 3.0 }]
    );
    assert_eq!(args("bar"), [Word("bar".into())]);
    let frac = |num, den, modifier| Fraction { num, den, modifier };
    assert_eq!(
        args("1/4 1/8. 1/8t 4/4"),
        [
            frac(1, 4, NoteModifier::Plain),
            frac(1, 8, NoteModifier::Dotted),
            frac(1, 8, NoteModifier::Triplet),
            frac(4, 4, NoteModifier::Plain),
        ]
    );
    let f = ok("track t \"x\" { delay { time 1/8.; feedback 25% } }");
    let inner = first_cmd(&f).block.as_ref().unwrap();
    assert_eq!(inner.stmts.len(), 2);
    assert_eq!(args("0:01 .. 2:30"), [Clock(1.0), Range, Clock(150.0)]);
    assert_eq!(args("0:01..2:30"), [Clock(1.0), Range, Clock(150.0)]);
    assert_eq!(
        args("<= >= < > =="),
        [
            Compare(CompareOp::Le),
            Compare(CompareOp::Ge),
            Compare(CompareOp::Lt),
            Compare(CompareOp::Gt),
            Compare(CompareOp::Eq),
        ]
    );
    assert_eq!(args(r#""a \"q\" \\ b""#), [Str(r#"a "q" \ b"#.into())]);
    assert_eq!(
        args("vox.eq bus-a _x"),
        [
            Path(vec!["vox".into(), "eq".into()]),
            Word("bus-a".into()),
            Word("_x".into())
        ]
    );
    assert_eq!(args("drums, bass, vox").len(), 3);
}

#[test]
fn commands_aliases_and_blocks() {
    let f = ok("track t \"x\" { bell as presence 3kHz +2dB q 1.0 }");
    let c = first_cmd(&f);
    assert_eq!(c.alias.as_ref().unwrap().name, "presence");
    assert_eq!(c.args.len(), 4);
    let f = ok("track t \"x\" {\n\n  reverb \"ir.wav\" { mix 100% }  # a comment\n\n}\n");
    let c = first_cmd(&f);
    assert_eq!(c.args[0].kind, ValueKind::Str("ir.wav".into()));
    assert_eq!(c.block.as_ref().unwrap().stmts.len(), 1);
    let f = ok("chain none() {}\n# only a comment\n\ntrack t \"x\" { warm(air: 3dB, body: 1dB,) }");
    let Item::Strip(s) = &f.items[1] else {
        panic!()
    };
    let Stmt::Call(call) = &s.body.stmts[0] else {
        panic!()
    };
    assert_eq!(call.args.len(), 2);
    ok("\u{FEFF}track a \"x\"\r\ntrack b \"y\" {\r\n gain -2dB\r\n}\r\n");
    ok(
        "assert master loudness -14LUFS within 0.5LU\nassert vox peak <= -6dBFS; assert length 3:20 within 1s",
    );
}

#[test]
fn spans_slice_the_source() {
    let text = "track vox \"stems/vox.wav\" {\n  gain -3 dB\n  send plate -12dB pre\n}\n";
    let f = ok(text);
    let at = |s: crate::span::Span| &text[s.range()];
    let Item::Strip(s) = &f.items[0] else {
        panic!()
    };
    assert_eq!(at(s.span), &text[..text.len() - 1]);
    assert_eq!(at(s.keyword_span), "track");
    assert_eq!(at(s.name.span), "vox");
    let Some(StripSource::File(path)) = &s.source else {
        panic!()
    };
    assert_eq!(at(path.span), "\"stems/vox.wav\"");
    assert!(at(s.body.span).starts_with('{') && at(s.body.span).ends_with('}'));
    let Stmt::Command(gain) = &s.body.stmts[0] else {
        panic!()
    };
    assert_eq!(at(gain.span), "gain -3 dB");
    assert_eq!(at(gain.args[0].span), "-3 dB");
    let Stmt::Command(send) = &s.body.stmts[1] else {
        panic!()
    };
    assert_eq!(at(send.span), "send plate -12dB pre");
    assert_eq!(at(send.args[2].span), "pre");
    let f = ok(BAND);
    let Some(Item::Automate(a)) = f.items.iter().find(|i| matches!(i, Item::Automate(_))) else {
        panic!()
    };
    assert_eq!(at2(BAND, a.target_span), "vox.gain");
    assert_eq!(at2(BAND, a.target[1].span), "gain");
    assert_eq!(at2(BAND, a.points[1].span), "bar 2    0dB       linear");
    assert_eq!(at2(BAND, a.points[1].at.span), "bar 2");
}

fn at2(text: &str, s: crate::span::Span) -> &str {
    &text[s.range()]
}

#[test]
fn unknown_units_are_all_reported() {
    let text = "track t \"x\" { gain 3dbb; eq { bell 10khz } }";
    let e = err(text);
    assert_eq!(e.len(), 2);
    assert_eq!(e[0].code, "unknown-unit");
    assert_eq!(e[0].message, "unknown unit `dbb`");
    assert_eq!(&text[e[0].primary_span().unwrap().range()], "dbb");
    assert_eq!(&text[e[1].primary_span().unwrap().range()], "khz");
    assert!(
        e[1].hints.iter().any(|h| h.contains("`kHz`")),
        "{:?}",
        e[1].hints
    );
}

#[test]
fn literal_errors() {
    let text =
        "track t \"x\" { start 1:75; region 0:00 .. 1:60:00; time 1/0; at bar 0; s \"a\\qb\" }";
    let e = err(text);
    let spans: Vec<_> = e
        .iter()
        .map(|d| &text[d.primary_span().unwrap().range()])
        .collect();
    assert_eq!(spans, ["1:75", "1:60:00", "1/0", "0", "\\q"]);
    assert!(e[2].message.contains("denominator is zero"));
}

#[test]
fn syntax_errors_have_human_words() {
    let text = "track kick \"k.wav\" {\n  gain -2dB\n";
    let e = err(text);
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code, "syntax");
    assert_eq!(e[0].message, "expected `}` to close the block opened here");
    assert_eq!(e[0].labels[1].span.start, 19);
    let end = e[0].primary_span().unwrap();
    assert!(
        end.end as usize == text.len() && end.start < end.end,
        "EOF span widened"
    );

    let text = "bus drums\ntrack { gain -2dB }";
    let e = err(text);
    assert_eq!(e[0].message, "expected a track name");
    assert_eq!(&text[e[0].primary_span().unwrap().range()], "{");

    let e = err("track kick\n");
    assert!(
        e[0].message
            .contains("string path in quotes such as \"stems/vox.wav\"")
    );
    let e = err("track t \"x\" { gain -2dB $ }");
    assert_eq!(e[0].message, "expected a value such as -3dB, 2kHz or 50%");
    assert!(err("trak x")[0].message.starts_with("expected an item"));
    assert!(err("track t \"x")[0].message.contains("not closed"));
    assert!(err("bus b { }}")[0].message.contains("no block is open"));
    let deep = format!("master {}{}", "{ x ".repeat(200), "}".repeat(200));
    assert!(err(&deep)[0].message.contains("nested too deeply"));
}

#[test]
fn never_panics_on_mutated_input() {
    // A small deterministic fuzz: splice, delete and duplicate bytes of the examples.
    let corpus = [BAND, CHAINS, GENERATORS, MINIMAL];
    let pieces = [
        "{", "}", "\"", "#", ";", "\n", "..", ":", "/", ".", "-", "1", "dB", "bar ", "é", "(", ")",
        ",", "\\",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for round in 0..3000 {
        let base = corpus[round % corpus.len()];
        let mut text = base.to_owned();
        for _ in 0..1 + next(4) {
            let mut at = next(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match next(3) {
                0 => text.insert_str(at, pieces[next(pieces.len())]),
                1 => {
                    let mut end = (at + next(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => text.truncate(at),
            }
        }
        if let Err(diags) = parse(SourceId(0), &text) {
            assert!(!diags.is_empty());
            for span in diags
                .iter()
                .flat_map(|d| d.labels.iter().map(|l| l.span.range()))
            {
                assert!(span.end <= text.len() && span.start <= span.end, "{text:?}");
                assert!(
                    text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
                    "{text:?}"
                );
            }
        }
    }
}
