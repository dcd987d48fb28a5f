//! The external provisioners, which in a real cluster run as their own
//! Deployments (local-path-provisioner, CSI controllers): each takes the
//! claims the PersistentVolume controller has annotated with its name, makes
//! a volume `pvc-<claim uid>` pre-bound to the claim (on the scheduler's
//! node for `WaitForFirstConsumer`), and deletes the volumes it made once
//! their claim is gone and their policy is Delete.
//!
//! `rancher.io/local-path` behaves as local-path-provisioner does (a
//! hostPath directory on one node, ReadWriteOnce only); any other name gets
//! a CSI volume, so a class a learner invents still provisions.

use super::storage::{
    annotation, claim_class, claim_reference, delay_binding, storage_class, NO_PROVISIONER, PROVISIONED_BY,
    SELECTED_NODE, STORAGE_PROVISIONER,
};
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, HostPathVolumeSource, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec, VolumeNodeAffinity,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// local-path-provisioner's name.
pub(crate) const LOCAL_PATH: &str = "rancher.io/local-path";
/// Where local-path-provisioner keeps its volumes on each node.
const LOCAL_PATH_ROOT: &str = "/opt/local-path-provisioner";
/// minikube's hostPath provisioner, which tutorials use.
const MINIKUBE_HOSTPATH: &str = "k8s.io/minikube-hostpath";

#[derive(Debug, Default)]
pub struct Provisioner;

