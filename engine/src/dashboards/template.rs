//! Dashboard variables: their options (from `label_values`, `query_result`,
//! custom lists, intervals), the current selection, and interpolation of
//! `$var`, `${var}`, `${var:format}` and `[[var]]` as Grafana's template
//! service and Prometheus data source do it.

use super::interval::{parse_duration, round_interval, seconds_to_hms};
use super::model::{Dashboard, Variable};
use crate::promql::{self, Storage, Value};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// What Grafana stores as the value of the `All` option.
pub const ALL: &str = "$__all";

/// One option of a variable's dropdown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarOption {
    /// Shown.
    pub text: String,
    /// Used.
    pub value: String,
}

/// A variable with its options and selection, ready for interpolation.
#[derive(Clone, Debug, PartialEq)]
pub struct VarState {
    /// `$name`.
    pub name: String,
    /// The dropdown's caption.
    pub label: String,
    /// Grafana's type.
    pub kind: String,
    /// The dropdown, `All` first when offered.
    pub options: Vec<VarOption>,
    /// Selected values (`$__all` for All).
    pub selected: Vec<String>,
    /// Several values may be picked.
    pub multi: bool,
    /// `All` is offered.
    pub include_all: bool,
    /// What `All` stands for when set.
    pub all_value: Option<String>,
    /// Not shown at all (`hide: 2`, and every constant).
    pub hidden: bool,
    /// What an interval variable's `auto` option stands for now (`1m`).
    pub auto: Option<String>,
}

impl VarState {
    fn is_all(&self) -> bool {
        self.selected.iter().any(|v| v == ALL)
    }

    /// The values the selection stands for: every option for All, the
    /// computed interval for an interval variable's `auto`.
    pub fn values(&self) -> Vec<String> {
        let auto = auto_value(&self.name);
        let values: Vec<String> = if self.is_all() {
            self.options.iter().filter(|o| o.value != ALL && o.value != auto).map(|o| o.value.clone()).collect()
        } else {
            self.selected.clone()
        };
        match &self.auto {
            Some(now) => values.into_iter().map(|v| if v == auto { now.clone() } else { v }).collect(),
            None => values,
        }
    }

    /// What the dropdown shows for the selection.
    pub fn text(&self) -> String {
        if self.is_all() {
            return "All".into();
        }
        let texts: Vec<String> = self
            .selected
            .iter()
            .map(|v| self.options.iter().find(|o| &o.value == v).map_or(v.clone(), |o| o.text.clone()))
            .collect();
        if texts.is_empty() || texts.iter().all(String::is_empty) {
            "None".into()
        } else {
            texts.join(" + ")
        }
    }
}

/// The value Grafana saves for an interval variable's `auto` option.
pub fn auto_value(name: &str) -> String {
    format!("$__auto_interval_{name}")
}

/// Grafana's `calculateInterval` for an interval variable's `auto`: the
/// range cut into `count` steps, rounded, not below `min`; as `1m`.
pub fn auto_interval(from_ms: i64, to_ms: i64, count: u32, min: &str) -> String {
    let low = parse_duration(min).filter(|m| *m > 0).unwrap_or(1);
    let ms = round_interval((to_ms - from_ms).max(0) / i64::from(count.max(1))).max(low);
    seconds_to_hms(ms as f64 / 1000.0)
}

/// An interval variable's values as Grafana reads its query: quoted items
/// or runs of word characters (`1m,10m, 1h` or `'1m' '10m'`).
fn split_intervals(query: &str) -> Vec<VarOption> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re =
        RE.get_or_init(|| Regex::new(r#""([^"]*)"|'([^']*)'|\w+"#).unwrap_or_else(|_| unreachable!("a fixed pattern")));
    re.captures_iter(query)
        .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(0)))
        .map(|m| m.as_str().trim().to_string())
        .filter(|v| !v.is_empty())
        .map(|v| VarOption { text: v.clone(), value: v })
        .collect()
}

/// How a value is written into text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// A PromQL expression: Prometheus's escaping, `(a|b)` for several values.
    Query,
    /// A title or other text: values joined with ` + `.
    Text,
}

fn syntax() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}")
            .unwrap_or_else(|_| unreachable!("a fixed pattern"))
    })
}

