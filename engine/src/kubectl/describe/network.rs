//! `describe` for the network kinds: Services (addresses, ports with the
//! ready endpoints their EndpointSlices list, traffic policies), Ingresses,
//! IngressClasses, Endpoints, EndpointSlices and NetworkPolicies.

use super::{annotations, labels};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::controllers::endpointslice::SERVICE_NAME;
use crate::labels::Selector;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn service(w: &mut String, cluster: &Cluster, svc: &Service) {
    let spec = svc.spec.clone().unwrap_or_default();
    let ns = svc.metadata.namespace.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", svc.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{ns}");
    labels(w, "Labels", svc.metadata.labels.as_ref());
    annotations(w, svc.metadata.annotations.as_ref());
    let selector: Vec<String> = spec.selector.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(w, "Selector:\t{}", selector.join(","));
    let _ = writeln!(w, "Type:\t{}", spec.type_.as_deref().unwrap_or("ClusterIP"));
    if let Some(policy) = &spec.ip_family_policy {
        let _ = writeln!(w, "IP Family Policy:\t{policy}");
    }
    let families = spec.ip_families.clone().unwrap_or_default();
    let _ = writeln!(w, "IP Families:\t{}", if families.is_empty() { "<none>".into() } else { families.join(",") });
    let _ = writeln!(w, "IP:\t{}", spec.cluster_ip.as_deref().unwrap_or_default());
    let ips = spec.cluster_ips.clone().unwrap_or_default();
    let _ = writeln!(w, "IPs:\t{}", if ips.is_empty() { "<none>".into() } else { ips.join(",") });
    if let Some(external) = spec.external_ips.as_ref().filter(|l| !l.is_empty()) {
        let _ = writeln!(w, "External IPs:\t{}", external.join(","));
    }
    if let Some(wanted) = spec.load_balancer_ip.as_deref().filter(|ip| !ip.is_empty()) {
        let _ = writeln!(w, "Desired LoadBalancer IP:\t{wanted}");
    }
    if let Some(name) = &spec.external_name {
        let _ = writeln!(w, "External Name:\t{name}");
    }
    let ingress: Vec<String> = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|l| l.ingress.as_ref())
        .into_iter()
        .flatten()
        .map(|i| match (i.ip.as_deref().filter(|ip| !ip.is_empty()), &i.ip_mode) {
            (Some(ip), Some(mode)) => format!("{ip} ({mode})"),
            (Some(ip), None) => ip.to_string(),
            (None, _) => i.hostname.clone().unwrap_or_default(),
        })
        .collect();
    if !ingress.is_empty() {
        let _ = writeln!(w, "LoadBalancer Ingress:\t{}", ingress.join(", "));
    }
    let slices = slices_of(cluster, &ns, svc.metadata.name.as_deref().unwrap_or_default());
    for port in spec.ports.iter().flatten() {
        let protocol = port.protocol.as_deref().unwrap_or("TCP");
        let name = port.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let _ = writeln!(w, "Port:\t{name}\t{}/{protocol}", port.port);
        match &port.target_port {
            Some(IntOrString::String(s)) => {
                let _ = writeln!(w, "TargetPort:\t{s}/{protocol}");
            }
            Some(IntOrString::Int(i)) => {
                let _ = writeln!(w, "TargetPort:\t{i}/{protocol}");
            }
            None => {
                let _ = writeln!(w, "TargetPort:\t{}/{protocol}", port.port);
            }
        }
        if let Some(node_port) = port.node_port.filter(|p| *p != 0) {
            let _ = writeln!(w, "NodePort:\t{name}\t{node_port}/{protocol}");
        }
        let wanted = port.name.clone().unwrap_or_default();
        let _ = writeln!(w, "Endpoints:\t{}", slice_endpoints(&slices, &wanted));
    }
    let _ = writeln!(w, "Session Affinity:\t{}", spec.session_affinity.as_deref().unwrap_or("None"));
    if let Some(policy) = &spec.external_traffic_policy {
        let _ = writeln!(w, "External Traffic Policy:\t{policy}");
    }
    if let Some(policy) = &spec.internal_traffic_policy {
        let _ = writeln!(w, "Internal Traffic Policy:\t{policy}");
    }
    if let Some(port) = spec.health_check_node_port.filter(|p| *p != 0) {
        let _ = writeln!(w, "HealthCheck NodePort:\t{port}");
    }
    if let Some(ranges) = spec.load_balancer_source_ranges.as_ref().filter(|l| !l.is_empty()) {
        let _ = writeln!(w, "LoadBalancer Source Ranges:\t{}", ranges.join(","));
    }
}

