//! A rule group's evaluation, as Prometheus's rules manager runs one: every
//! rule in order at one timestamp, results appended to the storage, series a
//! rule stopped producing marked stale, alerts handed on to be sent.

use super::alerting::{Alert, AlertingRule, External};
use super::file::{GroupSpec, RuleKind, RuleSpec};
use crate::promql::{self, stale_marker, Labels, Sample, Storage, Value, METRIC_NAME};
use std::collections::BTreeSet;

/// Prometheus's `--rules.alert.resend-delay` default.
pub const RESEND_DELAY_MS: i64 = 60_000;

/// How a rule's last evaluation went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Health {
    /// When it last ran (ms), if ever.
    pub last_eval_ms: Option<i64>,
    /// Its error then, in Prometheus's words; `None` = ok.
    pub last_error: Option<String>,
}

impl Health {
    /// Prometheus's health word: `unknown`, `ok` or `err`.
    pub fn as_str(&self) -> &'static str {
        match (self.last_eval_ms, &self.last_error) {
            (None, _) => "unknown",
            (_, None) => "ok",
            _ => "err",
        }
    }
}

/// One rule and what its last evaluation wrote.
#[derive(Clone, Debug)]
pub(super) struct RuleState {
    pub(super) spec: RuleSpec,
    pub(super) alerting: Option<AlertingRule>,
    pub(super) health: Health,
    /// The series written last time, to mark stale those that go away.
    pub(super) previous: BTreeSet<Labels>,
}

impl RuleState {
    pub(super) fn new(spec: RuleSpec) -> Self {
        let alerting = (spec.kind == RuleKind::Alert).then(|| AlertingRule::new(spec.clone()));
        RuleState { spec, alerting, health: Health::default(), previous: BTreeSet::new() }
    }
}

/// A group and its schedule.
#[derive(Clone, Debug)]
pub(super) struct Group {
    pub(super) file: String,
    pub(super) spec: GroupSpec,
    pub(super) interval_ms: i64,
    pub(super) rules: Vec<RuleState>,
    pub(super) next_ms: i64,
    pub(super) last_eval_ms: Option<i64>,
    /// Series of rules dropped by a reload, marked stale at the next run.
    pub(super) stale: Vec<Labels>,
}

/// The first multiple of `interval` at or after `t`: groups run on ticks
/// aligned to the Unix epoch (Prometheus adds a per-group offset from a
/// hash; a fixed alignment keeps replays and tests simple).
pub(super) fn align_up(t: i64, interval: i64) -> i64 {
    let r = t.rem_euclid(interval);
    if r == 0 {
        t
    } else {
        t - r + interval
    }
}

/// A link to the expression, as Prometheus's `TableLinkForExpression`.
fn generator_url(ext: &External, expr: &str) -> String {
    let mut q = String::new();
    for b in expr.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => q.push(b as char),
            b' ' => q.push('+'),
            _ => q.push_str(&format!("%{b:02X}")),
        }
    }
    format!("{}/graph?g0.expr={q}&g0.tab=1", ext.url)
}

impl Group {
    pub(super) fn new(file: String, spec: GroupSpec, default_interval_ms: i64, now_ms: i64) -> Self {
        let interval_ms = spec.interval_ms.unwrap_or(default_interval_ms).max(1);
        let rules = spec.rules.iter().cloned().map(RuleState::new).collect();
        Group {
            file,
            spec,
            interval_ms,
            rules,
            next_ms: align_up(now_ms, interval_ms),
            last_eval_ms: None,
            stale: Vec::new(),
        }
    }

    /// Runs every rule at `ts`; returns the alerts to send.
    pub(super) fn eval(&mut self, storage: &mut Storage, ts: i64, ext: &External) -> Vec<Alert> {
        let mut sent = Vec::new();
        let limit = self.spec.limit;
        for rule in &mut self.rules {
            let result = query(storage, &rule.spec.expr, ts);
            let samples = result.and_then(|v| match &mut rule.alerting {
                Some(a) => a.eval(v, ts, ext, limit, storage),
                None => record(&rule.spec, v, limit),
            });
            rule.health.last_eval_ms = Some(ts);
            let samples = match samples {
                Ok(s) => {
                    rule.health.last_error = None;
                    s
                }
                Err(e) => {
                    // A failed rule writes nothing and marks nothing stale,
                    // as in Prometheus.
                    rule.health.last_error = Some(e);
                    continue;
                }
            };
            if let Some(a) = &mut rule.alerting {
                sent.extend(a.send(ts, RESEND_DELAY_MS, self.interval_ms, &generator_url(ext, &rule.spec.expr)));
            }
            let mut now = BTreeSet::new();
            for s in samples {
                storage.append(&s.labels, ts, s.v);
                now.insert(s.labels);
            }
            for gone in rule.previous.difference(&now) {
                storage.append(gone, ts, stale_marker());
            }
            rule.previous = now;
        }
        for s in self.stale.drain(..) {
            storage.append(&s, ts, stale_marker());
        }
        self.last_eval_ms = Some(ts);
        self.next_ms = ts + self.interval_ms;
        sent
    }
}

/// The expression's value at `ts` as a vector: a scalar becomes one
/// sample without labels, as Prometheus's `EngineQueryFunc` makes it.
fn query(storage: &Storage, expr: &str, ts: i64) -> Result<Vec<Sample>, String> {
    match promql::instant(storage, expr, ts) {
        Ok(Value::Vector(v)) => Ok(v),
        Ok(Value::Scalar { t, v }) => Ok(vec![Sample { labels: Labels::new(), t, v }]),
        Ok(_) => Err("rule result is not a vector or scalar".to_string()),
        Err(e) => Err(e.0),
    }
}

/// A recording rule's samples: the result renamed and relabelled.
fn record(spec: &RuleSpec, result: Vec<Sample>, limit: usize) -> Result<Vec<Sample>, String> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(result.len());
    for mut s in result {
        s.labels.insert(METRIC_NAME.to_string(), spec.name.clone());
        for (k, v) in &spec.labels {
            if v.is_empty() {
                s.labels.remove(k);
            } else {
                s.labels.insert(k.clone(), v.clone());
            }
        }
        if !seen.insert(s.labels.clone()) {
            return Err("vector contains metrics with the same labelset after applying rule labels".to_string());
        }
        out.push(s);
    }
    if limit > 0 && out.len() > limit {
        return Err(format!("exceeded limit of {limit} with {} series", out.len()));
    }
    Ok(out)
}
