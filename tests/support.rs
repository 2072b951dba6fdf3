//! A scratch project for one test: write a `.mix` and audio files, run `mixdown`,
//! read what it wrote.

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Project {
    pub dir: tempfile::TempDir,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(&self) -> &Self {
        assert_eq!(
            self.code, 0,
            "expected success, got {}:\n{}",
            self.code, self.stderr
        );
        self
    }
}

impl Project {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn mix(&self, text: &str) -> &Self {
        self.file("song.mix", text.as_bytes())
    }

    pub fn file(&self, rel: &str, bytes: &[u8]) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
        self
    }

    /// A float WAV with the given channels (planar) at `rate`.
    pub fn wav(&self, rel: &str, rate: u32, planar: &[Vec<f32>]) -> &Self {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        let spec = hound::WavSpec {
            channels: planar.len() as u16,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(p, spec).expect("create wav");
        for i in 0..planar[0].len() {
            for ch in planar {
                w.write_sample(ch[i]).expect("sample");
            }
        }
        w.finalize().expect("finalize");
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_mixdown"))
            .args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .output()
            .expect("run mixdown");
        let code = out.status.code().unwrap_or(-1);
        assert_ne!(
            code,
            101,
            "mixdown panicked:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        Run {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into(),
            stderr: String::from_utf8_lossy(&out.stderr).into(),
        }
    }

    pub fn render(&self) -> Run {
        self.run(&["render", "song.mix"])
    }
}

/// Reads a WAV as planar f64 plus its spec.
pub fn read_wav(path: &Path) -> (hound::WavSpec, Vec<Vec<f64>>) {
    let mut r =
        hound::WavReader::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let spec = r.spec();
    let ch = spec.channels as usize;
    let samples: Vec<f64> = match spec.sample_format {
        hound::SampleFormat::Float => r
            .samples::<f32>()
            .map(|s| f64::from(s.expect("sample")))
            .collect(),
        hound::SampleFormat::Int => {
            let scale = f64::from(1u32 << (spec.bits_per_sample - 1));
            r.samples::<i32>()
                .map(|s| f64::from(s.expect("sample")) / scale)
                .collect()
        }
    };
    let planar = (0..ch)
        .map(|c| samples.iter().skip(c).step_by(ch).copied().collect())
        .collect();
    (spec, planar)
}

pub fn peak_db(x: &[f64]) -> f64 {
    20.0 * x.iter().fold(0.0f64, |m, v| m.max(v.abs())).log10()
}

pub fn sine(freq: f64, amp: f64, rate: u32, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|i| (amp * (std::f64::consts::TAU * freq * i as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

/// Deterministic noise in [-amp, amp).
pub fn noise(seed: u64, amp: f32, frames: usize) -> Vec<f32> {
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..frames)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((x >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * amp
        })
        .collect()
}
