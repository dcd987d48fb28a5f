//! `describe` for PersistentVolumes and PersistentVolumeClaims: class,
//! status, claim or volume, capacity, access modes and node affinity, and
//! for a claim the pods using it.

use super::{annotations, labels, multiline};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::kubectl::printers::duration::human;
use crate::kubectl::printers::storage::access_modes;
use crate::time::Time;
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, VolumeNodeAffinity};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Go's `%v` of a string slice: `[a b]`.
fn go_list(items: &[String]) -> String {
    format!("[{}]", items.join(" "))
}

fn storage(map: Option<&BTreeMap<String, Quantity>>) -> String {
    map.and_then(|m| m.get("storage")).map(|q| q.0.clone()).unwrap_or_default()
}

/// `Status:` as describe shows it: the phase, or how long deletion has
/// been waiting on a finalizer.
fn status(w: &mut String, meta: &ObjectMeta, phase: Option<&str>, now: Time) {
    match &meta.deletion_timestamp {
        Some(t) => {
            let _ = writeln!(w, "Status:\tTerminating (lasts {})", human(now.since(Time::from_k8s(t)).max(0)));
        }
        None => {
            let _ = writeln!(w, "Status:\t{}", phase.unwrap_or_default());
        }
    }
}

/// The volume's required node affinity, term by term.
fn node_affinity(w: &mut String, affinity: Option<&VolumeNodeAffinity>) {
    let Some(required) = affinity.and_then(|a| a.required.as_ref()) else {
        let _ = writeln!(w, "Node Affinity:\t<none>");
        return;
    };
    let _ = writeln!(w, "Node Affinity:\t");
    if required.node_selector_terms.is_empty() {
        let _ = writeln!(w, "  Required Terms:\t<none>");
        return;
    }
    let _ = writeln!(w, "  Required Terms:\t");
    for (i, term) in required.node_selector_terms.iter().enumerate() {
        let expressions = term.match_expressions.as_deref().unwrap_or_default();
        if expressions.is_empty() {
            let _ = writeln!(w, "    Term {i}:\t<none>");
        }
        for (j, e) in expressions.iter().enumerate() {
            let mut text = format!("{} {}", e.key, e.operator.to_lowercase());
            if let Some(values) = e.values.as_ref().filter(|v| !v.is_empty()) {
                text.push_str(&format!(" [{}]", values.join(", ")));
            }
            let title = if j == 0 { format!("Term {i}:") } else { String::new() };
            let _ = writeln!(w, "    {title}\t{text}");
        }
    }
}

