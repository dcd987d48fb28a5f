//! The Deployment controller: owns one ReplicaSet per pod template, rolls
//! from the old ones to the new one in the steps Kubernetes takes (maxSurge
//! rounded up, maxUnavailable rounded down, unhealthy old pods first),
//! recreates, scales proportionally mid-rollout, keeps revisions and reports
//! the Progressing and Available conditions.

use super::pods::owner_reference;
use super::replicaset::REPLICA_FAILURE;
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Time, SECOND};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

const SOURCE: Source = Source { component: "deployment-controller", host: None };

/// The label that ties a ReplicaSet and its pods to one template.
pub const HASH_LABEL: &str = "pod-template-hash";
/// The revision a ReplicaSet (and its Deployment) stands for.
pub const REVISION: &str = "deployment.kubernetes.io/revision";
const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
const DESIRED: &str = "deployment.kubernetes.io/desired-replicas";
const MAX: &str = "deployment.kubernetes.io/max-replicas";
/// Annotations a Deployment does not pass on to its ReplicaSets (nor a
/// rollback from them back to it).
pub const NOT_COPIED: &[&str] =
    &[crate::kubectl::LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED, MAX, "deprecated.deployment.rollback.to"];

/// `IntOrString` scaled against `total`: percentages rounded up or down.
pub fn scaled(v: Option<&IntOrString>, total: i32, round_up: bool) -> i32 {
    match v {
        None => 0,
        Some(IntOrString::Int(i)) => *i,
        Some(IntOrString::String(s)) => {
            let pct: i64 = s.trim_end_matches('%').parse().unwrap_or(0);
            let raw = pct * total as i64;
            (if round_up { (raw + 99).div_euclid(100) } else { raw.div_euclid(100) }) as i32
        }
    }
}

/// ResolveFenceposts: (maxSurge, maxUnavailable) for `desired` replicas.
pub fn fenceposts(surge: Option<&IntOrString>, unavailable: Option<&IntOrString>, desired: i32) -> (i32, i32) {
    let s = scaled(surge, desired, true);
    let u = scaled(unavailable, desired, false);
    if s == 0 && u == 0 {
        (0, 1)
    } else {
        (s, u)
    }
}

fn rolling(d: &Deployment) -> Option<(i32, i32)> {
    let spec = d.spec.as_ref()?;
    let strategy = spec.strategy.as_ref()?;
    if strategy.type_.as_deref() == Some("Recreate") {
        return None;
    }
    let r = strategy.rolling_update.as_ref();
    Some(fenceposts(
        r.and_then(|r| r.max_surge.as_ref()),
        r.and_then(|r| r.max_unavailable.as_ref()),
        spec.replicas.unwrap_or(1),
    ))
}

fn max_surge(d: &Deployment) -> i32 {
    rolling(d).map_or(0, |(s, _)| s)
}

fn max_unavailable(d: &Deployment) -> i32 {
    let replicas = replicas_of(d);
    match rolling(d) {
        Some((_, u)) if replicas > 0 => u.min(replicas),
        _ => 0,
    }
}

fn replicas_of(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

fn rs_available(rs: &ReplicaSet) -> i32 {
    rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0)
}

fn annotation(meta: &ObjectMeta, key: &str) -> Option<String> {
    meta.annotations.as_ref()?.get(key).cloned()
}

