//! One alerting rule's state, as Prometheus's `rules/alerting.go` keeps it:
//! an alert per label set, inactive → pending → firing after `for`, held
//! firing for `keep_firing_for`, and kept 15 minutes once resolved so the
//! Alertmanager hears that it ended.

use super::file::RuleSpec;
use super::template::{Data, Template};
use crate::promql::{Labels, Sample, Storage, Value, METRIC_NAME};
use std::collections::BTreeMap;

/// How long a resolved alert is still sent (Prometheus's `resolvedRetention`).
pub const RESOLVED_RETENTION_MS: i64 = 15 * 60_000;

/// The state of one alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlertState {
    /// Resolved (still kept for a while) or never active.
    Inactive,
    /// Active for less than `for`.
    Pending,
    /// Active for at least `for`.
    Firing,
}

impl AlertState {
    /// Prometheus's word for the state (`alertstate` label, API).
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert of a rule, as the `alerts` view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ActiveAlert {
    /// The alert's identity: result labels, rule labels, `alertname`.
    pub labels: Labels,
    /// Expanded annotations.
    pub annotations: BTreeMap<String, String>,
    /// Its state.
    pub state: AlertState,
    /// The value of the sample that last made it active.
    pub value: f64,
    /// When it became pending (ms).
    pub active_at_ms: i64,
    /// When it started firing.
    pub fired_at_ms: Option<i64>,
    /// When it was resolved.
    pub resolved_at_ms: Option<i64>,
    /// When it was last sent to the Alertmanager.
    pub last_sent_at_ms: Option<i64>,
    /// The end time sent while it fires: a little past the next send.
    pub valid_until_ms: i64,
    /// When its condition last stopped while `keep_firing_for` holds it.
    pub keep_firing_since_ms: Option<i64>,
}

impl ActiveAlert {
    /// Prometheus's `needsSending`: never while pending; at once after
    /// resolving; otherwise once the resend delay has strictly passed.
    fn needs_sending(&self, ts: i64, resend_delay_ms: i64) -> bool {
        if self.state == AlertState::Pending {
            return false;
        }
        if let Some(resolved) = self.resolved_at_ms {
            if self.last_sent_at_ms.is_none_or(|sent| resolved > sent) {
                return true;
            }
        }
        self.last_sent_at_ms.is_none_or(|sent| sent + resend_delay_ms < ts)
    }
}

/// An alert as sent to the Alertmanager.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    /// Labels, `alertname` among them.
    pub labels: Labels,
    /// Annotations.
    pub annotations: BTreeMap<String, String>,
    /// When it started firing (ms).
    pub starts_at_ms: i64,
    /// When it was resolved, or, while it fires, a time a few sends ahead
    /// after which the Alertmanager may consider it resolved.
    pub ends_at_ms: i64,
    /// The expression's link (`/graph?g0.expr=…`).
    pub generator_url: String,
}

/// What templates see beside the alert: Prometheus's external labels and URL.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct External {
    /// `global.external_labels`.
    pub labels: Labels,
    /// `--web.external-url`.
    pub url: String,
}

/// An alerting rule with its alerts.
#[derive(Clone, Debug)]
pub struct AlertingRule {
    pub(super) spec: RuleSpec,
    /// Alerts by their label set, so iteration is deterministic.
    pub(super) active: BTreeMap<Labels, ActiveAlert>,
    label_templates: Vec<(String, Option<Template>)>,
    annotation_templates: Vec<(String, Option<Template>)>,
}

impl AlertingRule {
    /// A rule with no alerts yet. Templates were checked with the file; one
    /// that fails here expands to Prometheus's error text.
    pub fn new(spec: RuleSpec) -> Self {
        let name = format!("__alert_{}", spec.name);
        let compile = |m: &BTreeMap<String, String>| {
            m.iter().map(|(k, v)| (k.clone(), Template::parse(&name, v).ok())).collect::<Vec<_>>()
        };
        let label_templates = compile(&spec.labels);
        let annotation_templates = compile(&spec.annotations);
        AlertingRule { spec, active: BTreeMap::new(), label_templates, annotation_templates }
    }

