//! Prometheus's rules and an Alertmanager, pure over a [`Storage`] and the
//! virtual clock:
//!
//! - [`file`]: rule files read and checked as `promtool check rules` does;
//! - [`template`]: the Go text/template subset alert and notification
//!   templates use;
//! - [`Rules`]: groups evaluated on epoch-aligned ticks; recording rules
//!   write series, alerting rules keep alerts (pending → firing →
//!   resolved) and write `ALERTS`/`ALERTS_FOR_STATE` with staleness
//!   markers, and hand out the alerts due to be sent;
//! - [`alertmanager`]: routes, groups and times those alerts into chat
//!   [`Notification`]s.
//!
//! Wiring, for whoever owns the clock: on a timer at `rules.next_due()`,
//! `let sent = rules.eval_due(&mut storage, now)` then
//! `alertmanager.receive(sent, now)`; on a timer at
//! `alertmanager.next_due()`, `alertmanager.flush(now)` yields the chat
//! messages. Neither reads a clock, so the same inputs replay the same
//! series and messages.
//!
//! ```
//! use engine::promql::{Labels, Storage};
//! use engine::rules::{file, Rules};
//! let rules = "groups:\n- name: g\n  rules:\n  - alert: Down\n    expr: up == 0\n";
//! let parsed = file::parse(rules).unwrap();
//! let mut r = Rules::new(vec![("rules.yml".into(), parsed)], 60_000, 0);
//! let mut storage = Storage::new();
//! let up: Labels = [("__name__", "up")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
//! storage.append(&up, 0, 0.0);
//! let sent = r.eval_due(&mut storage, 0);
//! assert_eq!(sent.len(), 1); // no `for`: firing at once
//! ```

pub mod alerting;
pub mod alertmanager;
pub mod duration;
pub mod file;
mod gofmt;
mod group;
mod positions;
pub mod template;

pub use alerting::{ActiveAlert, Alert, AlertState, External};
pub use alertmanager::{Alertmanager, Notification, Status, DEFAULT_CONFIG as DEFAULT_ALERTMANAGER_CONFIG};
pub use group::{Health, RESEND_DELAY_MS};

use crate::promql::Storage;
use file::{RuleFile, RuleKind};
use group::{Group, RuleState};
use std::collections::HashMap;

/// The default rule file the cluster ships (`engine/presets/monitoring/`).
pub const DEFAULT_RULES: &str = include_str!("../../../presets/monitoring/alerting_rules.yml");

/// The most evaluations one [`Rules::eval_due`] call catches up on; past
/// that it skips ahead, as Prometheus skips missed iterations.
const MAX_CATCH_UP: usize = 10_000;

/// Every rule group with its state.
#[derive(Clone, Debug)]
pub struct Rules {
    groups: Vec<Group>,
    default_interval_ms: i64,
    external: External,
}

/// A group as a rules view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupView {
    /// The file it came from.
    pub file: String,
    /// Its name.
    pub name: String,
    /// Its evaluation interval (ms).
    pub interval_ms: i64,
    /// When it last ran.
    pub last_eval_ms: Option<i64>,
    /// Its rules in order.
    pub rules: Vec<RuleView>,
}

/// A rule as a rules view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleView {
    /// `record` or `alert` name.
    pub name: String,
    /// Recording or alerting.
    pub kind: RuleKind,
    /// The expression.
    pub expr: String,
    /// `for` (ms), alerting rules only.
    pub for_ms: i64,
    /// `keep_firing_for` (ms), alerting rules only.
    pub keep_firing_for_ms: i64,
    /// Its static labels (templates, for alerting rules).
    pub labels: std::collections::BTreeMap<String, String>,
    /// Its annotation templates.
    pub annotations: std::collections::BTreeMap<String, String>,
    /// `inactive`, `pending` or `firing` for alerting rules.
    pub state: Option<AlertState>,
    /// Its alerts (alerting rules), inactive ones included until dropped.
    pub alerts: usize,
    /// How its last evaluation went.
    pub health: Health,
}

/// An alert as an `alerts` view lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertView {
    /// The rule's group.
    pub group: String,
    /// The alert itself.
    pub alert: ActiveAlert,
}

impl Rules {
    /// Groups from parsed files (`(file name, file)`), evaluated every
    /// `default_interval_ms` unless a group sets its own; the first
    /// evaluation is the first aligned tick at or after `now_ms`.
    pub fn new(files: Vec<(String, RuleFile)>, default_interval_ms: i64, now_ms: i64) -> Self {
        let mut r = Rules {
            groups: Vec::new(),
            default_interval_ms: default_interval_ms.max(1),
            external: External::default(),
        };
        r.replace(files, now_ms);
        r
    }

    /// Sets the external labels and URL templates see.
    pub fn set_external(&mut self, external: External) {
        self.external = external;
    }

