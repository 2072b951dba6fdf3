//! Albums: album vs track loudness, gaps and crossfades on exact samples, song files
//! that concatenate to the album file bit for bit, CUE offsets, and the true-peak
//! ceiling across a crossfade.

use crate::support::{Project, noise, read_wav, sine};
use mixdown::analysis::Meter;
use std::path::Path;

/// A song mix of one generator (pink noise at an RMS level, or a sine at a peak).
fn song(p: &Project, name: &str, source: &str, level: &str, secs: f64) {
    p.file(
        name,
        format!(
            "session {{ rate 48kHz; tail 0s }}\ntrack t {source} {{ level {level}; length {secs}s }}\n"
        )
        .as_bytes(),
    );
}

fn album(p: &Project, body: &str) -> crate::support::Run {
    p.file(
        "album.mix",
        format!("album \"Test\" {{\n{body}\n}}\n").as_bytes(),
    );
    let r = p.run(&["render", "album.mix"]);
    r.ok();
    r
}

fn f32s(x: &[f64]) -> Vec<f32> {
    x.iter().map(|&v| v as f32).collect()
}

/// Integrated loudness and true peak of a WAV, by the meter every render uses.
fn measure(path: &Path) -> (f64, f64) {
    let (spec, x) = read_wav(path);
    let mut m = Meter::new(spec.sample_rate, 2).expect("meter");
    let (l, r) = (f32s(&x[0]), f32s(&x[1]));
    m.push(&[&l, &r]).expect("push");
    let m = m.finish();
    (m.integrated_lufs.expect("not silent"), m.true_peak_dbtp)
}

/// Three songs of different loudness, none loud enough to meet the limiter at
/// -23 LUFS, so album mode must keep their differences.
fn three_songs(p: &Project) {
    song(p, "a.mix", "noise pink", "-20dBFS", 2.0);
    song(p, "b.mix", "noise pink", "-28dBFS", 2.0);
    song(p, "c.mix", "sine 440Hz", "-30dBFS", 2.0);
}

#[test]
fn album_gain_keeps_differences_and_track_gain_levels_them() {
    let p = Project::new();
    three_songs(&p);
    let songs = "song \"a.mix\"\nsong \"b.mix\" gap 0.5s\nsong \"c.mix\" gap 0.5s";
    let exports =
        "export \"out/album.wav\" { bits 32float }\nexport songs \"out/{n}.wav\" { bits 32float }";
    album(&p, &format!("{songs}\n{exports}"));
    let before: Vec<f64> = (1..=3)
        .map(|n| measure(&p.path(&format!("out/0{n}.wav"))).0)
        .collect();
    album(&p, &format!("{songs}\nloudness -23LUFS album\n{exports}"));
    let after: Vec<f64> = (1..=3)
        .map(|n| measure(&p.path(&format!("out/0{n}.wav"))).0)
        .collect();
    // REFERENCES.md §8.1: relative differences preserved (±0.05 LU without limiting;
    // the issue asks 0.1 LU).
    for i in 1..3 {
        let (d0, d1) = (before[0] - before[i], after[0] - after[i]);
        assert!(
            (d0 - d1).abs() < 0.1,
            "song {i}: {d0:.3} LU apart alone, {d1:.3} on the album"
        );
    }
    assert!(before[0] - before[2] > 5.0, "the songs differ: {before:?}");
    // Album I = target ±0.1 LU (REFERENCES.md §8.1), gated over all songs together.
    let (album_i, _) = measure(&p.path("out/album.wav"));
    assert!((album_i + 23.0).abs() <= 0.1, "album at {album_i:.3} LUFS");
    // Loudest-song anchoring: the same differences, the loudest song on the target.
    album(&p, &format!("{songs}\nloudness -23LUFS loudest\n{exports}"));
    let anchored: Vec<f64> = (1..=3)
        .map(|n| measure(&p.path(&format!("out/0{n}.wav"))).0)
        .collect();
    assert!(
        (anchored[0] + 23.0).abs() <= 0.1,
        "loudest song at {:.3}",
        anchored[0]
    );
    for i in 1..3 {
        let (d0, d1) = (before[0] - before[i], anchored[0] - anchored[i]);
        assert!(
            (d0 - d1).abs() < 0.1,
            "song {i}: {d0:.3} LU apart alone, {d1:.3} anchored"
        );
    }
    album(&p, &format!("{songs}\nloudness -23LUFS track\n{exports}"));
    for n in 1..=3 {
        let (i, _) = measure(&p.path(&format!("out/0{n}.wav")));
        assert!(
            (i + 23.0).abs() <= 0.1,
            "song {n} at {i:.3} LUFS in track mode"
        );
    }
}

