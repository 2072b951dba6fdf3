//! The render with a [`Cache`]: which nodes replay and which run, the sources the
//! running ones read from memory, the exports whose files are already right, and what
//! a finished render leaves in the cache for the next one.
//!
//! A replayed node hands its consumers the samples an earlier run wrote, so nothing
//! downstream can tell. One case needs care: with `tail auto` a render can run longer
//! than the one that filled the cache (an edit lengthened a reverb tail). A replay
//! that runs out stops the render ([`RESTART`]) and it starts again with those nodes
//! run; a file kept from an earlier render of another length is handled the same way.

use super::Written;
use super::output::{Output, Tap};
use super::setup::Plan;
use crate::cache::{Cache, Key, Planes, WrittenFile, keys};
use crate::diag::Diagnostic;
use crate::ir::{Mix, Source};
use crate::world::World;
use std::collections::HashSet;
use std::sync::Arc;

/// The code of the internal error that restarts a render (never shown).
pub const RESTART: &str = "cache-restart";

/// A node's cached output, and whether it is copied into the node's chunk buffers
/// (only for a stem's file or the master's sum: strips read the planes in place).
#[derive(Clone)]
pub struct Replay {
    pub planes: Planes,
    pub copy: bool,
}

/// What a restarted render must not take from the cache.
#[derive(Default)]
pub struct Forced {
    pub nodes: HashSet<Key>,
    pub no_kept_files: bool,
    /// Render without the cache at all.
    pub off: bool,
}

/// What the cache did for one render, for the status line.
#[derive(Debug, Clone, Default)]
pub struct CacheReport {
    /// Strips that ran (the rest were replayed).
    pub ran: Vec<String>,
    pub replayed: usize,
    /// Sources decoded from their files (the rest came from the cache).
    pub decoded: Vec<String>,
    /// Files left as they were, already right.
    pub kept: Vec<std::path::PathBuf>,
    /// Whether the loudness solve was taken from the cache.
    pub solve_reused: bool,
}

impl CacheReport {
    /// One line: which strips ran, what was replayed, which files were already right.
    pub fn summary(&self) -> String {
        let mut parts = vec![match self.ran.len() {
            0 => "no strip re-rendered".to_string(),
            _ => format!("re-rendered {}", self.ran.join(", ")),
        }];
        if self.replayed > 0 {
            parts.push(format!("{} from the cache", self.replayed));
        }
        if !self.decoded.is_empty() {
            parts.push(format!("decoded {}", self.decoded.join(", ")));
        }
        if self.solve_reused {
            parts.push("loudness solve reused".into());
        }
        if !self.kept.is_empty() {
            let n = self.kept.len();
            let files = if n == 1 { "file" } else { "files" };
            parts.push(format!("{n} {files} already up to date"));
        }
        parts.join("; ")
    }
}

pub struct Session<'a> {
    cache: &'a Cache,
    pub keys: Vec<Key>,
    /// The key of the master stage (solve and master files), in loudness mode.
    pub stage: Option<Key>,
    /// The key of the whole song's loudness solve.
    solve_key: Key,
    region: Option<super::region::Region>,
    /// Exports whose files are kept, with their report lines and their place among
    /// the exports.
    kept: Vec<(usize, WrittenFile)>,
    /// The place among the exports of each output still to write.
    remaining: Vec<usize>,
    /// How many session frames this render came to (set by [`Session::check_kept`]).
    session_frames: u64,
    pub report: CacheReport,
}

fn name(mix: &Mix, strip: usize) -> String {
    mix.strips.get(strip).unwrap_or(&mix.master).name.clone()
}