/// The EndpointSlices of a Service, found by their service-name label as
/// kubectl finds them.
fn slices_of(cluster: &Cluster, ns: &str, service: &str) -> Vec<EndpointSlice> {
    let selector = Selector::from_map(&BTreeMap::from([(SERVICE_NAME.to_string(), service.to_string())]));
    cluster
        .api()
        .store()
        .select(Kind::EndpointSlice, Some(ns), &selector)
        .into_iter()
        .filter_map(|o| match &**o {
            crate::object::Object::EndpointSlice(s) => Some((**s).clone()),
            _ => None,
        })
        .collect()
}

/// kubectl's endpoints of one Service port: `ip:port` of the ready endpoints
/// of every slice port so named, the first three, then `+ N more...`;
/// `<none>` without slices. Its quirk is kept: a not-ready endpoint after
/// the third still marks the list as having more.
fn slice_endpoints(slices: &[EndpointSlice], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".into();
    }
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0;
    let ready =
        |e: &k8s_openapi::api::discovery::v1::Endpoint| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true);
    for slice in slices {
        let ports = slice.ports.as_deref().unwrap_or_default();
        let mut visit = |text: Option<String>, e: &k8s_openapi::api::discovery::v1::Endpoint| {
            if list.len() == 3 {
                more = true;
            }
            if !ready(e) {
                return;
            }
            if !more {
                list.extend(text);
            }
            count += 1;
        };
        if ports.is_empty() {
            for e in &slice.endpoints {
                visit(e.addresses.first().cloned(), e);
            }
            continue;
        }
        for port in ports.iter().filter(|p| p.name.as_deref().unwrap_or_default() == port_name) {
            for e in &slice.endpoints {
                let text = e.addresses.first().map(|a| {
                    let number = port.port.unwrap_or_default();
                    if a.contains(':') {
                        format!("[{a}]:{number}")
                    } else {
                        format!("{a}:{number}")
                    }
                });
                visit(text, e);
            }
        }
    }
    if more {
        format!("{} + {} more...", list.join(","), count - 3)
    } else {
        list.join(",")
    }
}

pub fn ingress(w: &mut String, cluster: &Cluster, ing: &k8s_openapi::api::networking::v1::Ingress) {
    let spec = ing.spec.clone().unwrap_or_default();
    let ns = ing.metadata.namespace.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", ing.metadata.name.as_deref().unwrap_or_default());
    labels(w, "Labels", ing.metadata.labels.as_ref());
    let _ = writeln!(w, "Namespace:\t{ns}");
    let address = crate::kubectl::printers::network::ingress_addresses(ing);
    let _ = writeln!(w, "Address:\t{}", address.join(","));
    let _ = writeln!(w, "Ingress Class:\t{}", spec.ingress_class_name.as_deref().unwrap_or("<none>"));
    let default = spec.default_backend.as_ref().map_or_else(|| "<default>".to_string(), |b| backend(cluster, &ns, b));
    let _ = writeln!(w, "Default backend:\t{default}");
    if let Some(tls) = spec.tls.as_ref().filter(|t| !t.is_empty()) {
        let _ = writeln!(w, "TLS:");
        for t in tls {
            let hosts = t.hosts.clone().unwrap_or_default().join(",");
            match t.secret_name.as_deref().filter(|s| !s.is_empty()) {
                Some(secret) => {
                    let _ = writeln!(w, "  {secret} terminates {hosts}");
                }
                None => {
                    let _ = writeln!(w, "  SNI routes {hosts}");
                }
            }
        }
    }
    let _ = writeln!(w, "Rules:\n  Host\tPath\tBackends\n  ----\t----\t--------");
    let mut rules = 0;
    for rule in spec.rules.iter().flatten() {
        let Some(http) = &rule.http else { continue };
        rules += 1;
        let host = rule.host.as_deref().filter(|h| !h.is_empty()).unwrap_or("*");
        let _ = writeln!(w, "  {host}\t");
        for path in &http.paths {
            let _ = writeln!(
                w,
                "    \t{} \t{}",
                path.path.as_deref().unwrap_or_default(),
                backend(cluster, &ns, &path.backend)
            );
        }
    }
    if rules == 0 {
        let _ = writeln!(w, "  *\t*\t{default}");
    }
    annotations(w, ing.metadata.annotations.as_ref());
}

