//! Streaming loudness and peak meter (ITU-R BS.1770 / EBU R 128) over the `ebur128`
//! crate, which passes EBU Tech 3341/3342 (DEPENDENCIES.md §2.7).
//!
//! Audio is fed to ebur128 in 10 ms slices on a grid counted from the first frame,
//! and momentary loudness is read after every slice: Tech 3341 case 13 fails with a
//! 100 ms read interval (REFERENCES.md §2, case 13). Short-term loudness is read every
//! 100 ms, which Tech 3341 allows (case 10 passes with a 100 ms hop, REFERENCES §2)
//! and avoids summing a 3 s window 100 times a second. Because the grid is fixed,
//! the result does not depend on how the caller chunks its pushes.

use super::lin_to_db;
use ebur128::{Channel, EbuR128, Mode};

/// What the meter measured over everything pushed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measurement {
    /// Gated integrated loudness (LUFS); `None` when no block passes the −70 LUFS gate
    /// (silence), so it can never slip into gain arithmetic.
    pub integrated_lufs: Option<f64>,
    /// Loudness range (LU, Tech 3342).
    pub lra_lu: f64,
    /// Max true peak over all channels (dBTP; `-inf` for silence). Never below the
    /// sample peak.
    pub true_peak_dbtp: f64,
    /// Max sample peak over all channels (dBFS; `-inf` for silence).
    pub sample_peak_dbfs: f64,
    /// Max momentary (400 ms) loudness read every 10 ms (LUFS); `None` for silence,
    /// and from a [`Meter::delivery`] meter, which does not read it.
    pub max_momentary: Option<f64>,
    /// Max short-term (3 s) loudness read every 100 ms (LUFS); `None` for silence, and
    /// from a [`Meter::delivery`] meter.
    pub max_short_term: Option<f64>,
    pub duration_s: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum MeterError {
    #[error("the loudness meter cannot measure {channels} channels at {rate} Hz")]
    Setup { channels: usize, rate: u32 },
    #[error("the loudness meter expects {expected} channels of equal length, got {got}")]
    Channels { expected: usize, got: usize },
}

/// A streaming EBU R 128 meter.
pub struct Meter {
    ebu: EbuR128,
    rate: u32,
    channels: usize,
    /// Frames per read slice of the momentary loudness (10 ms), or `None` when the
    /// maxima are not read at all (delivery).
    slice: Option<usize>,
    /// Frames pushed into the current slice.
    in_slice: usize,
    slices: u64,
    frames: u64,
    max_m: f64,
    max_s: f64,
}

impl Meter {
    /// A meter for `channels` channels (mono counts once, L/R for stereo).
    pub fn new(rate: u32, channels: usize) -> Result<Self, MeterError> {
        Self::with_reads(rate, channels, true)
    }

    /// A meter for files as they are delivered: the same integrated loudness, LRA and
    /// peaks, without the maximum momentary and short-term loudness. Nothing that
    /// renders reads those (the report, the assertions and ReplayGain take I, LRA and
    /// the peaks), and each read re-sums its whole window: reading them made the
    /// meter of a written file cost half again as much. `analyze` reads them.
    pub fn delivery(rate: u32, channels: usize) -> Result<Self, MeterError> {
        Self::with_reads(rate, channels, false)
    }

    fn with_reads(rate: u32, channels: usize, reads: bool) -> Result<Self, MeterError> {
        let setup = || MeterError::Setup { channels, rate };
        let mode = Mode::I | Mode::LRA | Mode::TRUE_PEAK | Mode::SAMPLE_PEAK | Mode::M | Mode::S;
        let ch = u32::try_from(channels).map_err(|_| setup())?;
        if ch == 0 || ch > 8 {
            return Err(setup());
        }
        let ebu = EbuR128::new(ch, rate, mode).map_err(|_| setup())?;
        Ok(Self {
            ebu,
            rate,
            channels,
            slice: reads.then_some((rate as usize / 100).max(1)),
            in_slice: 0,
            slices: 0,
            frames: 0,
            max_m: f64::NEG_INFINITY,
            max_s: f64::NEG_INFINITY,
        })
    }

    /// Counts a mono signal twice, as if played on two speakers (libebur128 "dual
    /// mono"): a mono file then reads like the same signal in stereo, +3 LU over the
    /// plain mono reading (REFERENCES.md §1.4). A policy choice for mono masters.
    pub fn dual_mono(mut self) -> Result<Self, MeterError> {
        if self.channels != 1 {
            return Err(MeterError::Channels {
                expected: 1,
                got: self.channels,
            });
        }
        self.ebu
            .set_channel(0, Channel::DualMono)
            .map_err(|_| MeterError::Channels {
                expected: 1,
                got: 1,
            })?;
        Ok(self)
    }

