//! The scheduling framework: kube-scheduler's default profile as a fixed
//! sequence of plugins over its extension points — PreFilter, Filter,
//! PostFilter, PreScore, Score, NormalizeScore — then host selection.
//!
//! Plugins are plain functions in `plugins/` called in profile order, each
//! with its state from PreFilter/PreScore kept in [`CycleState`]; there is
//! one profile, so a table of trait objects would buy nothing but
//! indirection on the per-node path.
//!
//! Nodes are searched from a rotating start and the search stops once
//! enough feasible nodes are found (kube's adaptive
//! percentageOfNodesToScore), so a pod's cost grows with the nodes sampled,
//! not with the cluster.

#[cfg(test)]
use super::plugins::node_resources_fit::pod_requests;
use super::plugins::{
    balanced_allocation, default_preemption, image_locality, inter_pod_affinity, node_affinity, node_name, node_ports,
    node_resources_fit, node_unschedulable, pod_topology_spread, taint_toleration, volume_binding,
};
use super::snapshot::{PodInfo, Snapshot};
use super::trace::Record;
use crate::rng::Rng;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Pod, PreferredSchedulingTerm, Toleration};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Why a plugin rejected a node, and whether removing pods could help.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    /// Preemption might make room (resources, ports, anti-affinity, skew).
    Unschedulable,
    /// Nothing done to pods on the node changes the answer.
    Unresolvable,
}

/// A Filter verdict against one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    pub plugin: &'static str,
    pub code: Code,
    pub reasons: Vec<Cow<'static, str>>,
}

impl Status {
    pub fn new(plugin: &'static str, code: Code, reasons: Vec<Cow<'static, str>>) -> Status {
        Status { plugin, code, reasons }
    }
}

/// The score plugins in profile order, with their weights.
pub(crate) const SCORE_PLUGINS: [(&str, i64); 7] = [
    (taint_toleration::NAME, 3),
    (node_affinity::NAME, 2),
    (node_resources_fit::NAME, 1),
    (pod_topology_spread::NAME, 2),
    (inter_pod_affinity::NAME, 2),
    (balanced_allocation::NAME, 1),
    (image_locality::NAME, 1),
];

/// The best possible score of one plugin.
pub const MAX_NODE_SCORE: i64 = 100;

/// What PreFilter and PreScore worked out for one pod, read by the rest of
/// the cycle (and by PostFilter, which re-runs filters on what-if nodes).
#[derive(Clone, Debug)]
pub(crate) struct CycleState {
    pub info: PodInfo,
    prefer_tolerations: Vec<Toleration>,
    preferred_nodes: Vec<PreferredSchedulingTerm>,
    /// Whether nodeSelector or required node affinity narrow the nodes.
    node_requirements: bool,
    node_name: Option<String>,
    pub volumes: volume_binding::PodVolumes,
    spread: pod_topology_spread::State,
    affinity: inter_pod_affinity::State,
    images: image_locality::State,
}

/// What failed where when no node fits: kube's Diagnosis.
#[derive(Clone, Debug, Default)]
pub(crate) struct Diagnosis {
    pub total: usize,
    /// The one reason a PreFilter plugin gave for every node at once.
    pub prefilter: Option<String>,
    /// (slot, verdict) per node tried.
    pub statuses: Vec<(usize, Status)>,
}

/// The end of a failed cycle, from PostFilter: a node nominated for the
/// pod once victims are gone, and the message's "preemption: …" part.
#[derive(Clone, Debug, Default)]
pub(crate) struct PostFilterResult {
    pub nominated: Option<String>,
    pub message: String,
}

/// kube-scheduler's adaptive percentageOfNodesToScore: every node in small
/// clusters, fewer (but at least 100, or 5%) in large ones.
pub fn nodes_to_find(all: usize) -> usize {
    if all < 100 {
        return all;
    }
    let percentage = (50 - all as i64 / 125).max(5) as usize;
    (all * percentage / 100).max(100)
}

