//! DefaultPreemption (PostFilter): when no node fits, find a node where
//! deleting lower-priority pods would make room, choose the fewest and
//! least important victims there, and nominate that node for the pod.
//!
//! Victims are chosen as kube-scheduler chooses them: take every
//! lower-priority pod off a copy of the node; if the pod then fits, put
//! them back one at a time, most important first and the ones whose
//! PodDisruptionBudget forbids a disruption before the others, keeping out
//! only those without which it does not fit. Among candidate nodes the
//! one with the fewest budget violations wins, then the lowest highest
//! victim priority, the lowest priority sum, the fewest victims, the
//! latest-started most important victims, then the first.
//!
//! Counts that PreFilter took over the whole cluster (topology spread,
//! inter-pod affinity) are not recomputed without the victims, so only
//! room (resources, ports, pod count) is won by preemption here.

use crate::labels::Selector;
use crate::rng::Rng;
use crate::scheduler::framework::{
    default_post_filter, run_filters_with_nominated, Code, CycleState, Diagnosis, PostFilterResult,
};
use crate::scheduler::snapshot::{PodInfo, PodKey, Snapshot};
use crate::store::Store;
use k8s_openapi::api::core::v1::Pod;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// kube's MinCandidateNodesPercentage and MinCandidateNodesAbsolute.
const MIN_CANDIDATE_PERCENTAGE: usize = 10;
const MIN_CANDIDATES: usize = 100;

const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";

/// What a PodDisruptionBudget allows, as preemption reads it.
#[derive(Clone, Debug)]
pub(crate) struct Budget {
    namespace: String,
    selector: Selector,
    allowed: i32,
    /// Pods the API server already counted as disrupted.
    disrupted: BTreeSet<String>,
}

/// Every PodDisruptionBudget, read when preemption has nodes to try.
pub(crate) fn budgets(store: &Store) -> Vec<Budget> {
    store
        .list(crate::api::Kind::PodDisruptionBudget, None)
        .filter_map(|o| {
            let crate::object::Object::PodDisruptionBudget(pdb) = &**o else { return None };
            // A budget without a selector, or with one kube cannot read,
            // matches nothing.
            let selector = pdb.spec.as_ref()?.selector.as_ref()?;
            let selector = Selector::from_api(selector).ok().filter(|s| !s.is_empty())?;
            let status = pdb.status.as_ref();
            Some(Budget {
                namespace: o.namespace().to_string(),
                selector,
                allowed: status.map_or(0, |s| s.disruptions_allowed),
                disrupted: status
                    .and_then(|s| s.disrupted_pods.as_ref())
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.clone())
                    .collect(),
            })
        })
        .collect()
}

/// The node preemption chose and the pods to delete there.
#[derive(Clone, Debug)]
pub(crate) struct Preemption {
    pub node: String,
    pub victims: Vec<PodKey>,
}

/// One node where preemption would work.
struct Candidate {
    slot: usize,
    /// Most important first.
    victims: Vec<Arc<PodInfo>>,
    violations: usize,
}

/// PostFilter: a node and victims, or kube-scheduler's "preemption: …" text
/// saying why none.
pub(crate) fn post_filter(
    pod: &Pod,
    state: &CycleState,
    snapshot: &Snapshot,
    diagnosis: &Diagnosis,
    store: &Store,
    rng: &mut Rng,
) -> (PostFilterResult, Option<Preemption>) {
    if let Some(reason) = not_eligible(pod, state, snapshot, diagnosis) {
        return (PostFilterResult { nominated: None, message: format!("preemption: {reason}") }, None);
    }
    let potential: Vec<usize> =
        diagnosis.statuses.iter().filter(|(_, s)| s.code == Code::Unschedulable).map(|(slot, _)| *slot).collect();
    if potential.is_empty() {
        return (default_post_filter(diagnosis), None);
    }
    let wanted = (potential.len() * MIN_CANDIDATE_PERCENTAGE / 100).max(MIN_CANDIDATES).min(potential.len());
    // The draw only matters when not every potential node is tried; skipping
    // it otherwise keeps small clusters' random names as they were.
    let offset = if wanted < potential.len() { rng.below(potential.len()) } else { 0 };
    let mut fine = Vec::new();
    let mut violating = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    // Budgets are read only once some node may give victims.
    let budgets = budgets(store);
    for i in 0..potential.len() {
        let slot = potential[(offset + i) % potential.len()];
        match select_victims(pod, state, slot, snapshot, &budgets) {
            Ok(c) if c.violations == 0 => fine.push(c),
            Ok(c) => violating.push(c),
            Err(why) => reasons.extend(why),
        }
        if !fine.is_empty() && fine.len() + violating.len() >= wanted {
            break;
        }
    }
    fine.extend(violating);
    match pick(fine) {
        Some(best) => {
            let node = snapshot.slots[best.slot].name.clone();
            let victims = best.victims.iter().map(|v| (v.namespace.clone(), v.name.clone())).collect();
            (
                PostFilterResult { nominated: Some(node.clone()), message: String::new() },
                Some(Preemption { node, victims }),
            )
        }
        None => {
            // Nodes preemption did not try are those where removing pods
            // cannot help.
            let tried = potential.len();
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for reason in reasons {
                *counts.entry(reason).or_default() += 1;
            }
            if diagnosis.total > tried {
                *counts.entry(NOT_HELPFUL.into()).or_default() += diagnosis.total - tried;
            }
            let mut parts: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
            parts.sort();
            let total = diagnosis.total;
            let message = format!("preemption: 0/{total} nodes are available: {}.", parts.join(", "));
            (PostFilterResult { nominated: None, message }, None)
        }
    }
}

