//! What the Endpoints and EndpointSlice controllers agree on about a Service
//! and its pods: which Services they manage and which of those select a pod,
//! whether a pod belongs in endpoints at all, which container port a Service
//! port reaches on a pod, and the change-trigger time both annotate with.

use super::pods::ready_since;
use crate::api::Kind;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Pod, Service, ServicePort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeSet, HashMap};

/// The annotation saying when the change an endpoints object reflects
/// happened (a pod turning ready, the Service being made).
pub const TRIGGER_TIME: &str = "endpoints.kubernetes.io/last-change-trigger-time";
/// The label marking the endpoints of a headless Service.
pub const HEADLESS: &str = "service.kubernetes.io/headless";

/// The pod selector of a Service the controllers keep endpoints for: one
/// with a selector that is not ExternalName. An empty selector counts as
/// none, as the API server stores it.
pub fn managed_selector(svc: &Service) -> Option<Selector> {
    let spec = svc.spec.as_ref()?;
    if spec.type_.as_deref() == Some("ExternalName") {
        return None;
    }
    spec.selector.as_ref().filter(|s| !s.is_empty()).map(Selector::from_map)
}

/// Whether the Service has no cluster IP (`None`), so its endpoints are
/// labelled headless.
pub fn is_headless(svc: &Service) -> bool {
    let ip = svc.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()).unwrap_or_default();
    ip.is_empty() || ip == "None"
}

/// The Ready condition is True.
pub fn is_ready(pod: &Pod) -> bool {
    ready_since(pod).is_some()
}

/// When the pod's Ready condition last changed, whichever way.
pub fn ready_transition(pod: &Pod) -> Option<Time> {
    let condition = pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready")?;
    condition.last_transition_time.as_ref().map(Time::from_k8s)
}

/// Whether the pod can be an endpoint: not finished, given an IP, and not
/// terminating unless `include_terminating`.
pub fn belongs(pod: &Pod, include_terminating: bool) -> bool {
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    if phase == "Succeeded" || phase == "Failed" {
        return false;
    }
    let has_ip = status.is_some_and(|s| {
        s.pod_ip.as_deref().is_some_and(|ip| !ip.is_empty()) || s.pod_ips.as_ref().is_some_and(|ips| !ips.is_empty())
    });
    has_ip && (include_terminating || pod.metadata.deletion_timestamp.is_none())
}

/// The pod's IPv4 address, the family every Service here has.
pub fn ipv4(pod: &Pod) -> Option<&str> {
    pod.status.as_ref()?.pod_ips.as_ref()?.iter().map(|p| p.ip.as_str()).find(|ip| !ip.contains(':'))
}

/// The container port a Service port reaches on `pod`: its number, or the
/// container (or sidecar) port of that name and protocol; `None` when the
/// pod has no such port, which leaves the pod out for that port.
pub fn find_port(pod: &Pod, port: &ServicePort) -> Option<i32> {
    let protocol = port.protocol.as_deref().unwrap_or("TCP");
    match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(name)) => {
            let spec = pod.spec.as_ref()?;
            let sidecars =
                spec.init_containers.iter().flatten().filter(|c| c.restart_policy.as_deref() == Some("Always"));
            spec.containers.iter().chain(sidecars).flat_map(|c| c.ports.iter().flatten()).find_map(|p| {
                (p.name.as_deref() == Some(name.as_str()) && p.protocol.as_deref().unwrap_or("TCP") == protocol)
                    .then_some(p.container_port)
            })
        }
    }
}

/// The managed Services in the pod's namespace whose selector matches it:
/// a namespace's Services are few, so this lists them as the real
/// controllers do.
pub fn selecting(store: &Store, pod: &Object) -> BTreeSet<String> {
    let labels = pod.meta().labels.as_ref();
    store
        .list(Kind::Service, Some(pod.namespace()))
        .filter_map(|o| match &**o {
            Object::Service(svc) => managed_selector(svc).filter(|s| s.matches(labels)).map(|_| o.name().to_string()),
            _ => None,
        })
        .collect()
}

