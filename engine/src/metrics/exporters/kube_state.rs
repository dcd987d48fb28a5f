//! kube-state-metrics v2.13: the API's objects as series, under its names
//! and labels (`namespace`, `pod`, `container`, `node` …), one family per
//! fact, in the order it serves them.

use super::{labels, seconds, Scene};
use crate::api::Kind;
use crate::metrics::exposition::{Family, Type};
use crate::object::Object;
use crate::time::Time;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time as K8sTime};
use std::collections::BTreeMap;

type L = Vec<(&'static str, String)>;

/// Families by name, created on first use, served sorted.
struct Out(BTreeMap<&'static str, Family>);

impl Out {
    fn add(&mut self, name: &'static str, kind: Type, help: &'static str, labels: L, v: f64) {
        self.0.entry(name).or_insert_with(|| Family::new(name, kind, help)).add(labels, v);
    }
    fn gauge(&mut self, name: &'static str, help: &'static str, labels: L, v: f64) {
        self.add(name, Type::Gauge, help, labels, v);
    }
}

fn ts(t: Option<&K8sTime>) -> f64 {
    t.map(|t| seconds(Time::from_k8s(t)).floor()).unwrap_or(0.0)
}

fn b(v: bool) -> f64 {
    if v {
        1.0
    } else {
        0.0
    }
}

/// `label_<name>` pairs are not exported by default (v2 needs an allow
/// list), so `_labels` families carry only the object's identity.
fn meta_names(meta: &ObjectMeta) -> (String, String) {
    (meta.namespace.clone().unwrap_or_default(), meta.name.clone().unwrap_or_default())
}

fn quantity(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> f64 {
    crate::quantity::parse_milli(&q.0).map(|m| m as f64 / 1000.0).unwrap_or(0.0)
}

/// A resource name as kube-state-metrics labels it, and its unit.
fn resource_unit(resource: &str) -> (String, &'static str) {
    match resource {
        "cpu" => ("cpu".into(), "core"),
        "memory" | "ephemeral-storage" | "storage" => (resource.into(), "byte"),
        "pods" => ("pods".into(), "integer"),
        r => (r.replace(['.', '/', '-'], "_"), "integer"),
    }
}

pub fn families(scene: &Scene) -> Vec<Family> {
    let store = scene.store;
    let mut out = Out(BTreeMap::new());
    let list = |kind| store.list(kind, None);

    for o in list(Kind::Namespace) {
        let name = o.name().to_string();
        out.gauge(
            "kube_namespace_created",
            "Unix creation timestamp",
            labels(&[("namespace", &name)]),
            ts(o.meta().creation_timestamp.as_ref()),
        );
        out.gauge(
            "kube_namespace_labels",
            "Kubernetes labels converted to Prometheus labels.",
            labels(&[("namespace", &name)]),
            1.0,
        );
        let phase = if o.meta().deletion_timestamp.is_some() { "Terminating" } else { "Active" };
        for p in ["Active", "Terminating"] {
            out.gauge(
                "kube_namespace_status_phase",
                "kubernetes namespace status phase.",
                labels(&[("namespace", &name), ("phase", p)]),
                b(p == phase),
            );
        }
    }

    for o in list(Kind::Node) {
        let Object::Node(node) = &**o else { continue };
        let name = o.name();
        let status = node.status.clone().unwrap_or_default();
        let info = status.node_info.clone().unwrap_or_default();
        let ip = status
            .addresses
            .iter()
            .flatten()
            .find(|a| a.type_ == "InternalIP")
            .map(|a| a.address.clone())
            .unwrap_or_default();
        let spec = node.spec.clone().unwrap_or_default();
        out.gauge(
            "kube_node_info",
            "Information about a cluster node.",
            labels(&[
                ("container_runtime_version", &info.container_runtime_version),
                ("internal_ip", &ip),
                ("kernel_version", &info.kernel_version),
                ("kubelet_version", &info.kubelet_version),
                ("kubeproxy_version", "deprecated"),
                ("node", name),
                ("os_image", &info.os_image),
                ("pod_cidr", spec.pod_cidr.as_deref().unwrap_or_default()),
                ("provider_id", spec.provider_id.as_deref().unwrap_or_default()),
                ("system_uuid", &info.system_uuid),
            ]),
            1.0,
        );
        out.gauge(
            "kube_node_created",
            "Unix creation timestamp",
            labels(&[("node", name)]),
            ts(o.meta().creation_timestamp.as_ref()),
        );
        out.gauge(
            "kube_node_labels",
            "Kubernetes labels converted to Prometheus labels.",
            labels(&[("node", name)]),
            1.0,
        );
        out.gauge(
            "kube_node_spec_unschedulable",
            "Whether a node can schedule new pods.",
            labels(&[("node", name)]),
            b(spec.unschedulable.unwrap_or(false)),
        );
        for t in spec.taints.iter().flatten() {
            out.gauge(
                "kube_node_spec_taint",
                "The taint of a cluster node.",
                labels(&[
                    ("effect", &t.effect),
                    ("key", &t.key),
                    ("node", name),
                    ("value", t.value.as_deref().unwrap_or_default()),
                ]),
                1.0,
            );
        }
        for c in status.conditions.iter().flatten() {
            for s in ["true", "false", "unknown"] {
                out.gauge(
                    "kube_node_status_condition",
                    "The condition of a cluster node.",
                    labels(&[("condition", &c.type_), ("node", name), ("status", s)]),
                    b(c.status.to_lowercase() == s),
                );
            }
        }
        for (family, help, map) in [
            ("kube_node_status_capacity", "The capacity for different resources of a node.", &status.capacity),
            (
                "kube_node_status_allocatable",
                "The allocatable for different resources of a node that are available for scheduling.",
                &status.allocatable,
            ),
        ] {
            for (r, q) in map.iter().flatten() {
                let (resource, unit) = resource_unit(r);
                out.gauge(
                    family,
                    help,
                    labels(&[("node", name), ("resource", &resource), ("unit", unit)]),
                    quantity(q),
                );
            }
        }
    }

    for o in list(Kind::Pod) {
        let Object::Pod(pod) = &**o else { continue };
        let (ns, name) = meta_names(&pod.metadata);
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let spec = pod.spec.clone().unwrap_or_default();
        let status = pod.status.clone().unwrap_or_default();
        let node = spec.node_name.clone().unwrap_or_default();
        let owner = pod.metadata.owner_references.iter().flatten().find(|r| r.controller == Some(true));
        let (owner_kind, owner_name) =
            owner.map(|r| (r.kind.as_str(), r.name.as_str())).unwrap_or(("<none>", "<none>"));
        let id = |extra: &[(&'static str, &str)]| {
            let mut l = labels(&[("namespace", &ns), ("pod", &name), ("uid", &uid)]);
            l.extend(labels(extra));
            l
        };
        out.gauge(
            "kube_pod_info",
            "[STABLE] Information about pod.",
            id(&[
                ("host_ip", status.host_ip.as_deref().unwrap_or_default()),
                ("pod_ip", status.pod_ip.as_deref().unwrap_or_default()),
                ("node", &node),
                ("created_by_kind", owner_kind),
                ("created_by_name", owner_name),
                ("priority_class", spec.priority_class_name.as_deref().unwrap_or_default()),
                ("host_network", if spec.host_network.unwrap_or(false) { "true" } else { "false" }),
            ]),
            1.0,
        );
        out.gauge(
            "kube_pod_created",
            "[STABLE] Unix creation timestamp",
            id(&[]),
            ts(pod.metadata.creation_timestamp.as_ref()),
        );
        if let Some(start) = status.start_time.as_ref() {
            out.gauge(
                "kube_pod_start_time",
                "[STABLE] Start time in unix timestamp for a pod.",
                id(&[]),
                ts(Some(start)),
            );
        }
        out.gauge(
            "kube_pod_owner",
            "[STABLE] Information about the Pod's owner.",
            id(&[
                ("owner_kind", owner_kind),
                ("owner_name", owner_name),
                ("owner_is_controller", if owner.is_some() { "true" } else { "<none>" }),
            ]),
            1.0,
        );
        let phase = status.phase.clone().unwrap_or_else(|| "Pending".into());
        for p in ["Pending", "Succeeded", "Failed", "Unknown", "Running"] {
            out.gauge("kube_pod_status_phase", "[STABLE] The pods current phase.", id(&[("phase", p)]), b(p == phase));
        }
        if let Some(qos) = status.qos_class.as_deref() {
            for q in ["BestEffort", "Burstable", "Guaranteed"] {
                out.gauge(
                    "kube_pod_status_qos_class",
                    "The current qos class of a pod.",
                    id(&[("qos_class", q)]),
                    b(q == qos),
                );
            }
        }
        for r in ["Evicted", "NodeAffinity", "NodeLost", "Shutdown", "UnexpectedAdmissionError"] {
            out.gauge(
                "kube_pod_status_reason",
                "The pod status reasons",
                id(&[("reason", r)]),
                b(status.reason.as_deref() == Some(r)),
            );
        }
        for c in status.conditions.iter().flatten() {
            let family = match c.type_.as_str() {
                "Ready" => "kube_pod_status_ready",
                "PodScheduled" => "kube_pod_status_scheduled",
                _ => continue,
            };
            for s in ["true", "false", "unknown"] {
                out.gauge(
                    family,
                    "[STABLE] Describes whether the pod is ready to serve requests.",
                    id(&[("condition", s)]),
                    b(c.status.to_lowercase() == s),
                );
            }
        }
        for container in &spec.containers {
            let cl = |extra: &[(&'static str, &str)]| {
                let mut l =
                    labels(&[("namespace", &ns), ("pod", &name), ("uid", &uid), ("container", &container.name)]);
                l.extend(labels(extra));
                l
            };
            for (family, help, map) in [
                ("kube_pod_container_resource_requests", "The number of requested request resource by a container. It is recommended to use the kube_pod_resource_requests metric exposed by kube-scheduler instead, as it is more precise.", container.resources.as_ref().and_then(|r| r.requests.as_ref())),
                ("kube_pod_container_resource_limits", "The number of requested limit resource by a container. It is recommended to use the kube_pod_resource_limits metric exposed by kube-scheduler instead, as it is more precise.", container.resources.as_ref().and_then(|r| r.limits.as_ref())),
            ] {
                for (r, q) in map.into_iter().flatten() {
                    let (resource, unit) = resource_unit(r);
                    out.gauge(family, help, cl(&[("node", &node), ("resource", &resource), ("unit", unit)]), quantity(q));
                }
            }
            let Some(cs) = status.container_statuses.iter().flatten().find(|s| s.name == container.name) else {
                continue;
            };
            let container_id = cs.container_id.clone().unwrap_or_default();
            out.gauge(
                "kube_pod_container_info",
                "[STABLE] Information about a container in a pod.",
                cl(&[
                    ("image_spec", container.image.as_deref().unwrap_or_default()),
                    ("image", &cs.image),
                    ("image_id", &cs.image_id),
                    ("container_id", &container_id),
                ]),
                1.0,
            );
            out.add(
                "kube_pod_container_status_restarts_total",
                Type::Counter,
                "[STABLE] The number of container restarts per container.",
                cl(&[]),
                cs.restart_count as f64,
            );
            out.gauge(
                "kube_pod_container_status_ready",
                "[STABLE] Describes whether the containers readiness check succeeded.",
                cl(&[]),
                b(cs.ready),
            );
            let state = cs.state.clone().unwrap_or_default();
            out.gauge(
                "kube_pod_container_status_running",
                "[STABLE] Describes whether the container is currently in running state.",
                cl(&[]),
                b(state.running.is_some()),
            );
            out.gauge(
                "kube_pod_container_status_waiting",
                "[STABLE] Describes whether the container is currently in waiting state.",
                cl(&[]),
                b(state.waiting.is_some()),
            );
            out.gauge(
                "kube_pod_container_status_terminated",
                "[STABLE] Describes whether the container is currently in terminated state.",
                cl(&[]),
                b(state.terminated.is_some()),
            );
            if let Some(reason) = state.waiting.as_ref().and_then(|w| w.reason.as_deref()) {
                out.gauge(
                    "kube_pod_container_status_waiting_reason",
                    "Describes the reason the container is currently in waiting state.",
                    cl(&[("reason", reason)]),
                    1.0,
                );
            }
            if let Some(reason) = state.terminated.as_ref().and_then(|t| t.reason.as_deref()) {
                out.gauge(
                    "kube_pod_container_status_terminated_reason",
                    "Describes the reason the container is currently in terminated state.",
                    cl(&[("reason", reason)]),
                    1.0,
                );
            }
            if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
                out.gauge(
                    "kube_pod_container_status_last_terminated_reason",
                    "Describes the last reason the container was in terminated state.",
                    cl(&[("reason", t.reason.as_deref().unwrap_or_default())]),
                    1.0,
                );
                out.gauge(
                    "kube_pod_container_status_last_terminated_exitcode",
                    "Describes the exit code for the last container in terminated state.",
                    cl(&[]),
                    t.exit_code as f64,
                );
            }
        }
    }

    for o in list(Kind::Deployment) {
        let Object::Deployment(d) = &**o else { continue };
        let (ns, name) = meta_names(&d.metadata);
        let l = || labels(&[("namespace", &ns), ("deployment", &name)]);
        let st = d.status.clone().unwrap_or_default();
        let spec = d.spec.clone().unwrap_or_default();
        out.gauge(
            "kube_deployment_created",
            "[STABLE] Unix creation timestamp",
            l(),
            ts(d.metadata.creation_timestamp.as_ref()),
        );
        out.gauge("kube_deployment_labels", "Kubernetes labels converted to Prometheus labels.", l(), 1.0);
        out.gauge(
            "kube_deployment_metadata_generation",
            "[STABLE] Sequence number representing a specific generation of the desired state.",
            l(),
            d.metadata.generation.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_spec_replicas",
            "[STABLE] Number of desired pods for a deployment.",
            l(),
            spec.replicas.unwrap_or(1) as f64,
        );
        out.gauge(
            "kube_deployment_spec_paused",
            "[STABLE] Whether the deployment is paused and will not be processed by the deployment controller.",
            l(),
            b(spec.paused.unwrap_or(false)),
        );
        out.gauge(
            "kube_deployment_status_observed_generation",
            "[STABLE] The generation observed by the deployment controller.",
            l(),
            st.observed_generation.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_status_replicas",
            "[STABLE] The number of replicas per deployment.",
            l(),
            st.replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_status_replicas_available",
            "[STABLE] The number of available replicas per deployment.",
            l(),
            st.available_replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_status_replicas_ready",
            "[STABLE] The number of ready replicas per deployment.",
            l(),
            st.ready_replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_status_replicas_unavailable",
            "[STABLE] The number of unavailable replicas per deployment.",
            l(),
            st.unavailable_replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_deployment_status_replicas_updated",
            "[STABLE] The number of updated replicas per deployment.",
            l(),
            st.updated_replicas.unwrap_or(0) as f64,
        );
    }

    for o in list(Kind::ReplicaSet) {
        let Object::ReplicaSet(r) = &**o else { continue };
        let (ns, name) = meta_names(&r.metadata);
        let l = || labels(&[("namespace", &ns), ("replicaset", &name)]);
        let st = r.status.clone().unwrap_or_default();
        out.gauge(
            "kube_replicaset_spec_replicas",
            "[STABLE] Number of desired pods for a ReplicaSet.",
            l(),
            r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1) as f64,
        );
        out.gauge(
            "kube_replicaset_status_replicas",
            "[STABLE] The number of replicas per ReplicaSet.",
            l(),
            st.replicas as f64,
        );
        out.gauge(
            "kube_replicaset_status_ready_replicas",
            "[STABLE] The number of ready replicas per ReplicaSet.",
            l(),
            st.ready_replicas.unwrap_or(0) as f64,
        );
        for owner in r.metadata.owner_references.iter().flatten() {
            out.gauge(
                "kube_replicaset_owner",
                "[STABLE] Information about the ReplicaSet's owner.",
                labels(&[
                    ("namespace", &ns),
                    ("replicaset", &name),
                    ("owner_kind", &owner.kind),
                    ("owner_name", &owner.name),
                    ("owner_is_controller", if owner.controller == Some(true) { "true" } else { "false" }),
                ]),
                1.0,
            );
        }
    }

    for o in list(Kind::StatefulSet) {
        let Object::StatefulSet(s) = &**o else { continue };
        let (ns, name) = meta_names(&s.metadata);
        let l = || labels(&[("namespace", &ns), ("statefulset", &name)]);
        let st = s.status.clone().unwrap_or_default();
        out.gauge("kube_statefulset_labels", "Kubernetes labels converted to Prometheus labels.", l(), 1.0);
        out.gauge(
            "kube_statefulset_replicas",
            "[STABLE] Number of desired pods for a StatefulSet.",
            l(),
            s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1) as f64,
        );
        out.gauge(
            "kube_statefulset_status_replicas",
            "[STABLE] The number of replicas per StatefulSet.",
            l(),
            st.replicas as f64,
        );
        out.gauge(
            "kube_statefulset_status_replicas_ready",
            "[STABLE] The number of ready replicas per StatefulSet.",
            l(),
            st.ready_replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_statefulset_status_replicas_available",
            "The number of available replicas per StatefulSet.",
            l(),
            st.available_replicas.unwrap_or(0) as f64,
        );
    }

    for o in list(Kind::DaemonSet) {
        let Object::DaemonSet(d) = &**o else { continue };
        let (ns, name) = meta_names(&d.metadata);
        let l = || labels(&[("namespace", &ns), ("daemonset", &name)]);
        let st = d.status.clone().unwrap_or_default();
        out.gauge("kube_daemonset_labels", "Kubernetes labels converted to Prometheus labels.", l(), 1.0);
        out.gauge(
            "kube_daemonset_status_current_number_scheduled",
            "[STABLE] The number of nodes running at least one daemon pod and are supposed to.",
            l(),
            st.current_number_scheduled as f64,
        );
        out.gauge(
            "kube_daemonset_status_desired_number_scheduled",
            "[STABLE] The number of nodes that should be running the daemon pod.",
            l(),
            st.desired_number_scheduled as f64,
        );
        out.gauge("kube_daemonset_status_number_available", "[STABLE] The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available", l(), st.number_available.unwrap_or(0) as f64);
        out.gauge(
            "kube_daemonset_status_number_misscheduled",
            "[STABLE] The number of nodes running a daemon pod but are not supposed to.",
            l(),
            st.number_misscheduled as f64,
        );
        out.gauge("kube_daemonset_status_number_ready", "[STABLE] The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.", l(), st.number_ready as f64);
        out.gauge("kube_daemonset_status_number_unavailable", "[STABLE] The number of nodes that should be running the daemon pod and have none of the daemon pod running and available", l(), st.number_unavailable.unwrap_or(0) as f64);
    }

    for o in list(Kind::Job) {
        let Object::Job(j) = &**o else { continue };
        let (ns, name) = meta_names(&j.metadata);
        let l = || labels(&[("namespace", &ns), ("job_name", &name)]);
        let st = j.status.clone().unwrap_or_default();
        out.gauge("kube_job_info", "[STABLE] Information about job.", l(), 1.0);
        out.gauge(
            "kube_job_status_active",
            "[STABLE] The number of actively running pods.",
            l(),
            st.active.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_job_status_failed",
            "[STABLE] The number of pods which reached Phase Failed and the reason for failure.",
            l(),
            st.failed.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_job_status_succeeded",
            "[STABLE] The number of pods which reached Phase Succeeded.",
            l(),
            st.succeeded.unwrap_or(0) as f64,
        );
        for c in st.conditions.iter().flatten().filter(|c| c.type_ == "Complete" || c.type_ == "Failed") {
            let family = if c.type_ == "Complete" { "kube_job_complete" } else { "kube_job_failed" };
            for s in ["true", "false", "unknown"] {
                let mut lab = l();
                lab.push(("condition", s.to_string()));
                out.gauge(
                    family,
                    "[STABLE] The job has completed its execution.",
                    lab,
                    b(c.status.to_lowercase() == s),
                );
            }
        }
    }

    for o in list(Kind::PersistentVolumeClaim) {
        let Object::PersistentVolumeClaim(c) = &**o else { continue };
        let (ns, name) = meta_names(&c.metadata);
        let spec = c.spec.clone().unwrap_or_default();
        out.gauge(
            "kube_persistentvolumeclaim_info",
            "[STABLE] Information about persistent volume claim.",
            labels(&[
                ("namespace", &ns),
                ("persistentvolumeclaim", &name),
                ("storageclass", spec.storage_class_name.as_deref().unwrap_or_default()),
                ("volumename", spec.volume_name.as_deref().unwrap_or_default()),
            ]),
            1.0,
        );
        let phase = c.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into());
        for p in ["Lost", "Bound", "Pending"] {
            out.gauge(
                "kube_persistentvolumeclaim_status_phase",
                "[STABLE] The phase the persistent volume claim is currently in.",
                labels(&[("namespace", &ns), ("persistentvolumeclaim", &name), ("phase", p)]),
                b(p == phase),
            );
        }
        if let Some(q) = spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage")) {
            out.gauge(
                "kube_persistentvolumeclaim_resource_requests_storage_bytes",
                "[STABLE] The capacity of storage requested by the persistent volume claim.",
                labels(&[("namespace", &ns), ("persistentvolumeclaim", &name)]),
                quantity(q),
            );
        }
    }

    for o in list(Kind::PersistentVolume) {
        let Object::PersistentVolume(v) = &**o else { continue };
        let name = o.name();
        let phase = v.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
        for p in ["Pending", "Available", "Bound", "Released", "Failed"] {
            out.gauge(
                "kube_persistentvolume_status_phase",
                "[STABLE] The phase indicates if a volume is available, bound to a claim, or released by a claim.",
                labels(&[("persistentvolume", name), ("phase", p)]),
                b(p == phase),
            );
        }
        if let Some(q) = v.spec.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("storage")) {
            out.gauge(
                "kube_persistentvolume_capacity_bytes",
                "[STABLE] Persistentvolume capacity in bytes.",
                labels(&[("persistentvolume", name)]),
                quantity(q),
            );
        }
    }

    for o in list(Kind::HorizontalPodAutoscaler) {
        let Object::HorizontalPodAutoscaler(h) = &**o else { continue };
        let (ns, name) = meta_names(&h.metadata);
        let l = || labels(&[("namespace", &ns), ("horizontalpodautoscaler", &name)]);
        let spec = h.spec.clone().unwrap_or_default();
        let st = h.status.clone().unwrap_or_default();
        out.gauge(
            "kube_horizontalpodautoscaler_info",
            "Information about this autoscaler.",
            {
                let mut x = l();
                x.push(("scaletargetref_kind", spec.scale_target_ref.kind.clone()));
                x.push(("scaletargetref_name", spec.scale_target_ref.name.clone()));
                x
            },
            1.0,
        );
        out.gauge("kube_horizontalpodautoscaler_labels", "Kubernetes labels converted to Prometheus labels.", l(), 1.0);
        out.gauge(
            "kube_horizontalpodautoscaler_spec_max_replicas",
            "Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.",
            l(),
            spec.max_replicas as f64,
        );
        out.gauge(
            "kube_horizontalpodautoscaler_spec_min_replicas",
            "Lower limit for the number of pods that can be set by the autoscaler, default 1.",
            l(),
            spec.min_replicas.unwrap_or(1) as f64,
        );
        out.gauge(
            "kube_horizontalpodautoscaler_status_current_replicas",
            "Current number of replicas of pods managed by this autoscaler.",
            l(),
            st.current_replicas.unwrap_or(0) as f64,
        );
        out.gauge(
            "kube_horizontalpodautoscaler_status_desired_replicas",
            "Desired number of replicas of pods managed by this autoscaler.",
            l(),
            st.desired_replicas as f64,
        );
        for m in spec.metrics.iter().flatten() {
            if let Some(r) = &m.resource {
                if let Some(u) = r.target.average_utilization {
                    let mut x = l();
                    x.push(("metric_name", r.name.clone()));
                    x.push(("metric_target_type", "utilization".into()));
                    out.gauge(
                        "kube_horizontalpodautoscaler_spec_target_metric",
                        "The metric specifications used by this autoscaler when calculating the desired replica count.",
                        x,
                        u as f64,
                    );
                }
            }
        }
        for c in st.conditions.iter().flatten() {
            for s in ["true", "false", "unknown"] {
                let mut x = l();
                x.push(("condition", c.type_.clone()));
                x.push(("status", s.into()));
                out.gauge(
                    "kube_horizontalpodautoscaler_status_condition",
                    "The condition of this autoscaler.",
                    x,
                    b(c.status.to_lowercase() == s),
                );
            }
        }
    }

    for o in list(Kind::Service) {
        let Object::Service(s) = &**o else { continue };
        let (ns, name) = meta_names(&s.metadata);
        let spec = s.spec.clone().unwrap_or_default();
        let uid = s.metadata.uid.clone().unwrap_or_default();
        out.gauge(
            "kube_service_info",
            "[STABLE] Information about service.",
            labels(&[
                ("namespace", &ns),
                ("service", &name),
                ("uid", &uid),
                ("cluster_ip", spec.cluster_ip.as_deref().unwrap_or_default()),
                ("external_name", spec.external_name.as_deref().unwrap_or_default()),
                ("load_balancer_ip", spec.load_balancer_ip.as_deref().unwrap_or_default()),
            ]),
            1.0,
        );
        let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
        out.gauge(
            "kube_service_spec_type",
            "[STABLE] Type about service.",
            labels(&[("namespace", &ns), ("service", &name), ("uid", &uid), ("type", &kind)]),
            1.0,
        );
    }

    for (kind, family, help, key) in [
        (Kind::Endpoints, "kube_endpoint_info", "[STABLE] Information about endpoint.", "endpoint"),
        (Kind::Ingress, "kube_ingress_info", "Information about ingress.", "ingress"),
        (Kind::ConfigMap, "kube_configmap_info", "[STABLE] Information about configmap.", "configmap"),
        (Kind::Secret, "kube_secret_info", "[STABLE] Information about secret.", "secret"),
        (
            Kind::NetworkPolicy,
            "kube_networkpolicy_labels",
            "Kubernetes labels converted to Prometheus labels.",
            "networkpolicy",
        ),
    ] {
        for o in list(kind) {
            out.gauge(family, help, labels(&[("namespace", o.namespace()), (key, o.name())]), 1.0);
        }
    }
    out.0.into_values().collect()
}
