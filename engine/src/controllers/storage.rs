//! What the binder, the provisioners and the scheduler agree on about
//! claims, volumes and classes: the annotations they pass each other, which
//! class each is of, whether a volume satisfies a claim, and which Available
//! volume suits a claim best.

use crate::api::Kind;
use crate::labels::Selector;
use crate::object::Object;
use crate::quantity;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Node, ObjectReference, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// Set on a claim once the controller has finished binding it.
pub(crate) const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";

/// Set on whichever side the controller (not the user) pointed at the other.
pub(crate) const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";

/// The scheduler's choice of node for a `WaitForFirstConsumer` claim.
pub(crate) const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";

/// Which provisioner is asked to make a claim's volume.
pub(crate) const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";

/// The same, under its beta name, which the controller still sets.
pub(crate) const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";

/// Set by a provisioner on the volumes it made.
pub(crate) const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";

/// The class, as claims and volumes named it before `storageClassName`.
pub(crate) const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// The class of volumes only an administrator makes.
pub(crate) const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";

/// The Available volume that suits the claim best (fewest access modes, then
/// least capacity, then name), among `candidates`; with `node`, only volumes
/// whose node affinity admits it (the scheduler's path).
pub(crate) fn best_available<'a>(
    candidates: impl Iterator<Item = &'a PersistentVolume>,
    claim: &PersistentVolumeClaim,
    node: Option<&Node>,
) -> Option<&'a PersistentVolume> {
    let selector = claim.spec.as_ref().and_then(|s| s.selector.as_ref()).map(Selector::from_api);
    let request = requested(claim);
    candidates
        .filter(|pv| pv.metadata.deletion_timestamp.is_none() && phase(pv) == "Available" && pv_claim_ref_free(pv))
        .filter(|pv| match &selector {
            None => true,
            Some(Ok(sel)) => sel.matches(pv.metadata.labels.as_ref()),
            Some(Err(_)) => false,
        })
        .filter(|pv| {
            volume_class(pv) == claim_class(claim) && same_volume_mode(pv, claim) && access_modes_fit(pv, claim)
        })
        .filter(|pv| node.is_none_or(|n| volume_fits_node(pv, n)))
        .filter(|pv| capacity(pv) >= request)
        .min_by(|a, b| {
            let modes =
                |pv: &PersistentVolume| pv.spec.as_ref().and_then(|s| s.access_modes.as_ref()).map_or(0, Vec::len);
            (modes(a), capacity(a), a.metadata.name.as_deref()).cmp(&(
                modes(b),
                capacity(b),
                b.metadata.name.as_deref(),
            ))
        })
}

/// A claimRef naming the claim as it is now.
pub(crate) fn claim_reference(claim: &PersistentVolumeClaim) -> ObjectReference {
    ObjectReference {
        api_version: Some("v1".into()),
        kind: Some("PersistentVolumeClaim".into()),
        namespace: claim.metadata.namespace.clone(),
        name: claim.metadata.name.clone(),
        uid: claim.metadata.uid.clone(),
        resource_version: claim.metadata.resource_version.clone(),
        field_path: None,
    }
}

/// The claim `ns/name`, if it exists.
pub(crate) fn claim(store: &Store, ns: &str, name: &str) -> Option<PersistentVolumeClaim> {
    match store.get(Kind::PersistentVolumeClaim, ns, name).map(|o| &**o) {
        Some(Object::PersistentVolumeClaim(pvc)) => Some(*pvc.clone()),
        _ => None,
    }
}

/// The StorageClass called `name`.
pub(crate) fn storage_class(store: &Store, name: &str) -> Option<StorageClass> {
    match store.get(Kind::StorageClass, "", name).map(|o| &**o) {
        Some(Object::StorageClass(sc)) => Some(*sc.clone()),
        _ => None,
    }
}

/// The cluster's default StorageClass: of several marked, the newest, as
/// the DefaultStorageClass admission plugin picks. Classes are few.
pub(crate) fn default_class(store: &Store) -> Option<String> {
    store
        .list(Kind::StorageClass, None)
        .filter_map(|o| match &**o {
            Object::StorageClass(sc) if crate::kubectl::printers::storage::is_default_class(sc) => Some(sc),
            _ => None,
        })
        .max_by(|a, b| {
            let at = |sc: &StorageClass| sc.metadata.creation_timestamp.as_ref().map(|t| t.0);
            at(a).cmp(&at(b))
        })
        .and_then(|sc| sc.metadata.name.clone())
}