    /// Adds planar frames (one slice per channel, all the same length).
    pub fn push(&mut self, planar: &[&[f32]]) -> Result<(), MeterError> {
        let n = planar.first().map_or(0, |p| p.len());
        if planar.len() != self.channels || planar.iter().any(|p| p.len() != n) {
            return Err(MeterError::Channels {
                expected: self.channels,
                got: planar.len(),
            });
        }
        let mut pos = 0;
        while pos < n {
            // Without reads the whole block goes in at once.
            let take = match self.slice {
                Some(slice) => (slice - self.in_slice).min(n - pos),
                None => n,
            };
            // A stack array, not a Vec: the render loop must not allocate per block.
            let mut part: [&[f32]; 8] = [&[]; 8];
            for (slot, p) in part.iter_mut().zip(planar) {
                *slot = &p[pos..pos + take];
            }
            self.ebu
                .add_frames_planar_f32(&part[..planar.len().min(8)])
                .map_err(|_| MeterError::Channels {
                    expected: self.channels,
                    got: planar.len(),
                })?;
            pos += take;
            self.in_slice += take;
            if self.slice == Some(self.in_slice) {
                self.end_slice();
            }
        }
        self.frames += n as u64;
        Ok(())
    }

    fn end_slice(&mut self) {
        self.in_slice = 0;
        self.slices += 1;
        if let Ok(m) = self.ebu.loudness_momentary() {
            self.max_m = self.max_m.max(m);
        }
        if self.slices.is_multiple_of(10)
            && let Ok(s) = self.ebu.loudness_shortterm()
        {
            self.max_s = self.max_s.max(s);
        }
    }

    pub fn finish(self) -> Measurement {
        let finite = |x: f64| x.is_finite().then_some(x);
        let per_channel = |f: &dyn Fn(u32) -> Result<f64, ebur128::Error>| {
            (0..self.channels as u32)
                .filter_map(|c| f(c).ok())
                .fold(0.0f64, f64::max)
        };
        let sample = per_channel(&|c| self.ebu.sample_peak(c));
        let truep = per_channel(&|c| self.ebu.true_peak(c)).max(sample);
        Measurement {
            integrated_lufs: self.ebu.loudness_global().ok().and_then(finite),
            lra_lu: self
                .ebu
                .loudness_range()
                .ok()
                .filter(|x| x.is_finite())
                .unwrap_or(0.0),
            true_peak_dbtp: lin_to_db(truep),
            sample_peak_dbfs: lin_to_db(sample),
            max_momentary: finite(self.max_m),
            max_short_term: finite(self.max_s),
            duration_s: self.frames as f64 / f64::from(self.rate),
        }
    }
}

#[cfg(test)]
#[path = "meter_ref_tests.rs"]
mod ref_tests;

#[cfg(test)]
mod tests {
    use super::*;

    const FS: u32 = 48000;

    /// Stereo 1 kHz tone at a peak level in dBFS (REFERENCES §2 conventions). One
    /// period is 48 samples at 48 kHz, so the period is computed once and repeated.
    fn tone(db: f64, secs: f64) -> Vec<f32> {
        let amp = libm::pow(10.0, db / 20.0);
        let period: Vec<f32> = (0..48)
            .map(|n| (amp * libm::sin(2.0 * std::f64::consts::PI * n as f64 / 48.0)) as f32)
            .collect();
        let n = libm::round(secs * f64::from(FS)) as usize;
        period.iter().copied().cycle().take(n).collect()
    }

    fn silence(secs: f64) -> Vec<f32> {
        vec![0.0; libm::round(secs * f64::from(FS)) as usize]
    }

    fn measure(signal: &[f32], chunk: usize) -> Measurement {
        let mut m = Meter::new(FS, 2).unwrap();
        for c in signal.chunks(chunk) {
            m.push(&[c, c]).unwrap();
        }
        m.finish()
    }

    /// Tech 3341 tolerance for I, M, S: ±0.1 LU (REFERENCES §2.1).
    fn near(x: Option<f64>, want: f64, tol: f64) {
        let x = x.expect("a loudness value");
        assert!((x - want).abs() <= tol, "{x} not within {tol} of {want}");
    }

    #[test]
    fn tech3341_cases_1_and_2() {
        // Cases 1/2 are 20 s long; the values are constant after 3 s, so 5 s suffice.
        for level in [-23.0, -33.0] {
            let m = measure(&tone(level, 5.0), 4800);
            near(m.integrated_lufs, level, 0.1);
            near(m.max_momentary, level, 0.1);
            near(m.max_short_term, level, 0.1);
            assert!((m.duration_s - 5.0).abs() < 1e-9);
        }
    }

    #[test]
    fn tech3341_case_3_relative_gate() {
        // 10 s @ −36, 60 s @ −23, 10 s @ −36, scaled down 4x; the −36 parts must be
        // gated out. Expected −23.0 ±0.1.
        let mut s = tone(-36.0, 2.5);
        s.extend(tone(-23.0, 15.0));
        s.extend(tone(-36.0, 2.5));
        near(measure(&s, 48000).integrated_lufs, -23.0, 0.1);
    }

    #[test]
    fn tech3341_case_13_max_momentary() {
        // i·20 ms silence, 400 ms @ −23, 1 s silence: max M = −23.0 ±0.1 for every i,
        // which needs M read at ≤ 10 ms steps (a 100 ms hop reads −23.45).
        for i in [0, 3, 7, 12, 19] {
            let mut s = silence(0.02 * f64::from(i));
            s.extend(tone(-23.0, 0.4));
            s.extend(silence(1.0));
            near(measure(&s, 1024).max_momentary, -23.0, 0.1);
        }
    }