/// Why this pod may not preempt now, in kube-scheduler's words.
fn not_eligible(pod: &Pod, state: &CycleState, snapshot: &Snapshot, diagnosis: &Diagnosis) -> Option<&'static str> {
    let spec = pod.spec.as_ref();
    if spec.and_then(|s| s.preemption_policy.as_deref()) == Some("Never") {
        return Some("not eligible due to preemptionPolicy=Never.");
    }
    let nominated = pod.status.as_ref().and_then(|s| s.nominated_node_name.as_deref()).filter(|n| !n.is_empty())?;
    let slot = snapshot.slot(nominated)?;
    // A nominated node that no longer suits the pod at all frees it to
    // look elsewhere.
    let unresolvable = diagnosis.statuses.iter().any(|(s, status)| *s == slot && status.code == Code::Unresolvable);
    let waiting = snapshot.slots[slot].pods.iter().any(|p| p.terminating && p.priority < state.info.priority);
    (!unresolvable && waiting).then_some("not eligible due to a terminating pod on the nominated node.")
}

/// kube's MoreImportantPod: higher priority, then the one running longer.
fn more_important(a: &PodInfo, b: &PodInfo) -> std::cmp::Ordering {
    b.priority.cmp(&a.priority).then(a.started.cmp(&b.started))
}

/// The fewest, least important victims on one node, or the reasons the pod
/// would not fit there even with every lower-priority pod gone.
fn select_victims(
    pod: &Pod,
    state: &CycleState,
    slot: usize,
    snapshot: &Snapshot,
    budgets: &[Budget],
) -> Result<Candidate, Vec<String>> {
    let mut potential: Vec<Arc<PodInfo>> =
        snapshot.slots[slot].pods.iter().filter(|p| p.priority < state.info.priority).cloned().collect();
    if potential.is_empty() {
        return Err(vec![NO_VICTIMS.into()]);
    }
    let mut node = snapshot.slots[slot].clone();
    for p in &potential {
        node.remove_pod(&p.namespace, &p.name);
    }
    if let Some(status) = run_filters_with_nominated(state, pod, slot, snapshot, &node) {
        return Err(status.reasons.iter().map(|r| r.to_string()).collect());
    }
    potential.sort_by(|a, b| more_important(a, b));
    let (violating, fine) = split_by_budgets(potential, budgets);
    let mut victims = Vec::new();
    let mut violations = 0;
    for (p, breaks_budget) in violating.iter().map(|p| (p, true)).chain(fine.iter().map(|p| (p, false))) {
        node.add_pod(p.clone());
        if run_filters_with_nominated(state, pod, slot, snapshot, &node).is_some() {
            node.remove_pod(&p.namespace, &p.name);
            victims.push(p.clone());
            violations += usize::from(breaks_budget);
        }
    }
    if !violating.is_empty() && !fine.is_empty() {
        victims.sort_by(|a, b| more_important(a, b));
    }
    if victims.is_empty() {
        // Everything fit back: the pod's trouble lay elsewhere.
        return Err(vec![NO_VICTIMS.into()]);
    }
    Ok(Candidate { slot, victims, violations })
}

/// Splits pods (kept in order) into those whose deletion would break a
/// PodDisruptionBudget and the rest, spending each budget's allowance as
/// pods are counted against it.
fn split_by_budgets(pods: Vec<Arc<PodInfo>>, budgets: &[Budget]) -> (Vec<Arc<PodInfo>>, Vec<Arc<PodInfo>>) {
    let mut allowed: Vec<i32> = budgets.iter().map(|b| b.allowed).collect();
    let (mut violating, mut fine) = (Vec::new(), Vec::new());
    for pod in pods {
        let mut breaks = false;
        if !pod.labels.is_empty() {
            for (i, budget) in budgets.iter().enumerate() {
                if budget.namespace != pod.namespace
                    || !budget.selector.matches(Some(&pod.labels))
                    || budget.disrupted.contains(&pod.name)
                {
                    continue;
                }
                allowed[i] -= 1;
                breaks |= allowed[i] < 0;
            }
        }
        if breaks {
            violating.push(pod);
        } else {
            fine.push(pod);
        }
    }
    (violating, fine)
}

