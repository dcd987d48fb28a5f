//! NetworkPolicy as the network add-on (Calico) enforces it: a pod selected
//! by a policy with the Ingress type accepts only what one of those
//! policies' ingress rules allows, a pod selected by one with the Egress
//! type sends only what an egress rule allows; rules match peers by pod and
//! namespace labels or address blocks, and ports by number or name.
//! Packets a policy does not allow are dropped, so the client times out.
//! The node a pod runs on may always reach it (the kubelet's probes).

use crate::api::Kind;
use crate::labels::Selector;
use crate::store::Store;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// One end of a connection as policies see it.
pub struct End<'a> {
    /// The pod, when the end is one.
    pub pod: Option<&'a Pod>,
    pub ip: &'a str,
}

/// Whether a connection from `from` to `port` of pod `to` gets through.
pub fn allows(store: &Store, from: &End, to: &Pod, port: i32) -> bool {
    let to_ip = to.status.as_ref().and_then(|s| s.pod_ip.as_deref()).unwrap_or_default();
    let to_node = to.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    let from_node =
        from.pod.is_none() && crate::network::addresses::node_ip(store, to_node).as_deref() == Some(from.ip);
    let ingress_ok = from_node || {
        let selecting = selecting(store, to, "Ingress");
        selecting.is_empty()
            || selecting.iter().any(|p| {
                p.spec.iter().flat_map(|s| s.ingress.iter().flatten()).any(|rule| {
                    ports_match(rule.ports.as_deref(), to, port)
                        && peers_match(store, p, rule.from.as_deref(), from.pod, from.ip)
                })
            })
    };
    let egress_ok = match from.pod {
        None => true,
        Some(pod) => {
            let selecting = selecting(store, pod, "Egress");
            selecting.is_empty()
                || selecting.iter().any(|p| {
                    p.spec.iter().flat_map(|s| s.egress.iter().flatten()).any(|rule| {
                        ports_match(rule.ports.as_deref(), to, port)
                            && peers_match(store, p, rule.to.as_deref(), Some(to), to_ip)
                    })
                })
        }
    };
    ingress_ok && egress_ok
}

/// The policies in the pod's namespace that select it for `kind` traffic.
fn selecting<'a>(store: &'a Store, pod: &'a Pod, kind: &str) -> Vec<&'a NetworkPolicy> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    store
        .list(Kind::NetworkPolicy, Some(namespace))
        .filter_map(|o| match &**o {
            crate::object::Object::NetworkPolicy(p) => Some(&**p),
            _ => None,
        })
        .filter(|p| {
            let Some(spec) = p.spec.as_ref() else { return false };
            let types = match &spec.policy_types {
                Some(types) => types.clone(),
                // Unset: Ingress always, Egress when there are egress rules.
                None if spec.egress.is_some() => vec!["Ingress".into(), "Egress".into()],
                None => vec!["Ingress".into()],
            };
            types.iter().any(|t| t == kind)
                && spec.pod_selector.as_ref().is_none_or(|selector| {
                    Selector::from_api(selector).is_ok_and(|s| s.matches(pod.metadata.labels.as_ref()))
                })
        })
        .collect()
}

/// Whether a rule's ports admit `port` of pod `to` (none listed: all).
fn ports_match(ports: Option<&[NetworkPolicyPort]>, to: &Pod, port: i32) -> bool {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else { return true };
    ports.iter().any(|p| {
        if p.protocol.as_deref().is_some_and(|proto| proto != "TCP") {
            return false;
        }
        match &p.port {
            None => true,
            Some(IntOrString::Int(n)) => match p.end_port {
                Some(end) => (*n..=end).contains(&port),
                None => *n == port,
            },
            Some(IntOrString::String(name)) => to
                .spec
                .iter()
                .flat_map(|s| &s.containers)
                .flat_map(|c| c.ports.iter().flatten())
                .any(|cp| cp.name.as_deref() == Some(name) && cp.container_port == port),
        }
    })
}

/// Whether a rule's peers admit the other end (none listed: everyone).
fn peers_match(
    store: &Store,
    policy: &NetworkPolicy,
    peers: Option<&[NetworkPolicyPeer]>,
    pod: Option<&Pod>,
    ip: &str,
) -> bool {
    let Some(peers) = peers.filter(|p| !p.is_empty()) else { return true };
    let policy_ns = policy.metadata.namespace.as_deref().unwrap_or("default");
    peers.iter().any(|peer| {
        if let Some(block) = &peer.ip_block {
            return in_cidr(ip, &block.cidr) && !block.except.iter().flatten().any(|e| in_cidr(ip, e));
        }
        let Some(pod) = pod else { return false };
        let pod_ns = pod.metadata.namespace.as_deref().unwrap_or("default");
        let namespace_ok = match &peer.namespace_selector {
            None => pod_ns == policy_ns,
            Some(selector) => {
                let labels = store.get(Kind::Namespace, "", pod_ns).and_then(|n| n.meta().labels.clone());
                Selector::from_api(selector).is_ok_and(|s| s.matches(labels.as_ref()))
            }
        };
        let pod_ok = match &peer.pod_selector {
            None => true,
            Some(selector) => Selector::from_api(selector).is_ok_and(|s| s.matches(pod.metadata.labels.as_ref())),
        };
        namespace_ok && pod_ok
    })
}

/// Whether IPv4 address `ip` is inside `cidr`.
fn in_cidr(ip: &str, cidr: &str) -> bool {
    let parse = |text: &str| -> Option<u32> {
        let octets: Vec<u8> = text.split('.').map(|o| o.parse().ok()).collect::<Option<_>>()?;
        (octets.len() == 4).then(|| u32::from_be_bytes([octets[0], octets[1], octets[2], octets[3]]))
    };
    let (base, bits) = cidr.split_once('/').unwrap_or((cidr, "32"));
    let (Some(ip), Some(base), Ok(bits)) = (parse(ip), parse(base), bits.parse::<u32>()) else { return false };
    if bits > 32 {
        return false;
    }
    let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
    ip & mask == base & mask
}

#[cfg(test)]
mod tests {
    use super::in_cidr;

    #[test]
    fn address_blocks() {
        assert!(in_cidr("172.16.221.5", "172.16.0.0/16"));
        assert!(!in_cidr("172.17.0.1", "172.16.0.0/16"));
        assert!(in_cidr("10.0.0.1", "0.0.0.0/0"));
        assert!(in_cidr("192.168.1.10", "192.168.1.10/32"));
        assert!(!in_cidr("192.168.1.11", "192.168.1.10"));
        assert!(!in_cidr("bad", "0.0.0.0/0"));
    }
}
