//! `promtool query instant` and `promtool query range` as promtool 2.42
//! runs them: kingpin's argument parsing and error words, promtool's time
//! and step defaults, and its output (the Go client's `String()` of the
//! result, or `-o json`). The server is asked through the same code the
//! HTTP API uses ([`super::api`]), so what promtool prints and what `curl`
//! shows always agree.
//!
//! Pure: the caller resolves the server URL to a store (or to the dial
//! error the real client would meet) and says what time it is.

use super::api;
use super::promql::{format_labels, format_number, Labels, Storage, Value};

/// What a run printed and how it ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// Exit status: 0, or 1 for every failure (promtool uses no other).
    pub code: i32,
}

impl Output {
    fn fail(stderr: String) -> Self {
        Output { stdout: String::new(), stderr, code: 1 }
    }

    /// kingpin's parse errors.
    fn usage(msg: &str) -> Self {
        Self::fail(format!("promtool: error: {msg}, try --help\n"))
    }
}

/// Runs `promtool ARGS` (the words after `promtool`). `server` is given the
/// server URL with its scheme (`http://prometheus:9090`) and returns the
/// store behind it, or the dial error the Go client would report (`dial
/// tcp: lookup prometheus on 10.96.0.10:53: no such host`). `now_ms` is
/// what promtool's `time.Now()` would be.
pub fn run<'a>(args: &[String], server: impl FnOnce(&str) -> Result<&'a Storage, String>, now_ms: i64) -> Output {
    let cmd = match parse(args) {
        Ok(c) => c,
        Err(out) => return out,
    };
    let url = match server_url(&cmd.server) {
        Ok(u) => u,
        Err(e) => return Output::usage(&format!("invalid URL: {e}")),
    };
    // What the client does before it connects: times are parsed and
    // checked first, so a bad time fails even with no server.
    let request = match cmd.kind {
        Kind::Instant => {
            let time = match &cmd.time {
                None => now_ms,
                Some(t) => match parse_time(t) {
                    Ok(t) => t,
                    Err(e) => return Output::fail(format!("error parsing evaluation time: {e}\n")),
                },
            };
            Request::Instant(time)
        }
        Kind::Range => {
            let end = match &cmd.end {
                None => now_ms,
                Some(t) => match parse_time(t) {
                    Ok(t) => t,
                    Err(e) => return Output::fail(format!("error parsing end time: {e}\n")),
                },
            };
            let start = match &cmd.start {
                None => end - 5 * 60_000,
                Some(t) => match parse_time(t) {
                    Ok(t) => t,
                    Err(e) => return Output::fail(format!("error parsing start time: {e}\n")),
                },
            };
            if start >= end {
                return Output::fail("start time is not before end time\n".into());
            }
            // No step: one point per 250th of the range, whole seconds, at
            // least one.
            let step = match cmd.step {
                Some(s) if s != 0 => s,
                _ => ((end - start) / 250_000).max(1) * 1000,
            };
            Request::Range(start, end, step)
        }
    };
    let endpoint = match request {
        Request::Instant(_) => "query",
        Request::Range(..) => "query_range",
    };
    let post = match &url {
        Url::Opaque { text, scheme } => {
            return Output::fail(format!("query error: Post \"{text}\": unsupported protocol scheme \"{scheme}\"\n"))
        }
        Url::Hierarchical { base, scheme } => {
            let post = format!("{}/api/v1/{endpoint}", base.trim_end_matches('/'));
            if scheme != "http" && scheme != "https" {
                return Output::fail(format!(
                    "query error: Post \"{post}\": unsupported protocol scheme \"{scheme}\"\n"
                ));
            }
            post
        }
    };
    let base = match &url {
        Url::Hierarchical { base, .. } => base.clone(),
        Url::Opaque { text, .. } => text.clone(),
    };
    let storage = match server(&base) {
        Ok(s) => s,
        Err(e) => return Output::fail(format!("query error: Post \"{post}\": {e}\n")),
    };
    let value = match request {
        Request::Instant(t) => answer(api::query(storage, &cmd.expr, t), &cmd.expr, storage, t),
        Request::Range(start, end, step) => {
            let r = api::query_range(storage, &cmd.expr, start, end, step);
            if r.status != 200 {
                Err(api_error(&r.body))
            } else {
                super::promql::range(storage, &cmd.expr, start, end, step)
                    .map(Value::Matrix)
                    .map_err(|e| format!("execution: {e}"))
            }
        }
    };
    match value {
        Err(e) => Output::fail(format!("query error: {e}\n")),
        Ok(v) => Output { stdout: format!("{}\n", if cmd.json { json(&v) } else { text(&v) }), ..Output::default() },
    }
}

