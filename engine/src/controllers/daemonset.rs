//! The DaemonSet controller: one pod on every node that the template's node
//! selector, affinity and tolerations admit, following nodes as they come
//! and go, rolling to a new template `maxUnavailable` pods at a time, with a
//! ControllerRevision per template.

use super::deployment::template_hash;
use super::pods::{self, controlled_by, is_active, is_available, ready_since};
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::scheduler::{affinity_matches, executes_tolerated, taints_tolerated};
use crate::store::{Change, Store};
use k8s_openapi::api::apps::v1::DaemonSetStatus;
use k8s_openapi::api::core::v1::{
    Affinity, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, Toleration,
};
use std::collections::BTreeMap;
use std::sync::Arc;

const SOURCE: Source = Source { component: "daemonset-controller", host: None };
/// The label naming the template revision a DaemonSet pod was made from.
pub const REVISION_HASH: &str = "controller-revision-hash";

/// Tolerations the controller adds so daemons ride out node trouble.
pub(crate) fn daemon_tolerations(host_network: bool) -> Vec<Toleration> {
    let mut list = vec![
        ("node.kubernetes.io/not-ready", "NoExecute"),
        ("node.kubernetes.io/unreachable", "NoExecute"),
        ("node.kubernetes.io/disk-pressure", "NoSchedule"),
        ("node.kubernetes.io/memory-pressure", "NoSchedule"),
        ("node.kubernetes.io/pid-pressure", "NoSchedule"),
        ("node.kubernetes.io/unschedulable", "NoSchedule"),
    ];
    if host_network {
        list.push(("node.kubernetes.io/network-unavailable", "NoSchedule"));
    }
    list.into_iter()
        .map(|(key, effect)| Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: Some(effect.into()),
            ..Default::default()
        })
        .collect()
}

/// Adds each toleration the template lacks; one it already has for the same
/// key, operator, value and effect is replaced where it stands, as
/// `AddOrUpdateTolerationInPodSpec` does, so none is listed twice.
pub(crate) fn add_or_update(list: &mut Vec<Toleration>, wanted: Vec<Toleration>) {
    for toleration in wanted {
        let same = |t: &Toleration| {
            t.key == toleration.key
                && t.operator.as_deref().unwrap_or("Equal") == toleration.operator.as_deref().unwrap_or("Equal")
                && t.value.as_deref().unwrap_or_default() == toleration.value.as_deref().unwrap_or_default()
                && t.effect == toleration.effect
        };
        match list.iter_mut().find(|t| same(t)) {
            Some(existing) => *existing = toleration,
            None => list.push(toleration),
        }
    }
}

#[derive(Debug, Default)]
pub struct DaemonSetController;

