//! A logs panel's lines. The lab has no Loki, so a logs panel's target
//! `expr` is the part of LogQL a Grafana user writes first: a stream
//! selector over the labels Promtail gives a Kubernetes container
//! (`namespace`, `pod`, `container`, `node_name` and the pod's own labels),
//! then line filters: `{namespace="default", pod=~"web.*"} |= "GET" != "health"`.
//! The lines are the containers' logs as `kubectl logs` rebuilds them.

use super::model::Panel;
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::promql::{matches, Error, Labels};
use crate::time::Time;
use promql_parser::label::{MatchOp, Matcher};
use promql_parser::parser::Expr;
use regex::Regex;
use serde_json::Value;
use std::rc::Rc;

/// Lines a query returns unless the panel says (Loki's `max_entries_limit`
/// default as Grafana's data source asks for it).
pub const DEFAULT_LIMIT: usize = 1000;

/// One line filter.
#[derive(Clone, Debug)]
pub enum LineFilter {
    /// `|= "text"`
    Contains(String),
    /// `!= "text"`
    Lacks(String),
    /// `|~ "regex"`
    Matches(Regex),
    /// `!~ "regex"`
    Misses(Regex),
}

impl LineFilter {
    fn keeps(&self, line: &str) -> bool {
        match self {
            LineFilter::Contains(s) => line.contains(s.as_str()),
            LineFilter::Lacks(s) => !line.contains(s.as_str()),
            LineFilter::Matches(r) => r.is_match(line),
            LineFilter::Misses(r) => !r.is_match(line),
        }
    }
}

/// A parsed log query.
#[derive(Clone, Debug)]
pub struct LogQuery {
    /// The stream selector's matchers, all of which must hold.
    pub matchers: Vec<Matcher>,
    /// Line filters, applied in order.
    pub filters: Vec<LineFilter>,
}

/// Reads `{selector} |= "…" …`; the error says where it stopped.
pub fn parse(expr: &str) -> Result<LogQuery, String> {
    parse_with(expr, &mut |selector| crate::promql::parse(selector).map(Rc::new))
}

/// [`parse`] with the stream selector parsed by `selector` (the dashboard
/// page's cache, which keeps a multi-value variable's long regex compiled).
pub(crate) fn parse_with(
    expr: &str,
    selector: &mut dyn FnMut(&str) -> Result<Rc<Expr>, Error>,
) -> Result<LogQuery, String> {
    let text = expr.trim();
    if !text.starts_with('{') {
        return Err("a log query starts with a stream selector: {namespace=\"default\"}".into());
    }
    let end = selector_end(text).ok_or("the stream selector has no closing }")?;
    let matchers = match selector(&text[..=end]).as_deref() {
        Ok(Expr::VectorSelector(vs)) if vs.matchers.or_matchers.is_empty() => vs.matchers.matchers.clone(),
        Ok(_) => return Err("the stream selector takes label matchers only".into()),
        Err(e) => return Err(e.0.trim_start_matches("parse error: ").to_string()),
    };
    let mut filters = Vec::new();
    let mut rest = text[end + 1..].trim_start();
    while !rest.is_empty() {
        let op = rest.get(..2).unwrap_or(rest);
        if !matches!(op, "|=" | "!=" | "|~" | "!~") {
            return Err(format!("only line filters (|= != |~ !~) may follow the selector, not {rest:?}"));
        }
        let (arg, after) = string_literal(rest[2..].trim_start()).ok_or(format!("{op} needs a quoted string"))?;
        let regex = |s: &str| Regex::new(s).map_err(|e| format!("{op} {s:?}: {e}"));
        filters.push(match op {
            "|=" => LineFilter::Contains(arg),
            "!=" => LineFilter::Lacks(arg),
            "|~" => LineFilter::Matches(regex(&arg)?),
            _ => LineFilter::Misses(regex(&arg)?),
        });
        rest = after.trim_start();
    }
    Ok(LogQuery { matchers, filters })
}

/// The index of the `}` closing the selector, skipping quoted text.
fn selector_end(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '`' => quote = Some(c),
            None if c == '}' => return Some(i),
            None => {}
        }
    }
    None
}

/// A `"…"` string (with `\"`, `\\`, `\n`, `\t`) or a raw `` `…` `` one, and
/// the text after it.
fn string_literal(text: &str) -> Option<(String, &str)> {
    let mut chars = text.char_indices();
    let (_, open) = chars.next()?;
    if open == '`' {
        let close = text[1..].find('`')? + 1;
        return Some((text[1..close].to_string(), &text[close + 1..]));
    }
    if open != '"' {
        return None;
    }
    let mut out = String::new();
    let mut escaped = false;
    for (i, c) in chars {
        if escaped {
            out.push(match c {
                'n' => '\n',
                't' => '\t',
                other => other,
            });
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return Some((out, &text[i + 1..]));
        } else {
            out.push(c);
        }
    }
    None
}