enum Request {
    Instant(i64),
    Range(i64, i64, i64),
}

/// An instant query's value, or the error text the Go client makes of the
/// API's answer.
fn answer(r: api::Response, expr: &str, storage: &Storage, t: i64) -> Result<Value, String> {
    if r.status != 200 {
        return Err(api_error(&r.body));
    }
    match super::promql::instant(storage, expr, t) {
        // The 2.42 client cannot decode a string result: its decoder
        // reports where it stopped, ten and fifty bytes of context back.
        Ok(v @ Value::String { .. }) => {
            let data = api::value_json(&v);
            let bytes = data.as_bytes();
            let tail = |n: usize| String::from_utf8_lossy(&bytes[bytes.len().saturating_sub(n)..]).into_owned();
            Err(format!(
                "unmarshalerDecoder: unexpected value type \"string\", error found in #{} byte of ...|{}|..., bigger context ...|{}|...",
                bytes.len().min(10),
                tail(10),
                tail(50)
            ))
        }
        Ok(v) => Ok(v),
        Err(e) => Err(format!("execution: {e}")),
    }
}

/// `errorType: error` from an API error body, as the Go client words it.
fn api_error(body: &str) -> String {
    let parsed: Result<serde_json::Value, _> = serde_json::from_str(body);
    match parsed {
        Ok(v) => format!(
            "{}: {}",
            v.get("errorType").and_then(|t| t.as_str()).unwrap_or("server_error"),
            v.get("error").and_then(|t| t.as_str()).unwrap_or_default()
        ),
        Err(_) => body.to_string(),
    }
}

