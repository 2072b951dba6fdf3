//! The report's plots over time: the waveform overview (peak and RMS envelopes per
//! channel) and loudness (momentary, short-term, integrated, target) with the
//! limiter's gain reduction beneath.

use super::svg::{Anchor, Svg};
use crate::ir::TempoMap;
use crate::render::meters::Overview;

pub const WIDTH: f64 = 1200.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const LANE: f64 = 110.0;
const AXIS: f64 = 22.0;
const BARS: f64 = 16.0;
/// Loudness plot range (LUFS): quieter readings sit on the floor.
const FLOOR: f64 = -60.0;

fn plot_w() -> f64 {
    WIDTH - LEFT - RIGHT
}

/// x of a time in seconds.
fn xs(o: &Overview, secs: f64) -> f64 {
    let total = (o.frames as f64 / f64::from(o.rate)).max(1e-9);
    LEFT + plot_w() * (secs / total).clamp(0.0, 1.0)
}

/// x of the middle of block `i`.
fn xb(o: &Overview, i: usize) -> f64 {
    let t = ((i as f64 + 0.5) * o.block as f64).min(o.frames as f64);
    xs(o, t / f64::from(o.rate))
}

/// `m:ss`.
pub fn mss(secs: f64) -> String {
    let s = secs.round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// A tick step (s) giving at most about 12 ticks.
fn tick_step(total: f64) -> f64 {
    [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0]
        .into_iter()
        .find(|s| total / s <= 12.0)
        .unwrap_or(1200.0)
}

/// The time axis with m:ss labels along `y`, and grid lines from `top`.
fn time_axis(svg: &mut Svg, o: &Overview, top: f64, y: f64) {
    let total = o.frames as f64 / f64::from(o.rate);
    let step = tick_step(total);
    let mut t = 0.0;
    while t <= total + 1e-9 {
        let x = xs(o, t);
        svg.line(x, top, x, y, "grid");
        svg.text(x, y + 15.0, Anchor::Middle, "lbl", &mss(t));
        t += step;
    }
}

/// Bar starts (bar number, seconds) up to `total` seconds.
fn bars(tempo: &TempoMap, rate: u32, total: f64) -> Vec<(u32, f64)> {
    let mut out = Vec::new();
    for (k, seg) in tempo.segments.iter().enumerate() {
        // A bar of n/d lasts n * 4/d quarter notes; tempo counts quarters.
        let len = f64::from(seg.beats_per_bar) * 4.0 / f64::from(seg.beat_unit.max(1)) * 60.0
            / seg.bpm.max(1e-3);
        let end = tempo.segments.get(k + 1).map(|n| n.bar);
        let mut bar = seg.bar;
        loop {
            let t = seg.sample / f64::from(rate) + f64::from(bar - seg.bar) * len;
            if t > total + 1e-9 || end.is_some_and(|e| bar >= e) || out.len() > 10_000 {
                break;
            }
            out.push((bar, t));
            bar += 1;
        }
    }
    out
}

/// A bar ruler along `y` (ticks every bar, labels often enough to read).
fn bar_ruler(svg: &mut Svg, o: &Overview, tempo: &TempoMap, y: f64) {
    let total = o.frames as f64 / f64::from(o.rate);
    let all = bars(tempo, o.rate, total);
    let every: u32 = [1, 2, 4, 8, 16, 32, 64]
        .into_iter()
        .find(|&k| all.len() / k as usize <= 32)
        .unwrap_or(128);
    for &(bar, t) in &all {
        let x = xs(o, t);
        let labelled = (bar - 1) % every == 0;
        let h = if labelled { 8.0 } else { 4.0 };
        svg.line(x, y + BARS - h, x, y + BARS, "tick");
        if labelled {
            svg.text(x + 2.0, y + 9.0, Anchor::Start, "lbl", &bar.to_string());
        }
    }
    svg.text(LEFT - 6.0, y + 11.0, Anchor::End, "lbl", "bar");
}

/// The waveform overview: one lane per channel, peak envelope (min to max) with
/// the RMS envelope (±RMS) inside it.
pub fn waveform(o: &Overview, tempo: Option<&TempoMap>) -> String {
    let lanes = o.envelopes.len().max(1);
    let top = if tempo.is_some() { BARS + 4.0 } else { 4.0 };
    let h = top + LANE * lanes as f64 + AXIS + 4.0;
    let mut svg = Svg::new(WIDTH, h, "waveform overview of the master");
    if let Some(t) = tempo {
        bar_ruler(&mut svg, o, t, 0.0);
    }
    let bottom = top + LANE * lanes as f64;
    for c in 0..lanes {
        svg.rect(LEFT, top + LANE * c as f64, plot_w(), LANE, "lane");
    }
    time_axis(&mut svg, o, top, bottom);
    let names = ["L", "R"];
    for (c, env) in o.envelopes.iter().enumerate() {
        let y0 = top + LANE * c as f64;
        let mid = y0 + LANE / 2.0;
        let half = LANE / 2.0 - 3.0;
        let y = |v: f64| mid - half * v.clamp(-1.0, 1.0);
        let name = if lanes == 2 {
            names[c].to_string()
        } else {
            format!("{}", c + 1)
        };
        svg.text(LEFT - 8.0, mid + 4.0, Anchor::End, "name", &name);
        svg.text(LEFT - 8.0, y0 + 12.0, Anchor::End, "lbl", "+1");
        svg.text(LEFT - 8.0, y0 + LANE - 4.0, Anchor::End, "lbl", "-1");
        let mut peak: Vec<(f64, f64)> = (0..env.len())
            .map(|i| (xb(o, i), y(f64::from(env[i].max))))
            .collect();
        peak.extend(
            (0..env.len())
                .rev()
                .map(|i| (xb(o, i), y(f64::from(env[i].min)))),
        );
        svg.polygon(&peak, "peak");
        let rms = |i: usize| {
            let frames = (o.frames - (i as u64 * o.block).min(o.frames)).min(o.block);
            (env[i].sumsq / frames.max(1) as f64).sqrt()
        };
        let mut r: Vec<(f64, f64)> = (0..env.len()).map(|i| (xb(o, i), y(rms(i)))).collect();
        r.extend((0..env.len()).rev().map(|i| (xb(o, i), y(-rms(i)))));
        svg.polygon(&r, "rms");
        svg.line(LEFT, mid, LEFT + plot_w(), mid, "zero");
    }
    svg.finish()
}

/// Splits a series into drawable runs (`NAN` is a gap; silence sits on the floor).
fn runs(o: &Overview, v: &[f32], y: impl Fn(f64) -> f64) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (i, &x) in v.iter().enumerate() {
        if x.is_nan() {
            if out.last().is_some_and(|r| !r.is_empty()) {
                out.push(Vec::new());
            }
            continue;
        }
        let last = out.last_mut().expect("never empty");
        last.push((xb(o, i), y(f64::from(x).max(FLOOR))));
    }
    out
}

