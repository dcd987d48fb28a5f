//! The PersistentVolume controller (kube-controller-manager's binder): binds
//! each pending claim to the smallest Available volume that satisfies it,
//! hands claims it cannot satisfy to their class's external provisioner (at
//! once, or once the scheduler has picked a node for `WaitForFirstConsumer`),
//! keeps both sides' phases current, and reclaims a volume whose claim is
//! gone (Retain: Released; Delete: its deleter removes it).
//!
//! Like the real controller it works from an informer cache: volumes by
//! class, claims waiting by class and volumes pre-bound to a claim, so a claim
//! looks only at its own class and a freed volume wakes only the claims that
//! could use it. Pending claims are looked at again every 15 seconds (the
//! controller's resync), which is what repeats their Events.

use super::storage::{
    annotation, best_available, claim, claim_class, claim_ref_key, claim_reference, default_class, delay_binding,
    is_bind_completed, is_bound_to, phase, reclaim_policy, satisfies, set_annotation, storage_class, volume_class,
    BETA_CLASS, BETA_STORAGE_PROVISIONER, BIND_COMPLETED, BOUND_BY_CONTROLLER, PROVISIONED_BY, SELECTED_NODE,
    STORAGE_PROVISIONER,
};
use super::{key_of, Action, Controller, Ctx, Index, Informer, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use crate::time::{Millis, SECOND};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimStatus};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

const SOURCE: Source = Source { component: "persistentvolume-controller", host: None };
/// `--pvclaimbinder-sync-period`.
const RESYNC: Millis = 15 * SECOND;

/// The informer's view of volumes and claims, indexed as the binder asks.
#[derive(Debug, Default)]
struct Cache {
    /// Volume names by storage class ("" for none).
    volumes: HashMap<String, BTreeSet<String>>,
    volume_class: HashMap<String, String>,
    /// Volumes whose claimRef names a claim, by that claim.
    prebound: HashMap<(String, String), BTreeSet<String>>,
    volume_claim: HashMap<String, (String, String)>,
    /// Claims not yet bound, by the class they ask for.
    pending: HashMap<String, BTreeSet<(String, String)>>,
    pending_class: HashMap<(String, String), String>,
}

impl Index for Cache {
    const KINDS: &'static [Kind] = &[Kind::PersistentVolume, Kind::PersistentVolumeClaim];

    fn apply(&mut self, object: &Object, deleted: bool) {
        match object {
            Object::PersistentVolume(pv) => {
                let name = object.name().to_string();
                if let Some(class) = self.volume_class.remove(&name) {
                    remove_from(&mut self.volumes, &class, &name);
                }
                if let Some(claim) = self.volume_claim.remove(&name) {
                    remove_from(&mut self.prebound, &claim, &name);
                }
                if deleted {
                    return;
                }
                let class = volume_class(pv);
                self.volumes.entry(class.clone()).or_default().insert(name.clone());
                self.volume_class.insert(name.clone(), class);
                if let Some(claim) = claim_ref_key(pv) {
                    self.prebound.entry(claim.clone()).or_default().insert(name.clone());
                    self.volume_claim.insert(name, claim);
                }
            }
            Object::PersistentVolumeClaim(pvc) => {
                let key = (object.namespace().to_string(), object.name().to_string());
                if let Some(class) = self.pending_class.remove(&key) {
                    remove_from(&mut self.pending, &class, &key);
                }
                if deleted || is_bind_completed(pvc) {
                    return;
                }
                let class = claim_class(pvc);
                self.pending.entry(class.clone()).or_default().insert(key.clone());
                self.pending_class.insert(key, class);
            }
            _ => {}
        }
    }
}

fn remove_from<K: std::hash::Hash + Eq, V: Ord>(map: &mut HashMap<K, BTreeSet<V>>, key: &K, value: &V) {
    if let Some(set) = map.get_mut(key) {
        set.remove(value);
        if set.is_empty() {
            map.remove(key);
        }
    }
}

