//! PodTopologySpread: hard constraints (`DoNotSchedule`) keep the skew
//! between topology domains within `maxSkew` (Filter); soft ones
//! (`ScheduleAnyway`, and the system defaults for pods a Service or
//! controller selects) prefer the domains with fewer matching pods
//! (Score, each constraint weighted by ln(domains + 2)).
//!
//! Counts come from the snapshot's per-selector groups: a lookup per node
//! when the pod itself does not narrow which nodes count, a walk over the
//! nodes (never over pods) when it does.

use super::super::counts::HOSTNAME;
use super::super::framework::{Code, Status};
use super::super::snapshot::{NodeInfo, Snapshot};
use super::node_affinity;
use crate::api::Kind;
use crate::labels::{Requirement, Selector};
use crate::object::Object;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Pod, TopologySpreadConstraint};

pub const NAME: &str = "PodTopologySpread";
pub const REASON: &str = "node(s) didn't match pod topology spread constraints";
pub const MISSING_LABEL: &str = "node(s) didn't match pod topology spread constraints (missing required label)";
const ZONE: &str = "topology.kubernetes.io/zone";

/// One constraint, resolved against the snapshot.
#[derive(Clone, Debug)]
pub(crate) struct Constraint {
    pub max_skew: i64,
    /// The topology key's index, or `None` for the hostname.
    pub topo: Option<usize>,
    pub min_domains: Option<i64>,
    /// `None`: the constraint has no selector and matches no pod.
    pub group: Option<usize>,
    pub self_match: bool,
    honor_affinity: bool,
    honor_taints: bool,
}

/// Matching pods per domain (slot for the hostname, value id otherwise),
/// over the nodes that count, and the smallest among eligible domains.
#[derive(Clone, Debug, Default)]
pub(crate) struct Domains {
    counts: Vec<i64>,
    min: i64,
}

#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    hard: Vec<(Constraint, Domains)>,
    soft: Vec<Constraint>,
    /// Whether the soft constraints are the pod's own (then nodes missing
    /// any of their keys are ignored), not the system defaults.
    soft_own: bool,
    /// Per soft constraint, counts when the fast lookup does not apply.
    soft_domains: Vec<Option<Domains>>,
    weights: Vec<f64>,
    /// Per feasible node (by its place in the feasible list).
    ignored: Vec<bool>,
}

/// The selector kube-scheduler gives a pod without constraints: the
/// selectors of the Services selecting it and of its controller.
pub(crate) fn default_selector(pod: &Pod, store: &Store) -> Selector {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let labels = pod.metadata.labels.as_ref();
    let mut merged = std::collections::BTreeMap::new();
    for object in store.list(Kind::Service, Some(ns)) {
        let Object::Service(svc) = &**object else { continue };
        let Some(selector) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty()) else {
            continue;
        };
        if Selector::from_map(selector).matches(labels) {
            merged.extend(selector.clone());
        }
    }
    let owner = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
    let mut extra = Vec::new();
    if let Some(owner) = owner {
        let kind = match owner.kind.as_str() {
            "ReplicationController" => Some(Kind::ReplicationController),
            "ReplicaSet" => Some(Kind::ReplicaSet),
            "StatefulSet" => Some(Kind::StatefulSet),
            _ => None,
        };
        match kind.and_then(|k| store.get(k, ns, &owner.name)).map(|o| &**o) {
            Some(Object::ReplicationController(rc)) => {
                merged.extend(rc.spec.as_ref().and_then(|s| s.selector.clone()).unwrap_or_default());
            }
            Some(Object::ReplicaSet(rs)) => {
                extra = rs
                    .spec
                    .as_ref()
                    .and_then(|s| Selector::from_api(&s.selector).ok())
                    .map(|s| s.0)
                    .unwrap_or_default();
            }
            Some(Object::StatefulSet(ss)) => {
                extra = ss
                    .spec
                    .as_ref()
                    .and_then(|s| Selector::from_api(&s.selector).ok())
                    .map(|s| s.0)
                    .unwrap_or_default();
            }
            _ => {}
        }
    }
    let mut selector = Selector::from_map(&merged);
    selector.0.extend(extra);
    selector
}

fn system_defaults() -> Vec<TopologySpreadConstraint> {
    let soft = |key: &str, max_skew: i32| TopologySpreadConstraint {
        max_skew,
        topology_key: key.into(),
        when_unsatisfiable: "ScheduleAnyway".into(),
        ..Default::default()
    };
    vec![soft(HOSTNAME, 3), soft(ZONE, 5)]
}

