//! PersistentVolume, PersistentVolumeClaim and StorageClass tables.

use super::Columns;
use crate::time::Time;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

/// `RWO,ROX,RWX,RWOP` in that fixed order, for the modes present.
pub fn access_modes(modes: &[String]) -> String {
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(mode, _)| modes.iter().any(|m| m == mode))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

pub const PERSISTENT_VOLUME: Columns = (
    &[
        "NAME",
        "CAPACITY",
        "ACCESS MODES",
        "RECLAIM POLICY",
        "STATUS",
        "CLAIM",
        "STORAGECLASS",
        "VOLUMEATTRIBUTESCLASS",
        "REASON",
        "AGE",
    ],
    &["VOLUMEMODE"],
);

pub fn persistent_volume(pv: &PersistentVolume, now: Time, wide: bool) -> Vec<String> {
    let spec = pv.spec.as_ref();
    let status = pv.status.as_ref();
    let claim = spec
        .and_then(|s| s.claim_ref.as_ref())
        .map(|c| format!("{}/{}", c.namespace.clone().unwrap_or_default(), c.name.clone().unwrap_or_default()))
        .unwrap_or_default();
    let phase = if pv.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.and_then(|s| s.phase.clone()).unwrap_or_default()
    };
    let mut cells = vec![
        pv.metadata.name.clone().unwrap_or_default(),
        spec.and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")).map(|q| q.0.clone()).unwrap_or_default(),
        access_modes(spec.and_then(|s| s.access_modes.as_deref()).unwrap_or_default()),
        spec.and_then(|s| s.persistent_volume_reclaim_policy.clone()).unwrap_or_default(),
        phase,
        claim,
        spec.and_then(|s| s.storage_class_name.clone()).unwrap_or_default(),
        spec.and_then(|s| s.volume_attributes_class_name.clone()).unwrap_or_else(|| "<unset>".into()),
        status.and_then(|s| s.reason.clone()).unwrap_or_default(),
        super::age(&pv.metadata, now),
    ];
    if wide {
        cells.push(spec.and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "<unset>".into()));
    }
    cells
}

pub const PERSISTENT_VOLUME_CLAIM: Columns = (
    &["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS", "VOLUMEATTRIBUTESCLASS", "AGE"],
    &["VOLUMEMODE"],
);

pub fn persistent_volume_claim(pvc: &PersistentVolumeClaim, now: Time, wide: bool) -> Vec<String> {
    let spec = pvc.spec.as_ref();
    let status = pvc.status.as_ref();
    let volume = spec.and_then(|s| s.volume_name.clone()).unwrap_or_default();
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            status
                .and_then(|s| s.capacity.as_ref())
                .and_then(|c| c.get("storage"))
                .map(|q| q.0.clone())
                .unwrap_or_default(),
            access_modes(status.and_then(|s| s.access_modes.as_deref()).unwrap_or_default()),
        )
    };
    let phase = if pvc.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status.and_then(|s| s.phase.clone()).unwrap_or_default()
    };
    let mut cells = vec![
        pvc.metadata.name.clone().unwrap_or_default(),
        phase,
        volume,
        capacity,
        modes,
        spec.and_then(|s| s.storage_class_name.clone()).unwrap_or_default(),
        spec.and_then(|s| s.volume_attributes_class_name.clone()).unwrap_or_else(|| "<unset>".into()),
        super::age(&pvc.metadata, now),
    ];
    if wide {
        cells.push(spec.and_then(|s| s.volume_mode.clone()).unwrap_or_else(|| "<unset>".into()));
    }
    cells
}

pub const STORAGE_CLASS: Columns =
    (&["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"], &[]);

/// Whether the default-class annotation marks it.
pub fn is_default_class(sc: &StorageClass) -> bool {
    let annotations = sc.metadata.annotations.as_ref();
    ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
        .iter()
        .any(|k| annotations.and_then(|a| a.get(*k)).is_some_and(|v| v == "true"))
}

pub fn storage_class(sc: &StorageClass, now: Time) -> Vec<String> {
    let mut name = sc.metadata.name.clone().unwrap_or_default();
    if is_default_class(sc) {
        name.push_str(" (default)");
    }
    vec![
        name,
        sc.provisioner.clone(),
        sc.reclaim_policy.clone().unwrap_or_else(|| "Delete".into()),
        sc.volume_binding_mode.clone().unwrap_or_else(|| "Immediate".into()),
        sc.allow_volume_expansion.unwrap_or(false).to_string(),
        super::age(&sc.metadata, now),
    ]
}
