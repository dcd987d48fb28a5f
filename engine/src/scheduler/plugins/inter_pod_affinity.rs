//! InterPodAffinity: required pod affinity and anti-affinity of the
//! incoming pod, and the anti-affinity of pods already placed against it
//! (Filter); preferred terms both ways (Score).
//!
//! It walks the placed pods, so it is skipped outright while no placed pod
//! has affinity terms and the incoming pod has none — the common case.

use super::super::framework::{Code, Status};
use super::super::snapshot::{NodeInfo, PodInfo, Snapshot};
use crate::api::Kind;
use crate::labels::Selector;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Affinity, Pod, PodAffinityTerm};
use std::collections::{BTreeMap, HashMap};

pub const NAME: &str = "InterPodAffinity";
pub const AFFINITY: &str = "node(s) didn't match pod affinity rules";
pub const ANTI_AFFINITY: &str = "node(s) didn't match pod anti-affinity rules";
pub const EXISTING_ANTI_AFFINITY: &str = "node(s) didn't satisfy existing pods anti-affinity rules";
/// How much an existing pod's required affinity to the incoming one counts
/// in scoring (kube-scheduler's hardPodAffinityWeight default).
const HARD_POD_AFFINITY_WEIGHT: i64 = 1;

/// A term resolved: which namespaces, which labels, which topology key.
#[derive(Clone, Debug)]
pub(crate) struct Term {
    namespaces: Option<Vec<String>>,
    selector: Option<Selector>,
    key: String,
    weight: i64,
}

impl Term {
    fn new(term: &PodAffinityTerm, own_namespace: &str, weight: i64, store: &Store) -> Term {
        let mut namespaces: Option<Vec<String>> = Some(term.namespaces.clone().unwrap_or_default());
        match &term.namespace_selector {
            // `{}` selects every namespace.
            Some(s)
                if s.match_labels.as_ref().is_none_or(|m| m.is_empty())
                    && s.match_expressions.as_ref().is_none_or(|e| e.is_empty()) =>
            {
                namespaces = None
            }
            Some(s) => {
                if let (Ok(sel), Some(list)) = (Selector::from_api(s), namespaces.as_mut()) {
                    for ns in store.list(Kind::Namespace, None) {
                        if sel.matches(ns.meta().labels.as_ref()) {
                            list.push(ns.name().to_string());
                        }
                    }
                }
            }
            None => {
                if let Some(list) = namespaces.as_mut().filter(|l| l.is_empty()) {
                    list.push(own_namespace.to_string());
                }
            }
        }
        Term {
            namespaces,
            // A term without a selector matches no pod.
            selector: term.label_selector.as_ref().and_then(|s| Selector::from_api(s).ok()),
            key: term.topology_key.clone(),
            weight,
        }
    }

    fn matches(&self, namespace: &str, labels: &BTreeMap<String, String>) -> bool {
        self.namespaces.as_ref().is_none_or(|n| n.iter().any(|x| x == namespace))
            && self.selector.as_ref().is_some_and(|s| s.matches(Some(labels)))
    }
}

/// The four lists of terms an affinity holds.
#[derive(Clone, Debug, Default)]
pub(crate) struct Terms {
    affinity: Vec<Term>,
    anti: Vec<Term>,
    preferred: Vec<Term>,
    preferred_anti: Vec<Term>,
}

impl Terms {
    fn of(affinity: Option<&Affinity>, namespace: &str, store: &Store) -> Terms {
        let mut t = Terms::default();
        let Some(a) = affinity else { return t };
        let resolve = |list: Option<&Vec<PodAffinityTerm>>| {
            list.into_iter().flatten().map(|x| Term::new(x, namespace, 0, store)).collect::<Vec<_>>()
        };
        let weighted = |list: Option<&Vec<k8s_openapi::api::core::v1::WeightedPodAffinityTerm>>| {
            list.into_iter()
                .flatten()
                .map(|w| Term::new(&w.pod_affinity_term, namespace, w.weight as i64, store))
                .collect::<Vec<_>>()
        };
        if let Some(p) = &a.pod_affinity {
            t.affinity = resolve(p.required_during_scheduling_ignored_during_execution.as_ref());
            t.preferred = weighted(p.preferred_during_scheduling_ignored_during_execution.as_ref());
        }
        if let Some(p) = &a.pod_anti_affinity {
            t.anti = resolve(p.required_during_scheduling_ignored_during_execution.as_ref());
            t.preferred_anti = weighted(p.preferred_during_scheduling_ignored_during_execution.as_ref());
        }
        t
    }

    fn is_empty(&self) -> bool {
        self.affinity.is_empty() && self.anti.is_empty() && self.preferred.is_empty() && self.preferred_anti.is_empty()
    }
}

type Pairs = HashMap<(String, String), i64>;

#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    skip: bool,
    terms: Terms,
    affinity_counts: Pairs,
    anti_counts: Pairs,
    existing_anti: Pairs,
    matches_own_affinity: bool,
    scores: Pairs,
}

fn bump(pairs: &mut Pairs, key: &str, node: &NodeInfo, by: i64) {
    if let Some(v) = node.labels().and_then(|l| l.get(key)) {
        *pairs.entry((key.to_string(), v.clone())).or_default() += by;
    }
}

