//! The StatefulSet controller: pods with stable names `NAME-0`, `NAME-1`, …
//! created in order, each waiting for the one before to be Running and Ready
//! (or all at once with `Parallel`), removed in reverse, each with its own
//! PersistentVolumeClaims from the volumeClaimTemplates, and updated from
//! the highest ordinal down to the partition.

use super::daemonset::REVISION_HASH;
use super::deployment::template_hash;
use super::pods::{self, controlled_by, is_active, is_available, ready_since};
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetStatus};
use k8s_openapi::api::core::v1::{
    PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeClaimVolumeSource, Pod, Volume,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

const SOURCE: Source = Source { component: "statefulset-controller", host: None };
/// The label carrying a StatefulSet pod's own name, for per-pod Services.
const POD_NAME: &str = "statefulset.kubernetes.io/pod-name";
const POD_INDEX: &str = "apps.kubernetes.io/pod-index";

#[derive(Debug, Default)]
pub struct StatefulSetController;

fn ordinal(name: &str, set: &str) -> Option<i32> {
    name.strip_prefix(set)?.strip_prefix('-')?.parse().ok()
}

fn healthy(pod: &Pod, min_ready: i32, now: crate::time::Time) -> bool {
    let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
    running && pod.metadata.deletion_timestamp.is_none() && is_available(pod, min_ready, now)
}

impl Controller for StatefulSetController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::StatefulSet(_) => queue.push(key_of(&change.object)),
            Object::Pod(_) => queue.extend(controller_key(change, Kind::StatefulSet)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::StatefulSet, &key.1, &key.2) else { return Action::AwaitChange };
        let Object::StatefulSet(sts) = &*current else { return Action::AwaitChange };
        let Some(spec) = sts.spec.as_ref().filter(|_| sts.metadata.deletion_timestamp.is_none()) else {
            return Action::AwaitChange;
        };
        let now = ctx.now;
        let uid = sts.metadata.uid.clone().unwrap_or_default();
        let replicas = spec.replicas.unwrap_or(1);
        let min_ready = spec.min_ready_seconds.unwrap_or(0);
        let parallel = spec.pod_management_policy.as_deref() == Some("Parallel");
        let update_revision = format!("{}-{}", key.2, template_hash(&spec.template, None));
        let labels = spec.selector.match_labels.clone().unwrap_or_default();
        let hash = update_revision.rsplit('-').next().unwrap_or_default().to_string();
        super::revisions::ensure(ctx, &current, &update_revision, labels, &hash, &spec.template);

        let mut by_ordinal: BTreeMap<i32, Pod> = BTreeMap::new();
        for object in ctx.api.store().owned_by(&uid) {
            if let Some(p) = object.as_pod().filter(|p| controlled_by(p, &uid)) {
                if let Some(i) = ordinal(p.metadata.name.as_deref().unwrap_or_default(), &key.2) {
                    by_ordinal.insert(i, p.clone());
                }
            }
        }
        let revision_of =
            |p: &Pod| p.metadata.labels.as_ref().and_then(|l| l.get(REVISION_HASH)).cloned().unwrap_or_default();
        let mut next = Action::AwaitChange;
        let mut halted = false;

        // Create missing pods in order (or all at once when Parallel).
        for i in 0..replicas {
            match by_ordinal.get(&i) {
                Some(p) if is_active(p) || p.metadata.deletion_timestamp.is_some() => {
                    if !healthy(p, min_ready, now) {
                        if let Some(wait) = pods::until_available(p, min_ready, now) {
                            next = Action::RequeueAfter(wait);
                        }
                        if !parallel {
                            halted = true;
                            break;
                        }
                    }
                }
                Some(p) => {
                    // Finished (Succeeded/Failed): replace it.
                    let name = p.metadata.name.clone().unwrap_or_default();
                    let _ = ctx.api.delete(Kind::Pod, &key.1, &name, Some(0), now);
                    halted = !parallel;
                    if halted {
                        break;
                    }
                }
                None => {
                    self.create_pod(ctx, &current, sts, i, &update_revision);
                    if !parallel {
                        halted = true;
                        break;
                    }
                }
            }
        }

        // Remove surplus ordinals, highest first (one at a time unless Parallel).
        if !halted {
            let surplus: Vec<(i32, Pod)> =
                by_ordinal.iter().filter(|(i, _)| **i >= replicas).map(|(i, p)| (*i, p.clone())).rev().collect();
            for (_, p) in surplus.iter().take(if parallel { usize::MAX } else { 1 }) {
                if p.metadata.deletion_timestamp.is_none() {
                    let name = p.metadata.name.clone().unwrap_or_default();
                    if ctx.api.delete(Kind::Pod, &key.1, &name, None, now).is_ok() {
                        let msg = format!("delete Pod {name} in StatefulSet {} successful", key.2);
                        ctx.events.record(ctx.api, now, &current, SOURCE, "Normal", "SuccessfulDelete", &msg);
                    }
                }
                halted = true;
            }
        }

        // Rolling update: from the highest ordinal down to the partition,
        // one pod at a time, only while every pod is healthy.
        let rolling = spec.update_strategy.as_ref().and_then(|s| s.type_.as_deref()) != Some("OnDelete");
        if !halted && rolling {
            let partition = spec
                .update_strategy
                .as_ref()
                .and_then(|s| s.rolling_update.as_ref())
                .and_then(|r| r.partition)
                .unwrap_or(0);
            let all_healthy = (0..replicas).all(|i| by_ordinal.get(&i).is_some_and(|p| healthy(p, min_ready, now)));
            if all_healthy {
                if let Some((_, p)) = by_ordinal
                    .iter()
                    .rev()
                    .find(|(i, p)| **i >= partition && **i < replicas && revision_of(p) != update_revision)
                {
                    let name = p.metadata.name.clone().unwrap_or_default();
                    let _ = ctx.api.delete(Kind::Pod, &key.1, &name, None, now);
                }
            }
        }

        let live: Vec<&Pod> = by_ordinal.values().filter(|p| is_active(p)).collect();
        let updated = live.iter().filter(|p| revision_of(p) == update_revision).count() as i32;
        let current_revision = sts
            .status
            .as_ref()
            .and_then(|s| s.current_revision.clone())
            .filter(|_| updated < live.len() as i32)
            .unwrap_or_else(|| update_revision.clone());
        let status = StatefulSetStatus {
            replicas: live.len() as i32,
            ready_replicas: Some(live.iter().filter(|p| ready_since(p).is_some()).count() as i32),
            available_replicas: Some(live.iter().filter(|p| is_available(p, min_ready, now)).count() as i32),
            current_replicas: Some(live.iter().filter(|p| revision_of(p) == current_revision).count() as i32),
            updated_replicas: Some(updated),
            current_revision: Some(current_revision),
            update_revision: Some(update_revision),
            observed_generation: sts.metadata.generation,
            collision_count: Some(0),
            conditions: sts.status.as_ref().and_then(|s| s.conditions.clone()),
        };
        if sts.status.as_ref() != Some(&status) {
            let mut updated_sts = sts.clone();
            updated_sts.status = Some(status);
            ctx.api.put_raw(Object::StatefulSet(updated_sts), now);
        }
        next
    }
}

