//! The pvc-protection and pv-protection controllers: the API server gives
//! every claim and volume a protection finalizer (StorageObjectInUseProtection),
//! and these take it off a deleted one only when nothing needs it any more —
//! a claim once no scheduled pod names it, a volume once it is
//! no longer Bound. Until then `kubectl get` shows it Terminating.
//!
//! Which pods mount which claim is kept as an index fed by the change log,
//! as the real controller's pod informer indexes pods by claim.

use super::{key_of, Action, Controller, Ctx, Index, Informer, Key};
use crate::api::Kind;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::api::core::v1::Pod;
use std::collections::{BTreeSet, HashMap};

/// On every claim, until no pod uses it.
pub(crate) const PVC_PROTECTION: &str = "kubernetes.io/pvc-protection";
/// On every volume, until it is no longer Bound.
pub(crate) const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

type ClaimKey = (String, String);

#[derive(Debug, Default)]
struct Users {
    /// Pods using each claim.
    by_claim: HashMap<ClaimKey, BTreeSet<String>>,
    /// The claims each pod was counted for, so an update can undo it.
    of_pod: HashMap<ClaimKey, Vec<String>>,
}

impl Index for Users {
    const KINDS: &'static [Kind] = &[Kind::Pod];

    fn apply(&mut self, object: &Object, deleted: bool) {
        let Some(pod) = object.as_pod() else { return };
        let ns = object.namespace().to_string();
        let key = (ns.clone(), object.name().to_string());
        for claim in self.of_pod.remove(&key).unwrap_or_default() {
            let claim_key = (ns.clone(), claim);
            if let Some(set) = self.by_claim.get_mut(&claim_key) {
                set.remove(&key.1);
                if set.is_empty() {
                    self.by_claim.remove(&claim_key);
                }
            }
        }
        if deleted || !uses_claims(pod) {
            return;
        }
        let claims = claims_of(pod);
        for claim in &claims {
            self.by_claim.entry((ns.clone(), claim.clone())).or_default().insert(key.1.clone());
        }
        if !claims.is_empty() {
            self.of_pod.insert(key, claims);
        }
    }
}

/// A pod holds its claims from the moment it is scheduled (the kubelet may
/// be mounting them) for as long as the pod object exists, finished or not.
fn uses_claims(pod: &Pod) -> bool {
    pod.spec.as_ref().is_some_and(|s| s.node_name.is_some())
}

/// The claims a pod's volumes name.
pub(crate) fn claims_of(pod: &Pod) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.persistent_volume_claim.as_ref().map(|c| c.claim_name.clone()))
        .collect()
}

#[derive(Debug, Default)]
pub struct VolumeProtection {
    users: Informer<Users>,
}

impl Controller for VolumeProtection {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let terminating = |o: &Object| o.meta().deletion_timestamp.is_some();
        match &*change.object {
            Object::PersistentVolumeClaim(_) | Object::PersistentVolume(_)
                if change.change != ChangeType::Deleted && terminating(&change.object) =>
            {
                queue.push(key_of(&change.object));
            }
            Object::Pod(pod) => {
                // A pod letting go may free a claim that waits to be deleted.
                let ns = change.object.namespace();
                for claim in claims_of(pod) {
                    if store.get(Kind::PersistentVolumeClaim, ns, &claim).is_some_and(|c| terminating(c)) {
                        queue.push((Kind::PersistentVolumeClaim, ns.to_string(), claim));
                    }
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(key.0, &key.1, &key.2) else { return Action::AwaitChange };
        if current.meta().deletion_timestamp.is_none() {
            return Action::AwaitChange;
        }
        let (finalizer, in_use) = match &*current {
            Object::PersistentVolumeClaim(_) => {
                let in_use = self.users.read(ctx.api.store()).by_claim.contains_key(&(key.1.clone(), key.2.clone()));
                (PVC_PROTECTION, in_use)
            }
            Object::PersistentVolume(pv) => {
                (PV_PROTECTION, pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Bound"))
            }
            _ => return Action::AwaitChange,
        };
        let held = current.meta().finalizers.iter().flatten().any(|f| f == finalizer);
        if held && !in_use {
            let mut updated = (*current).clone();
            if let Some(list) = updated.meta_mut().finalizers.as_mut() {
                list.retain(|f| f != finalizer);
            }
            let _ = ctx.api.update(updated, ctx.now);
        }
        Action::AwaitChange
    }
}
