//! The ReplicaSet controller: keeps `spec.replicas` pods matching the
//! selector, creating from the template or deleting in Kubernetes' order,
//! adopting matching orphans, and reporting ready and available counts.

use super::pods::{self, controlled_by, is_active, is_available, owner_reference, until_available};
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::apps::v1::{ReplicaSetCondition, ReplicaSetStatus};
use k8s_openapi::api::core::v1::{Pod, PodTemplateSpec};

/// kube-controller-manager's cap on pods created or deleted per sync.
const BURST: usize = 500;

/// The condition a ReplicaSet (and from it its Deployment) shows while its
/// pods cannot be created.
pub const REPLICA_FAILURE: &str = "ReplicaFailure";

const SOURCE: Source = Source { component: "replicaset-controller", host: None };

/// Counts a replica controller reports in its status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Active pods owned.
    pub replicas: i32,
    /// Those whose labels match the template's too.
    pub fully_labeled: i32,
    /// Those Ready.
    pub ready: i32,
    /// Those Ready for minReadySeconds.
    pub available: i32,
}

/// What a replica controller asks of its pods.
pub struct Want<'a> {
    /// The owner (ReplicaSet or ReplicationController).
    pub owner: &'a Object,
    /// Which pods it counts.
    pub selector: Selector,
    /// How many.
    pub replicas: i32,
    /// What new ones look like.
    pub template: Option<&'a PodTemplateSpec>,
    /// How long a pod must be Ready to count as available.
    pub min_ready_seconds: i32,
    /// Who signs the events.
    pub source: Source<'static>,
    /// Since when creating pods has been failing, if it has.
    pub failing_since: Option<Time>,
}

/// The work queue's per-item back-off after a failed sync: 5ms doubling to
/// 1000s. Retries come at `since` + 5ms, 10ms, 20ms…, so the next delay is
/// the time already spent failing.
fn retry_after(failing_since: Option<Time>, now: Time) -> Millis {
    failing_since.map_or(0, |t| now.since(t)).clamp(5, 1000 * SECOND)
}

/// What a sync of a replica controller found and did.
pub struct Synced {
    /// Counts as they were at the start of the sync.
    pub counts: Counts,
    /// When to look again.
    pub next: Action,
    /// The API server's refusal of a pod it tried to create.
    pub failure: Option<String>,
}

/// Creates or deletes pods towards `want.replicas`. Returns the counts as
/// they were at the start of the sync (as Kubernetes reports them), when to
/// look again (for pods about to become available, or to retry a refused
/// create with back-off) and the refusal.
pub fn manage(want: &Want, ctx: &mut Ctx) -> Synced {
    let owner = want.owner;
    let uid = owner.meta().uid.clone().unwrap_or_default();
    let ns = owner.namespace().to_string();
    adopt_orphans(want, &uid, ctx);
    let owned_objects: Vec<std::sync::Arc<Object>> = ctx
        .api
        .store()
        .owned_by(&uid)
        .into_iter()
        .filter(|o| o.as_pod().is_some_and(|p| controlled_by(p, &uid) && is_active(p)))
        .cloned()
        .collect();
    let owned: Vec<&Pod> = owned_objects.iter().filter_map(|o| o.as_pod()).collect();
    let template_labels = want.template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.as_ref());
    let mut counts = Counts { replicas: owned.len() as i32, ..Counts::default() };
    let mut next = Action::AwaitChange;
    for p in owned.iter().copied() {
        let labels = p.metadata.labels.as_ref();
        if template_labels.is_none_or(|t| t.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))) {
            counts.fully_labeled += 1;
        }
        if pods::ready_since(p).is_some() {
            counts.ready += 1;
        }
        if is_available(p, want.min_ready_seconds, ctx.now) {
            counts.available += 1;
        } else if let Some(wait) = until_available(p, want.min_ready_seconds, ctx.now) {
            next = match next {
                Action::RequeueAfter(w) if w <= wait => next,
                _ => Action::RequeueAfter(wait),
            };
        }
    }

    let diff = owned.len() as i64 - want.replicas.max(0) as i64;
    let mut failure = None;
    if diff < 0 {
        let Some(template) = want.template else {
            return Synced { counts, next, failure };
        };
        for _ in 0..(-diff as usize).min(BURST) {
            let pod = pods::from_template(template, owner, format!("{}-", owner.name()));
            match ctx.api.create(Object::Pod(Box::new(pod)), ctx.now, false) {
                Ok(created) => {
                    let msg = format!("Created pod: {}", created.name());
                    ctx.events.record(ctx.api, ctx.now, owner, want.source, "Normal", "SuccessfulCreate", &msg);
                }
                Err(e) => {
                    let msg = format!("Error creating: {}", e.message);
                    ctx.events.record(ctx.api, ctx.now, owner, want.source, "Warning", "FailedCreate", &msg);
                    let wait = retry_after(want.failing_since, ctx.now);
                    next = match next {
                        Action::RequeueAfter(w) if w <= wait => next,
                        _ => Action::RequeueAfter(wait),
                    };
                    failure = Some(e.message);
                    break;
                }
            }
        }
    } else if diff > 0 {
        let mut victims: Vec<Pod> = owned.iter().map(|p| (*p).clone()).collect();
        pods::sort_for_deletion(&mut victims);
        for p in victims.iter().take((diff as usize).min(BURST)) {
            let name = p.metadata.name.clone().unwrap_or_default();
            if ctx.api.delete(Kind::Pod, &ns, &name, None, ctx.now).is_ok() {
                let msg = format!("Deleted pod: {name}");
                ctx.events.record(ctx.api, ctx.now, owner, want.source, "Normal", "SuccessfulDelete", &msg);
            }
        }
    }
    Synced { counts, next, failure }
}

