//! The whole graph: one render of a generated session through the library, as
//! `mixdown render` does it (decode, 16 strips with EQ and compressor, two bus
//! compressors, a convolution reverb, the master chain solved to -14 LUFS, a 24-bit
//! WAV written and measured), with one worker thread and with two.
//!
//! The session (written to a temporary folder once): 16 tracks of 12 s at 48 kHz,
//! 7 mono and 9 stereo, synthesised (tones, decaying hits and noise), and a 1.5 s
//! stereo impulse response. `cargo bench --bench render`; criterion reports seconds
//! per render and the throughput in frames of song per second.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mixdown::render::{RenderOptions, render};
use mixdown::world::DiskWorld;
use std::f64::consts::TAU;
use std::path::Path;

const RATE: u32 = 48000;
const SECONDS: usize = 12;
const FRAMES: usize = SECONDS * RATE as usize;
const TRACKS: usize = 16;

/// A repeatable pseudo-random sequence in [-1, 1).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

fn write_wav(path: &Path, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: RATE,
        bits_per_sample: 24,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create wav");
    for n in 0..channels[0].len() {
        for c in channels {
            let v = (f64::from(c[n]) * 8_388_607.0).round() as i32;
            w.write_sample(v.clamp(-8_388_608, 8_388_607))
                .expect("write");
        }
    }
    w.finalize().expect("finalize");
}

/// Track `k`: a tone at its own pitch, hits at its own rate and some noise.
fn track(k: usize, channels: usize) -> Vec<Vec<f32>> {
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15 ^ (k as u64 + 1));
    let pitch = 55.0 * (1.0 + k as f64 * 0.37);
    let every = RATE as usize / (1 + k % 4);
    (0..channels)
        .map(|c| {
            (0..FRAMES)
                .map(|n| {
                    let t = n as f64 / f64::from(RATE);
                    let hit = (n % every) as f64 / f64::from(RATE);
                    let env = (-hit * (8.0 + k as f64)).exp();
                    let tone = (TAU * pitch * t + c as f64).sin();
                    (0.25 * tone * (0.3 + env) + 0.05 * noise.next() * env) as f32
                })
                .collect()
        })
        .collect()
}

/// The session and its `.mix` in `dir`; returns the mix's path.
fn session(dir: &Path) -> std::path::PathBuf {
    let mut text = String::from("session \"bench\" { rate 48kHz; tail 0s }\n");
    for k in 0..TRACKS {
        let channels = if k < 7 { 1 } else { 2 };
        write_wav(&dir.join(format!("t{k:02}.wav")), &track(k, channels));
        let bus = if k < 6 { "drums" } else { "music" };
        let send = if k % 3 == 1 { "send verb -12dB; " } else { "" };
        text += &format!(
            "track t{k:02} \"t{k:02}.wav\" {{ eq {{ highpass {hp}Hz 12dB/oct; bell {f1}Hz +2dB q 1.0; \
             bell {f2}Hz -2dB q 1.2 }}; compressor {{ detector rms; threshold -20dB; ratio 3; \
             attack 5ms; release 120ms; makeup 1dB }}; gain -6dB; pan {pan}%; {send}to {bus} }}\n",
            hp = 30 + 10 * k,
            f1 = 100 + 40 * k,
            f2 = 2000 + 300 * k,
            pan = (k as i32 * 13) % 81 - 40,
        );
    }
    let mut noise = Noise(7);
    let ir_len = 3 * RATE as usize / 2;
    let ir: Vec<Vec<f32>> = (0..2)
        .map(|_| {
            (0..ir_len)
                .map(|n| (noise.next() * 0.3 * (-(n as f64) / 12000.0).exp()) as f32)
                .collect()
        })
        .collect();
    write_wav(&dir.join("ir.wav"), &ir);
    text += r#"bus drums { compressor { detector rms; threshold -14dB; ratio 3; attack 10ms; release 150ms } }
bus music { compressor { detector rms; threshold -16dB; ratio 2; attack 20ms; release 250ms } }
bus verb { reverb "ir.wav" { mix 100% }; gain -4dB }
master {
  eq { bell 120Hz -1dB q 0.8; bell 9000Hz +1.5dB q 0.7 }
  compressor { detector rms; threshold -12dB; ratio 2; attack 20ms; release 250ms }
  limiter { ceiling -1dBTP; release 50ms }
  loudness -14LUFS
}
export "out/bench.wav" { bits 24 }
"#;
    let path = dir.join("bench.mix");
    std::fs::write(&path, text).expect("write the mix");
    path
}

fn whole_graph(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = session(dir.path());
    let world = DiskWorld::new();
    let (_, compiled) = mixdown::compile::compile_path(&world, &path).expect("read the mix");
    let mix = compiled
        .mix
        .unwrap_or_else(|| panic!("the bench mix compiles: {:?}", compiled.diags));
    let mut group = c.benchmark_group("render");
    group.throughput(Throughput::Elements(FRAMES as u64));
    for jobs in [1, 2] {
        let opts = RenderOptions {
            jobs,
            out_dir: Some(dir.path().join(format!("out-{jobs}"))),
            ..Default::default()
        };
        std::fs::create_dir_all(opts.out_dir.as_ref().expect("set")).expect("out dir");
        group.bench_function(format!("16 tracks x {SECONDS} s, jobs {jobs}"), |b| {
            b.iter(|| render(&mix, &world, &opts, &|_, _| {}).expect("render"))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .measurement_time(std::time::Duration::from_secs(15));
    targets = whole_graph
}
criterion_main!(benches);