/// `web:80 (10.0.1.5:8080,10.0.2.7:8080)`: a backend Service with the
/// endpoints of the port it names.
fn backend(cluster: &Cluster, ns: &str, b: &k8s_openapi::api::networking::v1::IngressBackend) -> String {
    let Some(svc_backend) = &b.service else {
        return b.resource.as_ref().map_or_else(String::new, |r| {
            format!("APIGroup: {}, Kind: {}, Name: {}", r.api_group.as_deref().unwrap_or("<none>"), r.kind, r.name)
        });
    };
    let port = svc_backend.port.as_ref();
    let port_text = match port {
        Some(p) if p.number.is_some_and(|n| n != 0) => p.number.unwrap_or_default().to_string(),
        Some(p) => p.name.clone().unwrap_or_default(),
        None => String::new(),
    };
    let label = format!("{}:{port_text}", svc_backend.name);
    let Some(object) = cluster.api().store().get(Kind::Service, ns, &svc_backend.name) else {
        return format!("{label} (<error: services \"{}\" not found>)", svc_backend.name);
    };
    let crate::object::Object::Service(svc) = &**object else { return label };
    let spec = svc.spec.clone().unwrap_or_default();
    let chosen = spec.ports.iter().flatten().find(|sp| match port {
        Some(p) if p.number.is_some_and(|n| n != 0) => p.number == Some(sp.port),
        Some(p) => p.name.is_some() && p.name == sp.name,
        None => false,
    });
    let wanted = chosen.and_then(|p| p.name.clone()).unwrap_or_default();
    let endpoints = slice_endpoints(&slices_of(cluster, ns, &svc_backend.name), &wanted);
    format!("{label} ({endpoints})")
}

pub fn ingress_class(w: &mut String, ic: &k8s_openapi::api::networking::v1::IngressClass) {
    let spec = ic.spec.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", ic.metadata.name.as_deref().unwrap_or_default());
    labels(w, "Labels", ic.metadata.labels.as_ref());
    annotations(w, ic.metadata.annotations.as_ref());
    let _ = writeln!(w, "Controller:\t{}", spec.controller.as_deref().unwrap_or_default());
    if let Some(p) = &spec.parameters {
        let _ = writeln!(w, "Parameters:");
        if let Some(group) = &p.api_group {
            let _ = writeln!(w, "  APIGroup:\t{group}");
        }
        let _ = writeln!(w, "  Kind:\t{}", p.kind);
        let _ = writeln!(w, "  Name:\t{}", p.name);
    }
}