fn revision_of(rs: &ReplicaSet) -> i64 {
    annotation(&rs.metadata, REVISION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

/// The pod-template-hash: FNV-32a of the template (and the collision count),
/// its decimal digits spelled in Kubernetes' safe alphabet.
pub fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut h: u32 = 0x811c_9dc5;
    let text = serde_json::to_string(template).unwrap_or_default();
    for b in text.bytes().chain(collision_count.map(|c| c.to_le_bytes()).into_iter().flatten()) {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    h.to_string().bytes().map(|d| ALPHANUMS[d as usize % ALPHANUMS.len()] as char).collect()
}

/// Whether a ReplicaSet's template is the Deployment's, ignoring the hash label.
fn same_template(rs: &ReplicaSet, template: &PodTemplateSpec) -> bool {
    let Some(mut theirs) = rs.spec.as_ref().and_then(|s| s.template.clone()) else {
        return false;
    };
    let mut ours = template.clone();
    for t in [&mut theirs, &mut ours] {
        if let Some(labels) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
            labels.remove(HASH_LABEL);
        }
    }
    theirs == ours
}

#[derive(Debug, Default)]
pub struct DeploymentController;

struct Sync<'c, 'a> {
    ctx: &'c mut Ctx<'a>,
    deployment: Deployment,
    object: std::sync::Arc<Object>,
}

impl Controller for DeploymentController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::Deployment(_) => queue.push(key_of(&change.object)),
            Object::ReplicaSet(_) => queue.extend(controller_key(change, Kind::Deployment)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(object) = ctx.api.get(Kind::Deployment, &key.1, &key.2) else {
            return Action::AwaitChange;
        };
        let Object::Deployment(deployment) = &*object else {
            return Action::AwaitChange;
        };
        if deployment.metadata.deletion_timestamp.is_some() {
            return Action::AwaitChange;
        }
        let deployment = deployment.clone();
        let mut sync = Sync { ctx, deployment: *deployment, object };
        sync.run()
    }
}

impl Sync<'_, '_> {
    fn spec(&self) -> &k8s_openapi::api::apps::v1::DeploymentSpec {
        // reconcile only builds a Sync for defaulted Deployments, which have a spec.
        static EMPTY: std::sync::OnceLock<k8s_openapi::api::apps::v1::DeploymentSpec> = std::sync::OnceLock::new();
        self.deployment.spec.as_ref().unwrap_or_else(|| EMPTY.get_or_init(Default::default))
    }

