//! The master stage gives the same bytes however it runs: one thread or several
//! (drives tried two at a time on the chain and its twin, pipelines, exports written
//! ahead and started again when the drive was not the answer), and any chunk size.

use crate::render::{RenderOptions, RenderReport, render};
use crate::world::{MemoryWorld, World};

/// Heavy limiting, so the search takes several rounds; a converted export, so the
/// delivery may solve again.
const MIX: &str = r#"
session { rate 48kHz; tail 0s }
track a sine 110Hz { level -4dBFS; length 2s; compressor { threshold -20dB; ratio 3 } }
track b noise pink { level -12dBFS; length 2s; pan 40% }
master {
  eq { lowshelf 100Hz +2dB }
  compressor { threshold -16dB; ratio 3; attack 5ms; release 80ms }
  limiter { ceiling -1dBTP; release 50ms }
  loudness -10LUFS
}
export "m.wav" { bits 24 }
export "m.flac" { bits 16 }
export "m44.wav" { rate 44.1kHz; bits 16 }
"#;

fn rendered(jobs: usize, chunk: usize, dir: &std::path::Path) -> (RenderReport, Vec<Vec<u8>>) {
    let world = MemoryWorld::new();
    let id = world.add_virtual("master.mix", MIX);
    let compiled = crate::compile::compile(&world, id);
    let mix = compiled
        .mix
        .unwrap_or_else(|| panic!("{:?}", compiled.diags));
    let opts = RenderOptions {
        jobs,
        chunk,
        out_dir: Some(dir.to_path_buf()),
        ..Default::default()
    };
    let report = render(&mix, &world, &opts, &|_, _| {}).expect("render");
    let bytes = ["m.wav", "m.flac", "m44.wav"]
        .iter()
        .map(|f| std::fs::read(dir.join(f)).expect("written"))
        .collect();
    (report, bytes)
}

#[test]
fn any_jobs_and_chunk_give_the_same_master() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let (first, bytes) = rendered(1, 4096, &tmp.path().join("a"));
    let solved = first.solved.expect("solved");
    // Past the first round: drives were tried alone (and written ahead with jobs > 1).
    assert!(solved.trials >= 4, "{solved:?}");
    for (jobs, chunk) in [(2, 4096), (2, 300), (3, 1000), (1, 777)] {
        let dir = tmp.path().join(format!("j{jobs}c{chunk}"));
        let (report, other) = rendered(jobs, chunk, &dir);
        assert_eq!(report.solved, Some(solved), "jobs {jobs}, chunk {chunk}");
        assert!(bytes == other, "jobs {jobs}, chunk {chunk}: other bytes");
    }
}
