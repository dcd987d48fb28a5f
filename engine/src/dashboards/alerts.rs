//! An alert list panel's rows: the lab Prometheus's alerting rules with
//! their state (firing, pending, or inactive, which Grafana calls Normal),
//! since when, their labels and instances, filtered and sorted by the
//! panel's options (Grafana's alert list, and its older form's
//! `stateFilter` list, `limit` and `nameFilter`).

use super::model::Panel;
use crate::promql::{matches, Labels};
use crate::rules::file::RuleKind;
use crate::rules::{AlertState, Rules};
use promql_parser::label::Matcher;
use promql_parser::parser::Expr;
use serde_json::Value;
use std::collections::BTreeMap;

/// One alert of a rule, for a label set.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// Its labels, `alertname` among them.
    pub labels: Labels,
    /// Pending or firing.
    pub state: AlertState,
    /// When it became active (ms).
    pub active_at_ms: i64,
    /// The value that made it active.
    pub value: f64,
}

/// One alerting rule as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertItem {
    /// The alert's name.
    pub name: String,
    /// Its rule group.
    pub group: String,
    /// The most urgent state among its instances.
    pub state: AlertState,
    /// When its earliest active instance became active.
    pub since_ms: Option<i64>,
    /// The rule's own labels (`severity`, …).
    pub labels: BTreeMap<String, String>,
    /// The first alert's `summary` annotation, expanded; empty for a rule
    /// with no alerts (its template has no labels to fill in).
    pub summary: String,
    /// Its instances that pass the label filter.
    pub instances: Vec<Instance>,
}

/// Grafana's alert list sort orders (`sortOrder` 1–5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// 1: by name, A–Z.
    AlphaAsc,
    /// 2: by name, Z–A.
    AlphaDesc,
    /// 3: firing, then pending, then normal.
    Importance,
    /// 4: longest active first.
    TimeAsc,
    /// 5: most recently active first.
    TimeDesc,
}

/// The panel's options.
#[derive(Clone, Debug)]
pub struct ListOptions {
    /// Show firing rules.
    pub firing: bool,
    /// Show pending rules.
    pub pending: bool,
    /// Show inactive (Normal) rules.
    pub inactive: bool,
    /// At most this many rows.
    pub max_items: usize,
    /// The order.
    pub sort: Sort,
    /// Only names holding this text (case-insensitive).
    pub name: String,
    /// Only instances (and rules) whose labels match.
    pub label_filter: Vec<Matcher>,
    /// Whether each row lists its instances.
    pub show_instances: bool,
}

