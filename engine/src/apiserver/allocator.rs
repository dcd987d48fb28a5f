//! The Service IP and NodePort allocators: a cluster IP from the service
//! CIDR (10.96.0.0/12) and node ports from 30000–32767, chosen at random
//! among the free ones as the API server chooses them (seeded, so replays
//! match), and explicit choices checked.

use crate::api::Kind;
use crate::object::Object;
use crate::rng::Rng;
use crate::store::Store;
use k8s_openapi::api::core::v1::Service;
use std::collections::BTreeSet;

/// The first node port.
pub const NODE_PORT_MIN: i32 = 30000;
/// The last node port.
pub const NODE_PORT_MAX: i32 = 32767;
/// 10.96.0.0/12 holds 2^20 addresses.
const SERVICE_CIDR_SIZE: u32 = 1 << 20;
const SERVICE_CIDR_BASE: u32 = (10 << 24) | (96 << 16);

fn in_use(store: &Store, except: Option<&str>) -> (BTreeSet<String>, BTreeSet<i32>) {
    let mut ips = BTreeSet::new();
    let mut ports = BTreeSet::new();
    for object in store.list(Kind::Service, None) {
        let Object::Service(svc) = &**object else { continue };
        if except.is_some_and(|uid| svc.metadata.uid.as_deref() == Some(uid)) {
            continue;
        }
        let Some(spec) = svc.spec.as_ref() else { continue };
        ips.extend(spec.cluster_ip.clone());
        ports.extend(spec.ports.iter().flatten().filter_map(|p| p.node_port));
    }
    (ips, ports)
}

fn ip(offset: u32) -> String {
    let v = SERVICE_CIDR_BASE + offset;
    format!("{}.{}.{}.{}", v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)
}

/// Assigns the cluster IP and node ports a new Service needs; returns the
/// causes for explicit choices that are taken or out of range.
pub fn allocate(store: &Store, rng: &mut Rng, svc: &mut Service) -> Vec<String> {
    let mut causes = Vec::new();
    let (ips, mut ports) = in_use(store, None);
    let Some(spec) = svc.spec.as_mut() else { return causes };
    let type_ = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    if type_ != "ExternalName" {
        match spec.cluster_ip.as_deref() {
            Some("None") => {}
            Some(wanted) if !wanted.is_empty() => {
                if ips.contains(wanted) {
                    causes.push(format!(
                        "spec.clusterIPs: Invalid value: []string{{{wanted:?}}}: failed to allocate IP {wanted}: provided IP is already allocated"
                    ));
                }
            }
            _ => {
                // Random offsets above the first 16 (kept for well-known services).
                let mut chosen = None;
                for _ in 0..64 {
                    let candidate = ip(16 + rng.below((SERVICE_CIDR_SIZE - 18) as usize) as u32);
                    if !ips.contains(&candidate) {
                        chosen = Some(candidate);
                        break;
                    }
                }
                if let Some(c) = chosen {
                    spec.cluster_ip = Some(c);
                }
            }
        }
        spec.cluster_ips = spec.cluster_ip.clone().map(|c| vec![c]);
    }
    if type_ == "NodePort" || type_ == "LoadBalancer" {
        for (i, port) in spec.ports.iter_mut().flatten().enumerate() {
            match port.node_port {
                Some(n) if n != 0 => {
                    if !(NODE_PORT_MIN..=NODE_PORT_MAX).contains(&n) {
                        causes.push(format!(
                            "spec.ports[{i}].nodePort: Invalid value: {n}: provided port is not in the valid range. The range of valid ports is {NODE_PORT_MIN}-{NODE_PORT_MAX}"
                        ));
                    } else if !ports.insert(n) {
                        causes.push(format!(
                            "spec.ports[{i}].nodePort: Invalid value: {n}: provided port is already allocated"
                        ));
                    }
                }
                _ => port.node_port = free_node_port(rng, &mut ports),
            }
        }
    }
    causes
}

fn needs_node_ports(svc: &Service) -> bool {
    matches!(svc.spec.as_ref().and_then(|s| s.type_.as_deref()), Some("NodePort" | "LoadBalancer"))
}

/// A random free node port, taken.
fn free_node_port(rng: &mut Rng, ports: &mut BTreeSet<i32>) -> Option<i32> {
    let span = (NODE_PORT_MAX - NODE_PORT_MIN + 1) as usize;
    let start = rng.below(span);
    let free = (0..span).map(|k| NODE_PORT_MIN + ((start + k) % span) as i32).find(|p| !ports.contains(p))?;
    ports.insert(free);
    Some(free)
}

/// On an update, as the API server's service strategy does: a Service that
/// becomes NodePort or LoadBalancer gets ports for those that lack one; one
/// that stops being so loses the ports it kept from before (`old`).
pub fn reallocate_node_ports(store: &Store, rng: &mut Rng, old: &Service, svc: &mut Service) {
    if !needs_node_ports(svc) {
        let kept: BTreeSet<i32> =
            old.spec.iter().flat_map(|s| s.ports.iter().flatten()).filter_map(|p| p.node_port).collect();
        for port in svc.spec.iter_mut().flat_map(|s| s.ports.iter_mut().flatten()) {
            if port.node_port.is_some_and(|n| kept.contains(&n)) {
                port.node_port = None;
            }
        }
        return;
    }
    let (_, mut ports) = in_use(store, svc.metadata.uid.as_deref().or(old.metadata.uid.as_deref()));
    let own = svc.spec.iter().flat_map(|s| s.ports.iter().flatten()).filter_map(|p| p.node_port);
    ports.extend(own.filter(|n| *n != 0));
    for port in svc.spec.iter_mut().flat_map(|s| s.ports.iter_mut().flatten()) {
        if port.node_port.unwrap_or(0) == 0 {
            port.node_port = free_node_port(rng, &mut ports);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_of_the_service_cidr() {
        assert_eq!(ip(1), "10.96.0.1");
        assert_eq!(ip(10), "10.96.0.10");
        assert_eq!(ip(SERVICE_CIDR_SIZE - 2), "10.111.255.254");
    }
}
