//! Kubernetes resource quantities (`100m`, `1.5`, `128Mi`, `2G`, `1e3`) as
//! integers: CPU in millicores, everything else in units (bytes, pods).

/// Parses a quantity into thousandths of its unit (so `100m` → 100 and
/// `128Mi` → 134217728000). `None` when it does not match the API's syntax.
pub fn parse_milli(text: &str) -> Option<i128> {
    let text = text.trim();
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-')).unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    if number.is_empty() || number == "+" || number == "-" {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor: f64 = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => 10f64.powi(s[1..].parse().ok()?),
        _ => return None,
    };
    let milli = value * factor * 1000.0;
    milli.is_finite().then(|| milli.ceil() as i128)
}

/// CPU in millicores (rounded up, as the API server rounds sub-milli values).
pub fn cpu_millis(text: &str) -> Option<i64> {
    parse_milli(text).map(|m| m as i64)
}

/// A byte count (or any whole-unit quantity).
pub fn units(text: &str) -> Option<i64> {
    parse_milli(text).map(|m| ((m + 999) / 1000) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities() {
        let cases: &[(&str, Option<i128>)] = &[
            ("100m", Some(100)),
            ("1", Some(1000)),
            ("1.5", Some(1500)),
            ("0.1", Some(100)),
            ("128Mi", Some(134_217_728_000)),
            ("1G", Some(1_000_000_000_000)),
            ("1e3", Some(1_000_000)),
            ("abc", None),
            ("", None),
            ("1Xi", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_milli(text), *want, "{text}");
        }
        assert_eq!(cpu_millis("250m"), Some(250));
        assert_eq!(units("4Gi"), Some(4 * 1024 * 1024 * 1024));
    }
}
