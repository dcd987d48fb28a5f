//! Why each pod went where it went: the last few scheduling attempts of
//! the most recent pods, for the app's "why here?" view.
//!
//! Recording costs no copying — the cycle's own score vectors move in —
//! and nodes are kept as slots, named only when someone asks.

use super::framework::{Scores, Status, SCORE_PLUGINS};
use super::snapshot::{PodKey, Snapshot};
use crate::time::Time;
use rustc_hash::FxHashMap as HashMap;
use std::collections::VecDeque;

/// Attempts kept per pod.
const ATTEMPTS_PER_POD: usize = 4;
/// Pods kept; the oldest traced pod goes first.
const PODS: usize = 256;

/// One attempt as the cycle leaves it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Record {
    pub time: Time,
    pub chosen: Option<u32>,
    pub message: Option<String>,
    pub filtered: Vec<(usize, Status)>,
    pub feasible: Vec<u32>,
    pub scored: bool,
    pub scores: Scores,
}

/// One scheduling attempt of a pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// When it ran, on the cluster's clock.
    pub time: Time,
    /// The node chosen, or `None` when the pod stayed Pending.
    pub node: Option<String>,
    /// The FailedScheduling message when it stayed Pending.
    pub message: Option<String>,
    /// Every node looked at: those filtered out, then those that fit, each
    /// in the order they were searched. Nodes the search never reached (it
    /// stops once enough fit) are not listed.
    pub nodes: Vec<NodeVerdict>,
}

/// What one node made of the pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeVerdict {
    /// The node's name.
    pub node: String,
    /// Filtered out, or scored.
    pub verdict: Verdict,
}

/// A node's verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A Filter plugin rejected the node.
    Filtered {
        /// The plugin (`NodeResourcesFit`, `TaintToleration`, …).
        plugin: &'static str,
        /// Its reasons, in kube-scheduler's words.
        reasons: Vec<String>,
    },
    /// The node fit; it was the only one, so nothing was scored.
    Feasible,
    /// The node fit and was scored.
    Scored {
        /// Each score plugin in profile order.
        plugins: Vec<PluginScore>,
        /// Σ weight × normalised score.
        total: i64,
    },
}

/// One score plugin's view of one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluginScore {
    /// The plugin's name.
    pub plugin: &'static str,
    /// What Score returned.
    pub raw: i64,
    /// After NormalizeScore (0–100).
    pub normalized: i64,
    /// The plugin's weight in the default profile.
    pub weight: i64,
}

/// The bounded store of records.
#[derive(Clone, Debug, Default)]
pub(crate) struct Traces {
    by_pod: HashMap<PodKey, VecDeque<Record>>,
    order: VecDeque<PodKey>,
    /// Dropped records whose buffers the next attempts reuse.
    spare: Vec<Record>,
}

impl Traces {
    /// A blank record for an attempt at `time`, on a dropped one's buffers
    /// when there is one.
    pub fn blank(&mut self, time: Time) -> Record {
        let mut r = self.spare.pop().unwrap_or_default();
        r.time = time;
        r.chosen = None;
        r.message = None;
        r.filtered.clear();
        r.feasible.clear();
        r.scored = false;
        r
    }

    fn retire(&mut self, record: Record) {
        if self.spare.len() < ATTEMPTS_PER_POD {
            self.spare.push(record);
        }
    }

    /// Keeps `record` as the newest attempt of the pod `key`. A pod new to
    /// the traces takes over the oldest pod's place, key and list buffers
    /// included, so tracing every placement allocates nothing once full.
    pub fn push(&mut self, key: PodKey, record: Record) {
        if let Some(list) = self.by_pod.get_mut(&key) {
            let dropped = if list.len() >= ATTEMPTS_PER_POD { list.pop_front() } else { None };
            list.push_back(record);
            if let Some(r) = dropped {
                self.retire(r);
            }
            return;
        }
        let mut list = VecDeque::new();
        let mut place = None;
        if self.order.len() >= PODS {
            if let Some(old) = self.order.pop_front() {
                if let Some(mut records) = self.by_pod.remove(&old) {
                    for r in records.drain(..) {
                        self.retire(r);
                    }
                    list = records;
                }
                place = Some(old);
            }
        }
        let ordered = match place {
            Some((mut namespace, mut name)) => {
                namespace.clear();
                namespace.push_str(&key.0);
                name.clear();
                name.push_str(&key.1);
                (namespace, name)
            }
            None => key.clone(),
        };
        self.order.push_back(ordered);
        list.push_back(record);
        self.by_pod.insert(key, list);
    }

    pub fn attempts(&self, key: &PodKey, snapshot: &Snapshot) -> Option<Vec<Attempt>> {
        let name = |slot: usize| snapshot.slots.get(slot).map(|n| n.name.clone()).unwrap_or_default();
        let list = self.by_pod.get(key)?;
        Some(
            list.iter()
                .map(|r| {
                    let mut nodes: Vec<NodeVerdict> = r
                        .filtered
                        .iter()
                        .map(|(slot, s)| NodeVerdict {
                            node: name(*slot),
                            verdict: Verdict::Filtered {
                                plugin: s.plugin,
                                reasons: s.reasons.iter().map(|x| x.to_string()).collect(),
                            },
                        })
                        .collect();
                    for (i, slot) in r.feasible.iter().enumerate() {
                        let verdict = match r.scored.then_some(&r.scores) {
                            None => Verdict::Feasible,
                            Some(s) => Verdict::Scored {
                                plugins: SCORE_PLUGINS
                                    .iter()
                                    .enumerate()
                                    .map(|(p, (plugin, weight))| PluginScore {
                                        plugin,
                                        raw: s.raw(p, i),
                                        normalized: s.normalized(p, i),
                                        weight: *weight,
                                    })
                                    .collect(),
                                total: s.totals[i],
                            },
                        };
                        nodes.push(NodeVerdict { node: name(*slot as usize), verdict });
                    }
                    Attempt {
                        time: r.time,
                        node: r.chosen.map(|s| name(s as usize)),
                        message: r.message.clone(),
                        nodes,
                    }
                })
                .collect(),
        )
    }
}
