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

/// A quantity kept with its notation, so sums print as Kubernetes prints
/// them (`600Mi`, `1500m`, `2`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    /// Thousandths of the unit.
    pub milli: i128,
    /// Written with a binary suffix (Ki, Mi, Gi …).
    pub binary: bool,
}

impl Amount {
    /// Parses a quantity string.
    pub fn parse(text: &str) -> Option<Amount> {
        Some(Amount { milli: parse_milli(text)?, binary: text.trim().ends_with('i') })
    }

    /// The sum, in the first operand's notation (as Quantity.Add keeps it).
    pub fn plus(self, other: Amount) -> Amount {
        let binary = if self.milli == 0 { other.binary } else { self.binary };
        Amount { milli: self.milli + other.milli, binary }
    }
}

impl std::fmt::Display for Amount {
    /// The canonical form: the largest suffix that keeps the number whole.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let m = self.milli;
        if m % 1000 != 0 {
            return write!(f, "{m}m");
        }
        let units = m / 1000;
        if self.binary && (units <= -1024 || units >= 1024) {
            for (suffix, scale) in [
                ("Ei", 1i128 << 60),
                ("Pi", 1 << 50),
                ("Ti", 1 << 40),
                ("Gi", 1 << 30),
                ("Mi", 1 << 20),
                ("Ki", 1 << 10),
            ] {
                if units % scale == 0 {
                    return write!(f, "{}{suffix}", units / scale);
                }
            }
        }
        for (suffix, scale) in [
            ("E", 10i128.pow(18)),
            ("P", 10i128.pow(15)),
            ("T", 10i128.pow(12)),
            ("G", 10i128.pow(9)),
            ("M", 10i128.pow(6)),
            ("k", 1000),
        ] {
            if units != 0 && units % scale == 0 {
                return write!(f, "{}{suffix}", units / scale);
            }
        }
        write!(f, "{units}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_canonically() {
        let cases = [
            ("600Mi", "600Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("500m", "500m"),
            ("1.5", "1500m"),
            ("2", "2"),
            ("2000m", "2"),
            ("1000", "1k"),
            ("0", "0"),
            ("100Ki", "100Ki"),
        ];
        for (text, want) in cases {
            assert_eq!(Amount::parse(text).map(|a| a.to_string()).as_deref(), Some(want), "{text}");
        }
        let sum = Amount::parse("600Mi").unwrap_or_default().plus(Amount::parse("100Mi").unwrap_or_default());
        assert_eq!(sum.to_string(), "700Mi");
    }

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
