//! One strip at render time: gather its input (source, or the sum of what feeds a
//! bus, in a fixed order), trim and polarity, the inserts in written order, then the
//! fader (gain, pan or balance, width, mute) into a stereo output.

use super::automation::{LaneRt, amp};
use super::delay::DelayLine;
pub use super::pan::{mono_pan, stereo_balance};
use super::pan::{pre_tap, unpanned};
use super::source::SourceStream;
use crate::diag::Diagnostic;
use crate::dsp::{ParamId, Processor};

/// Automation lanes that drive one strip.
#[derive(Default)]
pub struct Automation {
    pub trim: Option<LaneRt>,
    pub gain: Option<LaneRt>,
    pub pan: Option<LaneRt>,
    pub width: Option<LaneRt>,
    pub mute: Option<LaneRt>,
    /// (insert index, parameter, lane)
    pub inserts: Vec<(usize, ParamId, LaneRt)>,
}

impl Automation {
    /// Lines the lanes up with the audio they act on: the strip's input arrives
    /// `input` frames late (latency compensation), insert `k` sees it `before[k]`
    /// frames later still, and the fader after all the inserts, `own` frames later.
    pub fn align(&mut self, input: usize, before: &[usize], own: usize) {
        for l in self.trim.iter_mut() {
            l.delay_by(input);
        }
        for l in [
            &mut self.gain,
            &mut self.pan,
            &mut self.width,
            &mut self.mute,
        ]
        .into_iter()
        .flatten()
        {
            l.delay_by(input + own);
        }
        for (k, _, l) in &mut self.inserts {
            l.delay_by(input + before.get(*k).copied().unwrap_or(0));
        }
    }

    fn fader(&self) -> bool {
        self.gain.is_some() || self.pan.is_some() || self.width.is_some() || self.mute.is_some()
    }
}

/// Insert parameters follow their lanes on a fixed grid of this many samples (the
/// processors glide between grid values), so the result is the same for any chunk size.
pub const AUTOMATION_GRID: u64 = 32;

/// What a strip reads of the strips before it, for one chunk: their outputs, or, for
/// a node replayed from the cache, its cached planes read in place (a replay that only
/// strips read is never copied into its output buffers).
#[derive(Clone, Copy)]
pub struct Earlier<'a> {
    pub outs: &'a [StripOut],
    /// Per strip, as `outs` (empty: nothing replayed).
    pub replay: &'a [Option<super::cached::Replay>],
    /// Where the chunk starts in a replay's planes.
    pub at: usize,
}

impl<'a> Earlier<'a> {
    /// Outputs alone, nothing replayed.
    pub fn outs(outs: &'a [StripOut]) -> Self {
        Self {
            outs,
            replay: &[],
            at: 0,
        }
    }

    /// Strip `p`'s first `n` frames of this chunk, post-fader or (`pre`) pre-fader.
    fn signal(&self, p: usize, pre: bool, n: usize) -> [&'a [f32]; 2] {
        if let Some(Some(r)) = self.replay.get(p) {
            // The planes are post L, R, then pre L, R; `step` checked their length.
            let k = if pre { 2 } else { 0 };
            return [0, 1].map(|c| &r.planes[k + c][self.at..self.at + n]);
        }
        let o = &self.outs[p];
        let sig = match pre {
            true => o.pre.as_ref().expect("pre-fader output kept for pre sends"),
            false => &o.post,
        };
        [&sig[0][..n], &sig[1][..n]]
    }
}

/// What a strip hands downstream each chunk: stereo, post-fader (and pre-fader when a
/// pre-fader send uses it). Plain buffers, so strips of one level can read them in parallel.
#[derive(Clone)]
pub struct StripOut {
    pub post: [Vec<f32>; 2],
    pub pre: Option<[Vec<f32>; 2]>,
}

/// An incoming connection of a bus or a sidechain key, with its compensation delay.
pub struct Input {
    /// Position of the source strip in execution order.
    pub from: usize,
    pub kind: InputKind,
    pub delay: DelayLine,
    /// An automated send level (dB), evaluated per sample.
    pub level: Option<LaneRt>,
    /// Where the delayed signal is written when the delay is not zero.
    pub scratch: [Vec<f32>; 2],
}

pub enum InputKind {
    Route,
    Send { gain: f32, pre: bool },
    Key { insert: usize },
}