/// Loudness over time, and beneath it the limiter's gain reduction.
pub fn loudness(o: &Overview, integrated: Option<f64>, target: Option<f64>) -> String {
    let lh = 220.0;
    let gap = 30.0;
    let gh = 80.0;
    let h = 4.0 + lh + gap + gh + AXIS + 4.0;
    let mut svg = Svg::new(WIDTH, h, "loudness over time and limiter gain reduction");
    let top = 4.0;
    let peak = o
        .momentary
        .iter()
        .chain(target.map(|t| t as f32).iter())
        .filter(|x| x.is_finite())
        .fold(FLOOR as f32, |m, &x| m.max(x));
    let ceil = (f64::from(peak) / 6.0).ceil() * 6.0;
    let ceil = ceil.max(FLOOR + 24.0);
    let y = |l: f64| top + lh * (ceil - l.clamp(FLOOR, ceil)) / (ceil - FLOOR);
    svg.rect(LEFT, top, plot_w(), lh, "lane");
    let mut l = FLOOR;
    while l <= ceil + 1e-9 {
        svg.line(LEFT, y(l), LEFT + plot_w(), y(l), "grid");
        svg.text(
            LEFT - 6.0,
            y(l) + 4.0,
            Anchor::End,
            "lbl",
            &format!("{l:.0}"),
        );
        l += 6.0;
    }
    svg.text(4.0, top + 12.0, Anchor::Start, "lbl", "LUFS");
    for r in runs(o, &o.momentary, y) {
        svg.polyline(&r, "mom");
    }
    for r in runs(o, &o.short_term, y) {
        svg.polyline(&r, "short");
    }
    let right = LEFT + plot_w();
    if let Some(i) = integrated {
        svg.line(LEFT, y(i), right, y(i), "integ");
        let label = format!("integrated {i:.1} LUFS");
        svg.text(right - 4.0, y(i) - 4.0, Anchor::End, "lbl integ-l", &label);
    }
    if let Some(t) = target {
        svg.line(LEFT, y(t), right, y(t), "target");
        let label = format!("target {t:.1} LUFS");
        svg.text(
            LEFT + 4.0,
            y(t) - 4.0,
            Anchor::Start,
            "lbl target-l",
            &label,
        );
    }
    let g0 = top + lh + gap;
    svg.rect(LEFT, g0, plot_w(), gh, "lane");
    svg.text(
        4.0,
        g0 - 8.0,
        Anchor::Start,
        "lbl",
        "limiter gain reduction (dB)",
    );
    match &o.gain_reduction {
        Some(gr) => {
            let most = gr.iter().fold(0.0f32, |m, &g| m.max(g));
            let depth = f64::from(most).ceil().max(3.0);
            let gy = |g: f64| g0 + gh * (g / depth).clamp(0.0, 1.0);
            for g in [0.0, depth / 2.0, depth] {
                svg.line(LEFT, gy(g), right, gy(g), "grid");
                svg.text(
                    LEFT - 6.0,
                    gy(g) + 4.0,
                    Anchor::End,
                    "lbl",
                    &format!("-{g:.1}"),
                );
            }
            let mut pts = vec![(xb(o, 0), g0)];
            pts.extend(
                gr.iter()
                    .enumerate()
                    .map(|(i, &g)| (xb(o, i), gy(f64::from(g)))),
            );
            pts.push((xb(o, gr.len().saturating_sub(1)), g0));
            svg.polygon(&pts, "gr");
        }
        None => svg.text(
            LEFT + plot_w() / 2.0,
            g0 + gh / 2.0 + 4.0,
            Anchor::Middle,
            "lbl",
            "no limiter on the master",
        ),
    }
    time_axis(&mut svg, o, top, g0 + gh);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::TempoSegment;

    #[test]
    fn bars_follow_tempo_changes() {
        // 96 bpm 4/4 (2.5 s a bar), then 72 bpm 3/4 from bar 9 (also 2.5 s).
        let seg = |bar, sample, bpm, n| TempoSegment {
            bar,
            sample,
            bpm,
            beats_per_bar: n,
            beat_unit: 4,
        };
        let map = TempoMap {
            segments: vec![seg(1, 0.0, 96.0, 4), seg(9, 960_000.0, 72.0, 3)],
        };
        let b = bars(&map, 48_000, 22.5);
        assert_eq!(b.len(), 10);
        assert_eq!(b[2], (3, 5.0));
        assert_eq!(b[9], (10, 22.5));
        assert_eq!(mss(61.4), "1:01");
        assert_eq!(tick_step(22.5), 2.0);
    }
}
