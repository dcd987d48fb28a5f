//! The ReplicationController controller: a ReplicaSet with an equality-only
//! selector, managed by the same replica logic.

use super::replicaset::{manage, Synced, Want};
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::Time;
use k8s_openapi::api::core::v1::ReplicationControllerStatus;
use std::collections::BTreeMap;

const SOURCE: Source = Source { component: "replication-controller", host: None };

#[derive(Debug, Default)]
pub struct ReplicationControllerController {
    /// Since when each controller's pod creation has been refused: what
    /// its retries back off from.
    failing: BTreeMap<Key, Time>,
}

impl Controller for ReplicationControllerController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::ReplicationController(_) => queue.push(key_of(&change.object)),
            Object::Pod(_) => queue.extend(controller_key(change, Kind::ReplicationController)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::ReplicationController, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let Object::ReplicationController(rc) = &*current else {
            return Action::AwaitChange;
        };
        let Some(spec) = rc.spec.as_ref().filter(|_| rc.metadata.deletion_timestamp.is_none()) else {
            return Action::AwaitChange;
        };
        let selector = spec.selector.as_ref().map(Selector::from_map).unwrap_or_default();
        let want = Want {
            owner: &current,
            selector,
            replicas: spec.replicas.unwrap_or(1),
            template: spec.template.as_ref(),
            min_ready_seconds: spec.min_ready_seconds.unwrap_or(0),
            source: SOURCE,
            failing_since: self.failing.get(key).copied(),
        };
        let Synced { counts, next, failure } = manage(&want, ctx);
        match failure {
            Some(_) => {
                self.failing.entry(key.clone()).or_insert(ctx.now);
            }
            None => {
                self.failing.remove(key);
            }
        }
        let status = ReplicationControllerStatus {
            replicas: counts.replicas,
            fully_labeled_replicas: Some(counts.fully_labeled),
            ready_replicas: Some(counts.ready),
            available_replicas: Some(counts.available),
            observed_generation: rc.metadata.generation,
            conditions: rc.status.as_ref().and_then(|s| s.conditions.clone()),
        };
        if rc.status.as_ref() != Some(&status) {
            let mut updated = rc.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::ReplicationController(updated), ctx.now);
        }
        next
    }
}
