//! Rule unit tests in `promtool test rules` format, run through our rules
//! engine: every `*.test.yml` in `tests/rules/` names rule files, input
//! series, and the alerts and query results expected at given times. When
//! `promtool` is on PATH, the same files run through it too, so the
//! expectations are proven against the real thing.
//!
//! As promtool does, every group is evaluated at every
//! `evaluation_interval` from time 0 whatever its own `interval` (group
//! intervals are covered by the unit tests in `metrics/rules`), and an
//! `alert_rule_test` at `eval_time` sees the evaluation at the last
//! interval at or before it, counting firing alerts only.

mod common;

use common::series::{duration, expand, series_desc};
use engine::promql::{self, Labels, Storage, Value};
use engine::rules::{file, AlertState, External, Rules};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    rule_files: Vec<String>,
    #[serde(default)]
    evaluation_interval: Option<String>,
    // Accepted; our files keep no expectation that depends on the order of
    // groups within one evaluation.
    #[serde(default)]
    #[allow(dead_code)]
    group_eval_order: Vec<String>,
    tests: Vec<TestGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    #[serde(default)]
    name: String,
    #[serde(default)]
    interval: Option<String>,
    #[serde(default)]
    input_series: Vec<InputSeries>,
    #[serde(default)]
    alert_rule_test: Vec<AlertTest>,
    #[serde(default)]
    promql_expr_test: Vec<ExprTest>,
    #[serde(default)]
    external_labels: BTreeMap<String, String>,
    #[serde(default)]
    external_url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputSeries {
    series: String,
    values: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertTest {
    eval_time: String,
    alertname: String,
    #[serde(default)]
    exp_alerts: Vec<ExpAlert>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpAlert {
    #[serde(default)]
    exp_labels: BTreeMap<String, String>,
    #[serde(default)]
    exp_annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExprTest {
    expr: String,
    eval_time: String,
    #[serde(default)]
    exp_samples: Vec<ExpSample>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpSample {
    labels: String,
    value: f64,
}

fn dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rules"))
}

fn test_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/rules exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".test.yml"))
        .collect();
    files.sort();
    files
}

fn dur(s: &str) -> i64 {
    duration(s).unwrap_or_else(|| panic!("bad duration {s}"))
}

/// Runs one test file; returns the failures.
fn run_file(path: &Path) -> (usize, Vec<String>) {
    let text = std::fs::read_to_string(path).expect("readable");
    let tf: TestFile = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let base = path.parent().expect("a folder");
    let mut files = Vec::new();
    for rf in &tf.rule_files {
        let text = std::fs::read_to_string(base.join(rf)).unwrap_or_else(|e| panic!("{rf}: {e}"));
        let mut parsed = file::parse(&text).unwrap_or_else(|e| panic!("{rf}: {}", e.join("\n")));
        // promtool evaluates every group at every evaluation_interval.
        for g in &mut parsed.groups {
            g.interval_ms = None;
        }
        files.push((rf.clone(), parsed));
    }
    let eval_interval = tf.evaluation_interval.as_deref().map(dur).unwrap_or(60_000);
    let mut checks = 0;
    let mut failures = Vec::new();
    for (gi, tg) in tf.tests.iter().enumerate() {
        let label = format!("{} test {} {}", path.file_name().and_then(|n| n.to_str()).unwrap_or(""), gi, tg.name);
        let interval = tg.interval.as_deref().map(dur).unwrap_or(60_000);
        let mut storage = Storage::new();
        for s in &tg.input_series {
            let (labels, _) = series_desc(&s.series).unwrap_or_else(|| panic!("bad series {}", s.series));
            let values = expand(&s.values).unwrap_or_else(|| panic!("bad values {}", s.values));
            for (k, v) in values.into_iter().enumerate() {
                if let Some(v) = v {
                    storage.append(&labels, k as i64 * interval, v);
                }
            }
        }
        let mut rules = Rules::new(files.clone(), eval_interval, 0);
        rules.set_external(External {
            labels: tg.external_labels.clone().into_iter().collect(),
            url: tg.external_url.clone(),
        });
        let mut alert_tests: Vec<(i64, &AlertTest)> =
            tg.alert_rule_test.iter().map(|t| (dur(&t.eval_time), t)).collect();
        alert_tests.sort_by_key(|(t, _)| *t);
        let maxt = alert_tests
            .iter()
            .map(|(t, _)| *t)
            .chain(tg.promql_expr_test.iter().map(|t| dur(&t.eval_time)))
            .max()
            .unwrap_or(0);
        let mut next = 0;
        let mut ts = 0;
        while ts <= maxt {
            rules.eval_due(&mut storage, ts);
            for g in rules.groups() {
                for r in g.rules {
                    if let (Some(e), Some(t)) = (&r.health.last_error, r.health.last_eval_ms) {
                        if t == ts {
                            failures.push(format!("{label}: rule {} at {ts}: {e}", r.name));
                        }
                    }
                }
            }
            while next < alert_tests.len() && alert_tests[next].0 < ts + eval_interval {
                let (t, test) = alert_tests[next];
                next += 1;
                checks += 1;
                let mut got: Vec<(Labels, BTreeMap<String, String>)> = rules
                    .alerts()
                    .into_iter()
                    .filter(|a| a.alert.state == AlertState::Firing)
                    .filter(|a| a.alert.labels.get("alertname") == Some(&test.alertname))
                    .map(|a| (a.alert.labels, a.alert.annotations))
                    .collect();
                let mut want: Vec<(Labels, BTreeMap<String, String>)> = test
                    .exp_alerts
                    .iter()
                    .map(|a| {
                        let mut l: Labels = a.exp_labels.clone().into_iter().collect();
                        l.insert("alertname".into(), test.alertname.clone());
                        (l, a.exp_annotations.clone())
                    })
                    .collect();
                got.sort();
                want.sort();
                if got != want {
                    failures
                        .push(format!("{label}: alert {} at {t}ms:\n  got  {got:?}\n  want {want:?}", test.alertname));
                }
            }
            ts += eval_interval;
        }
        for et in &tg.promql_expr_test {
            checks += 1;
            let t = dur(&et.eval_time);
            let got: Vec<(Labels, f64)> = match promql::instant(&storage, &et.expr, t) {
                Ok(Value::Vector(v)) => v.into_iter().map(|s| (s.labels, s.v)).collect(),
                Ok(Value::Scalar { v, .. }) => vec![(Labels::new(), v)],
                Ok(other) => {
                    failures.push(format!("{label}: {} at {t}: not a vector: {other}", et.expr));
                    continue;
                }
                Err(e) => {
                    failures.push(format!("{label}: {} at {t}: {e}", et.expr));
                    continue;
                }
            };
            let mut got = got;
            let mut want: Vec<(Labels, f64)> = et
                .exp_samples
                .iter()
                .map(|s| (series_desc(&s.labels).map(|(l, _)| l).unwrap_or_default(), s.value))
                .collect();
            got.sort_by(|a, b| a.0.cmp(&b.0));
            want.sort_by(|a, b| a.0.cmp(&b.0));
            let same = got.len() == want.len()
                && got.iter().zip(&want).all(|(g, w)| g.0 == w.0 && ((g.1 - w.1).abs() <= 1e-9 * w.1.abs().max(1.0)));
            if !same {
                let show = |v: &[(Labels, f64)]| {
                    v.iter().map(|(l, x)| format!("{} {x}", promql::format_labels(l))).collect::<Vec<_>>().join("; ")
                };
                failures.push(format!(
                    "{label}: {} at {t}:\n  got  [{}]\n  want [{}]",
                    et.expr,
                    show(&got),
                    show(&want)
                ));
            }
        }
    }
    (checks, failures)
}

