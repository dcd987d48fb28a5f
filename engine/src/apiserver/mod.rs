//! The API server: the only writer of the store. Every request, from kubectl
//! or from a controller, goes decode → default → validate → admit → store, so
//! a rejected request leaves the store exactly as it was.

mod admission;
mod allocator;
mod autoscaling;
mod endpoints;
mod eviction;
mod patch;
pub mod requests;

pub use patch::{apply as patch_value, three_way, PatchType};
mod defaults;
pub(crate) mod validation;

pub use admission::namespace_usage;

pub use defaults::image_tag;

use crate::api::{ApiError, Kind, Reason};
use crate::object::Object;
use crate::rng::Rng;
use crate::store::Store;
use crate::time::Time;
use std::sync::Arc;

/// The finalizer that holds an owner until its dependents are deleted.
pub const FOREGROUND: &str = "foregroundDeletion";
/// The finalizer that holds an owner until its dependents are let go.
pub const ORPHAN: &str = "orphan";

/// What happens to an object's dependents when it is deleted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Propagation {
    /// Delete the object now; the garbage collector deletes dependents after.
    Background,
    /// Delete dependents first, then the object.
    Foreground,
    /// Remove the dependents' ownerReferences, then delete the object.
    Orphan,
}

/// The API server and the store behind it.
#[derive(Clone, Debug)]
pub struct ApiServer {
    /// The objects. Readable by anyone; written only through the methods here.
    store: Store,
    rng: Rng,
    /// The write requests served, for the server's own metrics.
    requests: requests::Requests,
}

impl ApiServer {
    /// An empty API server whose generated names and uids come from `seed`.
    pub fn new(seed: u64) -> ApiServer {
        ApiServer { store: Store::default(), rng: Rng::new(seed ^ 0x5eed_a915), requests: Default::default() }
    }

    /// Read access to the store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The write requests served so far.
    pub fn requests(&self) -> &requests::Requests {
        &self.requests
    }

