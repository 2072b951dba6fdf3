//! EBU Tech 3341 (cases 1-5, 9-23) and Tech 3342 (cases 1-4), synthesised from
//! REFERENCES.md §2, played through a mix, written by mixdown as 32-bit float stems
//! and measured with `mixdown analyze`. Tolerances are the EBU ones: I, M, S ±0.1 LU;
//! true peak +0.2/−0.4 dB; LRA ±1 LU. Case 6 (5.0 surround) cannot pass through a
//! stereo mix; it is a unit test of the meter (`src/analysis/meter.rs`).
//!
//! Every stem of one render is as long as the longest, so the cases are grouped by
//! length; the silence that pads a stem changes no reading (it is gated out, and
//! maxima and peaks ignore it).

use crate::support::Project;
use serde_json::Value;
use std::f64::consts::PI;

const FS: u32 = 48000;

fn frames(secs: f64) -> usize {
    (secs * f64::from(FS)).round() as usize
}

/// Stereo 1 kHz tone at a peak level (dBFS), phase 0, the same in L and R.
fn tone(db: f64, secs: f64) -> Vec<f32> {
    let a = 10f64.powf(db / 20.0);
    (0..frames(secs))
        .map(|n| (a * (2.0 * PI * 1000.0 * n as f64 / f64::from(FS)).sin()) as f32)
        .collect()
}

fn silence(secs: f64) -> Vec<f32> {
    vec![0.0; frames(secs)]
}

fn cat(parts: Vec<Vec<f32>>) -> Vec<f32> {
    parts.concat()
}

