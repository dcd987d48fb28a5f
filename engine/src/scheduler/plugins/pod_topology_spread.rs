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
use k8s_openapi::api::core::v1::Pod;

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
    /// ln(domains + 2) over the feasible nodes, set by PreScore.
    weight: f64,
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
    /// Per soft constraint, counts when the fast lookup does not apply
    /// (empty when it applies to all).
    soft_domains: Vec<Option<Domains>>,
    /// Per feasible node (by its place in the feasible list); empty when
    /// none is ignored.
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

/// The system default constraints (topology key, maxSkew), both
/// `ScheduleAnyway` over every node: kube-scheduler's
/// defaultConstraints.
const SYSTEM_DEFAULTS: [(&str, i64); 2] = [(HOSTNAME, 3), (ZONE, 5)];

/// `selector` as the API's round trip (`to_api` then `from_api`) would
/// order it: single-value equalities first, by key (a later one replacing
/// an earlier one with the same key), then the rest as they were. Done in
/// place, so the system defaults' selector costs no copies.
fn api_ordered(mut selector: Selector) -> Selector {
    let single = |r: &Requirement| matches!(r, Requirement::In(_, vs) if vs.len() == 1);
    fn key(r: &Requirement) -> &str {
        match r {
            Requirement::In(k, _)
            | Requirement::NotIn(k, _)
            | Requirement::Exists(k)
            | Requirement::DoesNotExist(k) => k,
        }
    }
    if selector.0.iter().all(single) && selector.0.windows(2).all(|w| key(&w[0]) < key(&w[1])) {
        return selector;
    }
    let (mut labels, rest): (Vec<Requirement>, Vec<Requirement>) = selector.0.drain(..).partition(single);
    // Stable, so of equal keys the last one written stays last.
    labels.sort_by(|a, b| key(a).cmp(key(b)));
    let mut deduped: Vec<Requirement> = Vec::with_capacity(labels.len() + rest.len());
    for r in labels {
        if deduped.last().is_some_and(|last| key(last) == key(&r)) {
            deduped.pop();
        }
        deduped.push(r);
    }
    deduped.extend(rest);
    Selector(deduped)
}

fn resolve(
    snapshot: &mut Snapshot,
    key: &str,
    max_skew: i64,
    selector: Option<(&str, &Selector)>,
    labels: Option<&std::collections::BTreeMap<String, String>>,
    store: &Store,
) -> Constraint {
    // The group first, then the key, as they were always registered.
    let group = selector.map(|(ns, s)| snapshot.group(ns, s, store));
    Constraint {
        max_skew,
        topo: (key != HOSTNAME).then(|| snapshot.topology_key(key)),
        min_domains: None,
        group,
        self_match: selector.is_some_and(|(_, s)| s.matches(labels)),
        honor_affinity: true,
        honor_taints: false,
        weight: 0.0,
    }
}

