//! The disruption controller: a PodDisruptionBudget's status, i.e. how many
//! of its pods are healthy, how many must stay so, and therefore how many
//! voluntary evictions (a drain) it allows right now.

use super::deployment::scaled;
use super::pods::{is_active, ready_since};
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, Store};
use k8s_openapi::api::policy::v1::PodDisruptionBudgetStatus;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

#[derive(Debug, Default)]
pub struct DisruptionController;

impl Controller for DisruptionController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        match &**object {
            Object::PodDisruptionBudget(_) => queue.push(key_of(object)),
            // A pod came, went or changed readiness: its namespace's budgets
            // (there are few) may have changed.
            Object::Pod(_) => queue.extend(
                store
                    .list(Kind::PodDisruptionBudget, Some(object.namespace()))
                    .map(|o| (Kind::PodDisruptionBudget, o.namespace().to_string(), o.name().to_string())),
            ),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::PodDisruptionBudget, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let Object::PodDisruptionBudget(pdb) = &*current else { return Action::AwaitChange };
        let Some(spec) = pdb.spec.as_ref() else { return Action::AwaitChange };
        let selector = spec.selector.as_ref().and_then(|s| Selector::from_api(s).ok()).unwrap_or_default();
        let store = ctx.api.store();
        let pods: Vec<_> = store
            .select(Kind::Pod, Some(&key.1), &selector)
            .into_iter()
            .filter_map(|o| o.as_pod())
            .filter(|p| is_active(p))
            .collect();
        let healthy = pods.iter().filter(|p| ready_since(p).is_some()).count() as i32;
        // The scale of the pods' controllers, as the real controller counts it.
        let mut controllers: BTreeMap<String, i32> = BTreeMap::new();
        let mut unmanaged = 0;
        for pod in &pods {
            let owner = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
            let scale = owner.and_then(|o| {
                let kind = match o.kind.as_str() {
                    "ReplicaSet" => Kind::ReplicaSet,
                    "ReplicationController" => Kind::ReplicationController,
                    "StatefulSet" => Kind::StatefulSet,
                    _ => return None,
                };
                let object = store.get(kind, &key.1, &o.name)?;
                Some(match &**object {
                    Object::ReplicaSet(rs) => rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                    Object::ReplicationController(rc) => rc.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                    Object::StatefulSet(ss) => ss.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1),
                    _ => 1,
                })
            });
            match (owner, scale) {
                (Some(o), Some(n)) => {
                    controllers.insert(o.uid.clone(), n);
                }
                _ => unmanaged += 1,
            }
        }
        let expected = controllers.values().sum::<i32>() + unmanaged;
        let desired = match (&spec.min_available, &spec.max_unavailable) {
            (Some(IntOrString::Int(n)), _) => *n,
            (Some(pct @ IntOrString::String(_)), _) => scaled(Some(pct), expected, true),
            (None, Some(max)) => (expected - scaled(Some(max), expected, true)).max(0),
            (None, None) => expected,
        };
        let allowed = (healthy - desired).max(0);
        let (status_text, reason, message) =
            if allowed > 0 { ("True", "SufficientPods", "") } else { ("False", "InsufficientPods", "") };
        let previous = pdb.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.first().cloned());
        let transition = match &previous {
            Some(c) if c.status == status_text => c.last_transition_time.clone(),
            _ => ctx.now.to_k8s(),
        };
        let status = PodDisruptionBudgetStatus {
            current_healthy: healthy,
            desired_healthy: desired,
            disruptions_allowed: allowed,
            expected_pods: expected,
            observed_generation: pdb.metadata.generation,
            conditions: Some(vec![Condition {
                type_: "DisruptionAllowed".into(),
                status: status_text.into(),
                reason: reason.into(),
                message: message.into(),
                last_transition_time: transition,
                observed_generation: pdb.metadata.generation,
            }]),
            disrupted_pods: pdb.status.as_ref().and_then(|s| s.disrupted_pods.clone()),
        };
        if pdb.status.as_ref() != Some(&status) {
            let mut updated = pdb.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::PodDisruptionBudget(updated), ctx.now);
        }
        Action::AwaitChange
    }
}