/// Decides what replays and what runs, loads the running strips' sources from the
/// cache (decoding them into it when missing), and drops the outputs already right.
pub fn begin<'a>(
    cache: &'a Cache,
    mix: &Mix,
    world: &dyn World,
    plan: &mut Plan,
    outputs: &mut Vec<Output>,
    forced: &Forced,
    opts: &super::RenderOptions,
) -> Result<Session<'a>, Vec<Diagnostic>> {
    // Room for the song and the latency; a tail grows the buffers once or twice.
    let expected = (plan.song_len + plan.latency as u64).saturating_sub(plan.origin);
    cache.begin();
    let held = super::held::Held::new(cache);
    let hash = |p: &std::path::Path| held.hash(p);
    let keys = keys::nodes(mix, plan, plan.origin, &hash);
    let mut report = CacheReport::default();
    let rate = mix.session.rate;
    let mut errors = Vec::new();
    let mut decoded = Vec::new();
    for (p, key) in keys.iter().enumerate() {
        let st = &mut plan.states[p];
        let width = if plan.outs[p].pre.is_some() { 4 } else { 2 };
        if !forced.nodes.contains(key)
            && let Some(planes) = cache.node(key).filter(|c| c.len() >= width)
        {
            plan.replay[p] = Some(Replay { planes, copy: true });
            report.replayed += 1;
            continue;
        }
        report.ran.push(name(mix, st.strip));
        let line = keys::lineage(&opts.file_stem, &name(mix, st.strip), plan.origin);
        cache.supersede(line, *key);
        plan.record[p] = Some(
            (0..width)
                .map(|_| cache.buffer(expected as usize))
                .collect(),
        );
        let Some(Source::File { path, .. }) =
            &mix.strips.get(st.strip).and_then(|s| s.source.as_ref())
        else {
            continue;
        };
        let Some(src) = st.source.as_mut() else {
            continue;
        };
        let Some(content) = held.hash(path) else {
            continue; // Unreadable now: the stream reports it when read.
        };
        let key = source_key(&content, rate);
        let planes = match cache.source(&key) {
            Some(planes) => planes,
            None => match super::source::decode_whole(world, path, rate) {
                Ok(planes) => {
                    report.decoded.push(name(mix, st.strip));
                    let planes: Planes = Arc::new(planes);
                    decoded.push((key, planes.clone()));
                    planes
                }
                Err(e) => {
                    errors.push(src.fail(e));
                    continue;
                }
            },
        };
        src.preload(planes, rate);
    }
    // Nothing read from a file is kept unless the file held still (see `held`).
    errors.extend(held.verify(world));
    if !errors.is_empty() {
        return Err(errors);
    }
    for (key, planes) in decoded {
        cache.put_source(key, planes);
    }
    let stage = mix.loudness.map(|_| {
        let mut h = blake3::Hasher::new();
        h.update(keys::solve(mix, &keys[plan.master]).as_bytes());
        for o in outputs.iter().filter(|o| matches!(o.tap, Tap::Master)) {
            h.update(o.path.to_string_lossy().as_bytes());
            h.update(
                serde_json::to_string(&o.export)
                    .unwrap_or_default()
                    .as_bytes(),
            );
        }
        h.finalize()
    });
    // A region takes the drive the whole song was solved at, when it is known.
    let solve = match plan.origin {
        0 => keys::solve(mix, &keys[plan.master]),
        _ => keys::solve(mix, &keys::nodes(mix, plan, 0, &hash)[plan.master]),
    };
    let mut session = Session {
        cache,
        keys,
        solve_key: solve,
        region: opts.region,
        stage,
        kept: Vec::new(),
        remaining: (0..outputs.len()).collect(),
        session_frames: 0,
        report,
    };
    if !forced.no_kept_files {
        session.keep_files(outputs, plan);
    }
    if !opts.meters {
        mark_idle(plan, outputs);
    }
    Ok(session)
}

/// Replayed nodes are copied only for what reads the chunk buffers: a stem's file and
/// the master's sum. Strips read a replay's planes in place (`strip::Earlier`).
fn mark_idle(plan: &mut Plan, outputs: &[Output]) {
    let mut read = vec![false; plan.states.len()];
    read[plan.master] = true;
    for o in outputs {
        if let Tap::Stem(p) = o.tap {
            read[p] = true;
        }
    }
    for (r, read) in plan.replay.iter_mut().zip(read) {
        if let Some(r) = r {
            r.copy = read;
        }
    }
}

fn source_key(content: &Key, rate: u32) -> Key {
    let mut h = blake3::Hasher::new();
    h.update(b"source");
    h.update(content.as_bytes());
    h.update(&rate.to_le_bytes());
    h.finalize()
}