/// The placed pods worth walking: all of them, or only those with terms.
fn placed<'a>(snapshot: &'a Snapshot, all: bool) -> impl Iterator<Item = (&'a NodeInfo, &'a PodInfo)> + 'a {
    snapshot
        .order
        .iter()
        .map(|s| &snapshot.slots[*s])
        .filter(move |n| all || n.with_affinity > 0)
        .flat_map(move |n| n.pods.iter().filter(move |p| all || p.affinity.is_some()).map(move |p| (n, &**p)))
}

pub(crate) fn pre_filter(pod: &Pod, snapshot: &Snapshot, store: &Store) -> State {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let terms = Terms::of(pod.spec.as_ref().and_then(|s| s.affinity.as_ref()), ns, store);
    if terms.is_empty() && snapshot.with_affinity == 0 {
        return State { skip: true, ..Default::default() };
    }
    let ns = ns.to_string();
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let mut state =
        State { matches_own_affinity: terms.affinity.iter().all(|t| t.matches(&ns, &labels)), ..Default::default() };
    let want_all = !terms.is_empty();
    for (node, existing) in placed(snapshot, want_all) {
        if !terms.affinity.is_empty() && terms.affinity.iter().all(|t| t.matches(&existing.namespace, &existing.labels))
        {
            for t in &terms.affinity {
                bump(&mut state.affinity_counts, &t.key, node, 1);
            }
        }
        for t in terms.anti.iter().filter(|t| t.matches(&existing.namespace, &existing.labels)) {
            bump(&mut state.anti_counts, &t.key, node, 1);
        }
        for t in &terms.preferred {
            if t.matches(&existing.namespace, &existing.labels) {
                bump(&mut state.scores, &t.key, node, t.weight);
            }
        }
        for t in &terms.preferred_anti {
            if t.matches(&existing.namespace, &existing.labels) {
                bump(&mut state.scores, &t.key, node, -t.weight);
            }
        }
        if existing.affinity.is_some() {
            let theirs = Terms::of(existing.affinity.as_deref(), &existing.namespace, store);
            for t in theirs.anti.iter().filter(|t| t.matches(&ns, &labels)) {
                bump(&mut state.existing_anti, &t.key, node, 1);
            }
            for t in theirs.affinity.iter().filter(|t| t.matches(&ns, &labels)) {
                bump(&mut state.scores, &t.key, node, HARD_POD_AFFINITY_WEIGHT);
            }
            for t in theirs.preferred.iter().filter(|t| t.matches(&ns, &labels)) {
                bump(&mut state.scores, &t.key, node, t.weight);
            }
            for t in theirs.preferred_anti.iter().filter(|t| t.matches(&ns, &labels)) {
                bump(&mut state.scores, &t.key, node, -t.weight);
            }
        }
    }
    state.terms = terms;
    state
}

fn value<'a>(node: &'a NodeInfo, key: &str) -> Option<&'a String> {
    node.labels().and_then(|l| l.get(key))
}

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(state: &State, node: &NodeInfo) -> Option<Status> {
    if state.skip {
        return None;
    }
    let count = |pairs: &Pairs, key: &str, v: &String| pairs.get(&(key.to_string(), v.clone())).copied().unwrap_or(0);
    let mut satisfied = true;
    for t in &state.terms.affinity {
        match value(node, &t.key) {
            None => return Some(Status::new(NAME, Code::Unresolvable, vec![AFFINITY.into()])),
            Some(v) if count(&state.affinity_counts, &t.key, v) <= 0 => satisfied = false,
            Some(_) => {}
        }
    }
    // The first of a group of pods with affinity to each other may go
    // anywhere that has the keys.
    let first_of_group = state.affinity_counts.is_empty() && state.matches_own_affinity;
    if !satisfied && !first_of_group {
        return Some(Status::new(NAME, Code::Unresolvable, vec![AFFINITY.into()]));
    }
    for t in &state.terms.anti {
        if value(node, &t.key).is_some_and(|v| count(&state.anti_counts, &t.key, v) > 0) {
            return Some(Status::new(NAME, Code::Unschedulable, vec![ANTI_AFFINITY.into()]));
        }
    }
    let clash = state.existing_anti.iter().any(|((k, v), n)| *n > 0 && value(node, k) == Some(v));
    if clash {
        return Some(Status::new(NAME, Code::Unschedulable, vec![EXISTING_ANTI_AFFINITY.into()]));
    }
    None
}

pub(crate) fn scores(state: &State) -> bool {
    !state.skip && !state.scores.is_empty()
}

pub(crate) fn score(state: &State, node: &NodeInfo) -> i64 {
    state.scores.iter().filter(|((k, v), _)| value(node, k) == Some(v)).map(|(_, s)| *s).sum()
}

/// 100 × (raw − min) / (max − min), or 0 for all when they are equal.
pub fn normalize(scores: &mut [i64]) {
    let min = scores.iter().copied().min().unwrap_or(0);
    let max = scores.iter().copied().max().unwrap_or(0);
    for s in scores.iter_mut() {
        *s = if max - min > 0 { (100.0 * ((*s - min) as f64 / (max - min) as f64)) as i64 } else { 0 };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_table() {
        let cases: [(&[i64], &[i64]); 4] = [
            (&[-5, 0, 5], &[0, 50, 100]),
            (&[3, 3], &[0, 0]),
            (&[0, 1, 2], &[0, 50, 100]),
            (&[1, 2, 4], &[0, 33, 100]),
        ];
        for (raw, want) in cases {
            let mut got = raw.to_vec();
            normalize(&mut got);
            assert_eq!(got, want, "{raw:?}");
        }
    }
}
