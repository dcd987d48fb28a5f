//! kube-scheduler: binds pending pods to nodes. Pods arrive through the change
//! log (never by scanning all pods); those that fit nowhere wait in an
//! unschedulable set until a node or a pod change may have made room.
//!
//! Filters here: node readiness, `spec.unschedulable`, taints, `nodeName`,
//! `nodeSelector`, CPU/memory requests and the pod count. Scoring is
//! LeastAllocated over requests with kube-scheduler's non-zero defaults, ties
//! broken by the seeded RNG.

mod volumebinding;

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::{Recorder, SCHEDULER};
use crate::object::Object;
use crate::quantity;
use crate::rng::Rng;
use crate::store::{ChangeType, Store};
use crate::time::Time;
use k8s_openapi::api::core::v1::{Node, NodeSelector, Pod, PodCondition, Taint, Toleration};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Requests kube-scheduler assumes for scoring a container that sets none.
const DEFAULT_CPU_MILLIS: i64 = 100;
const DEFAULT_MEMORY: i64 = 200 * 1024 * 1024;

type PodKey = (String, String);

/// The scheduler's queues and its place in the change log.
#[derive(Clone, Debug, Default)]
pub struct Scheduler {
    cursor: u64,
    active: VecDeque<PodKey>,
    unschedulable: BTreeSet<PodKey>,
    cache: Cache,
}

/// What the scheduler keeps per node instead of summing pods each time:
/// requests (as filtered, and with scoring defaults) and the pod count.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    requested: (i64, i64),
    nonzero: (i64, i64),
    pods: i64,
}

/// A node as the scheduler sees it: the object and its allocatable
/// (cpu millicores, memory bytes, pods), parsed once.
#[derive(Clone, Debug)]
struct NodeEntry {
    object: std::sync::Arc<Object>,
    allocatable: (i64, i64, i64),
}

/// Node order and per-node usage, kept current from the change log.
#[derive(Clone, Debug, Default)]
struct Cache {
    nodes: Vec<String>,
    entries: HashMap<String, NodeEntry>,
    usage: HashMap<String, Usage>,
    bound: HashMap<PodKey, (String, Usage)>,
    /// Where the next search starts, so pods spread over a large cluster.
    next_start: usize,
}

impl Cache {
    fn add_node(&mut self, object: &std::sync::Arc<Object>) {
        let name = object.name();
        if let Err(at) = self.nodes.binary_search_by(|n| n.as_str().cmp(name)) {
            self.nodes.insert(at, name.to_string());
        }
        let allocatable = object
            .as_node()
            .map_or((0, 0, 0), |n| (allocatable(n, "cpu"), allocatable(n, "memory"), allocatable(n, "pods")));
        self.entries.insert(name.to_string(), NodeEntry { object: object.clone(), allocatable });
    }

    fn remove_node(&mut self, name: &str) {
        if let Ok(at) = self.nodes.binary_search_by(|n| n.as_str().cmp(name)) {
            self.nodes.remove(at);
        }
        self.entries.remove(name);
    }

    /// Counts a pod against its node (once).
    fn assume(&mut self, key: PodKey, node: &str, pod: &Pod) {
        if self.bound.contains_key(&key) {
            return;
        }
        let usage = Usage { requested: requests(pod, false), nonzero: requests(pod, true), pods: 1 };
        let total = self.usage.entry(node.to_string()).or_default();
        total.requested.0 += usage.requested.0;
        total.requested.1 += usage.requested.1;
        total.nonzero.0 += usage.nonzero.0;
        total.nonzero.1 += usage.nonzero.1;
        total.pods += 1;
        self.bound.insert(key, (node.to_string(), usage));
    }

