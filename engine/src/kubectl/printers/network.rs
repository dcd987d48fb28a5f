//! Service, Endpoints, EndpointSlice, Ingress, IngressClass and
//! NetworkPolicy tables.

use super::cells::{first_three, labels, or_none, selector};
use super::Columns;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Endpoints, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};

fn name(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

pub const SERVICE: Columns = (&["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"], &["SELECTOR"]);

/// The EXTERNAL-IP cell.
pub fn external_ip(svc: &Service, wide: bool) -> String {
    let spec = svc.spec.as_ref();
    let external: Vec<String> = spec.and_then(|s| s.external_ips.clone()).unwrap_or_default();
    match spec.and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP") {
        "LoadBalancer" => {
            let mut ips: Vec<String> = svc
                .status
                .as_ref()
                .and_then(|s| s.load_balancer.as_ref())
                .and_then(|lb| lb.ingress.as_ref())
                .into_iter()
                .flatten()
                .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
                .collect();
            ips.extend(external);
            let text = ips.join(",");
            if text.is_empty() {
                "<pending>".into()
            } else if text.len() > 16 && !wide {
                format!("{}...", &text[..13])
            } else {
                text
            }
        }
        "ExternalName" => spec.and_then(|s| s.external_name.clone()).unwrap_or_default(),
        _ => or_none(external.join(",")),
    }
}

/// The PORT(S) cell: `80/TCP`, `80:30080/TCP`, comma-joined.
pub fn ports(svc: &Service) -> String {
    let ports = svc.spec.as_ref().and_then(|s| s.ports.as_deref()).unwrap_or_default();
    or_none(
        ports
            .iter()
            .map(|p| {
                let proto = p.protocol.as_deref().unwrap_or("TCP");
                match p.node_port {
                    Some(np) if np != 0 => format!("{}:{np}/{proto}", p.port),
                    _ => format!("{}/{proto}", p.port),
                }
            })
            .collect::<Vec<_>>()
            .join(","),
    )
}

pub fn service(svc: &Service, now: Time, wide: bool) -> Vec<String> {
    let spec = svc.spec.as_ref();
    let cluster_ip = spec
        .and_then(|s| s.cluster_ips.as_ref().and_then(|ips| ips.first().cloned()).or_else(|| s.cluster_ip.clone()))
        .unwrap_or_default();
    let mut cells = vec![
        name(&svc.metadata),
        spec.and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into()),
        or_none(cluster_ip),
        external_ip(svc, wide),
        ports(svc),
        super::age(&svc.metadata, now),
    ];
    if wide {
        cells.push(labels(spec.and_then(|s| s.selector.as_ref())));
    }
    cells
}

pub const ENDPOINTS: Columns = (&["NAME", "ENDPOINTS", "AGE"], &[]);

pub fn endpoints(ep: &Endpoints, now: Time) -> Vec<String> {
    vec![name(&ep.metadata), endpoints_cell(ep), super::age(&ep.metadata, now)]
}

/// kubectl's ENDPOINTS cell: `ip:port` for each port of each subset (ports
/// outer, ready addresses inner), the first three, then `+ N more...`;
/// `<none>` without subsets.
pub fn endpoints_cell(ep: &Endpoints) -> String {
    let subsets = ep.subsets.as_deref().unwrap_or_default();
    if subsets.is_empty() {
        return "<none>".into();
    }
    let mut items: Vec<String> = Vec::new();
    let mut count = 0;
    for subset in subsets {
        let addresses = subset.addresses.as_deref().unwrap_or_default();
        let ports = subset.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            count += addresses.len();
            items.extend(addresses.iter().map(|a| a.ip.clone()));
            continue;
        }
        for port in ports {
            count += addresses.len();
            items.extend(addresses.iter().map(|a| host_port(&a.ip, port.port)));
        }
    }
    more(items, count)
}

/// `ip:port`, with an IPv6 address bracketed as Go's JoinHostPort does.
fn host_port(ip: &str, port: i32) -> String {
    if ip.contains(':') {
        format!("[{ip}]:{port}")
    } else {
        format!("{ip}:{port}")
    }
}

/// The first three of `items` joined, then how many more of `count` there are.
fn more(items: Vec<String>, count: usize) -> String {
    if count > 3 {
        format!("{} + {} more...", items[..3].join(","), count - 3)
    } else {
        items.join(",")
    }
}

pub const ENDPOINT_SLICE: Columns = (&["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"], &[]);

pub fn endpoint_slice(es: &EndpointSlice, now: Time) -> Vec<String> {
    let ports: Vec<String> = es
        .ports
        .iter()
        .flatten()
        .map(|p| match (p.port, &p.name) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => "*".to_string(),
        })
        .collect();
    let addresses: Vec<String> = es.endpoints.iter().flat_map(|e| e.addresses.iter().cloned()).collect();
    let unset = |items: Vec<String>| {
        let count = items.len();
        let text = more(items, count);
        if text.is_empty() {
            "<unset>".to_string()
        } else {
            text
        }
    };
    vec![name(&es.metadata), es.address_type.clone(), unset(ports), unset(addresses), super::age(&es.metadata, now)]
}

pub const INGRESS: Columns = (&["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"], &[]);

/// The addresses a load balancer gave an Ingress, IP or host name each.
pub fn ingress_addresses(ing: &Ingress) -> Vec<String> {
    ing.status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .collect()
}

pub fn ingress(ing: &Ingress, now: Time) -> Vec<String> {
    let spec = ing.spec.as_ref();
    let hosts: Vec<String> =
        spec.and_then(|s| s.rules.as_ref()).into_iter().flatten().filter_map(|r| r.host.clone()).collect();
    let hosts = if hosts.is_empty() { "*".to_string() } else { first_three(&hosts) };
    let address = ingress_addresses(ing);
    let tls = spec.and_then(|s| s.tls.as_ref()).is_some_and(|t| !t.is_empty());
    vec![
        name(&ing.metadata),
        or_none(spec.and_then(|s| s.ingress_class_name.clone()).unwrap_or_default()),
        hosts,
        address.join(","),
        if tls { "80, 443" } else { "80" }.into(),
        super::age(&ing.metadata, now),
    ]
}

pub const INGRESS_CLASS: Columns = (&["NAME", "CONTROLLER", "PARAMETERS", "AGE"], &[]);

pub fn ingress_class(ic: &IngressClass, now: Time) -> Vec<String> {
    let spec = ic.spec.as_ref();
    let params = spec.and_then(|s| s.parameters.as_ref()).map_or_else(
        || "<none>".to_string(),
        |p| match &p.api_group {
            Some(g) => format!("{}.{g}/{}", p.kind, p.name),
            None => format!("{}/{}", p.kind, p.name),
        },
    );
    vec![
        name(&ic.metadata),
        spec.and_then(|s| s.controller.clone()).unwrap_or_default(),
        params,
        super::age(&ic.metadata, now),
    ]
}

pub const NETWORK_POLICY: Columns = (&["NAME", "POD-SELECTOR", "AGE"], &[]);

pub fn network_policy(np: &NetworkPolicy, now: Time) -> Vec<String> {
    let text = selector(np.spec.as_ref().and_then(|s| s.pod_selector.as_ref()));
    vec![name(&np.metadata), text, super::age(&np.metadata, now)]
}
