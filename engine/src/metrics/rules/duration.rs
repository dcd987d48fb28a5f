//! Durations as Prometheus writes them in configuration (`model.Duration`):
//! `1h30m`, `15s`, `0`; units from largest to smallest, each at most once.

/// The units in the order they must appear, with their length in ms.
const UNITS: [(&str, i64); 7] = [
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

/// Reads a duration into ms, with Prometheus's error wording.
pub fn parse(s: &str) -> Result<i64, String> {
    let bad = || format!("not a valid duration string: {s:?}");
    if s.is_empty() {
        return Err("empty duration string".to_string());
    }
    if s == "0" {
        return Ok(0);
    }
    let mut total: i64 = 0;
    let mut rest = s;
    // The next unit allowed: each may appear once, largest first.
    let mut next_unit = 0;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let letters = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
        let unit = &rest[..letters];
        rest = &rest[letters..];
        let Some(k) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(bad());
        };
        if k < next_unit {
            return Err(bad());
        }
        next_unit = k + 1;
        total = n.checked_mul(UNITS[k].1).and_then(|v| total.checked_add(v)).ok_or_else(bad)?;
    }
    Ok(total)
}

/// A duration as Prometheus prints one: `1h30m`, `5m`, `0s`.
pub fn format(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut rest = ms;
    for (unit, len) in UNITS {
        // Prometheus folds years and weeks into days only when they are
        // whole, which the order below reproduces.
        if rest >= len {
            out.push_str(&format!("{}{unit}", rest / len));
            rest %= len;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_prometheus_durations() {
        for (text, ms) in [
            ("1m", 60_000),
            ("1h30m", 5_400_000),
            ("15s", 15_000),
            ("0", 0),
            ("0s", 0),
            ("1d", 86_400_000),
            ("500ms", 500),
        ] {
            assert_eq!(parse(text), Ok(ms), "{text}");
        }
        assert_eq!(format(5_400_000), "1h30m");
        assert_eq!(format(0), "0s");
        assert_eq!(format(86_400_000), "1d");
        assert_eq!(format(1_500), "1s500ms");
        for bad in ["5x", "-1m", "1m1h", "1.5m", "m", "1mm"] {
            assert_eq!(parse(bad), Err(format!("not a valid duration string: {bad:?}")), "{bad}");
        }
        assert_eq!(parse(""), Err("empty duration string".to_string()));
    }
}
