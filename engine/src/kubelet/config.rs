//! What a container needs from the API before it can start: the ConfigMaps
//! and Secrets its environment and volumes name. A missing one holds the
//! container in `CreateContainerConfigError` (environment) or the pod in
//! `ContainerCreating` with `FailedMount` (volumes), as the kubelet does.

use crate::api::Kind;
use crate::object::Object;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Container, Pod};

/// Why the container's environment cannot be built, in the kubelet's words.
pub(super) fn environment_error(store: &Store, namespace: &str, container: &Container) -> Option<String> {
    let config_map = |name: &str| match store.get(Kind::ConfigMap, namespace, name).map(|o| &**o) {
        Some(Object::ConfigMap(cm)) => Some(
            cm.data
                .iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .chain(cm.binary_data.iter().flatten().map(|(k, _)| k.clone()))
                .collect::<Vec<_>>(),
        ),
        _ => None,
    };
    let secret = |name: &str| match store.get(Kind::Secret, namespace, name).map(|o| &**o) {
        Some(Object::Secret(s)) => Some(s.data.iter().flatten().map(|(k, _)| k.clone()).collect::<Vec<_>>()),
        _ => None,
    };
    for source in container.env_from.iter().flatten() {
        if let Some(r) = &source.config_map_ref {
            if config_map(&r.name).is_none() && r.optional != Some(true) {
                return Some(format!("configmap \"{}\" not found", r.name));
            }
        }
        if let Some(r) = &source.secret_ref {
            if secret(&r.name).is_none() && r.optional != Some(true) {
                return Some(format!("secret \"{}\" not found", r.name));
            }
        }
    }
    for var in container.env.iter().flatten() {
        let Some(from) = &var.value_from else { continue };
        let checks = [
            from.config_map_key_ref
                .as_ref()
                .map(|r| ("configmap", "ConfigMap", &r.name, &r.key, r.optional, config_map(&r.name))),
            from.secret_key_ref.as_ref().map(|r| ("secret", "Secret", &r.name, &r.key, r.optional, secret(&r.name))),
        ];
        for (lower, kind, name, key, optional, keys) in checks.into_iter().flatten() {
            if optional == Some(true) {
                continue;
            }
            match keys {
                None => return Some(format!("{lower} \"{name}\" not found")),
                Some(keys) if !keys.contains(key) => {
                    return Some(format!("couldn't find key {key} in {kind} {namespace}/{name}"));
                }
                Some(_) => {}
            }
        }
    }
    None
}

/// The first volume the kubelet cannot set up, with the reason, as the
/// `FailedMount` event words it.
pub(super) fn mount_error(store: &Store, pod: &Pod) -> Option<String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    for volume in pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()) {
        let missing = if let Some(cm) = &volume.config_map {
            (cm.optional != Some(true) && store.get(Kind::ConfigMap, namespace, &cm.name).is_none())
                .then(|| format!("configmap \"{}\" not found", cm.name))
        } else if let Some(s) = &volume.secret {
            let name = s.secret_name.clone().unwrap_or_default();
            (s.optional != Some(true) && store.get(Kind::Secret, namespace, &name).is_none())
                .then(|| format!("secret \"{name}\" not found"))
        } else if let Some(claim) = &volume.persistent_volume_claim {
            // The volume manager will not mount a claim that is not bound yet.
            let problem = match store.get(Kind::PersistentVolumeClaim, namespace, &claim.claim_name).map(|o| &**o) {
                None => Some(format!(
                    "failed to fetch PVC from API server: persistentvolumeclaims \"{}\" not found",
                    claim.claim_name
                )),
                Some(Object::PersistentVolumeClaim(pvc))
                    if pvc.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Bound") =>
                {
                    Some("PVC is not bound".to_string())
                }
                _ => None,
            };
            if let Some(problem) = problem {
                return Some(format!(
                    "Unable to attach or mount volumes: unmounted volumes=[{name}], unattached volumes=[], failed to process volumes=[{name}]: error processing PVC {namespace}/{claim}: {problem}",
                    name = volume.name,
                    claim = claim.claim_name
                ));
            }
            None
        } else {
            None
        };
        if let Some(reason) = missing {
            return Some(format!("MountVolume.SetUp failed for volume \"{}\" : {reason}", volume.name));
        }
    }
    None
}