    /// This Deployment's ReplicaSets, oldest first.
    fn replica_sets(&self) -> Vec<ReplicaSet> {
        let uid = self.deployment.metadata.uid.clone().unwrap_or_default();
        let mut list: Vec<ReplicaSet> = self
            .ctx
            .api
            .store()
            .owned_by(&uid)
            .into_iter()
            .filter_map(|o| match &**o {
                Object::ReplicaSet(rs)
                    if rs
                        .metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|r| r.uid == uid && r.controller == Some(true)) =>
                {
                    Some((**rs).clone())
                }
                _ => None,
            })
            .collect();
        list.sort_by_key(|rs| {
            (rs.metadata.creation_timestamp.as_ref().map_or(Time(0), Time::from_k8s), rs.metadata.name.clone())
        });
        list
    }

    fn run(&mut self) -> Action {
        let Ok(selector) = Selector::from_api(&self.spec().selector) else {
            return Action::AwaitChange;
        };
        if selector.is_empty() {
            return Action::AwaitChange;
        }
        let all = self.replica_sets();
        let template = self.spec().template.clone();
        let new_rs = all.iter().find(|rs| same_template(rs, &template)).cloned();
        let olds: Vec<ReplicaSet> = all
            .iter()
            .filter(|rs| Some(&rs.metadata.uid) != new_rs.as_ref().map(|n| &n.metadata.uid))
            .cloned()
            .collect();

        if self.spec().paused == Some(true) {
            self.scale(new_rs.as_ref(), &olds);
            return self.finish(&template, false);
        }
        if self.is_scaling_event(new_rs.as_ref(), &olds) {
            self.scale(new_rs.as_ref(), &olds);
            return self.finish(&template, false);
        }
        match rolling(&self.deployment) {
            None => self.recreate(new_rs, olds, &template),
            Some(_) => self.roll(new_rs, olds, &template),
        }
    }

    fn active<'r>(&self, new_rs: Option<&'r ReplicaSet>, olds: &'r [ReplicaSet]) -> Vec<&'r ReplicaSet> {
        new_rs.into_iter().chain(olds.iter()).filter(|rs| rs_replicas(rs) > 0).collect()
    }

    fn is_scaling_event(&self, new_rs: Option<&ReplicaSet>, olds: &[ReplicaSet]) -> bool {
        let want = replicas_of(&self.deployment).to_string();
        self.active(new_rs, olds).iter().any(|rs| annotation(&rs.metadata, DESIRED).is_some_and(|d| d != want))
    }

    /// Writes a ReplicaSet's new size with the desired/max annotations, and
    /// says so in a ScalingReplicaSet event.
    fn scale_rs(&mut self, rs: &ReplicaSet, to: i32) -> bool {
        let from = rs_replicas(rs);
        let replicas = replicas_of(&self.deployment);
        let mut updated = rs.clone();
        let annotations = updated.metadata.annotations.get_or_insert_with(BTreeMap::new);
        let desired = replicas.to_string();
        let max = (replicas + max_surge(&self.deployment)).to_string();
        let annotations_changed = annotations.get(DESIRED) != Some(&desired) || annotations.get(MAX) != Some(&max);
        annotations.insert(DESIRED.into(), desired);
        annotations.insert(MAX.into(), max);
        if from == to && !annotations_changed {
            return false;
        }
        if let Some(spec) = updated.spec.as_mut() {
            spec.replicas = Some(to);
        }
        let name = rs.metadata.name.clone().unwrap_or_default();
        if self.ctx.api.update(Object::ReplicaSet(Box::new(updated)), self.ctx.now).is_err() {
            return false;
        }
        if from != to {
            self.scaled_event(&name, from, to);
        }
        from != to
    }

    /// The ScalingReplicaSet event `kubectl describe deployment` shows.
    fn scaled_event(&mut self, rs: &str, from: i32, to: i32) {
        let verb = if to > from { "up" } else { "down" };
        let message = format!("Scaled {verb} replica set {rs} from {from} to {to}");
        self.ctx.events.record(
            self.ctx.api,
            self.ctx.now,
            &self.object,
            SOURCE,
            "Normal",
            "ScalingReplicaSet",
            &message,
        );
    }

    /// Finds or creates the new ReplicaSet and keeps its revision current.
    fn new_replica_set(
        &mut self,
        existing: Option<ReplicaSet>,
        olds: &[ReplicaSet],
        template: &PodTemplateSpec,
        create: bool,
    ) -> Option<ReplicaSet> {
        let max_old = olds.iter().map(revision_of).max().unwrap_or(0);
        let revision = (max_old + 1).to_string();
        if let Some(rs) = existing {
            let current = annotation(&rs.metadata, REVISION).unwrap_or_default();
            let mut updated = rs.clone();
            let annotations = updated.metadata.annotations.get_or_insert_with(BTreeMap::new);
            let mut changed = false;
            if current.parse::<i64>().unwrap_or(0) < max_old + 1 {
                if !current.is_empty() {
                    let history = annotations.get(REVISION_HISTORY).cloned().unwrap_or_default();
                    let history = if history.is_empty() { current.clone() } else { format!("{history},{current}") };
                    annotations.insert(REVISION_HISTORY.into(), history);
                }
                annotations.insert(REVISION.into(), revision.clone());
                changed = true;
            }
            for (k, v) in self.copied_annotations() {
                if annotations.get(&k) != Some(&v) {
                    annotations.insert(k, v);
                    changed = true;
                }
            }
            if changed {
                return self.ctx.api.update(Object::ReplicaSet(Box::new(updated.clone())), self.ctx.now).ok().and_then(
                    |o| match &*o {
                        Object::ReplicaSet(rs) => Some((**rs).clone()),
                        _ => None,
                    },
                );
            }
            return Some(rs);
        }
        if !create {
            return None;
        }
        let collision = self.deployment.status.as_ref().and_then(|s| s.collision_count);
        let hash = template_hash(template, collision);
        let mut rs_template = template.clone();
        rs_template
            .metadata
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(BTreeMap::new)
            .insert(HASH_LABEL.into(), hash.clone());
        let mut selector: LabelSelector = self.spec().selector.clone();
        selector.match_labels.get_or_insert_with(BTreeMap::new).insert(HASH_LABEL.into(), hash.clone());
        let replicas = self.new_rs_replicas(None, olds);
        let mut annotations: BTreeMap<String, String> = self.copied_annotations();
        annotations.insert(REVISION.into(), revision);
        annotations.insert(DESIRED.into(), replicas_of(&self.deployment).to_string());
        annotations.insert(MAX.into(), (replicas_of(&self.deployment) + max_surge(&self.deployment)).to_string());
        let name = format!("{}-{hash}", self.deployment.metadata.name.clone().unwrap_or_default());
        let rs = ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.clone()),
                namespace: self.deployment.metadata.namespace.clone(),
                labels: rs_template.metadata.as_ref().and_then(|m| m.labels.clone()),
                annotations: Some(annotations),
                owner_references: Some(vec![owner_reference(&self.object)]),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec {
                replicas: Some(replicas),
                min_ready_seconds: self.spec().min_ready_seconds,
                selector,
                template: Some(rs_template),
            }),
            status: None,
        };
        let created = self.ctx.api.create(Object::ReplicaSet(Box::new(rs)), self.ctx.now, false).ok()?;
        let Object::ReplicaSet(rs) = &*created else { return None };
        if replicas > 0 {
            self.scaled_event(&name, 0, replicas);
        }
        self.set_progressing("True", "NewReplicaSetCreated", format!("Created new replica set \"{name}\""));
        Some(*rs.clone())
    }

    fn copied_annotations(&self) -> BTreeMap<String, String> {
        self.deployment
            .metadata
            .annotations
            .iter()
            .flatten()
            .filter(|(k, _)| !NOT_COPIED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// NewRSNewReplicas: how big the new ReplicaSet may be now.
    fn new_rs_replicas(&self, new_rs: Option<&ReplicaSet>, olds: &[ReplicaSet]) -> i32 {
        let replicas = replicas_of(&self.deployment);
        let current_new = new_rs.map_or(0, rs_replicas);
        match rolling(&self.deployment) {
            None => replicas,
            Some(_) => {
                let total = olds.iter().map(rs_replicas).sum::<i32>() + current_new;
                new_target(replicas, max_surge(&self.deployment), total, current_new)
            }
        }
    }

    fn roll(&mut self, new_rs: Option<ReplicaSet>, olds: Vec<ReplicaSet>, template: &PodTemplateSpec) -> Action {
        let Some(new_rs) = self.new_replica_set(new_rs, &olds, template, true) else {
            return Action::AwaitChange;
        };
        // reconcileNewReplicaSet
        let replicas = replicas_of(&self.deployment);
        let current = rs_replicas(&new_rs);
        if current != replicas {
            let target = if current > replicas { replicas } else { self.new_rs_replicas(Some(&new_rs), &olds) };
            if target != current && self.scale_rs(&new_rs, target) {
                return self.finish(template, true);
            }
        }
        // reconcileOldReplicaSets
        if self.reconcile_olds(&new_rs, &olds) {
            return self.finish(template, true);
        }
        self.cleanup(&olds);
        self.finish(template, false)
    }

    fn reconcile_olds(&mut self, new_rs: &ReplicaSet, olds: &[ReplicaSet]) -> bool {
        let sizes: Vec<(i32, i32)> = olds.iter().map(|rs| (rs_replicas(rs), rs_available(rs))).collect();
        let targets = old_targets(
            replicas_of(&self.deployment),
            max_unavailable(&self.deployment),
            (rs_replicas(new_rs), rs_available(new_rs)),
            &sizes,
        );
        let mut scaled = false;
        for (rs, target) in olds.iter().zip(targets) {
            if target != rs_replicas(rs) {
                scaled |= self.scale_rs(rs, target);
            }
        }
        scaled
    }

    fn recreate(&mut self, new_rs: Option<ReplicaSet>, olds: Vec<ReplicaSet>, template: &PodTemplateSpec) -> Action {
        let new_rs = self.new_replica_set(new_rs, &olds, template, false);
        let mut scaled = false;
        for rs in olds.iter().filter(|rs| rs_replicas(rs) > 0) {
            scaled |= self.scale_rs(rs, 0);
        }
        if scaled {
            return self.finish(template, true);
        }
        // Wait until no old pod is left running.
        let running = olds.iter().any(|rs| {
            let uid = rs.metadata.uid.clone().unwrap_or_default();
            self.ctx.api.store().owned_by(&uid).iter().any(|o| {
                o.as_pod().is_some_and(|p| {
                    let phase = p.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
                    phase != "Failed" && phase != "Succeeded"
                })
            })
        });
        if running {
            return self.finish(template, true);
        }
        let Some(new_rs) = new_rs.or_else(|| self.new_replica_set(None, &olds, template, true)) else {
            return Action::AwaitChange;
        };
        if self.scale_rs(&new_rs, replicas_of(&self.deployment)) {
            return self.finish(template, true);
        }
        self.cleanup(&olds);
        self.finish(template, false)
    }

    /// Proportional scaling while ReplicaSets of several revisions are up.
    fn scale(&mut self, new_rs: Option<&ReplicaSet>, olds: &[ReplicaSet]) {
        let replicas = replicas_of(&self.deployment);
        let active: Vec<ReplicaSet> = self.active(new_rs, olds).into_iter().cloned().collect();
        if active.len() <= 1 {
            let target = active.first().cloned().or_else(|| new_rs.cloned()).or_else(|| olds.last().cloned());
            if let Some(rs) = target {
                self.scale_rs(&rs, replicas);
            }
            return;
        }
        if let Some(new) = new_rs {
            let saturated = rs_replicas(new) == replicas
                && annotation(&new.metadata, DESIRED).as_deref() == Some(replicas.to_string().as_str())
                && rs_available(new) == replicas;
            if saturated {
                for rs in olds.iter().filter(|rs| rs_replicas(rs) > 0) {
                    self.scale_rs(rs, 0);
                }
                return;
            }
        }
        if rolling(&self.deployment).is_none() {
            return;
        }
        let surge = max_surge(&self.deployment);
        let allowed = if replicas > 0 { replicas + surge } else { 0 };
        let current: i32 = active.iter().map(rs_replicas).sum();
        let to_add = allowed - current;
        if to_add == 0 {
            return;
        }
        let sizes = proportions(
            &active
                .iter()
                .map(|rs| {
                    let created = rs.metadata.creation_timestamp.as_ref().map_or(Time(0), Time::from_k8s);
                    let max = annotation(&rs.metadata, MAX).and_then(|m| m.parse().ok());
                    (rs_replicas(rs), created, max)
                })
                .collect::<Vec<_>>(),
            replicas,
            surge,
            self.deployment.status.as_ref().map_or(0, |s| s.replicas.unwrap_or(0)),
            to_add,
        );
        for (rs, size) in active.iter().zip(sizes) {
            self.scale_rs(rs, size);
        }
    }

    /// Deletes old, empty ReplicaSets beyond revisionHistoryLimit.
    fn cleanup(&mut self, olds: &[ReplicaSet]) {
        let limit = self.spec().revision_history_limit.unwrap_or(10).max(0) as usize;
        let empty: Vec<&ReplicaSet> = olds
            .iter()
            .filter(|rs| rs_replicas(rs) == 0 && rs.status.as_ref().is_none_or(|s| s.replicas == 0))
            .collect();
        if empty.len() <= limit {
            return;
        }
        for rs in &empty[..empty.len() - limit] {
            let ns = rs.metadata.namespace.clone().unwrap_or_default();
            let name = rs.metadata.name.clone().unwrap_or_default();
            let _ = self.ctx.api.delete(Kind::ReplicaSet, &ns, &name, None, self.ctx.now);
        }
    }

    fn set_progressing(&mut self, status: &str, reason: &str, message: String) {
        let conditions =
            self.deployment.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
        set_condition(conditions, "Progressing", status, reason, message, self.ctx.now);
    }

    /// Writes the status and conditions; asks to be woken at the progress
    /// deadline while a rollout is under way.
    fn finish(&mut self, template: &PodTemplateSpec, progressed: bool) -> Action {
        let all = self.replica_sets();
        let new_rs = all.iter().find(|rs| same_template(rs, template));
        let replicas = replicas_of(&self.deployment);
        let sum = |f: &dyn Fn(&ReplicaSet) -> i32| all.iter().map(f).sum::<i32>();
        let total = sum(&rs_replicas);
        let status_replicas = sum(&|rs| rs.status.as_ref().map_or(0, |s| s.replicas));
        let ready = sum(&|rs| rs.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0));
        let available = sum(&rs_available);
        let updated = new_rs.map_or(0, |rs| rs.status.as_ref().map_or(0, |s| s.replicas));
        let now = self.ctx.now;
        let mut status = self.deployment.status.clone().unwrap_or_default();
        status.replicas = Some(status_replicas);
        status.updated_replicas = Some(updated);
        status.ready_replicas = Some(ready);
        status.available_replicas = Some(available);
        status.unavailable_replicas = Some((total - available).max(0));
        status.observed_generation = self.deployment.metadata.generation;
        let conditions = status.conditions.get_or_insert_with(Vec::new);
        let min_available = replicas - max_unavailable(&self.deployment);
        if available >= min_available {
            set_condition(
                conditions,
                "Available",
                "True",
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.".into(),
                now,
            );
        } else {
            set_condition(
                conditions,
                "Available",
                "False",
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.".into(),
                now,
            );
        }
        let complete = updated == replicas && available == replicas && status_replicas == replicas;
        let paused = self.spec().paused == Some(true);
        let mut next = Action::AwaitChange;
        if let Some(rs) = new_rs {
            let name = rs.metadata.name.clone().unwrap_or_default();
            let progressing = conditions.iter().find(|c| c.type_ == "Progressing").cloned();
            if paused {
                set_condition(
                    conditions,
                    "Progressing",
                    "Unknown",
                    "DeploymentPaused",
                    "Deployment is paused".into(),
                    now,
                );
            } else if complete {
                set_condition(
                    conditions,
                    "Progressing",
                    "True",
                    "NewReplicaSetAvailable",
                    format!("ReplicaSet \"{name}\" has successfully progressed."),
                    now,
                );
            } else if progressed || progressing.as_ref().is_none_or(|c| c.reason.as_deref() == Some("DeploymentPaused"))
            {
                set_condition(
                    conditions,
                    "Progressing",
                    "True",
                    "ReplicaSetUpdated",
                    format!("ReplicaSet \"{name}\" is progressing."),
                    now,
                );
            } else if let Some(deadline) = self.spec().progress_deadline_seconds {
                let since = progressing.and_then(|c| c.last_update_time).map_or(now, |t| Time::from_k8s(&t));
                let due = since.plus(deadline as i64 * SECOND);
                if now >= due {
                    set_condition(
                        conditions,
                        "Progressing",
                        "False",
                        "ProgressDeadlineExceeded",
                        format!("ReplicaSet \"{name}\" has timed out progressing."),
                        now,
                    );
                } else {
                    next = Action::RequeueAfter(due.since(now));
                }
            }
            if !complete && !paused && matches!(next, Action::AwaitChange) {
                if let Some(deadline) = self.spec().progress_deadline_seconds {
                    next = Action::RequeueAfter(deadline as i64 * SECOND);
                }
            }
        }
        // The ReplicaSets' failure to create pods (the new one's first) shows
        // on the Deployment, as syncRolloutStatus copies it.
        let failure = new_rs.into_iter().chain(all.iter()).find_map(|rs| {
            rs.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == REPLICA_FAILURE).cloned()
        });
        match failure {
            Some(c) => set_condition(
                conditions,
                REPLICA_FAILURE,
                &c.status,
                c.reason.as_deref().unwrap_or_default(),
                c.message.unwrap_or_default(),
                now,
            ),
            None => conditions.retain(|c| c.type_ != REPLICA_FAILURE),
        }
        let mut deployment = self.deployment.clone();
        if let Some(rs) = new_rs {
            if let Some(rev) = annotation(&rs.metadata, REVISION) {
                let annotations = deployment.metadata.annotations.get_or_insert_with(BTreeMap::new);
                if annotations.get(REVISION) != Some(&rev) {
                    annotations.insert(REVISION.into(), rev);
                    let _ = self.ctx.api.update(Object::Deployment(Box::new(deployment.clone())), now).map(|o| {
                        if let Object::Deployment(d) = &*o {
                            deployment = *d.clone();
                        }
                    });
                }
            }
        }
        if deployment.status.as_ref() != Some(&status) {
            deployment.status = Some(status);
            self.ctx.api.put_raw(Object::Deployment(Box::new(deployment)), now);
        }
        next
    }
}