pub(crate) fn pre_filter(pod: &Pod, snapshot: &mut Snapshot, store: &Store) -> State {
    let own = pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.clone()).unwrap_or_default();
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let labels = pod.metadata.labels.as_ref();
    // The system defaults all share one selector, resolved once: the API's
    // round trip orders it as a pod's own constraint would be read.
    let (constraints, shared) = if own.is_empty() {
        let selector = default_selector(pod, store);
        if selector.is_empty() {
            return State::default();
        }
        (system_defaults(), Some(Selector::from_api(&selector.to_api()).ok()))
    } else {
        (own, None)
    };
    let mut state = State { soft_own: shared.is_none(), ..Default::default() };
    for c in constraints {
        let selector = match &shared {
            Some(selector) => selector.clone(),
            None => c.label_selector.as_ref().and_then(|s| Selector::from_api(s).ok()).map(|mut s| {
                for key in c.match_label_keys.iter().flatten() {
                    if let Some(v) = labels.and_then(|l| l.get(key)) {
                        s.0.push(Requirement::In(key.clone(), vec![v.clone()]));
                    }
                }
                s
            }),
        };
        let group = selector.as_ref().map(|s| snapshot.group(&ns, s, store));
        let resolved = Constraint {
            max_skew: c.max_skew as i64,
            topo: (c.topology_key != HOSTNAME).then(|| snapshot.topology_key(&c.topology_key)),
            min_domains: c.min_domains.map(|m| m as i64),
            group,
            self_match: selector.is_some_and(|s| s.matches(labels)),
            honor_affinity: c.node_affinity_policy.as_deref() != Some("Ignore"),
            honor_taints: c.node_taints_policy.as_deref() == Some("Honor"),
        };
        if c.when_unsatisfiable == "DoNotSchedule" {
            state.hard.push((resolved, Domains::default()));
        } else {
            state.soft.push(resolved);
        }
    }
    let hard_keys: Vec<Constraint> = state.hard.iter().map(|(c, _)| c.clone()).collect();
    for (c, domains) in &mut state.hard {
        *domains = count_domains(c, pod, snapshot, &hard_keys);
    }
    state
}

/// A node's domain for a constraint: its slot, or its value's id.
fn domain(c: &Constraint, slot: usize, node: &NodeInfo, snapshot: &Snapshot) -> Option<usize> {
    match c.topo {
        None => node.has_hostname.then_some(slot),
        Some(k) => snapshot.topology.keys[k].per_slot.get(slot).copied().flatten().map(|v| v as usize),
    }
}

/// Matching pods per domain over the nodes that count for the pod: those
/// its node affinity admits (unless the constraint says to ignore it),
/// tolerated ones where taints are honoured, and having every key of
/// `required`.
fn count_domains(c: &Constraint, pod: &Pod, snapshot: &Snapshot, required: &[Constraint]) -> Domains {
    let size = match c.topo {
        None => snapshot.slots.len(),
        Some(k) => snapshot.topology.values(k),
    };
    let mut counts = vec![0i64; size];
    let mut eligible = vec![false; size];
    let narrows = c.honor_affinity && node_affinity::has_requirements(pod);
    let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default();
    for &slot in &snapshot.order {
        let node = &snapshot.slots[slot];
        if narrows && !node_affinity::pod_matches(pod, node.node()) {
            continue;
        }
        if c.honor_taints && !super::taint_toleration::taints_tolerated(tolerations, node.node()) {
            continue;
        }
        if required.iter().any(|r| domain(r, slot, node, snapshot).is_none()) {
            continue;
        }
        let Some(d) = domain(c, slot, node, snapshot) else { continue };
        eligible[d] = true;
        if let Some(g) = c.group {
            counts[d] += snapshot.counts.groups[g].on_slot(slot);
        }
    }
    let mut min = i64::from(i32::MAX);
    let mut domains = 0;
    for (d, ok) in eligible.iter().enumerate() {
        if *ok {
            domains += 1;
            min = min.min(counts[d]);
        }
    }
    if c.min_domains.is_some_and(|m| domains < m) {
        min = 0;
    }
    Domains { counts, min }
}

pub(crate) fn filter(state: &State, slot: usize, node: &NodeInfo, snapshot: &Snapshot) -> Option<Status> {
    for (c, domains) in &state.hard {
        let Some(d) = domain(c, slot, node, snapshot) else {
            return Some(Status::new(NAME, Code::Unresolvable, vec![MISSING_LABEL.into()]));
        };
        let here = domains.counts.get(d).copied().unwrap_or(0);
        if here + i64::from(c.self_match) - domains.min > c.max_skew {
            return Some(Status::new(NAME, Code::Unschedulable, vec![REASON.into()]));
        }
    }
    None
}

/// Whether soft constraints score this pod at all.
pub(crate) fn scores(state: &State) -> bool {
    !state.soft.is_empty()
}