impl StatefulSetController {
    fn create_pod(&self, ctx: &mut Ctx, owner: &Object, sts: &StatefulSet, i: i32, revision: &str) {
        let Some(spec) = sts.spec.as_ref() else { return };
        let set = sts.metadata.name.clone().unwrap_or_default();
        let ns = sts.metadata.namespace.clone().unwrap_or_default();
        let name = format!("{set}-{i}");
        // Each pod's claims, created once and kept (retention policy Retain).
        let mut volumes: Vec<Volume> = Vec::new();
        for template in spec.volume_claim_templates.iter().flatten() {
            let claim_template = template.metadata.name.clone().unwrap_or_default();
            let claim = format!("{claim_template}-{name}");
            if ctx.api.store().get(Kind::PersistentVolumeClaim, &ns, &claim).is_none() {
                let pvc = PersistentVolumeClaim {
                    metadata: ObjectMeta {
                        name: Some(claim.clone()),
                        namespace: Some(ns.clone()),
                        labels: spec.selector.match_labels.clone(),
                        ..Default::default()
                    },
                    spec: template.spec.clone(),
                    status: Some(PersistentVolumeClaimStatus { phase: Some("Pending".into()), ..Default::default() }),
                };
                if ctx.api.create(Object::PersistentVolumeClaim(Box::new(pvc)), ctx.now, false).is_ok() {
                    let msg = format!("create Claim {claim} Pod {name} in StatefulSet {set} success");
                    ctx.events.record(ctx.api, ctx.now, owner, SOURCE, "Normal", "SuccessfulCreate", &msg);
                }
            }
            volumes.push(Volume {
                name: claim_template,
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource { claim_name: claim, read_only: None }),
                ..Default::default()
            });
        }
        let mut pod = pods::from_template(&spec.template, owner, String::new());
        pod.metadata.generate_name = None;
        pod.metadata.name = Some(name.clone());
        let labels = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
        labels.insert(REVISION_HASH.into(), revision.into());
        labels.insert(POD_NAME.into(), name.clone());
        labels.insert(POD_INDEX.into(), i.to_string());
        if let Some(s) = pod.spec.as_mut() {
            s.hostname = Some(name.clone());
            s.subdomain = spec.service_name.clone().filter(|n| !n.is_empty());
            let existing = s.volumes.get_or_insert_with(Vec::new);
            existing.retain(|v| !volumes.iter().any(|c| c.name == v.name));
            existing.extend(volumes);
        }
        if ctx.api.create(Object::Pod(Box::new(pod)), ctx.now, false).is_ok() {
            let msg = format!("create Pod {name} in StatefulSet {set} successful");
            ctx.events.record(ctx.api, ctx.now, owner, SOURCE, "Normal", "SuccessfulCreate", &msg);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        assert_eq!(ordinal("web-0", "web"), Some(0));
        assert_eq!(ordinal("web-12", "web"), Some(12));
        assert_eq!(ordinal("web-x", "web"), None);
        assert_eq!(ordinal("webx-1", "web"), None);
    }
}