    fn forget(&mut self, key: &PodKey) {
        let Some((node, usage)) = self.bound.remove(key) else { return };
        if let Some(total) = self.usage.get_mut(&node) {
            total.requested.0 -= usage.requested.0;
            total.requested.1 -= usage.requested.1;
            total.nonzero.0 -= usage.nonzero.0;
            total.nonzero.1 -= usage.nonzero.1;
            total.pods -= 1;
        }
    }
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

impl Scheduler {
    /// How far it has read the change log.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Reads new changes and schedules what is pending. Returns whether it wrote.
    pub fn sync(&mut self, api: &mut ApiServer, rng: &mut Rng, events: &mut Recorder, now: Time) -> bool {
        self.watch(api.store());
        let mut wrote = false;
        while let Some(key) = self.active.pop_front() {
            let Ok(current) = api.get(Kind::Pod, &key.0, &key.1) else {
                continue;
            };
            let Some(pod) = current.as_pod().filter(|p| needs_scheduling(p)) else {
                continue;
            };
            let mut pod = pod.clone();
            let volumes = volumebinding::prefilter(api.store(), &pod);
            let (type_, reason, message) = match decide(&mut self.cache, &pod, &volumes, rng) {
                Ok(node) => {
                    if let (Ok(volumes), Some(entry)) = (&volumes, self.cache.entries.get(&node)) {
                        if let Some(n) = entry.object.as_node() {
                            volumebinding::prebind(api, volumes, n, now);
                        }
                    }
                    self.cache.assume(key.clone(), &node, &pod);
                    let message = format!("Successfully assigned {}/{} to {node}", key.0, key.1);
                    let spec = pod.spec.get_or_insert_with(Default::default);
                    spec.node_name = Some(node);
                    set_scheduled(&mut pod, now, None);
                    ("Normal", "Scheduled", message)
                }
                Err(message) => {
                    self.unschedulable.insert(key);
                    set_scheduled(&mut pod, now, Some(message.clone()));
                    ("Warning", "FailedScheduling", message)
                }
            };
            let written = api.put_raw(Object::Pod(Box::new(pod)), now);
            events.record(api, now, &written, SCHEDULER, type_, reason, &message);
            wrote = true;
        }
        self.watch(api.store());
        wrote
    }

    fn watch(&mut self, store: &Store) {
        let mut retry = false;
        for change in store.changes_since(self.cursor) {
            self.cursor = change.version;
            match &*change.object {
                Object::Pod(pod) => {
                    let key = (change.object.namespace().to_string(), change.object.name().to_string());
                    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
                    let finished = phase == "Succeeded" || phase == "Failed";
                    match (change.change, pod.spec.as_ref().and_then(|s| s.node_name.as_deref())) {
                        (ChangeType::Deleted, _) => {
                            self.unschedulable.remove(&key);
                            retry |= self.cache.bound.contains_key(&key);
                            self.cache.forget(&key);
                        }
                        (_, Some(_)) if finished => {
                            retry |= self.cache.bound.contains_key(&key);
                            self.cache.forget(&key);
                        }
                        (_, Some(node)) => self.cache.assume(key, node, pod),
                        (ChangeType::Added, None) if needs_scheduling(pod) => self.active.push_back(key),
                        _ => {}
                    }
                }
                // A claim made or bound, a volume freed, a class added: a
                // pod waiting on its volumes may fit now.
                Object::PersistentVolumeClaim(_) | Object::PersistentVolume(_) | Object::StorageClass(_) => {
                    retry = true;
                }
                Object::Node(_) => {
                    retry = true;
                    if change.change == ChangeType::Deleted {
                        self.cache.remove_node(change.object.name());
                    } else {
                        self.cache.add_node(&change.object);
                    }
                }
                _ => {}
            }
        }
        if retry {
            self.active.extend(std::mem::take(&mut self.unschedulable));
        }
    }
}

fn needs_scheduling(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    pod.metadata.deletion_timestamp.is_none()
        && spec.is_some_and(|s| s.node_name.is_none())
        && spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == "default-scheduler"
}

fn set_scheduled(pod: &mut Pod, now: Time, failure: Option<String>) {
    let status = pod.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "PodScheduled");
    conditions.push(PodCondition {
        type_: "PodScheduled".into(),
        status: if failure.is_some() { "False" } else { "True" }.into(),
        reason: failure.as_ref().map(|_| "Unschedulable".into()),
        message: failure,
        last_transition_time: Some(now.to_k8s()),
        last_probe_time: None,
    });
}

/// What a pod asks for: (cpu millicores, memory bytes), with the scoring
/// defaults applied where `for_score`.
fn requests(pod: &Pod, for_score: bool) -> (i64, i64) {
    let Some(spec) = pod.spec.as_ref() else {
        return (0, 0);
    };
    let mut cpu = 0;
    let mut mem = 0;
    for c in &spec.containers {
        let req = c.resources.as_ref().and_then(|r| r.requests.as_ref());
        let get = |name: &str| req.and_then(|m| m.get(name)).map(|q| q.0.as_str());
        let c_cpu = get("cpu").and_then(quantity::cpu_millis);
        let c_mem = get("memory").and_then(quantity::units);
        cpu += c_cpu.unwrap_or(if for_score { DEFAULT_CPU_MILLIS } else { 0 });
        mem += c_mem.unwrap_or(if for_score { DEFAULT_MEMORY } else { 0 });
    }
    (cpu, mem)
}

