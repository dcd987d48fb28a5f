//! Per-kind defaulting, as the API server applies it before validation
//! (pkg/apis/core/v1/defaults.go and the admission plugins that fill fields).

use crate::object::Object;
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodStatus, PodTemplateSpec, Toleration};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Fills the defaults a freshly created object gets.
pub fn apply(object: &mut Object) {
    match object {
        Object::Pod(pod) => pod_defaults(pod),
        Object::Endpoints(ep) => super::endpoints::defaults(Some(ep), None),
        Object::EndpointSlice(slice) => super::endpoints::defaults(None, Some(slice)),
        Object::Deployment(d) => {
            let spec = d.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            spec.revision_history_limit.get_or_insert(10);
            spec.progress_deadline_seconds.get_or_insert(600);
            let strategy = spec.strategy.get_or_insert_with(Default::default);
            let kind = strategy.type_.get_or_insert_with(|| "RollingUpdate".into());
            if kind == "RollingUpdate" {
                let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
                rolling.max_surge.get_or_insert(IntOrString::String("25%".into()));
                rolling.max_unavailable.get_or_insert(IntOrString::String("25%".into()));
            }
            template_defaults(&mut spec.template);
        }
        Object::HorizontalPodAutoscaler(hpa) => super::autoscaling::default(hpa),
        Object::Secret(secret) => {
            secret.type_.get_or_insert_with(|| "Opaque".into());
        }
        Object::PersistentVolume(pv) => {
            let spec = pv.spec.get_or_insert_with(Default::default);
            spec.persistent_volume_reclaim_policy.get_or_insert_with(|| "Retain".into());
            spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
            if let Some(host) = spec.host_path.as_mut() {
                host.type_.get_or_insert_with(String::new);
            }
            pv.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
        }
        Object::PersistentVolumeClaim(pvc) => {
            pvc.spec.get_or_insert_with(Default::default).volume_mode.get_or_insert_with(|| "Filesystem".into());
            pvc.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
        }
        Object::Namespace(ns) => {
            // The API server labels every namespace with its own name.
            let name = ns.metadata.name.clone().unwrap_or_default();
            ns.metadata.labels.get_or_insert_with(Default::default).insert("kubernetes.io/metadata.name".into(), name);
            ns.spec.get_or_insert_with(Default::default);
            ns.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Active".into());
        }
        Object::Service(svc) => {
            let spec = svc.spec.get_or_insert_with(Default::default);
            let type_ = spec.type_.get_or_insert_with(|| "ClusterIP".into()).clone();
            spec.session_affinity.get_or_insert_with(|| "None".into());
            if type_ != "ExternalName" {
                spec.internal_traffic_policy.get_or_insert_with(|| "Cluster".into());
                spec.ip_families.get_or_insert_with(|| vec!["IPv4".into()]);
                spec.ip_family_policy.get_or_insert_with(|| "SingleStack".into());
            }
            if type_ == "NodePort" || type_ == "LoadBalancer" {
                spec.external_traffic_policy.get_or_insert_with(|| "Cluster".into());
            }
            if type_ == "LoadBalancer" {
                spec.allocate_load_balancer_node_ports.get_or_insert(true);
            }
            for port in spec.ports.iter_mut().flatten() {
                port.protocol.get_or_insert_with(|| "TCP".into());
                port.target_port.get_or_insert(IntOrString::Int(port.port));
            }
            let balancer =
                svc.status.get_or_insert_with(Default::default).load_balancer.get_or_insert_with(Default::default);
            // An address a load balancer reports is a VIP unless it says otherwise.
            for ingress in balancer.ingress.iter_mut().flatten() {
                if ingress.ip.as_deref().is_some_and(|ip| !ip.is_empty()) {
                    ingress.ip_mode.get_or_insert_with(|| "VIP".into());
                }
            }
        }
        Object::LimitRange(lr) => {
            for item in lr.spec.iter_mut().flat_map(|s| s.limits.iter_mut()) {
                if item.type_ != "Container" {
                    continue;
                }
                // A max with no default becomes the default; a default with
                // no default request becomes the request.
                if let Some(max) = item.max.clone() {
                    let default = item.default.get_or_insert_with(Default::default);
                    for (k, v) in max {
                        default.entry(k).or_insert(v);
                    }
                }
                if let Some(default) = item.default.clone() {
                    let request = item.default_request.get_or_insert_with(Default::default);
                    for (k, v) in default {
                        request.entry(k).or_insert(v);
                    }
                }
                if let Some(min) = item.min.clone() {
                    let request = item.default_request.get_or_insert_with(Default::default);
                    for (k, v) in min {
                        request.entry(k).or_insert(v);
                    }
                }
            }
        }
        Object::StatefulSet(sts) => {
            let spec = sts.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            spec.pod_management_policy.get_or_insert_with(|| "OrderedReady".into());
            spec.revision_history_limit.get_or_insert(10);
            let strategy = spec.update_strategy.get_or_insert_with(Default::default);
            if strategy.type_.get_or_insert_with(|| "RollingUpdate".into()) == "RollingUpdate" {
                strategy.rolling_update.get_or_insert_with(Default::default).partition.get_or_insert(0);
            }
            let retention = spec.persistent_volume_claim_retention_policy.get_or_insert_with(Default::default);
            retention.when_deleted.get_or_insert_with(|| "Retain".into());
            retention.when_scaled.get_or_insert_with(|| "Retain".into());
            for claim in spec.volume_claim_templates.iter_mut().flatten() {
                let claim_spec = claim.spec.get_or_insert_with(Default::default);
                claim_spec.volume_mode.get_or_insert_with(|| "Filesystem".into());
                claim.status.get_or_insert_with(Default::default).phase.get_or_insert_with(|| "Pending".into());
            }
            template_defaults(&mut spec.template);
        }
        Object::CronJob(cj) => {
            let spec = cj.spec.get_or_insert_with(Default::default);
            spec.concurrency_policy.get_or_insert_with(|| "Allow".into());
            spec.suspend.get_or_insert(false);
            spec.successful_jobs_history_limit.get_or_insert(3);
            spec.failed_jobs_history_limit.get_or_insert(1);
            if let Some(job) = spec.job_template.spec.as_mut() {
                template_defaults(&mut job.template);
            }
        }
        Object::Job(job) => {
            let spec = job.spec.get_or_insert_with(Default::default);
            if spec.completions.is_none() && spec.parallelism.is_none() {
                spec.completions = Some(1);
            }
            spec.parallelism.get_or_insert(1);
            spec.backoff_limit.get_or_insert(6);
            spec.completion_mode.get_or_insert_with(|| "NonIndexed".into());
            spec.suspend.get_or_insert(false);
            spec.manual_selector.take_if(|m| !*m);
            spec.pod_replacement_policy.get_or_insert_with(|| "TerminatingOrFailed".into());
            template_defaults(&mut spec.template);
        }
        Object::DaemonSet(ds) => {
            let spec = ds.spec.get_or_insert_with(Default::default);
            spec.revision_history_limit.get_or_insert(10);
            let strategy = spec.update_strategy.get_or_insert_with(Default::default);
            if strategy.type_.get_or_insert_with(|| "RollingUpdate".into()) == "RollingUpdate" {
                let rolling = strategy.rolling_update.get_or_insert_with(Default::default);
                rolling.max_unavailable.get_or_insert(IntOrString::Int(1));
                rolling.max_surge.get_or_insert(IntOrString::Int(0));
            }
            template_defaults(&mut spec.template);
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            if let Some(t) = spec.template.as_mut() {
                template_defaults(t);
            }
        }
        Object::NetworkPolicy(np) => {
            // A policy without types governs ingress, and egress when it
            // has egress rules; a port's protocol is TCP unless given.
            let spec = np.spec.get_or_insert_with(Default::default);
            if spec.policy_types.as_ref().is_none_or(|t| t.is_empty()) {
                let mut types = vec!["Ingress".to_string()];
                if spec.egress.as_ref().is_some_and(|e| !e.is_empty()) {
                    types.push("Egress".into());
                }
                spec.policy_types = Some(types);
            }
            let ingress_ports = spec.ingress.iter_mut().flatten().flat_map(|r| r.ports.iter_mut().flatten());
            let egress_ports = spec.egress.iter_mut().flatten().flat_map(|r| r.ports.iter_mut().flatten());
            for port in ingress_ports.chain(egress_ports) {
                port.protocol.get_or_insert_with(|| "TCP".into());
            }
        }
        Object::ReplicationController(rc) => {
            let spec = rc.spec.get_or_insert_with(Default::default);
            spec.replicas.get_or_insert(1);
            if let Some(t) = spec.template.as_mut() {
                // An RC without a selector selects its template's labels.
                if spec.selector.as_ref().is_none_or(|s| s.is_empty()) {
                    spec.selector = t.metadata.as_ref().and_then(|m| m.labels.clone());
                }
                template_defaults(t);
            }
        }
        _ => {}
    }
}