/// kube's pickOneNodeForPreemption over the candidates, in the order tried.
fn pick(candidates: Vec<Candidate>) -> Option<Candidate> {
    // Priorities shifted to be non-negative, so a few negative victims do
    // not beat fewer victims of the same priority.
    let sum = |c: &Candidate| c.victims.iter().map(|v| i64::from(v.priority) + (1 << 31)).sum::<i64>();
    let highest = |c: &Candidate| c.victims.first().map_or(i32::MIN, |v| v.priority);
    // The earliest start among the victims of the highest priority.
    let earliest = |c: &Candidate| {
        let top = highest(c);
        c.victims.iter().filter(|v| v.priority == top).map(|v| v.started).min()
    };
    let key = |c: &Candidate| (c.violations, highest(c), sum(c), c.victims.len(), Reverse(earliest(c)));
    let best = candidates.iter().map(key).min()?;
    candidates.into_iter().find(|c| key(c) == best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Time;

    fn info(name: &str, priority: i32, started: i64, labels: &[(&str, &str)]) -> Arc<PodInfo> {
        let mut pod = Pod::default();
        pod.metadata.name = Some(name.into());
        pod.metadata.namespace = Some("default".into());
        pod.metadata.labels = Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
        let mut info = PodInfo::new(&pod);
        info.priority = priority;
        info.started = Time(started);
        Arc::new(info)
    }

    fn budget(app: &str, allowed: i32) -> Budget {
        Budget {
            namespace: "default".into(),
            selector: Selector::parse(&format!("app={app}")).unwrap_or_else(|e| panic!("{e}")),
            allowed,
            disrupted: BTreeSet::new(),
        }
    }

    fn names(pods: &[Arc<PodInfo>]) -> Vec<&str> {
        pods.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn budgets_are_spent_in_order_and_unlabelled_pods_match_none() {
        let pods = vec![
            info("a", 10, 0, &[("app", "web")]),
            info("b", 10, 0, &[("app", "web")]),
            info("c", 5, 0, &[("app", "db")]),
            info("d", 5, 0, &[]),
        ];
        let (violating, fine) = split_by_budgets(pods, &[budget("web", 1), budget("db", 0)]);
        assert_eq!(names(&violating), ["b", "c"]);
        assert_eq!(names(&fine), ["a", "d"]);
    }

    #[test]
    fn importance_is_priority_then_age() {
        let mut pods = vec![info("new-low", 1, 50, &[]), info("old-low", 1, 10, &[]), info("high", 9, 99, &[])];
        pods.sort_by(|a, b| more_important(a, b));
        assert_eq!(names(&pods), ["high", "old-low", "new-low"]);
    }

    #[test]
    fn the_node_chosen_follows_kube_schedulers_order_of_criteria() {
        let c = |slot, victims: Vec<Arc<PodInfo>>, violations| Candidate { slot, victims, violations };
        let table: Vec<(&str, Vec<Candidate>, usize)> = vec![
            (
                "fewest budget violations",
                vec![c(0, vec![info("a", 1, 0, &[])], 1), c(1, vec![info("b", 5, 0, &[]), info("c", 5, 0, &[])], 0)],
                1,
            ),
            (
                "lowest highest priority",
                vec![c(0, vec![info("a", 7, 0, &[])], 0), c(1, vec![info("b", 3, 0, &[])], 0)],
                1,
            ),
            (
                "lowest sum of priorities",
                vec![
                    c(0, vec![info("a", 3, 0, &[]), info("b", 3, 0, &[])], 0),
                    c(1, vec![info("c", 3, 0, &[]), info("d", 1, 0, &[])], 0),
                ],
                1,
            ),
            (
                "negative priorities do not favour more victims",
                vec![c(0, vec![info("a", -5, 0, &[]), info("b", -5, 0, &[])], 0), c(1, vec![info("c", -5, 0, &[])], 0)],
                1,
            ),
            (
                "latest start of the most important victims",
                vec![c(0, vec![info("a", 3, 100, &[])], 0), c(1, vec![info("b", 3, 900, &[])], 0)],
                1,
            ),
            (
                "the first when all tie",
                vec![c(4, vec![info("a", 3, 0, &[])], 0), c(2, vec![info("b", 3, 0, &[])], 0)],
                4,
            ),
        ];
        for (what, candidates, want) in table {
            assert_eq!(pick(candidates).map(|c| c.slot), Some(want), "{what}");
        }
        assert!(pick(Vec::new()).is_none());
    }
}
