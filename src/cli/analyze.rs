//! `mixdown analyze FILE... [--format text|json] [--report FILE.html]`: loudness and peaks of any file
//! mixdown can decode (ITU-R BS.1770 / EBU R 128, through [`crate::analysis::Meter`]).
//!
//! Mono policy: a mono file is measured as one channel with weight 1.0, as BS.1770
//! defines it (a −23 dBFS 1 kHz mono tone reads −26 LUFS). `--dual-mono` counts it
//! twice instead, as if played on two speakers (+3 LU).

use crate::analysis::{Measurement, Meter};
use crate::io::FrameSource;
use crate::render::meters::{Overview, Timeline};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Audio files (WAV, AIFF, FLAC, MP3, Ogg Vorbis).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Count a mono file twice (as two speakers) instead of once (BS.1770).
    #[arg(long)]
    dual_mono: bool,
    /// Write the waveform and loudness views of the (single) file as a self-contained HTML page.
    #[arg(long, value_name = "FILE.html")]
    report: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// What `analyze` reports for one file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Analysis {
    pub path: PathBuf,
    pub rate: u32,
    pub channels: usize,
    pub codec: String,
    pub bits: Option<u32>,
    /// `bs1770` (mono counted once) or `dual` (counted twice); `null` for stereo.
    pub mono_policy: Option<&'static str>,
    #[serde(flatten)]
    pub measured: Measurement,
}

/// Decodes and measures one file; with `overview`, also its waveform and loudness
/// over time for the HTML report.
pub fn analyze(
    path: &Path,
    dual_mono: bool,
    overview: Option<&mut Option<Overview>>,
) -> Result<Analysis, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open: {e}"))?;
    let ext = path.extension().and_then(|e| e.to_str());
    let mut dec =
        crate::io::open(Box::new(std::io::BufReader::new(file)), ext).map_err(|e| e.to_string())?;
    let info = dec.info().clone();
    let mut meter = Meter::new(info.rate, info.channels).map_err(|e| e.to_string())?;
    let mono = info.channels == 1;
    if mono && dual_mono {
        meter = meter.dual_mono().map_err(|e| e.to_string())?;
    }
    let mut timeline = match overview {
        Some(_) => Some(Timeline::new(
            info.rate,
            info.channels,
            info.frames.unwrap_or(0),
        )?),
        None => None,
    };
    let mut buf = vec![vec![0.0f32; 8192]; info.channels];
    loop {
        let mut outs: Vec<&mut [f32]> = buf.iter_mut().map(|b| b.as_mut_slice()).collect();
        let n = dec.read(&mut outs).map_err(|e| e.to_string())?;
        let planes: Vec<&[f32]> = buf.iter().map(|b| &b[..n]).collect();
        meter.push(&planes).map_err(|e| e.to_string())?;
        if let Some(t) = &mut timeline {
            t.push(&planes, None);
        }
        if n < 8192 {
            break;
        }
    }
    let measured = meter.finish();
    if let (Some(slot), Some(t)) = (overview, timeline) {
        let frames = libm::round(measured.duration_s * f64::from(info.rate)) as u64;
        *slot = Some(t.finish(frames));
    }
    Ok(Analysis {
        path: path.to_path_buf(),
        rate: info.rate,
        channels: info.channels,
        codec: info.codec,
        bits: info.bits,
        mono_policy: mono.then_some(if dual_mono { "dual" } else { "bs1770" }),
        measured,
    })
}

fn lufs(x: Option<f64>) -> String {
    x.map_or("-inf".into(), |v| format!("{v:.2}"))
}

fn text(a: &Analysis) -> String {
    let m = &a.measured;
    let bits = a.bits.map_or(String::new(), |b| format!(" {b}-bit"));
    let mono = match a.mono_policy {
        Some("dual") => " (mono counted twice)",
        Some(_) => " (mono counted once, BS.1770)",
        None => "",
    };
    format!(
        "{}\n  format        {} Hz, {} ch, {}{bits}{mono}\n  duration      {:.3} s\n  integrated    {} LUFS\n  range (LRA)   {:.2} LU\n  true peak     {:.2} dBTP\n  sample peak   {:.2} dBFS\n  max momentary {} LUFS\n  max short     {} LUFS\n",
        a.path.display(),
        a.rate,
        a.channels,
        a.codec,
        m.duration_s,
        lufs(m.integrated_lufs),
        m.lra_lu,
        m.true_peak_dbtp,
        m.sample_peak_dbfs,
        lufs(m.max_momentary),
        lufs(m.max_short_term),
    )
}

pub fn run(a: Args) -> ExitCode {
    if a.report.is_some() && a.files.len() != 1 {
        eprintln!("error: --report draws one file; give exactly one");
        return ExitCode::from(2);
    }
    let mut all = Vec::new();
    let mut failed = false;
    for f in &a.files {
        let mut overview = None;
        let wanted = a.report.as_ref().map(|_| &mut overview);
        match analyze(f, a.dual_mono, wanted) {
            Ok(x) => {
                if let (Some(path), Some(o)) = (&a.report, &overview) {
                    let format = format!("{} Hz, {} ch, {}", x.rate, x.channels, x.codec);
                    let page = crate::report_html::analyze_page(f, &format, &x.measured, o);
                    if let Err(e) = crate::report_html::write(path, &page) {
                        eprintln!("error: cannot write the report {}: {e}", path.display());
                        return ExitCode::from(2);
                    }
                }
                all.push(x);
            }
            Err(e) => {
                eprintln!("error: {} {e}", f.display());
                failed = true;
            }
        }
    }
    match a.format {
        Format::Text => all.iter().for_each(|x| print!("{}", text(x))),
        Format::Json => match serde_json::to_string_pretty(&all) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