/// PreFilter: the pod's state, or the one reason no node can help.
pub(crate) fn pre_filter(pod: &Pod, snapshot: &mut Snapshot, store: &Store) -> Result<CycleState, String> {
    let volumes = volume_binding::prefilter(store, pod)?;
    let spec = pod.spec.as_ref();
    let spread = pod_topology_spread::pre_filter(pod, snapshot, store);
    let affinity = inter_pod_affinity::pre_filter(pod, snapshot, store);
    Ok(CycleState {
        info: PodInfo::new(pod),
        prefer_tolerations: taint_toleration::prefer_tolerations(tolerations(pod)),
        preferred_nodes: node_affinity::preferred(pod).to_vec(),
        node_requirements: node_affinity::has_requirements(pod),
        node_name: spec.and_then(|s| s.node_name.clone()),
        volumes,
        spread,
        affinity,
        images: image_locality::State::default(),
    })
}

/// The pod's tolerations, read from it where the filters need them rather
/// than copied into every cycle's state.
fn tolerations(pod: &Pod) -> &[Toleration] {
    pod.spec.as_ref().and_then(|s| s.tolerations.as_deref()).unwrap_or_default()
}

/// Every Filter plugin in profile order against one node; the first that
/// rejects it answers. PostFilter calls this on copies of nodes with pods
/// taken out (the PreFilter counts of spreading and affinity stay those of
/// the whole snapshot).
pub(crate) fn run_filters(
    state: &CycleState,
    pod: &Pod,
    slot: usize,
    snapshot: &Snapshot,
    node: &super::snapshot::NodeInfo,
) -> Option<Status> {
    node_unschedulable::filter(tolerations(pod), node)
        .or_else(|| node_name::filter(state.node_name.as_deref(), node))
        .or_else(|| taint_toleration::filter(tolerations(pod), node))
        .or_else(|| if state.node_requirements { node_affinity::filter(pod, node) } else { None })
        .or_else(|| node_ports::filter(&state.info.ports, node))
        .or_else(|| node_resources_fit::filter(&state.info.requests, node))
        .or_else(|| {
            if state.volumes.is_empty() {
                return None;
            }
            volume_binding::filter(&state.volumes, node.node())
                .map(|r| Status::new(volume_binding::NAME, Code::Unresolvable, vec![r.into()]))
        })
        .or_else(|| pod_topology_spread::filter(&state.spread, slot, node, snapshot))
        .or_else(|| inter_pod_affinity::filter(&state.affinity, node))
}

/// [`run_filters`] as kube's RunFilterPluginsWithNominatedPods: on a node
/// where pods of at least this pod's priority wait for room freed by their
/// preemption, the pod must fit with them counted in too.
pub(crate) fn run_filters_with_nominated(
    state: &CycleState,
    pod: &Pod,
    slot: usize,
    snapshot: &Snapshot,
    node: &super::snapshot::NodeInfo,
) -> Option<Status> {
    // Nominations are rare: with none, the per-node lookup is skipped.
    if let Some(waiting) = (!snapshot.nominated.is_empty()).then(|| snapshot.nominated.get(&node.name)).flatten() {
        let me = (&state.info.namespace, &state.info.name);
        let ahead: Vec<&Arc<PodInfo>> =
            waiting.iter().filter(|p| p.priority >= state.info.priority && (&p.namespace, &p.name) != me).collect();
        if !ahead.is_empty() {
            let mut with = node.clone();
            for p in ahead {
                with.add_pod(p.clone());
            }
            if let Some(status) = run_filters(state, pod, slot, snapshot, &with) {
                return Some(status);
            }
        }
    }
    run_filters(state, pod, slot, snapshot, node)
}

/// Raw and normalised scores per plugin over the feasible nodes, flat
/// (plugin-major) so a trace keeps one small allocation per attempt.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scores {
    pub nodes: usize,
    pub raw: Vec<i64>,
    pub normalized: Vec<u8>,
    pub totals: Vec<i64>,
}

impl Scores {
    pub fn raw(&self, plugin: usize, node: usize) -> i64 {
        self.raw[plugin * self.nodes + node]
    }

    pub fn normalized(&self, plugin: usize, node: usize) -> i64 {
        self.normalized[plugin * self.nodes + node] as i64
    }
}