pub(crate) fn pre_filter(pod: &Pod, snapshot: &mut Snapshot, store: &Store) -> State {
    let own = pod.spec.as_ref().and_then(|s| s.topology_spread_constraints.as_deref()).unwrap_or_default();
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let labels = pod.metadata.labels.as_ref();
    if own.is_empty() {
        // The system defaults all share one selector, resolved once and
        // ordered as the API's round trip would order it.
        let selector = default_selector(pod, store);
        if selector.is_empty() {
            return State::default();
        }
        let selector = api_ordered(selector);
        let soft = SYSTEM_DEFAULTS
            .iter()
            .map(|(key, max_skew)| resolve(snapshot, key, *max_skew, Some((ns, &selector)), labels, store))
            .collect();
        return State { soft, soft_own: false, ..Default::default() };
    }
    let mut state = State { soft_own: true, ..Default::default() };
    for c in own {
        let selector = c.label_selector.as_ref().and_then(|s| Selector::from_api(s).ok()).map(|mut s| {
            for key in c.match_label_keys.iter().flatten() {
                if let Some(v) = labels.and_then(|l| l.get(key)) {
                    s.0.push(Requirement::In(key.clone(), vec![v.clone()]));
                }
            }
            s
        });
        let mut resolved =
            resolve(snapshot, &c.topology_key, c.max_skew as i64, selector.as_ref().map(|s| (ns, s)), labels, store);
        resolved.min_domains = c.min_domains.map(|m| m as i64);
        resolved.honor_affinity = c.node_affinity_policy.as_deref() != Some("Ignore");
        resolved.honor_taints = c.node_taints_policy.as_deref() == Some("Honor");
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

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
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
    // Only a pod's own constraints ignore nodes (those missing a key);
    // with the system defaults none is, and the list stays empty.
    state.ignored.clear();
    if state.soft_own {
        let keys_missing = |slot: usize| {
            let node = &snapshot.slots[slot];
            state.soft.iter().any(|c| domain(c, slot, node, snapshot).is_none())
        };
        let ignored: Vec<bool> = feasible.iter().map(|&slot| keys_missing(slot)).collect();
        state.ignored = ignored;
    }
    let ignored = |i: usize| state.ignored.get(i).copied().unwrap_or(false);
    let considered = feasible.len() - state.ignored.iter().filter(|i| **i).count();
    for n in 0..state.soft.len() {
        let size = match state.soft[n].topo {
            None => considered,
            Some(k) => {
                // Nodes without the key form one more domain of their
                // own (only possible for the system defaults).
                let per_slot = &snapshot.topology.keys[k].per_slot;
                let ids = feasible
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !ignored(*i))
                    .map(|(_, &slot)| per_slot.get(slot).copied().flatten().map_or(0, |v| v as usize + 1));
                distinct(ids, snapshot.topology.values(k) + 1)
            }
        };
        state.soft[n].weight = ((size + 2) as f64).ln();
    }
    let narrows = node_affinity::has_requirements(pod);
    let universal =
        |c: &Constraint| c.topo.is_none_or(|k| snapshot.topology.keys[k].nodes_with_key == snapshot.order.len());
    let all_universal = state.soft.iter().all(universal);
    let counted = |c: &Constraint| {
        let fast = !(c.honor_taints || narrows && c.honor_affinity || state.soft_own && !all_universal);
        !fast && c.topo.is_some()
    };
    // Most pods need no counts of their own: then nothing is allocated.
    state.soft_domains.clear();
    if state.soft.iter().any(counted) {
        let required: &[Constraint] = if state.soft_own { &state.soft } else { &[] };
        let domains: Vec<Option<Domains>> =
            state.soft.iter().map(|c| counted(c).then(|| count_domains(c, pod, snapshot, required))).collect();
        state.soft_domains = domains;
    }
}

/// How many different ids (below `size`) `ids` holds; a bit set for the
/// few values zones and regions have, so PreScore allocates nothing.
fn distinct(ids: impl Iterator<Item = usize>, size: usize) -> usize {
    if size <= 128 {
        let mut seen = 0u128;
        for id in ids {
            seen |= 1 << id;
        }
        return seen.count_ones() as usize;
    }
    let mut seen = vec![false; size];
    for id in ids {
        seen[id] = true;
    }
    seen.iter().filter(|s| **s).count()
}

/// Σ count × weight + (maxSkew − 1) over the constraints whose key the node
/// has, rounded; 0 when the node is ignored.
pub(crate) fn score(state: &State, index: usize, slot: usize, node: &NodeInfo, snapshot: &Snapshot) -> i64 {
    if state.ignored.get(index).copied().unwrap_or(false) {
        return 0;
    }
    let mut raw = 0.0;
    for (i, c) in state.soft.iter().enumerate() {
        let Some(d) = domain(c, slot, node, snapshot) else { continue };
        let count = match (c.group, c.topo, state.soft_domains.get(i).and_then(Option::as_ref)) {
            (None, _, _) => 0,
            (Some(g), None, _) => snapshot.counts.groups[g].on_slot(slot),
            (Some(_), Some(_), Some(domains)) => domains.counts.get(d).copied().unwrap_or(0),
            (Some(g), Some(k), None) => snapshot.counts.groups[g].in_domain(k, d as u32),
        };
        raw += count_score(count, c.max_skew, c.weight);
    }
    round(raw)
}

/// The soft constraints as the score loop reads them, resolved once per
/// cycle to the slices their counts live in, so a node costs a lookup per
/// constraint. Gives exactly [`score`]'s numbers.
pub(crate) struct Scorer<'a> {
    ignored: &'a [bool],
    /// `None` past the soft constraints' count, or for all of them when
    /// there are more than fit (then [`score`] itself answers).
    lanes: [Option<Lane<'a>>; 4],
    state: &'a State,
    snapshot: &'a Snapshot,
}

