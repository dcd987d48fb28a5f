//! The Prometheus HTTP API's query endpoints (`/api/v1/query`,
//! `/api/v1/query_range`) over a [`Storage`]: the same parameter checks, the
//! same JSON bodies byte for byte and the same status codes as Prometheus
//! 2.42, so `curl` in the terminal and `promtool` read what they would read
//! from a real server.

use super::promql::timefns::days_from_civil;
use super::promql::{self, Labels, Matrix, Storage, Value};
use promql_parser::parser::value::ValueType;

/// What the API answers: an HTTP status and a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// 200, 400 (bad parameters), 422 (the query failed while evaluating)
    /// or 404 (no such endpoint).
    pub status: u16,
    /// The JSON body, as Prometheus writes it.
    pub body: String,
}

/// The most points a range query may return per series.
const MAX_POINTS: i64 = 11_000;

/// Answers one API request: `path` is the URL path, `form` the query string
/// and form values (the first of a repeated name counts, as with Go's
/// `FormValue`), and
/// `now_ms` the time a query without `time` is evaluated at.
pub fn handle(storage: &Storage, path: &str, form: &[(String, String)], now_ms: i64) -> Response {
    let get = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    match path.trim_end_matches('/') {
        "/api/v1/query" => {
            let time = match get("time") {
                None | Some("") => now_ms,
                Some(t) => match parse_time(t) {
                    Ok(t) => t,
                    Err(e) => return bad_param("time", &format!("Invalid time value for 'time': {e}")),
                },
            };
            query(storage, get("query").unwrap_or(""), time)
        }
        "/api/v1/query_range" => {
            let mut times = [0i64; 2];
            for (slot, name) in times.iter_mut().zip(["start", "end"]) {
                match parse_time(get(name).unwrap_or("")) {
                    Ok(t) => *slot = t,
                    Err(e) => return bad_param(name, &e),
                }
            }
            let step = match parse_duration(get("step").unwrap_or("")) {
                Ok(s) => s,
                Err(e) => return bad_param("step", &e),
            };
            query_range(storage, get("query").unwrap_or(""), times[0], times[1], step)
        }
        _ => Response { status: 404, body: "404 page not found\n".into() },
    }
}

/// Answers a request as it arrives over HTTP: the path with its query
/// string (`/api/v1/query?query=up&time=1767258050`) and, for a POST, the
/// form-encoded body; both are percent-decoded (`+` is a space), and the
/// body's values come before the query string's, as Go's `FormValue`
/// reads them.
pub fn handle_url(storage: &Storage, path_and_query: &str, post_body: Option<&str>, now_ms: i64) -> Response {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let mut form = Vec::new();
    if let Some(body) = post_body {
        form.extend(decode_form(body));
    }
    form.extend(decode_form(query));
    handle(storage, path, &form, now_ms)
}

/// `a=1&b=x%20y` as name/value pairs.
pub fn decode_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(s.get(i + 1..i + 3).unwrap_or("zz"), 16) {
                Ok(b) => {
                    out.push(b);
                    i += 2;
                }
                Err(_) => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `/api/v1/query` at `time_ms`.
pub fn query(storage: &Storage, query: &str, time_ms: i64) -> Response {
    if let Err(e) = promql::parse(query) {
        return bad_param("query", &parse_message(&e.0));
    }
    match promql::instant(storage, query, time_ms) {
        Ok(v) => ok(&value_json(&v)),
        Err(e) => error("execution", &e.0),
    }
}

/// `/api/v1/query_range` from `start_ms` to `end_ms` every `step_ms`, with
/// Prometheus's checks in Prometheus's order: the parameters first, then
/// the query's type.
pub fn query_range(storage: &Storage, query: &str, start_ms: i64, end_ms: i64, step_ms: i64) -> Response {
    if end_ms < start_ms {
        return bad_param("end", "end timestamp must not be before start time");
    }
    if step_ms <= 0 {
        return bad_param(
            "step",
            "zero or negative query resolution step widths are not accepted. Try a positive integer",
        );
    }
    if (end_ms - start_ms) / step_ms > MAX_POINTS {
        return error(
            "bad_data",
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)",
        );
    }
    let expr = match promql::parse(query) {
        Ok(e) => e,
        Err(e) => return bad_param("query", &parse_message(&e.0)),
    };
    let kind = match expr.value_type() {
        ValueType::Matrix => Some("range vector"),
        ValueType::String => Some("string"),
        _ => None,
    };
    if let Some(kind) = kind {
        return error(
            "bad_data",
            &format!("invalid expression type \"{kind}\" for range query, must be Scalar or instant Vector"),
        );
    }
    match promql::range(storage, query, start_ms, end_ms, step_ms) {
        Ok(m) => ok(&format!("{{\"resultType\":\"matrix\",\"result\":{}}}", matrix_json(&m))),
        Err(e) => error("execution", &e.0),
    }
}