/// The ReplicaFailure condition after a sync, as the ReplicaSet controller
/// keeps it: set (once) while creating or deleting fails, gone after a sync
/// that did not.
fn with_failure(
    mut conditions: Vec<ReplicaSetCondition>,
    failure: Option<String>,
    now: Time,
) -> Option<Vec<ReplicaSetCondition>> {
    let present = conditions.iter().any(|c| c.type_ == REPLICA_FAILURE);
    match failure {
        Some(message) if !present => conditions.push(ReplicaSetCondition {
            type_: REPLICA_FAILURE.into(),
            status: "True".into(),
            reason: Some("FailedCreate".into()),
            message: Some(message),
            last_transition_time: Some(now.to_k8s()),
        }),
        None => conditions.retain(|c| c.type_ != REPLICA_FAILURE),
        Some(_) => {}
    }
    (!conditions.is_empty()).then_some(conditions)
}

/// Since when a ReplicaSet has failed to create its pods.
fn failing_since(conditions: Option<&Vec<ReplicaSetCondition>>) -> Option<Time> {
    let failure = conditions?.iter().find(|c| c.type_ == REPLICA_FAILURE)?;
    failure.last_transition_time.as_ref().map(Time::from_k8s)
}

/// Orphan pods the selector matches become the owner's, as the controller's
/// adoption does (a pod someone else controls is left alone).
fn adopt_orphans(want: &Want, uid: &str, ctx: &mut Ctx) {
    if want.selector.is_empty() {
        return;
    }
    let ns = want.owner.namespace();
    let orphans: Vec<Pod> = ctx
        .api
        .store()
        .select(Kind::Pod, Some(ns), &want.selector)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter(|p| is_active(p) && !p.metadata.owner_references.iter().flatten().any(|o| o.controller == Some(true)))
        .cloned()
        .collect();
    for mut pod in orphans {
        if controlled_by(&pod, uid) {
            continue;
        }
        pod.metadata.owner_references.get_or_insert_with(Vec::new).push(owner_reference(want.owner));
        let _ = ctx.api.update(Object::Pod(Box::new(pod)), ctx.now);
    }
}

/// Watches ReplicaSets and the pods they control.
#[derive(Debug, Default)]
pub struct ReplicaSetController;

impl Controller for ReplicaSetController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::ReplicaSet(_) => queue.push(key_of(&change.object)),
            Object::Pod(_) => queue.extend(controller_key(change, Kind::ReplicaSet)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::ReplicaSet, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let Object::ReplicaSet(rs) = &*current else {
            return Action::AwaitChange;
        };
        if rs.metadata.deletion_timestamp.is_some() {
            return Action::AwaitChange;
        }
        let Some(spec) = rs.spec.as_ref() else {
            return Action::AwaitChange;
        };
        let Ok(selector) = Selector::from_api(&spec.selector) else {
            return Action::AwaitChange;
        };
        let want = Want {
            owner: &current,
            selector,
            replicas: spec.replicas.unwrap_or(1),
            template: spec.template.as_ref(),
            min_ready_seconds: spec.min_ready_seconds.unwrap_or(0),
            source: SOURCE,
            failing_since: failing_since(rs.status.as_ref().and_then(|s| s.conditions.as_ref())),
        };
        let Synced { counts, next, failure } = manage(&want, ctx);
        let conditions = rs.status.as_ref().and_then(|s| s.conditions.clone()).unwrap_or_default();
        let status = ReplicaSetStatus {
            replicas: counts.replicas,
            fully_labeled_replicas: Some(counts.fully_labeled),
            ready_replicas: Some(counts.ready),
            available_replicas: Some(counts.available),
            observed_generation: rs.metadata.generation,
            conditions: with_failure(conditions, failure, ctx.now),
        };
        if rs.status.as_ref() != Some(&status) {
            let mut updated = rs.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::ReplicaSet(updated), ctx.now);
        }
        next
    }
}