pub struct StripRt {
    /// Index into `mix.strips` (the master is `strips.len()`).
    pub strip: usize,
    /// Channels through the inserts: the source's for tracks, 2 for buses.
    pub channels: usize,
    pub source: Option<SourceStream>,
    pub inserts: Vec<Box<dyn Processor>>,
    pub inputs: Vec<Input>,
    /// Trim with polarity, as a linear gain.
    pub trim: f32,
    /// Fader gain, or 0 when muted.
    pub gain: f32,
    /// Stereo gains after pan/balance: (L from L, R from R) for stereo; (L, R) from mono.
    pub pan: (f32, f32),
    pub width: f32,
    /// Whether muting also silences the pre-fader output.
    pub muted: bool,
    /// Muted because another strip is soloed (automation cannot unmute it).
    pub solo_muted: bool,
    /// -1 when the polarity is inverted.
    pub polarity: f32,
    /// The written values under automation lanes.
    pub static_gain_db: f64,
    pub static_pan: f64,
    pub auto: Automation,
    pub work: [Vec<f32>; 2],
}

impl StripRt {
    /// A strip that only sums its `inputs` (no source, inserts, gain or pan).
    pub fn sum(strip: usize, inputs: Vec<Input>, chunk: usize) -> Self {
        Self {
            strip,
            channels: 2,
            source: None,
            inserts: Vec::new(),
            inputs,
            trim: 1.0,
            gain: 1.0,
            pan: (1.0, 1.0),
            width: 1.0,
            muted: false,
            solo_muted: false,
            polarity: 1.0,
            static_gain_db: 0.0,
            static_pan: 0.0,
            auto: Automation::default(),
            work: [vec![0.0; chunk], vec![0.0; chunk]],
        }
    }

    /// Renders frames `pos..pos + n` into `out`, reading earlier strips' outputs.
    pub fn run(
        &mut self,
        pos: u64,
        n: usize,
        out: &mut StripOut,
        earlier: Earlier,
    ) -> Result<(), Diagnostic> {
        let ch = self.channels;
        // 1. Input.
        if let Some(src) = &mut self.source {
            let [l, r] = &mut self.work;
            let mut io: [&mut [f32]; 2] = [&mut l[..n], &mut r[..n]];
            src.read(pos, &mut io[..ch])?;
        } else {
            for w in &mut self.work {
                w[..n].fill(0.0);
            }
            for input in &mut self.inputs {
                let (gain, tap) = match input.kind {
                    InputKind::Route => (1.0, false),
                    InputKind::Send { gain, pre } => (gain, pre),
                    InputKind::Key { .. } => continue,
                };
                let sig = earlier.signal(input.from, tap, n);
                let mut lane = input.level.take();
                let delayed = delayed(input, sig, n);
                match &mut lane {
                    None => {
                        for (w, s) in self.work.iter_mut().zip(delayed) {
                            for (a, b) in w[..n].iter_mut().zip(&s[..n]) {
                                *a += gain * b;
                            }
                        }
                    }
                    Some(l) => {
                        let [w0, w1] = &mut self.work;
                        let frames = w0[..n]
                            .iter_mut()
                            .zip(&mut w1[..n])
                            .zip(delayed[0][..n].iter().zip(&delayed[1][..n]));
                        for (i, ((a, b), (x, y))) in frames.enumerate() {
                            let g = amp(l.value_at(pos + i as u64));
                            *a += g * x;
                            *b += g * y;
                        }
                    }
                }
                input.level = lane;
            }
        }
        // 2. Trim and polarity.
        if let Some(lane) = &mut self.auto.trim {
            for i in 0..n {
                let g = self.polarity * amp(lane.value_at(pos + i as u64));
                for w in &mut self.work[..ch] {
                    w[i] *= g;
                }
            }
        } else if self.trim != 1.0 {
            for w in &mut self.work[..ch] {
                w[..n].iter_mut().for_each(|x| *x *= self.trim);
            }
        }
        // 3. Inserts, in written order; keys are delayed to line up with the signal.
        // Each key is copied (delayed if need be) into its input's scratch buffer, so
        // the insert loop can borrow it without a list built per chunk.
        for input in &mut self.inputs {
            if let InputKind::Key { .. } = input.kind {
                let src = earlier.signal(input.from, false, n);
                input.delay.process(&src, &mut input.scratch, n);
            }
        }
        let inputs = &self.inputs;
        let mut at = 0;
        while at < n {
            // Without insert lanes the whole chunk is one block.
            let end = if self.auto.inserts.is_empty() {
                n
            } else {
                let abs = pos + at as u64;
                if abs.is_multiple_of(AUTOMATION_GRID) {
                    for (k, id, lane) in &mut self.auto.inserts {
                        self.inserts[*k].set_param(*id, lane.value_at(abs - abs % AUTOMATION_GRID));
                    }
                }
                n.min(at + (AUTOMATION_GRID - abs % AUTOMATION_GRID) as usize)
            };
            for (k, proc) in self.inserts.iter_mut().enumerate() {
                let [l, r] = &mut self.work;
                let mut io: [&mut [f32]; 2] = [&mut l[at..end], &mut r[at..end]];
                let key = inputs
                    .iter()
                    .find(|i| matches!(i.kind, InputKind::Key { insert } if insert == k));
                match key.map(|i| &i.scratch) {
                    Some(key) => {
                        proc.process(&mut io[..ch], Some(&[&key[0][at..end], &key[1][at..end]]))
                    }
                    None => proc.process(&mut io[..ch], None),
                }
            }
            at = end;
        }
        // 4. Fader: pan/balance and width, then gain (and mute).
        if self.auto.fader() {
            self.automated_fader(pos, n, out);
            return Ok(());
        }
        let (wl, wr) = (&self.work[0][..n], &self.work[1][..n]);
        if let Some(pre) = &mut out.pre {
            pre_tap(pre, [wl, wr], ch == 1, if self.muted { 0.0 } else { 1.0 });
        }
        let [pl, pr] = &mut out.post;
        let (gl, gr) = self.pan;
        if ch == 1 {
            for i in 0..n {
                pl[i] = wl[i] * gl;
                pr[i] = wl[i] * gr;
            }
        } else {
            let half_w = 0.5 * self.width;
            for i in 0..n {
                let (m, s) = (0.5 * (wl[i] + wr[i]), half_w * (wl[i] - wr[i]));
                pl[i] = (m + s) * gl;
                pr[i] = (m - s) * gr;
            }
        }
        if self.gain != 1.0 {
            for i in 0..n {
                pl[i] *= self.gain;
                pr[i] *= self.gain;
            }
        }
        Ok(())
    }
}