/// Our parser says `parse error: …`; Prometheus puts the position first
/// (`1:5: parse error: …`), which promql-parser does not report, so the
/// message keeps its own words.
fn parse_message(msg: &str) -> String {
    msg.to_string()
}

fn ok(data: &str) -> Response {
    Response { status: 200, body: format!("{{\"status\":\"success\",\"data\":{data}}}") }
}

fn bad_param(name: &str, msg: &str) -> Response {
    error("bad_data", &format!("invalid parameter \"{name}\": {msg}"))
}

/// An error body: `bad_data` is a 400, `execution` a 422, as Prometheus
/// maps its error types.
pub fn error(kind: &str, msg: &str) -> Response {
    let status = match kind {
        "bad_data" => 400,
        "execution" => 422,
        "not_found" => 404,
        "timeout" => 503,
        _ => 500,
    };
    Response {
        status,
        body: format!("{{\"status\":\"error\",\"errorType\":\"{kind}\",\"error\":{}}}", json_string(msg)),
    }
}

/// The `data` object of a successful instant query.
pub fn value_json(value: &Value) -> String {
    match value {
        Value::Scalar { t, v } => {
            format!("{{\"resultType\":\"scalar\",\"result\":[{},{}]}}", float_time(*t), json_string(&plain_number(*v)))
        }
        Value::String { t, s } => {
            format!("{{\"resultType\":\"string\",\"result\":[{},{}]}}", float_time(*t), json_string(s))
        }
        Value::Vector(samples) => {
            let items: Vec<String> = samples
                .iter()
                .map(|s| {
                    format!(
                        "{{\"metric\":{},\"value\":[{},\"{}\"]}}",
                        labels_json(&s.labels),
                        timestamp(s.t),
                        sample_value(s.v)
                    )
                })
                .collect();
            format!("{{\"resultType\":\"vector\",\"result\":[{}]}}", items.join(","))
        }
        Value::Matrix(m) => format!("{{\"resultType\":\"matrix\",\"result\":{}}}", matrix_json(m)),
    }
}

/// A matrix as the `result` array: `[{"metric":{…},"values":[[t,"v"],…]},…]`.
pub fn matrix_json(m: &Matrix) -> String {
    let items: Vec<String> = m
        .iter()
        .map(|s| {
            let points: Vec<String> =
                s.points.iter().map(|(t, v)| format!("[{},\"{}\"]", timestamp(*t), sample_value(*v))).collect();
            format!("{{\"metric\":{},\"values\":[{}]}}", labels_json(&s.labels), points.join(","))
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// Labels as a JSON object, in name order as Go's encoder writes a map.
pub fn labels_json(labels: &Labels) -> String {
    let pairs: Vec<String> = labels.iter().map(|(k, v)| format!("{}:{}", json_string(k), json_string(v))).collect();
    format!("{{{}}}", pairs.join(","))
}

/// A sample's time as Prometheus's hand-written encoder prints it: whole
/// seconds, then `.` and exactly three digits of milliseconds unless they
/// are zero (`1767258050.250`, `-1.500`).
pub fn timestamp(ms: i64) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    match abs % 1000 {
        0 => format!("{sign}{}", abs / 1000),
        frac => format!("{sign}{}.{frac:03}", abs / 1000),
    }
}

/// A scalar's or string's time: Go's JSON float of seconds
/// (`1767258050.25`), shortest form.
fn float_time(ms: i64) -> String {
    let secs = ms as f64 / 1000.0;
    if secs.abs() >= 1e21 {
        go_exponent(secs, true)
    } else {
        format!("{secs}")
    }
}

/// A sample value inside a vector or matrix: Prometheus writes the
/// shortest decimal form, switching to Go's exponent form (`1e-07`,
/// `1e+21`) below 1e-6 and from 1e21 on.
pub fn sample_value(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return promql::format_number(v);
    }
    let abs = v.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        go_exponent(v, false)
    } else {
        format!("{v}")
    }
}

/// A scalar's value: `strconv.FormatFloat(v, 'f', -1, 64)`, never an
/// exponent.
fn plain_number(v: f64) -> String {
    promql::format_number(v)
}

