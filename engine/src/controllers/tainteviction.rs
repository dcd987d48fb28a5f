//! The taint eviction controller: pods on a node with a `NoExecute` taint
//! they do not tolerate are deleted at once; those that tolerate it for
//! `tolerationSeconds` (admission gives most pods 300 s for `not-ready` and
//! `unreachable`) are deleted that long after the controller first saw them
//! so tainted.

use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Time, SECOND};
use k8s_openapi::api::core::v1::{Taint, Toleration};
use std::collections::HashMap;

const SOURCE: Source = Source { component: "taint-eviction-controller", host: None };

#[derive(Debug, Default)]
pub struct TaintEvictionController {
    /// When each pod was first seen on a node whose NoExecute taints it only
    /// tolerates for a while: its eviction clock, as the real controller's
    /// queue keeps it.
    since: HashMap<(String, String), Time>,
}

impl Controller for TaintEvictionController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::Node(node) if no_execute(Some(node)) => {
                let name = change.object.name();
                queue.extend(store.pods_on_node(name).map(|(ns, n)| (Kind::Pod, ns.clone(), n.clone())));
            }
            // The node's NoExecute taints went: the pods counting down on it
            // (few, and only those) are looked at again to be reprieved.
            Object::Node(_) => {
                let name = change.object.name();
                for (ns, pod) in self.since.keys() {
                    let on = store.get(Kind::Pod, ns, pod).and_then(|p| p.as_pod()?.spec.as_ref()?.node_name.clone());
                    if on.as_deref() == Some(name) {
                        queue.push((Kind::Pod, ns.clone(), pod.clone()));
                    }
                }
            }
            // A pod matters only on a node with NoExecute taints (rare), so
            // the many status writes of pods elsewhere cost one lookup.
            Object::Pod(pod) => {
                let node =
                    pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).and_then(|n| store.get(Kind::Node, "", n));
                if node.is_some_and(|n| no_execute(n.as_node())) {
                    queue.push(key_of(&change.object));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let store = ctx.api.store();
        let pod = match store.get(Kind::Pod, &key.1, &key.2).map(|o| (**o).clone()) {
            Some(Object::Pod(pod)) if pod.metadata.deletion_timestamp.is_none() => pod,
            _ => {
                self.since.remove(&(key.1.clone(), key.2.clone()));
                return Action::AwaitChange;
            }
        };
        let Some(node) =
            pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).and_then(|n| store.get(Kind::Node, "", n))
        else {
            return Action::AwaitChange;
        };
        let taints: Vec<_> = node
            .as_node()
            .and_then(|n| n.spec.as_ref()?.taints.clone())
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.effect == "NoExecute")
            .collect();
        let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.clone()).unwrap_or_default();
        let key_of_pod = (key.1.clone(), key.2.clone());
        match tolerated_for(&tolerations, &taints) {
            Tolerated::Forever => {
                // A pod counting down is reprieved (its taint went, or it
                // now tolerates it for ever), and the controller says so.
                if self.since.remove(&key_of_pod).is_some() {
                    let message = format!("Cancelling deletion of Pod {}/{}", key.1, key.2);
                    let pod = Object::Pod(pod);
                    ctx.events.record(ctx.api, ctx.now, &pod, SOURCE, "Normal", "TaintManagerEviction", &message);
                }
                Action::AwaitChange
            }
            Tolerated::For(seconds) => {
                let since = *self.since.entry(key_of_pod.clone()).or_insert(ctx.now);
                let at = since.plus(seconds.max(0).saturating_mul(SECOND));
                if at > ctx.now {
                    return Action::RequeueAfter(at.since(ctx.now));
                }
                self.since.remove(&key_of_pod);
                evict(ctx, *pod);
                Action::AwaitChange
            }
            Tolerated::Not => {
                self.since.remove(&key_of_pod);
                evict(ctx, *pod);
                Action::AwaitChange
            }
        }
    }
}

enum Tolerated {
    Forever,
    For(i64),
    Not,
}

/// How long a pod may stay with these NoExecute taints, as the controller
/// reckons it: each taint is tolerated by its first matching toleration;
/// the shortest `tolerationSeconds` among those counts, and only if none
/// sets one is it for ever.
fn tolerated_for(tolerations: &[Toleration], taints: &[Taint]) -> Tolerated {
    if taints.is_empty() {
        return Tolerated::Forever;
    }
    let mut used = Vec::new();
    for taint in taints {
        match crate::taints::tolerating(tolerations, taint).next() {
            Some(t) => used.push(t),
            None => return Tolerated::Not,
        }
    }
    match used.iter().filter_map(|t| t.toleration_seconds).min() {
        Some(seconds) => Tolerated::For(seconds),
        None => Tolerated::Forever,
    }
}

fn no_execute(node: Option<&k8s_openapi::api::core::v1::Node>) -> bool {
    let taints = node.and_then(|n| n.spec.as_ref()?.taints.as_ref());
    taints.is_some_and(|t| t.iter().any(|t| t.effect == "NoExecute"))
}

/// Marks the pod as disrupted and deletes it, as the controller does.
fn evict(ctx: &mut Ctx, mut pod: k8s_openapi::api::core::v1::Pod) {
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    super::pods::mark_disruption_target(
        &mut pod,
        "DeletionByTaintManager",
        "Taint manager: deleting due to NoExecute taint",
        ctx.now,
    );
    let pod = Object::Pod(Box::new(pod));
    ctx.api.put_raw(pod.clone(), ctx.now);
    let message = format!("Marking for deletion Pod {namespace}/{name}");
    ctx.events.record(ctx.api, ctx.now, &pod, SOURCE, "Normal", "TaintManagerEviction", &message);
    let _ = ctx.api.delete(Kind::Pod, &namespace, &name, None, ctx.now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toleration(key: Option<&str>, seconds: Option<i64>) -> Toleration {
        Toleration {
            key: key.map(String::from),
            operator: Some("Exists".into()),
            effect: Some("NoExecute".into()),
            toleration_seconds: seconds,
            ..Default::default()
        }
    }

    #[test]
    fn the_first_matching_toleration_of_each_taint_decides() {
        let unreachable =
            Taint { key: "node.kubernetes.io/unreachable".into(), effect: "NoExecute".into(), ..Default::default() };
        let other = Taint { key: "dedicated".into(), effect: "NoExecute".into(), ..Default::default() };
        let admitted = toleration(Some("node.kubernetes.io/unreachable"), Some(300));
        let cases: Vec<(Vec<Toleration>, Vec<Taint>, &str)> = vec![
            (vec![admitted.clone()], vec![], "forever"),
            (vec![admitted.clone()], vec![unreachable.clone()], "300"),
            (vec![admitted.clone(), toleration(None, None)], vec![unreachable.clone()], "300"),
            (vec![toleration(None, None)], vec![unreachable.clone()], "forever"),
            (vec![admitted.clone()], vec![unreachable.clone(), other.clone()], "not"),
            (vec![admitted, toleration(None, Some(10))], vec![unreachable, other], "10"),
        ];
        for (tolerations, taints, want) in cases {
            let got = match tolerated_for(&tolerations, &taints) {
                Tolerated::Forever => "forever".to_string(),
                Tolerated::Not => "not".to_string(),
                Tolerated::For(s) => s.to_string(),
            };
            assert_eq!(got, want, "{tolerations:?} {taints:?}");
        }
    }
}