    /// Loads new files as a reload does. A group with the same file and name
    /// keeps its schedule, and its rules with the same name keep their
    /// alerts and remember their series; series of rules or groups that went
    /// away are marked stale at the group's (or, for a removed group, the
    /// next) evaluation.
    pub fn replace(&mut self, files: Vec<(String, RuleFile)>, now_ms: i64) {
        let mut old: HashMap<(String, String), Group> =
            self.groups.drain(..).map(|g| ((g.file.clone(), g.spec.name.clone()), g)).collect();
        let mut new = Vec::new();
        for (file, rf) in files {
            for spec in rf.groups {
                let mut g = Group::new(file.clone(), spec, self.default_interval_ms, now_ms);
                if let Some(mut prev) = old.remove(&(file.clone(), g.spec.name.clone())) {
                    if prev.interval_ms == g.interval_ms {
                        g.next_ms = prev.next_ms;
                    }
                    g.last_eval_ms = prev.last_eval_ms;
                    for rule in &mut g.rules {
                        // The first old rule of the same name and kind hands
                        // over its state (Prometheus's `CopyState`).
                        let Some(k) = prev
                            .rules
                            .iter()
                            .position(|r| r.spec.name == rule.spec.name && r.spec.kind == rule.spec.kind)
                        else {
                            continue;
                        };
                        let p: RuleState = prev.rules.remove(k);
                        rule.previous = p.previous;
                        rule.health = p.health;
                        if let (Some(a), Some(pa)) = (&mut rule.alerting, p.alerting) {
                            a.active = pa.active;
                        }
                    }
                    g.stale = prev.stale;
                    g.stale.extend(prev.rules.into_iter().flat_map(|r| r.previous));
                }
                new.push(g);
            }
        }
        // Removed groups leave their series to be marked stale by the first
        // remaining group's next run; with none left they simply age out.
        let orphans: Vec<_> = old
            .into_values()
            .flat_map(|g| g.stale.into_iter().chain(g.rules.into_iter().flat_map(|r| r.previous)))
            .collect();
        if let Some(first) = new.first_mut() {
            first.stale.extend(orphans);
        }
        self.groups = new;
    }

    /// When the next group is due (ms), if there are groups.
    pub fn next_due(&self) -> Option<i64> {
        self.groups.iter().map(|g| g.next_ms).min()
    }

    /// Evaluates every group due at or before `now_ms`, tick by tick in time
    /// order (groups due at the same tick in file order), writing results to
    /// `storage`; returns the alerts to send, in that order.
    pub fn eval_due(&mut self, storage: &mut Storage, now_ms: i64) -> Vec<Alert> {
        let mut sent = Vec::new();
        for _ in 0..MAX_CATCH_UP {
            let Some(t) = self.next_due().filter(|t| *t <= now_ms) else {
                return sent;
            };
            for g in self.groups.iter_mut().filter(|g| g.next_ms == t) {
                sent.extend(g.eval(storage, t, &self.external));
            }
        }
        // Too far behind: skip to the last tick of each group.
        for g in &mut self.groups {
            if g.next_ms <= now_ms {
                g.next_ms = now_ms - now_ms.rem_euclid(g.interval_ms);
                sent.extend(g.eval(storage, g.next_ms, &self.external));
            }
        }
        sent
    }

    /// Every alert that is pending or firing, by group and rule order.
    pub fn alerts(&self) -> Vec<AlertView> {
        let mut out = Vec::new();
        for g in &self.groups {
            for r in &g.rules {
                let Some(a) = &r.alerting else { continue };
                for alert in a.active.values().filter(|x| x.state != AlertState::Inactive) {
                    out.push(AlertView { group: g.spec.name.clone(), alert: alert.clone() });
                }
            }
        }
        out
    }

    /// The groups and their rules, for a rules view.
    pub fn groups(&self) -> Vec<GroupView> {
        self.groups
            .iter()
            .map(|g| GroupView {
                file: g.file.clone(),
                name: g.spec.name.clone(),
                interval_ms: g.interval_ms,
                last_eval_ms: g.last_eval_ms,
                rules: g
                    .rules
                    .iter()
                    .map(|r| RuleView {
                        name: r.spec.name.clone(),
                        kind: r.spec.kind,
                        expr: r.spec.expr.clone(),
                        for_ms: r.spec.for_ms,
                        keep_firing_for_ms: r.spec.keep_firing_for_ms,
                        labels: r.spec.labels.clone(),
                        annotations: r.spec.annotations.clone(),
                        state: r.alerting.as_ref().map(|a| a.state()),
                        alerts: r.alerting.as_ref().map_or(0, |a| a.active.len()),
                        health: r.health.clone(),
                    })
                    .collect(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