/// Whether an endpoint's target is this pod.
pub fn targets(reference: Option<&k8s_openapi::api::core::v1::ObjectReference>, pod: &Object) -> bool {
    reference.is_some_and(|r| {
        r.kind.as_deref() == Some("Pod") && r.name.as_deref() == Some(pod.name()) && r.uid == pod.meta().uid
    })
}

/// What a controller last saw of a Service's trigger times.
#[derive(Debug, Default)]
struct Seen {
    service: Time,
    pods: HashMap<String, Time>,
}

/// The trigger-time tracker both controllers keep: the time of the oldest
/// change since their last sync of a Service, or its creation when they have
/// not synced it before (as after a restart).
#[derive(Debug, Default)]
pub struct TriggerTimes(HashMap<(String, String), Seen>);

impl TriggerTimes {
    /// Records what the sync sees and returns the time to annotate with
    /// (`None`: the annotation goes).
    pub fn compute(&mut self, svc: &Service, pods: &[&Pod]) -> Option<Time> {
        let key = (svc.metadata.namespace.clone().unwrap_or_default(), svc.metadata.name.clone().unwrap_or_default());
        let known = self.0.contains_key(&key);
        let seen = self.0.entry(key).or_default();
        let mut earliest: Option<Time> = None;
        let mut pods_now = HashMap::new();
        for pod in pods {
            let Some(at) = ready_transition(pod) else { continue };
            let name = pod.metadata.name.clone().unwrap_or_default();
            if seen.pods.get(&name).is_none_or(|before| at > *before) {
                earliest = Some(earliest.map_or(at, |e| e.min(at)));
            }
            pods_now.insert(name, at);
        }
        let created = svc.metadata.creation_timestamp.as_ref().map_or(Time(0), Time::from_k8s);
        if created > seen.service {
            earliest = Some(earliest.map_or(created, |e| e.min(created)));
        }
        seen.pods = pods_now;
        seen.service = created;
        if known {
            earliest
        } else {
            Some(created)
        }
    }

    /// Forgets a deleted Service.
    pub fn forget(&mut self, namespace: &str, name: &str) {
        self.0.remove(&(namespace.to_string(), name.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(ports: serde_json::Value, phase: &str, ip: Option<&str>, deleting: bool) -> Pod {
        let mut value = json!({
            "metadata": {"name": "p", "namespace": "default", "uid": "u"},
            "spec": {"containers": [{"name": "c", "ports": ports}]},
            "status": {"phase": phase}
        });
        if let Some(ip) = ip {
            value["status"]["podIP"] = json!(ip);
            value["status"]["podIPs"] = json!([{"ip": ip}]);
        }
        if deleting {
            value["metadata"]["deletionTimestamp"] = json!("2026-01-01T09:00:00Z");
        }
        serde_json::from_value(value).expect("fixture")
    }

    fn service_port(target: IntOrString, protocol: &str) -> ServicePort {
        ServicePort { port: 80, target_port: Some(target), protocol: Some(protocol.into()), ..Default::default() }
    }

    #[test]
    fn named_ports_resolve_per_pod_and_protocol() {
        let p = pod(json!([{"name": "http", "containerPort": 8080}]), "Running", Some("10.0.0.1"), false);
        assert_eq!(find_port(&p, &service_port(IntOrString::String("http".into()), "TCP")), Some(8080));
        assert_eq!(find_port(&p, &service_port(IntOrString::String("http".into()), "UDP")), None);
        assert_eq!(find_port(&p, &service_port(IntOrString::String("web".into()), "TCP")), None);
        assert_eq!(find_port(&p, &service_port(IntOrString::Int(9000), "TCP")), Some(9000));
    }

    #[test]
    fn only_live_pods_with_an_ip_belong() {
        assert!(belongs(&pod(json!([]), "Running", Some("10.0.0.1"), false), false));
        assert!(!belongs(&pod(json!([]), "Pending", None, false), true));
        assert!(!belongs(&pod(json!([]), "Succeeded", Some("10.0.0.1"), false), true));
        let terminating = pod(json!([]), "Running", Some("10.0.0.1"), true);
        assert!(!belongs(&terminating, false));
        assert!(belongs(&terminating, true));
    }
}