/// Whether the claim's class waits for a pod's node before binding.
pub(crate) fn delay_binding(store: &Store, claim: &PersistentVolumeClaim) -> bool {
    let class = claim_class(claim);
    !class.is_empty()
        && storage_class(store, &class)
            .is_some_and(|sc| sc.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
}

/// The class a claim asks for ("" for none), the beta annotation first.
pub(crate) fn claim_class(claim: &PersistentVolumeClaim) -> String {
    annotation(&claim.metadata, BETA_CLASS)
        .map(String::from)
        .or_else(|| claim.spec.as_ref().and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default()
}

/// The class a volume belongs to ("" for none), the beta annotation first.
pub(crate) fn volume_class(volume: &PersistentVolume) -> String {
    annotation(&volume.metadata, BETA_CLASS)
        .map(String::from)
        .or_else(|| volume.spec.as_ref().and_then(|s| s.storage_class_name.clone()))
        .unwrap_or_default()
}

/// Whether the binding is finished on the claim's side.
pub(crate) fn is_bind_completed(claim: &PersistentVolumeClaim) -> bool {
    annotation(&claim.metadata, BIND_COMPLETED).is_some()
}

/// Whether the volume's claimRef names this claim (by uid, once it has one).
pub(crate) fn is_bound_to(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let Some(r) = volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else { return false };
    r.name == claim.metadata.name
        && r.namespace.as_deref().unwrap_or_default() == claim.metadata.namespace.as_deref().unwrap_or_default()
        && r.uid.as_deref().is_none_or(|u| u.is_empty() || Some(u) == claim.metadata.uid.as_deref())
}

/// Whether no claim is named in the volume's claimRef.
fn pv_claim_ref_free(volume: &PersistentVolume) -> bool {
    volume.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).is_none()
}

/// The namespace and name of the claim a volume's claimRef names.
pub(crate) fn claim_ref_key(volume: &PersistentVolume) -> Option<(String, String)> {
    let r = volume.spec.as_ref()?.claim_ref.as_ref()?;
    Some((r.namespace.clone().unwrap_or_default(), r.name.clone()?))
}

/// checkVolumeSatisfyClaim, with the reasons the VolumeMismatch Event gives.
pub(crate) fn satisfies(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> Result<(), String> {
    if volume.metadata.deletion_timestamp.is_some() {
        return Err(format!(
            "the volume is marked for deletion {:?}",
            volume.metadata.name.as_deref().unwrap_or_default()
        ));
    }
    if capacity(volume) < requested(claim) {
        return Err("requested PV is too small".into());
    }
    if volume_class(volume) != claim_class(claim) {
        return Err("storageClassName does not match".into());
    }
    if !same_volume_mode(volume, claim) {
        return Err("incompatible volumeMode".into());
    }
    if !access_modes_fit(volume, claim) {
        return Err("incompatible accessMode".into());
    }
    Ok(())
}

/// Whether both ask for the same volume mode (Filesystem by default).
fn same_volume_mode(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let pv = volume.spec.as_ref().and_then(|s| s.volume_mode.as_deref()).unwrap_or("Filesystem");
    let pvc = claim.spec.as_ref().and_then(|s| s.volume_mode.as_deref()).unwrap_or("Filesystem");
    pv == pvc
}

/// Whether the volume offers every access mode the claim asks for.
fn access_modes_fit(volume: &PersistentVolume, claim: &PersistentVolumeClaim) -> bool {
    let offered = volume.spec.as_ref().and_then(|s| s.access_modes.as_deref()).unwrap_or_default();
    claim.spec.as_ref().and_then(|s| s.access_modes.as_deref()).unwrap_or_default().iter().all(|m| offered.contains(m))
}

/// Whether the volume's node affinity admits the node.
pub(crate) fn volume_fits_node(volume: &PersistentVolume, node: &Node) -> bool {
    match volume.spec.as_ref().and_then(|s| s.node_affinity.as_ref()).and_then(|a| a.required.as_ref()) {
        Some(required) => crate::scheduler::selector_matches(required, node),
        None => true,
    }
}

/// The storage a claim requests, in thousandths of a byte.
fn requested(claim: &PersistentVolumeClaim) -> i128 {
    claim
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| quantity::parse_milli(&q.0))
        .unwrap_or(0)
}

/// The volume's storage, in thousandths of a byte.
fn capacity(volume: &PersistentVolume) -> i128 {
    volume
        .spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| quantity::parse_milli(&q.0))
        .unwrap_or(0)
}

/// A volume's phase ("" before the API server has given it one).
pub(crate) fn phase(volume: &PersistentVolume) -> &str {
    volume.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or_default()
}

/// What happens to a volume once its claim is gone (Retain by default).
pub(crate) fn reclaim_policy(volume: &PersistentVolume) -> &str {
    volume.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()).unwrap_or("Retain")
}