/// One log line with its stream's labels.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// When it was written (ms).
    pub ms: i64,
    /// Its stream: namespace, pod, container, node_name, the pod's labels.
    pub labels: Labels,
    /// The text.
    pub line: String,
}

/// What a logs query returned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogResult {
    /// Newest first or oldest first, as the panel asks.
    pub lines: Vec<LogLine>,
    /// More lines matched than the limit let through.
    pub truncated: bool,
}

/// How a logs panel shows its lines: Grafana's logs panel options.
#[derive(Clone, Debug, PartialEq)]
pub struct LogOptions {
    /// `showTime`.
    pub show_time: bool,
    /// `showLabels`: each line's unique labels.
    pub show_labels: bool,
    /// `wrapLogMessage`.
    pub wrap: bool,
    /// `sortOrder: "Descending"` (Grafana's default) or `"Ascending"`.
    pub newest_first: bool,
}

/// The panel's options, forgivingly (a field of another type is its default).
pub fn options(panel: &Panel) -> LogOptions {
    let flag = |k: &str| panel.options.get(k).and_then(Value::as_bool);
    LogOptions {
        show_time: flag("showTime").unwrap_or(false),
        show_labels: flag("showLabels").unwrap_or(false),
        wrap: flag("wrapLogMessage").unwrap_or(false),
        newest_first: panel.options.get("sortOrder").and_then(Value::as_str) != Some("Ascending"),
    }
}

/// A label name as Promtail's labelmap makes it from a pod label:
/// everything but letters, digits and `_` becomes `_`.
fn label_name(key: &str) -> String {
    key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// The lines from `from_ms` to `to_ms` of every container whose stream
/// matches, the newest `limit` of them, ordered as asked. Only one
/// namespace's pods are read when the selector names it.
pub fn select(
    cluster: &Cluster,
    query: &LogQuery,
    from_ms: i64,
    to_ms: i64,
    limit: usize,
    newest_first: bool,
) -> LogResult {
    let namespace = query.matchers.iter().find(|m| m.name == "namespace" && m.op == MatchOp::Equal);
    let store = cluster.api().store();
    let mut lines: Vec<LogLine> = Vec::new();
    for object in store.list(Kind::Pod, namespace.map(|m| m.value.as_str())) {
        let Some(pod) = object.as_pod() else { continue };
        let mut base = Labels::new();
        for (k, v) in pod.metadata.labels.iter().flatten() {
            base.insert(label_name(k), v.clone());
        }
        base.insert("namespace".into(), object.namespace().to_string());
        base.insert("pod".into(), object.name().to_string());
        if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
            base.insert("node_name".into(), node);
        }
        let containers = pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers));
        for container in containers {
            let mut labels = base.clone();
            labels.insert("container".into(), container.name.clone());
            if !query.matchers.iter().all(|m| matches(m, &labels)) {
                continue;
            }
            let mut runs = Vec::new();
            for previous in [true, false] {
                if let Ok((run, _)) = crate::kubectl::logs::run_lines(cluster, pod, container, previous) {
                    runs.extend(run);
                }
            }
            // A container waiting to restart serves its last run as both.
            runs.sort_by_key(|(t, _)| *t);
            runs.dedup();
            for (Time(ms), line) in runs {
                if ms >= from_ms && ms <= to_ms && query.filters.iter().all(|f| f.keeps(&line)) {
                    lines.push(LogLine { ms, labels: labels.clone(), line });
                }
            }
        }
    }
    LogResult::ordered(lines, limit, newest_first)
}

impl LogResult {
    /// Lines in the order they were written (a stable sort keeps a
    /// stream's lines of one millisecond in order), the newest `limit`
    /// kept as Loki's backward direction returns them, then turned round
    /// for newest first.
    pub fn ordered(mut lines: Vec<LogLine>, limit: usize, newest_first: bool) -> LogResult {
        lines.sort_by_key(|l| l.ms);
        let truncated = lines.len() > limit;
        lines.drain(..lines.len().saturating_sub(limit));
        if newest_first {
            lines.reverse();
        }
        LogResult { lines, truncated }
    }
}

/// The lines holding `text`, case-insensitively (the panel's filter box).
pub fn search<'a>(lines: &'a [LogLine], text: &str) -> Vec<&'a LogLine> {
    let needle = text.trim().to_lowercase();
    lines.iter().filter(|l| needle.is_empty() || l.line.to_lowercase().contains(&needle)).collect()
}

