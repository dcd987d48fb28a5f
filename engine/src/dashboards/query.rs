//! Running a panel's queries: interpolation, the step, instant or range
//! evaluation over the engine's PromQL, and each series' name from its
//! legend format or Grafana's default.

use super::cache::RangeCache;
use super::interval::{parse_duration, Timing};
use super::model::Panel;
use super::template::{interpolate, Context, VarState};
use crate::promql::{self, Labels, Storage, Value};
use regex::Regex;
use std::sync::OnceLock;

/// One series of a panel's result.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// The query it came from (`A`).
    pub ref_id: String,
    /// Its display name before field overrides.
    pub name: String,
    /// Its labels.
    pub labels: Labels,
    /// `(ms, value)`, oldest first; one point for an instant query.
    pub points: Vec<(i64, f64)>,
}

/// What a panel's queries returned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PanelData {
    /// Every series of every query, in query order.
    pub frames: Vec<Frame>,
    /// A query's error, as `A: message`.
    pub errors: Vec<String>,
    /// The range drawn.
    pub start_ms: i64,
    /// The range drawn.
    pub end_ms: i64,
    /// The step the range queries ran at.
    pub step_ms: i64,
    /// A logs panel's lines.
    pub logs: Option<super::logs::LogResult>,
    /// An alert list's rules.
    pub alerts: Option<Vec<super::alerts::AlertItem>>,
}

impl PanelData {
    /// Whether any series has a point, a log a line, or a list a rule.
    pub fn has_data(&self) -> bool {
        self.frames.iter().any(|f| !f.points.is_empty())
            || self.logs.as_ref().is_some_and(|l| !l.lines.is_empty())
            || self.alerts.as_ref().is_some_and(|a| !a.is_empty())
    }
}

/// Where and how wide a panel's queries look.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// Range start.
    pub from_ms: i64,
    /// Range end (now, for a relative range).
    pub to_ms: i64,
    /// Points wanted per series (the panel's width in pixels).
    pub max_data_points: u32,
}

/// Runs every visible query of `panel`.
pub fn run_panel(storage: &Storage, panel: &Panel, vars: &[VarState], window: Window) -> PanelData {
    run_panel_with(storage, panel, vars, window, None)
}

/// Runs every visible query of `panel` through `cache` when there is one.
pub fn run_panel_with(
    storage: &Storage,
    panel: &Panel,
    vars: &[VarState],
    window: Window,
    mut cache: Option<&mut RangeCache>,
) -> PanelData {
    let points = panel.max_data_points.unwrap_or(window.max_data_points).max(1);
    let panel_min = panel.interval.as_deref().and_then(|i| parse_duration(&interpolate(i, vars, &[], Context::Query)));
    let base = Timing::new(window.from_ms, window.to_ms, points, panel_min, None, 1.0);
    let mut data =
        PanelData { start_ms: window.from_ms, end_ms: window.to_ms, step_ms: base.step_ms, ..PanelData::default() };
    for target in panel.targets.iter().filter(|t| !t.hide && !t.expr.trim().is_empty()) {
        let target_min =
            target.interval.as_deref().and_then(|i| parse_duration(&interpolate(i, vars, &[], Context::Query)));
        let timing = Timing::new(
            window.from_ms,
            window.to_ms,
            points,
            panel_min,
            target_min,
            target.interval_factor.unwrap_or(1.0),
        );
        let expr = interpolate(&target.expr, vars, &timing.variables(), Context::Query);
        let legend = interpolate(&target.legend_format, vars, &[], Context::Text);
        let name = |labels: &Labels| series_name(&legend, labels, &expr);
        let mut push = |labels: Labels, points: Vec<(i64, f64)>| {
            data.frames.push(Frame { ref_id: target.ref_id.clone(), name: name(&labels), labels, points });
        };
        if target.is_instant() {
            let result = match cache.as_deref_mut() {
                Some(cache) => cache.instant(storage, &expr, window.to_ms),
                None => promql::instant(storage, &expr, window.to_ms),
            };
            match result {
                Ok(Value::Vector(samples)) => samples.into_iter().for_each(|s| push(s.labels, vec![(s.t, s.v)])),
                Ok(Value::Scalar { t, v }) => push(Labels::new(), vec![(t, v)]),
                Ok(Value::Matrix(m)) => m.into_iter().for_each(|s| push(s.labels, s.points)),
                Ok(Value::String { .. }) => {}
                Err(e) => data.errors.push(format!("{}: {}", target.ref_id, e.0)),
            }
        } else {
            data.step_ms = timing.step_ms;
            let (start, end, step) = (timing.start_ms, timing.end_ms, timing.step_ms);
            let result = match cache.as_deref_mut() {
                Some(cache) => cache.range(storage, &expr, start, end, step),
                None => promql::range(storage, &expr, start, end, step),
            };
            match result {
                Ok(matrix) => matrix.into_iter().for_each(|s| push(s.labels, s.points)),
                Err(e) => data.errors.push(format!("{}: {}", target.ref_id, e.0)),
            }
        }
    }
    data
}

/// A series' name: the legend format with `{{label}}` filled in (a missing
/// label gives nothing), or with no format (or `__auto`) Grafana's default
/// `name{a="x", b="y"}`, the expression itself when there are no labels.
pub fn series_name(legend: &str, labels: &Labels, expr: &str) -> String {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"\{\{\s*(.+?)\s*\}\}").unwrap_or_else(|_| unreachable!("a fixed pattern")));
    if !legend.is_empty() && legend != "__auto" {
        return re
            .replace_all(legend, |c: &regex::Captures| {
                c.get(1).and_then(|m| labels.get(m.as_str())).cloned().unwrap_or_default()
            })
            .into_owned();
    }
    let name = labels.get(promql::METRIC_NAME).map_or("", String::as_str);
    let rest: Vec<String> =
        labels.iter().filter(|(k, _)| *k != promql::METRIC_NAME).map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    let text = format!("{name}{{{}}}", rest.join(", "));
    if text == "{}" {
        expr.to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn legend_table() {
        let pod =
            labels(&[("__name__", "container_memory_working_set_bytes"), ("namespace", "default"), ("pod", "web-1")]);
        let bare = labels(&[("namespace", "default"), ("pod", "web-1")]);
        // (legend format, labels, expected name)
        let cases: &[(&str, &Labels, &str)] = &[
            ("{{pod}}", &pod, "web-1"),
            ("{{ namespace }}/{{pod}}", &pod, "default/web-1"),
            ("{{missing}} pod", &pod, " pod"),
            ("static", &pod, "static"),
            ("", &pod, r#"container_memory_working_set_bytes{namespace="default", pod="web-1"}"#),
            ("__auto", &bare, r#"{namespace="default", pod="web-1"}"#),
            ("", &Labels::new(), "sum(rate(x[5m]))"),
        ];
        for (fmt, l, want) in cases {
            assert_eq!(&series_name(fmt, l, "sum(rate(x[5m]))"), want, "{fmt}");
        }
    }
}
