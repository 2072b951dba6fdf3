//! Frames per second of each built-in processor on one thread: stereo noise at
//! 48 kHz in blocks of 4096 frames, default parameters (EQ: three bands), the
//! limiter also on noise 20 dB down (where its true-peak reading is skipped), plus
//! the convolution reverb with a 3 s stereo impulse response, and the resampler
//! (10 s of stereo noise, 44.1 to 48 kHz and back; frames counted at the input).
//!
//! `cargo bench --bench processors`; criterion reports the throughput in
//! elements (frames) per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixdown::dsp::{BuildContext, Processor, build, registry};
use mixdown::io::resample_planar;
use mixdown::ir::{Band, Insert, ParamValue};
use mixdown::span::Span;
use std::collections::BTreeMap;
use std::hint::black_box;

const RATE: f64 = 48000.0;
const BLOCK: usize = 4096;

fn noise(len: usize, seed: u64) -> Vec<f32> {
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

fn params(pairs: &[(&str, ParamValue)]) -> BTreeMap<String, ParamValue> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn band(kind: &str, pairs: &[(&str, f64)]) -> Band {
    let p: Vec<(&str, ParamValue)> = pairs
        .iter()
        .map(|(k, v)| (*k, ParamValue::Number(*v)))
        .collect();
    Band {
        kind: kind.into(),
        name: kind.into(),
        params: params(&p),
        span: Span::default(),
    }
}

fn insert(kind: &str, p: &[(&str, ParamValue)], bands: Vec<Band>) -> Insert {
    Insert {
        kind: kind.into(),
        name: kind.into(),
        params: params(p),
        bands,
        notes: Default::default(),
        span: Span::default(),
    }
}

/// A 3 s stereo decaying-noise IR written as a float WAV in a temporary folder.
fn impulse_response(dir: &std::path::Path) -> String {
    let path = dir.join("ir.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let (l, r) = (noise(144000, 1), noise(144000, 2));
    let mut w = hound::WavWriter::create(&path, spec).expect("create IR");
    for n in 0..144000 {
        let env = (-(n as f32) / 20000.0).exp() * 0.05;
        w.write_sample(l[n] * env).expect("write");
        w.write_sample(r[n] * env).expect("write");
    }
    w.finalize().expect("finalize");
    path.to_string_lossy().into_owned()
}

/// Benchmarks `ins` on stereo noise scaled by `level`.
fn run(c: &mut Criterion, label: &str, ins: &Insert, level: f32) {
    let ctx = BuildContext {
        rate: RATE,
        channels: 2,
        max_frames: BLOCK,
    };
    let mut p: Box<dyn Processor> = build(ins, &ctx).expect("builds");
    let input = [noise(BLOCK, 3), noise(BLOCK, 4)]
        .map(|c| c.iter().map(|v| v * level).collect::<Vec<f32>>());
    let mut work = input.clone();
    let mut group = c.benchmark_group("processors");
    group.throughput(Throughput::Elements(BLOCK as u64));
    group.bench_function(label, |b| {
        b.iter(|| {
            work.clone_from(&input);
            let [l, r] = &mut work;
            let mut io: [&mut [f32]; 2] = [l, r];
            p.process(&mut io, None);
            black_box(&work);
        })
    });
    group.finish();
}

fn processors(c: &mut Criterion) {
    for kind in registry::kinds() {
        let bands = if kind == "eq" {
            vec![
                band("highpass", &[("freq", 80.0), ("slope", 24.0)]),
                band("bell", &[("freq", 2000.0), ("gain", 3.0), ("q", 1.0)]),
                band("highshelf", &[("freq", 10000.0), ("gain", 1.5)]),
            ]
        } else {
            vec![]
        };
        run(c, kind, &insert(kind, &[], bands), 1.0);
    }
    // Quiet material under a limiter (gaps, fades): its reading is skipped.
    run(
        c,
        "limiter-quiet-20dB",
        &insert("limiter", &[], vec![]),
        0.1,
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let ir = impulse_response(dir.path());
    let conv = insert(
        "reverb",
        &[
            ("ir", ParamValue::Text(ir)),
            ("mix", ParamValue::Number(1.0)),
        ],
        vec![],
    );
    run(c, "reverb-convolution-3s", &conv, 1.0);
    resample(c);
}

fn resample(c: &mut Criterion) {
    let input = [noise(441_000, 5), noise(441_000, 6)];
    let mut group = c.benchmark_group("resample");
    group.throughput(Throughput::Elements(441_000));
    group.bench_function("44k1-to-48k", |b| {
        b.iter(|| black_box(resample_planar(&input, 44100, 48000).expect("resamples")))
    });
    let input = [noise(480_000, 7), noise(480_000, 8)];
    group.throughput(Throughput::Elements(480_000));
    group.bench_function("48k-to-44k1", |b| {
        b.iter(|| black_box(resample_planar(&input, 48000, 44100).expect("resamples")))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = processors
}
criterion_main!(benches);
