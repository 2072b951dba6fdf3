//! `mixdown init DIR`: a starting `.mix` for a folder of stems.
//!
//! Writes `DIR/NAME.mix`, NAME being the folder's name made into a valid name (or
//! `mix` when nothing of it is usable), with one track per audio file found in the
//! folder and its subfolders (track names from file names), a `drums` bus that the
//! drum-sounding tracks feed, `master { master.streaming() }` and one 24-bit WAV
//! export. An existing file is never overwritten (exit 2).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The folder of stems.
    dir: PathBuf,
}

/// Extensions of the audio files mixdown can read.
const AUDIO: &[&str] = &["wav", "wave", "aif", "aiff", "flac", "mp3", "ogg"];

/// Words in a file name that suggest a drum stem.
const DRUM_WORDS: &[&str] = &[
    "kick", "snare", "hat", "tom", "overhead", "drum", "perc", "clap", "cymbal", "crash", "ride",
    "rim", "shaker", "tamb", "conga", "bongo",
];

pub fn run(a: Args) -> ExitCode {
    if !a.dir.is_dir() {
        eprintln!("error: {} is not a folder", a.dir.display());
        return ExitCode::from(2);
    }
    let mut stems = Vec::new();
    if let Err(e) = find_audio(&a.dir, Path::new(""), &mut stems) {
        eprintln!("error: cannot read {}: {e}", a.dir.display());
        return ExitCode::from(2);
    }
    // A file that does not open as audio would only fail the first render.
    stems.retain(|rel| match readable(&a.dir.join(rel)) {
        Ok(()) => true,
        Err(e) => {
            eprintln!("skipped {}: {e}", rel.display());
            false
        }
    });
    if stems.is_empty() {
        eprintln!(
            "error: no audio files ({}) in {}",
            AUDIO.join(", "),
            a.dir.display()
        );
        return ExitCode::from(2);
    }
    let folder = std::path::absolute(&a.dir)
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name = match sanitize(&folder) {
        n if n.is_empty() || n == "master" => "mix".to_string(),
        n => n,
    };
    let target = a.dir.join(format!("{name}.mix"));
    let text = generate(&folder, &name, &stems);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&target);
    let result = file.and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    match result {
        Ok(()) => {
            eprintln!(
                "wrote {} ({} tracks); render it with `mixdown render {}`",
                target.display(),
                stems.len(),
                shell_quoted(&target.display().to_string())
            );
            ExitCode::SUCCESS
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            eprintln!(
                "error: {} already exists; mixdown init never overwrites a file",
                target.display()
            );
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", target.display());
            ExitCode::from(2)
        }
    }
}

/// Audio files under `dir`, as paths relative to it, sorted.
/// Whether `path` opens as audio mixdown can decode.
fn readable(path: &Path) -> Result<(), String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let ext = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    crate::io::open(Box::new(std::io::BufReader::new(file)), ext.as_deref())
        .map(drop)
        .map_err(|e| e.to_string())
}

/// `text` as one word for a POSIX shell: as it is when that is safe, else quoted.
fn shell_quoted(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./-+:@%".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

fn find_audio(dir: &Path, rel: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir.join(rel))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        let Some(file) = p.file_name() else { continue };
        let rel = rel.join(file);
        // Skip rendered output and hidden folders: they are not stems.
        let hidden = file.to_string_lossy().starts_with('.');
        if p.is_dir() && !hidden && file != "out" {
            find_audio(dir, &rel, out)?;
        } else if p
            .extension()
            .is_some_and(|e| AUDIO.contains(&e.to_string_lossy().to_lowercase().as_str()))
        {
            out.push(rel);
        }
    }
    Ok(())
}

/// A valid mix name from free text: lower case, runs of other characters become
/// one `_`, and a leading digit gets a `t` in front (`01 Kick In.wav` -> `t01_kick_in`).
pub fn sanitize(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    let out = out.trim_matches(|c| c == '_' || c == '-').to_string();
    match out.chars().next() {
        Some(c) if c.is_ascii_digit() => format!("t{out}"),
        _ => out,
    }
}

fn is_drum(name: &str) -> bool {
    name.split(['_', '-'])
        .any(|w| DRUM_WORDS.iter().any(|d| w.contains(d)) || matches!(w, "oh" | "hh" | "ohs"))
}

/// A string literal for `text`.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The `.mix` text for `stems` (paths relative to the mix), laid out as `mixdown fmt` would.
pub fn generate(title: &str, name: &str, stems: &[PathBuf]) -> String {
    let mut names: Vec<String> = Vec::new();
    for stem in stems {
        let base = stem
            .file_stem()
            .map(|s| sanitize(&s.to_string_lossy()))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "track".into());
        let base = if matches!(base.as_str(), "master" | "drums") {
            format!("{base}_track")
        } else {
            base
        };
        let mut unique = base.clone();
        let mut n = 2;
        while names.contains(&unique) {
            unique = format!("{base}_{n}");
            n += 1;
        }
        names.push(unique);
    }
    let drums = names.iter().any(|n| is_drum(n));
    let mut out = format!(
        "# Written by `mixdown init` from the stems in this folder: a starting point.\n\
         # Set levels with `gain`, shape with `eq` and `compressor`, then\n\
         # `mixdown render {name}.mix`.\n\
         use std.master\n\n\
         session {} {{ rate 48kHz }}\n\n",
        quote(title)
    );
    for (n, stem) in names.iter().zip(stems) {
        let path = quote(&stem.to_string_lossy().replace('\\', "/"));
        if drums && is_drum(n) {
            out.push_str(&format!("track {n} {path} {{ to drums }}\n"));
        } else {
            out.push_str(&format!("track {n} {path}\n"));
        }
    }
    if drums {
        out.push_str("\nbus drums\n");
    }
    out.push_str("\nmaster { master.streaming() }\n\n");
    out.push_str(&format!("export \"out/{name}.wav\" {{ bits 24 }}\n"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_sanitised() {
        assert_eq!(sanitize("01 Kick In"), "t01_kick_in");
        assert_eq!(sanitize("Lead Vox (final)"), "lead_vox_final");
        assert_eq!(sanitize("  "), "");
        assert!(is_drum("t01_kick_in") && is_drum("oh") && is_drum("hihat"));
        assert!(!is_drum("bass") && !is_drum("lead_vox"));
    }

    #[test]
    fn generated_mix_is_formatted() {
        let stems = [
            PathBuf::from("Kick.wav"),
            PathBuf::from("sub/Bass \"DI\".flac"),
        ];
        let text = generate("My \"Song\"", "my_song", &stems);
        let formatted = crate::fmt::format(crate::span::SourceId(0), &text).expect("parses");
        assert_eq!(formatted, text);
        assert!(text.contains("track kick \"Kick.wav\" { to drums }"));
        assert!(text.contains("track bass_di \"sub/Bass \\\"DI\\\".flac\"\n"));
    }
}
