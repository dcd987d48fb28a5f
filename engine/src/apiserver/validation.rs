//! Per-kind validation, collecting every cause the way the API server does,
//! in its words (pkg/apis/core/validation, apimachinery's validation.go).

use crate::object::Object;
use k8s_openapi::api::core::v1::{Container, Pod};

/// Every problem with a new object, as `<field path>: <message>` lines.
pub fn validate(object: &Object) -> Vec<String> {
    let mut causes = Vec::new();
    let meta = object.meta();
    match meta.name.as_deref() {
        None | Some("") => {
            causes.push("metadata.name: Required value: name or generateName is required".into())
        }
        Some(name) => {
            let check = if object.kind() == crate::api::Kind::Namespace {
                rfc1123_label
            } else {
                rfc1123_subdomain
            };
            causes.extend(
                check(name).map(|msg| format!("metadata.name: Invalid value: \"{name}\": {msg}")),
            );
        }
    }
    if let Object::Pod(pod) = object {
        validate_pod(pod, &mut causes);
    }
    causes
}

/// Every problem with replacing `old` by `new` (both defaulted).
pub fn validate_update(old: &Object, new: &Object) -> Vec<String> {
    let mut causes = validate(new);
    if let (Object::Pod(old), Object::Pod(new)) = (old, new) {
        if mutable_view(old) != mutable_view(new) {
            causes.push("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into());
        }
    }
    causes
}

/// A pod's spec with the fields an update may change blanked out.
fn mutable_view(pod: &Pod) -> Option<k8s_openapi::api::core::v1::PodSpec> {
    let mut spec = pod.spec.clone()?;
    for c in spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten())
    {
        c.image = None;
    }
    spec.active_deadline_seconds = None;
    spec.tolerations = None;
    Some(spec)
}

fn validate_pod(pod: &Pod, causes: &mut Vec<String>) {
    let Some(spec) = pod.spec.as_ref() else {
        causes.push("spec.containers: Required value".into());
        return;
    };
    if spec.containers.is_empty() {
        causes.push("spec.containers: Required value".into());
    }
    let mut names: Vec<&str> = Vec::new();
    let groups = [
        (
            "spec.initContainers",
            spec.init_containers.as_deref().unwrap_or_default(),
        ),
        ("spec.containers", spec.containers.as_slice()),
    ];
    for (path, containers) in groups {
        for (i, c) in containers.iter().enumerate() {
            validate_container(&format!("{path}[{i}]"), c, &mut names, causes);
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref() {
        if !["Always", "OnFailure", "Never"].contains(&policy) {
            causes.push(format!(
                "spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\", \"OnFailure\", \"Never\""
            ));
        }
    }
}

fn validate_container<'a>(
    path: &str,
    c: &'a Container,
    names: &mut Vec<&'a str>,
    causes: &mut Vec<String>,
) {
    if c.name.is_empty() {
        causes.push(format!("{path}.name: Required value"));
    } else if let Some(msg) = rfc1123_label(&c.name) {
        causes.push(format!("{path}.name: Invalid value: \"{}\": {msg}", c.name));
    } else if names.contains(&c.name.as_str()) {
        causes.push(format!("{path}.name: Duplicate value: \"{}\"", c.name));
    } else {
        names.push(&c.name);
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        causes.push(format!("{path}.image: Required value"));
    }
    if let Some(policy) = c.image_pull_policy.as_deref() {
        if !["Always", "IfNotPresent", "Never"].contains(&policy) {
            causes.push(format!(
                "{path}.imagePullPolicy: Unsupported value: \"{policy}\": supported values: \"Always\", \"IfNotPresent\", \"Never\""
            ));
        }
    }
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn label_ok(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(is_alnum)
        && s.ends_with(is_alnum)
        && s.chars().all(|c| is_alnum(c) || c == '-')
}

/// The RFC 1123 label check (namespace and container names).
pub fn rfc1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    (!label_ok(s)).then(|| "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".into())
}

/// The RFC 1123 subdomain check (most object names).
pub fn rfc1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    (!s.split('.').all(label_ok)).then(|| "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(rfc1123_subdomain("web.example-1"), None);
        assert!(rfc1123_subdomain("Web_App").is_some());
        assert!(rfc1123_subdomain("a..b").is_some());
        assert!(rfc1123_subdomain("-a").is_some());
        assert_eq!(rfc1123_label("my-ns"), None);
        assert!(rfc1123_label("my.ns").is_some());
        assert_eq!(
            rfc1123_label(&"a".repeat(64)).as_deref(),
            Some("must be no more than 63 characters")
        );
    }
}
