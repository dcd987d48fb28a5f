//! The rules face over time: schedules, sending, reloads, limits.

use super::*;
use crate::promql::{instant, is_stale, Labels, Storage, Value};

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn rules(text: &str, interval: i64) -> Rules {
    let f = file::parse(text).unwrap_or_else(|e| panic!("{e:?}"));
    Rules::new(vec![("r.yml".into(), f)], interval, 0)
}

fn samples(storage: &Storage, name: &str) -> Vec<(i64, f64)> {
    storage
        .series()
        .iter()
        .filter(|s| s.labels.get("__name__").map(String::as_str) == Some(name))
        .flat_map(|s| s.samples().collect::<Vec<_>>())
        .collect()
}

#[test]
fn groups_run_on_their_own_epoch_aligned_ticks() {
    let mut r = rules(
        "groups:\n- name: fast\n  interval: 30s\n  rules:\n  - record: a\n    expr: vector(1)\n- name: slow\n  rules:\n  - record: b\n    expr: vector(1)\n",
        60_000,
    );
    let mut s = Storage::new();
    assert_eq!(r.next_due(), Some(0));
    r.eval_due(&mut s, 0);
    assert_eq!(r.next_due(), Some(30_000));
    // Catching up evaluates every missed tick in time order.
    r.eval_due(&mut s, 150_000);
    let times = |name| samples(&s, name).into_iter().map(|(t, _)| t / 1000).collect::<Vec<_>>();
    assert_eq!(times("a"), [0, 30, 60, 90, 120, 150]);
    assert_eq!(times("b"), [0, 60, 120]);
    assert_eq!(r.next_due(), Some(180_000));
    // A group made mid-interval waits for the next aligned tick.
    let f = file::parse("groups:\n- name: g\n  rules:\n  - record: c\n    expr: vector(1)\n").unwrap();
    let late = Rules::new(vec![("r.yml".into(), f)], 60_000, 61_000);
    assert_eq!(late.next_due(), Some(120_000));
}

#[test]
fn firing_alerts_are_resent_after_the_resend_delay_and_resolved_ones_kept_15m() {
    let mut r = rules("groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n", 60_000);
    let mut s = Storage::new();
    let up = labels(&[("__name__", "up"), ("job", "n")]);
    for m in 0..3 {
        s.append(&up, m * 60_000, 0.0);
    }
    for m in 3..30 {
        s.append(&up, m * 60_000, 1.0);
    }
    let mut sent = Vec::new();
    for m in 0..25 {
        for a in r.eval_due(&mut s, m * 60_000) {
            sent.push((m, a.ends_at_ms / 60_000, a.starts_at_ms));
        }
    }
    // Prometheus resends once `lastSent + 1m` is strictly before now, so at
    // a 1m interval every other evaluation; valid for 4 intervals. Resolved
    // at 3m: sent at once, then resent on the same cadence until dropped
    // 15 minutes after resolving.
    let minutes: Vec<(i64, i64)> = sent.iter().map(|(m, e, _)| (*m, *e)).collect();
    assert_eq!(minutes, [(0, 4), (2, 6), (3, 3), (5, 3), (7, 3), (9, 3), (11, 3), (13, 3), (15, 3), (17, 3)]);
    assert!(r.alerts().is_empty());
    assert_eq!(r.groups()[0].rules[0].alerts, 0);
}

#[test]
fn pending_series_go_stale_when_the_alert_fires() {
    let mut r = rules("groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 1m\n", 60_000);
    let mut s = Storage::new();
    let up = labels(&[("__name__", "up")]);
    for m in 0..5 {
        s.append(&up, m * 60_000, 0.0);
    }
    r.eval_due(&mut s, 180_000);
    let pending = labels(&[("__name__", "ALERTS"), ("alertname", "Down"), ("alertstate", "pending")]);
    let series = s.series().iter().find(|x| x.labels == pending).expect("pending series");
    let samples: Vec<(i64, f64)> = series.samples().collect();
    assert_eq!(samples[0], (0, 1.0));
    assert_eq!(samples[1].0, 60_000);
    assert!(is_stale(samples[1].1));
    assert_eq!(r.alerts()[0].alert.state, AlertState::Firing);
    assert_eq!(r.alerts()[0].alert.active_at_ms, 0);
}

#[test]
fn reload_keeps_alert_state_and_marks_dropped_rules_stale() {
    let text =
        "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 2m\n  - record: r\n    expr: up\n";
    let mut r = rules(text, 60_000);
    let mut s = Storage::new();
    let up = labels(&[("__name__", "up")]);
    for m in 0..10 {
        s.append(&up, m * 60_000, 0.0);
    }
    r.eval_due(&mut s, 60_000);
    // Same alert, the recording rule gone.
    let f = file::parse("groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n    for: 2m\n").unwrap();
    r.replace(vec![("r.yml".into(), f)], 90_000);
    assert_eq!(r.next_due(), Some(120_000));
    r.eval_due(&mut s, 120_000);
    assert_eq!(r.alerts()[0].alert.state, AlertState::Firing, "active since 0, for 2m");
    let rec = samples(&s, "r");
    assert_eq!(rec.len(), 3);
    assert!(is_stale(rec[2].1) && rec[2].0 == 120_000);
    assert_eq!(instant(&s, "r", 150_000), Ok(Value::Vector(Vec::new())));
}

#[test]
fn failing_rules_report_and_limits_hold() {
    let mut r = rules(
        "groups:\n- name: g\n  limit: 1\n  rules:\n  - alert: Many\n    expr: x > 0\n  - record: s\n    expr: '\"text\"'\n  - record: dup\n    expr: x\n    labels: {i: same}\n",
        60_000,
    );
    let mut s = Storage::new();
    s.append(&labels(&[("__name__", "x"), ("i", "1")]), 0, 1.0);
    s.append(&labels(&[("__name__", "x"), ("i", "2")]), 0, 1.0);
    r.eval_due(&mut s, 0);
    let g = &r.groups()[0];
    let errors: Vec<_> = g.rules.iter().map(|x| x.health.last_error.clone().unwrap_or_default()).collect();
    assert_eq!(
        errors,
        [
            "exceeded limit of 1 with 2 alerts",
            "rule result is not a vector or scalar",
            "vector contains metrics with the same labelset after applying rule labels"
        ]
    );
    assert_eq!(g.rules[0].health.as_str(), "err");
    assert!(r.alerts().is_empty());
}

#[test]
fn template_errors_show_in_the_annotation() {
    let mut r = rules(
        "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: vector(1)\n    annotations:\n      s: '{{ humanize \"x\" }}'\n",
        60_000,
    );
    let mut s = Storage::new();
    let sent = r.eval_due(&mut s, 0);
    assert!(
        sent[0].annotations["s"].starts_with("<error expanding template: error executing template __alert_A:"),
        "{:?}",
        sent[0].annotations
    );
}

#[test]
fn a_long_gap_is_caught_up_boundedly() {
    let mut r = rules("groups:\n- name: g\n  interval: 1s\n  rules:\n  - record: a\n    expr: vector(1)\n", 60_000);
    let mut s = Storage::new();
    // A week of 1s ticks: the first MAX_CATCH_UP are evaluated, then the
    // group skips to the last tick, as Prometheus skips missed iterations.
    let week = 7 * 86_400_000;
    r.eval_due(&mut s, week);
    let a = samples(&s, "a");
    assert_eq!(a.len(), MAX_CATCH_UP + 1);
    assert_eq!(a.last().map(|x| x.0), Some(week));
    assert_eq!(r.next_due(), Some(week + 1000));
}
