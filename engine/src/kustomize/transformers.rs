//! The transformers of one kustomization, in kustomize's order: namespace,
//! name prefix and suffix, labels, annotations, replicas, images; and, once
//! the whole build is done, the content hashes of generated objects. When a
//! ConfigMap, Secret, Service, ServiceAccount or PVC is renamed, the pod
//! templates and Ingresses that name it follow.

use super::kustomization::Kustomization;
use super::{name_of, Resource};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

pub fn run(k: &Kustomization, resources: &mut [Resource]) {
    if let Some(ns) = k.namespace.as_deref().filter(|n| !n.is_empty()) {
        for r in resources.iter_mut().filter(|r| namespaced(&r.value)) {
            if let Some(meta) = r.value.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.insert("namespace".into(), json!(ns));
            }
        }
    }
    let (prefix, suffix) = (k.name_prefix.as_deref().unwrap_or_default(), k.name_suffix.as_deref().unwrap_or_default());
    if !prefix.is_empty() || !suffix.is_empty() {
        for i in 0..resources.len() {
            if resources[i].kind() == "CustomResourceDefinition" || resources[i].kind() == "Namespace" {
                continue;
            }
            let old = name_of(&resources[i].value).to_string();
            let new = format!("{prefix}{old}{suffix}");
            rename(resources, i, &new);
        }
    }
    if let Some(labels) = &k.common_labels {
        for r in resources.iter_mut() {
            add_labels(&mut r.value, labels, true, true);
        }
    }
    for label in k.labels.iter().flatten() {
        for r in resources.iter_mut() {
            add_labels(
                &mut r.value,
                &label.pairs,
                label.include_selectors,
                label.include_templates || label.include_selectors,
            );
        }
    }
    if let Some(annotations) = &k.common_annotations {
        for r in resources.iter_mut() {
            set_map(&mut r.value, "/metadata/annotations", annotations, true);
            for template in templates(&r.value) {
                set_map(&mut r.value, &format!("{template}/annotations"), annotations, true);
            }
        }
    }
    for replica in k.replicas.iter().flatten() {
        for r in resources.iter_mut() {
            let scalable = matches!(r.kind(), "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController");
            if scalable && (name_of(&r.value) == replica.name || r.original_name == replica.name) {
                if let Some(spec) = r.value.get_mut("spec").and_then(Value::as_object_mut) {
                    spec.insert("replicas".into(), json!(replica.count));
                }
            }
        }
    }
    for image in k.images.iter().flatten() {
        for r in resources.iter_mut() {
            for spec in pod_specs(&r.value) {
                for list in ["containers", "initContainers"] {
                    let Some(Value::Array(containers)) = r.value.pointer_mut(&format!("{spec}/{list}")) else {
                        continue;
                    };
                    for c in containers {
                        let Some(current) = c.get("image").and_then(Value::as_str) else { continue };
                        if let Some(updated) = retag(current, image) {
                            c["image"] = json!(updated);
                        }
                    }
                }
            }
        }
    }
}

/// The new image reference for `current` if `image` names it.
fn retag(current: &str, image: &super::kustomization::Image) -> Option<String> {
    let (without_digest, digest) = current.split_once('@').map_or((current, None), |(n, d)| (n, Some(d)));
    // A colon after the last slash starts the tag (a registry port does not).
    let slash = without_digest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match without_digest[slash..].rfind(':') {
        Some(i) => (&without_digest[..slash + i], Some(&without_digest[slash + i + 1..])),
        None => (without_digest, None),
    };
    if name != image.name {
        return None;
    }
    let mut out = image.new_name.clone().unwrap_or_else(|| name.to_string());
    match (&image.new_tag, &image.digest) {
        (_, Some(d)) => out.push_str(&format!("@{d}")),
        (Some(t), None) => out.push_str(&format!(":{t}")),
        (None, None) => {
            if let Some(t) = tag {
                out.push_str(&format!(":{t}"));
            }
            if let Some(d) = digest {
                out.push_str(&format!("@{d}"));
            }
        }
    }
    Some(out)
}

/// Whether the kind lives in a namespace (unknown kinds are assumed to).
fn namespaced(value: &Value) -> bool {
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default();
    match crate::api::for_manifest(api_version, kind) {
        Some((info, _)) => info.namespaced,
        None => !matches!(
            kind,
            "CustomResourceDefinition"
                | "ClusterRole"
                | "ClusterRoleBinding"
                | "MutatingWebhookConfiguration"
                | "ValidatingWebhookConfiguration"
                | "APIService"
                | "CSIDriver"
                | "RuntimeClass"
        ),
    }
}

/// Where an object keeps pod templates' metadata.
fn templates(value: &Value) -> Vec<&'static str> {
    match value.get("kind").and_then(Value::as_str).unwrap_or_default() {
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "ReplicationController" | "Job" => {
            vec!["/spec/template/metadata"]
        }
        "CronJob" => vec!["/spec/jobTemplate/metadata", "/spec/jobTemplate/spec/template/metadata"],
        _ => Vec::new(),
    }
}

/// Where an object keeps pod specs.
fn pod_specs(value: &Value) -> Vec<&'static str> {
    match value.get("kind").and_then(Value::as_str).unwrap_or_default() {
        "Pod" => vec!["/spec"],
        "CronJob" => vec!["/spec/jobTemplate/spec/template/spec"],
        _ if !templates(value).is_empty() => vec!["/spec/template/spec"],
        _ => Vec::new(),
    }
}

