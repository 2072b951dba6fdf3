//! The syntax tree of a `.mix` file. Every node carries the [`Span`] of its text.
//!
//! Top-level items have their own shapes; inside blocks, every line is a generic
//! [`Stmt`] (`name [as alias] value... [{ block }]` or a chain call), and the compiler
//! gives it meaning with the processor registry. Keeping block contents generic is
//! what lets one registry table define every processor, and lets `fmt` lay out any
//! block the same way.

use crate::span::Span;

#[derive(Debug, Clone, PartialEq)]
pub struct File {
    pub items: Vec<Item>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `use std.vocal` or `use "chains/house.mix"`
    Use(Use),
    /// `chain warm(air = 2dB) { ... }`
    Chain(ChainDef),
    /// `session "Title" { rate 48kHz; tempo 92bpm }` (the title is optional)
    Session(Session),
    /// `track NAME "file" { ... }`, `track NAME sine 1kHz { ... }`, `bus NAME { ... }`
    Strip(Strip),
    /// `master { ... }`
    Master(Master),
    /// `export "path" { ... }` or `export stems "pattern" { ... }`
    Export(Export),
    /// `automate vox.gain { 0:00 -inf dB; 0:02 0dB linear }`
    Automate(Automate),
    /// `assert master loudness -14LUFS within 0.5LU` (words and values, interpreted by the compiler)
    Assert(Assert),
    /// `album "Title" { song "a.mix" gap 2s; ... }`
    Album(Album),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Str {
    /// The text with escapes resolved.
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UseTarget {
    /// `use std.NAME`
    Std(Ident),
    /// `use "path.mix"`
    File(Str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    pub target: UseTarget,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChainParam {
    pub name: Ident,
    /// `None` when the parameter has no default (then every call must give it).
    pub default: Option<Value>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChainDef {
    pub name: Ident,
    pub params: Vec<ChainParam>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub title: Option<Str>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripKind {
    Track,
    Bus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StripSource {
    /// `"stems/vox.wav"`
    File(Str),
    /// `sine 1kHz`, `noise pink`, `silence`: the generator's kind and its arguments.
    Generator {
        kind: Ident,
        args: Vec<Value>,
        span: Span,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Strip {
    pub kind: StripKind,
    /// The `track` or `bus` keyword.
    pub keyword_span: Span,
    pub name: Ident,
    /// Always `None` for buses.
    pub source: Option<StripSource>,
    /// Empty when written without a block (`track kick "kick.flac"`).
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Master {
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    /// `export stems ...`: the word `stems` (or any other word written there, for the compiler to judge).
    pub kind: Option<Ident>,
    pub path: Str,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Automate {
    /// `vox.gain` -> [vox, gain]; `plate.reverb.mix` -> [plate, reverb, mix]
    pub target: Vec<Ident>,
    pub target_span: Span,
    pub points: Vec<AutomationPoint>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AutomationPoint {
    pub at: Value,
    pub value: Value,
    /// `linear`, `exp`, `smooth`, `step` (checked by the compiler).
    pub curve: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Assert {
    pub args: Vec<Value>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Album {
    pub title: Str,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// From `{` to `}`; for an absent block, the empty span where it would be.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Command(Command),
    Call(Call),
}

impl Stmt {
    pub fn span(&self) -> Span {
        match self {
            Stmt::Command(c) => c.span,
            Stmt::Call(c) => c.span,
        }
    }
}

/// `name [as alias] value* [{ block }]`, e.g. `threshold -18dB`, `send plate -12dB pre`,
/// `bell as presence 3kHz +2dB q 1.0`, `compressor as duck { ... }`, `reverb "ir.wav" { mix 100% }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub name: Ident,
    pub alias: Option<Ident>,
    pub args: Vec<Value>,
    pub block: Option<Block>,
    pub span: Span,
}

/// A chain call: `warm(air: 3dB)`, `vocal.lead()`.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// One name (a chain of this file or a `use`d file) or two (`module.chain`).
    pub path: Vec<Ident>,
    pub args: Vec<NamedArg>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NamedArg {
    pub name: Ident,
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub kind: ValueKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A number with an optional unit: `-3dB`, `2.5kHz`, `50%`, `1.0`, `-inf dB` (value = -inf).
    Number { value: f64, unit: Option<Unit> },
    /// `"text"`
    Str(String),
    /// A bare word: `rms`, `pre`, `smooth`, `kick`, a chain parameter's name, ...
    Word(String),
    /// A dotted name in an argument position, e.g. `vox.eq` (rare; kept for asserts).
    Path(Vec<String>),
    /// `1:23.5` or `1:02:03`, in seconds.
    Clock(f64),
    /// `bar 17` or `bar 17.3` (bar 17, beat 3).
    Bar { bar: u32, beat: f64 },
    /// `1/4`, `1/8.`, `1/8t`, and `4/4` in `meter 4/4`.
    Fraction {
        num: u32,
        den: u32,
        modifier: NoteModifier,
    },
    /// `..` in `region 0:01 .. 2:30`
    Range,
    /// `<=`, `>=`, `<`, `>`, `==` in assertions.
    Compare(CompareOp),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteModifier {
    Plain,
    /// `1/8.`: one and a half times as long.
    Dotted,
    /// `1/8t`: two thirds as long.
    Triplet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Le,
    Ge,
    Lt,
    Gt,
    Eq,
}

/// Every unit the language knows, as written. The compiler converts values to one
/// canonical unit per kind (dB, Hz, seconds, fraction for percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// `dB`
    Db,
    /// `dBFS`
    Dbfs,
    /// `dBTP`
    Dbtp,
    /// `LUFS`
    Lufs,
    /// `LU`
    Lu,
    /// `Hz`
    Hz,
    /// `kHz`
    Khz,
    /// `ms`
    Ms,
    /// `s`
    S,
    /// `smp` (samples)
    Smp,
    /// `%`
    Percent,
    /// `dB/oct`
    DbPerOct,
    /// `bpm`
    Bpm,
    /// `float` (only in `bits 32float`)
    Float,
}

impl Unit {
    /// The unit as it is written in a `.mix` file.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Db => "dB",
            Unit::Dbfs => "dBFS",
            Unit::Dbtp => "dBTP",
            Unit::Lufs => "LUFS",
            Unit::Lu => "LU",
            Unit::Hz => "Hz",
            Unit::Khz => "kHz",
            Unit::Ms => "ms",
            Unit::S => "s",
            Unit::Smp => "smp",
            Unit::Percent => "%",
            Unit::DbPerOct => "dB/oct",
            Unit::Bpm => "bpm",
            Unit::Float => "float",
        }
    }
}