/// Renders each signal as a stereo stem (same samples in L and R) and analyzes the
/// stems, returning one JSON object per signal, in order.
fn measure(cases: &[(&str, Vec<f32>)]) -> Vec<Value> {
    let p = Project::new();
    let mut mix = String::from("session { tail 0s }\n");
    for (name, sig) in cases {
        p.wav(&format!("{name}.wav"), FS, &[sig.clone(), sig.clone()]);
        mix.push_str(&format!("track {name} \"{name}.wav\"\n"));
    }
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    mix.push_str(&format!(
        "export stems \"out/{{name}}.wav\" {{ of {}; bits 32float }}\n",
        names.join(", ")
    ));
    p.mix(&mix).render().ok();
    let mut args = vec!["analyze".to_string(), "--format".into(), "json".into()];
    args.extend(names.iter().map(|n| format!("out/{n}.wav")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = p.run(&args);
    run.ok();
    serde_json::from_str::<Vec<Value>>(&run.stdout).expect("analyze json")
}

#[track_caller]
fn within(v: &Value, key: &str, want: f64, below: f64, above: f64) {
    let x = v[key]
        .as_f64()
        .unwrap_or_else(|| panic!("{key} missing in {v}"));
    assert!(
        x >= want - below && x <= want + above,
        "{}: {key} {x:.4}, expected {want} (+{above}/-{below})",
        v["path"]
    );
}

#[test]
fn tech3341_integrated_cases_1_to_5() {
    // Cases 3-5 are scaled to a quarter of their length (REFERENCES §2.1 gives the
    // signals; the gates behave the same on the shorter programme).
    let cases = vec![
        ("c1", tone(-23.0, 20.0)),
        ("c2", tone(-33.0, 20.0)),
        (
            "c3",
            cat(vec![tone(-36.0, 2.5), tone(-23.0, 15.0), tone(-36.0, 2.5)]),
        ),
        (
            "c4",
            cat(vec![
                tone(-72.0, 2.5),
                tone(-36.0, 2.5),
                tone(-23.0, 15.0),
                tone(-36.0, 2.5),
                tone(-72.0, 2.5),
            ]),
        ),
        (
            "c5",
            cat(vec![tone(-26.0, 5.0), tone(-20.0, 5.025), tone(-26.0, 5.0)]),
        ),
    ];
    let m = measure(&cases);
    for (v, want) in m.iter().zip([-23.0, -33.0, -23.0, -23.0, -23.0]) {
        within(v, "integrated_lufs", want, 0.1, 0.1);
    }
    // Cases 1 and 2: M and S equal I (constant tones).
    for (v, want) in m.iter().zip([-23.0, -33.0]) {
        within(v, "max_momentary", want, 0.1, 0.1);
        within(v, "max_short_term", want, 0.1, 0.1);
    }
}

#[test]
fn tech3341_short_term_and_momentary_cases_9_to_14() {
    let period = |a: f64, ta: f64, b: f64, tb: f64, times: usize| -> Vec<f32> {
        cat((0..times)
            .flat_map(|_| [tone(a, ta), tone(b, tb)])
            .collect())
    };
    let mut cases = vec![
        // 9: S is constant at −23 after 3 s, so its maximum is −23 too.
        (
            "c9".to_string(),
            period(-20.0, 1.34, -30.0, 1.66, 5),
            "max_short_term",
            -23.0,
        ),
        // 12: M is constant at −23 after 1 s.
        (
            "c12".to_string(),
            period(-20.0, 0.18, -30.0, 0.22, 25),
            "max_momentary",
            -23.0,
        ),
    ];
    for i in 0..20 {
        let fi = f64::from(i);
        // 10 (file-based max S) and 11 (one segment of the live-meter signal per file).
        let c10 = cat(vec![silence(0.15 * fi), tone(-23.0, 3.0), silence(1.0)]);
        cases.push((format!("c10_{i}"), c10, "max_short_term", -23.0));
        let c11 = cat(vec![
            silence(0.15 * fi),
            tone(-38.0 + fi, 3.0),
            silence(3.0 - 0.15 * fi),
        ]);
        cases.push((format!("c11_{i}"), c11, "max_short_term", -38.0 + fi));
        // 13 (file-based max M, needs a ≤ 10 ms read) and 14 (live segments).
        let c13 = cat(vec![silence(0.02 * fi), tone(-23.0, 0.4), silence(1.0)]);
        cases.push((format!("c13_{i}"), c13, "max_momentary", -23.0));
        let c14 = cat(vec![
            silence(0.02 * fi),
            tone(-38.0 + fi, 0.4),
            silence(0.4 - 0.02 * fi),
        ]);
        cases.push((format!("c14_{i}"), c14, "max_momentary", -38.0 + fi));
    }
    let signals: Vec<(&str, Vec<f32>)> =
        cases.iter().map(|c| (c.0.as_str(), c.1.clone())).collect();
    let m = measure(&signals);
    for (v, c) in m.iter().zip(&cases) {
        within(v, c.2, c.3, 0.1, 0.1);
    }
}

/// A sine at `fs/div` with a peak of `amp` and a start phase in degrees, with the
/// 100 ms linear fades of the EBU files; 1 s long (the EBU files are 3.2 s; the
/// length does not matter, REFERENCES §2.2).
fn tp_sine(div: f64, amp: f64, phase_deg: f64) -> Vec<f32> {
    let n = frames(1.0);
    let fade = frames(0.1) as f64;
    (0..n)
        .map(|i| {
            let env = (i as f64 / fade).min((n - 1 - i) as f64 / fade).min(1.0);
            let ph = 2.0 * PI * i as f64 / div + phase_deg.to_radians();
            (env * amp * ph.sin()) as f32
        })
        .collect()
}

/// Cases 20-23 by the recipe of REFERENCES §2.2, at 4·fs: an 8 kHz tone at 0.5 with
/// one period of fs/4 at 1.0 inserted at an upward zero crossing, tapered, low-passed
/// (4095 taps, Kaiser β 14, 23 kHz) and decimated by 4 from `offset`. Shortened to
/// 0.3 s with 50 ms tapers; only the filter outputs that survive decimation are computed.
fn tp_burst(offset: usize) -> Vec<f32> {
    let f = 4 * FS as usize;
    let half = frames(0.15) * 4 / 24 * 24;
    let mut x: Vec<f64> = (0..half)
        .map(|k| 0.5 * (2.0 * PI * k as f64 / 24.0).sin())
        .collect();
    x.extend((0..16).map(|k| (2.0 * PI * k as f64 / 16.0).sin()));
    x.extend((0..half).map(|k| 0.5 * (2.0 * PI * k as f64 / 24.0).sin()));
    let taper = (0.05 * f as f64) as usize;
    let len = x.len();
    for (i, v) in x.iter_mut().enumerate() {
        *v *= (i as f64 / taper as f64)
            .min((len - 1 - i) as f64 / taper as f64)
            .min(1.0);
    }
    let taps = 4095usize;
    let i0 = |z: f64| {
        let (mut s, mut t, mut k) = (1.0, 1.0, 1.0);
        while t > 1e-16 * s {
            t *= (z / (2.0 * k)).powi(2);
            s += t;
            k += 1.0;
        }
        s
    };
    let fc = 23000.0 / f as f64;
    let mid = (taps / 2) as f64;
    let h: Vec<f64> = (0..taps)
        .map(|j| {
            let d = j as f64 - mid;
            let sinc = if d == 0.0 {
                2.0 * fc
            } else {
                (2.0 * PI * fc * d).sin() / (PI * d)
            };
            let r = d / mid;
            sinc * i0(14.0 * (1.0 - r * r).max(0.0).sqrt()) / i0(14.0)
        })
        .collect();
    let gain: f64 = h.iter().sum();
    (offset..len)
        .step_by(4)
        .map(|n| {
            // Output aligned with the input (the filter's delay removed).
            let c = n as isize + mid as isize;
            let acc: f64 = h
                .iter()
                .enumerate()
                .filter_map(|(j, hj)| {
                    let k = c - j as isize;
                    (0..len as isize).contains(&k).then(|| hj * x[k as usize])
                })
                .sum();
            (acc / gain) as f32
        })
        .collect()
}

#[test]
fn tech3341_true_peak_cases_15_to_23() {
    let half = 10f64.powf(-6.0 / 20.0);
    let over = 10f64.powf(3.0 / 20.0);
    let cases = vec![
        ("c15", tp_sine(4.0, half, 0.0), -6.0),
        ("c16", tp_sine(4.0, half, 45.0), -6.0),
        ("c17", tp_sine(6.0, half, 60.0), -6.0),
        ("c18", tp_sine(8.0, half, 67.5), -6.0),
        ("c19", tp_sine(4.0, over, 45.0), 3.0),
        ("c20", tp_burst(0), 0.0),
        ("c21", tp_burst(1), 0.0),
        ("c22", tp_burst(2), 0.0),
        ("c23", tp_burst(3), 0.0),
    ];
    let signals: Vec<(&str, Vec<f32>)> = cases.iter().map(|c| (c.0, c.1.clone())).collect();
    let m = measure(&signals);
    for (v, c) in m.iter().zip(&cases) {
        within(v, "true_peak_dbtp", c.2, 0.4, 0.2);
        // A true peak is never under the sample peak.
        assert!(v["true_peak_dbtp"].as_f64() >= v["sample_peak_dbfs"].as_f64());
    }
    // Case 16: a sample-peak meter under-reads by 3 dB; the true peak does not.
    within(&m[1], "sample_peak_dbfs", -9.01, 0.05, 0.05);
}

#[test]
fn tech3342_loudness_range_cases_1_to_4() {
    // Cases 1-3 with segments halved (20 s → 10 s): LRA is the spread of 3 s
    // short-term values, which 10 s segments still fill with steady readings. Case 4
    // keeps its 20 s segments: shorter, its transitions reach the percentiles.
    let two = |a: f64, b: f64| cat(vec![tone(a, 10.0), tone(b, 10.0)]);
    let cases = vec![
        ("r1", two(-20.0, -30.0)),
        ("r2", two(-20.0, -15.0)),
        ("r3", two(-40.0, -20.0)),
    ];
    let mut m = measure(&cases);
    let r4 = cat([-50.0, -35.0, -20.0, -35.0, -50.0]
        .iter()
        .map(|&l| tone(l, 20.0))
        .collect());
    m.extend(measure(&[("r4", r4)]));
    for (v, want) in m.iter().zip([10.0, 5.0, 20.0, 15.0]) {
        within(v, "lra_lu", want, 1.0, 1.0);
    }
}