/// The labels every line shares, which Grafana shows once above them
/// instead of on each line.
pub fn common_labels(lines: &[LogLine]) -> Labels {
    let Some(first) = lines.first() else { return Labels::new() };
    first
        .labels
        .iter()
        .filter(|(k, v)| lines.iter().all(|l| l.labels.get(*k) == Some(*v)))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A line's time as Grafana's logs panel prints it.
pub fn clock(ms: i64) -> String {
    let when = Time(ms).to_k8s().0;
    let base = k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S", when).unwrap_or_default();
    format!("{base}.{:03}", ms.rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_or_say_why() {
        // (query, matchers, filters) or the start of the error
        let good: &[(&str, usize, usize)] = &[
            (r#"{namespace="default"}"#, 1, 0),
            (r#"{namespace="default", pod=~"web.*"}"#, 2, 0),
            (r#" {app="web"} |= "GET" != "health" "#, 1, 2),
            (r#"{app="web"}|~ `5\d\d` !~ "x{2}""#, 1, 2),
            (r#"{app="a}b"} |= "say \"hi\"""#, 1, 1),
        ];
        for (q, m, f) in good {
            let parsed = parse(q).unwrap_or_else(|e| panic!("{q}: {e}"));
            assert_eq!((parsed.matchers.len(), parsed.filters.len()), (*m, *f), "{q}");
        }
        let bad: &[(&str, &str)] = &[
            ("", "a log query starts with a stream selector"),
            ("up", "a log query starts with a stream selector"),
            (r#"{namespace="default""#, "the stream selector has no closing }"),
            (r#"{app="web"} | json"#, "only line filters"),
            (r#"{app="web"} |= GET"#, "|= needs a quoted string"),
            (r#"{app="web"} |~ "(""#, "|~ \"(\""),
            (r#"{app="web"} |= "open"#, "|= needs a quoted string"),
        ];
        for (q, want) in bad {
            let e = parse(q).err().unwrap_or_else(|| panic!("{q} parsed"));
            assert!(e.starts_with(want), "{q}: {e}");
        }
        assert!(parse("{}").is_err(), "an empty selector matches everything, as Loki refuses");
    }

    #[test]
    fn line_filters_apply_in_order() {
        let q = parse(r#"{a="b"} |= "GET" != "/healthz" |~ "HTTP/1\\.[01]""#).unwrap_or_else(|e| panic!("{e}"));
        // (line, kept)
        let cases = [
            ("GET / HTTP/1.1", true),
            ("GET /healthz HTTP/1.1", false),
            ("POST / HTTP/1.1", false),
            ("GET / HTTP/2", false),
        ];
        for (line, kept) in cases {
            assert_eq!(q.filters.iter().all(|f| f.keeps(line)), kept, "{line}");
        }
    }

    #[test]
    fn options_default_as_grafana() {
        let panel = |json: &str| -> Panel { serde_json::from_str(json).unwrap_or_default() };
        let o = options(&panel("{}"));
        assert_eq!((o.show_time, o.wrap, o.newest_first, o.show_labels), (false, false, true, false));
        let o = options(&panel(r#"{"options":{"showTime":true,"wrapLogMessage":true,"sortOrder":"Ascending"}}"#));
        assert_eq!((o.show_time, o.wrap, o.newest_first), (true, true, false));
        let o = options(&panel(r#"{"options":{"showTime":"yes","sortOrder":3}}"#));
        assert_eq!((o.show_time, o.newest_first), (false, true));
    }

    #[test]
    fn order_keeps_write_order_and_the_newest_lines() {
        let line = |ms: i64, text: &str| LogLine { ms, labels: Labels::new(), line: text.into() };
        let lines = vec![line(5, "c"), line(1, "a"), line(5, "d"), line(3, "b")];
        let texts = |r: LogResult| (r.lines.iter().map(|l| l.line.clone()).collect::<Vec<_>>().join(""), r.truncated);
        assert_eq!(texts(LogResult::ordered(lines.clone(), 10, false)), ("abcd".into(), false));
        assert_eq!(texts(LogResult::ordered(lines.clone(), 10, true)), ("dcba".into(), false));
        assert_eq!(texts(LogResult::ordered(lines.clone(), 2, false)), ("cd".into(), true));
        assert_eq!(texts(LogResult::ordered(lines, 3, true)), ("dcb".into(), true));
    }

    #[test]
    fn search_and_common_labels() {
        let line = |pod: &str, text: &str| LogLine {
            ms: 0,
            labels: [("namespace", "default"), ("pod", pod)]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            line: text.into(),
        };
        let lines = vec![line("a", "GET /index"), line("b", "Error: refused"), line("a", "get /other")];
        let texts = |q: &str| search(&lines, q).iter().map(|l| l.line.clone()).collect::<Vec<_>>();
        assert_eq!(texts("get"), ["GET /index", "get /other"]);
        assert_eq!(texts("  "), ["GET /index", "Error: refused", "get /other"]);
        assert!(texts("nothing").is_empty());
        let common = common_labels(&lines);
        assert_eq!(common.keys().collect::<Vec<_>>(), ["namespace"]);
        assert_eq!(clock(1_500), "1970-01-01 00:00:01.500");
    }
}
