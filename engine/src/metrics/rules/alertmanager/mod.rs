//! An Alertmanager: alerts from the rules come in, are routed down the
//! configured tree, gathered into aggregation groups, and come out as chat
//! [`Notification`]s timed as Alertmanager times them — `group_wait` before
//! a new group's first message, `group_interval` between changes,
//! `repeat_interval` before repeating an unchanged one — with its
//! notification log deciding whether a flush says anything.

pub mod config;
mod notify;

use super::alerting::Alert;
use crate::promql::Labels;
use config::{Config, GroupBy, Route};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use config::DEFAULT_CONFIG;

/// Whether a notification announces trouble or its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// At least one alert fires.
    Firing,
    /// Every alert in it is resolved.
    Resolved,
}

/// One message in the simulated chat channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// When it was sent (ms).
    pub at_ms: i64,
    /// The receiver's name.
    pub receiver: String,
    /// The channel (`#alerts`).
    pub channel: String,
    /// The title line.
    pub title: String,
    /// The body.
    pub text: String,
    /// Firing or resolved.
    pub status: Status,
    /// How many alerts it carries.
    pub alerts: usize,
}

/// What the notification log remembers about a group's last message.
#[derive(Clone, Debug)]
struct LogEntry {
    firing: BTreeSet<Labels>,
    resolved: BTreeSet<Labels>,
    at_ms: i64,
}

#[derive(Clone, Debug)]
struct AggrGroup {
    key: String,
    route: Route,
    labels: Labels,
    alerts: BTreeMap<Labels, Alert>,
    next_flush_ms: i64,
    has_flushed: bool,
}

/// The Alertmanager's state.
#[derive(Clone, Debug)]
pub struct Alertmanager {
    config: Config,
    /// Every alert received, by its labels (for inhibition).
    store: BTreeMap<Labels, Alert>,
    /// Aggregation groups in the order they were made.
    groups: Vec<AggrGroup>,
    log: HashMap<(String, String, usize), LogEntry>,
    external_url: String,
}

impl Alertmanager {
    /// An Alertmanager with `config` and nothing received yet.
    pub fn new(config: Config) -> Self {
        Alertmanager {
            config,
            store: BTreeMap::new(),
            groups: Vec::new(),
            log: HashMap::new(),
            external_url: "http://alertmanager:9093".to_string(),
        }
    }