#[test]
fn promtool_rule_tests_through_our_engine() {
    let mut report = String::new();
    let mut all = Vec::new();
    for path in test_files() {
        let (checks, failures) = run_file(&path);
        report.push_str(&format!(
            "{}: {} passed, {} failed\n",
            path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            checks - failures.len().min(checks),
            failures.len()
        ));
        all.extend(failures);
    }
    println!("{report}");
    assert!(!report.is_empty(), "no test files");
    assert!(all.is_empty(), "{report}\n{}", all.join("\n\n"));
}

#[test]
fn real_promtool_agrees() {
    let Ok(out) = std::process::Command::new("promtool").arg("--version").output() else {
        println!("promtool not on PATH: skipped");
        return;
    };
    assert!(out.status.success());
    for path in test_files() {
        let out = std::process::Command::new("promtool")
            .arg("test")
            .arg("rules")
            .arg(path.file_name().expect("a name"))
            .current_dir(dir())
            .output()
            .expect("promtool runs");
        assert!(
            out.status.success(),
            "promtool test rules {}:\n{}{}",
            path.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // The shipped rule file passes promtool's own check too.
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/presets/monitoring/alerting_rules.yml");
    let out = std::process::Command::new("promtool").args(["check", "rules", shipped]).output().expect("promtool runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// The shipped rules and Alertmanager config end to end: a node whose
/// kubelet stops answering at 2m pends at the 2m evaluation, fires at 3m
/// (`for: 1m`), waits out group_wait (3m30s) and lands in #alerts; back at
/// 20m, its resolution goes out on the group's next 5m tick (23m30s).
#[test]
fn shipped_rules_reach_the_chat_channel() {
    use engine::rules::{Alertmanager, Status, DEFAULT_ALERTMANAGER_CONFIG, DEFAULT_RULES};
    let parsed = file::parse(DEFAULT_RULES).expect("shipped rules parse");
    let mut rules = Rules::new(vec![("alerting_rules.yml".into(), parsed)], 60_000, 0);
    let mut am = Alertmanager::from_yaml(DEFAULT_ALERTMANAGER_CONFIG).expect("shipped config parses");
    let mut storage = Storage::new();
    let up = |node: &str| -> Labels {
        [("__name__", "up"), ("job", "kubernetes-nodes"), ("instance", node)]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut messages = Vec::new();
    // Scrapes every 15s; w1 down from 2m to 20m.
    for k in 0..(40 * 4) {
        let t = k * 15_000;
        let down = (120_000..1_200_000).contains(&t);
        storage.append(&up("w1-k8s"), t, if down { 0.0 } else { 1.0 });
        storage.append(&up("w2-k8s"), t, 1.0);
        let sent = rules.eval_due(&mut storage, t);
        am.receive(sent, t);
        messages.extend(am.flush(t));
    }
    let got: Vec<(i64, &str, &str, Status)> =
        messages.iter().map(|n| (n.at_ms / 1000, n.channel.as_str(), n.title.as_str(), n.status)).collect();
    assert_eq!(
        got,
        [
            (210, "#alerts", "[FIRING:1] NodeDown (w1-k8s kubernetes-nodes critical)", Status::Firing),
            (1410, "#alerts", "[RESOLVED] NodeDown (w1-k8s kubernetes-nodes critical)", Status::Resolved),
        ]
    );
    assert_eq!(messages[0].text, "Node w1-k8s is down\n");
}