impl Session<'_> {
    fn output_key(&self, o: &Output, plan: &Plan) -> Key {
        let feed = match o.tap {
            Tap::Master => &self.keys[plan.master],
            Tap::Stem(p) => &self.keys[p],
        };
        let stage = self.stage.as_ref().filter(|_| matches!(o.tap, Tap::Master));
        keys::output(o, feed, plan.latency, self.region, stage)
    }

    /// Drops the outputs whose file on disk is what this render would write. The
    /// master files of a loudness target go together (one solve drives them all).
    fn keep_files(&mut self, outputs: &mut Vec<Output>, plan: &Plan) {
        let intact = |o: &Output| {
            let wf = self.cache.output(&self.output_key(o, plan))?;
            (crate::cache::files::hash_bytes(&o.path) == Some(wf.hash)).then_some(wf)
        };
        let found: Vec<Option<WrittenFile>> = outputs.iter().map(intact).collect();
        let masters_intact = self.stage.is_none()
            || (outputs.iter().zip(&found))
                .filter(|(o, _)| matches!(o.tap, Tap::Master))
                .all(|(_, f)| f.is_some());
        let mut i = 0;
        for f in found {
            let o = &outputs[i];
            let together = matches!(o.tap, Tap::Master) && self.stage.is_some();
            match f.filter(|_| !together || masters_intact) {
                Some(wf) => {
                    self.report.kept.push(o.path.clone());
                    self.kept.push((self.remaining.remove(i), wf));
                    outputs.remove(i);
                }
                None => i += 1,
            }
        }
    }

    /// Whether the master stage can be skipped: every master file is kept.
    pub fn stage_kept(&self, outputs: &[Output]) -> bool {
        self.stage.is_some() && !outputs.iter().any(|o| matches!(o.tap, Tap::Master))
    }

    /// The cached solve, if any.
    pub fn solve(&mut self) -> Option<super::solve::Solved> {
        let s = self.cache.solve(&self.solve_key);
        self.report.solve_reused = s.is_some();
        s
    }

    pub fn put_solve(&self, solved: super::solve::Solved) {
        self.cache.put_solve(self.solve_key, solved);
    }

    /// Checks the kept files against the length this render came to, in session
    /// frames (a converted export's own count differs); `Err` restarts.
    pub fn check_kept(&mut self, frames: u64, forced: &mut Forced) -> Result<(), Vec<Diagnostic>> {
        self.session_frames = frames;
        if self.kept.iter().any(|(_, k)| k.session_frames != frames) {
            forced.no_kept_files = true;
            return Err(vec![Diagnostic::global(RESTART, "restart")]);
        }
        Ok(())
    }

    /// Stores what ran and what was written, for the next render.
    pub fn finish(
        self,
        plan: &mut Plan,
        outputs: &[Output],
        files: &mut Vec<Written>,
    ) -> CacheReport {
        for (p, rec) in plan.record.iter_mut().enumerate() {
            if let Some(planes) = rec.take() {
                self.cache.put_node(self.keys[p], Arc::new(planes));
            }
        }
        for (o, w) in outputs.iter().zip(files.iter()) {
            if let Some(hash) = crate::cache::files::hash_bytes(&o.path) {
                let key = self.output_key(o, plan);
                let written = w.clone();
                let session_frames = self.session_frames;
                (self.cache).put_output(
                    key,
                    WrittenFile {
                        written,
                        hash,
                        session_frames,
                    },
                );
            }
        }
        // Back in the order of the exports, as an uncached render lists them.
        let mut all: Vec<(usize, Written)> =
            self.remaining.into_iter().zip(files.drain(..)).collect();
        all.extend(self.kept.into_iter().map(|(i, k)| (i, k.written)));
        all.sort_by_key(|(i, _)| *i);
        files.extend(all.into_iter().map(|(_, w)| w));
        self.cache.prune_disk();
        self.report
    }
}

/// Marks the replays that ran out, so the restarted render runs those nodes.
pub fn exhausted(plan: &Plan, keys: &[Key], at: u64, forced: &mut Forced) {
    for (p, r) in plan.replay.iter().enumerate() {
        if r.as_ref().is_some_and(|r| (r.planes[0].len() as u64) < at) {
            forced.nodes.insert(keys[p]);
        }
    }
}

/// One chunk of the render: render-time position, the render's first sample, frames.
#[derive(Clone, Copy)]
pub struct Chunk {
    pub pos: u64,
    pub origin: u64,
    pub n: usize,
}

/// One node for one chunk: replayed from the cache, or run (and recorded when a cache
/// keeps it).
pub fn step(
    s: &mut super::strip::StripRt,
    o: &mut super::strip::StripOut,
    replay: &Option<Replay>,
    record: &mut Option<Vec<Vec<f32>>>,
    c: Chunk,
    done: super::strip::Earlier,
) -> Result<(), Diagnostic> {
    let n = c.n;
    if let Some(Replay { planes, copy }) = replay {
        let a = (c.pos - c.origin) as usize;
        if planes[0].len() < a + n {
            return Err(Diagnostic::global(RESTART, "a cached node ran out"));
        }
        if !copy {
            return Ok(());
        }
        for (dst, src) in o.post.iter_mut().zip(planes.iter()) {
            dst[..n].copy_from_slice(&src[a..a + n]);
        }
        if let Some(pre) = &mut o.pre {
            for (dst, src) in pre.iter_mut().zip(&planes[2..]) {
                dst[..n].copy_from_slice(&src[a..a + n]);
            }
        }
        return Ok(());
    }
    s.run(c.pos, n, o, done)?;
    if let Some(rec) = record {
        let pre = o.pre.iter().flatten();
        for (dst, src) in rec.iter_mut().zip(o.post.iter().chain(pre)) {
            dst.extend_from_slice(&src[..n]);
        }
    }
    Ok(())
}
