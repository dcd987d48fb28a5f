//! The node lifecycle controller: a node whose kubelet has not renewed its
//! Lease for the grace period (50 s since Kubernetes 1.32) gets its conditions set to `Unknown`,
//! the `unreachable` taints (NoSchedule, and NoExecute, which the taint
//! eviction controller acts on), and its pods marked not ready; once the
//! kubelet reports Ready again the taints go.

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
        let Some(Object::Node(node)) = ctx.api.store().get(Kind::Node, "", &key.2).map(|o| (**o).clone()) else {
            return Action::AwaitChange;
        };
        let renewed = ctx.api.store().get(Kind::Lease, crate::kubelet::LEASES, &key.2).and_then(|o| match &**o {
            Object::Lease(l) => l
                .spec
                .as_ref()?
                .renew_time
                .as_ref()
                .map(|t| Time::from_k8s(&k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(t.0))),
            _ => None,
        });
        let Some(renewed) = renewed else { return Action::AwaitChange };
        let silent = ctx.now.since(renewed);
        if silent < GRACE {
            if ready(&node) == Some("True") && has_unreachable(&node) {
                let mut updated = node.clone();
                if let Some(taints) = updated.spec.as_mut().and_then(|s| s.taints.as_mut()) {
                    taints.retain(|t| t.key != UNREACHABLE);
                }
                ctx.api.put_raw(Object::Node(updated.clone()), ctx.now);
                let message = format!("Node {} status is now: NodeReady", key.2);
                ctx.events.record(ctx.api, ctx.now, &Object::Node(updated), SOURCE, "Normal", "NodeReady", &message);
            }
            return Action::RequeueAfter(GRACE - silent + 1);
        }
        if ready(&node) == Some("Unknown") && has_unreachable(&node) {
            return Action::AwaitChange;
        }
        let mut updated = node.clone();
        for c in updated.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
            if matches!(c.type_.as_str(), "Ready" | "MemoryPressure" | "DiskPressure" | "PIDPressure") {
                let unknown = ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.");
                crate::kubelet::set_condition(c, unknown, ctx.now);
            }
        }
        let taints = updated.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
        for effect in ["NoSchedule", "NoExecute"] {
            if !taints.iter().any(|t| t.key == UNREACHABLE && t.effect == effect) {
                taints.push(Taint {
                    key: UNREACHABLE.into(),
                    effect: effect.into(),
                    time_added: (effect == "NoExecute").then(|| ctx.now.to_k8s()),
                    value: None,
                });
            }
        }
        ctx.api.put_raw(Object::Node(updated.clone()), ctx.now);
        let message = format!("Node {} status is now: NodeNotReady", key.2);
        ctx.events.record(ctx.api, ctx.now, &Object::Node(updated), SOURCE, "Normal", "NodeNotReady", &message);
        mark_pods_not_ready(ctx, &key.2);
        Action::AwaitChange
    }
}

fn ready(node: &Node) -> Option<&str> {
    node.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready").map(|c| c.status.as_str())
}

fn has_unreachable(node: &Node) -> bool {
    node.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(|t| t.iter().any(|t| t.key == UNREACHABLE))
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
