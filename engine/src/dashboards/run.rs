//! Any panel over the lab: PromQL panels over its Prometheus, a logs panel
//! over its containers' logs, an alert list over its Prometheus rules.

use super::alerts;
use super::cache::RangeCache;
use super::interval::parse_duration;
use super::logs::{self, LogResult};
use super::model::Panel;
use super::query::{run_panel_with, PanelData, Window};
use super::template::{interpolate, Context, VarState};
use crate::cluster::Cluster;
use serde_json::Value;

/// The panel's own relative time (`timeFrom: "1h"`, Grafana's query
/// option), which replaces the dashboard's range up to the same end.
pub fn time_from(panel: &Panel) -> Option<i64> {
    let text = panel.extra.get("timeFrom").and_then(Value::as_str)?;
    parse_duration(text.trim().trim_start_matches("now-")).filter(|ms| *ms > 0)
}

/// What `panel` shows over `cluster` in `window` (or its own `timeFrom`).
pub fn run(cluster: &Cluster, panel: &Panel, vars: &[VarState], window: Window) -> PanelData {
    run_with(cluster, panel, vars, window, None)
}

/// [`run`], with range queries through `cache` (see [`RangeCache::begin`]).
pub fn run_with(
    cluster: &Cluster,
    panel: &Panel,
    vars: &[VarState],
    window: Window,
    cache: Option<&mut RangeCache>,
) -> PanelData {
    let window = match time_from(panel) {
        Some(ms) => Window { from_ms: window.to_ms - ms, ..window },
        None => window,
    };
    let empty = PanelData { start_ms: window.from_ms, end_ms: window.to_ms, ..PanelData::default() };
    match panel.kind.as_str() {
        "logs" => run_logs(cluster, panel, vars, window, cache),
        "alertlist" => match cluster.rules() {
            Some(rules) => PanelData { alerts: Some(alerts::select(rules, &alerts::options(panel))), ..empty },
            None => empty,
        },
        _ => cluster.tsdb().map_or(empty, |storage| run_panel_with(storage, panel, vars, window, cache)),
    }
}

