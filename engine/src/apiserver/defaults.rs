//! Per-kind defaulting, as the API server applies it before validation
//! (pkg/apis/core/v1/defaults.go and the admission plugins that fill fields).

use crate::object::Object;
use k8s_openapi::api::core::v1::{Container, Pod, PodStatus, Toleration};

/// Fills the defaults a freshly created object gets.
pub fn apply(object: &mut Object) {
    if let Object::Pod(pod) = object {
        pod_defaults(pod);
    }
}

fn pod_defaults(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name
        .get_or_insert_with(|| "default-scheduler".into());
    spec.security_context.get_or_insert_with(Default::default);
    spec.enable_service_links.get_or_insert(true);
    spec.preemption_policy
        .get_or_insert_with(|| "PreemptLowerPriority".into());
    spec.priority.get_or_insert(0);
    // The ServiceAccount admission plugin.
    spec.service_account_name
        .get_or_insert_with(|| "default".into());
    // The DefaultTolerationSeconds admission plugin: pods ride out a lost node
    // for five minutes before eviction.
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in [
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    ] {
        if !tolerations.iter().any(|t| t.key.as_deref() == Some(key)) {
            tolerations.push(Toleration {
                key: Some(key.into()),
                operator: Some("Exists".into()),
                effect: Some("NoExecute".into()),
                toleration_seconds: Some(300),
                ..Default::default()
            });
        }
    }
    for c in spec.containers.iter_mut() {
        container_defaults(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container_defaults(c);
    }
    let qos = qos_class(pod_containers(pod));
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".into());
    status.qos_class.get_or_insert_with(|| qos.into());
}

fn pod_containers(pod: &Pod) -> &[Container] {
    pod.spec.as_ref().map_or(&[], |s| s.containers.as_slice())
}

fn container_defaults(c: &mut Container) {
    let policy = if image_tag(c.image.as_deref().unwrap_or_default()).is_none_or(|t| t == "latest")
    {
        "Always"
    } else {
        "IfNotPresent"
    };
    c.image_pull_policy.get_or_insert_with(|| policy.into());
    c.termination_message_path
        .get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy
        .get_or_insert_with(|| "File".into());
    c.resources.get_or_insert_with(Default::default);
}

/// The tag of an image reference, `None` when it has none (or only a digest).
pub fn image_tag(image: &str) -> Option<&str> {
    if image.contains('@') {
        return None;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, tag)| tag)
}

/// Guaranteed, Burstable or BestEffort, from the containers' requests and limits.
pub fn qos_class(containers: &[Container]) -> &'static str {
    let mut any = false;
    let mut guaranteed = !containers.is_empty();
    for c in containers {
        let res = c.resources.as_ref();
        let requests = res.and_then(|r| r.requests.as_ref());
        let limits = res.and_then(|r| r.limits.as_ref());
        any |= requests.is_some_and(|m| !m.is_empty()) || limits.is_some_and(|m| !m.is_empty());
        for resource in ["cpu", "memory"] {
            let limit = limits.and_then(|m| m.get(resource));
            let request = requests.and_then(|m| m.get(resource)).or(limit);
            if limit.is_none() || request != limit {
                guaranteed = false;
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_tags() {
        let cases = [
            ("nginx", None),
            ("nginx:1.27", Some("1.27")),
            ("nginx:latest", Some("latest")),
            ("localhost:5000/app", None),
            ("localhost:5000/app:v2", Some("v2")),
            ("nginx@sha256:abc", None),
        ];
        for (image, want) in cases {
            assert_eq!(image_tag(image), want, "{image}");
        }
    }

    #[test]
    fn pull_policy_follows_the_tag() {
        for (image, want) in [
            ("nginx", "Always"),
            ("nginx:latest", "Always"),
            ("nginx:1.27", "IfNotPresent"),
        ] {
            let mut c = Container {
                image: Some(image.into()),
                ..Default::default()
            };
            container_defaults(&mut c);
            assert_eq!(c.image_pull_policy.as_deref(), Some(want), "{image}");
        }
    }
}