/// kube's DefaultNormalizeScore: scaled so the best is 100, optionally
/// reversed; all zero stays zero (or becomes 100 reversed).
pub fn default_normalize(scores: &mut [i64], reverse: bool) {
    let max = scores.iter().copied().max().unwrap_or(0);
    for s in scores.iter_mut() {
        if max == 0 {
            if reverse {
                *s = MAX_NODE_SCORE;
            }
            continue;
        }
        *s = MAX_NODE_SCORE * *s / max;
        if reverse {
            *s = MAX_NODE_SCORE - *s;
        }
    }
}

/// Buffers a cycle reuses, so a placement allocates nothing that grows
/// with the nodes sampled.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scratch {
    feasible: Vec<usize>,
    norm: Vec<i64>,
    tied: Vec<usize>,
    scores: Scores,
    memo: Vec<Memo>,
}

/// A node's last NodeResourcesFit and BalancedAllocation scores, by slot.
/// Both depend only on the node's requests and allocatable (which its
/// generation tracks) and the pod's requests; a node is scored by
/// thousands of pods between two placements on it, and pods of one
/// workload ask for the same, so the divisions are mostly skipped.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Memo {
    /// 0: nothing kept (generations start at 1).
    generation: u64,
    non_zero: (i64, i64),
    requests: (i64, i64),
    fit: i64,
    balanced: i64,
}

impl Memo {
    fn scores(memo: &mut [Memo], slot: usize, node: &super::snapshot::NodeInfo, info: &PodInfo) -> (i64, i64) {
        let requests = (info.requests.cpu, info.requests.memory);
        let kept = &mut memo[slot];
        if kept.generation != node.generation || kept.non_zero != info.non_zero || kept.requests != requests {
            *kept = Memo {
                generation: node.generation,
                non_zero: info.non_zero,
                requests,
                fit: node_resources_fit::score(info.non_zero, node),
                balanced: balanced_allocation::score(&info.requests, node),
            };
        }
        (kept.fit, kept.balanced)
    }
}

/// PreScore, Score and NormalizeScore for the feasible nodes, into `out`.
///
/// Each node is scored by every plugin in one visit (its `NodeInfo` read
/// once, not once per plugin); each plugin's column is then normalised on
/// its own, as kube-scheduler does plugin by plugin.
pub(crate) fn score(
    state: &mut CycleState,
    pod: &Pod,
    feasible: &[usize],
    snapshot: &Snapshot,
    out: &mut Scores,
    norm: &mut Vec<i64>,
    memo: &mut Vec<Memo>,
) {
    if memo.len() < snapshot.slots.len() {
        memo.resize(snapshot.slots.len(), Memo::default());
    }
    state.images = image_locality::pre_score(pod, snapshot);
    pod_topology_spread::pre_score(&mut state.spread, pod, feasible, snapshot);
    let n = feasible.len();
    let plugins = SCORE_PLUGINS.len();
    out.nodes = n;
    // The buffers come back from earlier cycles, mostly of the same size:
    // every cell is written below (a skipped plugin's column with zeros),
    // so they are only resized, never cleared first.
    out.raw.resize(plugins * n, 0);
    out.normalized.resize(plugins * n, 0);
    out.totals.clear();
    out.totals.resize(n, 0);
    // PreScore said Skip: the plugin's column stays zero.
    let preferred = !state.preferred_nodes.is_empty();
    let spreads = pod_topology_spread::scores(&state.spread);
    let affinity = inter_pod_affinity::scores(&state.affinity);
    let balanced = balanced_allocation::applies(&state.info.requests);
    let images = image_locality::scores(&state.images);
    let spreading = pod_topology_spread::Scorer::new(&state.spread, snapshot);
    {
        // The columns in SCORE_PLUGINS order.
        let (taints, rest) = out.raw.split_at_mut(n);
        let (node_affinity, rest) = rest.split_at_mut(n);
        let (fit, rest) = rest.split_at_mut(n);
        let (spread, rest) = rest.split_at_mut(n);
        let (pod_affinity, rest) = rest.split_at_mut(n);
        let (balance, image) = rest.split_at_mut(n);
        for (scored, column) in
            [(preferred, &mut *node_affinity), (spreads, &mut *spread), (affinity, &mut *pod_affinity)]
                .into_iter()
                .chain([(balanced, &mut *balance), (images, &mut *image)])
        {
            if !scored {
                column.fill(0);
            }
        }
        for (i, &slot) in feasible.iter().enumerate() {
            let node = &snapshot.slots[slot];
            taints[i] = taint_toleration::score(&state.prefer_tolerations, node);
            if preferred {
                node_affinity[i] = node_affinity::score(&state.preferred_nodes, node);
            }
            let (fits, balances) = Memo::scores(memo, slot, node, &state.info);
            fit[i] = fits;
            if spreads {
                spread[i] = spreading.score(i, slot, node);
            }
            if affinity {
                pod_affinity[i] = inter_pod_affinity::score(&state.affinity, node);
            }
            if balanced {
                balance[i] = balances;
            }
            if images {
                image[i] = image_locality::score(&state.images, node);
            }
        }
    }
    for (p, (name, weight)) in SCORE_PLUGINS.iter().enumerate() {
        let column = p * n..(p + 1) * n;
        let raw = &out.raw[column.clone()];
        // Normalising works on a copy: the record keeps the raw scores.
        let normalized: &[i64] = match *name {
            taint_toleration::NAME | node_affinity::NAME | pod_topology_spread::NAME => {
                norm.clear();
                norm.extend_from_slice(raw);
                match *name {
                    taint_toleration::NAME => default_normalize(norm, true),
                    node_affinity::NAME => default_normalize(norm, false),
                    _ => pod_topology_spread::normalize(&state.spread, norm),
                }
                norm.as_slice()
            }
            inter_pod_affinity::NAME if affinity => {
                norm.clear();
                norm.extend_from_slice(raw);
                inter_pod_affinity::normalize(norm);
                norm.as_slice()
            }
            _ => raw,
        };
        for ((t, s), kept) in out.totals.iter_mut().zip(normalized).zip(&mut out.normalized[column]) {
            *t += weight * s;
            *kept = (*s).clamp(0, MAX_NODE_SCORE) as u8;
        }
    }
}