/// NewRSNewReplicas for a rolling update: grow the new ReplicaSet up to the
/// surge ceiling, never past `replicas`.
pub fn new_target(replicas: i32, surge: i32, current_total: i32, current_new: i32) -> i32 {
    let max_total = replicas + surge;
    if current_total >= max_total {
        return current_new;
    }
    current_new + (max_total - current_total).min(replicas - current_new).max(0)
}

/// reconcileOldReplicaSets: the new sizes of the old ReplicaSets (given as
/// (spec, available), oldest first) after cleaning up unhealthy replicas and
/// scaling down as far as availability allows.
pub fn old_targets(replicas: i32, max_unavailable: i32, new: (i32, i32), olds: &[(i32, i32)]) -> Vec<i32> {
    let mut sizes: Vec<i32> = olds.iter().map(|o| o.0).collect();
    let old_count: i32 = sizes.iter().sum();
    if old_count == 0 {
        return sizes;
    }
    let min_available = replicas - max_unavailable;
    let max_scaled_down = old_count + new.0 - min_available - (new.0 - new.1);
    if max_scaled_down <= 0 {
        return sizes;
    }
    let mut cleaned = 0;
    for (size, (_, available)) in sizes.iter_mut().zip(olds) {
        if cleaned >= max_scaled_down {
            break;
        }
        if *size == 0 || *size == *available {
            continue;
        }
        let n = (max_scaled_down - cleaned).min(*size - available);
        *size -= n;
        cleaned += n;
    }
    let available: i32 = olds.iter().map(|o| o.1).sum::<i32>() + new.1;
    if available > min_available {
        let budget = available - min_available;
        let mut scaled = 0;
        for size in sizes.iter_mut() {
            if scaled >= budget {
                break;
            }
            if *size == 0 {
                continue;
            }
            let n = (*size).min(budget - scaled);
            *size -= n;
            scaled += n;
        }
    }
    sizes
}

