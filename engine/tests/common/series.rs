//! The series notation Prometheus's test files share (`promqltest`'s
//! `load` blocks and `promtool test rules`' `input_series`): durations,
//! numbers, `1+2x3 _ stale` value lists and `name{a="b"}` descriptions.

use engine::promql::{self, Labels, METRIC_NAME};

/// A duration (`5m`, `1h30m`, `10s53ms`) or plain seconds, in ms.
pub fn duration(s: &str) -> Option<i64> {
    if let Ok(secs) = s.parse::<f64>() {
        return Some((secs * 1000.0).round() as i64);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let mut total = 0i64;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_alphabetic()).len();
        let unit = match &rest[..unit_len] {
            "ms" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            "w" => 7 * 86_400_000,
            "y" => 365 * 86_400_000,
            _ => return None,
        };
        total += n * unit;
        rest = &rest[unit_len..];
    }
    Some(if neg { -total } else { total })
}

/// A number as the test files write one.
pub fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return i64::from_str_radix(h, 16).ok().map(|v| v as f64);
    }
    s.parse().ok()
}

/// The series notation: `1 2 _ stale 1+2x3 5x2 _x4`. `None` is a gap;
/// the staleness marker is a value.
pub fn expand(s: &str) -> Option<Vec<Option<f64>>> {
    let mut out = Vec::new();
    for tok in s.split_whitespace() {
        if tok == "_" {
            out.push(None);
        } else if let Some(n) = tok.strip_prefix("_x") {
            out.extend(std::iter::repeat_n(None, n.parse().ok()?));
        } else if tok == "stale" {
            out.push(Some(promql::stale_marker()));
        } else if let Some((base, times)) = tok.rsplit_once('x') {
            let times: usize = times.parse().ok()?;
            let (start, inc) = split_increment(base)?;
            for k in 0..=times {
                out.push(Some(start + inc * k as f64));
            }
        } else {
            out.push(Some(number(tok)?));
        }
    }
    Some(out)
}

/// `a+b` or `a-b` (an increment), or just `a`.
pub fn split_increment(s: &str) -> Option<(f64, f64)> {
    let bytes = s.as_bytes();
    for k in (1..bytes.len()).rev() {
        let c = bytes[k];
        if (c == b'+' || c == b'-') && !matches!(bytes[k - 1], b'e' | b'E') {
            let start = number(&s[..k])?;
            let inc = number(&s[k + 1..])?;
            return Some((start, if c == b'-' { -inc } else { inc }));
        }
    }
    Some((number(s)?, 0.0))
}

/// `name{a="b", …} rest`, `{__name__="x"} rest` or `name rest`.
pub fn series_desc(line: &str) -> Option<(Labels, &str)> {
    let mut labels = Labels::new();
    let brace = line.find('{');
    let space = line.find(char::is_whitespace).unwrap_or(line.len());
    if brace.is_none_or(|b| b > space) {
        let name = &line[..space];
        if !name.is_empty() {
            labels.insert(METRIC_NAME.into(), name.to_string());
        }
        return Some((labels, &line[space..]));
    }
    let b = brace?;
    let name = &line[..b];
    if !name.is_empty() {
        labels.insert(METRIC_NAME.into(), name.to_string());
    }
    let mut chars = line[b + 1..].char_indices().peekable();
    let end;
    let mut pending_name: Option<String> = None;
    loop {
        let (pos, c) = chars.next()?;
        match c {
            '}' => {
                end = Some(b + 1 + pos + 1);
                break;
            }
            ',' | ' ' | '\t' | '=' => {}
            '"' | '\'' | '`' => {
                let s = quoted(c, &mut chars)?;
                match pending_name.take() {
                    Some(n) => {
                        if !s.is_empty() {
                            labels.insert(n, s);
                        }
                    }
                    None => {
                        // A quoted string on its own is either a name
                        // (before `=`) or the metric name.
                        if chars.peek().is_some_and(|(_, c)| *c == '=') {
                            pending_name = Some(s);
                        } else {
                            labels.insert(METRIC_NAME.into(), s);
                        }
                    }
                }
            }
            c if c.is_alphanumeric() || c == '_' || c == '.' || c == ':' => {
                let mut n = c.to_string();
                while let Some((_, c)) = chars.peek().copied() {
                    if c.is_alphanumeric() || c == '_' || c == '.' || c == ':' {
                        n.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                pending_name = Some(n);
            }
            _ => return None,
        }
    }
    Some((labels, &line[end?..]))
}

/// A Go-quoted string's value, after its opening quote.
fn quoted(q: char, chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Option<String> {
    let mut s = String::new();
    loop {
        let (_, c) = chars.next()?;
        if c == q {
            return Some(s);
        }
        if c == '\\' && q != '`' {
            let (_, e) = chars.next()?;
            s.push(match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                other => other,
            });
        } else {
            s.push(c);
        }
    }
}