impl Controller for Provisioner {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        if change.change == ChangeType::Deleted {
            return;
        }
        match &*change.object {
            Object::PersistentVolumeClaim(pvc) if annotation(&pvc.metadata, STORAGE_PROVISIONER).is_some() => {
                queue.push(key_of(&change.object));
            }
            Object::PersistentVolume(pv) if annotation(&pv.metadata, PROVISIONED_BY).is_some() => {
                queue.push(key_of(&change.object));
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        match key.0 {
            Kind::PersistentVolumeClaim => provision(&key.1, &key.2, ctx),
            Kind::PersistentVolume => delete_released(&key.2, ctx),
            _ => {}
        }
        Action::AwaitChange
    }
}

fn provision(ns: &str, name: &str, ctx: &mut Ctx) {
    let Some(Object::PersistentVolumeClaim(claim)) =
        ctx.api.store().get(Kind::PersistentVolumeClaim, ns, name).map(|o| &**o)
    else {
        return;
    };
    let claim = claim.clone();
    let unbound = claim.spec.as_ref().and_then(|s| s.volume_name.as_deref()).unwrap_or_default().is_empty();
    let Some(provisioner) = annotation(&claim.metadata, STORAGE_PROVISIONER).map(String::from) else { return };
    if !unbound || claim.metadata.deletion_timestamp.is_some() || provisioner == NO_PROVISIONER {
        return;
    }
    let class_name = claim_class(&claim);
    let Some(class) = storage_class(ctx.api.store(), &class_name).filter(|c| c.provisioner == provisioner) else {
        return;
    };
    let node = annotation(&claim.metadata, SELECTED_NODE).map(String::from);
    if node.is_none() && delay_binding(ctx.api.store(), &claim) {
        return;
    }
    let uid = claim.metadata.uid.clone().unwrap_or_default();
    let volume_name = format!("pvc-{uid}");
    if ctx.api.store().get(Kind::PersistentVolume, "", &volume_name).is_some() {
        return;
    }
    let identity = identity(ctx.api.store(), &provisioner);
    let source = Source { component: &identity, host: None };
    let about = Object::PersistentVolumeClaim(claim.clone());
    let message = format!("External provisioner is provisioning volume for claim \"{ns}/{name}\"");
    ctx.events.record(ctx.api, ctx.now, &about, source, "Normal", "Provisioning", &message);
    match volume_for(&claim, &class, &volume_name, node.as_deref()) {
        Ok(volume) => {
            if ctx.api.create(Object::PersistentVolume(Box::new(volume)), ctx.now, false).is_ok() {
                let message = format!("Successfully provisioned volume {volume_name}");
                ctx.events.record(ctx.api, ctx.now, &about, source, "Normal", "ProvisioningSucceeded", &message);
            }
        }
        Err(message) => {
            ctx.events.record(ctx.api, ctx.now, &about, source, "Warning", "ProvisioningFailed", &message);
        }
    }
}

/// The volume the provisioner makes for the claim, or why it cannot.
fn volume_for(
    claim: &PersistentVolumeClaim,
    class: &StorageClass,
    name: &str,
    node: Option<&str>,
) -> Result<PersistentVolume, String> {
    let spec = claim.spec.clone().unwrap_or_default();
    let class_name = class.metadata.name.clone().unwrap_or_default();
    let ns = claim.metadata.namespace.clone().unwrap_or_default();
    let claim_name = claim.metadata.name.clone().unwrap_or_default();
    let modes = spec.access_modes.clone().unwrap_or_default();
    let volume_mode = spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into());
    let mut volume = PersistentVolumeSpec {
        access_modes: spec.access_modes.clone(),
        capacity: spec
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("storage"))
            .map(|q: &Quantity| [("storage".to_string(), q.clone())].into_iter().collect()),
        claim_ref: Some(claim_reference(claim)),
        persistent_volume_reclaim_policy: Some(class.reclaim_policy.clone().unwrap_or_else(|| "Delete".into())),
        storage_class_name: Some(class_name.clone()),
        volume_mode: Some(volume_mode.clone()),
        mount_options: class.mount_options.clone(),
        ..Default::default()
    };
    match class.provisioner.as_str() {
        LOCAL_PATH => {
            if volume_mode == "Block" {
                return Err(format!("{LOCAL_PATH} does not support block volume provisioning"));
            }
            if modes.iter().any(|m| m != "ReadWriteOnce" && m != "ReadWriteOncePod") {
                return Err(format!("failed to provision volume with StorageClass {class_name:?}: NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes"));
            }
            let Some(node) = node else {
                return Err(format!(
                    "failed to provision volume with StorageClass {class_name:?}: configuration error, no node was specified"
                ));
            };
            volume.host_path = Some(HostPathVolumeSource {
                path: format!("{LOCAL_PATH_ROOT}/{name}_{ns}_{claim_name}"),
                type_: Some("DirectoryOrCreate".into()),
            });
            volume.node_affinity = Some(on_node(node));
        }
        MINIKUBE_HOSTPATH => {
            volume.host_path = Some(HostPathVolumeSource {
                path: format!("/tmp/hostpath-provisioner/{ns}/{claim_name}"),
                type_: None,
            });
        }
        driver => {
            volume.csi = Some(CSIPersistentVolumeSource {
                driver: driver.to_string(),
                volume_handle: name.to_string(),
                fs_type: Some("ext4".into()),
                ..Default::default()
            });
            volume.node_affinity = node.map(on_node);
        }
    }
    Ok(PersistentVolume {
        metadata: ObjectMeta {
            name: Some(name.into()),
            annotations: Some([(PROVISIONED_BY.to_string(), class.provisioner.clone())].into_iter().collect()),
            ..Default::default()
        },
        spec: Some(volume),
        status: None,
    })
}

fn on_node(node: &str) -> VolumeNodeAffinity {
    VolumeNodeAffinity {
        required: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: "kubernetes.io/hostname".into(),
                    operator: "In".into(),
                    values: Some(vec![node.into()]),
                }]),
                match_fields: None,
            }],
        }),
    }
}

/// How a provisioner signs its Events: its name, its pod and its run's
/// identity, as sig-storage-lib-external-provisioner does; just its name
/// when the cluster shows no pod for it.
fn identity(store: &Store, provisioner: &str) -> String {
    if provisioner != LOCAL_PATH {
        return provisioner.to_string();
    }
    let selector = Selector::from_map(&[("app".to_string(), "local-path-provisioner".to_string())].into());
    let pod = store.select(Kind::Pod, Some("local-path-storage"), &selector).into_iter().next().cloned();
    match pod {
        Some(pod) => {
            let meta = pod.meta();
            format!("{provisioner}_{}_{}", pod.name(), meta.uid.as_deref().unwrap_or_default())
        }
        None => provisioner.to_string(),
    }
}