/// `text` with every known variable replaced; unknown ones are left as
/// written. `builtins` are plain text (`$__interval`, `$__range`, …).
pub fn interpolate(text: &str, vars: &[VarState], builtins: &[(String, String)], ctx: Context) -> String {
    syntax()
        .replace_all(text, |c: &regex::Captures| {
            let whole = c.get(0).map_or("", |m| m.as_str()).to_string();
            let name = c.get(1).or(c.get(2)).or(c.get(4)).map_or("", |m| m.as_str());
            let fmt = c.get(3).or(c.get(6)).map(|m| m.as_str());
            if let Some((_, v)) = builtins.iter().find(|(n, _)| n == name) {
                return v.clone();
            }
            // `$__auto_interval_<name>`: what an interval variable's auto stands for now.
            let auto = name.strip_prefix("__auto_interval_").and_then(|n| vars.iter().find(|v| v.name == n));
            if let Some(now) = auto.and_then(|v| v.auto.clone()) {
                return now;
            }
            match vars.iter().find(|v| v.name == name) {
                Some(var) => render(var, fmt, ctx),
                None => whole,
            }
        })
        .into_owned()
}

fn render(var: &VarState, fmt: Option<&str>, ctx: Context) -> String {
    if var.is_all() {
        if let Some(all) = &var.all_value {
            // Grafana leaves a custom All value as written: it is a regex already.
            return all.clone();
        }
    }
    let values = var.values();
    match fmt {
        Some("raw") | Some("csv") => values.join(","),
        Some("pipe") => values.join("|"),
        Some("glob") if values.len() > 1 => format!("{{{}}}", values.join(",")),
        Some("glob") => values.join(","),
        Some("text") => var.text(),
        Some("regex") => {
            let esc: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
            if esc.len() == 1 {
                esc[0].clone()
            } else {
                format!("({})", esc.join("|"))
            }
        }
        Some("singlequote") => {
            values.iter().map(|v| format!("'{}'", v.replace('\'', "\\'"))).collect::<Vec<_>>().join(",")
        }
        Some("doublequote") => {
            values.iter().map(|v| format!("\"{}\"", v.replace('"', "\\\""))).collect::<Vec<_>>().join(",")
        }
        _ => match ctx {
            Context::Text => var.text(),
            Context::Query if !var.multi && !var.include_all => {
                values.first().map(|v| prom_escape(v)).unwrap_or_default()
            }
            Context::Query => {
                let esc: Vec<String> = values.iter().map(|v| prom_regex_escape(v)).collect();
                if esc.len() == 1 {
                    esc[0].clone()
                } else {
                    format!("({})", esc.join("|"))
                }
            }
        },
    }
}

/// The Prometheus data source's escaping of a single value: backslashes and
/// single quotes, for use inside a label matcher's string.
fn prom_escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\'', "\\\\'")
}

/// A value inside a `=~` matcher: regex metacharacters escaped twice, once
/// for the regex and once for the PromQL string.
fn prom_regex_escape(v: &str) -> String {
    let mut out = String::new();
    for ch in v.chars() {
        match ch {
            '\\' => out.push_str("\\\\\\\\"),
            '$' | '^' | '*' | '{' | '}' | '[' | ']' | '\'' | '+' | '?' | '.' | '(' | ')' | '|' => {
                out.push_str("\\\\");
                out.push(ch);
            }
            _ => out.push(ch),
        }
    }
    out
}

/// Every variable of `dash` in order, each seeing those before it (chained
/// variables), its options found over `from_ms..to_ms`. `picked` holds the
/// user's choices by name; a choice no longer offered falls back to the
/// saved one, then to the first option.
pub fn resolve(
    dash: &Dashboard,
    storage: Option<&Storage>,
    from_ms: i64,
    to_ms: i64,
    picked: &BTreeMap<String, Vec<String>>,
) -> Vec<VarState> {
    let mut out: Vec<VarState> = Vec::new();
    for var in &dash.templating.list {
        if var.name.is_empty() {
            continue;
        }
        let state = resolve_one(var, &out, storage, from_ms, to_ms, picked.get(&var.name));
        out.push(state);
    }
    out
}