/// The binder, with its informer cache.
#[derive(Debug, Default)]
pub struct PersistentVolumeController {
    informer: Informer<Cache>,
}

impl Controller for PersistentVolumeController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::PersistentVolumeClaim(pvc) => {
                queue.push(key_of(&change.object));
                let volume = pvc.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
                if let (ChangeType::Deleted, Some(volume)) = (change.change, volume) {
                    queue.push((Kind::PersistentVolume, String::new(), volume));
                }
            }
            Object::PersistentVolume(pv) => {
                queue.push(key_of(&change.object));
                match claim_ref_key(pv) {
                    // A provisioned or pre-bound volume: its claim completes the binding.
                    Some((ns, name)) => queue.push((Kind::PersistentVolumeClaim, ns, name)),
                    // A free volume may be what waiting claims of its class need.
                    None if change.change != ChangeType::Deleted => {
                        let waiting = self.informer.last().and_then(|c| c.pending.get(&volume_class(pv)));
                        queue.extend(
                            waiting
                                .into_iter()
                                .flatten()
                                .map(|(ns, n)| (Kind::PersistentVolumeClaim, ns.clone(), n.clone())),
                        );
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        match key.0 {
            Kind::PersistentVolumeClaim => self.sync_claim(&key.1, &key.2, ctx),
            Kind::PersistentVolume => sync_volume(&key.2, ctx),
            _ => Action::AwaitChange,
        }
    }
}

impl PersistentVolumeController {
    fn sync_claim(&mut self, ns: &str, name: &str, ctx: &mut Ctx) -> Action {
        let Some(claim) = claim(ctx.api.store(), ns, name) else { return Action::AwaitChange };
        if is_bind_completed(&claim) {
            sync_bound_claim(claim, ctx);
            return Action::AwaitChange;
        }
        self.sync_unbound_claim(claim, ctx)
    }

    fn sync_unbound_claim(&mut self, claim: PersistentVolumeClaim, ctx: &mut Ctx) -> Action {
        let wanted = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).filter(|v| !v.is_empty());
        if let Some(volume_name) = wanted {
            return requested_volume(claim, &volume_name, ctx);
        }
        let delayed = delay_binding(ctx.api.store(), &claim);
        let store = ctx.api.store();
        let found = self.best_match(store, &claim, delayed);
        if let Some(volume) = found {
            bind(volume, claim, ctx);
            return Action::AwaitChange;
        }
        let Some(claim) = assign_default_class(claim, ctx) else { return Action::AwaitChange };
        let selected = annotation(&claim.metadata, SELECTED_NODE).is_some();
        let class = claim_class(&claim);
        if delayed && !selected {
            record(
                ctx,
                &claim,
                "Normal",
                "WaitForFirstConsumer",
                "waiting for first consumer to be created before binding",
            );
        } else if !class.is_empty() {
            provision(claim.clone(), &class, ctx);
        } else {
            record(
                ctx,
                &claim,
                "Normal",
                "FailedBinding",
                "no persistent volumes available for this claim and no storage class is set",
            );
        }
        set_claim_pending(&claim, ctx);
        Action::RequeueAfter(RESYNC)
    }

    /// findBestMatchForClaim: a volume already pointing at the claim, or the
    /// Available one with the fewest access modes and the least capacity
    /// that satisfies it. A delayed claim takes only the former: the
    /// scheduler picks its node first.
    fn best_match(&mut self, store: &Store, claim: &PersistentVolumeClaim, delayed: bool) -> Option<PersistentVolume> {
        let key =
            (claim.metadata.namespace.clone().unwrap_or_default(), claim.metadata.name.clone().unwrap_or_default());
        let cache = self.informer.read(store);
        let volumes = |names: Option<&BTreeSet<String>>| -> Vec<PersistentVolume> {
            names
                .into_iter()
                .flatten()
                .filter_map(|n| match store.get(Kind::PersistentVolume, "", n).map(|o| &**o) {
                    Some(Object::PersistentVolume(pv)) => Some((**pv).clone()),
                    _ => None,
                })
                .collect()
        };
        let prebound = volumes(cache.prebound.get(&key));
        if let Some(pv) =
            prebound.into_iter().find(|pv| pv.metadata.deletion_timestamp.is_none() && is_bound_to(pv, claim))
        {
            return Some(pv);
        }
        if delayed {
            return None;
        }
        best_available(volumes(cache.volumes.get(&claim_class(claim))).iter(), claim, None).cloned()
    }
}

