//! The `dashboard` check: what a learner built in the lab's Grafana, read
//! from the dashboard JSON the cluster holds, as a reviewer would read it.

use super::format::{DashboardWant, PanelWant};
use crate::dashboards::model::{Dashboard, Panel};
use crate::dashboards::saved::Saved;

/// Whether a saved dashboard titled `want.title` has all `want` asks.
pub fn holds(want: &DashboardWant, saved: &Saved) -> bool {
    let Some(dash) = saved.titled(&want.title) else { return false };
    want.panel.as_ref().is_none_or(|p| panels(dash).any(|panel| panel_has(panel, p)))
        && want.variable.as_ref().is_none_or(|name| dash.templating.list.iter().any(|v| v.name == *name))
        && want.refresh.as_ref().is_none_or(|r| dash.refresh.as_deref() == Some(r.as_str()))
}

/// Every panel, those of collapsed rows included; rows themselves are not
/// panels a check asks about.
fn panels(dash: &Dashboard) -> impl Iterator<Item = &Panel> {
    dash.panels.iter().flat_map(|p| std::iter::once(p).chain(&p.panels)).filter(|p| p.kind != "row")
}

fn panel_has(panel: &Panel, want: &PanelWant) -> bool {
    let defaults = &panel.field_config.defaults;
    let query_asked = want.expr_contains.is_some() || want.legend.is_some() || want.instant.is_some();
    want.kind.as_ref().is_none_or(|k| panel.kind == *k)
        && want.title.as_ref().is_none_or(|t| panel.title == *t)
        && want.unit.as_ref().is_none_or(|u| defaults.unit.as_deref() == Some(u.as_str()))
        && want.threshold.is_none_or(|at| {
            let steps = defaults.thresholds.as_ref().map(|t| t.steps.as_slice()).unwrap_or_default();
            steps.iter().any(|s| s.value.is_some_and(|v| (v - at).abs() < 1e-9))
        })
        && (!query_asked
            || panel.targets.iter().filter(|t| !t.hide).any(|t| {
                want.expr_contains.as_ref().is_none_or(|e| t.expr.contains(e.as_str()))
                    && want.legend.as_ref().is_none_or(|l| t.legend_format == *l)
                    && want.instant.is_none_or(|i| t.is_instant() == i)
            }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAVED: &str = r#"{
      "title": "Lab CPU", "refresh": "10s",
      "templating": {"list": [{"name": "namespace", "type": "query", "query": "label_values(kube_pod_info, namespace)"}]},
      "panels": [
        {"type": "timeseries", "title": "CPU by pod",
         "targets": [
           {"refId": "A", "expr": "sum by (pod) (rate(container_cpu_usage_seconds_total{namespace=~\"$namespace\"}[$__rate_interval]))", "legendFormat": "{{pod}}"},
           {"refId": "B", "expr": "sum(kube_pod_container_resource_requests{resource=\"cpu\"})", "legendFormat": "requests", "hide": true}
         ],
         "fieldConfig": {"defaults": {"unit": "percentunit", "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": 0.8}]}}}},
        {"type": "row", "title": "More", "collapsed": true, "panels": [
          {"type": "stat", "title": "Pods", "targets": [{"refId": "A", "expr": "count(kube_pod_info)", "instant": true}]}
        ]}
      ]
    }"#;

    fn want(yaml: &str) -> DashboardWant {
        serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"))
    }

    #[test]
    fn a_dashboard_check_reads_the_saved_json() {
        let mut saved = Saved::default();
        saved.save(SAVED).unwrap_or_else(|e| panic!("{e}"));
        let table: &[(&str, bool)] = &[
            ("{title: Lab CPU}", true),
            ("{title: lab cpu}", false),
            (
                "{title: Lab CPU, panel: {type: timeseries, expr_contains: 'rate(container_cpu_usage_seconds_total'}}",
                true,
            ),
            ("{title: Lab CPU, panel: {type: stat, expr_contains: 'rate(container_cpu_usage_seconds_total'}}", false),
            ("{title: Lab CPU, panel: {expr_contains: rate(, legend: '{{pod}}'}}", true),
            ("{title: Lab CPU, panel: {expr_contains: rate(, legend: '{{namespace}}'}}", false),
            // Query fields hold for one query together, and a hidden query is not run.
            ("{title: Lab CPU, panel: {expr_contains: rate(, legend: requests}}", false),
            ("{title: Lab CPU, panel: {expr_contains: kube_pod_container_resource_requests}}", false),
            ("{title: Lab CPU, panel: {expr_contains: '$namespace', instant: false}}", true),
            ("{title: Lab CPU, panel: {type: stat, title: Pods, instant: true}}", true),
            ("{title: Lab CPU, panel: {type: row}}", false),
            ("{title: Lab CPU, panel: {unit: percentunit, threshold: 0.8}}", true),
            ("{title: Lab CPU, panel: {unit: percent}}", false),
            ("{title: Lab CPU, panel: {threshold: 80}}", false),
            ("{title: Lab CPU, variable: namespace, refresh: 10s}", true),
            ("{title: Lab CPU, variable: pod}", false),
            ("{title: Lab CPU, refresh: 5s}", false),
        ];
        for (yaml, expect) in table {
            assert_eq!(holds(&want(yaml), &saved), *expect, "{yaml}");
        }
        assert!(!holds(&want("{title: Lab CPU}"), &Saved::default()), "nothing saved yet");
    }

    #[test]
    fn a_misspelt_key_is_an_error_not_a_check_that_always_holds() {
        assert!(serde_yaml::from_str::<DashboardWant>("{title: x, panel: {legned: '{{pod}}'}}").is_err());
        assert!(serde_yaml::from_str::<DashboardWant>("{title: x, varible: namespace}").is_err());
    }
}