fn number(v: Option<&Value>) -> Option<f64> {
    let v = v?;
    v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Reads the options forgivingly: Grafana's defaults (firing and pending,
/// 20 items, A–Z) fill whatever is missing or of another type.
pub fn options(panel: &Panel) -> ListOptions {
    let o = &panel.options;
    let filter = o.get("stateFilter").or_else(|| panel.extra.get("stateFilter"));
    let (firing, pending, inactive) = match filter {
        Some(Value::Object(f)) => {
            let on = |k: &str, d: bool| f.get(k).and_then(Value::as_bool).unwrap_or(d);
            (on("firing", true), on("pending", true), on("normal", false) || on("inactive", false))
        }
        // The older panel: a list of states; an empty list shows them all.
        Some(Value::Array(list)) if !list.is_empty() => {
            let has = |names: &[&str]| list.iter().filter_map(Value::as_str).any(|s| names.contains(&s));
            (has(&["alerting", "firing"]), has(&["pending"]), has(&["ok", "normal", "inactive"]))
        }
        Some(Value::Array(_)) => (true, true, true),
        _ => (true, true, false),
    };
    let max = number(o.get("maxItems")).or_else(|| number(panel.extra.get("limit")).or(number(o.get("limit"))));
    let sort = match number(o.get("sortOrder").or_else(|| panel.extra.get("sortOrder"))).map(|n| n as i64) {
        Some(2) => Sort::AlphaDesc,
        Some(3) => Sort::Importance,
        Some(4) => Sort::TimeAsc,
        Some(5) => Sort::TimeDesc,
        _ => Sort::AlphaAsc,
    };
    let text = |k: &str| o.get(k).or_else(|| panel.extra.get(k)).and_then(Value::as_str).unwrap_or_default();
    let name = if text("alertName").is_empty() { text("nameFilter") } else { text("alertName") };
    ListOptions {
        firing,
        pending,
        inactive,
        max_items: max.filter(|m| *m >= 1.0).map_or(20, |m| m.min(1000.0) as usize),
        sort,
        name: name.to_string(),
        label_filter: label_filter(text("alertInstanceLabelFilter")),
        show_instances: o.get("showInstances").and_then(Value::as_bool).unwrap_or(false),
    }
}

/// `{severity="critical"}` as matchers; a filter that does not parse
/// filters nothing.
fn label_filter(text: &str) -> Vec<Matcher> {
    let t = text.trim();
    if t.is_empty() {
        return Vec::new();
    }
    let t = if t.starts_with('{') { t.to_string() } else { format!("{{{t}}}") };
    match crate::promql::parse(&t) {
        Ok(Expr::VectorSelector(vs)) => vs.matchers.matchers,
        _ => Vec::new(),
    }
}

fn importance(s: AlertState) -> u8 {
    match s {
        AlertState::Firing => 0,
        AlertState::Pending => 1,
        AlertState::Inactive => 2,
    }
}

/// The alerting rules the panel lists, in its order, at most `max_items`.
pub fn select(rules: &Rules, o: &ListOptions) -> Vec<AlertItem> {
    let alerts = rules.alerts();
    let needle = o.name.to_lowercase();
    let mut items: Vec<AlertItem> = Vec::new();
    for group in rules.groups() {
        for rule in group.rules.iter().filter(|r| r.kind == RuleKind::Alert) {
            let mut instances: Vec<Instance> = alerts
                .iter()
                .filter(|a| a.group == group.name && a.alert.labels.get("alertname") == Some(&rule.name))
                .map(|a| Instance {
                    labels: a.alert.labels.clone(),
                    state: a.alert.state,
                    active_at_ms: a.alert.active_at_ms,
                    value: a.alert.value,
                })
                .collect();
            let summary = alerts
                .iter()
                .filter(|a| a.group == group.name && a.alert.labels.get("alertname") == Some(&rule.name))
                .find_map(|a| a.alert.annotations.get("summary").cloned())
                .unwrap_or_default();
            if !o.label_filter.is_empty() {
                let pass = |l: &Labels| o.label_filter.iter().all(|m| matches(m, l));
                if instances.is_empty() {
                    let mut own: Labels = rule.labels.clone();
                    own.insert("alertname".into(), rule.name.clone());
                    if !pass(&own) {
                        continue;
                    }
                } else {
                    instances.retain(|i| pass(&i.labels));
                    if instances.is_empty() {
                        continue;
                    }
                }
            }
            let state = instances.iter().map(|i| i.state).max().unwrap_or(AlertState::Inactive);
            let shown = match state {
                AlertState::Firing => o.firing,
                AlertState::Pending => o.pending,
                AlertState::Inactive => o.inactive,
            };
            if !shown || !rule.name.to_lowercase().contains(&needle) {
                continue;
            }
            instances.sort_by(|a, b| importance(a.state).cmp(&importance(b.state)).then(a.labels.cmp(&b.labels)));
            items.push(AlertItem {
                name: rule.name.clone(),
                group: group.name.clone(),
                state,
                since_ms: instances.iter().map(|i| i.active_at_ms).min(),
                labels: rule.labels.clone(),
                summary,
                instances,
            });
        }
    }
    let by_name = |a: &AlertItem, b: &AlertItem| a.name.to_lowercase().cmp(&b.name.to_lowercase());
    match o.sort {
        Sort::AlphaAsc => items.sort_by(by_name),
        Sort::AlphaDesc => items.sort_by(|a, b| by_name(b, a)),
        Sort::Importance => items.sort_by(|a, b| importance(a.state).cmp(&importance(b.state)).then(by_name(a, b))),
        // Rules never active go last either way.
        Sort::TimeAsc => items.sort_by_key(|i| (i.since_ms.is_none(), i.since_ms)),
        Sort::TimeDesc => items.sort_by_key(|i| (i.since_ms.is_none(), std::cmp::Reverse(i.since_ms))),
    }
    items.truncate(o.max_items);
    items
}

/// How long since `since_ms`, abbreviated as Grafana's list writes it
/// (`1h 5m`, `3m 20s`, `0s`).
pub fn age(now_ms: i64, since_ms: i64) -> String {
    let s = ((now_ms - since_ms) / 1000).max(0);
    let parts = [(s / 86_400, "d"), (s / 3600 % 24, "h"), (s / 60 % 60, "m"), (s % 60, "s")];
    let text: Vec<String> = parts.iter().filter(|(n, _)| *n > 0).map(|(n, u)| format!("{n}{u}")).collect();
    if text.is_empty() {
        "0s".into()
    } else {
        text.join(" ")
    }
}

/// Grafana's word for a state in the list.
pub fn state_word(s: AlertState) -> &'static str {
    match s {
        AlertState::Firing => "Firing",
        AlertState::Pending => "Pending",
        AlertState::Inactive => "Normal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::Storage;
    use crate::rules::file;

    const RULES: &str = "groups:
- name: g
  rules:
  - alert: Down
    expr: up == 0
    labels: {severity: critical}
    annotations: {summary: '{{ $labels.instance }} is down'}
  - alert: Slow
    expr: latency > 1
    for: 5m
    labels: {severity: warning}
  - alert: Quiet
    expr: up > 5
  - record: job:up
    expr: up
";

    /// Rules over `up` for two instances (a down, b up) and a slow latency:
    /// Down fires at once for a, Slow is pending, Quiet never activates.
    fn lab() -> Rules {
        let parsed = file::parse(RULES).unwrap_or_else(|e| panic!("{e:?}"));
        let mut rules = Rules::new(vec![("r.yml".into(), parsed)], 60_000, 0);
        let mut storage = Storage::new();
        let series =
            |pairs: &[(&str, &str)]| -> Labels { pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect() };
        for t in [0, 60_000, 120_000] {
            storage.append(&series(&[("__name__", "up"), ("instance", "a")]), t, 0.0);
            storage.append(&series(&[("__name__", "up"), ("instance", "b")]), t, 1.0);
            storage.append(&series(&[("__name__", "latency"), ("instance", "b")]), t, 2.0);
        }
        rules.eval_due(&mut storage, 120_000);
        rules
    }

    fn panel(json: &str) -> Panel {
        serde_json::from_str(json).unwrap_or_default()
    }

    fn names(items: &[AlertItem]) -> Vec<String> {
        items.iter().map(|i| format!("{}:{}", i.name, state_word(i.state))).collect()
    }

    #[test]
    fn filters_sorts_and_limits_as_the_options_say() {
        let rules = lab();
        // (options JSON, rows shown)
        let cases: &[(&str, &[&str])] = &[
            ("{}", &["Down:Firing", "Slow:Pending"]),
            (
                r#"{"options":{"stateFilter":{"firing":true,"pending":true,"normal":true}}}"#,
                &["Down:Firing", "Quiet:Normal", "Slow:Pending"],
            ),
            (
                r#"{"options":{"stateFilter":{"firing":true,"pending":true,"normal":true},"sortOrder":2}}"#,
                &["Slow:Pending", "Quiet:Normal", "Down:Firing"],
            ),
            (
                r#"{"options":{"stateFilter":{"firing":true,"pending":true,"normal":true},"sortOrder":3}}"#,
                &["Down:Firing", "Slow:Pending", "Quiet:Normal"],
            ),
            (r#"{"options":{"stateFilter":{"firing":false}}}"#, &["Slow:Pending"]),
            (r#"{"options":{"maxItems":"1"}}"#, &["Down:Firing"]),
            (r#"{"options":{"alertName":"sl"}}"#, &["Slow:Pending"]),
            (r#"{"options":{"alertInstanceLabelFilter":"{severity=\"critical\"}"}}"#, &["Down:Firing"]),
            (r#"{"options":{"alertInstanceLabelFilter":"instance=\"b\""}}"#, &["Slow:Pending"]),
            (r#"{"options":{"alertInstanceLabelFilter":"{{{"}}"#, &["Down:Firing", "Slow:Pending"]),
            // The older panel's fields.
            (r#"{"stateFilter":["ok"],"limit":5}"#, &["Quiet:Normal"]),
            (r#"{"stateFilter":[],"nameFilter":"E","sortOrder":3}"#, &["Quiet:Normal"]),
            (r#"{"options":{"stateFilter":"firing","maxItems":0}}"#, &["Down:Firing", "Slow:Pending"]),
        ];
        for (json, want) in cases {
            assert_eq!(names(&select(&rules, &options(&panel(json)))), *want, "{json}");
        }
    }

    #[test]
    fn a_row_carries_its_instances_labels_and_time() {
        let rules = lab();
        let items = select(&rules, &options(&panel("{}")));
        let down = &items[0];
        assert_eq!(down.group, "g");
        assert_eq!(down.labels.get("severity").map(String::as_str), Some("critical"));
        assert_eq!(down.summary, "a is down");
        assert_eq!(down.instances.len(), 1);
        assert_eq!(down.instances[0].labels.get("instance").map(String::as_str), Some("a"));
        assert_eq!(down.since_ms, Some(0));
        let slow = &items[1];
        assert_eq!(slow.instances[0].state, AlertState::Pending);
        // Time order: both active since 0, the never-active rule last.
        let all = r#"{"options":{"stateFilter":{"normal":true},"sortOrder":5}}"#;
        assert_eq!(names(&select(&rules, &options(&panel(all))))[2], "Quiet:Normal");
    }

    #[test]
    fn ages_read_as_grafana_writes_them() {
        let cases =
            [(0, "0s"), (59_000, "59s"), (200_000, "3m 20s"), (3_900_000, "1h 5m"), (90_061_000, "1d 1h 1m 1s")];
        for (ms, want) in cases {
            assert_eq!(age(ms, 0), want);
        }
        assert_eq!(age(0, 5_000), "0s", "a time ahead of now reads as just now");
    }
}