/// A claim that names its volume (`spec.volumeName`).
fn requested_volume(claim: PersistentVolumeClaim, volume_name: &str, ctx: &mut Ctx) -> Action {
    let volume = match ctx.api.store().get(Kind::PersistentVolume, "", volume_name).map(|o| &**o) {
        Some(Object::PersistentVolume(pv)) => pv.clone(),
        _ => {
            // Not there yet: wait for it.
            set_claim_pending(&claim, ctx);
            return Action::RequeueAfter(RESYNC);
        }
    };
    let claimed = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_some();
    if !claimed {
        if let Err(reason) = satisfies(&volume, &claim) {
            let message = format!("Cannot bind to requested volume {volume_name:?}: {reason}");
            record(ctx, &claim, "Warning", "VolumeMismatch", &message);
            set_claim_pending(&claim, ctx);
            return Action::RequeueAfter(RESYNC);
        }
        bind(*volume, claim, ctx);
        return Action::AwaitChange;
    }
    if is_bound_to(&volume, &claim) {
        bind(*volume, claim, ctx);
        return Action::AwaitChange;
    }
    if annotation(&claim.metadata, BOUND_BY_CONTROLLER).is_none() {
        let message = format!("volume {volume_name:?} already bound to a different claim.");
        record(ctx, &claim, "Warning", "FailedBinding", &message);
    }
    set_claim_pending(&claim, ctx);
    Action::RequeueAfter(RESYNC)
}

/// A claim the controller has bound before: keep it so, or mark it Lost.
fn sync_bound_claim(claim: PersistentVolumeClaim, ctx: &mut Ctx) {
    let volume_name = claim.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
    if volume_name.is_empty() {
        lose(
            claim,
            "ClaimLost",
            "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!",
            ctx,
        );
        return;
    }
    let volume = match ctx.api.store().get(Kind::PersistentVolume, "", &volume_name).map(|o| &**o) {
        Some(Object::PersistentVolume(pv)) => pv.clone(),
        _ => {
            lose(claim, "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!", ctx);
            return;
        }
    };
    let claim_ref_uid =
        volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).map(|r| r.uid.clone().unwrap_or_default());
    match claim_ref_uid {
        None => bind(*volume, claim, ctx),
        Some(uid) if Some(&uid) == claim.metadata.uid.as_ref() => bind(*volume, claim, ctx),
        Some(_) => {
            lose(claim, "ClaimMisbound", "Two claims are bound to the same volume, this one is bound incorrectly", ctx)
        }
    }
}

fn lose(claim: PersistentVolumeClaim, reason: &str, message: &str, ctx: &mut Ctx) {
    if claim.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Lost") {
        return;
    }
    let mut updated = claim;
    let status = updated.status.get_or_insert_with(Default::default);
    status.phase = Some("Lost".into());
    let written = ctx.api.put_raw(Object::PersistentVolumeClaim(Box::new(updated)), ctx.now);
    ctx.events.record(ctx.api, ctx.now, &written, SOURCE, "Warning", reason, message);
}

