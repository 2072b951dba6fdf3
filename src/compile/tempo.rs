//! The tempo and meter map: `tempo 92bpm`, `meter 4/4`, and changes `at bar N`.
//! Tempo counts quarter notes per minute (as DAWs do); a bar of `n/d` lasts
//! `n * 4/d` quarter notes, and `bar N.B` is beat B (in units of `1/d`) of bar N.

use super::values::note_seconds;
use crate::ir::{TempoMap, TempoSegment};
use crate::syntax::ast::NoteModifier;

#[derive(Debug, Clone)]
pub struct Tempo {
    pub rate: f64,
    pub map: TempoMap,
}

/// A change written in the session block, before it is placed on the timeline.
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub bar: u32,
    pub bpm: Option<f64>,
    pub meter: Option<(u32, u32)>,
}

impl Tempo {
    /// Builds the map from the initial tempo and meter and the changes (in bar order, checked by the caller).
    pub fn new(rate: f64, bpm: f64, meter: (u32, u32), changes: &[Change]) -> Self {
        let mut segments = vec![TempoSegment {
            bar: 1,
            sample: 0.0,
            bpm,
            beats_per_bar: meter.0,
            beat_unit: meter.1,
        }];
        for c in changes {
            let last = segments.last().expect("at least the first segment").clone();
            let sample = last.sample + f64::from(c.bar - last.bar) * bar_samples(&last, rate);
            let seg = TempoSegment {
                bar: c.bar,
                sample,
                bpm: c.bpm.unwrap_or(last.bpm),
                beats_per_bar: c.meter.map_or(last.beats_per_bar, |m| m.0),
                beat_unit: c.meter.map_or(last.beat_unit, |m| m.1),
            };
            if last.bar == c.bar {
                *segments.last_mut().expect("non-empty") = TempoSegment {
                    sample: last.sample,
                    ..seg
                };
            } else {
                segments.push(seg);
            }
        }
        Self {
            rate,
            map: TempoMap { segments },
        }
    }

    /// The first sample of beat `beat` (1-based, may be fractional) of bar `bar` (1-based).
    pub fn bar_to_sample(&self, bar: u32, beat: f64) -> Result<u64, String> {
        if bar == 0 {
            return Err("bars count from 1".into());
        }
        let seg = self
            .map
            .segments
            .iter()
            .rev()
            .find(|s| s.bar <= bar)
            .expect("the first segment starts at bar 1");
        if beat < 1.0 || beat >= f64::from(seg.beats_per_bar) + 1.0 {
            return Err(format!(
                "bar {bar} has beats 1 to {} (meter {}/{})",
                seg.beats_per_bar, seg.beats_per_bar, seg.beat_unit
            ));
        }
        let beat_len = 60.0 / seg.bpm * 4.0 / f64::from(seg.beat_unit) * self.rate;
        let s = seg.sample
            + f64::from(bar - seg.bar) * bar_samples(seg, self.rate)
            + (beat - 1.0) * beat_len;
        Ok(s.round() as u64)
    }

    /// Seconds of a note length at the opening tempo.
    pub fn note_seconds(&self, num: u32, den: u32, modifier: NoteModifier) -> f64 {
        note_seconds(self.map.segments[0].bpm, num, den, modifier)
    }
}

fn bar_samples(seg: &TempoSegment, rate: f64) -> f64 {
    f64::from(seg.beats_per_bar) * 4.0 / f64::from(seg.beat_unit) * 60.0 / seg.bpm * rate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_resolve_through_tempo_and_meter_changes() {
        // 120 bpm 4/4 at 48 kHz: a bar is 2 s = 96000 samples.
        let t = Tempo::new(
            48000.0,
            120.0,
            (4, 4),
            &[
                Change {
                    bar: 3,
                    bpm: Some(60.0),
                    meter: None,
                },
                Change {
                    bar: 4,
                    bpm: None,
                    meter: Some((3, 4)),
                },
            ],
        );
        assert_eq!(t.bar_to_sample(1, 1.0), Ok(0));
        assert_eq!(t.bar_to_sample(2, 1.0), Ok(96000));
        assert_eq!(t.bar_to_sample(2, 3.0), Ok(96000 + 48000));
        // Bar 3 starts at 4 s; at 60 bpm a 4/4 bar is 4 s.
        assert_eq!(t.bar_to_sample(3, 1.0), Ok(192000));
        assert_eq!(t.bar_to_sample(4, 1.0), Ok(192000 + 192000));
        // 3/4 at 60 bpm: a bar is 3 s.
        assert_eq!(t.bar_to_sample(5, 1.0), Ok(384000 + 144000));
        assert!(t.bar_to_sample(5, 4.0).is_err());
    }

    #[test]
    fn note_lengths() {
        assert!((note_seconds(120.0, 1, 4, NoteModifier::Plain) - 0.5).abs() < 1e-12);
        assert!((note_seconds(120.0, 1, 8, NoteModifier::Dotted) - 0.375).abs() < 1e-12);
        assert!((note_seconds(120.0, 1, 8, NoteModifier::Triplet) - 1.0 / 6.0).abs() < 1e-12);
    }
}
