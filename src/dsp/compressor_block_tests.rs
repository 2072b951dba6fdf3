//! Bit-identity of the compressor's block path: against a frame-by-frame reference
//! (the form `process` had before it was made block-oriented) and across block splits,
//! with parameters automated mid-stream.

use super::*;
use crate::dsp::fastmath::reference;
use crate::dsp::testutil::noise;

const RATE: f64 = 48000.0;
const LEN: usize = 30000;

/// The static curve as it was written, with branches (`compressor_reduction` now
/// selects among precomputed parts).
fn reference_curve(x: f64, t: f64, ratio: f64, w: f64) -> f64 {
    let over = x - t;
    let slope = 1.0 - 1.0 / ratio;
    if 2.0 * over <= -w {
        0.0
    } else if 2.0 * over < w {
        let k = over + w / 2.0;
        slope * k * k / (2.0 * w)
    } else {
        slope * over
    }
}

/// The gain of the next frame by the per-frame `process` as it was, on the
/// compressor's own state, with the branching `log2`/`exp2` of `fastmath::reference`.
fn reference_gain<C: AsRef<[f32]>>(c: &mut Compressor, chans: &[C], i: usize) -> f64 {
    use std::f64::consts::{LOG2_10, LOG10_2};
    let p = c.detector.power(chans, i);
    let target = if p <= c.floor {
        0.0
    } else {
        let x = 10.0 * LOG10_2 * reference::log2(p);
        reference_curve(x, c.threshold, c.ratio, c.knee)
    };
    let reduction = c.ballistics.next(target);
    let makeup = c.makeup.next_value();
    let mix = c.mix.next_value();
    if reduction == 0.0 && makeup == 1.0 {
        1.0
    } else {
        let wet = if reduction == 0.0 {
            makeup
        } else {
            reference::exp2(-reduction * (LOG2_10 / 20.0)) * makeup
        };
        (1.0 - mix) + mix * wet
    }
}

/// The per-frame `process` as it was.
fn reference_process(c: &mut Compressor, io: &mut [&mut [f32]], key: Option<&[&[f32]]>) {
    let frames = io.first().map_or(0, |c| c.len());
    for i in 0..frames {
        let g = match key {
            Some(k) if !k.is_empty() => reference_gain(c, k, i),
            _ => reference_gain(c, io, i),
        };
        if g != 1.0 {
            for ch in io.iter_mut() {
                ch[i] = (f64::from(ch[i]) * g) as f32;
            }
        }
    }
}

/// Noise in loud, quiet, silent and medium stretches, so every branch is taken:
/// below the floor, in the knee, above it, attack, release and the snap to 0.
fn shaped_noise(seed: u64) -> Vec<f32> {
    let levels = [1.0f32, 0.002, 0.0, 0.3, 0.05, 1.5, 0.0001, 0.6];
    noise(LEN, seed)
        .iter()
        .enumerate()
        .map(|(n, x)| x * levels[(n / 1777) % levels.len()])
        .collect()
}

/// (frame, parameter index, value): set before that frame is processed.
type Events = [(usize, u16, f64)];

/// Renders `input` in blocks of `block` frames (cut at events too), by the block
/// path or the reference.
fn render(
    s: Settings,
    input: &[Vec<f32>],
    key: Option<&[Vec<f32>]>,
    events: &Events,
    block: usize,
    by_reference: bool,
) -> Vec<Vec<f32>> {
    let mut c = Compressor::new(s, RATE);
    let mut out = input.to_vec();
    let mut at = 0;
    let mut next_event = 0;
    while at < LEN {
        while next_event < events.len() && events[next_event].0 == at {
            let (_, index, value) = events[next_event];
            c.set_param(ParamId { band: None, index }, value);
            next_event += 1;
        }
        let cut = events.get(next_event).map_or(LEN, |e| e.0);
        let end = (at + block).min(cut).min(LEN);
        let mut chans: Vec<&mut [f32]> = out.iter_mut().map(|c| &mut c[at..end]).collect();
        let keys: Option<Vec<&[f32]>> = key.map(|k| k.iter().map(|c| &c[at..end]).collect());
        if by_reference {
            reference_process(&mut c, &mut chans, keys.as_deref());
        } else {
            c.process(&mut chans, keys.as_deref());
        }
        at = end;
    }
    out
}

fn settings(detector: DetectorKind, knee: f64, mix: f64, makeup: f64) -> Settings {
    Settings {
        threshold: -24.0,
        ratio: 5.0,
        attack: 0.002,
        release: 0.03,
        knee,
        makeup,
        mix,
        detector,
    }
}