/// Points the volume and the claim at each other and marks both Bound.
fn bind(mut volume: PersistentVolume, mut claim: PersistentVolumeClaim, ctx: &mut Ctx) {
    let now = ctx.now;
    let reference = claim_reference(&claim);
    let spec = volume.spec.get_or_insert_with(Default::default);
    let points_here = spec
        .claim_ref
        .as_ref()
        .is_some_and(|r| r.name == reference.name && r.namespace == reference.namespace && r.uid == reference.uid);
    if !points_here {
        if spec.claim_ref.is_none() {
            set_annotation(&mut volume.metadata, BOUND_BY_CONTROLLER, "yes");
        }
        let spec = volume.spec.get_or_insert_with(Default::default);
        spec.claim_ref = Some(reference);
        match ctx.api.update(Object::PersistentVolume(Box::new(volume)), now) {
            Ok(written) => match &*written {
                Object::PersistentVolume(pv) => volume = *pv.clone(),
                _ => return,
            },
            Err(_) => return,
        }
    }
    set_volume_phase(&volume, "Bound", ctx);

    let spec = claim.spec.get_or_insert_with(Default::default);
    let volume_name = volume.metadata.name.clone().unwrap_or_default();
    let mut changed = false;
    if spec.volume_name.as_deref() != Some(volume_name.as_str()) {
        spec.volume_name = Some(volume_name);
        set_annotation(&mut claim.metadata, BOUND_BY_CONTROLLER, "yes");
        changed = true;
    }
    if annotation(&claim.metadata, BIND_COMPLETED).is_none() {
        set_annotation(&mut claim.metadata, BIND_COMPLETED, "yes");
        changed = true;
    }
    if changed {
        match ctx.api.update(Object::PersistentVolumeClaim(Box::new(claim)), now) {
            Ok(written) => match &*written {
                Object::PersistentVolumeClaim(pvc) => claim = *pvc.clone(),
                _ => return,
            },
            Err(_) => return,
        }
    }
    let volume_spec = volume.spec.clone().unwrap_or_default();
    let status = PersistentVolumeClaimStatus {
        phase: Some("Bound".into()),
        access_modes: volume_spec.access_modes,
        capacity: volume_spec.capacity,
        ..claim.status.clone().unwrap_or_default()
    };
    if claim.status.as_ref() != Some(&status) {
        claim.status = Some(status);
        ctx.api.put_raw(Object::PersistentVolumeClaim(Box::new(claim)), now);
    }
}

/// The external provisioner is asked for a volume: the claim says which
/// one, and says it waits.
fn provision(claim: PersistentVolumeClaim, class_name: &str, ctx: &mut Ctx) {
    let Some(class) = storage_class(ctx.api.store(), class_name) else {
        let message = format!("storageclass.storage.k8s.io {class_name:?} not found");
        record(ctx, &claim, "Warning", "ProvisioningFailed", &message);
        return;
    };
    let provisioner = class.provisioner.clone();
    if provisioner.starts_with("kubernetes.io/") {
        // Only in-tree plugins answer to these names, and the playground's
        // controller manager has none that provisions.
        let message = format!("no volume plugin matched name: {provisioner}");
        record(ctx, &claim, "Warning", "ProvisioningFailed", &message);
        return;
    }
    let mut updated = claim.clone();
    let mut changed = false;
    for key in [BETA_STORAGE_PROVISIONER, STORAGE_PROVISIONER] {
        if annotation(&updated.metadata, key) != Some(provisioner.as_str()) {
            set_annotation(&mut updated.metadata, key, &provisioner);
            changed = true;
        }
    }
    let about = if changed {
        match ctx.api.update(Object::PersistentVolumeClaim(Box::new(updated)), ctx.now) {
            Ok(written) => written,
            Err(_) => return,
        }
    } else {
        Arc::new(Object::PersistentVolumeClaim(Box::new(claim)))
    };
    let message = format!(
        "Waiting for a volume to be created either by the external provisioner '{provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered."
    );
    ctx.events.record(ctx.api, ctx.now, &about, SOURCE, "Normal", "ExternalProvisioning", &message);
}

