//! The channel strip: placement, regions, trim, polarity, pan, width, mute, solo,
//! sends and fades, checked sample by sample.

use crate::support::{Project, noise, peak_db, read_wav, sine};

const OUT: &str = "export \"out/t.wav\" { bits 32float }\n";

fn render(p: &Project, body: &str) -> Vec<Vec<f64>> {
    p.mix(&format!("session {{ tail 0s }}\n{body}\n{OUT}"));
    p.render().ok();
    read_wav(&p.path("out/t.wav")).1
}

#[test]
fn start_and_region_place_exact_samples() {
    let p = Project::new();
    let ramp: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
    p.wav("r.wav", 48000, &[ramp.clone(), ramp]);
    let x = render(
        &p,
        "track r \"r.wav\" { start 50smp; region 100smp .. 300smp }",
    );
    assert_eq!(x[0].len(), 250);
    assert_eq!(x[0][49], 0.0);
    // Sample 50 of the timeline is sample 100 of the file.
    assert!((x[0][50] - 0.1).abs() < 1e-7);
    assert!((x[0][249] - 0.299).abs() < 1e-7);
}

#[test]
fn polarity_inverted_copy_nulls() {
    let p = Project::new();
    p.wav("n.wav", 48000, &[noise(9, 0.5, 4800)]);
    let x = render(
        &p,
        "track a \"n.wav\" { eq { bell 1kHz +6dB } }\ntrack b \"n.wav\" { eq { bell 1kHz +6dB }; polarity }",
    );
    assert!(
        x.iter().flatten().all(|v| *v == 0.0),
        "polarity null failed"
    );
}

#[test]
fn trim_gain_and_mute() {
    let p = Project::new();
    p.wav(
        "s.wav",
        48000,
        &[
            sine(1000.0, 0.5, 48000, 4800),
            sine(1000.0, 0.5, 48000, 4800),
        ],
    );
    let x = render(&p, "track s \"s.wav\" { trim +3dB; gain -9dB }");
    // Stereo at centre is unity: 0.5 peak (-6.02 dB) + 3 - 9.
    assert!(
        (peak_db(&x[0]) - (-6.0206 - 6.0)).abs() < 0.001,
        "{}",
        peak_db(&x[0])
    );
    let x = render(
        &p,
        "track s \"s.wav\" { mute }\ntrack t sine 1kHz { level -20dBFS; length 0.1s }",
    );
    assert!((peak_db(&x[0]) + 23.0103).abs() < 0.001);
}

#[test]
fn solo_silences_the_others_but_keeps_its_bus() {
    let p = Project::new();
    let x = render(
        &p,
        "track a sine 1kHz { level -20dBFS; length 0.1s; solo; to b }\ntrack c sine 500Hz { level -6dBFS; length 0.1s }\nbus b { gain -6dB }",
    );
    assert!(
        (peak_db(&x[0]) + 29.0103).abs() < 0.001,
        "{}",
        peak_db(&x[0])
    );
}

#[test]
fn pan_hard_right_and_width_zero() {
    let p = Project::new();
    let x = render(
        &p,
        "track t sine 1kHz { level -20dBFS; length 0.1s; pan 100% }",
    );
    assert!(peak_db(&x[0]) < -120.0);
    assert!((peak_db(&x[1]) + 20.0).abs() < 0.001);
    p.wav(
        "lr.wav",
        48000,
        &[sine(1000.0, 0.5, 48000, 4800), vec![0.0; 4800]],
    );
    // Width 0% folds to mono: each side carries half of the left channel.
    let x = render(&p, "track s \"lr.wav\" { width 0% }");
    assert!((peak_db(&x[0]) - peak_db(&x[1])).abs() < 1e-9);
    assert!((peak_db(&x[1]) - (-6.0206 - 6.0206)).abs() < 0.001);
}

#[test]
fn sends_pre_and_post_fader() {
    let p = Project::new();
    // Post-fader: the send follows the fader (-10 dB) then its level (-6 dB).
    let x = render(
        &p,
        "track t sine 1kHz { level -20dBFS; length 0.1s; gain -10dB; send fx -6dB; to void }\nbus void { mute }\nbus fx",
    );
    assert!(
        (peak_db(&x[0]) - (-23.0103 - 16.0)).abs() < 0.001,
        "{}",
        peak_db(&x[0])
    );
    // Pre-fader: the fader does not matter.
    let x = render(
        &p,
        "track t sine 1kHz { level -20dBFS; length 0.1s; gain -10dB; send fx -6dB pre; to void }\nbus void { mute }\nbus fx",
    );
    assert!(
        (peak_db(&x[0]) - (-23.0103 - 6.0)).abs() < 0.001,
        "{}",
        peak_db(&x[0])
    );
    // Pre-fader is before the whole fader (LANGUAGE.md: inserts -> fader (gain,
    // pan/width, mute) -> post-fader sends): a mono track panned hard left sends
    // at the centre, -3.01 dB on both sides, and an automated pan does not move it.
    let automated = "pan 0%; send fx 0dB pre; to void }\nautomate t.pan { 0s -100%; 0.1s 100% ";
    for pan in ["pan -100%; send fx 0dB pre; to void", automated] {
        let x = render(
            &p,
            &format!(
                "track t sine 1kHz {{ level -20dBFS; length 0.1s; {pan} }}\nbus void {{ mute }}\nbus fx"
            ),
        );
        for side in &x {
            assert!(
                (peak_db(side) - -23.0103).abs() < 0.001,
                "{pan}: {}",
                peak_db(side)
            );
        }
    }
}

#[test]
fn fades_shape_the_clip_ends() {
    let p = Project::new();
    p.wav("dc.wav", 48000, &[vec![0.5; 48000]]);
    let x = render(
        &p,
        "track d \"dc.wav\" { pan -100%; fade in 100ms; fade out 200ms smooth }",
    );
    let l = &x[0];
    assert_eq!(l[0], 0.0);
    // Linear fade-in: halfway through (2400 of 4800 samples) the gain is 0.5.
    assert!((l[2400] - 0.25).abs() < 1e-6, "{}", l[2400]);
    assert!((l[10000] - 0.5).abs() < 1e-7);
    // Smooth fade-out ends at zero on the last sample.
    assert!(l[47999].abs() < 1e-6);
}