/// Go's `%e`-style shortest form: mantissa digits as short as read back
/// exactly, the exponent signed and at least two digits (`1.5e-07`);
/// `json_float` drops the padding as Go's JSON encoder does (`1e+21`
/// stays, `1e-07` becomes `1e-7`).
fn go_exponent(v: f64, json_float: bool) -> String {
    let text = format!("{v:e}");
    let Some((mantissa, exp)) = text.split_once('e') else {
        return text;
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    if json_float {
        format!("{mantissa}e{sign}{digits}")
    } else {
        format!("{mantissa}e{sign}{digits:0>2}")
    }
}

/// A JSON string as Go's encoder writes it: `<`, `>` and `&` escaped for
/// HTML, control characters as `\u00XX` except `\n`, `\r` and `\t`, and
/// the line and paragraph separators escaped.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A time parameter as Prometheus reads it: Unix seconds with up to
/// millisecond precision (`1767258050.25`), or RFC 3339 (`2026-01-01T09:00:50Z`).
pub fn parse_time(text: &str) -> Result<i64, String> {
    if let Some(ms) = unix_seconds(text) {
        return Ok(ms);
    }
    rfc3339(text).ok_or_else(|| format!("cannot parse {text:?} to a valid timestamp"))
}

/// Unix seconds as Go's `strconv.ParseFloat` reads them, rounded to the
/// millisecond the way Prometheus does (whole seconds and the fraction
/// apart, the fraction rounded, then truncated back to nanoseconds).
pub(crate) fn unix_seconds(text: &str) -> Option<i64> {
    let t = go_parse_float(text)?;
    if !t.is_finite() || t.abs() > 9.2e15 {
        return None;
    }
    let whole = t.trunc();
    let frac = ((t - whole) * 1000.0).round() / 1000.0;
    let nanos = (whole as i128) * 1_000_000_000 + (frac * 1e9) as i128;
    i64::try_from(nanos.div_euclid(1_000_000)).ok()
}

/// Go's `ParseFloat` accepts what Rust's does plus underscores between
/// digits and hexadecimal floats, neither of which anyone types for a time;
/// Rust accepts `inf`/`nan` spellings Go also accepts. Leading `+` is fine
/// in both.
fn go_parse_float(text: &str) -> Option<f64> {
    if text.is_empty() || text.trim() != text {
        return None;
    }
    text.parse::<f64>().ok()
}

/// RFC 3339 in whole milliseconds, the rest truncated as Prometheus's
/// `timestamp.FromTime` does.
pub(crate) fn rfc3339(text: &str) -> Option<i64> {
    i64::try_from(rfc3339_nanos(text)?.div_euclid(1_000_000)).ok()
}

/// RFC 3339 with optional fractional seconds, as Go's `time.RFC3339Nano`
/// layout parses it, in nanoseconds since the Unix epoch.
pub(crate) fn rfc3339_nanos(text: &str) -> Option<i128> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, s) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&mo) || d < 1 || d > days_in[(mo - 1) as usize] || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0i64;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 9 {
            return None;
        }
        nanos = frac[..digits].parse::<i64>().ok()? * 10i64.pow(9 - digits as u32);
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let rb = rest.as_bytes();
            if rb.len() != 6 || rb[3] != b':' || !(rb[0] == b'+' || rb[0] == b'-') {
                return None;
            }
            let (oh, om) = (num_of(&rest[1..3])?, num_of(&rest[4..6])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if rb[0] == b'-' {
                -o
            } else {
                o
            }
        }
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset;
    Some(i128::from(secs) * 1_000_000_000 + i128::from(nanos))
}

fn num_of(s: &str) -> Option<i64> {
    s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
}

/// A duration parameter as Prometheus reads it: seconds as a float
/// (`15`, `0.5`), or a Prometheus duration (`1m`, `1h30m`, `2d`, `1w`,
/// `1y`, `100ms`). In milliseconds.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    if let Some(secs) = go_parse_float(text) {
        let ns = secs * 1e9;
        if !(i64::MIN as f64..=i64::MAX as f64).contains(&ns) || ns.is_nan() {
            return Err(format!("cannot parse {text:?} to a valid duration. It overflows int64"));
        }
        return Ok((ns as i64).div_euclid(1_000_000));
    }
    prometheus_duration(text).ok_or_else(|| format!("cannot parse {text:?} to a valid duration"))
}

