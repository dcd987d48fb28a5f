//! Numbers as Grafana prints them for a unit id: its automatic decimals,
//! its scaled prefixes (1024 for IEC bytes, 1000 for SI and counts), its
//! time units and its fallback of an unknown unit as a plain suffix.

/// `value` in `unit` (`bytes`, `percent`, `s`, `short`, `reqps`, …) with
/// `decimals` fixed or chosen as Grafana chooses them.
pub fn format(unit: &str, value: f64, decimals: Option<u32>) -> String {
    let (prefix, text, suffix) = parts(unit, value, decimals);
    format!("{prefix}{text}{suffix}")
}

type Parts = (String, String, String);

fn plain(text: String, suffix: &str) -> Parts {
    (String::new(), text, suffix.to_string())
}

fn parts(unit: &str, v: f64, d: Option<u32>) -> Parts {
    const IEC: [&str; 9] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];
    match unit {
        "" | "none" => plain(to_fixed(v, d), ""),
        "short" => scaled(v, d, 1000.0, &["", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept"], 0),
        "percent" => plain(to_fixed(v, d), "%"),
        "percentunit" => plain(to_fixed(100.0 * v, d), "%"),
        "bytes" => binary(v, d, "B", &IEC, 0),
        "kbytes" => binary(v, d, "B", &IEC, 1),
        "mbytes" => binary(v, d, "B", &IEC, 2),
        "gbytes" => binary(v, d, "B", &IEC, 3),
        "bits" => binary(v, d, "b", &IEC, 0),
        "binBps" => binary(v, d, "B/s", &IEC, 0),
        "binbps" => binary(v, d, "b/s", &IEC, 0),
        "decbytes" => si(v, d, "B", 0),
        "deckbytes" => si(v, d, "B", 1),
        "decmbytes" => si(v, d, "B", 2),
        "decgbytes" => si(v, d, "B", 3),
        "decbits" => si(v, d, "b", 0),
        "Bps" => si(v, d, "B/s", 0),
        "KBs" => si(v, d, "B/s", 1),
        "bps" => si(v, d, "b/s", 0),
        "pps" => si(v, d, "p/s", 0),
        "hertz" => si(v, d, "Hz", 0),
        "reqps" => count(v, d, "req/s"),
        "rps" => count(v, d, "rd/s"),
        "wps" => count(v, d, "wr/s"),
        "iops" => count(v, d, "io/s"),
        "ops" => count(v, d, "ops/s"),
        "cps" => count(v, d, "c/s"),
        "s" => seconds(v, d),
        "ms" => millis(v, d),
        "dtdurations" | "dtdurationms" => seconds(if unit == "dtdurationms" { v / 1000.0 } else { v }, d),
        _ => {
            if let Some(p) = unit.strip_prefix("prefix:") {
                (p.to_string(), to_fixed(v, d), String::new())
            } else if let Some(s) = unit.strip_prefix("suffix:") {
                plain(to_fixed(v, d), &format!(" {s}"))
            } else {
                // Grafana shows an id it does not know as a suffix.
                plain(to_fixed(v, d), &format!(" {unit}"))
            }
        }
    }
}

/// Grafana's `scaledUnits`: the power of `factor` below the value picks the
/// suffix, clamped to the list.
fn scaled(v: f64, d: Option<u32>, factor: f64, suffixes: &[&str], offset: i32) -> Parts {
    if !v.is_finite() {
        return plain(js_locale(v), "");
    }
    let index = if v == 0.0 { 0 } else { (v.abs().log10() / factor.log10()).floor() as i32 };
    let last = suffixes.len() as i32 - 1;
    let suffix = suffixes[(offset + index).clamp(0, last) as usize];
    let power = index.clamp(-offset, last - offset);
    plain(to_fixed(v / factor.powi(power), d), suffix)
}

fn binary(v: f64, d: Option<u32>, unit: &str, prefixes: &[&str], offset: usize) -> Parts {
    let units: Vec<String> = prefixes[offset.min(prefixes.len() - 1)..].iter().map(|p| format!(" {p}{unit}")).collect();
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    scaled(v, d, 1024.0, &refs, 0)
}

fn si(v: f64, d: Option<u32>, unit: &str, offset: i32) -> Parts {
    const SI: [&str; 14] = ["f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y"];
    let units: Vec<String> = SI.iter().map(|p| format!(" {p}{unit}")).collect();
    let refs: Vec<&str> = units.iter().map(String::as_str).collect();
    scaled(v, d, 1000.0, &refs, 5 + offset)
}

/// Grafana's `simpleCountUnit`: `1.5K req/s`.
fn count(v: f64, d: Option<u32>, symbol: &str) -> Parts {
    let (p, text, suffix) = scaled(v, d, 1000.0, &["", "K", "M", "B", "T"], 0);
    (p, text, format!("{suffix} {symbol}"))
}

/// `toFixedScaled`, which makes the longer time words plural above one.
fn fixed_scaled(v: f64, d: Option<u32>, ext: &str) -> Parts {
    let plural = v.abs() > 1.0 && matches!(ext, " min" | " hour" | " day" | " week" | " year");
    plain(to_fixed(v, d), &if plural { format!("{ext}s") } else { ext.to_string() })
}

fn seconds(v: f64, d: Option<u32>) -> Parts {
    let a = v.abs();
    if v == 0.0 {
        plain("0".into(), " s")
    } else if a < 1e-6 {
        fixed_scaled(v * 1e9, d, " ns")
    } else if a < 1e-3 {
        fixed_scaled(v * 1e6, d, " µs")
    } else if a < 1.0 {
        fixed_scaled(v * 1e3, d, " ms")
    } else if a < 60.0 {
        plain(to_fixed(v, d), " s")
    } else if a < 3600.0 {
        fixed_scaled(v / 60.0, d, " min")
    } else if a < 86400.0 {
        fixed_scaled(v / 3600.0, d, " hour")
    } else if a < 604800.0 {
        fixed_scaled(v / 86400.0, d, " day")
    } else if a < 31536000.0 {
        fixed_scaled(v / 604800.0, d, " week")
    } else {
        fixed_scaled(v / 3.15569e7, d, " year")
    }
}

fn millis(v: f64, d: Option<u32>) -> Parts {
    let a = v.abs();
    if a < 1000.0 {
        plain(to_fixed(v, d), " ms")
    } else if a < 60000.0 {
        fixed_scaled(v / 1000.0, d, " s")
    } else if a < 3600000.0 {
        fixed_scaled(v / 60000.0, d, " min")
    } else if a < 86400000.0 {
        fixed_scaled(v / 3600000.0, d, " hour")
    } else if a < 31536000000.0 {
        fixed_scaled(v / 86400000.0, d, " day")
    } else {
        fixed_scaled(v / 31536000000.0, d, " year")
    }
}

/// How many decimals Grafana shows when none are set: two significant
/// digits, three when the leading ones are above 2.25, none for integers.
pub fn auto_decimals(v: f64) -> u32 {
    if !v.is_finite() || v == 0.0 || v % 1.0 == 0.0 {
        return 0;
    }
    let a = v.abs();
    let log10 = a.log10().floor() as i32;
    let mut dec = -log10 + 1;
    let norm = a / 10f64.powi(-dec);
    if norm > 2.25 {
        dec += 1;
    }
    dec.max(0) as u32
}

/// Grafana's `toFixed`: rounded half up at `decimals`, written as
/// JavaScript writes the rounded number, then padded with zeros.
pub fn to_fixed(v: f64, decimals: Option<u32>) -> String {
    if !v.is_finite() {
        return js_locale(v);
    }
    let d = decimals.unwrap_or_else(|| auto_decimals(v)).min(20);
    if v == 0.0 {
        return format!("{:.*}", d as usize, 0.0);
    }
    let factor = if d == 0 { 1.0 } else { 10f64.powi(d as i32) };
    let rounded = (v * factor + 0.5).floor() / factor;
    let text = js_string(rounded);
    if text.contains('e') {
        return text;
    }
    let precision = text.find('.').map_or(0, |p| text.len() - p - 1) as u32;
    if precision < d {
        let dot = if precision == 0 { "." } else { "" };
        return format!("{text}{dot}{}", "0".repeat((d - precision) as usize));
    }
    text
}

/// JavaScript's `String(number)`: the shortest exact digits, in exponent
/// form from 1e21 and below 1e-6.
fn js_string(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format!("{v:e}");
        // Rust writes `1.5e-7` / `1e21`; JavaScript adds the sign: `1e+21`.
        return match s.split_once('e') {
            Some((m, e)) if !e.starts_with('-') => format!("{m}e+{e}"),
            _ => s,
        };
    }
    let s = format!("{v}");
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

fn js_locale(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v > 0.0 {
        "∞".into()
    } else {
        "-∞".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grafana_unit_table() {
        // (unit, value, decimals, what Grafana shows)
        let cases: &[(&str, f64, Option<u32>, &str)] = &[
            ("bytes", 1572864.0, Some(2), "1.50 MiB"),
            ("bytes", 1572864.0, None, "1.50 MiB"),
            ("bytes", 512.0, None, "512 B"),
            ("bytes", 0.0, None, "0 B"),
            ("bytes", 3.5 * 1024.0 * 1024.0 * 1024.0, None, "3.50 GiB"),
            ("decbytes", 1500.0, None, "1.50 kB"),
            ("Bps", 2_000_000.0, None, "2 MB/s"),
            ("bps", 0.0, None, "0 b/s"),
            ("percent", 42.123, None, "42.1%"),
            ("percent", 99.0, Some(1), "99.0%"),
            ("percentunit", 0.4567, None, "45.7%"),
            ("percentunit", 1.0, None, "100%"),
            ("s", 1.5, Some(2), "1.50 s"),
            ("s", 0.25, None, "250 ms"),
            ("s", 0.0, None, "0 s"),
            ("s", 90.0, None, "1.50 mins"),
            ("s", 7200.0, None, "2 hours"),
            ("s", 0.0000005, None, "500 ns"),
            ("ms", 12.0, None, "12 ms"),
            ("ms", 1500.0, None, "1.50 s"),
            ("short", 1500.0, Some(2), "1.50 K"),
            ("short", 1500.0, None, "1.50 K"),
            ("short", 1200.0, None, "1.20 K"),
            ("short", 1200.0, Some(1), "1.2 K"),
            ("short", 3.0, None, "3"),
            ("short", 0.123, None, "0.123"),
            ("short", 2_500_000.0, None, "2.50 Mil"),
            ("short", -4000.0, None, "-4 K"),
            ("reqps", 1500.0, None, "1.50K req/s"),
            ("reqps", 12.0, None, "12 req/s"),
            ("none", 0.3333333, None, "0.333"),
            ("none", 7.0, Some(2), "7.00"),
            ("cores", 0.25, None, "0.250 cores"),
            ("suffix:pods", 3.0, None, "3 pods"),
            ("prefix:$", 3.0, None, "$3"),
            ("bytes", f64::NAN, None, "NaN"),
        ];
        for (unit, v, d, want) in cases {
            assert_eq!(&format(unit, *v, *d), want, "{unit} {v} {d:?}");
        }
    }

    #[test]
    fn automatic_decimals_follow_grafana() {
        for (v, want) in [(1.5, 2), (2.5, 2), (0.05, 4), (0.025, 4), (12.0, 0), (123.456, 0), (1.0e-3, 5)] {
            assert_eq!(auto_decimals(v), want, "{v}");
        }
        // 1.005 × 100 is 100.4999… in binary, so JavaScript rounds it down too.
        assert_eq!(to_fixed(1.005, Some(2)), "1.00");
        assert_eq!(to_fixed(1e22, None), "1e+22");
    }
}