#[derive(Clone, Copy)]
struct Lane<'a> {
    /// Per slot: the node's value id (`None` for the hostname key).
    ids: Option<&'a [Option<u32>]>,
    /// Matching pods per slot (hostname) or per value id; empty when the
    /// constraint has no selector.
    counts: Counts<'a>,
    weight: f64,
    /// maxSkew − 1.
    skew: f64,
}

#[derive(Clone, Copy)]
enum Counts<'a> {
    Small(&'a [u32]),
    Wide(&'a [i64]),
}

impl<'a> Scorer<'a> {
    pub fn new(state: &'a State, snapshot: &'a Snapshot) -> Scorer<'a> {
        let mut lanes = [None; 4];
        if state.soft.len() <= lanes.len() {
            for (i, c) in state.soft.iter().enumerate() {
                let own = state.soft_domains.get(i).and_then(Option::as_ref);
                let counts = match (c.group, c.topo, own) {
                    (None, _, _) => Counts::Small(&[]),
                    (Some(g), None, _) => Counts::Small(&snapshot.counts.groups[g].per_slot),
                    (Some(_), Some(_), Some(domains)) => Counts::Wide(&domains.counts),
                    (Some(g), Some(k), None) => Counts::Wide(snapshot.counts.groups[g].per_key(k)),
                };
                lanes[i] = Some(Lane {
                    ids: c.topo.map(|k| snapshot.topology.keys[k].per_slot.as_slice()),
                    counts,
                    weight: c.weight,
                    skew: (c.max_skew - 1) as f64,
                });
            }
        }
        Scorer { ignored: &state.ignored, lanes, state, snapshot }
    }

    /// The raw score of the `index`th feasible node, in `slot`.
    pub fn score(&self, index: usize, slot: usize, node: &NodeInfo) -> i64 {
        if self.state.soft.len() > self.lanes.len() {
            return score(self.state, index, slot, node, self.snapshot);
        }
        if self.ignored.get(index).copied().unwrap_or(false) {
            return 0;
        }
        let mut raw = 0.0;
        for lane in self.lanes.iter().map_while(Option::as_ref) {
            let at = match lane.ids {
                None if node.has_hostname => slot,
                None => continue,
                Some(ids) => match ids.get(slot).copied().flatten() {
                    Some(v) => v as usize,
                    None => continue,
                },
            };
            let count = match lane.counts {
                Counts::Small(c) => c.get(at).copied().unwrap_or(0) as i64,
                Counts::Wide(c) => c.get(at).copied().unwrap_or(0),
            };
            raw += count as f64 * lane.weight + lane.skew;
        }
        round(raw)
    }
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
    // Counts are small, so raw scores take few values: with none ignored,
    // one division per value instead of one per node.
    let mut table = [0i64; 256];
    if ignored.is_empty() && max > 0 && min >= 0 && ((max - min) as usize) < table.len().min(scores.len() / 2) {
        for (v, slot) in table.iter_mut().enumerate().take((max - min) as usize + 1) {
            *slot = 100 * (max - v as i64) / max;
        }
        for s in scores.iter_mut() {
            *s = table[(*s - min) as usize];
        }
        return;
    }
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
    fn api_ordered_is_the_api_round_trip() {
        let cases = [
            "app=web,pod-template-hash=abc",
            "pod-template-hash=abc,app=web",
            "tier in (a,b),app=web",
            "b=1,a=2,b=3",
            "!gone,z=1,env notin (dev),a=1,x",
            "app=web",
        ];
        for text in cases {
            let Ok(selector) = Selector::parse(text) else { panic!("{text}") };
            let Ok(want) = Selector::from_api(&selector.to_api()) else { panic!("{text}") };
            assert_eq!(api_ordered(selector), want, "{text}");
        }
    }

    #[test]
    fn normalizing_by_table_matches_the_formula() {
        let mut rng = crate::rng::Rng::new(7);
        for case in 0..300 {
            let n = 1 + rng.below(40);
            let spread = 1 + rng.below(if case % 2 == 0 { 8 } else { 400 }) as i64;
            let base = rng.below(50) as i64;
            let raw: Vec<i64> = (0..n).map(|_| base + rng.below(spread as usize) as i64).collect();
            let (min, max) = (raw.iter().min().copied().unwrap_or(0), raw.iter().max().copied().unwrap_or(0));
            let want: Vec<i64> = raw.iter().map(|s| if max == 0 { 100 } else { 100 * (max + min - s) / max }).collect();
            let mut got = raw.clone();
            normalize_with(&[], &mut got);
            assert_eq!(got, want, "{raw:?}");
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
