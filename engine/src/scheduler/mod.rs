//! kube-scheduler: binds pending pods to nodes. Pods arrive through the change
//! log (never by scanning all pods); those that fit nowhere wait in an
//! unschedulable set until a node or a pod change may have made room.
//!
//! Filters here: node readiness, `spec.unschedulable`, taints, `nodeName`,
//! `nodeSelector`, CPU/memory requests and the pod count. Scoring is
//! LeastAllocated over requests with kube-scheduler's non-zero defaults, ties
//! broken by the seeded RNG.

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::{Recorder, SCHEDULER};
use crate::object::Object;
use crate::quantity;
use crate::rng::Rng;
use crate::store::{ChangeType, Store};
use crate::time::Time;
use k8s_openapi::api::core::v1::{Node, Pod, PodCondition, Taint, Toleration};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

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
}

impl Scheduler {
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
            let (type_, reason, message) = match decide(api.store(), &pod, rng) {
                Ok(node) => {
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
            let written = api.put_raw(Object::Pod(pod), now);
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
                    match change.change {
                        ChangeType::Added if needs_scheduling(pod) => self.active.push_back(key),
                        ChangeType::Deleted => {
                            self.unschedulable.remove(&key);
                            retry |= pod.spec.as_ref().is_some_and(|s| s.node_name.is_some());
                        }
                        _ => {}
                    }
                }
                Object::Node(_) => retry = true,
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
    tolerations.iter().any(|t| {
        let effect_ok = t.effect.as_deref().is_none_or(|e| e.is_empty() || e == taint.effect);
        let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty()) || t.key.as_deref() == Some(taint.key.as_str());
        let value_ok = match t.operator.as_deref() {
            Some("Exists") => true,
            _ => t.value.as_deref().unwrap_or_default() == taint.value.as_deref().unwrap_or_default(),
        };
        effect_ok && key_ok && value_ok
    })
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

fn node_ready(node: &Node) -> bool {
    node.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Why a node cannot take the pod, in kube-scheduler's words, or `None`.
fn filter(store: &Store, pod: &Pod, node: &Node, need: (i64, i64)) -> Option<(String, bool)> {
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
    let (mut cpu, mut mem, mut count) = (0, 0, 0);
    for (ns, pod_name) in store.pods_on_node(name) {
        if let Some(p) = store.get(Kind::Pod, ns, pod_name).and_then(|o| o.as_pod()) {
            let (c, m) = requests(p, false);
            cpu += c;
            mem += m;
            count += 1;
        }
    }
    if count + 1 > allocatable(node, "pods") {
        return Some(("Too many pods".into(), true));
    }
    if need.0 > 0 && cpu + need.0 > allocatable(node, "cpu") {
        return Some(("Insufficient cpu".into(), true));
    }
    if need.1 > 0 && mem + need.1 > allocatable(node, "memory") {
        return Some(("Insufficient memory".into(), true));
    }
    None
}

fn score(store: &Store, pod: &Pod, node: &Node) -> i64 {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let (mut cpu, mut mem) = requests(pod, true);
    for (ns, pod_name) in store.pods_on_node(name) {
        if let Some(p) = store.get(Kind::Pod, ns, pod_name).and_then(|o| o.as_pod()) {
            let (c, m) = requests(p, true);
            cpu += c;
            mem += m;
        }
    }
    let least = |used: i64, cap: i64| {
        if cap <= 0 || used > cap {
            0
        } else {
            (cap - used) * 100 / cap
        }
    };
    (least(cpu, allocatable(node, "cpu")) + least(mem, allocatable(node, "memory"))) / 2
}

/// Picks the node for `pod`, or the FailedScheduling message.
fn decide(store: &Store, pod: &Pod, rng: &mut Rng) -> Result<String, String> {
    let need = requests(pod, false);
    let wanted = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    let mut reasons: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    let mut best: Vec<String> = Vec::new();
    let mut best_score = i64::MIN;
    let mut total = 0;
    for object in store.list(Kind::Node, None) {
        let Some(node) = object.as_node() else {
            continue;
        };
        total += 1;
        if wanted.as_deref().is_some_and(|w| w != object.name()) {
            continue;
        }
        if let Some((reason, resolvable)) = filter(store, pod, node, need) {
            let entry = reasons.entry(reason).or_insert((0, resolvable));
            entry.0 += 1;
            continue;
        }
        let s = score(store, pod, node);
        if s > best_score {
            best_score = s;
            best.clear();
        }
        if s == best_score {
            best.push(object.name().to_string());
        }
    }
    if !best.is_empty() {
        return Ok(best.swap_remove(rng.below(best.len())));
    }
    Err(fit_error(total, &reasons))
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
