//! Names: CoreDNS's records for Services and pods (`web.default.svc.cluster.local`,
//! a headless Service's pod IPs, `web-0.web.default.svc.cluster.local`,
//! `172-16-221-5.default.pod.cluster.local`, ExternalName CNAMEs), the
//! search list a pod's `dnsPolicy` gives it, and the node's own resolver,
//! which knows the lab's hosts and nothing of the cluster. A pod reaches
//! CoreDNS through the kube-dns Service like any other packet, so a stopped
//! CoreDNS or kube-proxy breaks names while addresses still work.

use super::{addresses, proxy, route, Client, Dice, Fabric};
use crate::api::Kind;
use k8s_openapi::api::core::v1::Pod;

/// The cluster DNS Service's address (kube-dns).
pub const CLUSTER_DNS: &str = "10.96.0.10";

/// The cluster's domain.
const DOMAIN: &str = "cluster.local";

/// Who answers a client's lookups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolver {
    /// CoreDNS at `server`, trying `search` domains for names with fewer
    /// than `ndots` dots.
    Cluster { server: String, search: Vec<String>, ndots: usize },
    /// The node's resolver (systemd-resolved and the lab's /etc/hosts).
    Node,
}

/// What a lookup found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The name that answered, the canonical name it points to (an
    /// ExternalName Service), and its addresses.
    Found { name: String, cname: Option<String>, ips: Vec<String> },
    /// No such name.
    NotFound,
    /// The server did not answer.
    NoServer,
}

/// The resolver a pod's `dnsPolicy` gives it.
pub fn resolver(pod: &Pod) -> Resolver {
    let spec = pod.spec.as_ref();
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let host_network = spec.and_then(|s| s.host_network).unwrap_or(false);
    let config = spec.and_then(|s| s.dns_config.as_ref());
    let ndots = config
        .and_then(|c| c.options.as_ref())
        .and_then(|o| o.iter().find(|o| o.name.as_deref() == Some("ndots")))
        .and_then(|o| o.value.as_deref()?.parse().ok())
        .unwrap_or(5);
    let extra: Vec<String> = config.and_then(|c| c.searches.clone()).unwrap_or_default();
    match spec.and_then(|s| s.dns_policy.as_deref()).unwrap_or("ClusterFirst") {
        "Default" => Resolver::Node,
        "ClusterFirst" if host_network => Resolver::Node,
        "None" => match config.and_then(|c| c.nameservers.as_ref()).and_then(|s| s.first()) {
            Some(server) if server == CLUSTER_DNS => Resolver::Cluster { server: server.clone(), search: extra, ndots },
            _ => Resolver::Node,
        },
        _ => {
            let mut search = vec![format!("{namespace}.svc.{DOMAIN}"), format!("svc.{DOMAIN}"), DOMAIN.to_string()];
            search.extend(extra);
            Resolver::Cluster { server: CLUSTER_DNS.to_string(), search, ndots }
        }
    }
}

impl Resolver {
    /// The `/etc/resolv.conf` it stands for.
    pub fn resolv_conf(&self) -> String {
        match self {
            Resolver::Cluster { server, search, ndots } => {
                let search = if search.is_empty() { String::new() } else { format!("search {}\n", search.join(" ")) };
                format!("{search}nameserver {server}\noptions ndots:{ndots}\n")
            }
            Resolver::Node => "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n".into(),
        }
    }

    /// The server a tool names in its output.
    pub fn server(&self) -> &str {
        match self {
            Resolver::Cluster { server, .. } => server,
            Resolver::Node => "127.0.0.53",
        }
    }
}

/// Looks `name` up for `client`, trying the search list as the C library
/// does.
pub fn lookup(fabric: &Fabric, client: &Client, resolver: &Resolver, name: &str, dice: &mut Dice) -> Answer {
    let name = name.to_ascii_lowercase();
    if addresses::is_ipv4(&name) {
        return Answer::Found { name: name.clone(), cname: None, ips: vec![name] };
    }
    // Every hosts file (a pod's and a node's) names the loopback address,
    // and the C library reads it before asking DNS.
    if name.trim_end_matches('.') == "localhost" {
        return Answer::Found { name: "localhost".into(), cname: None, ips: vec!["127.0.0.1".into()] };
    }
    match resolver {
        Resolver::Node => node_hosts(fabric, &name),
        Resolver::Cluster { server, search, ndots } => {
            if !reaches_server(fabric, client, server, dice) {
                return Answer::NoServer;
            }
            let candidates: Vec<String> = match name.strip_suffix('.') {
                Some(absolute) => vec![absolute.to_string()],
                None => {
                    let expanded = search.iter().map(|d| format!("{name}.{d}"));
                    if name.matches('.').count() >= *ndots {
                        std::iter::once(name.clone()).chain(expanded).collect()
                    } else {
                        expanded.chain(std::iter::once(name.clone())).collect()
                    }
                }
            };
            candidates.iter().find_map(|c| record(fabric, c)).unwrap_or(Answer::NotFound)
        }
    }
}