    /// Fetches one object.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Result<Arc<Object>, ApiError> {
        self.store
            .get(kind, namespace, name)
            .cloned()
            .ok_or_else(|| ApiError::not_found(&crate::api::info(kind).qualified_plural(), name))
    }

    /// Creates an object: fills generated fields and defaults, validates and
    /// admits it. With `dry_run` nothing is stored and the would-be object is
    /// returned.
    pub fn create(&mut self, object: Object, now: Time, dry_run: bool) -> Result<Arc<Object>, ApiError> {
        let kind = object.info().kind;
        let outcome = self.create_unrecorded(object, now, dry_run);
        self.requests.record("POST", kind, &outcome);
        outcome
    }

    fn create_unrecorded(&mut self, mut object: Object, now: Time, dry_run: bool) -> Result<Arc<Object>, ApiError> {
        let info = object.info();
        if info.namespaced && object.namespace().is_empty() {
            object.meta_mut().namespace = Some("default".into());
        }
        if !info.namespaced {
            object.meta_mut().namespace = None;
        }
        let meta = object.meta_mut();
        if meta.name.as_deref().unwrap_or_default().is_empty() {
            if let Some(prefix) = meta.generate_name.clone() {
                meta.name = Some(format!("{prefix}{}", self.rng.suffix(5)));
            }
        }
        defaults::apply(&mut object);
        admission::default_limits(&self.store, &mut object);
        admission::default_storage_class(&self.store, &mut object);
        admission::storage_protection(&mut object);
        admission::set_priority(&self.store, &mut object)?;
        let causes = validation::validate(&object);
        if !causes.is_empty() {
            return Err(ApiError::invalid(info.kind_name, info.group, object.name(), causes));
        }
        if info.namespaced {
            let ns = object.namespace();
            match self.store.get(Kind::Namespace, "", ns) {
                None => return Err(ApiError::not_found("namespaces", ns)),
                Some(n) if n.meta().deletion_timestamp.is_some() => {
                    return Err(ApiError::new(
                        Reason::Forbidden,
                        format!(
                            "{} \"{}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
                            info.qualified_plural(),
                            object.name()
                        ),
                    ))
                }
                Some(_) => {}
            }
        }
        if self.store.get(info.kind, object.namespace(), object.name()).is_some() {
            return Err(ApiError::already_exists(&info.qualified_plural(), object.name()));
        }
        if let Object::Service(svc) = &mut object {
            let causes = allocator::allocate(&self.store, &mut self.rng, svc);
            if !causes.is_empty() {
                return Err(ApiError::invalid(info.kind_name, info.group, object.name(), causes));
            }
        }
        admission::check_limits(&self.store, &object)?;
        admission::check_quota(&self.store, &object)?;
        let meta = object.meta_mut();
        meta.uid = Some(self.rng.uuid());
        meta.creation_timestamp = Some(now.to_k8s());
        if tracks_generation(info.kind) {
            meta.generation = Some(1);
        }
        meta.resource_version = None;
        meta.deletion_timestamp = None;
        if let Object::Job(job) = &mut object {
            generate_job_selector(job);
        }
        if let Object::PersistentVolume(pv) = &mut object {
            // A new volume's status is the server's: Pending since now.
            pv.status = Some(k8s_openapi::api::core::v1::PersistentVolumeStatus {
                phase: Some("Pending".into()),
                last_phase_transition_time: Some(now.to_k8s()),
                ..Default::default()
            });
        }
        if let Object::Namespace(ns) = &mut object {
            // The namespace controller's finalizer: set once, at creation.
            ns.spec.get_or_insert_with(Default::default).finalizers.get_or_insert_with(|| vec!["kubernetes".into()]);
        }
        if dry_run {
            return Ok(Arc::new(object));
        }
        Ok(self.store.put(object, now))
    }

    /// Replaces an existing object after defaulting it and validating the
    /// change; identity and creation metadata are kept from the stored copy.
    pub fn update(&mut self, object: Object, now: Time) -> Result<Arc<Object>, ApiError> {
        self.update_checked(object, now, false)
    }

    /// An update that, with `dry_run`, is checked and defaulted like a real
    /// one and returned, but not stored (`--dry-run=server`).
    pub fn update_checked(&mut self, object: Object, now: Time, dry_run: bool) -> Result<Arc<Object>, ApiError> {
        let kind = object.info().kind;
        let outcome = self.update_unrecorded(object, now, dry_run);
        self.requests.record("PUT", kind, &outcome);
        outcome
    }

    fn update_unrecorded(&mut self, mut object: Object, now: Time, dry_run: bool) -> Result<Arc<Object>, ApiError> {
        let info = object.info();
        let current = self.get(info.kind, object.namespace(), object.name())?;
        if let Some(rv) = object.meta().resource_version.as_deref() {
            if Some(rv) != current.meta().resource_version.as_deref() {
                return Err(ApiError::new(
                    Reason::Conflict,
                    format!(
                        "Operation cannot be fulfilled on {} \"{}\": the object has been modified; please apply your changes to the latest version and try again",
                        info.qualified_plural(),
                        object.name()
                    ),
                ));
            }
        }
        if let (Object::Service(new), Object::Service(old)) = (&mut object, &*current) {
            carry_service_allocations(old, new);
            allocator::reallocate_node_ports(&self.store, &mut self.rng, old, new);
        }
        defaults::apply(&mut object);
        let causes = validation::validate_update(&current, &object);
        if !causes.is_empty() {
            return Err(ApiError::invalid(info.kind_name, info.group, object.name(), causes));
        }
        let generation = current.meta().generation.map(|g| {
            let spec_changed = match (&object, &*current) {
                // A slice has no spec: any change but to its metadata counts,
                // and so does a change of its labels.
                (Object::EndpointSlice(new), Object::EndpointSlice(old)) => {
                    let body = |o: &Object| {
                        let mut v = o.to_value();
                        if let Some(map) = v.as_object_mut() {
                            map.remove("metadata");
                        }
                        v
                    };
                    body(&object) != body(&current) || new.metadata.labels != old.metadata.labels
                }
                _ => object.to_value().get("spec") != current.to_value().get("spec"),
            };
            if spec_changed {
                g + 1
            } else {
                g
            }
        });
        let held = object.meta().finalizers.as_ref().is_some_and(|f| !f.is_empty())
            || matches!(&object, Object::Namespace(n) if n.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()));
        if current.meta().deletion_timestamp.is_some() && !held && current.as_pod().is_none() && !dry_run {
            // The last finalizer is gone: the deletion completes.
            let (kind, ns, name) = (info.kind, object.namespace().to_string(), object.name().to_string());
            return Ok(self.store.remove(kind, &ns, &name, now).unwrap_or(current));
        }
        let meta = object.meta_mut();
        meta.generation = generation;
        meta.uid = current.meta().uid.clone();
        meta.creation_timestamp = current.meta().creation_timestamp.clone();
        meta.deletion_timestamp = current.meta().deletion_timestamp.clone();
        meta.deletion_grace_period_seconds = current.meta().deletion_grace_period_seconds;
        if dry_run {
            return Ok(Arc::new(object));
        }
        Ok(self.store.put(object, now))
    }

    /// Deletes an object in the background (dependents are collected after).
    /// A pod on a node is deleted gracefully: it gets a deletionTimestamp and
    /// its kubelet removes it once its containers have stopped; `grace` 0
    /// removes it at once, as `--grace-period=0 --force` does.
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        now: Time,
    ) -> Result<Arc<Object>, ApiError> {
        self.delete_with(kind, namespace, name, grace, Propagation::Background, now)
    }

    /// Deletes with an explicit propagation policy: `Foreground` keeps the
    /// object (with the foregroundDeletion finalizer) until its dependents are
    /// gone; `Orphan` keeps it until they have been let go.
    pub fn delete_with(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        propagation: Propagation,
        now: Time,
    ) -> Result<Arc<Object>, ApiError> {
        let outcome = self.delete_unrecorded(kind, namespace, name, grace, propagation, now);
        self.requests.record("DELETE", kind, &outcome);
        outcome
    }

    fn delete_unrecorded(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        propagation: Propagation,
        now: Time,
    ) -> Result<Arc<Object>, ApiError> {
        let current = self.get(kind, namespace, name)?;
        let mut object = (*current).clone();
        let finalizer = match propagation {
            Propagation::Background => None,
            Propagation::Foreground => Some(FOREGROUND),
            Propagation::Orphan => Some(ORPHAN),
        };
        let meta = object.meta_mut();
        let finalizers = meta.finalizers.get_or_insert_with(Vec::new);
        if let Some(f) = finalizer {
            if !finalizers.iter().any(|x| x == f) {
                finalizers.push(f.into());
            }
        }
        let has_finalizers = !finalizers.is_empty();
        if !has_finalizers {
            meta.finalizers = None;
        }
        let graceful = current
            .as_pod()
            .and_then(|p| p.spec.as_ref())
            .filter(|s| s.node_name.is_some())
            .map(|s| grace.unwrap_or(s.termination_grace_period_seconds.unwrap_or(30)))
            .filter(|g| *g > 0);
        let namespace_finalizers = matches!(&object, Object::Namespace(n) if n.spec.as_ref().and_then(|s| s.finalizers.as_ref()).is_some_and(|f| !f.is_empty()));
        let already = current.meta().deletion_timestamp.is_some();
        match graceful {
            Some(seconds) => {
                if already && finalizer.is_none() {
                    return Ok(current);
                }
                let meta = object.meta_mut();
                if !already {
                    meta.deletion_timestamp = Some(now.plus(seconds.saturating_mul(1000)).to_k8s());
                    meta.deletion_grace_period_seconds = Some(seconds);
                }
                Ok(self.store.put(object, now))
            }
            None if has_finalizers || namespace_finalizers => {
                if already && object == *current {
                    return Ok(current);
                }
                let meta = object.meta_mut();
                if !already {
                    meta.deletion_timestamp = Some(now.to_k8s());
                    meta.deletion_grace_period_seconds = Some(0);
                }
                if let Object::Namespace(ns) = &mut object {
                    ns.status.get_or_insert_with(Default::default).phase = Some("Terminating".into());
                }
                Ok(self.store.put(object, now))
            }
            None => Ok(self.store.remove(kind, namespace, name, now).unwrap_or(current)),
        }
    }

    /// Patches an object: a strategic merge, JSON merge or JSON patch applied
    /// to its current state, then validated and stored like an update.
    pub fn patch(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        kind_of_patch: PatchType,
        patch: &serde_json::Value,
        now: Time,
    ) -> Result<Arc<Object>, ApiError> {
        let current = self.get(kind, namespace, name)?;
        let mut value = current.to_value();
        patch::apply(&mut value, patch, kind_of_patch).map_err(|e| ApiError::new(Reason::BadRequest, e))?;
        if let Some(meta) = value.get_mut("metadata").and_then(serde_json::Value::as_object_mut) {
            // The resourceVersion is the server's, not the patch's.
            meta.remove("resourceVersion");
        }
        let info = crate::api::info(kind);
        let object = Object::from_value(kind, value).map_err(|e| {
            ApiError::new(
                Reason::BadRequest,
                format!(
                    "{} in version \"{}\" cannot be handled as a {}: {e}",
                    info.kind_name, info.version, info.kind_name
                ),
            )
        })?;
        self.update(object, now)
    }

    /// Writes an object exactly as given, bypassing create-time generation:
    /// used to lay down a preset's pre-existing state and for status writes by
    /// the components, which own the fields they write.
    pub fn put_raw(&mut self, object: Object, now: Time) -> Arc<Object> {
        let kind = object.info().kind;
        self.requests.record::<()>("PUT", kind, &Ok(()));
        self.store.put(object, now)
    }

    /// Runs `f` with generated names and uids drawn from a side stream
    /// (`salt` picks it), so what `f` creates leaves every name generated
    /// afterwards as it would have been: a preset's addon can be added
    /// without renaming everything made after it.
    pub fn with_side_stream<T>(&mut self, salt: u64, f: impl FnOnce(&mut ApiServer) -> T) -> T {
        let side = self.rng.fork(salt);
        let main = std::mem::replace(&mut self.rng, side);
        let out = f(self);
        self.rng = main;
        out
    }

    /// A generated-name suffix.
    pub fn name_suffix(&mut self, len: usize) -> String {
        self.rng.suffix(len)
    }

    /// Drops change-log entries beyond `keep` that every reader up to
    /// `consumed` has seen.
    pub fn trim_log(&mut self, keep: usize, consumed: u64) {
        self.store.trim_log(keep, consumed);
    }
}