/// A claim that names no class takes the default one, should one have been
/// made since the claim was (the retroactive default StorageClass).
fn assign_default_class(claim: PersistentVolumeClaim, ctx: &mut Ctx) -> Option<PersistentVolumeClaim> {
    let unset = claim.spec.as_ref().is_some_and(|s| s.storage_class_name.is_none())
        && annotation(&claim.metadata, BETA_CLASS).is_none();
    if !unset {
        return Some(claim);
    }
    let Some(default) = default_class(ctx.api.store()) else { return Some(claim) };
    let mut updated = claim;
    updated.spec.get_or_insert_with(Default::default).storage_class_name = Some(default);
    // The update queues the claim again, which then goes on with its class.
    let _ = ctx.api.update(Object::PersistentVolumeClaim(Box::new(updated)), ctx.now);
    None
}

fn set_claim_pending(claim: &PersistentVolumeClaim, ctx: &mut Ctx) {
    let status = claim.status.clone().unwrap_or_default();
    if status.phase.as_deref() == Some("Pending") && status.access_modes.is_none() && status.capacity.is_none() {
        return;
    }
    let Some(current) = super::storage::claim(
        ctx.api.store(),
        claim.metadata.namespace.as_deref().unwrap_or_default(),
        claim.metadata.name.as_deref().unwrap_or_default(),
    ) else {
        return;
    };
    let mut updated = current;
    let status = updated.status.get_or_insert_with(Default::default);
    status.phase = Some("Pending".into());
    status.access_modes = None;
    status.capacity = None;
    ctx.api.put_raw(Object::PersistentVolumeClaim(Box::new(updated)), ctx.now);
}

/// syncVolume: a volume's phase follows its claim; one whose claim is gone
/// is released and reclaimed.
fn sync_volume(name: &str, ctx: &mut Ctx) -> Action {
    let volume = match ctx.api.store().get(Kind::PersistentVolume, "", name).map(|o| &**o) {
        Some(Object::PersistentVolume(pv)) => pv.clone(),
        _ => return Action::AwaitChange,
    };
    let Some(reference) = volume.spec.as_ref().and_then(|s| s.claim_ref.clone()) else {
        set_volume_phase(&volume, "Available", ctx);
        return Action::AwaitChange;
    };
    let ref_uid = reference.uid.clone().unwrap_or_default();
    if ref_uid.is_empty() {
        // Reserved for a claim that has not bound yet; the claim's sync binds.
        set_volume_phase(&volume, "Available", ctx);
        return Action::AwaitChange;
    }
    let ns = reference.namespace.clone().unwrap_or_default();
    let claim_name = reference.name.clone().unwrap_or_default();
    // A claim of the same name made again is another claim.
    let found =
        claim(ctx.api.store(), &ns, &claim_name).filter(|c| c.metadata.uid.as_deref() == Some(ref_uid.as_str()));
    let Some(found) = found else {
        let phase = phase(&volume);
        let volume = if phase != "Released" && phase != "Failed" {
            match set_volume_phase(&volume, "Released", ctx) {
                Some(v) => v,
                None => return Action::AwaitChange,
            }
        } else {
            *volume
        };
        reclaim(volume, ctx);
        return Action::AwaitChange;
    };
    let bound_to = found.spec.as_ref().and_then(|s| s.volume_name.clone()).unwrap_or_default();
    if bound_to.is_empty() {
        // The claim's sync finishes the binding.
        return Action::AwaitChange;
    }
    if bound_to == name {
        set_volume_phase(&volume, "Bound", ctx);
        return Action::AwaitChange;
    }
    // The claim went to another volume.
    let provisioned = annotation(&volume.metadata, PROVISIONED_BY).is_some();
    if provisioned && reclaim_policy(&volume) == "Delete" {
        let volume = match phase(&volume) {
            "Released" | "Failed" => volume,
            _ => Box::new(match set_volume_phase(&volume, "Released", ctx) {
                Some(v) => v,
                None => return Action::AwaitChange,
            }),
        };
        reclaim(*volume, ctx);
        return Action::AwaitChange;
    }
    unbind(*volume, ctx);
    Action::AwaitChange
}