/// PreScore over the feasible nodes: which are ignored, each constraint's
/// weight, and counts where the fast lookup would be wrong.
pub(crate) fn pre_score(state: &mut State, pod: &Pod, feasible: &[usize], snapshot: &Snapshot) {
    if state.soft.is_empty() {
        return;
    }
    let keys_missing = |slot: usize| {
        let node = &snapshot.slots[slot];
        state.soft.iter().any(|c| domain(c, slot, node, snapshot).is_none())
    };
    state.ignored = feasible.iter().map(|&slot| state.soft_own && keys_missing(slot)).collect();
    let considered = state.ignored.iter().filter(|i| !**i).count();
    state.weights = state
        .soft
        .iter()
        .map(|c| {
            let size = match c.topo {
                None => considered,
                Some(k) => {
                    // Nodes without the key form one more domain of their
                    // own (only possible for the system defaults).
                    let mut seen = vec![false; snapshot.topology.values(k) + 1];
                    for (i, &slot) in feasible.iter().enumerate() {
                        if state.ignored[i] {
                            continue;
                        }
                        let v = snapshot.topology.keys[k].per_slot.get(slot).copied().flatten();
                        seen[v.map_or(0, |v| v as usize + 1)] = true;
                    }
                    seen.iter().filter(|s| **s).count()
                }
            };
            ((size + 2) as f64).ln()
        })
        .collect();
    let narrows = node_affinity::has_requirements(pod);
    let universal =
        |c: &Constraint| c.topo.is_none_or(|k| snapshot.topology.keys[k].nodes_with_key == snapshot.order.len());
    let all_universal = state.soft.iter().all(universal);
    let soft = state.soft.clone();
    state.soft_domains = soft
        .iter()
        .map(|c| {
            let fast = !(c.honor_taints || narrows && c.honor_affinity || state.soft_own && !all_universal);
            let required: &[Constraint] = if state.soft_own { &soft } else { &[] };
            (!fast && c.topo.is_some()).then(|| count_domains(c, pod, snapshot, required))
        })
        .collect();
}

/// Σ count × weight + (maxSkew − 1) over the constraints whose key the node
/// has, rounded; `None` when the node is ignored.
pub(crate) fn score(state: &State, index: usize, slot: usize, node: &NodeInfo, snapshot: &Snapshot) -> i64 {
    if state.ignored.get(index).copied().unwrap_or(false) {
        return 0;
    }
    let mut raw = 0.0;
    for (i, c) in state.soft.iter().enumerate() {
        let Some(d) = domain(c, slot, node, snapshot) else { continue };
        let count = match (c.group, c.topo, &state.soft_domains[i]) {
            (None, _, _) => 0,
            (Some(g), None, _) => snapshot.counts.groups[g].on_slot(slot),
            (Some(_), Some(_), Some(domains)) => domains.counts.get(d).copied().unwrap_or(0),
            (Some(g), Some(k), None) => snapshot.counts.groups[g].in_domain(k, d as u32),
        };
        raw += count_score(count, c.max_skew, state.weights[i]);
    }
    round(raw)
}

/// `f64::round` (half away from zero) without the libm call it compiles
/// to on baseline x86-64 and wasm32: subtracting the truncated part is
/// exact for every score this can see (|x| < 2^52).
fn round(x: f64) -> i64 {
    let whole = x as i64;
    let fraction = x - whole as f64;
    if fraction >= 0.5 {
        whole + 1
    } else if fraction <= -0.5 {
        whole - 1
    } else {
        whole
    }
}

pub fn count_score(count: i64, max_skew: i64, weight: f64) -> f64 {
    count as f64 * weight + (max_skew - 1) as f64
}

/// Fewer matching pods is better: 100 × (max + min − raw) / max over the
/// nodes not ignored; ignored ones get 0.
pub(crate) fn normalize(state: &State, scores: &mut [i64]) {
    if state.soft.is_empty() {
        return;
    }
    normalize_with(&state.ignored, scores);
}

pub fn normalize_with(ignored: &[bool], scores: &mut [i64]) {
    let considered =
        || scores.iter().enumerate().filter(|(i, _)| !ignored.get(*i).copied().unwrap_or(false)).map(|(_, s)| *s);
    let min = considered().min().unwrap_or(0);
    let max = considered().max().unwrap_or(0);
    for (i, s) in scores.iter_mut().enumerate() {
        *s = if ignored.get(i).copied().unwrap_or(false) {
            0
        } else if max == 0 {
            100
        } else {
            100 * (max + min - *s) / max
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_matches_the_standard_library() {
        let cases =
            [0.0, 0.49999999999999994, 0.5, 1.5, 2.5, 2.4999, 7.0000001, -0.5, -1.5, -2.49, 1e15 + 0.5, f64::NAN];
        for x in cases {
            assert_eq!(round(x), x.round() as i64, "{x}");
        }
    }

    #[test]
    fn scoring_table() {
        // Three zones holding 0, 1 and 3 matching pods, maxSkew 1: weight
        // ln(3 + 2).
        let w = (5f64).ln();
        let mut raw: Vec<i64> = [0, 1, 3].iter().map(|c| count_score(*c, 1, w).round() as i64).collect();
        assert_eq!(raw, vec![0, 2, 5]);
        normalize_with(&[false, false, false], &mut raw);
        assert_eq!(raw, vec![100, 60, 0]);
        // The hostname default (maxSkew 3) and an ignored node.
        let w = (4f64).ln();
        let mut raw: Vec<i64> = [0, 2].iter().map(|c| count_score(*c, 3, w).round() as i64).collect();
        raw.push(7);
        assert_eq!(raw, vec![2, 5, 7]);
        normalize_with(&[false, false, true], &mut raw);
        assert_eq!(raw, vec![100, 40, 0]);
        let mut zeros = vec![0, 0];
        normalize_with(&[false, false], &mut zeros);
        assert_eq!(zeros, vec![100, 100]);
    }
}