/// Merges `pairs` into the map at `pointer`; `create` makes it (and the
/// maps above it) when missing.
fn set_map(value: &mut Value, pointer: &str, pairs: &BTreeMap<String, String>, create: bool) {
    let mut current = value;
    for part in pointer.trim_start_matches('/').split('/') {
        let Some(map) = current.as_object_mut() else { return };
        if !map.contains_key(part) || map.get(part).is_some_and(Value::is_null) {
            if !create {
                return;
            }
            map.insert(part.to_string(), Value::Object(Map::new()));
        }
        let Some(next) = map.get_mut(part) else { return };
        current = next;
    }
    if let Some(map) = current.as_object_mut() {
        for (k, v) in pairs {
            map.insert(k.clone(), json!(v));
        }
    }
}

fn add_labels(value: &mut Value, pairs: &BTreeMap<String, String>, selectors: bool, in_templates: bool) {
    set_map(value, "/metadata/labels", pairs, true);
    let kind = value.get("kind").and_then(Value::as_str).unwrap_or_default().to_string();
    if in_templates {
        for template in templates(value) {
            set_map(value, &format!("{template}/labels"), pairs, true);
        }
    }
    if !selectors {
        return;
    }
    match kind.as_str() {
        "Service" | "ReplicationController" => set_map(value, "/spec/selector", pairs, true),
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" => {
            set_map(value, "/spec/selector/matchLabels", pairs, true)
        }
        "Job" | "PodDisruptionBudget" => set_map(value, "/spec/selector/matchLabels", pairs, false),
        "CronJob" => set_map(value, "/spec/jobTemplate/spec/selector/matchLabels", pairs, false),
        "NetworkPolicy" => set_map(value, "/spec/podSelector/matchLabels", pairs, false),
        _ => {}
    }
}

/// Renames resource `index` and points every reference to it at the new
/// name.
fn rename(resources: &mut [Resource], index: usize, new: &str) {
    let kind = resources[index].kind().to_string();
    let old = name_of(&resources[index].value).to_string();
    if let Some(meta) = resources[index].value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.insert("name".into(), json!(new));
    }
    let paths: &[&str] = match kind.as_str() {
        "ConfigMap" => &[
            "containers/*/envFrom/*/configMapRef/name",
            "containers/*/env/*/valueFrom/configMapKeyRef/name",
            "initContainers/*/envFrom/*/configMapRef/name",
            "initContainers/*/env/*/valueFrom/configMapKeyRef/name",
            "volumes/*/configMap/name",
            "volumes/*/projected/sources/*/configMap/name",
        ],
        "Secret" => &[
            "containers/*/envFrom/*/secretRef/name",
            "containers/*/env/*/valueFrom/secretKeyRef/name",
            "initContainers/*/envFrom/*/secretRef/name",
            "initContainers/*/env/*/valueFrom/secretKeyRef/name",
            "volumes/*/secret/secretName",
            "volumes/*/projected/sources/*/secret/name",
            "imagePullSecrets/*/name",
        ],
        "ServiceAccount" => &["serviceAccountName"],
        "PersistentVolumeClaim" => &["volumes/*/persistentVolumeClaim/claimName"],
        "Service" => &[],
        _ => return,
    };
    for r in resources.iter_mut() {
        for spec in pod_specs(&r.value) {
            if let Some(pod) = r.value.pointer_mut(spec) {
                for path in paths {
                    replace_at(pod, &path.split('/').collect::<Vec<_>>(), &old, new);
                }
            }
        }
        if kind == "Service" {
            let ingress = ["spec/defaultBackend/service/name", "spec/rules/*/http/paths/*/backend/service/name"];
            let service_paths: &[&str] = match r.kind() {
                "Ingress" => &ingress,
                "StatefulSet" => &["spec/serviceName"],
                _ => &[],
            };
            for path in service_paths {
                replace_at(&mut r.value, &path.split('/').collect::<Vec<_>>(), &old, new);
            }
        }
    }
}

/// Replaces the string `old` with `new` at a path whose `*` parts walk
/// every element of a list.
fn replace_at(value: &mut Value, path: &[&str], old: &str, new: &str) {
    let Some((first, rest)) = path.split_first() else {
        if value.as_str() == Some(old) {
            *value = json!(new);
        }
        return;
    };
    match (*first, value) {
        ("*", Value::Array(items)) => items.iter_mut().for_each(|i| replace_at(i, rest, old, new)),
        (key, Value::Object(map)) => {
            if let Some(next) = map.get_mut(key) {
                replace_at(next, rest, old, new);
            }
        }
        _ => {}
    }
}

/// Appends each generated object's content hash to its name. kustomize
/// looks the name up with a path its lookup takes as one field name, so
/// the name it hashes is always empty; missing fields hash as "".
pub fn append_hashes(resources: &mut [Resource]) {
    for i in 0..resources.len() {
        if !resources[i].needs_hash {
            continue;
        }
        let v = &resources[i].value;
        let field = |key: &str| v.get(key).cloned().unwrap_or(json!(""));
        let mut encoded = json!({"kind": resources[i].kind(), "name": "", "data": field("data")});
        let extra = if resources[i].kind() == "Secret" {
            encoded["type"] = field("type");
            "stringData"
        } else {
            "binaryData"
        };
        if let Some(map) = v.get(extra).filter(|m| m.is_object()) {
            encoded[extra] = map.clone();
        }
        let hashed = format!("{}-{}", name_of(v), super::content_hash(&encoded));
        rename(resources, i, &hashed);
    }
}