impl StripRt {
    /// The fader with automated gain, pan, width or mute, evaluated per sample.
    fn automated_fader(&mut self, pos: u64, n: usize, out: &mut StripOut) {
        let mono = self.channels == 1;
        let centre = mono_pan(0.0).0;
        let a = &mut self.auto;
        for i in 0..n {
            let t = pos + i as u64;
            let pan = a.pan.as_mut().map_or(self.static_pan, |l| l.value_at(t));
            let (gl, gr) = if a.pan.is_none() {
                self.pan
            } else if mono {
                mono_pan(pan)
            } else {
                stereo_balance(pan)
            };
            let muted =
                self.solo_muted || a.mute.as_mut().map_or(self.muted, |l| l.value_at(t) >= 0.5);
            let (l, r) = if mono {
                (self.work[0][i] * gl, self.work[0][i] * gr)
            } else {
                let w = a
                    .width
                    .as_mut()
                    .map_or(self.width, |l| l.value_at(t) as f32);
                let (x, y) = (self.work[0][i], self.work[1][i]);
                let (m, s) = (0.5 * (x + y), 0.5 * w * (x - y));
                ((m + s) * gl, (m - s) * gr)
            };
            if let Some([ql, qr]) = &mut out.pre {
                let g = if muted { 0.0 } else { 1.0 };
                let (x, y) = unpanned(&self.work, i, mono, centre);
                (ql[i], qr[i]) = (x * g, y * g);
            }
            let g = if muted {
                0.0
            } else {
                a.gain
                    .as_mut()
                    .map_or_else(|| amp(self.static_gain_db), |l| amp(l.value_at(t)))
            };
            out.post[0][i] = l * g;
            out.post[1][i] = r * g;
        }
    }
}

/// The input's signal, delayed for compensation when needed.
fn delayed<'a>(input: &'a mut Input, sig: [&'a [f32]; 2], n: usize) -> [&'a [f32]; 2] {
    if input.delay.delay() == 0 {
        return sig;
    }
    input.delay.process(&sig, &mut input.scratch, n);
    [&input.scratch[0][..n], &input.scratch[1][..n]]
}
