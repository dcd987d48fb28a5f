//! The pod garbage collector, for the one case a lab meets: pods bound to
//! a node that no longer exists. No kubelet will ever confirm they
//! stopped, so once the node has been gone for the quarantine (40 s, in
//! case it was only being re-registered) they are marked Failed with a
//! `DisruptionTarget` condition and deleted at once.

use super::{Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use crate::time::{Millis, Time, SECOND};
use std::collections::HashMap;

/// podgc's `quarantineTime`.
const QUARANTINE: Millis = 40 * SECOND;

#[derive(Debug, Default)]
pub struct PodGarbageCollector {
    /// When each missing node was first found missing.
    missing_since: HashMap<String, Time>,
}

impl Controller for PodGarbageCollector {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::Node(_) if change.change == ChangeType::Deleted => {
                queue.push((Kind::Node, String::new(), change.object.name().to_string()));
            }
            // A pod bound to a name no node has (written by hand, or
            // landing as its node went).
            Object::Pod(pod) if change.change != ChangeType::Deleted => {
                let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
                if let Some(node) = node.filter(|n| store.get(Kind::Node, "", n).is_none()) {
                    queue.push((Kind::Node, String::new(), node.to_string()));
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let node = &key.2;
        if ctx.api.store().get(Kind::Node, "", node).is_some() {
            self.missing_since.remove(node);
            return Action::AwaitChange;
        }
        let since = *self.missing_since.entry(node.clone()).or_insert(ctx.now);
        let due = since.plus(QUARANTINE);
        if due > ctx.now {
            return Action::RequeueAfter(due.since(ctx.now));
        }
        self.missing_since.remove(node);
        let pods: Vec<(String, String)> = ctx.api.store().pods_on_node(node).cloned().collect();
        for (namespace, name) in pods {
            let Some(Object::Pod(mut pod)) = ctx.api.store().get(Kind::Pod, &namespace, &name).map(|o| (**o).clone())
            else {
                continue;
            };
            let status = pod.status.get_or_insert_with(Default::default);
            if !matches!(status.phase.as_deref(), Some("Succeeded" | "Failed")) {
                status.phase = Some("Failed".into());
            }
            super::pods::mark_disruption_target(&mut pod, "DeletionByPodGC", "PodGC: node no longer exists", ctx.now);
            ctx.api.put_raw(Object::Pod(pod), ctx.now);
            let _ = ctx.api.delete(Kind::Pod, &namespace, &name, Some(0), ctx.now);
        }
        Action::AwaitChange
    }
}