/// The cycle's outcome.
pub(crate) enum Outcome {
    Bound { slot: usize, state: Box<CycleState> },
    Failed { diagnosis: Diagnosis, state: Option<Box<CycleState>> },
}

/// One scheduling cycle up to the choice of node (Filter through host
/// selection). `start` is the rotating start, moved on by the nodes tried.
pub(crate) fn schedule_one(
    pod: &Pod,
    snapshot: &mut Snapshot,
    store: &Store,
    rng: &mut Rng,
    start: &mut usize,
    scratch: &mut Scratch,
    mut record: Option<&mut Record>,
) -> Outcome {
    let total = snapshot.order.len();
    let mut state = match pre_filter(pod, snapshot, store) {
        Ok(s) => s,
        Err(reason) => {
            return Outcome::Failed {
                diagnosis: Diagnosis { total, prefilter: Some(reason), statuses: Vec::new() },
                state: None,
            }
        }
    };
    let enough = nodes_to_find(total);
    let mut feasible = std::mem::take(&mut scratch.feasible);
    feasible.clear();
    let mut statuses = Vec::new();
    let mut processed = 0;
    for i in 0..total {
        if feasible.len() >= enough {
            break;
        }
        processed += 1;
        let slot = snapshot.order[(*start + i) % total];
        match run_filters_with_nominated(&state, pod, slot, snapshot, &snapshot.slots[slot]) {
            Some(status) => statuses.push((slot, status)),
            None => feasible.push(slot),
        }
    }
    if total > 0 {
        *start = (*start + processed) % total;
    }
    if feasible.is_empty() {
        if let Some(r) = record.as_deref_mut() {
            r.filtered = statuses.clone();
        }
        scratch.feasible = feasible;
        return Outcome::Failed {
            diagnosis: Diagnosis { total, prefilter: None, statuses },
            state: Some(Box::new(state)),
        };
    }
    // One feasible node needs no scoring; the draw is kept so the names
    // made after a placement never depend on how many nodes tied.
    let chosen = if feasible.len() == 1 {
        rng.below(1);
        feasible[0]
    } else {
        let out = match record.as_deref_mut() {
            Some(r) => {
                r.scored = true;
                &mut r.scores
            }
            None => &mut scratch.scores,
        };
        score(&mut state, pod, &feasible, snapshot, out, &mut scratch.norm, &mut scratch.memo);
        let best = out.totals.iter().copied().max().unwrap_or(0);
        scratch.tied.clear();
        scratch.tied.extend((0..feasible.len()).filter(|i| out.totals[*i] == best));
        feasible[scratch.tied[rng.below(scratch.tied.len())]]
    };
    if let Some(r) = record {
        r.filtered = statuses;
        r.feasible.clear();
        r.feasible.extend(feasible.iter().map(|s| *s as u32));
    }
    scratch.feasible = feasible;
    Outcome::Bound { slot: chosen, state: Box::new(state) }
}

