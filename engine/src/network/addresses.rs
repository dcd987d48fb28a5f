//! What an address is: a node, a pod, a Service's cluster IP, node port or
//! load-balancer address. Answered from the store when a request is made;
//! a lookup scans one kind, which one command can afford and nothing does
//! per tick.

use crate::api::Kind;
use crate::object::Object;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Pod, Service};
use std::sync::Arc;

/// A node's InternalIP.
pub fn node_ip(store: &Store, node: &str) -> Option<String> {
    let object = store.get(Kind::Node, "", node)?;
    let addresses = object.as_node()?.status.as_ref()?.addresses.as_ref()?;
    addresses.iter().find(|a| a.type_ == "InternalIP").map(|a| a.address.clone())
}

/// The node whose InternalIP is `ip`.
pub fn node_by_ip(store: &Store, ip: &str) -> Option<String> {
    store.list(Kind::Node, None).find(|n| node_ip(store, n.name()).as_deref() == Some(ip)).map(|n| n.name().to_string())
}

/// The first control-plane node (`m-k8s` in the notes' lab).
pub fn control_plane(store: &Store) -> Option<String> {
    store.list(Kind::Node, None).find(|n| crate::labels::is_control_plane(n.meta())).map(|n| n.name().to_string())
}

/// The node the terminal's shell runs on: the control plane, or the first
/// node of a cluster without one.
pub fn host_node(store: &Store) -> Option<String> {
    control_plane(store).or_else(|| store.list(Kind::Node, None).next().map(|n| n.name().to_string()))
}

/// The running pod (not on the host network) whose IP is `ip`.
pub fn pod_by_ip<'a>(store: &'a Store, ip: &str) -> Option<&'a Arc<Object>> {
    store.list(Kind::Pod, None).find(|o| {
        o.as_pod().is_some_and(|p| {
            !host_network(p)
                && !matches!(phase(p), "Succeeded" | "Failed")
                && p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(ip)
        })
    })
}

/// Whether the pod shares its node's network.
pub fn host_network(pod: &Pod) -> bool {
    pod.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false)
}

fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

fn services(store: &Store) -> impl Iterator<Item = (&Arc<Object>, &Service)> {
    store.list(Kind::Service, None).filter_map(|o| o.as_service().map(|s| (o, s)))
}

/// The Service whose cluster IP is `ip`.
pub fn service_by_cluster_ip<'a>(store: &'a Store, ip: &str) -> Option<&'a Service> {
    services(store).map(|(_, s)| s).find(|s| {
        let spec = s.spec.as_ref();
        spec.and_then(|s| s.cluster_ip.as_deref()) == Some(ip)
            || spec.and_then(|s| s.cluster_ips.as_ref()).is_some_and(|ips| ips.iter().any(|i| i == ip))
    })
}

/// The Service holding node port `port` on every node.
pub fn service_by_node_port(store: &Store, port: i32) -> Option<&Service> {
    services(store)
        .map(|(_, s)| s)
        .find(|s| s.spec.iter().flat_map(|s| s.ports.iter().flatten()).any(|p| p.node_port == Some(port)))
}

/// The LoadBalancer Service whose external address is `ip`.
pub fn service_by_load_balancer_ip<'a>(store: &'a Store, ip: &str) -> Option<&'a Service> {
    services(store).map(|(_, s)| s).find(|s| load_balancer_ips(s).iter().any(|i| i == ip))
}

/// The addresses a load balancer gave the Service.
pub fn load_balancer_ips(service: &Service) -> Vec<String> {
    let ingress = service.status.as_ref().and_then(|s| s.load_balancer.as_ref()).and_then(|l| l.ingress.as_ref());
    ingress.into_iter().flatten().filter_map(|i| i.ip.clone()).collect()
}

/// Whether kube-proxy's pod on `node` has its container running.
pub fn kube_proxy_running(store: &Store, node: &str) -> bool {
    store.pods_on_node(node).filter(|(ns, _)| ns == "kube-system").any(|(ns, name)| {
        let Some(pod) = store.get(Kind::Pod, ns, name).and_then(|o| o.as_pod()) else { return false };
        let is_proxy = pod.metadata.labels.as_ref().and_then(|l| l.get("k8s-app")).is_some_and(|a| a == "kube-proxy");
        is_proxy
            && pod.metadata.deletion_timestamp.is_none()
            && pod
                .status
                .iter()
                .flat_map(|s| s.container_statuses.iter().flatten())
                .any(|c| c.state.as_ref().is_some_and(|s| s.running.is_some()))
    })
}

/// Whether `ip` is on the lab's own network (the nodes' subnet), where an
/// address nobody holds answers "No route to host" rather than silence.
pub fn on_node_subnet(store: &Store, ip: &str) -> bool {
    let prefix = |ip: &str| ip.rsplit_once('.').map(|(p, _)| p.to_string());
    store.list(Kind::Node, None).filter_map(|n| node_ip(store, n.name())).any(|node| prefix(&node) == prefix(ip))
}

/// Whether `text` is a dotted IPv4 address.
pub fn is_ipv4(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u8>().is_ok())
}