/// `model.ParseDuration`: whole numbers with units in falling order, each
/// unit at most once (`1h30m`), in ms.
pub(crate) fn prometheus_duration(text: &str) -> Option<i64> {
    super::rules::duration::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::{Sample, Series, METRIC_NAME};

    fn up(instance: &str) -> Labels {
        [(METRIC_NAME, "up"), ("instance", instance), ("job", "node")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // Bodies captured from Prometheus 2.42's /api/v1/query.
    #[test]
    fn bodies_match_prometheus() {
        let v = Value::Vector(vec![
            Sample { labels: up("a<&>b"), t: 1_767_258_050_250, v: f64::INFINITY },
            Sample { labels: up("z"), t: 1_767_258_050_250, v: f64::NEG_INFINITY },
        ]);
        assert_eq!(
            ok(&value_json(&v)).body,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a\u003c\u0026\u003eb","job":"node"},"value":[1767258050.250,"+Inf"]},{"metric":{"__name__":"up","instance":"z","job":"node"},"value":[1767258050.250,"-Inf"]}]}}"#
        );
        let m = vec![Series {
            labels: up("z"),
            points: vec![(1_767_258_000_000, 0.1), (1_767_258_015_000, 1e-7), (1_767_258_030_000, 1e21)],
        }];
        assert_eq!(
            value_json(&Value::Matrix(m)),
            r#"{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"z","job":"node"},"values":[[1767258000,"0.1"],[1767258015,"1e-07"],[1767258030,"1e+21"]]}]}"#
        );
        assert_eq!(
            value_json(&Value::Scalar { t: -1500, v: 1e21 }),
            r#"{"resultType":"scalar","result":[-1.5,"1000000000000000000000"]}"#
        );
        assert_eq!(
            value_json(&Value::String { t: -1500, s: "a\nb\u{2028}<".into() }),
            r#"{"resultType":"string","result":[-1.5,"a\nb\u2028\u003c"]}"#
        );
        assert_eq!(timestamp(-1500), "-1.500");
        assert_eq!(sample_value(1.5e-7), "1.5e-07");
        assert_eq!(sample_value(-2e21), "-2e+21");
        assert_eq!(sample_value(1e20), "100000000000000000000");
        assert_eq!(sample_value(5e-324), "5e-324");
        assert_eq!(sample_value(0.000001), "0.000001");
    }

    #[test]
    fn parameters_fail_in_prometheus_words() {
        let s = Storage::new();
        let form = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let r = handle(&s, "/api/v1/query", &form(&[("query", "up"), ("time", "abc")]), 0);
        assert_eq!(r.status, 400);
        assert_eq!(
            r.body,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": Invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"}"#
        );
        let range = |start: &str, end: &str, step: &str| {
            handle(
                &s,
                "/api/v1/query_range",
                &form(&[("query", "up"), ("start", start), ("end", end), ("step", step)]),
                0,
            )
        };
        assert_eq!(
            range("1767258001", "1767258050", "0").body,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer"}"#
        );
        assert_eq!(
            range("1767258101", "1767258050", "1").body,
            r#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": end timestamp must not be before start time"}"#
        );
        assert_eq!(
            range("1767258001", "1767258050", "0.001").body,
            r#"{"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}"#
        );
        let r = range("1767258001", "1767258050", "15s");
        assert_eq!(
            (r.status, r.body.as_str()),
            (200, r#"{"status":"success","data":{"resultType":"matrix","result":[]}}"#)
        );
        assert_eq!(range("1767258001", "1767258050", "1m").status, 200);
        let r = handle_url(&s, "/api/v1/query?query=vector%281%29+%2B+1&time=10", Some("time=20"), 0);
        assert_eq!(
            r.body,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[20,"2"]}]}}"#
        );
        let r = handle(&s, "/api/v1/query", &form(&[("query", r#"label_replace(vector(1), "a", "$1", "b", "(")"#)]), 0);
        assert_eq!(r.status, 422);
    }

    #[test]
    fn times_parse_as_prometheus_parses_them() {
        assert_eq!(parse_time("1767258050.25"), Ok(1_767_258_050_250));
        assert_eq!(parse_time("1767258050.1234"), Ok(1_767_258_050_123));
        assert_eq!(parse_time("-1.5"), Ok(-1500));
        assert_eq!(parse_time("1e9"), Ok(1_000_000_000_000));
        assert_eq!(parse_time("2026-01-01T09:00:50Z"), Ok(1_767_258_050_000));
        assert_eq!(parse_time("2026-01-01T09:00:50.1234567+01:00"), Ok(1_767_254_450_123));
        assert!(parse_time("2026-02-30T09:00:50Z").is_err());
        assert!(parse_time("").is_err());
        assert_eq!(parse_duration("15s"), Ok(15_000));
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_duration("0.5"), Ok(500));
        assert!(parse_duration("30m1h").is_err());
        assert!(parse_duration("1.5m").is_err());
    }
}