/// PostFilter, run when no node fits: DefaultPreemption's place
/// (`plugins/default_preemption.rs`), which may evict lower-priority pods
/// and nominate a node, trying what-if nodes with [`run_filters`] on
/// `NodeInfo` clones with victims removed. Until it finds victims, the
/// answer is [`default_post_filter`]'s.
pub(crate) fn post_filter(
    pod: &Pod,
    state: Option<&CycleState>,
    snapshot: &Snapshot,
    diagnosis: &Diagnosis,
    store: &Store,
    rng: &mut Rng,
) -> (PostFilterResult, Option<default_preemption::Preemption>) {
    match state {
        Some(state) => default_preemption::post_filter(pod, state, snapshot, diagnosis, store, rng),
        None => (default_post_filter(diagnosis), None),
    }
}

/// kube-scheduler's text when preemption finds no victims: per node,
/// whether evicting pods could have helped at all.
pub(crate) fn default_post_filter(diagnosis: &Diagnosis) -> PostFilterResult {
    let total = diagnosis.total;
    let message = if diagnosis.prefilter.is_some() {
        format!("preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling.")
    } else {
        let mut verdicts: BTreeMap<&str, usize> = BTreeMap::new();
        for (_, status) in &diagnosis.statuses {
            let verdict = match status.code {
                Code::Unschedulable => "No preemption victims found for incoming pod",
                Code::Unresolvable => "Preemption is not helpful for scheduling",
            };
            *verdicts.entry(verdict).or_default() += 1;
        }
        let mut parts: Vec<String> = verdicts.iter().map(|(v, c)| format!("{c} {v}")).collect();
        parts.sort();
        format!("preemption: 0/{total} nodes are available: {}.", parts.join(", "))
    };
    PostFilterResult { nominated: None, message }
}

/// kube-scheduler's FitError text: each reason with how many nodes gave
/// it, sorted as text, then PostFilter's message.
pub(crate) fn fit_error(diagnosis: &Diagnosis, post: &PostFilterResult) -> String {
    let total = diagnosis.total;
    if let Some(reason) = &diagnosis.prefilter {
        return join(format!("0/{total} nodes are available: {reason}."), &post.message);
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, status) in &diagnosis.statuses {
        for reason in &status.reasons {
            *counts.entry(reason).or_default() += 1;
        }
    }
    if counts.is_empty() {
        return format!("0/{total} nodes are available: no nodes available to schedule pods.");
    }
    let mut parts: Vec<String> = counts.iter().map(|(r, c)| format!("{c} {r}")).collect();
    parts.sort();
    join(format!("0/{total} nodes are available: {}.", parts.join(", ")), &post.message)
}

/// The FitError's text and PostFilter's, which is empty when preemption
/// nominated a node.
fn join(fit: String, post: &str) -> String {
    if post.is_empty() {
        fit
    } else {
        format!("{fit} {post}")
    }
}

#[cfg(test)]
#[path = "reference.rs"]
mod reference;

#[cfg(test)]
mod tests {
    use super::*;

