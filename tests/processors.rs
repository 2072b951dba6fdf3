//! Processors end to end: latency compensation nulls, and every registered
//! processor checks and renders from a `.mix`.

use crate::support::{Project, noise, read_wav, sine};

#[test]
fn latency_compensation_nulls_a_limiter_that_never_engages() {
    let p = Project::new();
    // -14 dBFS noise under a 0 dBTP ceiling: the limiter only delays (1.5 ms lookahead).
    p.wav(
        "a.wav",
        48000,
        &[noise(7, 0.2, 24000), noise(8, 0.2, 24000)],
    )
    .mix(
        r#"
session { rate 48kHz; tail 0s }
track lim "a.wav" { limiter { ceiling 0dBTP } }
track inv "a.wav" { polarity { channels both } }
export "out/null.wav" { bits 32float }
"#,
    );
    p.render().ok();
    let (_, planar) = read_wav(&p.path("out/null.wav"));
    let peak = planar.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()));
    // The issue's bar: silence below -120 dBFS.
    assert!(
        peak < 1e-6,
        "residual {:.1} dBFS",
        20.0 * peak.max(1e-300).log10()
    );
}

/// A minimal use of each processor, keyed by kind.
const USES: &[(&str, &str)] = &[
    ("eq", "eq { bell 2kHz +3dB q 1.0 }"),
    ("compressor", "compressor { threshold -20dB; ratio 3 }"),
    ("gate", "gate { threshold -50dB }"),
    ("expander", "expander { threshold -40dB }"),
    ("limiter", "limiter { ceiling -1dBTP }"),
    ("saturate", "saturate { drive 12dB; curve tube; mix 80% }"),
    (
        "delay",
        "delay { time 1/8.; feedback 40%; highcut 5kHz; mode pingpong; mix 30% }",
    ),
    ("reverb", "reverb { decay 1.2s; predelay 10ms; mix 30% }"),
    ("deesser", "deesser { freq 7kHz; threshold -30dB }"),
    ("gain", "gain { gain -3dB }"),
    ("width", "width { width 120% }"),
    ("polarity", "polarity { channels left }"),
];

#[test]
fn every_processor_checks_and_renders() {
    for kind in mixdown::dsp::registry::kinds() {
        assert!(
            USES.iter().any(|(k, _)| *k == kind),
            "add a use of `{kind}` to USES"
        );
    }
    let p = Project::new();
    let ir: Vec<f32> = noise(9, 0.5, 4800)
        .iter()
        .enumerate()
        .map(|(n, v)| v * (-(n as f32) / 800.0).exp())
        .collect();
    // The mix lives in a subfolder: the IR path resolves against it, not the cwd.
    p.wav(
        "sub/a.wav",
        48000,
        &[noise(1, 0.3, 24000), noise(2, 0.3, 24000)],
    )
    .wav("sub/irs/room.wav", 44100, &[ir]);
    let mut text = String::from("session { rate 48kHz; tempo 120bpm; tail auto }\n");
    for (i, (_, usage)) in USES.iter().enumerate() {
        text += &format!("track t{i} \"a.wav\" {{ {usage} }}\n");
    }
    text +=
        "track conv \"a.wav\" { reverb \"irs/room.wav\" { mix 50%; predelay 5ms; gain -3dB } }\n";
    text += "export \"out/all.wav\" { bits 32float }\n";
    p.file("sub/song.mix", text.as_bytes());
    p.run(&["check", "sub/song.mix"]).ok();
    p.run(&["render", "sub/song.mix"]).ok();
    let (_, planar) = read_wav(&p.path("sub/out/all.wav"));
    assert!(planar.iter().flatten().all(|v| v.is_finite()));
    // `tail auto` renders past the 0.5 s of sources while the reverb and delay ring.
    assert!(planar[0].len() > 24000 + 4800, "{}", planar[0].len());
}

#[test]
fn a_missing_impulse_response_is_reported_on_the_insert() {
    let p = Project::new();
    p.wav("a.wav", 48000, &[noise(1, 0.3, 4800)])
        .mix("session { tail 0s }\ntrack a \"a.wav\" { reverb \"missing-ir.wav\" { mix 100% } }\n");
    let run = p.render();
    assert_ne!(run.code, 0);
    assert!(run.stderr.contains("missing-ir.wav"), "{}", run.stderr);
}

/// The reference's inline forms (`limiter -1dBTP`, `gate -45dB release 80ms`): the
/// positional values after the name set the same parameters as the block would.
#[test]
fn inline_settings_equal_the_block_form() {
    let render = |inserts: &str| {
        let p = Project::new();
        p.wav("a.wav", 48000, &[sine(220.0, 0.9, 48000, 24000)]).mix(&format!(
            "track a \"a.wav\" {{ trim +6dB\n{inserts}\n}}\nexport \"out/a.wav\" {{ bits 32float }}\n"
        ));
        p.render().ok();
        std::fs::read(p.path("out/a.wav")).unwrap()
    };
    let inline = render("gate -45dB release 80ms\nlimiter -3dBTP");
    let block = render("gate { threshold -45dB; release 80ms }\nlimiter { ceiling -3dBTP }");
    assert_eq!(inline, block);
    assert_ne!(
        inline,
        render("gate { threshold -45dB; release 80ms }\nlimiter { ceiling -1dBTP }")
    );
}