impl Controller for DaemonSetController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::DaemonSet(_) => queue.push(key_of(&change.object)),
            Object::Pod(_) => queue.extend(controller_key(change, Kind::DaemonSet)),
            // A node joined, left or changed labels or taints: every DaemonSet
            // may want a pod more or less (there are few DaemonSets).
            Object::Node(_) => queue.extend(
                store
                    .list(Kind::DaemonSet, None)
                    .map(|o| (Kind::DaemonSet, o.namespace().to_string(), o.name().to_string())),
            ),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::DaemonSet, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let Object::DaemonSet(ds) = &*current else { return Action::AwaitChange };
        let Some(spec) = ds.spec.as_ref().filter(|_| ds.metadata.deletion_timestamp.is_none()) else {
            return Action::AwaitChange;
        };
        let uid = ds.metadata.uid.clone().unwrap_or_default();
        let hash = template_hash(&spec.template, None);
        let labels = spec.selector.match_labels.clone().unwrap_or_default();
        let revision = format!("{}-{hash}", key.2);
        super::revisions::ensure(ctx, &current, &revision, labels, &hash, &spec.template);
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let host_network = spec.template.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
        let mut tolerations = spec.template.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
        add_or_update(&mut tolerations, daemon_tolerations(host_network));

        let mut by_node: BTreeMap<String, Vec<Pod>> = BTreeMap::new();
        for object in ctx.api.store().owned_by(&uid) {
            if let Some(p) = object.as_pod().filter(|p| controlled_by(p, &uid) && is_active(p)) {
                let node = node_of(p);
                by_node.entry(node).or_default().push(p.clone());
            }
        }
        // Shared, not copied: a large cluster has thousands of nodes.
        let nodes: Vec<Arc<Object>> = ctx.api.store().list(Kind::Node, None).cloned().collect();
        // What would run on every node is the same pod: built once.
        let probe = probe_pod(spec.template.clone(), &tolerations);
        let mut status = DaemonSetStatus { observed_generation: ds.metadata.generation, ..Default::default() };
        let mut next = Action::AwaitChange;
        let mut to_delete: Vec<Pod> = Vec::new();
        let mut to_create: Vec<String> = Vec::new();
        let mut old_pods: Vec<Pod> = Vec::new();
        let mut unavailable = 0;
        for node in nodes.iter().filter_map(|o| o.as_node()) {
            let name = node.metadata.name.clone().unwrap_or_default();
            let selector_ok = spec.template.spec.as_ref().and_then(|s| s.node_selector.as_ref()).is_none_or(|sel| {
                sel.iter().all(|(k, v)| node.metadata.labels.as_ref().and_then(|l| l.get(k)) == Some(v))
            });
            let fits = selector_ok && affinity_matches(&probe, node);
            let should_run = fits && taints_tolerated(&tolerations, node);
            // A NoSchedule taint keeps new daemon pods off the node but lets
            // the one already there run; only NoExecute evicts it.
            let may_stay = fits && executes_tolerated(&tolerations, node);
            let mut pods = by_node.remove(&name).unwrap_or_default();
            pods.sort_by_key(|p| p.metadata.creation_timestamp.clone());
            if should_run {
                status.desired_number_scheduled += 1;
                if pods.is_empty() {
                    to_create.push(name.clone());
                    continue;
                }
                status.current_number_scheduled += 1;
                to_delete.extend(pods.drain(1..));
                let pod = &pods[0];
                if ready_since(pod).is_some() {
                    status.number_ready += 1;
                }
                let available = is_available(pod, min_ready, ctx.now);
                if available {
                    *status.number_available.get_or_insert(0) += 1;
                } else {
                    unavailable += 1;
                    if let Some(wait) = pods::until_available(pod, min_ready, ctx.now) {
                        next = Action::RequeueAfter(wait);
                    }
                }
                let current_hash = pod.metadata.labels.as_ref().and_then(|l| l.get(REVISION_HASH)).cloned();
                if current_hash.as_deref() == Some(hash.as_str()) {
                    *status.updated_number_scheduled.get_or_insert(0) += 1;
                } else {
                    old_pods.push(pod.clone());
                }
            } else {
                if !pods.is_empty() {
                    status.number_misscheduled += 1;
                }
                if !may_stay {
                    to_delete.extend(pods);
                }
            }
        }
        // Pods waiting for a node that no longer exists will never be
        // scheduled; those already bound to one are the pod GC's to remove.
        let unbound = |p: &Pod| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_none();
        to_delete.extend(by_node.into_values().flatten().filter(unbound));
        status.number_unavailable =
            Some(status.desired_number_scheduled - status.number_available.unwrap_or(0)).filter(|n| *n > 0);

        // Rolling update: replace old pods while no more than maxUnavailable are down.
        if spec.update_strategy.as_ref().and_then(|s| s.type_.as_deref()) != Some("OnDelete") {
            let max_unavailable = spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.rolling_update.as_ref())
                .map(|r| super::deployment::scaled(r.max_unavailable.as_ref(), status.desired_number_scheduled, true))
                .unwrap_or(1)
                .max(1);
            old_pods.sort_by_key(|p| ready_since(p).is_some());
            let budget = (max_unavailable - unavailable).max(0) as usize;
            let unready_old = old_pods.iter().filter(|p| ready_since(p).is_none()).count();
            to_delete.extend(old_pods.into_iter().take(budget.max(unready_old)));
        }

        for pod in to_delete {
            let name = pod.metadata.name.clone().unwrap_or_default();
            if ctx.api.delete(Kind::Pod, &key.1, &name, None, ctx.now).is_ok() {
                ctx.events.record(
                    ctx.api,
                    ctx.now,
                    &current,
                    SOURCE,
                    "Normal",
                    "SuccessfulDelete",
                    &format!("Deleted pod: {name}"),
                );
            }
        }
        for node in to_create {
            let mut pod = pods::from_template(&spec.template, &current, format!("{}-", key.2));
            let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
            labels.insert(REVISION_HASH.into(), hash.clone());
            labels.insert("pod-template-generation".into(), ds.metadata.generation.unwrap_or(1).to_string());
            if let Some(s) = pod.spec.as_mut() {
                s.tolerations = Some(tolerations.clone());
                pin_to_node(s, &node);
            }
            if let Ok(created) = ctx.api.create(Object::Pod(Box::new(pod)), ctx.now, false) {
                let msg = format!("Created pod: {}", created.name());
                ctx.events.record(ctx.api, ctx.now, &current, SOURCE, "Normal", "SuccessfulCreate", &msg);
            }
        }
        if ds.status.as_ref() != Some(&status) {
            let mut updated = ds.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::DaemonSet(updated), ctx.now);
        }
        next
    }
}

fn node_of(pod: &Pod) -> String {
    if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) {
        return node;
    }
    // Not bound yet: the node its affinity pins it to.
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref())
        .and_then(|r| r.node_selector_terms.first())
        .and_then(|t| t.match_fields.as_ref())
        .and_then(|f| f.first())
        .and_then(|f| f.values.as_ref())
        .and_then(|v| v.first().cloned())
        .unwrap_or_default()
}

/// Pins a daemon pod to its node the way the controller does: a required
/// node affinity on `metadata.name`, which the scheduler then honours.
fn pin_to_node(spec: &mut k8s_openapi::api::core::v1::PodSpec, node: &str) {
    let term = NodeSelectorTerm {
        match_fields: Some(vec![NodeSelectorRequirement {
            key: "metadata.name".into(),
            operator: "In".into(),
            values: Some(vec![node.into()]),
        }]),
        match_expressions: None,
    };
    let affinity = spec.affinity.get_or_insert_with(Affinity::default);
    let node_affinity = affinity.node_affinity.get_or_insert_with(NodeAffinity::default);
    node_affinity.required_during_scheduling_ignored_during_execution =
        Some(NodeSelector { node_selector_terms: vec![term] });
}

/// The pod the template would make, to ask whether a node admits it.
fn probe_pod(template: k8s_openapi::api::core::v1::PodTemplateSpec, tolerations: &[Toleration]) -> Pod {
    let mut spec = template.spec.unwrap_or_default();
    spec.tolerations = Some(tolerations.to_vec());
    Pod { spec: Some(spec), ..Default::default() }
}
