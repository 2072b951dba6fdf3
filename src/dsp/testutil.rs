//! Test helpers shared by the processor tests: deterministic signals, building an
//! insert from the registry defaults, block-wise processing, the common
//! chunk-size / reset / finiteness checks, and a single-frequency DFT.

use super::{BuildContext, Processor, build};
use crate::ir::{Band, Insert, ParamValue};
use crate::span::Span;
use std::collections::BTreeMap;

/// White noise in [-1, 1) from a fixed-seed xorshift generator.
pub fn noise(len: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            ((s >> 40) as f32 / (1u64 << 23) as f32) - 1.0
        })
        .collect()
}

/// A sine of `amp` peak at `freq` Hz.
pub fn sine(len: usize, freq: f64, rate: f64, amp: f64) -> Vec<f32> {
    (0..len)
        .map(|n| (amp * libm::sin(2.0 * std::f64::consts::PI * freq * n as f64 / rate)) as f32)
        .collect()
}

pub fn ctx(rate: f64, channels: usize) -> BuildContext {
    BuildContext {
        rate,
        channels,
        max_frames: 4096,
    }
}

fn values(pairs: &[(&str, ParamValue)]) -> BTreeMap<String, ParamValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// An insert of `kind` with the given parameters; the rest take their defaults in `build`.
pub fn insert(kind: &str, params: &[(&str, ParamValue)], bands: Vec<Band>) -> Insert {
    Insert {
        kind: kind.into(),
        name: kind.into(),
        params: values(params),
        bands,
        notes: Default::default(),
        span: Span::default(),
    }
}

pub fn band(kind: &str, params: &[(&str, f64)]) -> Band {
    Band {
        kind: kind.into(),
        name: kind.into(),
        params: params
            .iter()
            .map(|(k, v)| (k.to_string(), ParamValue::Number(*v)))
            .collect(),
        span: Span::default(),
    }
}

pub fn num(v: f64) -> ParamValue {
    ParamValue::Number(v)
}

pub fn text(v: &str) -> ParamValue {
    ParamValue::Text(v.into())
}

pub fn make(ins: &Insert, rate: f64, channels: usize) -> Box<dyn Processor> {
    build(ins, &ctx(rate, channels)).expect("builds")
}

/// Runs `input` (one Vec per channel) through `p` in blocks of `block` frames.
pub fn run(
    p: &mut dyn Processor,
    input: &[Vec<f32>],
    key: Option<&[Vec<f32>]>,
    block: usize,
) -> Vec<Vec<f32>> {
    let mut out: Vec<Vec<f32>> = input.to_vec();
    let len = input[0].len();
    let mut at = 0;
    while at < len {
        let end = (at + block).min(len);
        let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..end]).collect();
        let keys: Option<Vec<&[f32]>> = key.map(|k| k.iter().map(|c| &c[at..end]).collect());
        p.process(&mut chans, keys.as_deref());
        at = end;
    }
    out
}

/// Bit-identical output for blocks of 1, 37, 512 and 4096 frames on 1 s of stereo noise,
/// and identical output after `reset`.
pub fn check_chunks_and_reset(ins: &Insert, with_key: bool) {
    let rate = 48000.0;
    let input = vec![noise(48000, 1), noise(48000, 2)];
    let key_sig = vec![noise(48000, 3), noise(48000, 4)];
    let key = with_key.then_some(key_sig.as_slice());
    let mut p = make(ins, rate, 2);
    let reference = run(p.as_mut(), &input, key, 4096);
    for block in [1, 37, 512] {
        let mut q = make(ins, rate, 2);
        assert!(
            run(q.as_mut(), &input, key, block) == reference,
            "{}: block {block} differs from block 4096",
            ins.kind
        );
    }
    p.reset();
    assert!(
        run(p.as_mut(), &input, key, 4096) == reference,
        "{}: output after reset differs",
        ins.kind
    );
}

/// No NaN or infinity on silence, on full-scale noise, and after each parameter
/// in `extremes` is set to its extreme value mid-stream.
pub fn check_finite(ins: &Insert, extremes: &[(super::ParamId, f64)]) {
    let rate = 48000.0;
    let mut p = make(ins, rate, 2);
    let silence = vec![vec![0.0f32; 4800]; 2];
    let loud: Vec<Vec<f32>> = [5, 6]
        .iter()
        .map(|&s| noise(4800, s).iter().map(|x| x.signum()).collect())
        .collect();
    let mut outs = vec![run(p.as_mut(), &silence, None, 512)];
    outs.push(run(p.as_mut(), &loud, None, 512));
    for &(id, v) in extremes {
        p.set_param(id, v);
        outs.push(run(p.as_mut(), &loud, None, 100));
        outs.push(run(p.as_mut(), &silence, None, 100));
    }
    for o in outs.iter().flatten().flatten() {
        assert!(o.is_finite(), "{}: non-finite output", ins.kind);
    }
}

/// Magnitude in dB of the DTFT of `x` at `freq` (Goertzel, f64).
pub fn dft_db(x: &[f32], freq: f64, rate: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / rate;
    let c = 2.0 * libm::cos(w);
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = f64::from(v) + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let p = s1 * s1 + s2 * s2 - c * s1 * s2;
    10.0 * libm::log10(p.max(1e-300))
}

/// Largest absolute sample value.
pub fn peak(x: &[f32]) -> f64 {
    x.iter().fold(0.0f64, |m, &v| m.max(f64::from(v).abs()))
}

pub fn db(lin: f64) -> f64 {
    20.0 * libm::log10(lin)
}

/// Like the automation engine: `id` follows `curve(sample)` with a `set_param` every
/// 32 samples, while the audio is cut into blocks of 1, 37, 512 or 4096 frames (a
/// block is split where an automation point falls inside it). All give the same bits.
pub fn check_chunks_automated(ins: &Insert, id: super::ParamId, curve: impl Fn(usize) -> f64) {
    let input = vec![noise(24000, 7), noise(24000, 8)];
    let render = |block: usize| {
        let mut p = make(ins, 48000.0, 2);
        let mut out = input.clone();
        let mut at = 0;
        while at < 24000 {
            if at % 32 == 0 {
                p.set_param(id, curve(at));
            }
            let end = (at + block).min(at - at % 32 + 32).min(24000);
            let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..end]).collect();
            p.process(&mut chans, None);
            at = end;
        }
        out
    };
    let reference = render(4096);
    for block in [1, 37, 512] {
        assert!(
            render(block) == reference,
            "{}: automated, block {block}",
            ins.kind
        );
    }
}