pub fn volume(w: &mut String, pv: &PersistentVolume, now: Time) {
    let spec = pv.spec.clone().unwrap_or_default();
    let meta = &pv.metadata;
    let _ = writeln!(w, "Name:\t{}", meta.name.as_deref().unwrap_or_default());
    labels(w, "Labels", meta.labels.as_ref());
    annotations(w, meta.annotations.as_ref());
    let _ = writeln!(w, "Finalizers:\t{}", go_list(meta.finalizers.as_deref().unwrap_or_default()));
    let _ = writeln!(w, "StorageClass:\t{}", spec.storage_class_name.as_deref().unwrap_or_default());
    status(w, meta, pv.status.as_ref().and_then(|s| s.phase.as_deref()), now);
    let claim = spec
        .claim_ref
        .as_ref()
        .map(|c| format!("{}/{}", c.namespace.as_deref().unwrap_or_default(), c.name.as_deref().unwrap_or_default()));
    let _ = writeln!(w, "Claim:\t{}", claim.unwrap_or_default());
    let _ = writeln!(w, "Reclaim Policy:\t{}", spec.persistent_volume_reclaim_policy.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Access Modes:\t{}", access_modes(spec.access_modes.as_deref().unwrap_or_default()));
    if let Some(mode) = &spec.volume_mode {
        let _ = writeln!(w, "VolumeMode:\t{mode}");
    }
    let _ = writeln!(w, "Capacity:\t{}", storage(spec.capacity.as_ref()));
    node_affinity(w, spec.node_affinity.as_ref());
    let _ = writeln!(w, "Message:\t{}", pv.status.as_ref().and_then(|s| s.message.as_deref()).unwrap_or_default());
    let _ = writeln!(w, "Source:");
    if let Some(host) = &spec.host_path {
        let _ = writeln!(w, "    Type:\tHostPath (bare host directory volume)");
        let _ = writeln!(w, "    Path:\t{}", host.path);
        let _ = writeln!(w, "    HostPathType:\t{}", host.type_.as_deref().unwrap_or_default());
    } else if let Some(nfs) = &spec.nfs {
        let _ = writeln!(w, "    Type:\tNFS (an NFS mount that lasts the lifetime of a pod)");
        let _ = writeln!(w, "    Server:\t{}", nfs.server);
        let _ = writeln!(w, "    Path:\t{}", nfs.path);
        let _ = writeln!(w, "    ReadOnly:\t{}", nfs.read_only.unwrap_or(false));
    } else if let Some(local) = &spec.local {
        let _ = writeln!(w, "    Type:\tLocalVolume (a persistent volume backed by local storage on a node)");
        let _ = writeln!(w, "    Path:\t{}", local.path);
    } else if let Some(csi) = &spec.csi {
        let _ = writeln!(w, "    Type:\tCSI (a Container Storage Interface (CSI) volume source)");
        let _ = writeln!(w, "    Driver:\t{}", csi.driver);
        let _ = writeln!(w, "    FSType:\t{}", csi.fs_type.as_deref().unwrap_or_default());
        let _ = writeln!(w, "    VolumeHandle:\t{}", csi.volume_handle);
        let _ = writeln!(w, "    ReadOnly:\t{}", csi.read_only.unwrap_or(false));
        let attributes: Vec<String> = csi.volume_attributes.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
        multiline(w, "    VolumeAttributes", attributes);
    } else {
        let _ = writeln!(w, "  <unknown>");
    }
}

pub fn claim(w: &mut String, cluster: &Cluster, pvc: &PersistentVolumeClaim) {
    let now = cluster.now();
    let spec = pvc.spec.clone().unwrap_or_default();
    let status = pvc.status.clone().unwrap_or_default();
    let meta = &pvc.metadata;
    let ns = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{name}");
    let _ = writeln!(w, "Namespace:\t{ns}");
    let class = spec
        .storage_class_name
        .clone()
        .or_else(|| meta.annotations.as_ref().and_then(|a| a.get("volume.beta.kubernetes.io/storage-class").cloned()));
    let _ = writeln!(w, "StorageClass:\t{}", class.unwrap_or_default());
    self::status(w, meta, status.phase.as_deref(), now);
    let volume = spec.volume_name.clone().unwrap_or_default();
    let _ = writeln!(w, "Volume:\t{volume}");
    labels(w, "Labels", meta.labels.as_ref());
    annotations(w, meta.annotations.as_ref());
    let _ = writeln!(w, "Finalizers:\t{}", go_list(meta.finalizers.as_deref().unwrap_or_default()));
    // Capacity and access modes are the bound volume's, so empty until bound.
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (storage(status.capacity.as_ref()), access_modes(status.access_modes.as_deref().unwrap_or_default()))
    };
    let _ = writeln!(w, "Capacity:\t{capacity}");
    let _ = writeln!(w, "Access Modes:\t{modes}");
    if let Some(mode) = &spec.volume_mode {
        let _ = writeln!(w, "VolumeMode:\t{mode}");
    }
    let users: Vec<String> = cluster
        .api()
        .store()
        .list(Kind::Pod, Some(&ns))
        .filter_map(|o| o.as_pod())
        .filter(|p| {
            p.spec
                .iter()
                .flat_map(|s| s.volumes.iter().flatten())
                .any(|v| v.persistent_volume_claim.as_ref().is_some_and(|c| c.claim_name == name))
        })
        .map(|p| p.metadata.name.clone().unwrap_or_default())
        .collect();
    multiline(w, "Used By", users);
}
