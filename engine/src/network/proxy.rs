//! kube-proxy: what a node's Service rules do with a packet for a Service
//! port. The rules come from the Service's EndpointSlices, as kube-proxy
//! reads them: ready endpoints, or (when none is ready) the ones still
//! serving while they terminate; a random pick among them, or the same one
//! for a client under `sessionAffinity: ClientIP`.

use super::Dice;
use crate::api::Kind;
use crate::labels::Selector;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Service, ServicePort};
use std::collections::BTreeMap;

/// One backend of a Service port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub ip: String,
    pub port: i32,
    pub node: Option<String>,
    /// The pod behind it (namespace, name), when the slice names one.
    pub pod: Option<(String, String)>,
}

/// The endpoints kube-proxy programs for `port` of `service`.
pub fn endpoints(store: &Store, service: &Service, port: &ServicePort) -> Vec<Endpoint> {
    let namespace = service.metadata.namespace.as_deref().unwrap_or("default");
    let name = service.metadata.name.as_deref().unwrap_or_default();
    let selector = Selector::from_map(&BTreeMap::from([("kubernetes.io/service-name".to_string(), name.to_string())]));
    let want = port.name.as_deref().unwrap_or_default();
    let mut ready = Vec::new();
    let mut serving = Vec::new();
    for object in store.select(Kind::EndpointSlice, Some(namespace), &selector) {
        let Some(slice) = object.as_endpoint_slice() else { continue };
        let Some(number) =
            slice.ports.iter().flatten().find(|p| p.name.as_deref().unwrap_or_default() == want).and_then(|p| p.port)
        else {
            continue;
        };
        for endpoint in &slice.endpoints {
            let Some(ip) = endpoint.addresses.first() else { continue };
            let conditions = endpoint.conditions.as_ref();
            // Unset conditions mean ready and serving, as the API says.
            let is_ready = conditions.and_then(|c| c.ready).unwrap_or(true);
            let is_serving = conditions.and_then(|c| c.serving).unwrap_or(is_ready);
            let pod =
                endpoint.target_ref.as_ref().filter(|r| r.kind.as_deref() == Some("Pod")).and_then(|r| {
                    Some((r.namespace.clone().unwrap_or_else(|| namespace.to_string()), r.name.clone()?))
                });
            let backend = Endpoint { ip: ip.clone(), port: number, node: endpoint.node_name.clone(), pod };
            if is_ready {
                ready.push(backend);
            } else if is_serving && conditions.and_then(|c| c.terminating).unwrap_or(false) {
                serving.push(backend);
            }
        }
    }
    let mut chosen = if ready.is_empty() { serving } else { ready };
    chosen.sort_by(|a, b| a.ip.cmp(&b.ip));
    chosen.dedup_by(|a, b| a.ip == b.ip && a.port == b.port);
    chosen
}

/// The Service port a packet for `port` matches.
pub fn service_port(service: &Service, port: i32) -> Option<&ServicePort> {
    service.spec.as_ref()?.ports.iter().flatten().find(|p| p.port == port && is_tcp(p))
}

/// The Service port behind node port `port`.
pub fn node_port(service: &Service, port: i32) -> Option<&ServicePort> {
    service.spec.as_ref()?.ports.iter().flatten().find(|p| p.node_port == Some(port) && is_tcp(p))
}

fn is_tcp(port: &ServicePort) -> bool {
    port.protocol.as_deref().unwrap_or("TCP") == "TCP"
}

/// Which endpoint gets the packet: the same one for the same client under
/// ClientIP affinity (kube-proxy remembers the first pick; a hash of the
/// client gives the same stickiness without keeping a table), a random one
/// otherwise.
pub fn pick<'e>(
    service: &Service,
    endpoints: &'e [Endpoint],
    client_ip: &str,
    dice: &mut Dice,
) -> Option<&'e Endpoint> {
    if endpoints.is_empty() {
        return None;
    }
    let sticky = service.spec.as_ref().and_then(|s| s.session_affinity.as_deref()) == Some("ClientIP");
    let index = if sticky {
        let uid = service.metadata.uid.as_deref().unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in client_ip.bytes().chain(uid.bytes()) {
            h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
        }
        (h % endpoints.len() as u64) as usize
    } else {
        dice.below(endpoints.len())
    };
    endpoints.get(index)
}
