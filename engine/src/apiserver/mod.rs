//! The API server: the only writer of the store. Every request, from kubectl
//! or from a controller, goes decode → default → validate → admit → store, so
//! a rejected request leaves the store exactly as it was.

mod defaults;
mod validation;

pub use defaults::image_tag;

use crate::api::{ApiError, Kind, Reason};
use crate::object::Object;
use crate::rng::Rng;
use crate::store::Store;
use crate::time::Time;
use std::sync::Arc;

/// The API server and the store behind it.
#[derive(Clone, Debug)]
pub struct ApiServer {
    /// The objects. Readable by anyone; written only through the methods here.
    store: Store,
    rng: Rng,
}

impl ApiServer {
    /// An empty API server whose generated names and uids come from `seed`.
    pub fn new(seed: u64) -> ApiServer {
        ApiServer { store: Store::default(), rng: Rng::new(seed ^ 0x5eed_a915) }
    }

    /// Read access to the store.
    pub fn store(&self) -> &Store {
        &self.store
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
    pub fn create(&mut self, mut object: Object, now: Time, dry_run: bool) -> Result<Arc<Object>, ApiError> {
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
        let meta = object.meta_mut();
        meta.uid = Some(self.rng.uuid());
        meta.creation_timestamp = Some(now.to_k8s());
        if tracks_generation(info.kind) {
            meta.generation = Some(1);
        }
        meta.resource_version = None;
        meta.deletion_timestamp = None;
        if dry_run {
            return Ok(Arc::new(object));
        }
        Ok(self.store.put(object, now))
    }

    /// Replaces an existing object after defaulting it and validating the
    /// change; identity and creation metadata are kept from the stored copy.
    pub fn update(&mut self, mut object: Object, now: Time) -> Result<Arc<Object>, ApiError> {
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
        defaults::apply(&mut object);
        let causes = validation::validate_update(&current, &object);
        if !causes.is_empty() {
            return Err(ApiError::invalid(info.kind_name, info.group, object.name(), causes));
        }
        let generation = current.meta().generation.map(|g| {
            let spec_changed = object.to_value().get("spec") != current.to_value().get("spec");
            if spec_changed {
                g + 1
            } else {
                g
            }
        });
        let meta = object.meta_mut();
        meta.generation = generation;
        meta.uid = current.meta().uid.clone();
        meta.creation_timestamp = current.meta().creation_timestamp.clone();
        meta.deletion_timestamp = current.meta().deletion_timestamp.clone();
        meta.deletion_grace_period_seconds = current.meta().deletion_grace_period_seconds;
        Ok(self.store.put(object, now))
    }

    /// Deletes an object. A pod on a node is deleted gracefully: it gets a
    /// deletionTimestamp and its kubelet removes it once its containers have
    /// stopped; `grace` 0 removes it at once, as `--grace-period=0 --force` does.
    pub fn delete(
        &mut self,
        kind: Kind,
        namespace: &str,
        name: &str,
        grace: Option<i64>,
        now: Time,
    ) -> Result<Arc<Object>, ApiError> {
        let current = self.get(kind, namespace, name)?;
        let graceful = current
            .as_pod()
            .and_then(|p| p.spec.as_ref())
            .filter(|s| s.node_name.is_some())
            .map(|s| grace.unwrap_or(s.termination_grace_period_seconds.unwrap_or(30)))
            .filter(|g| *g > 0);
        match graceful {
            Some(seconds) => {
                if current.meta().deletion_timestamp.is_some() {
                    return Ok(current);
                }
                let mut object = (*current).clone();
                let meta = object.meta_mut();
                meta.deletion_timestamp = Some(now.plus(seconds * 1000).to_k8s());
                meta.deletion_grace_period_seconds = Some(seconds);
                Ok(self.store.put(object, now))
            }
            None => Ok(self.store.remove(kind, namespace, name, now).unwrap_or(current)),
        }
    }

    /// Writes an object exactly as given, bypassing create-time generation:
    /// used to lay down a preset's pre-existing state and for status writes by
    /// the components, which own the fields they write.
    pub fn put_raw(&mut self, object: Object, now: Time) -> Arc<Object> {
        self.store.put(object, now)
    }

    /// A generated-name suffix.
    pub fn name_suffix(&mut self, len: usize) -> String {
        self.rng.suffix(len)
    }

    /// Drops change-log entries beyond `keep`.
    pub fn trim_log(&mut self, keep: usize) {
        self.store.trim_log(keep);
    }
}

/// Kinds whose spec changes bump `metadata.generation`, so controllers can
/// report `observedGeneration`.
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
            | Kind::HorizontalPodAutoscaler
            | Kind::PodDisruptionBudget
            | Kind::Ingress
            | Kind::NetworkPolicy
    )
}
