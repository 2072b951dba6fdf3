//! Tests of streaming decode: each format, truncation policy and malformed input.

use super::*;
use crate::io::read_to_end;
use std::io::Cursor;

fn decode(bytes: Vec<u8>, ext: Option<&str>) -> Result<(AudioInfo, Vec<Vec<f32>>), AudioError> {
    let mut d = open(Box::new(Cursor::new(bytes)), ext)?;
    let info = d.info().clone();
    Ok((info, read_to_end(&mut d)?))
}

/// A 16-bit WAV made with hound directly (not through our writer).
fn wav_bytes(channels: u16, frames: usize) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: 48000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut buf = Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut buf, spec).unwrap();
    for i in 0..frames * channels as usize {
        w.write_sample((i % 1000) as i16 - 500).unwrap();
    }
    w.finalize().unwrap();
    buf.into_inner()
}

/// A minimal big-endian AIFF: FORM/AIFF with COMM and SSND chunks.
fn aiff_bytes(rate: u32, planar: &[Vec<i16>]) -> Vec<u8> {
    let (ch, n) = (planar.len(), planar[0].len());
    let mut comm = Vec::new();
    comm.extend_from_slice(&(ch as u16).to_be_bytes());
    comm.extend_from_slice(&(n as u32).to_be_bytes());
    comm.extend_from_slice(&16u16.to_be_bytes());
    // 80-bit IEEE extended: exponent 16383 + e, mantissa with explicit leading 1.
    let e = 31 - rate.leading_zeros();
    comm.extend_from_slice(&((16383 + e) as u16).to_be_bytes());
    comm.extend_from_slice(&((u64::from(rate)) << (63 - e)).to_be_bytes());
    let mut ssnd = vec![0u8; 8];
    for i in 0..n {
        for p in planar {
            ssnd.extend_from_slice(&p[i].to_be_bytes());
        }
    }
    let mut body = b"AIFF".to_vec();
    for (id, data) in [(b"COMM", comm), (b"SSND", ssnd)] {
        body.extend_from_slice(id);
        body.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(&data);
    }
    let mut out = b"FORM".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_be_bytes());
    out.extend_from_slice(&body);
    out
}

#[test]
fn aiff_decodes_exactly() {
    let planar: Vec<Vec<i16>> = (0..2)
        .map(|c| {
            (0..999)
                .map(|i| (i * 37 + c * 1000 - 16000) as i16)
                .collect()
        })
        .collect();
    let (info, y) = decode(aiff_bytes(44100, &planar), Some("aiff")).unwrap();
    assert_eq!(
        (info.rate, info.channels, info.frames),
        (44100, 2, Some(999))
    );
    for (p, q) in planar.iter().zip(&y) {
        let q16: Vec<i16> = q.iter().map(|x| (x * 32768.0) as i16).collect();
        assert_eq!(p, &q16);
    }
}

#[test]
fn probe_reads_headers_only() {
    let info = probe(Box::new(Cursor::new(wav_bytes(2, 1234))), Some("wav")).unwrap();
    assert_eq!(info.rate, 48000);
    assert_eq!(info.channels, 2);
    assert_eq!(info.frames, Some(1234));
    assert_eq!(info.bits, Some(16));
}

#[test]
fn empty_file_is_an_error() {
    assert!(matches!(
        decode(Vec::new(), Some("wav")),
        Err(AudioError::Empty)
    ));
}

#[test]
fn text_named_wav_is_not_audio() {
    let text = b"These are my lyrics, not a WAV file.\n".repeat(20);
    let err = decode(text, Some("wav")).unwrap_err();
    assert!(matches!(err, AudioError::UnrecognisedFormat), "{err:?}");
    assert!(err.to_string().starts_with("is not an audio file"));
}

#[test]
fn six_channels_are_rejected() {
    let err = decode(wav_bytes(6, 100), Some("wav")).unwrap_err();
    assert!(matches!(err, AudioError::UnsupportedChannels(6)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "has 6 channels; mixdown reads mono or stereo files"
    );
}

#[test]
fn truncated_wav_is_an_error() {
    let mut bytes = wav_bytes(2, 10_000);
    bytes.truncate(bytes.len() - 3001); // also cuts a frame in half
    let err = decode(bytes, Some("wav")).unwrap_err();
    match err {
        AudioError::Truncated { declared, decoded } => {
            assert_eq!(declared, 10_000);
            assert!((9000..10_000).contains(&decoded), "{decoded}");
        }
        other => panic!("expected Truncated, got {other:?}"),
    }
}

#[test]
fn garbage_after_a_valid_header_does_not_panic() {
    let mut bytes = wav_bytes(2, 2000);
    let n = bytes.len();
    for (i, b) in bytes[60..n].iter_mut().enumerate() {
        *b = (i * 131 % 251) as u8;
    }
    // Corrupt PCM is still PCM: what matters is an answer, not a crash.
    let _ = decode(bytes.clone(), Some("wav"));
    bytes[20] = 0x77; // an unknown WAV format tag
    assert!(decode(bytes, Some("wav")).is_err());
}

/// Level and frequency check for the lossy fixtures: ffmpeg's `sine` source at
/// volume 0.5, i.e. a 1 kHz tone of peak 1/16, 0.5 s at 44.1 kHz.
fn check_tone(info: &AudioInfo, planar: &[Vec<f32>]) {
    assert_eq!(info.rate, 44100);
    // Gapless trimming (LAME header, Ogg granule positions) gives the exact length.
    assert_eq!(planar[0].len(), 22050);
    let mid = &planar[0][4410..17640];
    let rms = libm::sqrt(mid.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / mid.len() as f64);
    let want = 1.0 / 16.0 / std::f64::consts::SQRT_2;
    assert!((20.0 * libm::log10(rms / want)).abs() < 0.5, "rms {rms}");
    let crossings = mid.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    assert!(
        (299..=301).contains(&crossings),
        "{crossings} cycles in 0.3 s"
    );
}

#[test]
fn mp3_fixture_decodes() {
    let bytes = include_bytes!("../../tests/fixtures/sine1k.mp3").to_vec();
    let (info, y) = decode(bytes, Some("mp3")).unwrap();
    assert_eq!(info.channels, 2);
    assert_eq!(info.codec, "mp3");
    check_tone(&info, &y);
}

#[test]
fn ogg_vorbis_fixture_decodes() {
    let bytes = include_bytes!("../../tests/fixtures/sine1k.ogg").to_vec();
    let (info, y) = decode(bytes, None).unwrap();
    assert_eq!(info.channels, 1);
    assert_eq!(info.codec, "vorbis");
    check_tone(&info, &y);
}

/// A float WAV holding NaN or infinity is refused at the frame it first happens
/// (it would otherwise silence or poison everything downstream).
#[test]
fn non_finite_float_samples_are_refused_with_their_frame() {
    for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 48000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut buf = Cursor::new(Vec::new());
        let mut w = hound::WavWriter::new(&mut buf, spec).unwrap();
        for frame in 0..10_000 {
            w.write_sample(0.25f32).unwrap();
            w.write_sample(if frame == 7_321 { bad } else { -0.25 })
                .unwrap();
        }
        w.finalize().unwrap();
        match decode(buf.into_inner(), Some("wav")) {
            Err(AudioError::NonFinite { frame }) => assert_eq!(frame, 7_321),
            other => panic!("{bad}: {:?}", other.map(|(i, _)| i)),
        }
    }
}
