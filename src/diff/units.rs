//! Canonical IR numbers written back in the units a user writes.

use crate::dsp::param::UnitKind;
use crate::ir::ParamValue;

/// A number without trailing zeros.
pub fn num(v: f64) -> String {
    crate::compile::values::fmt_num(v)
}

/// A gain with its sign, as people write changes: `+2dB`, `-3dB`, `0dB`, `-inf dB`.
pub fn db(v: f64) -> String {
    if v == f64::NEG_INFINITY {
        "-inf dB".into()
    } else if v > 0.0 {
        format!("+{}dB", num(v))
    } else {
        format!("{}dB", num(v))
    }
}

pub fn hz(v: f64) -> String {
    if v >= 1000.0 {
        format!("{}kHz", num(v / 1000.0))
    } else {
        format!("{}Hz", num(v))
    }
}

pub fn seconds(v: f64) -> String {
    if v < 1.0 {
        format!("{}ms", num(v * 1000.0))
    } else {
        format!("{}s", num(v))
    }
}

pub fn percent(v: f64) -> String {
    format!("{}%", num(v * 100.0))
}

/// A parameter value in the unit its kind is written in.
pub fn param(kind: Option<UnitKind>, v: &ParamValue) -> String {
    let x = match v {
        ParamValue::Text(t) => return t.clone(),
        ParamValue::Number(x) => *x,
    };
    match kind {
        Some(UnitKind::Level) => db(x),
        Some(UnitKind::TruePeak) => format!("{}dBTP", num(x)),
        Some(UnitKind::Frequency) => hz(x),
        Some(UnitKind::Time | UnitKind::TimeOrNote) => seconds(x),
        Some(UnitKind::Percent) => percent(x),
        Some(UnitKind::Slope) => format!("{}dB/oct", num(x)),
        _ => num(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_written() {
        assert_eq!(db(2.0), "+2dB");
        assert_eq!(db(-18.0), "-18dB");
        assert_eq!(hz(3000.0), "3kHz");
        assert_eq!(hz(2500.0), "2.5kHz");
        assert_eq!(seconds(0.005), "5ms");
        assert_eq!(percent(0.4), "40%");
    }
}