/// Kinds whose spec changes bump `metadata.generation`, so controllers can
/// report `observedGeneration`. HorizontalPodAutoscalers had no generation
/// until after 1.32.
fn tracks_generation(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Deployment
            | Kind::ReplicaSet
            | Kind::ReplicationController
            | Kind::StatefulSet
            | Kind::DaemonSet
            | Kind::Job
            | Kind::CronJob
            | Kind::PodDisruptionBudget
            | Kind::Ingress
            | Kind::NetworkPolicy
            | Kind::EndpointSlice
    )
}

/// A Job's selector and pod labels are derived from its uid, as the API
/// server's job strategy does unless `manualSelector` is set.
fn generate_job_selector(job: &mut k8s_openapi::api::batch::v1::Job) {
    let uid = job.metadata.uid.clone().unwrap_or_default();
    let name = job.metadata.name.clone().unwrap_or_default();
    let Some(spec) = job.spec.as_mut() else { return };
    if spec.manual_selector == Some(true) {
        return;
    }
    let selector = spec.selector.get_or_insert_with(Default::default);
    selector
        .match_labels
        .get_or_insert_with(Default::default)
        .insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
    let labels =
        spec.template.metadata.get_or_insert_with(Default::default).labels.get_or_insert_with(Default::default);
    labels.insert("batch.kubernetes.io/controller-uid".into(), uid.clone());
    labels.insert("batch.kubernetes.io/job-name".into(), name.clone());
    labels.insert("controller-uid".into(), uid);
    labels.insert("job-name".into(), name);
}

/// An update that leaves out the allocated cluster IP and node ports keeps
/// them, as the API server's service strategy does.
fn carry_service_allocations(old: &k8s_openapi::api::core::v1::Service, new: &mut k8s_openapi::api::core::v1::Service) {
    let (Some(old_spec), Some(new_spec)) = (old.spec.as_ref(), new.spec.as_mut()) else { return };
    if new_spec.cluster_ip.as_deref().unwrap_or_default().is_empty() {
        new_spec.cluster_ip = old_spec.cluster_ip.clone();
        new_spec.cluster_ips = old_spec.cluster_ips.clone();
    }
    for port in new_spec.ports.iter_mut().flatten() {
        if port.node_port.unwrap_or(0) == 0 {
            port.node_port = old_spec.ports.iter().flatten().find(|p| p.port == port.port).and_then(|p| p.node_port);
        }
    }
}