/// The defaults of a pod template (pkg/apis/core/v1 SetDefaults_PodSpec):
/// fewer than a pod gets, since admission plugins only see pods.
fn template_defaults(template: &mut PodTemplateSpec) {
    let spec = template.spec.get_or_insert_with(Default::default);
    pod_spec_defaults(spec);
}

fn pod_spec_defaults(spec: &mut PodSpec) {
    spec.restart_policy.get_or_insert_with(|| "Always".into());
    spec.dns_policy.get_or_insert_with(|| "ClusterFirst".into());
    spec.termination_grace_period_seconds.get_or_insert(30);
    spec.scheduler_name.get_or_insert_with(|| "default-scheduler".into());
    spec.security_context.get_or_insert_with(Default::default);
    for c in spec.containers.iter_mut() {
        container_defaults(c);
    }
    for c in spec.init_containers.iter_mut().flatten() {
        container_defaults(c);
    }
    for host in spec.volumes.iter_mut().flatten().filter_map(|v| v.host_path.as_mut()) {
        host.type_.get_or_insert_with(String::new);
    }
}

fn pod_defaults(pod: &mut Pod) {
    let spec = pod.spec.get_or_insert_with(Default::default);
    pod_spec_defaults(spec);
    // A container that sets only a limit requests that much.
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        if let Some(r) = c.resources.as_mut() {
            if let Some(limits) = r.limits.clone() {
                let requests = r.requests.get_or_insert_with(Default::default);
                for (k, v) in limits {
                    requests.entry(k).or_insert(v);
                }
            }
        }
    }
    spec.enable_service_links.get_or_insert(true);
    spec.preemption_policy.get_or_insert_with(|| "PreemptLowerPriority".into());
    spec.priority.get_or_insert(0);
    // The ServiceAccount admission plugin.
    spec.service_account_name.get_or_insert_with(|| "default".into());
    // The DefaultTolerationSeconds admission plugin: pods ride out a lost node
    // for five minutes before eviction.
    let tolerations = spec.tolerations.get_or_insert_with(Vec::new);
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
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
    let qos = qos_class(pod_containers(pod));
    let status = pod.status.get_or_insert_with(PodStatus::default);
    status.phase.get_or_insert_with(|| "Pending".into());
    status.qos_class.get_or_insert_with(|| qos.into());
}

fn pod_containers(pod: &Pod) -> &[Container] {
    pod.spec.as_ref().map_or(&[], |s| s.containers.as_slice())
}

fn container_defaults(c: &mut Container) {
    let policy = if image_tag(c.image.as_deref().unwrap_or_default()).is_none_or(|t| t == "latest") {
        "Always"
    } else {
        "IfNotPresent"
    };
    c.image_pull_policy.get_or_insert_with(|| policy.into());
    c.termination_message_path.get_or_insert_with(|| "/dev/termination-log".into());
    c.termination_message_policy.get_or_insert_with(|| "File".into());
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
        for (image, want) in [("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent")] {
            let mut c = Container { image: Some(image.into()), ..Default::default() };
            container_defaults(&mut c);
            assert_eq!(c.image_pull_policy.as_deref(), Some(want), "{image}");
        }
    }
}