    fn status(plugin: &'static str, code: Code, reasons: &[&'static str]) -> Status {
        Status::new(plugin, code, reasons.iter().map(|r| Cow::Borrowed(*r)).collect())
    }

    fn message(total: usize, statuses: Vec<Status>) -> String {
        let diagnosis = Diagnosis { total, prefilter: None, statuses: statuses.into_iter().enumerate().collect() };
        fit_error(&diagnosis, &default_post_filter(&diagnosis))
    }

    #[test]
    fn fit_error_reads_like_kube_scheduler() {
        let taint = "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }";
        let cpu = || status(node_resources_fit::NAME, Code::Unschedulable, &["Insufficient cpu"]);
        assert_eq!(
            message(4, vec![status(taint_toleration::NAME, Code::Unresolvable, &[taint]), cpu(), cpu(), cpu()]),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn every_failure_family_in_kube_schedulers_words() {
        let fit = |r: &'static [&'static str]| status(node_resources_fit::NAME, Code::Unschedulable, r);
        let cases: Vec<(&str, Vec<Status>, &str)> = vec![
            (
                "both resources short on one node count as two reasons",
                vec![fit(&["Insufficient cpu", "Insufficient memory"])],
                "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            ),
            (
                "extended resources",
                vec![fit(&["Insufficient nvidia.com/gpu"]), fit(&["Too many pods"])],
                "0/2 nodes are available: 1 Insufficient nvidia.com/gpu, 1 Too many pods. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
            ),
            (
                "host ports",
                vec![status(node_ports::NAME, Code::Unschedulable, &[node_ports::REASON])],
                "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
            ),
            (
                "pod affinity, anti-affinity and existing anti-affinity",
                vec![
                    status(inter_pod_affinity::NAME, Code::Unresolvable, &[inter_pod_affinity::AFFINITY]),
                    status(inter_pod_affinity::NAME, Code::Unschedulable, &[inter_pod_affinity::ANTI_AFFINITY]),
                    status(inter_pod_affinity::NAME, Code::Unschedulable, &[inter_pod_affinity::EXISTING_ANTI_AFFINITY]),
                ],
                "0/3 nodes are available: 1 node(s) didn't match pod affinity rules, 1 node(s) didn't match pod anti-affinity rules, 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.",
            ),
            (
                "topology spread",
                vec![
                    status(pod_topology_spread::NAME, Code::Unschedulable, &[pod_topology_spread::REASON]),
                    status(pod_topology_spread::NAME, Code::Unresolvable, &[pod_topology_spread::MISSING_LABEL]),
                ],
                "0/2 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label). preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.",
            ),
            (
                "node name, selector, cordon",
                vec![
                    status(node_name::NAME, Code::Unresolvable, &[node_name::REASON]),
                    status(node_affinity::NAME, Code::Unresolvable, &[node_affinity::REASON]),
                    status(node_unschedulable::NAME, Code::Unresolvable, &[node_unschedulable::REASON]),
                ],
                "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) didn't match the requested node name, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            ),
            (
                "volumes",
                vec![
                    status(volume_binding::NAME, Code::Unresolvable, &[volume_binding::NODE_CONFLICT]),
                    status(volume_binding::NAME, Code::Unresolvable, &[volume_binding::BIND_CONFLICT]),
                ],
                "0/2 nodes are available: 1 node(s) didn't find available persistent volumes to bind, 1 node(s) had volume node affinity conflict. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
            ),
            ("no nodes", vec![], "0/0 nodes are available: no nodes available to schedule pods."),
        ];
        for (name, statuses, want) in cases {
            let total = statuses.len();
            assert_eq!(message(total, statuses), want, "{name}");
        }
        let prefilter =
            Diagnosis { total: 3, prefilter: Some(volume_binding::UNBOUND_IMMEDIATE.into()), statuses: vec![] };
        assert_eq!(
            fit_error(&prefilter, &default_post_filter(&prefilter)),
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
        );
    }

    #[test]
    fn default_normalize_both_ways() {
        let cases: [(&[i64], bool, &[i64]); 4] = [
            (&[0, 5, 10], false, &[0, 50, 100]),
            (&[0, 5, 10], true, &[100, 50, 0]),
            (&[0, 0], false, &[0, 0]),
            (&[0, 0], true, &[100, 100]),
        ];
        for (raw, reverse, want) in cases {
            let mut got = raw.to_vec();
            default_normalize(&mut got, reverse);
            assert_eq!(got, want, "{raw:?} reverse={reverse}");
        }
    }

    #[test]
    fn nodes_to_find_table() {
        let cases = [(3, 3), (99, 99), (100, 100), (500, 230), (1000, 420), (5000, 500), (6000, 300), (20000, 1000)];
        for (all, want) in cases {
            assert_eq!(nodes_to_find(all), want, "{all}");
        }
    }
}