    #[test]
    fn true_peak_fs4_sine() {
        // Tech 3341 cases 16 and 19: fs/4 sine at 45° phase, 0.50 and 1.41 FFS.
        // Expected −6.0 / +3.0 dBTP with tolerance +0.2/−0.4; sample peak −9.01 / −0.00.
        for (db, want_tp, want_sp) in [(-6.0, -6.0, -9.01), (3.0, 3.0, 0.0)] {
            let amp = libm::pow(10.0, db / 20.0);
            let s: Vec<f32> = (0..FS)
                .map(|n| {
                    let ph =
                        std::f64::consts::FRAC_PI_2 * f64::from(n) + std::f64::consts::FRAC_PI_4;
                    (amp * libm::sin(ph)) as f32
                })
                .collect();
            let m = measure(&s, 4096);
            assert!(
                m.true_peak_dbtp <= want_tp + 0.2 && m.true_peak_dbtp >= want_tp - 0.4,
                "true peak {} for expected {want_tp}",
                m.true_peak_dbtp
            );
            assert!((m.sample_peak_dbfs - want_sp).abs() < 0.02);
            assert!(m.true_peak_dbtp >= m.sample_peak_dbfs);
        }
    }

    #[test]
    fn tech3341_case_6_surround_weights() {
        // 5.0 (L, R, C, Ls, Rs): L, R −28; C −24; Ls, Rs −30 dBFS; I = −23.0 ±0.1
        // (weights 1, 1, 1, 1.41, 1.41). Not renderable through a stereo mix, so tested
        // here; 5 s instead of 20 (the tones are steady).
        let (lr, c, s) = (tone(-28.0, 5.0), tone(-24.0, 5.0), tone(-30.0, 5.0));
        let mut m = Meter::new(FS, 5).unwrap();
        m.push(&[&lr, &lr, &c, &s, &s]).unwrap();
        near(m.finish().integrated_lufs, -23.0, 0.1);
    }

    #[test]
    fn tech3342_case_1_lra() {
        // 20 s @ −20 then 20 s @ −30 → LRA 10 ±1 LU (Tech 3342); halved in length.
        let mut s = tone(-20.0, 10.0);
        s.extend(tone(-30.0, 10.0));
        let lra = measure(&s, 48000).lra_lu;
        assert!((lra - 10.0).abs() <= 1.0, "LRA {lra}");
    }

    #[test]
    fn silence_has_no_loudness() {
        let m = measure(&silence(1.0), 4800);
        assert_eq!(m.integrated_lufs, None);
        assert_eq!(m.max_momentary, None);
        assert_eq!(m.max_short_term, None);
        assert_eq!(m.sample_peak_dbfs, f64::NEG_INFINITY);
    }

    #[test]
    fn result_does_not_depend_on_chunking() {
        let mut s = silence(0.13);
        s.extend(tone(-18.0, 0.7));
        s.extend(silence(0.5));
        assert_eq!(measure(&s, 37), measure(&s, 48000));
    }

    /// A delivery meter reads no maxima, and every figure it does give has the bits
    /// of the full meter's, whatever the blocks.
    #[test]
    fn a_delivery_meter_gives_the_full_meters_figures_without_the_maxima() {
        let mut s = tone(-20.0, 3.3);
        s.extend(tone(-9.0, 1.1));
        s.extend(silence(0.4));
        s.extend(tone(-30.0, 2.2));
        let full = measure(&s, 4096);
        for chunk in [37, 4096, s.len()] {
            let mut m = Meter::delivery(FS, 2).unwrap();
            for c in s.chunks(chunk) {
                m.push(&[c, c]).unwrap();
            }
            let d = m.finish();
            assert_eq!((d.max_momentary, d.max_short_term), (None, None));
            let bits = |m: &Measurement| {
                let i = m.integrated_lufs.expect("loud").to_bits();
                let rest = [m.lra_lu, m.true_peak_dbtp, m.sample_peak_dbfs, m.duration_s];
                (i, rest.map(f64::to_bits))
            };
            assert_eq!(bits(&d), bits(&full), "blocks of {chunk}");
        }
        assert!(
            full.lra_lu > 5.0,
            "the test signal has a range: {}",
            full.lra_lu
        );
    }

    #[test]
    fn mono_and_dual_mono() {
        // A −23 dBFS 1 kHz mono tone reads −26.0 LUFS, or −23.0 counted as dual mono
        // (REFERENCES §1.4).
        let s = tone(-23.0, 2.0);
        let mut m = Meter::new(FS, 1).unwrap();
        m.push(&[&s]).unwrap();
        near(m.finish().integrated_lufs, -26.0, 0.1);
        let mut m = Meter::new(FS, 1).unwrap().dual_mono().unwrap();
        m.push(&[&s]).unwrap();
        near(m.finish().integrated_lufs, -23.0, 0.1);
        assert!(Meter::new(FS, 1).unwrap().push(&[&s, &s]).is_err());
    }
}
