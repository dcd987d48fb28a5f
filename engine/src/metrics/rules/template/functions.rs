//! The functions templates call: Prometheus's (`humanize…`, `query`,
//! `first`, `label`, `reReplaceAll`, …), Alertmanager's (`join`,
//! `toUpper`, …) and Go's builtins (`printf`, `len`, `eq`, `and`, …).

use super::super::gofmt::{self, Arg};
use super::{Data, QueryFn};

/// The functions a template may call; anything else fails to parse.
pub(super) const FUNCTIONS: &[&str] = &[
    "humanize",
    "humanize1024",
    "humanizePercentage",
    "humanizeDuration",
    "humanizeTimestamp",
    "parseDuration",
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "sortByLabel",
    "printf",
    "print",
    "title",
    "toUpper",
    "toLower",
    "len",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "join",
    "index",
    "reReplaceAll",
    "match",
    "stripPort",
    "safeHtml",
    "trimSpace",
];

fn one<'a>(args: &'a [Data], f: &str) -> Result<&'a Data, String> {
    match args {
        [a] => Ok(a),
        _ => Err(format!("wrong number of args for {f}: want 1 got {}", args.len())),
    }
}

/// Prometheus's `humanize`: SI prefixes, 4 significant digits.
pub fn humanize(v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    let mut v = v;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanize1024`: binary prefixes above 1.
pub fn humanize1024(v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanizeDuration`: seconds as `1d 2h 3m 4s`, or with an
/// SI prefix below a second.
pub fn humanize_duration(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    if v == 0.0 {
        return format!("{}s", gofmt::fmt_g(v, Some(4)));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        let d = v as i64;
        let (seconds, minutes, hours, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86_400);
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", gofmt::fmt_g(v, Some(4)))
        };
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanizeTimestamp`: Unix seconds as Go prints a UTC
/// time, `2026-01-01 09:00:00.5 +0000 UTC`.
pub fn humanize_timestamp(v: f64) -> String {
    if v.is_nan() || v.is_infinite() || v.abs() > 1e15 {
        return gofmt::fmt_g(v, Some(4));
    }
    let secs = v.floor();
    let nanos = ((v - secs) * 1e9).round() as i64;
    let (secs, nanos) = if nanos >= 1_000_000_000 { (secs as i64 + 1, 0) } else { (secs as i64, nanos) };
    let ts = crate::time::Time(secs.saturating_mul(1000)).to_k8s().0;
    let date = k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S", ts).unwrap_or_default();
    let frac = if nanos > 0 { format!(".{nanos:09}").trim_end_matches('0').to_string() } else { String::new() };
    format!("{date}{frac} +0000 UTC")
}

/// Go's `strings.Title`: the first letter of every word upper-cased.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_sep = true;
    for c in s.chars() {
        out.extend(if prev_sep { c.to_uppercase().collect::<Vec<_>>() } else { vec![c] });
        prev_sep = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    out
}

fn compare(a: &Data, b: &Data) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Data::Str(x), Data::Str(y)) => Ok(x.cmp(y)),
        (Data::Int(_) | Data::Float(_), Data::Int(_) | Data::Float(_)) => {
            a.float()?.partial_cmp(&b.float()?).ok_or_else(|| "NaN is not comparable".to_string())
        }
        (Data::Bool(x), Data::Bool(y)) => Ok(x.cmp(y)),
        _ => Err("incompatible types for comparison".to_string()),
    }
}

pub(super) fn call(f: &str, args: &[Data], query: Option<QueryFn<'_>>) -> Result<Data, String> {
    let text = |d: &Data| match d {
        Data::Str(s) => s.clone(),
        other => other.print(),
    };
    Ok(match f {
        "humanize" => Data::Str(humanize(one(args, f)?.float()?)),
        "humanize1024" => Data::Str(humanize1024(one(args, f)?.float()?)),
        "humanizePercentage" => Data::Str(format!("{}%", gofmt::fmt_g(one(args, f)?.float()? * 100.0, Some(4)))),
        "humanizeDuration" => Data::Str(humanize_duration(one(args, f)?.float()?)),
        "query" => match query {
            Some(q) => q(&text(one(args, f)?))?,
            None => return Err("query is not available here".into()),
        },
        "first" => match one(args, f)? {
            Data::List(l) => l.first().cloned().ok_or("first() called on vector with no elements")?,
            other => return Err(format!("first of type {}", other.type_name())),
        },
        "label" => {
            let [name, sample] = args else {
                return Err(format!("wrong number of args for label: want 2 got {}", args.len()));
            };
            sample.field("Labels")?.field(&text(name))?
        }
        "value" => one(args, f)?.field("Value")?,
        "strvalue" => one(args, f)?.field("Labels")?.field("__value__")?,
        "sortByLabel" => {
            let [name, list] = args else {
                return Err(format!("wrong number of args for sortByLabel: want 2 got {}", args.len()));
            };
            let Data::List(items) = list else {
                return Err(format!("sortByLabel of type {}", list.type_name()));
            };
            let key =
                |d: &Data| d.field("Labels").and_then(|l| l.field(&text(name))).map(|v| text(&v)).unwrap_or_default();
            let mut items = items.clone();
            items.sort_by_key(key);
            Data::List(items)
        }
        "humanizeTimestamp" => Data::Str(humanize_timestamp(one(args, f)?.float()?)),
        "parseDuration" => Data::Float(super::super::duration::parse(&text(one(args, f)?))? as f64 / 1000.0),
        "title" => Data::Str(title(&text(one(args, f)?))),
        "toUpper" => Data::Str(text(one(args, f)?).to_uppercase()),
        "toLower" => Data::Str(text(one(args, f)?).to_lowercase()),
        "trimSpace" => Data::Str(text(one(args, f)?).trim().to_string()),
        "safeHtml" => Data::Str(text(one(args, f)?)),
        "stripPort" => {
            let s = text(one(args, f)?);
            Data::Str(s.rsplit_once(':').map(|(h, _)| h.trim_matches(['[', ']']).to_string()).unwrap_or(s))
        }
        "printf" => {
            let Some((fmt, rest)) = args.split_first() else {
                return Err("wrong number of args for printf: want at least 1 got 0".into());
            };
            let rest: Vec<Arg> = rest.iter().map(Data::arg).collect();
            Data::Str(gofmt::sprintf(&text(fmt), &rest))
        }
        "print" => Data::Str(args.iter().map(Data::print).collect::<Vec<_>>().join("")),
        "len" => Data::Int(match one(args, f)? {
            Data::Str(s) => s.len(),
            Data::List(l) => l.len(),
            Data::Map(m) => m.len(),
            other => return Err(format!("len of type {}", other.type_name())),
        } as i64),
        "eq" => {
            let Some((first, rest)) = args.split_first() else {
                return Err("missing argument for comparison".into());
            };
            let mut any = false;
            for r in rest {
                any |= compare(first, r)? == std::cmp::Ordering::Equal;
            }
            Data::Bool(any)
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            let [a, b] = args else {
                return Err(format!("wrong number of args for {f}: want 2 got {}", args.len()));
            };
            let o = compare(a, b)?;
            Data::Bool(match f {
                "ne" => o.is_ne(),
                "lt" => o.is_lt(),
                "le" => o.is_le(),
                "gt" => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        "and" => args.iter().find(|a| !a.truthy()).or(args.last()).cloned().unwrap_or(Data::Nil),
        "or" => args.iter().find(|a| a.truthy()).or(args.last()).cloned().unwrap_or(Data::Nil),
        "not" => Data::Bool(!one(args, f)?.truthy()),
        "join" => {
            // Alertmanager's `join SEP LIST`, its argument order.
            let [sep, list] = args else {
                return Err(format!("wrong number of args for join: want 2 got {}", args.len()));
            };
            let Data::List(items) = list else {
                return Err(format!("join of type {}", list.type_name()));
            };
            Data::Str(items.iter().map(text).collect::<Vec<_>>().join(&text(sep)))
        }
        "index" => {
            let Some((mut v, keys)) = args.split_first().map(|(v, k)| (v.clone(), k)) else {
                return Err("wrong number of args for index: want at least 1 got 0".into());
            };
            for k in keys {
                v = match (&v, k) {
                    (Data::Map(m), key) => m.get(&text(key)).cloned().unwrap_or(Data::Str(String::new())),
                    (Data::List(l), Data::Int(i)) => l
                        .get(usize::try_from(*i).unwrap_or(usize::MAX))
                        .cloned()
                        .ok_or(format!("index out of range: {i}"))?,
                    _ => return Err(format!("can't index item of type {}", v.type_name())),
                };
            }
            v
        }
        "reReplaceAll" | "match" => {
            // Neither anchors its pattern; the replacement expands `$1` as
            // Go's regexp does.
            let re = regex::Regex::new(&text(args.first().ok_or("missing pattern")?)).map_err(|e| e.to_string())?;
            if f == "match" {
                Data::Bool(re.is_match(&text(args.get(1).ok_or("missing text")?)))
            } else {
                let repl = text(args.get(1).ok_or("missing replacement")?);
                Data::Str(re.replace_all(&text(args.get(2).ok_or("missing text")?), repl.as_str()).into_owned())
            }
        }
        _ => return Err(format!("function {f:?} not defined")),
    })
}
