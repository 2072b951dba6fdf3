//! Times as people read them: `m:ss.mmm`, for lengths the CLI prints, the report
//! and diagnostics that name a moment of the song.

/// `secs` as `m:ss.mmm`, rounded to the millisecond (so 59.9996 s is `1:00.000`,
/// never `0:60.000`).
pub fn clock(secs: f64) -> String {
    let ms = (secs.max(0.0) * 1000.0).round() as u64;
    format!("{}:{:02}.{:03}", ms / 60_000, ms / 1000 % 60, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn minutes_seconds_and_milliseconds() {
        assert_eq!(clock(0.0), "0:00.000");
        assert_eq!(clock(83.25), "1:23.250");
        assert_eq!(clock(59.9996), "1:00.000");
        assert_eq!(clock(3600.5), "60:00.500");
    }
}