fn resolve_one(
    var: &Variable,
    before: &[VarState],
    storage: Option<&Storage>,
    from_ms: i64,
    to_ms: i64,
    picked: Option<&Vec<String>>,
) -> VarState {
    let query = var.query_text();
    let mut options: Vec<VarOption> = match var.kind.as_str() {
        "query" => {
            let q = interpolate(&query, before, &[], Context::Query);
            let found = storage.map(|s| run_query(s, &q, from_ms, to_ms)).unwrap_or_default();
            let found = filter_regex(found, var.regex.as_deref().unwrap_or_default());
            sort(found, var.sort.unwrap_or(0))
        }
        "custom" => split_custom(&query),
        "interval" => {
            let mut options = split_intervals(&query);
            if var.auto == Some(true) {
                options.insert(0, VarOption { text: "auto".into(), value: auto_value(&var.name) });
            }
            options
        }
        "constant" => vec![VarOption { text: query.clone(), value: query }],
        // A text box takes whatever is typed, else the saved text, else its default (the query).
        "textbox" => {
            let typed = picked.and_then(|p| p.first().cloned());
            let v = typed.or_else(|| var.current.values().into_iter().next()).unwrap_or(query);
            vec![VarOption { text: v.clone(), value: v }]
        }
        "datasource" => vec![VarOption { text: "Prometheus".into(), value: "Prometheus".into() }],
        _ => Vec::new(),
    };
    let multi = var.multi == Some(true);
    let include_all = var.include_all == Some(true);
    if include_all {
        options.insert(0, VarOption { text: "All".into(), value: ALL.into() });
    }
    let offered = |v: &String| options.iter().any(|o| &o.value == v);
    let keep = |vals: Vec<String>| -> Vec<String> {
        let mut kept: Vec<String> = vals.into_iter().filter(|v| offered(v)).collect();
        if !multi {
            kept.truncate(1);
        }
        kept
    };
    let mut selected = picked.cloned().map(keep).unwrap_or_default();
    if selected.is_empty() {
        selected = keep(var.current.values());
    }
    if selected.is_empty() {
        selected = options.first().map(|o| vec![o.value.clone()]).unwrap_or_else(|| vec![String::new()]);
    }
    VarState {
        name: var.name.clone(),
        label: var.label.clone().filter(|l| !l.is_empty()).unwrap_or_else(|| var.name.clone()),
        kind: var.kind.clone(),
        options,
        selected,
        multi,
        include_all,
        all_value: var.all_value.clone().filter(|a| !a.is_empty()),
        hidden: var.hide == Some(2) || var.kind == "constant",
        auto: (var.kind == "interval" && var.auto == Some(true)).then(|| {
            auto_interval(from_ms, to_ms, var.auto_count.unwrap_or(30), var.auto_min.as_deref().unwrap_or("10s"))
        }),
    }
}

/// Grafana's custom list: comma separated (`\,` escapes a comma), each
/// `text : value` or just a value.
fn split_custom(query: &str) -> Vec<VarOption> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                cur.push(',');
                chars.next();
            }
            ',' => items.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    items.push(cur);
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once(" : ") {
            Some((t, v)) => VarOption { text: t.trim().into(), value: v.trim().into() },
            None => VarOption { text: s.clone(), value: s },
        })
        .collect()
}