/// A finished audio song: `frames` of a constant level on both channels.
fn flat(p: &Project, name: &str, level: f32, frames: usize) {
    p.wav(name, 48_000, &[vec![level; frames], vec![level; frames]]);
}

#[test]
fn gaps_and_crossfades_land_on_exact_samples() {
    let p = Project::new();
    flat(&p, "a.wav", 0.25, 4800);
    flat(&p, "b.wav", 0.125, 4800);
    flat(&p, "c.wav", 0.0625, 4800);
    album(
        &p,
        "song \"a.wav\"\nsong \"b.wav\" gap 480smp\nsong \"c.wav\" crossfade 100smp linear\n\
         export \"out/album.wav\" { bits 32float }\nexport songs \"out/{n}.wav\" { bits 32float }",
    );
    let (_, x) = read_wav(&p.path("out/album.wav"));
    let x = &x[0];
    // a: 0..4800; gap: 4800..5280; b: 5280..10080; c from 10080 - 100 = 9980.
    assert_eq!(x.len(), 9980 + 4800);
    let near = |i: usize, v: f64| assert!((x[i] - v).abs() < 1e-6, "sample {i}: {} not {v}", x[i]);
    near(0, 0.25);
    near(4799, 0.25);
    near(4800, 0.0);
    near(5279, 0.0);
    near(5280, 0.125);
    near(9979, 0.125);
    for k in [0usize, 37, 99] {
        // Equal gain: b·(1 − t) + c·t, t = (k + ½)/100.
        let t = (k as f64 + 0.5) / 100.0;
        near(9980 + k, 0.125 * (1.0 - t) + 0.0625 * t);
    }
    near(10080, 0.0625);
    // Files cut at b's start (the gap stays with a) and mid-crossfade.
    let lens: Vec<usize> = (1..=3)
        .map(|n| read_wav(&p.path(&format!("out/0{n}.wav"))).1[0].len())
        .collect();
    assert_eq!(lens, vec![5280, 9980 + 50 - 5280, 14780 - 10030]);
}

#[test]
fn song_files_concatenate_to_the_album_bit_for_bit() {
    let p = Project::new();
    song(&p, "a.mix", "noise pink", "-14dBFS", 1.5);
    song(&p, "b.mix", "sine 1kHz", "-6dBFS", 1.5);
    p.wav(
        "c.wav",
        44_100,
        &[noise(7, 0.3, 44_100), sine(220.0, 0.3, 44_100, 44_100)],
    );
    album(
        &p,
        "artist \"The Coders\"\nloudness -12LUFS album\n\
         song \"a.mix\" { title \"First\"; isrc \"USABC2600001\" }\n\
         song \"b.mix\" crossfade 0.5s power\nsong \"c.wav\" gap 0.3s { gain -2dB }\n\
         export \"out/album.wav\" { bits 16 }\nexport songs \"out/{n}-{title}.wav\" { bits 16 }\n\
         export songs \"out/{n}-{title}.flac\" { bits 16 }",
    );
    let ints = |path: &Path| -> Vec<i32> {
        let mut r = hound::WavReader::open(path).expect("wav");
        r.samples::<i32>().map(|s| s.expect("sample")).collect()
    };
    let whole = ints(&p.path("out/album.wav"));
    let names = ["01-First", "02-b", "03-c"];
    let parts: Vec<i32> = names
        .iter()
        .flat_map(|n| ints(&p.path(&format!("out/{n}.wav"))))
        .collect();
    assert_eq!(parts.len(), whole.len());
    assert!(parts == whole, "the song files differ from the album file");
    // The FLAC song files decode to the same samples.
    let mut flac = Vec::new();
    for n in names {
        let f = std::fs::File::open(p.path(&format!("out/{n}.flac"))).expect("flac");
        let mut d = mixdown::io::open(Box::new(f), Some("flac")).expect("decode");
        let x = mixdown::io::read_to_end(&mut d).expect("read");
        for (l, r) in x[0].iter().zip(&x[1]) {
            flac.extend([l, r].map(|v| (f64::from(*v) * 32768.0).round() as i32));
        }
    }
    assert!(
        flac == whole,
        "the FLAC song files differ from the album file"
    );
    // Vorbis comments: title, artist, album, track number, ISRC.
    let bytes = std::fs::read(p.path("out/01-First.flac")).expect("flac");
    let text = String::from_utf8_lossy(&bytes);
    for tag in [
        "TITLE=First",
        "ARTIST=The Coders",
        "ALBUM=Test",
        "TRACKNUMBER=1",
        "ISRC=USABC2600001",
        "TRACKTOTAL=3",
        "REPLAYGAIN_ALBUM_GAIN=",
        "REPLAYGAIN_TRACK_PEAK=",
    ] {
        assert!(text.contains(tag), "missing {tag}");
    }
}