fn allocatable(node: &Node, name: &str) -> i64 {
    let q = node.status.as_ref().and_then(|s| s.allocatable.as_ref()).and_then(|a| a.get(name)).map(|q| q.0.as_str());
    match name {
        "cpu" => q.and_then(quantity::cpu_millis).unwrap_or(0),
        _ => q.and_then(quantity::units).unwrap_or(0),
    }
}

fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    crate::taints::tolerating(tolerations, taint).next().is_some()
}

/// Whether the node satisfies the pod's required node affinity (any term,
/// all of a term's expressions and fields).
pub fn affinity_matches(pod: &Pod, node: &Node) -> bool {
    let Some(required) = pod
        .spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref())
    else {
        return true;
    };
    selector_matches(required, node)
}

/// Whether the node satisfies a required node selector (any term, all of a
/// term's expressions and fields), as pods and volumes state them.
pub(crate) fn selector_matches(required: &NodeSelector, node: &Node) -> bool {
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let name = node.metadata.name.clone().unwrap_or_default();
    required.node_selector_terms.iter().any(|term| {
        let exprs = term
            .match_expressions
            .iter()
            .flatten()
            .all(|e| requirement(&e.operator, labels.get(&e.key), e.values.as_deref()));
        let fields = term.match_fields.iter().flatten().all(|f| {
            let value = (f.key == "metadata.name").then_some(&name);
            requirement(&f.operator, value, f.values.as_deref())
        });
        exprs && fields && (term.match_expressions.is_some() || term.match_fields.is_some())
    })
}

fn requirement(op: &str, value: Option<&String>, values: Option<&[String]>) -> bool {
    let values = values.unwrap_or_default();
    let number = |s: &str| s.parse::<i64>().ok();
    match op {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => {
            matches!((value.and_then(|v| number(v)), values.first().and_then(|v| number(v))), (Some(a), Some(b)) if a > b)
        }
        "Lt" => {
            matches!((value.and_then(|v| number(v)), values.first().and_then(|v| number(v))), (Some(a), Some(b)) if a < b)
        }
        _ => false,
    }
}

/// Whether the node's NoSchedule and NoExecute taints are all tolerated.
pub fn taints_tolerated(tolerations: &[Toleration], node: &Node) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .all(|t| tolerates(tolerations, t))
}

/// Whether the pod tolerates every NoExecute taint of the node, so it may
/// keep running there.
pub fn executes_tolerated(tolerations: &[Toleration], node: &Node) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_deref())
        .unwrap_or_default()
        .iter()
        .filter(|t| t.effect == "NoExecute")
        .all(|t| tolerates(tolerations, t))
}

fn node_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Why a node cannot take the pod, in kube-scheduler's words, or `None`.
fn filter(cache: &Cache, pod: &Pod, node: &Node, alloc: (i64, i64, i64), need: (i64, i64)) -> Option<(String, bool)> {
    let spec = pod.spec.as_ref()?;
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let tolerations = spec.tolerations.as_deref().unwrap_or_default();
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        return Some(("node(s) were unschedulable".into(), false));
    }
    if let Some(taint) =
        taints.iter().find(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(tolerations, t))
    {
        return Some((
            format!("node(s) had untolerated taint {{{}: {}}}", taint.key, taint.value.as_deref().unwrap_or_default()),
            false,
        ));
    }
    if !node_ready(node) {
        return Some(("node(s) were not ready".into(), false));
    }
    if !affinity_matches(pod, node) {
        return Some(("node(s) didn't match Pod's node affinity/selector".into(), false));
    }
    if let Some(selector) = &spec.node_selector {
        let labels = node.metadata.labels.as_ref();
        if !selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            return Some(("node(s) didn't match Pod's node affinity/selector".into(), false));
        }
    }
    let used = cache.usage.get(name).copied().unwrap_or_default();
    let (cpu, mem, count) = (used.requested.0, used.requested.1, used.pods);
    if count + 1 > alloc.2 {
        return Some(("Too many pods".into(), true));
    }
    if need.0 > 0 && cpu + need.0 > alloc.0 {
        return Some(("Insufficient cpu".into(), true));
    }
    if need.1 > 0 && mem + need.1 > alloc.1 {
        return Some(("Insufficient memory".into(), true));
    }
    None
}

fn score(cache: &Cache, own: (i64, i64), node: &Node, alloc: (i64, i64, i64)) -> i64 {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let used = cache.usage.get(name).copied().unwrap_or_default();
    let (own_cpu, own_mem) = own;
    let (cpu, mem) = (used.nonzero.0 + own_cpu, used.nonzero.1 + own_mem);
    let least = |used: i64, cap: i64| {
        if cap <= 0 || used > cap {
            0
        } else {
            (cap - used) * 100 / cap
        }
    };
    (least(cpu, alloc.0) + least(mem, alloc.1)) / 2
}

