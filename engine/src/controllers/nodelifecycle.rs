//! The node lifecycle controller: a node whose kubelet has not renewed its
//! Lease for the grace period (50 s since Kubernetes 1.32) gets its
//! conditions set to `Unknown` and its pods marked not ready. Its taints
//! follow the node, as the controller's NoSchedule and NoExecute passes
//! keep them: `unreachable` (Ready Unknown) or `not-ready` (Ready False)
//! with both effects, the NoExecute one stamped with when it was added
//! (the taint eviction controller acts on it), and
//! `unschedulable:NoSchedule` while the node is cordoned. Taints under
//! those keys that the node's state does not call for are taken off.

use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::core::v1::{Node, Taint};

/// `--node-monitor-grace-period`: 50 s since Kubernetes 1.32 (40 s before).
const GRACE: Millis = 50 * SECOND;
const UNREACHABLE: &str = "node.kubernetes.io/unreachable";
const NOT_READY: &str = "node.kubernetes.io/not-ready";
const UNSCHEDULABLE: &str = "node.kubernetes.io/unschedulable";
const SOURCE: Source = Source { component: "node-controller", host: None };

#[derive(Debug, Default)]
pub struct NodeLifecycleController;

impl Controller for NodeLifecycleController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        // Leases are not watched: a renewal changes nothing, and the missing
        // one is found by the timer each reconcile sets.
        if let Object::Node(_) = &*change.object {
            queue.push(key_of(&change.object));
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Some(object) = ctx.api.store().get(Kind::Node, "", &key.2).cloned() else {
            return Action::AwaitChange;
        };
        let Some(node) = object.as_node() else { return Action::AwaitChange };
        let renewed = ctx.api.store().get(Kind::Lease, crate::kubelet::LEASES, &key.2).and_then(|o| match &**o {
            Object::Lease(l) => l
                .spec
                .as_ref()?
                .renew_time
                .as_ref()
                .map(|t| Time::from_k8s(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0))),
            _ => None,
        });
        let mut next = Action::AwaitChange;
        let mut went_silent = false;
        if let Some(renewed) = renewed {
            let silent = ctx.now.since(renewed);
            if silent < GRACE {
                next = Action::RequeueAfter(GRACE - silent + 1);
            } else {
                went_silent = ready(node) != Some("Unknown");
            }
        }
        // Most reconciles are the Lease timer finding a healthy node: they
        // are answered without copying it.
        let current = node.spec.as_ref().and_then(|s| s.taints.clone());
        let readiness = if went_silent { Some("Unknown") } else { ready(node) };
        if !went_silent && wanted_taints(node, readiness, ctx.now) == current {
            return next;
        }
        let mut updated = node.clone();
        if went_silent {
            for c in updated.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
                if matches!(c.type_.as_str(), "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure") {
                    let unknown = ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
                    crate::kubelet::set_condition(c, unknown, ctx.now);
                }
            }
        }
        sync_taints(&mut updated, ctx.now);
        let back = ready(&updated) == Some("True") && has_condition_taint(node) && !has_condition_taint(&updated);
        let written = Object::Node(Box::new(updated));
        ctx.api.put_raw(written.clone(), ctx.now);
        if went_silent {
            let message = format!("Node {} status is now: NodeNotReady", key.2);
            ctx.events.record(ctx.api, ctx.now, &written, SOURCE, "Normal", "NodeNotReady", &message);
            mark_pods_not_ready(ctx, &key.2);
        } else if back {
            let message = format!("Node {} status is now: NodeReady", key.2);
            ctx.events.record(ctx.api, ctx.now, &written, SOURCE, "Normal", "NodeReady", &message);
        }
        next
    }
}

/// Brings the taints the controller owns in line with the node.
fn sync_taints(node: &mut Node, now: Time) {
    let taints = wanted_taints(node, ready(node), now);
    node.spec.get_or_insert_with(Default::default).taints = taints;
}