#[test]
fn cue_sheet_puts_cd_tracks_on_588_sample_frames() {
    let p = Project::new();
    let rate = 44_100;
    p.wav("a.wav", rate, &[vec![0.1; 10_000], vec![0.1; 10_000]]);
    p.wav("b.wav", rate, &[vec![0.1; 30_000], vec![0.1; 30_000]]);
    p.wav("c.wav", rate, &[vec![0.1; 20_000], vec![0.1; 20_000]]);
    album(
        &p,
        "cd\nsong \"a.wav\"\nsong \"b.wav\" gap 1s { isrc \"USABC2600002\" }\nsong \"c.wav\" crossfade 5000smp\n\
         export \"out/album.wav\" { bits 16 }\nexport songs \"out/{n}.wav\" { bits 16 }\ncue \"out/album.cue\"",
    );
    let cue = std::fs::read_to_string(p.path("out/album.cue")).expect("cue");
    let index = |track: &str, i: &str| -> u64 {
        let at = cue.find(&format!("TRACK {track} AUDIO")).expect("track");
        let line = cue[at..]
            .lines()
            .find(|l| l.trim().starts_with(&format!("INDEX {i}")))
            .expect("index");
        let t: Vec<u64> = line.trim()[9..]
            .split(':')
            .map(|v| v.parse().expect("number"))
            .collect();
        // mm:ss:ff at 75 frames a second, 588 samples a frame at 44.1 kHz.
        ((t[0] * 60 + t[1]) * 75 + t[2]) * 588
    };
    // b starts 1 s after a ends, moved up to the next frame: ceil((10000 + 44100) / 588) = 93 frames.
    assert_eq!(index("02", "01"), 93 * 588);
    // Its pregap starts where a ends, on a frame: ceil(10000 / 588) = 18 frames.
    assert_eq!(index("02", "00"), 18 * 588);
    // c overlaps b's last 5000 samples; the cut is the nearest frame to the midpoint.
    let c_start = 93 * 588 + 30_000 - 5000;
    let mid = c_start + 2500;
    assert_eq!(index("03", "01"), ((mid + 294) / 588) * 588);
    assert!(cue.contains("ISRC USABC2600002") && cue.contains("FILE \"album.wav\" WAVE"));
    // The song files start where the sheet says, and the album is whole frames.
    let len = |n: u32| read_wav(&p.path(&format!("out/0{n}.wav"))).1[0].len() as u64;
    assert_eq!(len(1), index("02", "01"));
    assert_eq!(len(1) + len(2), index("03", "01"));
    assert_eq!((len(1) + len(2) + len(3)) % 588, 0);
}

#[test]
fn true_peak_holds_across_a_crossfade() {
    let p = Project::new();
    // Two stereo songs in phase (b starts 500 cycles into a), each peaking just under
    // the ceiling: an equal-power crossfade of correlated material sums 3 dB over either.
    let tone = sine(1000.0, 0.84, 48_000, 48_000);
    p.wav("a.wav", 48_000, &[tone.clone(), tone.clone()]);
    p.wav("b.wav", 48_000, &[tone.clone(), tone]);
    album(
        &p,
        "ceiling -1dBTP\nsong \"a.wav\"\nsong \"b.wav\" crossfade 0.5s power\n\
         export \"out/album.wav\" { bits 24 }\nexport songs \"out/{n}.wav\" { bits 24 }",
    );
    for f in ["album", "01", "02"] {
        let (_, tp) = measure(&p.path(&format!("out/{f}.wav")));
        // The contract is our 4x BS.1770 meter (REFERENCES.md §9 item 3).
        assert!(tp <= -1.0, "{f}.wav peaks at {tp:.3} dBTP");
    }
    // And the crossfade really met the limiter: its middle is near the ceiling.
    let (_, x) = read_wav(&p.path("out/album.wav"));
    let mid = &x[0][36_000 - 500..36_000 + 500];
    let peak = 20.0 * mid.iter().fold(0.0f64, |m, v| m.max(v.abs())).log10();
    assert!(peak > -1.5, "crossfade peaks at {peak:.2} dBFS");
}

