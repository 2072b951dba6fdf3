//! Automation: curves over the timeline, exact to the sample, the same for any
//! chunk size, and checked with spans.

use crate::support::{Project, peak_db, read_wav};

const OUT: &str = "export \"out/t.wav\" { bits 32float }\n";

/// A full-scale DC source panned hard left, so the left channel shows the gain curve directly.
fn dc_project(extra: &str) -> Project {
    let p = Project::new();
    p.wav("dc.wav", 48000, &[vec![0.5; 96000]]);
    p.mix(&format!(
        "session {{ tail 0s }}\ntrack d \"dc.wav\" {{ pan -100% }}\n{extra}\n{OUT}"
    ));
    p
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

#[test]
fn gain_follows_the_curve_in_db() {
    let p = dc_project("automate d.gain { 0s -20dB; 1s 0dB linear }");
    p.render().ok();
    let l = &read_wav(&p.path("out/t.wav")).1[0];
    // Halfway along a linear dB ramp from -20 to 0 dB is -10 dB (issue 4: within 0.05 dB).
    assert!(
        (db(l[24000] / 0.5) + 10.0).abs() < 0.05,
        "{}",
        db(l[24000] / 0.5)
    );
    assert!((db(l[0] / 0.5) + 20.0).abs() < 0.05);
    assert!(
        (db(l[60000] / 0.5)).abs() < 0.05,
        "the last value holds after the last point"
    );
}

#[test]
fn step_jumps_on_the_exact_sample() {
    let p = dc_project("automate d.gain { 0s 0dB; 12345smp -6dB step }");
    p.render().ok();
    let l = &read_wav(&p.path("out/t.wav")).1[0];
    assert_eq!(l[12344], 0.5);
    assert!((db(l[12345] / 0.5) + 6.0).abs() < 1e-4);
}

#[test]
fn mute_and_pan_lanes() {
    let p = dc_project(
        "automate d.mute { 0s off; 0.5s on; 1s off }\nautomate d.pan { 0s -100%; 1.5s 100% }",
    );
    p.render().ok();
    let (l, r) = {
        let x = read_wav(&p.path("out/t.wav")).1;
        (x[0].clone(), x[1].clone())
    };
    assert!(
        l[20000] > 0.0 && l[30000] == 0.0 && r[30000] == 0.0,
        "muted between 0.5 s and 1 s"
    );
    // At 0.75 of the way from hard left to hard right (1.125 s) the constant-power law gives
    // left = cos(0.75 * pi / 2 * 1.5)... compare against the law directly.
    let theta = (0.5 + 1.0) * std::f64::consts::FRAC_PI_4;
    assert!((r[54000] / 0.5 - theta.sin()).abs() < 1e-4, "{}", r[54000]);
}

/// A mix with lanes on strip settings, a send, an EQ band and a compressor.
fn automated_mix(p: &Project) {
    p.wav("n.wav", 48000, &[crate::support::noise(4, 0.5, 30000)]);
    p.mix(
        r#"
session { tail 0s; tempo 120bpm }
track n "n.wav" {
  eq { lowpass as sweep 18kHz 24dB/oct; bell 1kHz 0dB q 2 }
  compressor { threshold -10dB; ratio 4 }
  send fx -20dB
}
bus fx { eq { highpass 200Hz } }
automate n.gain { 0s -6dB; bar 1.3 0dB smooth }
automate n.eq.sweep.freq { 0s 18kHz; 0.5s 200Hz exp }
automate n.eq.bell.gain { 0s 0dB; 0.3s +9dB }
automate n.compressor.threshold { 0s -10dB; 0.4s -30dB step }
automate n.send.fx { 0s -20dB; 0.6s -3dB }
automate n.width { 0s 100%; 0.2s 50% }
export "out/t.wav" { bits 24 }
"#,
    );
}

#[test]
fn automated_renders_are_chunk_and_thread_independent() {
    let p = Project::new();
    automated_mix(&p);
    p.run(&["render", "song.mix", "-o", "a", "--jobs", "1"])
        .ok();
    for (dir, chunk, jobs) in [("b", "1", "2"), ("c", "31", "1"), ("d", "1000", "2")] {
        p.run(&[
            "render", "song.mix", "-o", dir, "--chunk", chunk, "--jobs", jobs,
        ])
        .ok();
        assert!(
            std::fs::read(p.path("a/t.wav")).expect("a")
                == std::fs::read(p.path(&format!("{dir}/t.wav"))).expect("other"),
            "chunk {chunk} differs"
        );
    }
}

#[test]
fn lowpass_sweep_on_noise_stays_finite_and_bounded() {
    let p = Project::new();
    // Gaussian-like noise (a sum of four uniforms): filtering uniform noise raises its
    // crest factor by itself, which would hide what this test is after (instability).
    let parts: Vec<Vec<f32>> = (0..4)
        .map(|k| crate::support::noise(11 + k, 0.125, 60000))
        .collect();
    let noise: Vec<f32> = (0..60000)
        .map(|i| parts.iter().map(|p| p[i]).sum())
        .collect();
    let in_peak = noise.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    p.wav("n.wav", 48000, &[noise.clone(), noise]);
    p.mix(&format!(
        "session {{ tail 0s }}\ntrack n \"n.wav\" {{ eq {{ lowpass 20kHz 24dB/oct }} }}\nautomate n.eq.lowpass.freq {{ 0s 20kHz; 1s 20Hz exp }}\n{OUT}"
    ));
    p.render().ok();
    let x = read_wav(&p.path("out/t.wav")).1;
    assert!(x.iter().flatten().all(|v| v.is_finite()));
    // Issue 4: never more than 1 dB above the input's peak.
    for ch in &x {
        assert!(
            peak_db(ch) <= 20.0 * f64::from(in_peak).log10() + 1.0,
            "{}",
            peak_db(ch)
        );
    }
}

#[test]
fn graph_shows_lanes_in_samples_across_tempo_changes() {
    let p = Project::new();
    p.mix(
        "session { rate 48kHz; tempo 120bpm; meter 4/4; tempo 60bpm at bar 3; meter 3/4 at bar 4 }\n\
         track t sine 1kHz { level -20dBFS; length 20s }\n\
         automate t.gain { bar 1 0dB; bar 3 -6dB; bar 4.2 -12dB; bar 5 -3dB }\n",
    );
    let r = p.run(&["graph", "song.mix", "--format", "json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let at: Vec<u64> = v["mix"]["lanes"][0]["points"]
        .as_array()
        .expect("points")
        .iter()
        .map(|p| p["at"].as_u64().expect("at"))
        .collect();
    // 120 bpm 4/4: 2 s per bar, so bar 3 is at 4 s. At 60 bpm a 4/4 bar lasts 4 s: bar 4 is
    // at 8 s and its beat 2 one second later. Bar 4 is 3/4 (3 s), so bar 5 is at 11 s.
    assert_eq!(at, vec![0, 192_000, 432_000, 528_000]);
    let yaml = p.run(&["graph", "song.mix", "--format", "yaml"]);
    assert!(yaml.stdout.contains("at: 432000"), "{}", yaml.stdout);
}

#[test]
fn automation_mistakes_are_reported_with_spans() {
    let cases = [
        (
            "automate t.gain { 1s 0dB; 0.5s -3dB }",
            "automation points must be in time order",
        ),
        (
            "automate t.gain { 0s 0dB; 1s 40dB }",
            "`gain` must be between -inf dB and 24dB",
        ),
        (
            "automate t.gain { 0s 100Hz }",
            "`gain` expects a level in dB",
        ),
        ("automate t.gian { 0s 0dB }", "did you mean `gain`?"),
        (
            "automate t.compressor.detector { 0s 0dB }",
            "cannot be automated",
        ),
        (
            "automate t.gain { 0s 0dB }\nautomate t.gain { 1s 0dB }",
            "`t.gain` is automated twice",
        ),
        (
            "automate nope.gain { 0s 0dB }",
            "no track or bus named `nope`",
        ),
        (
            "automate t.gain { bar 2 0dB }",
            "a bar position needs a tempo",
        ),
        (
            "automate t.gain { 0s 0dB wobble }",
            "unknown curve `wobble`",
        ),
    ];
    for (lane, needle) in cases {
        let p = Project::new();
        p.mix(&format!(
            "track t sine 1kHz {{ level -20dBFS; length 1s; compressor {{ ratio 2 }} }}\n{lane}\n"
        ));
        let r = p.run(&["check", "song.mix"]);
        assert_eq!(r.code, 1, "{lane}");
        assert!(
            r.stderr.contains(needle),
            "{lane}: missing {needle:?}:\n{}",
            r.stderr
        );
        assert!(
            r.stderr.contains("song.mix:"),
            "{lane}: no location:\n{}",
            r.stderr
        );
    }
}

/// LANGUAGE.md, Automation: a band by its kind when it appears once in that eq, or
/// by its `as` name; a processor by its kind or its `as` name. Two of a kind, both
/// named, need the name; a processor name with an `as` is the processor, not a
/// setting of the same name.
#[test]
fn bands_and_processors_by_kind_or_name() {
    let strip = "track t sine 1kHz { level -20dBFS; length 1s\n\
                 eq { bell as presence 3kHz +2dB; highpass as lowcut 80Hz }\n\
                 compressor as level { ratio 2 }\ncompressor as peaks { ratio 8 }\n\
                 gain as vol 0dB }";
    let check = |lane: &str| {
        let p = Project::new();
        p.mix(&format!("{strip}\n{lane}\n"));
        p.run(&["check", "song.mix"])
    };
    for lane in [
        "automate t.eq.bell.gain { 0s 0dB; 1s 3dB }",
        "automate t.eq.presence.gain { 0s 0dB; 1s 3dB }",
        "automate t.eq.highpass.freq { 0s 80Hz; 1s 120Hz }",
        "automate t.peaks.threshold { 0s -20dB; 1s -10dB }",
        "automate t.vol.gain { 0s 0dB; 1s -3dB }",
        "automate t.gain { 0s 0dB; 1s -3dB }",
    ] {
        let r = check(lane);
        assert_eq!(r.code, 0, "{lane}: {}", r.stderr);
    }
    let r = check("automate t.compressor.threshold { 0s -20dB }");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("several processors") && r.stderr.contains("`level`, `peaks`"),
        "{}",
        r.stderr
    );
}

/// Latency compensation and automation (LANGUAGE.md: automation is sample-accurate;
/// latent processors are compensated): a curve stays on the music it was written
/// against when the inserts before it delay the audio. A limiter (lookahead 1.5 ms
/// plus 84 samples of latency, holding -1 dBTP over a -6 dBFS DC: no gain change)
/// sits before each lane here; the steps must land on their written sample.
#[test]
fn lanes_after_a_latent_insert_land_on_their_written_sample() {
    let p = Project::new();
    p.wav("dc.wav", 48000, &[vec![0.5; 96000]]);
    p.mix(&format!(
        "session {{ tail 0s }}\n\
         track d \"dc.wav\" {{ pan -100%; limiter {{ ceiling -1dB }}; gain as vol 0dB }}\n\
         track e \"dc.wav\" {{ pan 100%; limiter {{ ceiling -1dB }}; to b }}\n\
         bus b {{ }}\n\
         automate d.gain {{ 0s 0dB; 12345smp -6dB step }}\n\
         automate d.vol.gain {{ 0s 0dB; 48000smp -inf dB step }}\n\
         automate b.gain {{ 0s 0dB; 30001smp -12dB step }}\n{OUT}"
    ));
    p.render().ok();
    let x = read_wav(&p.path("out/t.wav")).1;
    let (l, r) = (&x[0], &x[1]);
    let near = |v: f64, want_db: f64| (db(v / 0.5) - want_db).abs() < 1e-3;
    // The fader's step is exact to the sample.
    assert!(
        near(l[12344], 0.0) && near(l[12345], -6.0),
        "{} {}",
        l[12344],
        l[12345]
    );
    // The insert's lane is read on a 32-sample grid and glides over 32 samples:
    // untouched before its step, silent within 64 samples after it.
    assert!(
        near(l[47999], -6.0),
        "{} before the insert's step",
        l[47999]
    );
    assert!(
        l[48064..].iter().all(|&v| v == 0.0),
        "after the insert's step"
    );
    // A bus behind a latent track: its fader's step is on its sample too.
    assert!(
        near(r[30000], 0.0) && near(r[30001], -12.0),
        "{} {}",
        r[30000],
        r[30001]
    );
}

/// The same for the master's lanes when `loudness` runs the master chain apart from
/// the graph (on one core, and as two chains on two): the fader's step after the
/// master's limiter, behind a latent track, is on its written sample.
#[test]
fn master_lanes_with_a_loudness_target_land_on_their_written_sample() {
    let p = Project::new();
    p.wav("n.wav", 48000, &[crate::support::noise(7, 0.25, 96000)]);
    p.mix(&format!(
        "session {{ tail 0s }}\n\
         track n \"n.wav\" {{ limiter {{ ceiling -3dB }} }}\n\
         master {{ loudness -20LUFS; limiter {{ ceiling -1dB }} }}\n\
         automate master.gain {{ 0s 0dB; 50000smp -inf dB step }}\n{OUT}"
    ));
    for jobs in ["1", "2"] {
        p.run(&["render", "song.mix", "-o", jobs, "--jobs", jobs])
            .ok();
        let x = read_wav(&p.path(&format!("{jobs}/t.wav"))).1;
        let loud = |a: usize, b: usize| x[0][a..b].iter().any(|&v| v != 0.0);
        assert!(loud(49900, 50000), "{jobs} jobs: silent before the step");
        assert!(!loud(50000, 96000), "{jobs} jobs: sound after the step");
    }
    // The second chain's trials read the lanes as the first does: the same drive.
    assert!(std::fs::read(p.path("1/t.wav")).ok() == std::fs::read(p.path("2/t.wav")).ok());
}

/// A note-length delay follows the tempo map: `time 1/4` is 0.5 s at 120 bpm and
/// 1 s after `tempo 60bpm at bar 3` (bar 3 at 4 s; bar 5 at 12 s). Clicks at 0 s and
/// 12 s through a 100% wet delay echo at 0.5 s and 13 s, on the sample.
#[test]
fn a_note_length_delay_follows_tempo_changes() {
    let p = Project::new();
    let mut x = vec![0.0f32; 14 * 48000];
    x[0] = 0.5;
    x[12 * 48000] = 0.5;
    p.wav("clicks.wav", 48000, &[x]);
    p.mix(&format!(
        "session {{ tempo 120bpm; tempo 60bpm at bar 3; tail 0s }}\n\
         track c \"clicks.wav\" {{ pan -100%; delay {{ time 1/4; feedback 0%; mix 100% }} }}\n{OUT}"
    ));
    p.render().ok();
    let l = &read_wav(&p.path("out/t.wav")).1[0];
    let loudest = |a: usize, b: usize| {
        (a..b)
            .max_by(|&i, &j| l[i].abs().total_cmp(&l[j].abs()))
            .expect("a range")
    };
    assert_eq!(loudest(1000, 6 * 48000), 24000, "the echo at 120 bpm");
    assert_eq!(
        loudest(12 * 48000 + 1000, 14 * 48000),
        13 * 48000,
        "the echo at 60 bpm"
    );
    // The graph shows the lane the tempo made; the mix's own lane on the time wins.
    let lane_values = |p: &Project| -> Vec<Vec<f64>> {
        let r = p.run(&["graph", "song.mix", "--format", "json"]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        let lanes = v["mix"]["lanes"].as_array().expect("lanes").clone();
        (lanes.iter())
            .map(|l| {
                let points = l["points"].as_array().expect("points");
                points
                    .iter()
                    .map(|p| p["value"].as_f64().expect("value"))
                    .collect()
            })
            .collect()
    };
    assert_eq!(lane_values(&p), vec![vec![0.5, 1.0]]);
    let text = std::fs::read_to_string(p.path("song.mix")).expect("mix");
    p.mix(&format!("{text}automate c.delay.time {{ 0s 300ms }}\n"));
    assert_eq!(lane_values(&p), vec![vec![0.3]]);
}