pub fn endpoints_object(w: &mut String, ep: &k8s_openapi::api::core::v1::Endpoints) {
    let _ = writeln!(w, "Name:\t{}", ep.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", ep.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", ep.metadata.labels.as_ref());
    annotations(w, ep.metadata.annotations.as_ref());
    let _ = writeln!(w, "Subsets:");
    for subset in ep.subsets.iter().flatten() {
        let ips = |list: &Option<Vec<k8s_openapi::api::core::v1::EndpointAddress>>| {
            let joined = list.iter().flatten().map(|a| a.ip.clone()).collect::<Vec<_>>().join(",");
            if joined.is_empty() {
                "<none>".to_string()
            } else {
                joined
            }
        };
        let _ = writeln!(w, "  Addresses:\t{}", ips(&subset.addresses));
        let _ = writeln!(w, "  NotReadyAddresses:\t{}", ips(&subset.not_ready_addresses));
        let ports = subset.ports.clone().unwrap_or_default();
        if !ports.is_empty() {
            let _ = writeln!(w, "  Ports:");
            let _ = writeln!(w, "    Name\tPort\tProtocol");
            let _ = writeln!(w, "    ----\t----\t--------");
            for p in ports {
                let name = p.name.as_deref().filter(|n| !n.is_empty()).unwrap_or("<unset>");
                let _ = writeln!(w, "    {name}\t{}\t{}", p.port, p.protocol.as_deref().unwrap_or("TCP"));
            }
        }
        let _ = writeln!(w);
    }
}

pub fn endpoint_slice(w: &mut String, eps: &k8s_openapi::api::discovery::v1::EndpointSlice) {
    let unset = |v: Option<String>| v.unwrap_or_else(|| "<unset>".into());
    let _ = writeln!(w, "Name:\t{}", eps.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", eps.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", eps.metadata.labels.as_ref());
    annotations(w, eps.metadata.annotations.as_ref());
    let _ = writeln!(w, "AddressType:\t{}", eps.address_type);
    let ports = eps.ports.clone().unwrap_or_default();
    if ports.is_empty() {
        let _ = writeln!(w, "Ports: <unset>");
    } else {
        let _ = writeln!(w, "Ports:\n  Name\tPort\tProtocol\n  ----\t----\t--------");
        for p in ports {
            let name = unset(p.name.filter(|n| !n.is_empty()));
            let _ =
                writeln!(w, "  {name}\t{}\t{}", unset(p.port.map(|n| n.to_string())), p.protocol.unwrap_or_default());
        }
    }
    if eps.endpoints.is_empty() {
        let _ = writeln!(w, "Endpoints: <none>");
    } else {
        let _ = writeln!(w, "Endpoints:");
        for e in &eps.endpoints {
            let addresses = if e.addresses.is_empty() { "<none>".to_string() } else { e.addresses.join(", ") };
            let _ = writeln!(w, "  - Addresses:\t{addresses}");
            let _ = writeln!(w, "    Conditions:");
            let ready = e.conditions.as_ref().and_then(|c| c.ready).map(|r| r.to_string());
            let _ = writeln!(w, "      Ready:\t{}", unset(ready));
            let _ = writeln!(w, "    Hostname:\t{}", unset(e.hostname.clone()));
            if let Some(r) = &e.target_ref {
                let _ = writeln!(
                    w,
                    "    TargetRef:\t{}/{}",
                    r.kind.as_deref().unwrap_or_default(),
                    r.name.as_deref().unwrap_or_default()
                );
            }
            let _ = writeln!(w, "    NodeName:\t{}", unset(e.node_name.clone()));
            let _ = writeln!(w, "    Zone:\t{}", unset(e.zone.clone()));
        }
    }
}