/// A volume the provisioner made whose claim is gone, with policy Delete:
/// the provisioner removes the storage, then the volume.
fn delete_released(name: &str, ctx: &mut Ctx) {
    let Some(Object::PersistentVolume(volume)) = ctx.api.store().get(Kind::PersistentVolume, "", name).map(|o| &**o)
    else {
        return;
    };
    let released = volume.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
    let delete = volume.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Delete");
    if released && delete && volume.metadata.deletion_timestamp.is_none() {
        let _ = ctx.api.delete(Kind::PersistentVolume, "", name, None, ctx.now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controllers::storage::set_annotation;
    use k8s_openapi::api::core::v1::{PersistentVolumeClaimSpec, VolumeResourceRequirements};

    fn claim(modes: &[&str], mode: Option<&str>) -> PersistentVolumeClaim {
        let mut c = PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some("data".into()),
                namespace: Some("default".into()),
                uid: Some("1234".into()),
                ..Default::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(modes.iter().map(|m| m.to_string()).collect()),
                volume_mode: mode.map(String::from),
                resources: Some(VolumeResourceRequirements {
                    requests: Some([("storage".to_string(), Quantity("1Gi".into()))].into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: None,
        };
        set_annotation(&mut c.metadata, STORAGE_PROVISIONER, LOCAL_PATH);
        c
    }

    fn class(provisioner: &str) -> StorageClass {
        StorageClass {
            metadata: ObjectMeta { name: Some("local-path".into()), ..Default::default() },
            provisioner: provisioner.into(),
            reclaim_policy: Some("Delete".into()),
            ..Default::default()
        }
    }

    #[test]
    fn local_path_makes_a_directory_on_the_chosen_node() {
        let made = volume_for(&claim(&["ReadWriteOnce"], None), &class(LOCAL_PATH), "pvc-1234", Some("w1-k8s"));
        let spec = made.ok().and_then(|v| v.spec).unwrap_or_default();
        assert_eq!(
            spec.host_path.map(|h| (h.path, h.type_)),
            Some(("/opt/local-path-provisioner/pvc-1234_default_data".into(), Some("DirectoryOrCreate".into())))
        );
        let node = spec.node_affinity.and_then(|a| a.required).map(|r| r.node_selector_terms[0].clone());
        let values = node.and_then(|t| t.match_expressions).and_then(|e| e[0].values.clone());
        assert_eq!(values, Some(vec!["w1-k8s".to_string()]));
        assert_eq!(spec.capacity.and_then(|c| c.get("storage").cloned()), Some(Quantity("1Gi".into())));
        assert_eq!(spec.claim_ref.and_then(|r| r.uid), Some("1234".into()));
    }

    #[test]
    fn local_path_refusals_read_like_local_path_provisioner() {
        let cases = [
            (claim(&["ReadWriteMany"], None), Some("w1-k8s"), "failed to provision volume with StorageClass \"local-path\": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes"),
            (claim(&["ReadWriteOnce"], Some("Block")), Some("w1-k8s"), "rancher.io/local-path does not support block volume provisioning"),
            (claim(&["ReadWriteOnce"], None), None, "failed to provision volume with StorageClass \"local-path\": configuration error, no node was specified"),
        ];
        for (claim, node, want) in cases {
            assert_eq!(volume_for(&claim, &class(LOCAL_PATH), "pvc-1234", node).err().as_deref(), Some(want));
        }
        let csi = volume_for(&claim(&["ReadWriteMany"], None), &class("ebs.csi.aws.com"), "pvc-1234", None);
        assert_eq!(csi.ok().and_then(|v| v.spec?.csi).map(|c| c.driver), Some("ebs.csi.aws.com".into()));
    }
}