/// The Go client's `String()` of a result: `name{a="b"} => v @[t]` lines,
/// a matrix as each series' name line then `v @[t]` lines, times in
/// seconds as short as they can be.
fn text(v: &Value) -> String {
    let metric = |l: &Labels| {
        let s = format_labels(l);
        if s.is_empty() {
            "{}".to_string()
        } else {
            s
        }
    };
    match v {
        Value::Scalar { t, v } => format!("scalar: {} @[{}]", format_number(*v), seconds(*t)),
        Value::String { t, s } => format!("{s} @[{}]", seconds(*t)),
        Value::Vector(samples) => samples
            .iter()
            .map(|s| format!("{} => {} @[{}]", metric(&s.labels), format_number(s.v), seconds(s.t)))
            .collect::<Vec<_>>()
            .join("\n"),
        Value::Matrix(m) => m
            .iter()
            .map(|s| {
                let mut lines = vec![format!("{} =>", metric(&s.labels))];
                lines.extend(s.points.iter().map(|(t, v)| format!("{} @[{}]", format_number(*v), seconds(*t))));
                lines.join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// `-o json`: the Go client's model encoded by `encoding/json`, where
/// times are seconds and values strings, both in their shortest plain form.
fn json(v: &Value) -> String {
    let pair = |t: i64, v: f64| format!("[{},{}]", seconds(t), api::json_string(&format_number(v)));
    match v {
        Value::Scalar { t, v } => pair(*t, *v),
        Value::String { t, s } => format!("[{},{}]", seconds(*t), api::json_string(s)),
        Value::Vector(samples) => {
            let items: Vec<String> = samples
                .iter()
                .map(|s| format!("{{\"metric\":{},\"value\":{}}}", api::labels_json(&s.labels), pair(s.t, s.v)))
                .collect();
            format!("[{}]", items.join(","))
        }
        Value::Matrix(m) => {
            let items: Vec<String> = m
                .iter()
                .map(|s| {
                    let points: Vec<String> = s.points.iter().map(|(t, v)| pair(*t, *v)).collect();
                    format!("{{\"metric\":{},\"values\":[{}]}}", api::labels_json(&s.labels), points.join(","))
                })
                .collect();
            format!("[{}]", items.join(","))
        }
    }
}

/// `model.Time`'s text: seconds, the fraction only when there is one.
fn seconds(ms: i64) -> String {
    format_number(ms as f64 / 1000.0)
}

/// promtool's `--time`, `--start` and `--end`: Unix seconds or RFC 3339.
/// The client sends the time on as seconds and the server keeps whole
/// milliseconds, so both forms end up rounded to the millisecond.
fn parse_time(text: &str) -> Result<i64, String> {
    api::unix_seconds(text)
        .or_else(|| api::rfc3339_nanos(text).map(|ns| (ns as f64 / 1e6).round() as i64))
        .ok_or_else(|| format!("cannot parse {text:?} to a valid timestamp"))
}

enum Url {
    /// `scheme://host/path…`: the API path is appended to it.
    Hierarchical { base: String, scheme: String },
    /// `name:rest` with no `//` (Go reads `prometheus:9090` as the scheme
    /// `prometheus`): the client posts to it as it is.
    Opaque { text: String, scheme: String },
}

/// The server argument as Go's `url.Parse` and promtool read it: a missing
/// scheme becomes `http`; a first segment with a colon that cannot be a
/// scheme is an error.
fn server_url(raw: &str) -> Result<Url, String> {
    let scheme_end = raw.find(':').filter(|&i| {
        let s = &raw[..i];
        !s.is_empty()
            && s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    match scheme_end {
        Some(i) => {
            let scheme = raw[..i].to_ascii_lowercase();
            if raw[i + 1..].starts_with("//") {
                Ok(Url::Hierarchical { base: raw.to_string(), scheme })
            } else {
                Ok(Url::Opaque { text: raw.to_string(), scheme })
            }
        }
        None => {
            let first = raw.split('/').next().unwrap_or_default();
            if first.contains(':') {
                return Err(format!("parse {raw:?}: first path segment in URL cannot contain colon"));
            }
            if raw.contains(' ') {
                let escaped = format!("http://{}", raw.replace(' ', "%20"));
                return Err(format!("parse {escaped:?}: invalid URL escape \"%20\""));
            }
            Ok(Url::Hierarchical { base: format!("http://{}", raw.trim_start_matches('/')), scheme: "http".into() })
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Instant,
    Range,
}

struct Command {
    kind: Kind,
    server: String,
    expr: String,
    json: bool,
    time: Option<String>,
    start: Option<String>,
    end: Option<String>,
    step: Option<i64>,
}

/// kingpin's reading of the words: flags anywhere after the command that
/// defines them, `--` ends the flags, positionals in order.
fn parse(args: &[String]) -> Result<Command, Output> {
    let mut path: Vec<&str> = Vec::new();
    let mut positionals: Vec<&str> = Vec::new();
    let mut cmd = Command {
        kind: Kind::Instant,
        server: String::new(),
        expr: String::new(),
        json: false,
        time: None,
        start: None,
        end: None,
        step: None,
    };
    let mut flags_done = false;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_str();
        i += 1;
        if !flags_done && arg == "--" {
            flags_done = true;
            continue;
        }
        if !flags_done && arg.starts_with('-') && arg.len() > 1 {
            let (name, inline) = if let Some(long) = arg.strip_prefix("--") {
                match long.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (long.to_string(), None),
                }
            } else {
                let short = &arg[1..];
                let c = short.chars().next().unwrap_or('-');
                let rest = &short[c.len_utf8()..];
                let long = match (c, path.first()) {
                    ('o', Some(&"query")) => "format",
                    ('h', _) => "help",
                    _ => return Err(Output::usage(&format!("unknown short flag '-{c}'"))),
                };
                (long.to_string(), (!rest.is_empty()).then(|| rest.to_string()))
            };
            let known = match name.as_str() {
                "help" | "version" => true,
                "enable-feature" => true,
                "format" => path.first() == Some(&"query"),
                "time" => path == ["query", "instant"],
                "start" | "end" | "step" | "header" => path == ["query", "range"],
                _ => false,
            };
            if !known {
                return Err(Output::usage(&format!("unknown long flag '--{name}'")));
            }
            if name == "help" || name == "version" {
                return Err(Output::fail(format!(
                    "promtool: the playground's promtool has no --{name}; it runs `promtool query instant` and `promtool query range`\n"
                )));
            }
            let value = match inline {
                Some(v) => v,
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => return Err(Output::usage(&format!("expected argument for flag '--{name}'"))),
            };
            match name.as_str() {
                "format" => match value.as_str() {
                    "promql" => cmd.json = false,
                    "json" => cmd.json = true,
                    other => {
                        return Err(Output::usage(&format!("enum value must be one of promql,json, got '{other}'")))
                    }
                },
                "time" => cmd.time = Some(value),
                "start" => cmd.start = Some(value),
                "end" => cmd.end = Some(value),
                "step" => cmd.step = Some(go_duration(&value).map_err(|e| Output::usage(&e))?),
                _ => {}
            }
            continue;
        }
        match path.as_slice() {
            [] => match arg {
                "query" => path.push("query"),
                "check" | "test" | "debug" | "tsdb" | "promql" | "push" => {
                    return Err(Output::fail(format!(
                        "promtool: the playground's promtool runs only `promtool query`, not `promtool {arg}`\n"
                    )))
                }
                _ => return Err(Output::usage(&format!("expected command but got {arg:?}"))),
            },
            ["query"] => match arg {
                "instant" => {
                    path.push("instant");
                    cmd.kind = Kind::Instant;
                }
                "range" => {
                    path.push("range");
                    cmd.kind = Kind::Range;
                }
                "series" | "labels" => {
                    return Err(Output::fail(format!(
                    "promtool: the playground's promtool runs `query instant` and `query range`, not `query {arg}`\n"
                )))
                }
                _ => return Err(Output::usage(&format!("expected command but got {arg:?}"))),
            },
            _ => {
                if positionals.len() == 2 {
                    return Err(Output::usage(&format!("unexpected {arg}")));
                }
                positionals.push(arg);
            }
        }
    }
    match path.as_slice() {
        [] => return Err(Output::usage("expected command but got nothing")),
        ["query"] => return Err(Output::usage("must select a subcommand of 'query'")),
        _ => {}
    }
    match positionals.as_slice() {
        [] => Err(Output::usage("required argument 'server' not provided")),
        [_] => Err(Output::usage("required argument 'expr' not provided")),
        [server, expr, ..] => {
            cmd.server = server.to_string();
            cmd.expr = expr.to_string();
            Ok(cmd)
        }
    }
}

/// Go's `time.ParseDuration`, in whole milliseconds (the API keeps no
/// finer step): `1m`, `1.5s`, `1h30m`, `-1s`, `300ms`, `0`.
fn go_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (neg, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(invalid());
        }
        let value: f64 = num.parse().map_err(|_| invalid())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            u => return Err(format!("time: unknown unit {u:?} in duration {text:?}")),
        };
        total_ns += value * unit;
        rest = &rest[unit_len..];
    }
    if total_ns > i64::MAX as f64 {
        return Err(invalid());
    }
    // The client sends the step as float seconds and the server truncates
    // to milliseconds.
    let ms = (total_ns / 1e6).trunc() as i64;
    Ok(if neg { -ms } else { ms })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn defaults_follow_promtool() {
        let store = Storage::new();
        let out = run(&words("query instant http://p:9090 time()"), |_| Ok(&store), 1_767_258_050_250);
        assert_eq!(out.stdout, "scalar: 1767258050.25 @[1767258050.25]\n");
        // Range without start: five minutes back; without step: 1/250 of it.
        let out = run(&words("query range --end=1767258300 http://p:9090 time()"), |_| Ok(&store), 0);
        assert_eq!(out.stdout.lines().count(), 1 + 301);
        let out =
            run(&words("query range --end=1767258300 --start=1767250000 http://p:9090 time()"), |_| Ok(&store), 0);
        assert_eq!(out.stdout.lines().nth(2), Some("1767250033 @[1767250033]"));
    }

    #[test]
    fn dial_errors_name_the_endpoint() {
        let out = run(&words("query range --end=5 x:9090/ up"), |_| Err("never".into()), 0);
        assert_eq!(out.stderr, "query error: Post \"x:9090/\": unsupported protocol scheme \"x\"\n");
        let out = run(&words("query instant prometheus up"), |u| Err(format!("dial tcp: lookup {u}")), 0);
        assert_eq!(
            out.stderr,
            "query error: Post \"http://prometheus/api/v1/query\": dial tcp: lookup http://prometheus\n"
        );
        assert_eq!(out.code, 1);
    }

    #[test]
    fn durations_read_as_go_reads_them() {
        assert_eq!(go_duration("1m"), Ok(60_000));
        assert_eq!(go_duration("1.5s"), Ok(1_500));
        assert_eq!(go_duration("1h30m"), Ok(5_400_000));
        assert_eq!(go_duration("0"), Ok(0));
        assert_eq!(go_duration("60"), Err("time: missing unit in duration \"60\"".into()));
        assert_eq!(go_duration("abc"), Err("time: invalid duration \"abc\"".into()));
    }
}