    /// Evaluates the rule on `result` (the expression's value at `ts`) and
    /// returns the `ALERTS` and `ALERTS_FOR_STATE` samples to write.
    pub fn eval(
        &mut self,
        result: Vec<Sample>,
        ts: i64,
        ext: &External,
        limit: usize,
        storage: &Storage,
    ) -> Result<Vec<Sample>, String> {
        // Templates may query the storage at the evaluation time.
        let query = |q: &str| -> Result<Data, String> {
            let samples = match crate::promql::instant(storage, q, ts).map_err(|e| e.0)? {
                Value::Vector(v) => v,
                Value::Scalar { t, v } => vec![Sample { labels: Labels::new(), t, v }],
                _ => return Err("query result is not a vector or scalar".to_string()),
            };
            Ok(Data::List(
                samples
                    .into_iter()
                    .map(|s| {
                        Data::Map(BTreeMap::from([
                            ("Labels".to_string(), Data::strings(&s.labels)),
                            ("Value".to_string(), Data::Float(s.v)),
                        ]))
                    })
                    .collect(),
            ))
        };
        let mut fresh: BTreeMap<Labels, ActiveAlert> = BTreeMap::new();
        let ext_labels = Data::strings(&ext.labels);
        for s in result {
            let labels_data = Data::strings(&s.labels);
            let root = Data::Map(BTreeMap::from([
                ("Labels".to_string(), labels_data.clone()),
                ("ExternalLabels".to_string(), ext_labels.clone()),
                ("ExternalURL".to_string(), Data::Str(ext.url.clone())),
                ("Value".to_string(), Data::Float(s.v)),
            ]));
            let vars = [
                ("$labels", labels_data),
                ("$externalLabels", ext_labels.clone()),
                ("$externalURL", Data::Str(ext.url.clone())),
                ("$value", Data::Float(s.v)),
            ];
            let expand = |t: &Option<Template>| match t {
                Some(t) => t.execute_with(&root, &vars, Some(&query)).unwrap_or_else(|e| {
                    format!("<error expanding template: error executing template __alert_{}: {e}>", self.spec.name)
                }),
                None => "<error expanding template: the template does not parse>".to_string(),
            };
            let mut labels = s.labels.clone();
            labels.remove(METRIC_NAME);
            for (k, t) in &self.label_templates {
                let v = expand(t);
                // Setting a label to "" removes it, as Prometheus's builder does.
                if v.is_empty() {
                    labels.remove(k);
                } else {
                    labels.insert(k.clone(), v);
                }
            }
            labels.insert("alertname".to_string(), self.spec.name.clone());
            let annotations: BTreeMap<String, String> =
                self.annotation_templates.iter().map(|(k, t)| (k.clone(), expand(t))).collect();
            if fresh.contains_key(&labels) {
                return Err("vector contains metrics with the same labelset after applying alert labels".to_string());
            }
            fresh.insert(
                labels.clone(),
                ActiveAlert {
                    labels,
                    annotations,
                    state: AlertState::Pending,
                    value: s.v,
                    active_at_ms: ts,
                    fired_at_ms: None,
                    resolved_at_ms: None,
                    last_sent_at_ms: None,
                    valid_until_ms: 0,
                    keep_firing_since_ms: None,
                },
            );
        }
        for (key, a) in &fresh {
            match self.active.get_mut(key) {
                Some(old) if old.state != AlertState::Inactive => {
                    old.value = a.value;
                    old.annotations = a.annotations.clone();
                }
                _ => {
                    self.active.insert(key.clone(), a.clone());
                }
            }
        }
        let mut out = Vec::new();
        let mut active_or_pending = 0;
        let mut gone = Vec::new();
        for (key, a) in self.active.iter_mut() {
            if !fresh.contains_key(key) {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && self.spec.keep_firing_for_ms > 0 {
                    let since = *a.keep_firing_since_ms.get_or_insert(ts);
                    keep_firing = ts - since < self.spec.keep_firing_for_ms;
                }
                // A pending alert simply vanishes; a resolved one stays for
                // the retention so it is sent as resolved.
                if a.state == AlertState::Pending || a.resolved_at_ms.is_some_and(|r| ts - r > RESOLVED_RETENTION_MS) {
                    gone.push(key.clone());
                }
                if a.state != AlertState::Inactive && !keep_firing {
                    a.state = AlertState::Inactive;
                    a.resolved_at_ms = Some(ts);
                }
                if !keep_firing {
                    continue;
                }
            } else {
                a.keep_firing_since_ms = None;
            }
            active_or_pending += 1;
            if a.state == AlertState::Pending && ts - a.active_at_ms >= self.spec.for_ms {
                a.state = AlertState::Firing;
                a.fired_at_ms = Some(ts);
            }
            let mut alerts = a.labels.clone();
            alerts.insert(METRIC_NAME.to_string(), "ALERTS".to_string());
            alerts.insert("alertstate".to_string(), a.state.as_str().to_string());
            out.push(Sample { labels: alerts, t: ts, v: 1.0 });
            let mut for_state = a.labels.clone();
            for_state.insert(METRIC_NAME.to_string(), "ALERTS_FOR_STATE".to_string());
            // Whole seconds, as Prometheus writes `activeAt.Unix()`.
            out.push(Sample { labels: for_state, t: ts, v: a.active_at_ms.div_euclid(1000) as f64 });
        }
        for key in gone {
            self.active.remove(&key);
        }
        if limit > 0 && active_or_pending > limit {
            self.active.clear();
            return Err(format!("exceeded limit of {limit} with {active_or_pending} alerts"));
        }
        Ok(out)
    }

    /// The alerts due to be sent at `ts` (Prometheus's `sendAlerts`),
    /// marked as sent.
    pub fn send(&mut self, ts: i64, resend_delay_ms: i64, interval_ms: i64, generator_url: &str) -> Vec<Alert> {
        let mut out = Vec::new();
        for a in self.active.values_mut() {
            if !a.needs_sending(ts, resend_delay_ms) {
                continue;
            }
            a.last_sent_at_ms = Some(ts);
            // Room for two missed evaluations or sends before it lapses.
            a.valid_until_ms = ts + 4 * resend_delay_ms.max(interval_ms);
            out.push(Alert {
                labels: a.labels.clone(),
                annotations: a.annotations.clone(),
                starts_at_ms: a.fired_at_ms.unwrap_or(a.active_at_ms),
                ends_at_ms: a.resolved_at_ms.unwrap_or(a.valid_until_ms),
                generator_url: generator_url.to_string(),
            });
        }
        out
    }

    /// The rule's worst state: firing if any alert fires, and so on.
    pub fn state(&self) -> AlertState {
        self.active.values().map(|a| a.state).max().unwrap_or(AlertState::Inactive)
    }
}