/// One annotation's value.
pub(crate) fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// Sets one annotation.
pub(crate) fn set_annotation(meta: &mut ObjectMeta, key: &str, value: &str) {
    meta.annotations.get_or_insert_with(Default::default).insert(key.into(), value.into());
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{
        PersistentVolumeClaimSpec, PersistentVolumeSpec, PersistentVolumeStatus, VolumeResourceRequirements,
    };
    use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn pv(name: &str, size: &str, modes: &[&str], class: &str) -> PersistentVolume {
        PersistentVolume {
            metadata: ObjectMeta { name: Some(name.into()), ..Default::default() },
            spec: Some(PersistentVolumeSpec {
                capacity: Some([("storage".to_string(), Quantity(size.into()))].into()),
                access_modes: Some(modes.iter().map(|m| m.to_string()).collect()),
                storage_class_name: (!class.is_empty()).then(|| class.to_string()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeStatus { phase: Some("Available".into()), ..Default::default() }),
        }
    }

    fn pvc(size: &str, modes: &[&str], class: Option<&str>) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some("data".into()), namespace: Some("default".into()), ..Default::default() },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(modes.iter().map(|m| m.to_string()).collect()),
                storage_class_name: class.map(String::from),
                resources: Some(VolumeResourceRequirements {
                    requests: Some([("storage".to_string(), Quantity(size.into()))].into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: None,
        }
    }

    #[test]
    fn best_match_is_the_smallest_that_fits() {
        let rwo = &["ReadWriteOnce"];
        let volumes = [
            pv("big", "10Gi", rwo, ""),
            pv("small", "1Gi", rwo, ""),
            pv("tiny", "500Mi", rwo, ""),
            pv("wide", "1Gi", &["ReadWriteOnce", "ReadWriteMany"], ""),
            pv("classy", "1Gi", rwo, "fast"),
        ];
        let cases: &[(&str, PersistentVolumeClaim, Option<&str>)] = &[
            ("smallest that holds the request", pvc("1Gi", rwo, Some("")), Some("small")),
            ("no class and empty class are alike", pvc("1Gi", rwo, None), Some("small")),
            ("more than any has", pvc("20Gi", rwo, Some("")), None),
            ("access modes must all be offered", pvc("1Gi", &["ReadWriteMany"], Some("")), Some("wide")),
            ("only its own class", pvc("1Gi", rwo, Some("fast")), Some("classy")),
            ("a class nobody has", pvc("1Gi", rwo, Some("slow")), None),
        ];
        for (name, claim, want) in cases {
            let got = best_available(volumes.iter(), claim, None).and_then(|pv| pv.metadata.name.as_deref());
            assert_eq!(got, *want, "{name}");
        }
    }

    #[test]
    fn taken_or_unready_volumes_are_skipped() {
        let rwo = &["ReadWriteOnce"];
        let mut released = pv("released", "1Gi", rwo, "");
        released.status = Some(PersistentVolumeStatus { phase: Some("Released".into()), ..Default::default() });
        let mut labelled = pv("labelled", "2Gi", rwo, "");
        labelled.metadata.labels = Some([("tier".to_string(), "db".to_string())].into());
        let volumes = [released, labelled, pv("plain", "1Gi", rwo, "")];
        let mut claim = pvc("1Gi", rwo, Some(""));
        assert_eq!(
            best_available(volumes.iter(), &claim, None).and_then(|p| p.metadata.name.as_deref()),
            Some("plain")
        );
        if let Some(spec) = claim.spec.as_mut() {
            spec.selector = Some(Selector::parse("tier=db").map(|s| s.to_api()).unwrap_or_default());
        }
        assert_eq!(
            best_available(volumes.iter(), &claim, None).and_then(|p| p.metadata.name.as_deref()),
            Some("labelled")
        );
    }

    #[test]
    fn mismatch_reasons_read_like_the_controller() {
        let rwo = &["ReadWriteOnce"];
        let cases = [
            ("too small", pv("v", "1Gi", rwo, ""), pvc("2Gi", rwo, None), Err("requested PV is too small")),
            ("class", pv("v", "1Gi", rwo, "fast"), pvc("1Gi", rwo, None), Err("storageClassName does not match")),
            ("modes", pv("v", "1Gi", rwo, ""), pvc("1Gi", &["ReadWriteMany"], None), Err("incompatible accessMode")),
            ("fits", pv("v", "1Gi", rwo, ""), pvc("1Gi", rwo, None), Ok(())),
        ];
        for (name, volume, claim, want) in cases {
            assert_eq!(satisfies(&volume, &claim), want.map_err(String::from), "{name}");
        }
    }
}