#[test]
fn album_mistakes_are_reported() {
    let p = Project::new();
    song(&p, "a.mix", "sine 1kHz", "-20dBFS", 0.5);
    p.file(
        "album.mix",
        b"album \"X\" {\n  song \"a.mix\" crossfade 1s\n  song \"a.mix\" { isrc \"US-AB\" }\n  loudness -14dB\n}\n",
    );
    let r = p.run(&["check", "album.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for m in [
        "nothing to cross-fade",
        "an ISRC is 12 characters",
        "-14LUFS",
    ] {
        assert!(r.stderr.contains(m), "missing {m:?} in\n{}", r.stderr);
    }
}

#[test]
fn any_thread_count_writes_the_same_bytes() {
    let p = Project::new();
    three_songs(&p);
    let body = "loudness -16LUFS album\nsong \"a.mix\"\nsong \"b.mix\" crossfade 0.5s\n\
                song \"c.mix\" gap 0.2s\nexport \"out/album.wav\" { bits 16 }";
    p.file(
        "album.mix",
        format!("album \"T\" {{\n{body}\n}}\n").as_bytes(),
    );
    p.run(&["render", "album.mix", "--jobs", "1", "-o", "one"])
        .ok();
    p.run(&["render", "album.mix", "--jobs", "4", "-o", "four"])
        .ok();
    let read = |d: &str| std::fs::read(p.path(&format!("{d}/album.wav"))).expect("album");
    assert!(read("one") == read("four"), "--jobs changed the album");
    let r = p.run(&["check", "album.mix"]);
    r.ok();
    assert!(r.stderr.contains("3 songs"), "{}", r.stderr);
}

#[test]
fn trim_and_gain_offset_shape_a_song() {
    let p = Project::new();
    let ramp: Vec<f32> = (0..4800).map(|i| i as f32 / 48_000.0).collect();
    p.wav("a.wav", 48_000, &[ramp.clone(), ramp]);
    album(
        &p,
        "song \"a.wav\" {\n  trim 1000smp .. 3000smp\n  gain -6dB\n}\nexport \"out/album.wav\" { bits 32float }",
    );
    let (_, x) = read_wav(&p.path("out/album.wav"));
    assert_eq!(x[0].len(), 2000);
    let g = 10f64.powf(-6.0 / 20.0);
    for i in [0usize, 999, 1999] {
        let want = (1000 + i) as f64 / 48_000.0 * g;
        assert!(
            (x[0][i] - want).abs() < 1e-6,
            "sample {i}: {} not {want}",
            x[0][i]
        );
    }
}

#[test]
fn two_song_files_on_one_path_are_an_error() {
    let p = Project::new();
    flat(&p, "a.wav", 0.1, 480);
    p.file(
        "album.mix",
        b"album \"T\" {\n  song \"a.wav\"\n  song \"a.wav\"\n  export songs \"out/{title}.wav\"\n}\n",
    );
    let r = p.run(&["render", "album.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("two of the album's files"),
        "{}",
        r.stderr
    );
    assert!(!p.path("out").exists(), "a file was written");
}

#[test]
fn a_cached_album_render_after_an_edit_writes_what_a_fresh_one_does() {
    let p = Project::new();
    three_songs(&p);
    p.file(
        "album.mix",
        b"album \"Test\" {\nsong \"a.mix\"\nsong \"b.mix\" gap 0.5s\nsong \"c.mix\" gap 0.5s\n\
          loudness -20LUFS album\nexport \"out/album.wav\" { bits 24 }\n}\n",
    );
    let render = |out: &str, cache: bool| {
        let mut args = vec!["render", "album.mix", "-o", out];
        if cache {
            args.extend(["--cache", "cache"]);
        }
        p.run(&args).ok();
        std::fs::read(p.path(&format!("{out}/album.wav"))).expect("album")
    };
    render("first", true);
    // The songs' strips and solves come back from the cache; one song changes.
    song(&p, "b.mix", "noise pink", "-26dBFS", 2.0);
    let cached = render("second", true);
    assert!(cached == render("fresh", false), "the cached album differs");
}

/// `check` refuses an album that lists itself (or another album) as a song, as the
/// render does; a crossfade longer than a song it joins is shortened with a warning.
#[test]
fn an_album_as_a_song_fails_check_and_a_long_crossfade_warns() {
    let p = Project::new();
    three_songs(&p);
    p.file(
        "album.mix",
        b"album \"Test\" {\n  song \"a.mix\"\n  song \"album.mix\"\n  export \"out/album.wav\"\n}\n",
    );
    let r = p.run(&["check", "album.mix"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("album.mix is an album, not a song"),
        "{}",
        r.stderr
    );
    let r = album(
        &p,
        "  song \"a.mix\"\n  song \"b.mix\" crossfade 5s power\n  export \"out/album.wav\"",
    );
    assert!(
        r.stderr
            .contains("the 5.000 s crossfade is longer than a song it joins: it overlaps 2.000 s"),
        "{}",
        r.stderr
    );
    // Two 2 s songs overlapping by all of the shorter: the album lasts 2 s.
    let (spec, x) = read_wav(&p.path("out/album.wav"));
    assert_eq!(x[0].len(), 2 * spec.sample_rate as usize);
}