/// Sets one condition, keeping its transition time unless its status changes.
fn set_condition(
    conditions: &mut Vec<DeploymentCondition>,
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: Time,
) {
    if let Some(c) = conditions.iter_mut().find(|c| c.type_ == type_) {
        if c.status == status && c.reason.as_deref() == Some(reason) && c.message.as_deref() == Some(message.as_str()) {
            return;
        }
        if c.status != status {
            c.last_transition_time = Some(now.to_k8s());
        }
        c.status = status.into();
        c.reason = Some(reason.into());
        c.message = Some(message);
        c.last_update_time = Some(now.to_k8s());
        return;
    }
    conditions.push(DeploymentCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message),
        last_transition_time: Some(now.to_k8s()),
        last_update_time: Some(now.to_k8s()),
    });
    // Kubernetes lists Available before Progressing.
    conditions.sort_by_key(|c| if c.type_ == "Available" { 0 } else { 1 });
}

/// The proportional-scaling arithmetic of sync.go: each active ReplicaSet
/// given (replicas, created, max-replicas annotation) gets its share of
/// `to_add`, leftovers going to the first in the sorted order.
pub fn proportions(
    sets: &[(i32, Time, Option<i32>)],
    replicas: i32,
    surge: i32,
    status_replicas: i32,
    to_add: i32,
) -> Vec<i32> {
    let mut order: Vec<usize> = (0..sets.len()).collect();
    if to_add > 0 {
        // Larger first; ties: newer first.
        order.sort_by(|&a, &b| sets[b].0.cmp(&sets[a].0).then(sets[b].1.cmp(&sets[a].1)));
    } else {
        // Larger first; ties: older first.
        order.sort_by(|&a, &b| sets[b].0.cmp(&sets[a].0).then(sets[a].1.cmp(&sets[b].1)));
    }
    let mut sizes: Vec<i32> = sets.iter().map(|s| s.0).collect();
    let mut added = 0;
    for &i in &order {
        let (size, _, max) = sets[i];
        if size == 0 || added == to_add {
            continue;
        }
        let fraction = if replicas == 0 {
            -size
        } else {
            let denominator = max.unwrap_or(status_replicas);
            if denominator == 0 {
                0
            } else {
                let exact = size as f64 * (replicas + surge) as f64 / denominator as f64;
                exact.round() as i32 - size
            }
        };
        let proportion = if to_add > 0 { fraction.min(to_add - added) } else { fraction.max(to_add - added) };
        sizes[i] += proportion;
        added += proportion;
    }
    if added != to_add {
        if let Some(&first) = order.first() {
            sizes[first] = (sizes[first] + to_add - added).max(0);
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ios(s: &str) -> IntOrString {
        match s.parse() {
            Ok(i) => IntOrString::Int(i),
            Err(_) => IntOrString::String(s.into()),
        }
    }

    // TestResolveFenceposts (the non-error rows).
    #[test]
    fn fenceposts_table() {
        type Case<'a> = (Option<&'a str>, Option<&'a str>, i32, (i32, i32));
        let cases: &[Case] = &[
            (Some("0%"), Some("0%"), 0, (0, 1)),
            (Some("39%"), Some("39%"), 10, (4, 3)),
            (None, Some("39%"), 10, (0, 3)),
            (Some("39%"), None, 10, (4, 0)),
            (None, None, 10, (0, 1)),
            (Some("1"), Some("1"), 2, (1, 1)),
            (Some("25%"), Some("25%"), 8, (2, 2)),
        ];
        for (surge, unavailable, desired, want) in cases {
            let s = surge.map(ios);
            let u = unavailable.map(ios);
            assert_eq!(fenceposts(s.as_ref(), u.as_ref(), *desired), *want, "{surge:?} {unavailable:?} {desired}");
        }
    }

    // TestNewRSNewReplicas and the reconcileNewReplicaSet table.
    #[test]
    fn new_replica_set_growth() {
        // (replicas, surge, total of all sets, new set's size) -> new size
        let cases = [
            ((1, 1, 5 + 5, 5), 5),
            ((6, 10, 5 + 2, 2), 6),
            ((10, 0, 10, 0), 0),
            ((10, 2, 10, 0), 2),
            ((10, 2, 5, 0), 7),
            ((10, 2, 12, 2), 2),
        ];
        for ((replicas, surge, total, new), want) in cases {
            assert_eq!(new_target(replicas, surge, total, new), want, "{replicas} {surge} {total} {new}");
        }
    }

    // The reconcileOldReplicaSets and cleanupUnhealthyReplicas tables.
    #[test]
    fn old_replica_set_scale_down() {
        // (replicas, resolved maxUnavailable, (new spec, new available), old (spec, available)) -> old size.
        // The first row's 0% surge and 0% unavailable resolve to one unavailable.
        let cases = [
            ((10, 1, (0, 0), (10, 10)), 9),
            ((10, 2, (0, 0), (10, 10)), 8),
            ((10, 2, (0, 0), (10, 8)), 8),
            ((10, 2, (0, 0), (10, 9)), 8),
            ((10, 2, (2, 0), (8, 8)), 8),
        ];
        for ((replicas, unavailable, new, old), want) in cases {
            assert_eq!(
                old_targets(replicas, unavailable, new, &[old]),
                vec![want],
                "{replicas} {unavailable} {new:?} {old:?}"
            );
        }
    }

    // TestScale: proportional scaling mid-rollout, sets given newest first.
    #[test]
    fn proportional_scaling_table() {
        // (old replicas, new replicas, surge, [(size, age rank, max annotation)]) -> sizes
        type Case = (i32, i32, i32, &'static [i32], &'static [i32]);
        let cases: &[Case] = &[
            (5, 10, 0, &[2, 3], &[4, 6]),
            (5, 3, 0, &[2, 3], &[1, 2]),
            (9, 4, 0, &[8, 1], &[4, 0]),
            (7, 10, 0, &[2, 3, 2], &[3, 4, 3]),
            (13, 8, 0, &[2, 8, 3], &[1, 5, 2]),
            (3, 4, 0, &[1, 1, 1], &[2, 1, 1]),
            (3, 2, 0, &[1, 1, 1], &[1, 1, 0]),
            (4, 5, 0, &[2, 2], &[3, 2]),
            (6, 0, 0, &[3, 2, 1], &[0, 0, 0]),
            (10, 20, 2, &[6, 6], &[11, 11]),
        ];
        for (from, to, surge, sizes, want) in cases {
            // Newest first: give the first set the latest creation time.
            let sets: Vec<(i32, Time, Option<i32>)> =
                sizes.iter().enumerate().map(|(i, s)| (*s, Time(1_000 - i as i64), Some(from + surge))).collect();
            let allowed = if *to > 0 { to + surge } else { 0 };
            let to_add = allowed - sizes.iter().sum::<i32>();
            assert_eq!(proportions(&sets, *to, *surge, *from, to_add), *want, "{from}->{to} {sizes:?}");
        }
        // surge 3 -> 6 while scaling 10 -> 50: the max annotation is the old 13.
        let sets = [(5, Time(2), Some(13)), (8, Time(1), Some(13))];
        assert_eq!(proportions(&sets, 50, 6, 13, 56 - 13), vec![22, 34]);
    }
}
