//! `--from/--to`: part of the timeline, pre-rolled so that it sounds as it does in the
//! whole render.

use crate::support::{Project, noise, read_wav, sine};

const RATE: usize = 48_000;

fn project(master: &str) -> Project {
    let p = Project::new();
    let n = RATE * 12;
    p.wav("drums.wav", 48_000, &[noise(5, 0.3, n)]);
    p.wav("keys.wav", 48_000, &[sine(330.0, 0.3, 48_000, n)]);
    p.mix(&format!(
        r#"session {{ rate 48kHz; tail 0s }}
bus fx {{ reverb {{ decay 1s; predelay 20ms; mix 100% }} }}
track drums "drums.wav" {{ compressor {{ threshold -24dB; ratio 4; release 200ms }}; send fx -6dB }}
track keys "keys.wav" {{ delay {{ time 300ms; feedback 40%; mix 30% }}; eq {{ lowpass 3kHz }}; send fx -10dB }}
master {{ {master} }}
export "out/mix.wav" {{ bits 32float }}
"#
    ));
    p
}

#[test]
fn a_region_equals_the_same_part_of_the_whole_render() {
    let p = project("limiter { ceiling -1dBTP }");
    p.run(&["render", "song.mix", "-o", "whole"]).ok();
    // From 8 s: the graph starts 5 s earlier, well after time zero.
    p.run(&[
        "render", "song.mix", "-o", "part", "--from", "8", "--to", "0:10.5",
    ])
    .ok();
    let (_, whole) = read_wav(&p.path("whole/mix.wav"));
    let (_, part) = read_wav(&p.path("part/mix.wav"));
    assert_eq!(part[0].len(), RATE * 5 / 2, "8 s to 10.5 s");
    let mut worst = 0.0f64;
    for (w, r) in whole.iter().zip(&part) {
        for (a, b) in w[8 * RATE..].iter().zip(r) {
            worst = worst.max((a - b).abs());
        }
    }
    // After 5 s the reverb's state has decayed by 300 dB and the compressor's and
    // limiter's envelopes have settled: what is left is float rounding, far under
    // the -120 dBFS the latency null test asks of "the same".
    assert!(
        worst < 1e-6,
        "the region differs from the whole by {worst:e}"
    );
}

#[test]
fn a_region_with_a_loudness_target_says_where_its_drive_comes_from() {
    let p = project("limiter { ceiling -1dBTP }; loudness -16LUFS");
    let run = p.run(&[
        "render", "song.mix", "-o", "part", "--from", "2", "--to", "6",
    ]);
    run.ok();
    assert!(
        run.stderr.contains("solved over the region alone"),
        "{}",
        run.stderr
    );
    let bad = p.run(&["render", "song.mix", "--from", "5", "--to", "4"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    for time in ["soon", "1:75", "0:-5"] {
        let bad = p.run(&["render", "song.mix", "--from", time]);
        assert_eq!(bad.code, 2, "{time}: {}", bad.stderr);
    }
}

/// README: "a region takes the drive the whole song was solved at when a whole
/// render is in the cache" -- also a cache folder a later process reads. The
/// region then equals the same part of the whole render (as without `loudness`).
#[test]
fn a_region_takes_the_whole_songs_drive_from_a_cache_folder() {
    let p = project("limiter { ceiling -1dBTP }; loudness -16LUFS");
    let cache = ["--cache", "cdir"];
    p.run(&[&["render", "song.mix", "-o", "whole"][..], &cache].concat())
        .ok();
    let part = [
        "render", "song.mix", "-o", "part", "--from", "8", "--to", "10.5",
    ];
    let r = p.run(&[&part[..], &cache].concat());
    r.ok();
    assert!(!r.stderr.contains("region alone"), "{}", r.stderr);
    let (_, whole) = read_wav(&p.path("whole/mix.wav"));
    let (_, part) = read_wav(&p.path("part/mix.wav"));
    let worst = (whole.iter().zip(&part))
        .flat_map(|(w, r)| w[8 * RATE..].iter().zip(r).map(|(a, b)| (a - b).abs()))
        .fold(0.0, f64::max);
    assert!(
        worst < 1e-6,
        "the region differs from the whole by {worst:e}"
    );
}

/// Without `-o`, a region lands on the whole song's files: the render says which
/// file it cuts down, once (the file then holds the region).
#[test]
fn a_region_over_the_whole_songs_file_warns() {
    let p = project("");
    p.run(&["render", "song.mix"]).ok();
    let region = ["render", "song.mix", "--from", "2", "--to", "3"];
    let r = p.run(&region);
    r.ok();
    assert!(
        r.stderr
            .contains("mix.wav (0:12.000) is replaced by 0:01.000 of the song"),
        "{}",
        r.stderr
    );
    let again = p.run(&region);
    assert!(!again.stderr.contains("replaced"), "{}", again.stderr);
    let elsewhere = p.run(&[
        "render", "song.mix", "-o", "part", "--from", "2", "--to", "3",
    ]);
    assert!(
        !elsewhere.stderr.contains("replaced"),
        "{}",
        elsewhere.stderr
    );
}

/// A region past the song ends where the whole render does: at the song's end, or
/// with `tail auto` where the tail dies away, equal to the same part of the whole
/// render; one starting past the end is an error that says where the end is.
#[test]
fn a_region_past_the_end_stops_where_the_song_does() {
    let p = project("limiter { ceiling -1dBTP }");
    p.run(&["render", "song.mix", "-o", "whole"]).ok();
    p.run(&[
        "render", "song.mix", "-o", "part", "--from", "10", "--to", "100",
    ])
    .ok();
    let (whole, part) = (
        read_wav(&p.path("whole/mix.wav")).1,
        read_wav(&p.path("part/mix.wav")).1,
    );
    assert_eq!(part[0].len(), 2 * RATE, "10 s to the song's end at 12 s");
    let r = p.run(&["render", "song.mix", "-o", "late", "--from", "20"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("past the end of the song, 0:12.000"),
        "{}",
        r.stderr
    );
    // `tail auto`: the delay and the reverb ring on after 12 s; the region keeps the
    // tail the whole render keeps, to the sample.
    let text = std::fs::read_to_string(p.path("song.mix")).expect("mix");
    p.mix(&text.replace("tail 0s", "tail auto"));
    p.run(&["render", "song.mix", "-o", "whole"]).ok();
    p.run(&[
        "render", "song.mix", "-o", "part", "--from", "10", "--to", "100",
    ])
    .ok();
    let whole_auto = read_wav(&p.path("whole/mix.wav")).1;
    let part_auto = read_wav(&p.path("part/mix.wav")).1;
    assert!(whole_auto[0].len() > whole[0].len(), "a tail was kept");
    assert_eq!(part_auto[0].len(), whole_auto[0].len() - 10 * RATE);
}
