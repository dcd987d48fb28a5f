//! The taint eviction controller: pods on a node with a `NoExecute` taint
//! they do not tolerate are deleted at once; those that tolerate it for
//! `tolerationSeconds` (every pod does for `not-ready` and `unreachable`,
//! 300 s, added at admission) are deleted when that time is up.

use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Time, SECOND};
use k8s_openapi::api::core::v1::PodCondition;

const SOURCE: Source = Source { component: "taint-eviction-controller", host: None };

#[derive(Debug, Default)]
pub struct TaintEvictionController;

impl Controller for TaintEvictionController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::Node(node) => {
                let no_execute = node
                    .spec
                    .as_ref()
                    .and_then(|s| s.taints.as_ref())
                    .is_some_and(|t| t.iter().any(|t| t.effect == "NoExecute"));
                if no_execute {
                    let name = change.object.name();
                    queue.extend(store.pods_on_node(name).map(|(ns, n)| (Kind::Pod, ns.clone(), n.clone())));
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
        let Some(Object::Pod(pod)) = store.get(Kind::Pod, &key.1, &key.2).map(|o| (**o).clone()) else {
            return Action::AwaitChange;
        };
        if pod.metadata.deletion_timestamp.is_some() {
            return Action::AwaitChange;
        }
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
        // When each taint stops being tolerated: now if nothing tolerates
        // it, never if something tolerates it for ever.
        let mut deadline: Option<Time> = None;
        for taint in &taints {
            let added = taint.time_added.as_ref().map_or(ctx.now, Time::from_k8s);
            let seconds: Vec<Option<i64>> =
                crate::taints::tolerating(&tolerations, taint).map(|t| t.toleration_seconds).collect();
            let until = if seconds.is_empty() {
                Some(ctx.now)
            } else if seconds.iter().any(Option::is_none) {
                None
            } else {
                let least = seconds.into_iter().flatten().min().unwrap_or(0);
                Some(added.plus(least.max(0).saturating_mul(SECOND)))
            };
            if let Some(until) = until {
                deadline = Some(deadline.map_or(until, |d| d.min(until)));
            }
        }
        match deadline {
            None => Action::AwaitChange,
            Some(at) if at > ctx.now => Action::RequeueAfter(at.since(ctx.now)),
            Some(_) => {
                evict(ctx, *pod);
                Action::AwaitChange
            }
        }
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
    pod.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new).push(PodCondition {
        type_: "DisruptionTarget".into(),
        status: "True".into(),
        reason: Some("DeletionByTaintManager".into()),
        message: Some("Taint manager: deleting due to NoExecute taint".into()),
        last_transition_time: Some(ctx.now.to_k8s()),
        ..Default::default()
    });
    let pod = Object::Pod(Box::new(pod));
    ctx.api.put_raw(pod.clone(), ctx.now);
    let message = format!("Marking for deletion Pod {namespace}/{name}");
    ctx.events.record(ctx.api, ctx.now, &pod, SOURCE, "Normal", "TaintManagerEviction", &message);
    let _ = ctx.api.delete(Kind::Pod, &namespace, &name, None, ctx.now);
}