/// Frees a volume the controller bound to a claim that went elsewhere; one
/// the user pre-bound keeps its claim's name but loses the uid.
fn unbind(mut volume: PersistentVolume, ctx: &mut Ctx) {
    let by_controller = annotation(&volume.metadata, BOUND_BY_CONTROLLER).is_some();
    let spec = volume.spec.get_or_insert_with(Default::default);
    if by_controller {
        spec.claim_ref = None;
        if let Some(a) = volume.metadata.annotations.as_mut() {
            a.remove(BOUND_BY_CONTROLLER);
        }
    } else if let Some(r) = spec.claim_ref.as_mut() {
        r.uid = None;
    }
    if let Ok(written) = ctx.api.update(Object::PersistentVolume(Box::new(volume)), ctx.now) {
        if let Object::PersistentVolume(pv) = &*written {
            set_volume_phase(&pv.clone(), "Available", ctx);
        }
    }
}

/// What a released volume's policy asks for. Provisioned volumes are their
/// provisioner's to delete; a plain hostPath volume can be deleted only
/// under /tmp, as the hostPath plugin's deleter allows.
fn reclaim(volume: PersistentVolume, ctx: &mut Ctx) {
    if reclaim_policy(&volume) != "Delete" || annotation(&volume.metadata, PROVISIONED_BY).is_some() {
        return;
    }
    if volume.metadata.deletion_timestamp.is_some() {
        return;
    }
    let name = volume.metadata.name.clone().unwrap_or_default();
    let failure = match volume.spec.as_ref().and_then(|s| s.host_path.as_ref()) {
        Some(host) if host.path.strip_prefix("/tmp/").is_some_and(|rest| !rest.is_empty()) => None,
        Some(host) => Some(format!("host_path deleter only supports /tmp/.+ but received provided {}", host.path)),
        None => {
            Some(format!("error getting deleter volume plugin for volume {name:?}: no deletable volume plugin matched"))
        }
    };
    match failure {
        None => {
            let _ = ctx.api.delete(Kind::PersistentVolume, "", &name, None, ctx.now);
        }
        Some(message) => {
            if phase(&volume) == "Failed" {
                return;
            }
            let mut failed = volume;
            let status = failed.status.get_or_insert_with(Default::default);
            status.phase = Some("Failed".into());
            status.message = Some(message.clone());
            status.last_phase_transition_time = Some(ctx.now.to_k8s());
            let written = ctx.api.put_raw(Object::PersistentVolume(Box::new(failed)), ctx.now);
            ctx.events.record(ctx.api, ctx.now, &written, SOURCE, "Warning", "VolumeFailedDelete", &message);
        }
    }
}

/// Writes the volume's phase if it differs; returns the volume as stored.
fn set_volume_phase(volume: &PersistentVolume, phase: &str, ctx: &mut Ctx) -> Option<PersistentVolume> {
    if super::storage::phase(volume) == phase {
        return Some(volume.clone());
    }
    let mut updated = volume.clone();
    let status = updated.status.get_or_insert_with(Default::default);
    status.phase = Some(phase.into());
    status.message = None;
    status.last_phase_transition_time = Some(ctx.now.to_k8s());
    match &*ctx.api.put_raw(Object::PersistentVolume(Box::new(updated)), ctx.now) {
        Object::PersistentVolume(pv) => Some(*pv.clone()),
        _ => None,
    }
}

fn record(ctx: &mut Ctx, claim: &PersistentVolumeClaim, type_: &str, reason: &str, message: &str) {
    let about = Object::PersistentVolumeClaim(Box::new(claim.clone()));
    ctx.events.record(ctx.api, ctx.now, &about, SOURCE, type_, reason, message);
}