/// The node's taints as the controller wants them for this readiness:
/// those it keeps stay where they are, new ones go at the end (NoSchedule
/// before NoExecute, as its two passes add them).
fn wanted_taints(node: &Node, readiness: Option<&str>, now: Time) -> Option<Vec<Taint>> {
    let condition = match readiness {
        Some("False") => Some(NOT_READY),
        Some("Unknown") => Some(UNREACHABLE),
        _ => None,
    };
    let spec = node.spec.as_ref();
    let cordoned = spec.and_then(|s| s.unschedulable).unwrap_or(false);
    let mut taints = spec.and_then(|s| s.taints.clone()).unwrap_or_default();
    taints.retain(|t| match t.key.as_str() {
        NOT_READY | UNREACHABLE => condition == Some(t.key.as_str()),
        UNSCHEDULABLE => cordoned,
        _ => true,
    });
    let wanted =
        [(condition, "NoSchedule"), (cordoned.then_some(UNSCHEDULABLE), "NoSchedule"), (condition, "NoExecute")];
    for (key, effect) in wanted.into_iter().filter_map(|(k, e)| Some((k?, e))) {
        if !taints.iter().any(|t| t.key == key && t.effect == effect) {
            taints.push(Taint {
                key: key.into(),
                effect: effect.into(),
                time_added: (effect == "NoExecute").then(|| now.to_k8s()),
                value: None,
            });
        }
    }
    // An emptied list is left as it was written, so an untainted node is
    // not rewritten just to drop `[]`.
    if taints.is_empty() && spec.and_then(|s| s.taints.as_ref()).is_none_or(Vec::is_empty) {
        return spec.and_then(|s| s.taints.clone());
    }
    (!taints.is_empty()).then_some(taints)
}

fn ready(node: &Node) -> Option<&str> {
    node.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready").map(|c| c.status.as_str())
}

fn has_condition_taint(node: &Node) -> bool {
    let taints = node.spec.as_ref().and_then(|s| s.taints.as_ref());
    taints.is_some_and(|t| t.iter().any(|t| t.key == UNREACHABLE || t.key == NOT_READY))
}

/// The pods of a node nobody hears from are no longer ready: Services stop
/// sending them traffic.
fn mark_pods_not_ready(ctx: &mut Ctx, node: &str) {
    let keys: Vec<(String, String)> = ctx.api.store().pods_on_node(node).cloned().collect();
    for (namespace, name) in keys {
        let Some(Object::Pod(mut pod)) = ctx.api.store().get(Kind::Pod, &namespace, &name).map(|o| (**o).clone())
        else {
            continue;
        };
        let mut changed = false;
        for c in pod.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
            if c.type_ == "Ready" && c.status != "False" {
                c.status = "False".into();
                c.last_transition_time = Some(ctx.now.to_k8s());
                changed = true;
            }
        }
        if changed {
            let pod = Object::Pod(pod);
            ctx.api.put_raw(pod.clone(), ctx.now);
            ctx.events.record(ctx.api, ctx.now, &pod, SOURCE, "Warning", "NodeNotReady", "Node is not ready");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{NodeCondition, NodeSpec, NodeStatus};

    fn node(ready: &str, cordoned: bool, taints: &[(&str, &str)]) -> Node {
        Node {
            spec: Some(NodeSpec {
                unschedulable: cordoned.then_some(true),
                taints: (!taints.is_empty()).then(|| {
                    taints
                        .iter()
                        .map(|(k, e)| Taint { key: k.to_string(), effect: e.to_string(), ..Default::default() })
                        .collect()
                }),
                ..Default::default()
            }),
            status: Some(NodeStatus {
                conditions: Some(vec![NodeCondition {
                    type_: "Ready".into(),
                    status: ready.into(),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    #[test]
    fn taints_follow_readiness_and_cordon() {
        let cases: Vec<(Node, Vec<&str>)> = vec![
            (node("True", false, &[]), vec![]),
            (node("True", true, &[]), vec!["node.kubernetes.io/unschedulable:NoSchedule"]),
            (
                node("Unknown", true, &[("dedicated", "NoSchedule")]),
                vec![
                    "dedicated:NoSchedule",
                    "node.kubernetes.io/unreachable:NoSchedule",
                    "node.kubernetes.io/unschedulable:NoSchedule",
                    "node.kubernetes.io/unreachable:NoExecute",
                ],
            ),
            (
                node("False", false, &[(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]),
                vec!["node.kubernetes.io/not-ready:NoSchedule", "node.kubernetes.io/not-ready:NoExecute"],
            ),
            (node("True", false, &[(UNREACHABLE, "NoExecute"), (UNSCHEDULABLE, "NoSchedule")]), vec![]),
        ];
        for (mut n, want) in cases {
            sync_taints(&mut n, crate::time::EPOCH);
            let taints = n.spec.as_ref().and_then(|s| s.taints.clone()).unwrap_or_default();
            let got: Vec<String> = taints.iter().map(|t| format!("{}:{}", t.key, t.effect)).collect();
            assert_eq!(got, want);
            assert!(taints.iter().all(|t| t.time_added.is_some() == (t.effect == "NoExecute" && t.key != "dedicated")));
        }
    }
}