fn bits(x: &[Vec<f32>]) -> Vec<u32> {
    x.iter().flatten().map(|v| v.to_bits()).collect()
}

/// Automation of every parameter in turn (threshold, ratio, attack, release, knee,
/// makeup, mix: indices 0..7), each followed by a threshold move.
fn automation() -> Vec<(usize, u16, f64)> {
    let values = [-40.0, 8.0, 0.0005, 0.2, 12.0, 6.0, 0.4];
    let mut e = vec![];
    for (k, at) in (3001..LEN).step_by(2311).enumerate() {
        e.push((at, (k % 7) as u16, values[k % 7]));
        e.push((at + 700, 0, -12.0 - k as f64));
    }
    e
}

#[test]
fn block_path_matches_the_frame_by_frame_reference() {
    let stereo = vec![shaped_noise(1), shaped_noise(2)];
    let mono = vec![shaped_noise(3)];
    let key = vec![shaped_noise(4), shaped_noise(5)];
    let automated = automation();
    let mut compared = 0;
    for detector in [DetectorKind::Peak, DetectorKind::Rms] {
        for (knee, mix, makeup) in [(0.0, 1.0, 0.0), (12.0, 0.6, 4.0), (24.0, 1.0, -3.0)] {
            let s = settings(detector, knee, mix, makeup);
            for input in [&stereo, &mono] {
                for k in [None, Some(key.as_slice())] {
                    for events in [&[][..], &automated[..]] {
                        let want = render(s, input, k, events, LEN, true);
                        assert!(want != *input, "the settings must compress");
                        for block in [LEN, 4096, 333] {
                            let got = render(s, input, k, events, block, false);
                            assert!(
                                bits(&got) == bits(&want),
                                "{detector:?} knee {knee} mix {mix} makeup {makeup} \
                                 {} ch, key {}, {} events, block {block}",
                                input.len(),
                                k.is_some(),
                                events.len()
                            );
                            compared += 1;
                        }
                    }
                }
            }
        }
    }
    assert_eq!(compared, 2 * 3 * 2 * 2 * 2 * 3);
}

#[test]
fn any_block_split_gives_the_same_bits() {
    let stereo = vec![shaped_noise(6), shaped_noise(7)];
    let automated = automation();
    for detector in [DetectorKind::Peak, DetectorKind::Rms] {
        let s = settings(detector, 6.0, 0.8, 2.0);
        let whole = render(s, &stereo, None, &automated, LEN, false);
        for block in [1, 7, 255, 256, 257, 1000, 4095] {
            let split = render(s, &stereo, None, &automated, block, false);
            assert!(bits(&split) == bits(&whole), "{detector:?}: block {block}");
        }
    }
}

/// The f64 gains themselves, not only the f32 output (where a 1-ulp difference in a
/// gain almost never shows): the block path's equal the reference's bit for bit.
#[test]
fn block_gains_match_the_reference_gains() {
    let stereo = vec![shaped_noise(8), shaped_noise(9)];
    let mono = vec![shaped_noise(10)];
    let automated = automation();
    for detector in [DetectorKind::Peak, DetectorKind::Rms] {
        for (knee, mix, makeup) in [(0.0, 1.0, 0.0), (12.0, 0.6, 4.0), (24.0, 1.0, -3.0)] {
            let s = settings(detector, knee, mix, makeup);
            for input in [&stereo, &mono] {
                let (mut block, mut frame) = (Compressor::new(s, RATE), Compressor::new(s, RATE));
                let (mut got, mut want) = (vec![], vec![]);
                let mut next_event = 0;
                let mut at = 0;
                let mut buf = [0.0; CHUNK];
                while at < LEN {
                    while next_event < automated.len() && automated[next_event].0 == at {
                        let (_, index, value) = automated[next_event];
                        block.set_param(ParamId { band: None, index }, value);
                        frame.set_param(ParamId { band: None, index }, value);
                        next_event += 1;
                    }
                    let cut = automated.get(next_event).map_or(LEN, |e| e.0);
                    let n = (cut - at).min(CHUNK - 3);
                    block.chunk_gains(input, at, &mut buf[..n]);
                    got.extend(buf[..n].iter().map(|g| g.to_bits()));
                    for i in at..at + n {
                        want.push(reference_gain(&mut frame, input, i).to_bits());
                    }
                    at += n;
                }
                assert!(
                    got == want,
                    "{detector:?} knee {knee} mix {mix} makeup {makeup}"
                );
                assert!(
                    want.iter().any(|&g| f64::from_bits(g) < 0.9),
                    "must compress"
                );
            }
        }
    }
}