pub fn network_policy(w: &mut String, np: &k8s_openapi::api::networking::v1::NetworkPolicy) {
    use k8s_openapi::api::networking::v1::{NetworkPolicyPeer, NetworkPolicyPort};
    let spec = np.spec.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", np.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", np.metadata.namespace.as_deref().unwrap_or_default());
    if let Some(t) = &np.metadata.creation_timestamp {
        // Go's default format of a time.
        let text = k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S +0000 UTC", t.0).unwrap_or_default();
        let _ = writeln!(w, "Created on:\t{text}");
    }
    labels(w, "Labels", np.metadata.labels.as_ref());
    annotations(w, np.metadata.annotations.as_ref());
    let _ = writeln!(w, "Spec:");
    let pods = spec.pod_selector.as_ref();
    if pods.is_none_or(|s| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && s.match_expressions.as_ref().is_none_or(|e| e.is_empty())
    }) {
        let _ = writeln!(w, "  PodSelector:     <none> (Allowing the specific traffic to all pods in this namespace)");
    } else if let Some(sel) = pods {
        let _ = writeln!(w, "  PodSelector:     {}", crate::kubectl::printers::cells_selector(sel));
    }
    let types = spec.policy_types.clone().unwrap_or_default();
    let egress = spec.egress.clone().unwrap_or_default();
    let ingress_on = types.is_empty() || types.iter().any(|t| t == "Ingress");
    let egress_on = types.iter().any(|t| t == "Egress") || (types.is_empty() && !egress.is_empty());
    let ports = |w: &mut String, ports: &[NetworkPolicyPort]| {
        if ports.is_empty() {
            let _ = writeln!(w, "    To Port: <any> (traffic allowed to all ports)");
        }
        for p in ports {
            let port = match &p.port {
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i)) => i.to_string(),
                Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => s.clone(),
                None => "<nil>".into(),
            };
            let _ = writeln!(w, "    To Port: {port}/{}", p.protocol.as_deref().unwrap_or("TCP"));
        }
    };
    let peers = |w: &mut String, title: &str, peers: &[NetworkPolicyPeer]| {
        for peer in peers {
            let _ = writeln!(w, "    {title}:");
            let selector = |s: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector| {
                crate::kubectl::printers::cells_selector(s)
            };
            match (&peer.pod_selector, &peer.namespace_selector, &peer.ip_block) {
                (Some(p), Some(n), _) => {
                    let _ = writeln!(w, "      NamespaceSelector: {}", selector(n));
                    let _ = writeln!(w, "      PodSelector: {}", selector(p));
                }
                (Some(p), None, _) => {
                    let _ = writeln!(w, "      PodSelector: {}", selector(p));
                }
                (None, Some(n), _) => {
                    let _ = writeln!(w, "      NamespaceSelector: {}", selector(n));
                }
                (None, None, Some(block)) => {
                    let _ = writeln!(w, "      IPBlock:");
                    let _ = writeln!(w, "        CIDR: {}", block.cidr);
                    let _ = writeln!(w, "        Except: {}", block.except.clone().unwrap_or_default().join(", "));
                }
                _ => {}
            }
        }
    };
    let ingress: Vec<(Vec<NetworkPolicyPort>, Vec<NetworkPolicyPeer>)> = spec
        .ingress
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.ports.unwrap_or_default(), r.from.unwrap_or_default()))
        .collect();
    let egress: Vec<(Vec<NetworkPolicyPort>, Vec<NetworkPolicyPeer>)> =
        egress.into_iter().map(|r| (r.ports.unwrap_or_default(), r.to.unwrap_or_default())).collect();
    // Both directions are told the same way, in their own words.
    for (on, direction, rules, peer_title, unrestricted) in
        [(ingress_on, "ingress", ingress, "From", "source"), (egress_on, "egress", egress, "To", "destination")]
    {
        if !on {
            let _ = writeln!(w, "  Not affecting {direction} traffic");
            continue;
        }
        let _ = writeln!(w, "  Allowing {direction} traffic:");
        if rules.is_empty() {
            let _ = writeln!(w, "    <none> (Selected pods are isolated for {direction} connectivity)");
        }
        for (i, (rule_ports, rule_peers)) in rules.iter().enumerate() {
            ports(w, rule_ports);
            if rule_peers.is_empty() {
                let _ = writeln!(w, "    {peer_title}: <any> (traffic not restricted by {unrestricted})");
            }
            peers(w, peer_title, rule_peers);
            if i + 1 < rules.len() {
                let _ = writeln!(w, "    ----------");
            }
        }
    }
    let _ = writeln!(w, "  Policy Types: {}", if types.is_empty() { "<none>".to_string() } else { types.join(", ") });
}