    /// An Alertmanager from alertmanager.yml text.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        Config::parse(text).map(Alertmanager::new)
    }

    /// The alerts it holds, by labels, each with whether it is still
    /// active at `now_ms` (an `amtool alert query` view).
    pub fn alerts(&self, now_ms: i64) -> Vec<(Alert, bool)> {
        self.store.values().map(|a| (a.clone(), a.ends_at_ms > now_ms)).collect()
    }

    /// Swaps the configuration, as a reload does: groups start afresh, the
    /// notification log stays, so nothing already said is repeated early.
    pub fn reload(&mut self, config: Config, now_ms: i64) {
        self.config = config;
        self.groups.clear();
        let alerts: Vec<Alert> = self.store.values().cloned().collect();
        self.store.clear();
        self.receive(alerts, now_ms);
    }

    /// Takes alerts from Prometheus at `now_ms`.
    pub fn receive(&mut self, alerts: Vec<Alert>, now_ms: i64) {
        // Resolved alerts are forgotten once their news is older than the
        // notification cycle can need (Alertmanager's GC does the same).
        self.store.retain(|_, a| a.ends_at_ms > now_ms - 30 * 60_000);
        for alert in alerts {
            let merged = match self.store.get(&alert.labels) {
                Some(old) if overlaps(old, &alert) => merge(old, &alert, now_ms),
                _ => alert,
            };
            self.store.insert(merged.labels.clone(), merged.clone());
            self.route(merged, now_ms);
        }
    }

    fn route(&mut self, alert: Alert, now_ms: i64) {
        let mut matched = Vec::new();
        self.config.route.matching(&alert.labels, &mut Vec::new(), &mut matched);
        for (path, route) in matched {
            let labels: Labels = match &route.group_by {
                GroupBy::All => alert.labels.clone(),
                GroupBy::Labels(names) => {
                    names.iter().filter_map(|n| alert.labels.get(n).map(|v| (n.clone(), v.clone()))).collect()
                }
            };
            let path: Vec<String> = path.iter().map(usize::to_string).collect();
            let key = format!("{{{}}}:{}", path.join("/"), crate::promql::format_labels(&labels));
            let idx = match self.groups.iter().position(|g| g.key == key) {
                Some(i) => i,
                None => {
                    self.groups.push(AggrGroup {
                        key,
                        route: route.clone(),
                        labels,
                        alerts: BTreeMap::new(),
                        next_flush_ms: now_ms + route.group_wait_ms,
                        has_flushed: false,
                    });
                    self.groups.len() - 1
                }
            };
            let g = &mut self.groups[idx];
            // An alert that has waited group_wait already goes out at once.
            if !g.has_flushed && alert.starts_at_ms + g.route.group_wait_ms < now_ms {
                g.next_flush_ms = g.next_flush_ms.min(now_ms);
            }
            g.alerts.insert(alert.labels.clone(), alert.clone());
        }
    }

    /// When the next group flushes (ms), if any.
    pub fn next_due(&self) -> Option<i64> {
        self.groups.iter().map(|g| g.next_flush_ms).min()
    }

    /// Flushes every group due by `now_ms`, each at its own due time, and
    /// returns the messages sent, oldest first.
    pub fn flush(&mut self, now_ms: i64) -> Vec<Notification> {
        let mut out = Vec::new();
        while let Some((idx, t)) = self
            .groups
            .iter()
            .enumerate()
            .map(|(i, g)| (i, g.next_flush_ms))
            .filter(|(_, t)| *t <= now_ms)
            .min_by_key(|(i, t)| (*t, *i))
        {
            out.extend(self.flush_group(idx, t));
            if self.groups[idx].alerts.is_empty() {
                self.groups.remove(idx);
            }
        }
        out
    }

    fn inhibited(&self, alert: &Alert, t: i64) -> bool {
        self.config.inhibit_rules.iter().any(|rule| {
            rule.target.iter().all(|m| m.matches(&alert.labels))
                && self.store.values().any(|src| {
                    src.ends_at_ms > t
                        && src.labels != alert.labels
                        && rule.source.iter().all(|m| m.matches(&src.labels))
                        && rule.equal.iter().all(|l| src.labels.get(l) == alert.labels.get(l))
                })
        })
    }

    fn flush_group(&mut self, idx: usize, t: i64) -> Vec<Notification> {
        let g = &self.groups[idx];
        let mut alerts: Vec<(Alert, bool)> =
            g.alerts.values().filter(|a| !self.inhibited(a, t)).map(|a| (a.clone(), a.ends_at_ms <= t)).collect();
        // Alertmanager orders a message's alerts by job, instance, then labels.
        alerts.sort_by(|(a, _), (b, _)| {
            let key = |l: &Labels| (l.get("job").cloned(), l.get("instance").cloned(), l.clone());
            key(&a.labels).cmp(&key(&b.labels))
        });
        let firing: BTreeSet<Labels> = alerts.iter().filter(|(_, r)| !r).map(|(a, _)| a.labels.clone()).collect();
        let resolved: BTreeSet<Labels> = alerts.iter().filter(|(_, r)| *r).map(|(a, _)| a.labels.clone()).collect();
        let receiver = self.config.receivers.iter().find(|r| r.name == g.route.receiver).cloned();
        let mut out = Vec::new();
        for (i, slack) in receiver.iter().flat_map(|r| r.slack.iter().enumerate()) {
            let log_key = (g.key.clone(), g.route.receiver.clone(), i);
            let entry = self.log.get(&log_key);
            if !needs_update(entry, &firing, &resolved, slack.send_resolved, g.route.repeat_interval_ms, t) {
                continue;
            }
            let sent: Vec<(Alert, bool)> = alerts.iter().filter(|(_, r)| slack.send_resolved || !r).cloned().collect();
            if !sent.is_empty() {
                let data = notify::data(&g.route.receiver, &g.labels, &sent, &self.external_url);
                let title = notify::expand("title", slack.title.as_deref().unwrap_or(notify::DEFAULT_TITLE), &data);
                let text = notify::expand("text", slack.text.as_deref().unwrap_or(notify::DEFAULT_TEXT), &data);
                out.push(Notification {
                    at_ms: t,
                    receiver: g.route.receiver.clone(),
                    channel: slack.channel.clone(),
                    title,
                    text,
                    status: if sent.iter().any(|(_, r)| !r) { Status::Firing } else { Status::Resolved },
                    alerts: sent.len(),
                });
            }
            // Logged even when nothing was said (resolved-only without
            // send_resolved), so the next flush knows the state was seen.
            self.log.insert(log_key, LogEntry { firing: firing.clone(), resolved: resolved.clone(), at_ms: t });
        }
        let g = &mut self.groups[idx];
        g.next_flush_ms = t + g.route.group_interval_ms;
        g.has_flushed = true;
        for r in &resolved {
            g.alerts.remove(r);
        }
        out
    }
}

/// Alertmanager's `DedupStage.needsUpdate`.
fn needs_update(
    entry: Option<&LogEntry>,
    firing: &BTreeSet<Labels>,
    resolved: &BTreeSet<Labels>,
    send_resolved: bool,
    repeat_ms: i64,
    now: i64,
) -> bool {
    let Some(e) = entry else {
        return !firing.is_empty();
    };
    if !firing.is_subset(&e.firing) {
        return true;
    }
    if firing.is_empty() {
        // Alerts that fired and resolved between two flushes were never
        // announced, so there is nothing to take back.
        return !e.firing.is_empty();
    }
    if send_resolved && !resolved.is_subset(&e.resolved) {
        return true;
    }
    e.at_ms < now - repeat_ms
}

fn overlaps(old: &Alert, new: &Alert) -> bool {
    (new.ends_at_ms > old.starts_at_ms && new.ends_at_ms < old.ends_at_ms)
        || (new.starts_at_ms > old.starts_at_ms && new.starts_at_ms < old.ends_at_ms)
}

/// Alertmanager's `Alert.Merge` with `new` the younger: the earliest start,
/// and the end of whichever says more.
fn merge(old: &Alert, new: &Alert, now: i64) -> Alert {
    let mut res = new.clone();
    res.starts_at_ms = old.starts_at_ms.min(new.starts_at_ms);
    let resolved = |a: &Alert| a.ends_at_ms <= now;
    if resolved(new) {
        if resolved(old) && old.ends_at_ms > new.ends_at_ms {
            res.ends_at_ms = old.ends_at_ms;
        }
    } else if old.ends_at_ms > new.ends_at_ms {
        res.ends_at_ms = old.ends_at_ms;
    }
    res
}

#[cfg(test)]
mod tests;