/// Looks a fully qualified name up at CoreDNS directly (`nslookup NAME
/// 10.96.0.10` from a node).
pub fn ask_cluster(fabric: &Fabric, client: &Client, name: &str, dice: &mut Dice) -> Answer {
    if !reaches_server(fabric, client, CLUSTER_DNS, dice) {
        return Answer::NoServer;
    }
    record(fabric, name.trim_end_matches('.')).unwrap_or(Answer::NotFound)
}

/// Whether a CoreDNS pod answers on the server address from the client.
fn reaches_server(fabric: &Fabric, client: &Client, server: &str, dice: &mut Dice) -> bool {
    route::connect(fabric, client, server, 53, dice).is_ok()
}

/// The node's resolver: the lab's hosts file (every node by name) and
/// nothing from the cluster.
fn node_hosts(fabric: &Fabric, name: &str) -> Answer {
    let bare = name.trim_end_matches('.');
    match addresses::node_ip(fabric.store, bare) {
        Some(ip) => Answer::Found { name: bare.into(), cname: None, ips: vec![ip] },
        None => Answer::NotFound,
    }
}

/// CoreDNS's kubernetes plugin: the record for one fully qualified name.
fn record(fabric: &Fabric, fqdn: &str) -> Option<Answer> {
    let store = fabric.store;
    let found = |ips: Vec<String>| Some(Answer::Found { name: fqdn.to_string(), cname: None, ips });
    if let Some(rest) = fqdn.strip_suffix(&format!(".pod.{DOMAIN}")) {
        let (dashed, namespace) = rest.split_once('.')?;
        store.get(Kind::Namespace, "", namespace)?;
        let ip = dashed.replace('-', ".");
        return addresses::is_ipv4(&ip).then(|| found(vec![ip])).flatten();
    }
    let rest = fqdn.strip_suffix(&format!(".svc.{DOMAIN}"))?;
    let parts: Vec<&str> = rest.split('.').collect();
    match parts.as_slice() {
        [service, namespace] => {
            let svc = store.get(Kind::Service, namespace, service)?.as_service()?;
            let spec = svc.spec.as_ref()?;
            if let Some(external) =
                spec.external_name.as_ref().filter(|_| spec.type_.as_deref() == Some("ExternalName"))
            {
                return Some(Answer::Found { name: fqdn.to_string(), cname: Some(external.clone()), ips: Vec::new() });
            }
            match spec.cluster_ip.as_deref() {
                Some("None") => {
                    let mut ips: Vec<String> = spec
                        .ports
                        .iter()
                        .flatten()
                        .flat_map(|p| proxy::endpoints(store, svc, p))
                        .map(|e| e.ip)
                        .collect();
                    ips.sort();
                    ips.dedup();
                    // A headless Service with no ready pod has no records.
                    (!ips.is_empty()).then(|| found(ips)).flatten()
                }
                Some(ip) if !ip.is_empty() => found(vec![ip.to_string()]),
                _ => None,
            }
        }
        [host, subdomain, namespace] => {
            let svc = store.get(Kind::Service, namespace, subdomain)?.as_service()?;
            if svc.spec.as_ref()?.cluster_ip.as_deref() != Some("None") {
                return None;
            }
            let pod = store.list(Kind::Pod, Some(namespace)).filter_map(|o| o.as_pod()).find(|p| {
                let spec = p.spec.as_ref();
                spec.and_then(|s| s.hostname.as_deref()) == Some(*host)
                    && spec.and_then(|s| s.subdomain.as_deref()) == Some(*subdomain)
            })?;
            let ip = pod.status.as_ref()?.pod_ip.clone()?;
            found(vec![ip])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodDNSConfig, PodDNSConfigOption, PodSpec};

    fn pod(policy: Option<&str>, host_network: bool, config: Option<PodDNSConfig>) -> Pod {
        let mut pod = Pod {
            spec: Some(PodSpec {
                dns_policy: policy.map(String::from),
                host_network: Some(host_network),
                dns_config: config,
                ..Default::default()
            }),
            ..Default::default()
        };
        pod.metadata.namespace = Some("shop".into());
        pod
    }

    #[test]
    fn dns_policy_decides_the_resolver() {
        let cluster =
            "search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n";
        let node = "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n";
        let custom = PodDNSConfig {
            nameservers: Some(vec!["10.96.0.10".into()]),
            searches: Some(vec!["corp.example".into()]),
            options: Some(vec![PodDNSConfigOption { name: Some("ndots".into()), value: Some("2".into()) }]),
        };
        let cases = [
            (pod(None, false, None), cluster.to_string()),
            (pod(Some("ClusterFirst"), true, None), node.to_string()),
            (pod(Some("ClusterFirstWithHostNet"), true, None), cluster.to_string()),
            (pod(Some("Default"), false, None), node.to_string()),
            (pod(Some("None"), false, Some(custom.clone())), "search corp.example\nnameserver 10.96.0.10\noptions ndots:2\n".into()),
            (
                pod(Some("ClusterFirst"), false, Some(custom)),
                "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:2\n".into(),
            ),
        ];
        for (pod, want) in cases {
            assert_eq!(resolver(&pod).resolv_conf(), want, "{:?}", pod.spec.as_ref().map(|s| &s.dns_policy));
        }
    }
}