/// A query variable's values: `label_values(selector, label)`,
/// `label_values(label)`, `query_result(expr)`, `label_names()`, `metrics(regex)`.
pub fn run_query(storage: &Storage, query: &str, from_ms: i64, to_ms: i64) -> Vec<String> {
    let q = query.trim();
    let Some((func, args)) =
        q.split_once('(').and_then(|(f, rest)| Some((f.trim(), rest.trim_end().strip_suffix(')')?)))
    else {
        return Vec::new();
    };
    let range_s = ((to_ms - from_ms) / 1000).max(1);
    match func {
        "label_values" => {
            let (selector, label) = match split_last_comma(args) {
                Some((sel, label)) => (Some(sel.trim()), label.trim()),
                None => (None, args.trim()),
            };
            match selector {
                Some(sel) => {
                    let expr = format!(
                        "group by ({label}) (last_over_time(({sel})[{range_s}s:{}ms]))",
                        super::interval::SCRAPE_MS
                    );
                    let direct = format!("group by ({label}) (last_over_time({sel}[{range_s}s]))");
                    let vector =
                        promql::instant(storage, &direct, to_ms).or_else(|_| promql::instant(storage, &expr, to_ms));
                    let mut set = BTreeSet::new();
                    if let Ok(Value::Vector(samples)) = vector {
                        set.extend(
                            samples.into_iter().filter_map(|s| s.labels.get(label).cloned()).filter(|v| !v.is_empty()),
                        );
                    }
                    set.into_iter().collect()
                }
                None => label_values_everywhere(storage, label, from_ms, to_ms),
            }
        }
        "label_names" => {
            let mut set = BTreeSet::new();
            for s in storage.series() {
                set.extend(s.labels.keys().filter(|k| *k != promql::METRIC_NAME).cloned());
            }
            set.into_iter().collect()
        }
        "metrics" => {
            let re = Regex::new(args.trim()).ok();
            let mut set = BTreeSet::new();
            for s in storage.series() {
                if let Some(name) = s.labels.get(promql::METRIC_NAME) {
                    if re.as_ref().is_none_or(|r| r.is_match(name)) {
                        set.insert(name.clone());
                    }
                }
            }
            set.into_iter().collect()
        }
        "query_result" => match promql::instant(storage, args, to_ms) {
            // Grafana's text for each sample: `name{labels} value timestamp`.
            Ok(Value::Vector(samples)) => samples
                .into_iter()
                .map(|s| {
                    let name = s.labels.get(promql::METRIC_NAME).cloned().unwrap_or_default();
                    let labels: Vec<String> = s
                        .labels
                        .iter()
                        .filter(|(k, _)| *k != promql::METRIC_NAME)
                        .map(|(k, v)| format!("{k}=\"{v}\""))
                        .collect();
                    format!("{name}{{{}}} {} {}", labels.join(","), promql::format_number(s.v), s.t)
                })
                .collect(),
            Ok(Value::Scalar { t, v }) => vec![format!("scalar {} {t}", promql::format_number(v))],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// Values of `label` on any series with a sample in the range.
fn label_values_everywhere(storage: &Storage, label: &str, from_ms: i64, to_ms: i64) -> Vec<String> {
    let mut set = BTreeSet::new();
    let mut buf = Vec::new();
    for s in storage.series() {
        if let Some(v) = s.labels.get(label) {
            if set.contains(v) {
                continue;
            }
            buf.clear();
            s.window(from_ms, to_ms, &mut buf);
            if !buf.is_empty() {
                set.insert(v.clone());
            }
        }
    }
    set.into_iter().collect()
}

/// Splits at the last comma outside braces, parentheses and quotes.
fn split_last_comma(args: &str) -> Option<(&str, &str)> {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut last = None;
    let mut prev = '\0';
    for (i, c) in args.char_indices() {
        match quote {
            Some(q) if c == q && prev != '\\' => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' | '`' => quote = Some(c),
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => last = Some(i),
                _ => {}
            },
        }
        prev = c;
    }
    last.map(|i| (&args[..i], &args[i + 1..]))
}

/// The variable's regex: values it does not match are dropped; a capture
/// group (or the groups `text` and `value`) picks what is kept.
fn filter_regex(values: Vec<String>, pattern: &str) -> Vec<VarOption> {
    let pattern = pattern.trim();
    let plain = |v: String| VarOption { text: v.clone(), value: v };
    if pattern.is_empty() {
        return values.into_iter().map(plain).collect();
    }
    // Grafana's regexes are written `/…/flags`.
    let body = pattern.strip_prefix('/').and_then(|p| p.rfind('/').map(|i| (&p[..i], &p[i + 1..])));
    let re = match body {
        Some((b, flags)) if flags.contains('i') => Regex::new(&format!("(?i){b}")),
        Some((b, _)) => Regex::new(b),
        None => Regex::new(pattern),
    };
    let Ok(re) = re else { return values.into_iter().map(plain).collect() };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for v in values {
        let Some(c) = re.captures(&v) else { continue };
        let value = c.name("value").or(c.get(1)).map_or(v.clone(), |m| m.as_str().to_string());
        let text = c.name("text").map_or(value.clone(), |m| m.as_str().to_string());
        if seen.insert(value.clone()) {
            out.push(VarOption { text, value });
        }
    }
    out
}

/// Grafana's sort orders (0 keeps the query's order).
fn sort(mut options: Vec<VarOption>, how: i64) -> Vec<VarOption> {
    let num = |o: &VarOption| o.text.parse::<f64>().unwrap_or(f64::NAN);
    match how {
        1 => options.sort_by(|a, b| a.text.cmp(&b.text)),
        2 => options.sort_by(|a, b| b.text.cmp(&a.text)),
        3 => options.sort_by(|a, b| num(a).total_cmp(&num(b))),
        4 => options.sort_by(|a, b| num(b).total_cmp(&num(a))),
        5 => options.sort_by_key(|o| o.text.to_lowercase()),
        6 => options.sort_by_key(|o| std::cmp::Reverse(o.text.to_lowercase())),
        _ => {}
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, selected: &[&str], options: &[&str], multi: bool, all: bool) -> VarState {
        let mut opts: Vec<VarOption> =
            options.iter().map(|o| VarOption { text: o.to_string(), value: o.to_string() }).collect();
        if all {
            opts.insert(0, VarOption { text: "All".into(), value: ALL.into() });
        }
        VarState {
            name: name.into(),
            label: name.into(),
            kind: "custom".into(),
            options: opts,
            selected: selected.iter().map(|s| s.to_string()).collect(),
            multi,
            include_all: all,
            all_value: None,
            hidden: false,
            auto: None,
        }
    }

    #[test]
    fn interpolation_table() {
        let ns = var("namespace", &["default"], &["default", "kube-system"], false, false);
        let multi = var("pod", &["web-1", "web.2"], &["web-1", "web.2", "db"], true, false);
        let all = var("node", &[ALL], &["w1", "w2"], true, true);
        let mut custom_all = var("app", &[ALL], &["a", "b"], false, true);
        custom_all.all_value = Some(".*".into());
        let vars = vec![ns, multi, all, custom_all];
        let builtins =
            vec![("__rate_interval".to_string(), "60s".to_string()), ("__range".to_string(), "3600s".to_string())];
        // (template, context, expected)
        let cases: &[(&str, Context, &str)] = &[
            (r#"up{namespace="$namespace"}"#, Context::Query, r#"up{namespace="default"}"#),
            (r#"up{namespace="${namespace}"}"#, Context::Query, r#"up{namespace="default"}"#),
            (r#"up{namespace="[[namespace]]"}"#, Context::Query, r#"up{namespace="default"}"#),
            (r#"x{pod=~"$pod"}"#, Context::Query, r#"x{pod=~"(web-1|web\\.2)"}"#),
            (r#"x{node=~"$node"}"#, Context::Query, r#"x{node=~"(w1|w2)"}"#),
            (r#"x{app=~"$app"}"#, Context::Query, r#"x{app=~".*"}"#),
            ("rate(x[$__rate_interval])", Context::Query, "rate(x[60s])"),
            ("increase(x[$__range])", Context::Query, "increase(x[3600s])"),
            ("${pod:csv}", Context::Query, "web-1,web.2"),
            ("${pod:pipe}", Context::Query, "web-1|web.2"),
            ("${pod:regex}", Context::Query, r"(web\-1|web\.2)"),
            ("[[pod:raw]]", Context::Query, "web-1,web.2"),
            ("$unknown and ${other}", Context::Query, "$unknown and ${other}"),
            ("Pods in $namespace", Context::Text, "Pods in default"),
            ("Pods $pod", Context::Text, "Pods web-1 + web.2"),
            ("Nodes: $node", Context::Text, "Nodes: All"),
        ];
        for (tpl, ctx, want) in cases {
            assert_eq!(&interpolate(tpl, &vars, &builtins, *ctx), want, "{tpl}");
        }
    }

    #[test]
    fn interval_constant_and_textbox_variables() {
        let json = r#"{"title":"Vars","templating":{"list":[
            {"name":"interval","type":"interval","query":"1m,10m,30m,1h","auto":true,"auto_count":30,"auto_min":"10s",
             "current":{"text":"10m","value":"10m"}},
            {"name":"fixed","type":"interval","query":"'1m' \"5m\" 2h"},
            {"name":"job","type":"constant","query":"node-exporter","hide":2},
            {"name":"shown_const","type":"constant","query":"x"},
            {"name":"pattern","type":"textbox","query":"web.*","current":{"text":"api","value":"api"}},
            {"name":"fresh","type":"textbox","query":"default"}
        ]}}"#;
        let dash = Dashboard::import(json).unwrap_or_else(|e| panic!("{e}"));
        let hour = 3_600_000;
        let resolve_with = |from: i64, picked: &[(&str, &str)]| {
            let picked = picked.iter().map(|(n, v)| (n.to_string(), vec![v.to_string()])).collect();
            resolve(&dash, None, 0 - from, 0, &picked)
        };
        let expr = r#"rate(x{job="$job", pod=~"$pattern", ns="$fresh"}[$interval]) [[fixed]] ${shown_const}"#;
        // (range, picks, expected query, interval's dropdown text)
        type Case<'a> = (i64, &'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (hour, &[], r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[10m]) 1m x"#, "10m"),
            (
                hour,
                &[("interval", "$__auto_interval_interval")],
                r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[2m]) 1m x"#,
                "auto",
            ),
            // auto: the range over 30 steps, rounded; never under auto_min.
            (
                24 * hour,
                &[("interval", "$__auto_interval_interval")],
                r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[1h]) 1m x"#,
                "auto",
            ),
            (
                60_000,
                &[("interval", "$__auto_interval_interval")],
                r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[10s]) 1m x"#,
                "auto",
            ),
            (
                hour,
                &[("interval", "30m"), ("fixed", "2h")],
                r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[30m]) 2h x"#,
                "30m",
            ),
            // Not offered: the saved choice stays.
            (hour, &[("interval", "7m")], r#"rate(x{job="node-exporter", pod=~"api", ns="default"}[10m]) 1m x"#, "10m"),
            // A text box takes anything typed.
            (
                hour,
                &[("pattern", "db-(0|1)"), ("fresh", "kube-system")],
                r#"rate(x{job="node-exporter", pod=~"db-(0|1)", ns="kube-system"}[10m]) 1m x"#,
                "10m",
            ),
        ];
        for (range, picks, want, text) in cases {
            let vars = resolve_with(*range, picks);
            assert_eq!(&interpolate(expr, &vars, &[], Context::Query), want, "{picks:?}");
            assert_eq!(vars[0].text(), *text, "{picks:?}");
        }
        let vars = resolve_with(hour, &[]);
        let auto = interpolate("$__auto_interval_interval ${__auto_interval_fixed}", &vars, &[], Context::Query);
        assert_eq!(auto, "2m ${__auto_interval_fixed}", "the auto value by name, whatever is picked");
        let options: Vec<&str> = vars[0].options.iter().map(|o| o.text.as_str()).collect();
        assert_eq!(options, vec!["auto", "1m", "10m", "30m", "1h"]);
        let fixed: Vec<&str> = vars[1].options.iter().map(|o| o.value.as_str()).collect();
        assert_eq!(fixed, vec!["1m", "5m", "2h"]);
        let hidden: Vec<bool> = vars.iter().map(|v| v.hidden).collect();
        assert_eq!(hidden, vec![false, false, true, true, false, false], "constants are never shown");
        // The JSON round trip keeps Grafana's field names.
        let again = Dashboard::import(&dash.export()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, dash);
        let out: serde_json::Value = serde_json::from_str(&dash.export()).unwrap_or_default();
        let first = &out["templating"]["list"][0];
        assert_eq!(
            (&first["auto"], &first["auto_count"], &first["auto_min"]),
            (&true.into(), &30.into(), &"10s".into())
        );
    }

    #[test]
    fn auto_intervals() {
        // (range ms, steps, min, expected)
        let cases = [
            (3_600_000, 30, "10s", "2m"),
            (3_600_000, 10, "10s", "5m"),
            (300_000, 30, "10s", "10s"),
            (300_000, 30, "1m", "1m"),
            (86_400_000, 30, "", "1h"),
            (0, 0, "junk", "10ms"),
        ];
        for (range, count, min, want) in cases {
            assert_eq!(auto_interval(0, range, count, min), want, "{range} / {count}");
        }
    }

    #[test]
    fn custom_lists_and_regex() {
        let opts = split_custom("1s, 15s,30s , a\\,b, Prod : production");
        let pairs: Vec<(&str, &str)> = opts.iter().map(|o| (o.text.as_str(), o.value.as_str())).collect();
        assert_eq!(pairs, vec![("1s", "1s"), ("15s", "15s"), ("30s", "30s"), ("a,b", "a,b"), ("Prod", "production")]);
        let vals = vec!["10.0.0.1:9100".to_string(), "10.0.0.2:9100".to_string(), "other".to_string()];
        let kept = filter_regex(vals, "/(.*):9100/");
        assert_eq!(kept.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), vec!["10.0.0.1", "10.0.0.2"]);
        assert_eq!(split_last_comma(r#"up{a="x,y"}, job"#), Some((r#"up{a="x,y"}"#, " job")));
    }
}