/// Picks the node for `pod`, or the FailedScheduling message. Like
/// kube-scheduler it searches from where the last search stopped and stops
/// once it has found enough feasible nodes, then takes the best score
/// (ties broken at random).
fn decide(
    cache: &mut Cache,
    pod: &Pod,
    volumes: &Result<volumebinding::PodVolumes, String>,
    rng: &mut Rng,
) -> Result<String, String> {
    let total = cache.nodes.len();
    let volumes = match volumes {
        Ok(v) => v,
        // PreFilter said no for every node at once.
        Err(reason) => return Err(prefilter_error(total, reason)),
    };
    let need = requests(pod, false);
    let own = requests(pod, true);
    let wanted = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let mut reasons: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    let mut best: Vec<String> = Vec::new();
    let mut best_score = i64::MIN;
    let enough = nodes_to_find(total);
    let mut feasible = 0;
    let mut processed = 0;
    for i in 0..total {
        if feasible >= enough {
            break;
        }
        processed += 1;
        let name = &cache.nodes[(cache.next_start + i) % total];
        let Some(entry) = cache.entries.get(name) else { continue };
        let Some(node) = entry.object.as_node() else { continue };
        if wanted.as_deref().is_some_and(|w| w != name) {
            continue;
        }
        let failed = filter(cache, pod, node, entry.allocatable, need)
            .or_else(|| volumebinding::filter(volumes, node).map(|r| (r.to_string(), false)));
        if let Some((reason, resolvable)) = failed {
            let entry = reasons.entry(reason).or_insert((0, resolvable));
            entry.0 += 1;
            continue;
        }
        feasible += 1;
        let s = score(cache, own, node, entry.allocatable);
        if s > best_score {
            best_score = s;
            best.clear();
        }
        if s == best_score {
            best.push(name.clone());
        }
    }
    if total > 0 {
        cache.next_start = (cache.next_start + processed) % total;
    }
    if !best.is_empty() {
        return Ok(best.swap_remove(rng.below(best.len())));
    }
    Err(fit_error(total, &reasons))
}

/// kube-scheduler's FitError text when a PreFilter plugin rejected the pod:
/// its reason once, and preemption unable to help on any node.
fn prefilter_error(total: usize, reason: &str) -> String {
    format!(
        "0/{total} nodes are available: {reason}. preemption: 0/{total} nodes are available: {total} Preemption is not helpful for scheduling."
    )
}

/// kube-scheduler's FitError text: each reason with its count, sorted, then
/// what preemption concluded per node.
fn fit_error(total: usize, reasons: &BTreeMap<String, (usize, bool)>) -> String {
    let mut parts: Vec<String> = reasons.iter().map(|(reason, (count, _))| format!("{count} {reason}")).collect();
    parts.sort();
    let mut preemption: BTreeMap<&str, usize> = BTreeMap::new();
    for (count, resolvable) in reasons.values() {
        let verdict = if *resolvable {
            "No preemption victims found for incoming pod"
        } else {
            "Preemption is not helpful for scheduling"
        };
        *preemption.entry(verdict).or_default() += count;
    }
    let mut pre: Vec<String> = preemption.iter().map(|(v, c)| format!("{c} {v}")).collect();
    pre.sort();
    if parts.is_empty() {
        return format!("0/{total} nodes are available: no nodes available to schedule pods.");
    }
    format!(
        "0/{total} nodes are available: {}. preemption: 0/{total} nodes are available: {}.",
        parts.join(", "),
        pre.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_error_reads_like_kube_scheduler() {
        let mut reasons = BTreeMap::new();
        reasons
            .insert("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".to_string(), (1, false));
        reasons.insert("Insufficient cpu".to_string(), (3, true));
        assert_eq!(
            fit_error(4, &reasons),
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod."
        );
    }

    #[test]
    fn tolerations_match_taints() {
        let taint = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        let exists = Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            operator: Some("Exists".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        };
        let other = Toleration { key: Some("dedicated".into()), operator: Some("Exists".into()), ..Default::default() };
        let everything = Toleration { operator: Some("Exists".into()), ..Default::default() };
        assert!(tolerates(&[exists], &taint));
        assert!(!tolerates(&[other], &taint));
        assert!(tolerates(&[everything], &taint));
        assert!(!tolerates(&[], &taint));
    }
}
