//! `--report FILE.html`: a well-formed, self-contained page with a plot or table
//! per section, byte-identical across renders, whose numbers are the JSON
//! report's; and `analyze --report`.

use crate::support::{Project, noise, sine};
use serde_json::Value;

const FS: u32 = 48000;
const LEN: usize = 3 * FS as usize;

/// A small mix with everything the page draws: a tempo, a bus, a send, a
/// sidechain key, a limiter and a loudness target, and an unused bus (a warning).
fn project() -> Project {
    let p = Project::new();
    let kick: Vec<f32> = (0..LEN)
        .map(|i| {
            let t = (i % (FS as usize / 2)) as f64 / f64::from(FS);
            (0.8 * (-t / 0.05).exp() * (std::f64::consts::TAU * 60.0 * t).sin()) as f32
        })
        .collect();
    let pad = sine(220.0, 0.2, FS, LEN);
    p.wav("kick.wav", FS, &[kick])
        .wav("pad.wav", FS, &[pad.clone(), pad])
        .wav("hiss.wav", FS, &[noise(3, 0.05, LEN)])
        .mix(
            r#"session "Report test" { tempo 120bpm; tail 0s }
track kick "kick.wav" { send verb -12dB; to drums }
track hiss "hiss.wav" { to drums }
track pad "pad.wav" { compressor { threshold -30dB; ratio 4; sidechain kick }; send verb -6dB }
bus drums { gain -2dB }
bus verb { gain -6dB }
bus spare {}
master { limiter { ceiling -1dBTP }; loudness -9LUFS }
export "out/m.wav" { bits 24 }
export "out/m16.wav" { bits 16; rate 44.1kHz; dither tpdf }
export stems "out/{name}.wav" { of drums; bits 24 }
"#,
        );
    p
}

/// Checks that tags nest and close (`<!DOCTYPE>` aside, `/>` self-closes).
fn well_formed(html: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        let tail = &rest[at + 1..];
        let end = tail.find('>').expect("an unclosed `<`");
        let tag = &tail[..end];
        rest = &tail[end + 1..];
        if tag.starts_with('!') {
            continue;
        }
        let name = |t: &str| {
            t.split(|c: char| c.is_whitespace() || c == '/')
                .find(|s| !s.is_empty())
                .unwrap_or("")
                .to_string()
        };
        if let Some(closing) = tag.strip_prefix('/') {
            let open = stack
                .pop()
                .unwrap_or_else(|| panic!("</{closing}> closes nothing"));
            assert_eq!(name(open), closing, "</{closing}> closes <{open}>");
        } else if !tag.ends_with('/') {
            stack.push(tag);
        }
        // Text between tags may hold no raw `<` or `&` that is not an entity.
        let text = &rest[..rest.find('<').unwrap_or(rest.len())];
        for (i, _) in text.match_indices('&') {
            let ent = &text[i..text[i..].find(';').map_or(text.len(), |j| i + j + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"].contains(&ent),
                "raw & in {text:?}"
            );
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

/// The part of the page between `<section id="ID">` and its `</section>`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("<section id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let len = html[start..].find("</section>").expect("section end");
    &html[start..start + len]
}

fn self_contained(html: &str) {
    for bad in [
        "http", "src=", "@import", "url(", "<script", "<link", "<img",
    ] {
        assert!(!html.contains(bad), "the page names `{bad}`");
    }
}

#[test]
fn render_report_is_a_self_contained_page_with_the_json_numbers() {
    let p = project();
    let run = p.run(&["render", "song.mix", "--report", "r.html"]);
    run.ok();
    let html = std::fs::read_to_string(p.path("r.html")).expect("report");
    well_formed(&html);
    self_contained(&html);
    assert!(html.len() < 2_000_000, "{} bytes", html.len());
    for id in ["waveform", "loudness", "graph"] {
        assert!(section(&html, id).contains("<svg"), "no plot in {id}");
    }
    for id in ["strips", "exports"] {
        assert!(section(&html, id).contains("<table"), "no table in {id}");
    }
    // Bars on the waveform (a tempo is set); every strip by name in table and graph.
    assert!(section(&html, "waveform").contains(">bar</text>"));
    for name in ["kick", "hiss", "pad", "drums", "verb", "master"] {
        assert!(section(&html, "strips").contains(&format!("<td>{name}")));
        assert!(section(&html, "graph").contains(&format!(">{name}</text>")));
    }
    let graph = section(&html, "graph");
    assert!(graph.contains("class=\"e send\"") && graph.contains("class=\"e key\""));
    assert!(section(&html, "loudness").contains("class=\"gr\""));
    assert!(section(&html, "loudness").contains("target -9.0 LUFS"));
    // The compile's warning is on the page, as printed.
    let warnings = section(&html, "warnings");
    assert!(
        warnings.contains("nothing is routed or sent to bus `spare`"),
        "{warnings}"
    );

    // Byte-identical across renders.
    p.run(&["render", "song.mix", "--report", "r2.html"]).ok();
    let again = std::fs::read_to_string(p.path("r2.html")).expect("report");
    assert!(html == again, "two renders wrote different pages");

    // The exports table carries the JSON report's figures exactly (two renders of the
    // same bytes, checked).
    let m16 = std::fs::read(p.path("out/m16.wav")).expect("m16");
    p.run(&["render", "song.mix", "--report", "r.json"]).ok();
    assert!(std::fs::read(p.path("out/m16.wav")).expect("m16") == m16);
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("r.json")).expect("json"))
            .expect("json");
    let exports = section(&html, "exports");
    let fields = [
        "duration_s",
        "integrated_lufs",
        "lra_lu",
        "true_peak_dbtp",
        "sample_peak_dbfs",
        "drive_db",
        "max_gain_reduction_db",
        "ceiling_trim_db",
    ];
    let all = json["exports"].as_array().expect("exports");
    assert_eq!(all.len(), 3);
    for e in all {
        let path = e["path"].as_str().expect("path");
        let row = exports
            .split("<tr ")
            .find(|r| r.starts_with(&format!("data-path=\"{path}\"")))
            .unwrap_or_else(|| panic!("no row for {path}"));
        let cells: Vec<f64> = row
            .split("data-v=\"")
            .skip(1)
            .map(|c| c[..c.find('"').expect("quote")].parse().expect("number"))
            .collect();
        let want: Vec<f64> = fields.iter().filter_map(|f| e[*f].as_f64()).collect();
        assert_eq!(cells.len(), want.len(), "{path}");
        for (c, w) in cells.iter().zip(&want) {
            assert!(
                (c - w).abs() <= 1e-12 * w.abs().max(1.0),
                "{path}: {cells:?} vs {want:?}"
            );
        }
    }
}

#[test]
fn analyze_report_draws_any_file() {
    let p = Project::new();
    p.wav("tone.wav", FS, &[sine(440.0, 0.5, FS, FS as usize)]);
    p.run(&["analyze", "tone.wav", "--report", "a.html"]).ok();
    let html = std::fs::read_to_string(p.path("a.html")).expect("report");
    well_formed(&html);
    self_contained(&html);
    for id in ["waveform", "loudness"] {
        assert!(section(&html, id).contains("points="), "no plot in {id}");
    }
    assert!(section(&html, "loudness").contains("no limiter"));
    let two = p.run(&["analyze", "tone.wav", "tone.wav", "--report", "b.html"]);
    assert_eq!(two.code, 2);
}