/// Every visible target as a log query; the lines of all of them, newest
/// `limit` kept, in the panel's order.
fn run_logs(
    cluster: &Cluster,
    panel: &Panel,
    vars: &[VarState],
    window: Window,
    mut cache: Option<&mut RangeCache>,
) -> PanelData {
    let newest_first = logs::options(panel).newest_first;
    let mut data = PanelData { start_ms: window.from_ms, end_ms: window.to_ms, ..PanelData::default() };
    let mut all = LogResult::default();
    let mut limit = 0;
    for target in panel.targets.iter().filter(|t| !t.hide && !t.expr.trim().is_empty()) {
        let expr = interpolate(&target.expr, vars, &[], Context::Query);
        let parsed = match cache.as_deref_mut() {
            Some(cache) => logs::parse_with(&expr, &mut |selector| cache.parse(selector)),
            None => logs::parse(&expr),
        };
        let query = match parsed {
            Ok(q) => q,
            Err(e) => {
                data.errors.push(format!("{}: {e}", target.ref_id));
                continue;
            }
        };
        // Loki's per-query line limit, as Grafana's target saves it.
        let max = target.extra.get("maxLines").and_then(Value::as_u64).map_or(logs::DEFAULT_LIMIT, |m| m as usize);
        limit = limit.max(max);
        let got = logs::select(cluster, &query, window.from_ms, window.to_ms, max, false);
        all.truncated |= got.truncated;
        all.lines.extend(got.lines);
    }
    let truncated = all.truncated;
    let mut all = LogResult::ordered(all.lines, limit, newest_first);
    all.truncated |= truncated;
    data.logs = Some(all);
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboards::model::Target;
    use crate::Shell;

    fn panel(kind: &str, exprs: &[&str], options: &str) -> Panel {
        Panel {
            kind: kind.into(),
            targets: exprs
                .iter()
                .enumerate()
                .map(|(i, e)| Target {
                    ref_id: ((b'A' + i as u8) as char).to_string(),
                    expr: e.to_string(),
                    ..Target::default()
                })
                .collect(),
            options: serde_json::from_str(options).unwrap_or_default(),
            ..Panel::default()
        }
    }

    /// The monitored lab with a web server and a pod that crashes.
    fn lab() -> Shell {
        let cluster = Cluster::new("monitoring", 1).unwrap_or_else(|e| panic!("{e}"));
        let mut shell = Shell::new(cluster);
        let files = crate::MemFiles::default();
        for line in [
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl run crash --image=busybox -- sh -c 'echo starting; echo giving up; exit 1'",
        ] {
            let out = shell.run(line, &files);
            assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        }
        shell.step(8 * 60_000);
        shell
    }

    fn window(shell: &Shell) -> Window {
        let now = shell.cluster().now().0;
        Window { from_ms: now - 30 * 60_000, to_ms: now, max_data_points: 100 }
    }

    #[test]
    fn logs_panel_reads_the_selected_containers() {
        let shell = lab();
        let w = window(&shell);
        let run_one = |exprs: &[&str], options: &str| run(shell.cluster(), &panel("logs", exprs, options), &[], w);
        let web = run_one(&[r#"{namespace="default", pod=~"web-.*"}"#], "{}");
        let lines = &web.logs.as_ref().map(|l| l.lines.clone()).unwrap_or_default();
        assert!(!lines.is_empty(), "nginx wrote its start-up lines");
        assert!(lines.iter().all(|l| l.labels.get("pod").is_some_and(|p| p.starts_with("web-"))));
        assert!(lines.iter().all(|l| l.labels.get("container").map(String::as_str) == Some("nginx")));
        assert!(
            lines.iter().all(|l| l.labels.get("app").map(String::as_str) == Some("web")),
            "pod labels are stream labels"
        );
        assert!(lines.windows(2).all(|p| p[0].ms >= p[1].ms), "newest first by default");
        let crash = run_one(&[r#"{pod="crash"} |= "giving""#], r#"{"sortOrder":"Ascending"}"#);
        let texts: Vec<String> = crash.logs.iter().flat_map(|l| l.lines.iter().map(|x| x.line.clone())).collect();
        assert!(!texts.is_empty() && texts.iter().all(|t| t == "giving up"), "{texts:?}");
        let ascending = crash.logs.map(|l| l.lines).unwrap_or_default();
        assert!(ascending.windows(2).all(|p| p[0].ms <= p[1].ms), "oldest first when asked");
        let bad = run_one(&["up", r#"{pod="crash"}"#], "{}");
        assert_eq!(bad.errors.len(), 1, "A's error is told, B still runs: {:?}", bad.errors);
        assert!(bad.has_data());
        let none = run_one(&[r#"{namespace="nowhere"}"#], "{}");
        assert!(!none.has_data() && none.errors.is_empty());
    }

    #[test]
    fn a_panel_time_from_replaces_the_range() {
        let shell = lab();
        let w = window(&shell);
        let mut p = panel("logs", &[r#"{namespace="default"}"#], "{}");
        assert_eq!(run(shell.cluster(), &p, &[], w).start_ms, w.from_ms);
        // (timeFrom, range it gives)
        for (from, ms) in [("1h", 3_600_000), ("now-2m", 120_000)] {
            p.extra.insert("timeFrom".into(), from.into());
            assert_eq!(run(shell.cluster(), &p, &[], w).start_ms, w.to_ms - ms, "{from}");
        }
        p.extra.insert("timeFrom".into(), "soon".into());
        assert_eq!(run(shell.cluster(), &p, &[], w).start_ms, w.from_ms, "an unreadable one is ignored");
    }

    #[test]
    fn alert_list_shows_the_crash_loop_firing() {
        let shell = lab();
        let data = run(shell.cluster(), &panel("alertlist", &[], r#"{"sortOrder":3}"#), &[], window(&shell));
        let items = data.alerts.unwrap_or_default();
        let crash = items.iter().find(|i| i.name == "PodCrashLooping").map(|i| (i.state, i.instances.len()));
        assert_eq!(crash, Some((crate::rules::AlertState::Firing, 1)), "{items:?}");
        let plain = Cluster::new("default", 1).unwrap_or_else(|e| panic!("{e}"));
        let none = run(&plain, &panel("alertlist", &[], "{}"), &[], window(&shell));
        assert!(!none.has_data(), "no Prometheus, no rules");
    }
}
