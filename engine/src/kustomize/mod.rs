//! Kustomize, as built into kubectl (`kubectl kustomize DIR`, `apply -k`):
//! a kustomization's resources (files and other kustomizations), its
//! generators, transformers and patches, producing the documents real
//! kustomize v5 produces, in its order.
//!
//! Objects stay as JSON values throughout, so any kind (CRDs included)
//! passes through untouched by what does not concern it.

mod generators;
mod hash;
mod kustomization;
mod patches;
mod transformers;

use crate::files::{Entry, Files};
pub(crate) use hash::{content_hash, go_escape};
use kustomization::Kustomization;
use serde_json::Value;

/// The names kustomize looks for in a directory, in its order.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// One object with the name it had in its own files, which references,
/// `replicas` and patches still use after prefixes and hashes change it.
#[derive(Clone, Debug)]
struct Resource {
    value: Value,
    original_name: String,
    /// Set for generated ConfigMaps and Secrets: may `behavior: merge` them.
    generated: bool,
    /// Gets the content hash appended to its name when the build ends.
    needs_hash: bool,
}

impl Resource {
    fn new(value: Value) -> Resource {
        let original_name = name_of(&value).to_string();
        Resource { value, original_name, generated: false, needs_hash: false }
    }

    fn kind(&self) -> &str {
        self.value.get("kind").and_then(Value::as_str).unwrap_or_default()
    }
}

fn name_of(value: &Value) -> &str {
    value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default()
}

/// What a build produced: the YAML stream, and warnings for stderr.
pub struct Built {
    pub yaml: String,
    pub objects: Vec<Value>,
    pub warnings: Vec<String>,
}

/// Builds the kustomization in `dir`.
pub fn build(files: &dyn Files, dir: &str) -> Result<Built, String> {
    let mut warnings = Vec::new();
    let mut resources = build_dir(files, &normalize(dir), &mut warnings, 0)?;
    transformers::append_hashes(&mut resources);
    let mut objects: Vec<Value> = resources.into_iter().map(|r| r.value).collect();
    sort_legacy(&mut objects);
    let yaml = objects.iter().map(crate::codec::to_yaml).collect::<Vec<_>>().join("---\n");
    Ok(Built { yaml, objects, warnings })
}

fn build_dir(files: &dyn Files, dir: &str, warnings: &mut Vec<String>, depth: usize) -> Result<Vec<Resource>, String> {
    if depth > 20 {
        return Err(format!("accumulating resources: cycle detected at '{dir}'"));
    }
    let text = FILE_NAMES
        .iter()
        .find_map(|name| match files.read(&join(dir, name)) {
            Some(Entry::File(text)) => Some(text),
            _ => None,
        })
        .ok_or_else(|| {
            format!("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{dir}'")
        })?;
    let k = Kustomization::parse(&text).map_err(|e| format!("invalid Kustomization: {e}"))?;
    // kustomize names the deprecated fields in alphabetical order.
    for (used, field) in [
        (k.common_labels.is_some(), "commonLabels' is deprecated. Please use 'labels"),
        (k.patches_json6902.is_some(), "patchesJson6902' is deprecated. Please use 'patches"),
        (k.patches_strategic_merge.is_some(), "patchesStrategicMerge' is deprecated. Please use 'patches"),
    ] {
        if used {
            warnings.push(format!(
                "# Warning: '{field}' instead. Run 'kustomize edit fix' to update your Kustomization automatically."
            ));
        }
    }
    let mut resources = Vec::new();
    for entry in k.resources.iter().flatten() {
        let path = join(dir, entry);
        let accumulated = match files.read(&path) {
            Some(Entry::File(text)) => {
                let docs = crate::codec::documents(&text).map_err(|e| {
                    format!("accumulating resources: accumulation err='accumulating resources from '{entry}': {e:?}'")
                })?;
                docs.into_iter().filter(|d| d.is_object()).map(Resource::new).collect()
            }
            Some(Entry::Dir(_)) => build_dir(files, &path, warnings, depth + 1)
                .map_err(|e| format!("accumulating resources: accumulation err='accumulating resources from '{entry}': {e}'"))?,
            None => {
                return Err(format!(
                    "accumulating resources: accumulation err='accumulating resources from '{entry}': open {path}: no such file or directory'"
                ))
            }
        };
        for r in accumulated {
            if let Some(existing) = resources.iter().find(|e: &&Resource| same_id(&e.value, &r.value)) {
                return Err(format!(
                    "accumulating resources: may not add resource with an already registered id: {}",
                    resource_id(&existing.value)
                ));
            }
            resources.push(r);
        }
    }
    generators::run(files, dir, &k, &mut resources)?;
    patches::run(files, dir, &k, &mut resources)?;
    transformers::run(&k, &mut resources);
    Ok(resources)
}

/// Kind, namespace and name: what makes two resources the same.
fn same_id(a: &Value, b: &Value) -> bool {
    let ns = |v: &Value| v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or("default").to_string();
    a.get("kind") == b.get("kind") && api_group(a) == api_group(b) && name_of(a) == name_of(b) && ns(a) == ns(b)
}

fn api_group(v: &Value) -> &str {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    api_version.split_once('/').map_or("", |(g, _)| g)
}

fn resource_id(v: &Value) -> String {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    let ns = v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    let gvk = if group.is_empty() { format!("{version}.{kind}") } else { format!("{group}_{version}_{kind}") };
    format!("{gvk}|{}|{}", if ns.is_empty() { "~X" } else { ns }, name_of(v))
}

/// kustomize's legacy order: kinds others depend on first, webhooks last,
/// the rest by kind, then name.
fn sort_legacy(objects: &mut [Value]) {
    const FIRST: [&str; 22] = [
        "Namespace",
        "ResourceQuota",
        "StorageClass",
        "CustomResourceDefinition",
        "ServiceAccount",
        "PodSecurityPolicy",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "ConfigMap",
        "Secret",
        "Endpoints",
        "Service",
        "LimitRange",
        "PriorityClass",
        "PersistentVolume",
        "PersistentVolumeClaim",
        "Deployment",
        "StatefulSet",
        "CronJob",
        "PodDisruptionBudget",
    ];
    const LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];
    let rank = |v: &Value| {
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
        if let Some(i) = FIRST.iter().position(|k| *k == kind) {
            (0, i)
        } else if let Some(i) = LAST.iter().position(|k| *k == kind) {
            (2, i)
        } else {
            (1, 0)
        }
    };
    objects.sort_by(|a, b| {
        rank(a).cmp(&rank(b)).then_with(|| resource_gvk(a).cmp(&resource_gvk(b))).then_with(|| {
            let ns =
                |v: &Value| v.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
            ns(a).cmp(&ns(b)).then_with(|| name_of(a).cmp(name_of(b)))
        })
    });
}

/// `group_version_kind` as kustomize compares them for the middle group.
fn resource_gvk(v: &Value) -> String {
    let api_version = v.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    format!("{kind}|{group}|{version}")
}

/// `dir/rel`, with `.` and `..` resolved.
fn join(dir: &str, rel: &str) -> String {
    if rel.starts_with('/') {
        return normalize(rel);
    }
    normalize(&format!("{dir}/{rel}"))
}

fn normalize(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_dots() {
        assert_eq!(join("overlays/prod", "../../base"), "base");
        assert_eq!(join(".", "base/deploy.yaml"), "base/deploy.yaml");
        assert_eq!(join("a", "../../b"), "../b");
        assert_eq!(join("/x/y", "../z"), "/x/z");
        assert_eq!(normalize("./a/./b/"), "a/b");
    }
}
