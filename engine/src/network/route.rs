//! Where a connection goes, hop by hop: a Service's cluster IP through the
//! client node's kube-proxy, a node port or load-balancer address through
//! the receiving node's kube-proxy, a pod IP straight over the pod network,
//! a node's own ports to what runs on its host network; and how it fails
//! when a piece is missing (a refused port, a dropped packet, a powered-off
//! machine).

use super::http::{self, Ask};
use super::policy::{self, End};
use super::proxy::{self, Endpoint};
use super::{addresses, ingress, Client, Dice, Fabric, Hop, Outcome};
use crate::api::Kind;
use crate::runtime::exec::Inside;
use crate::runtime::process;
use k8s_openapi::api::core::v1::{Container, Pod, Service, ServicePort};

/// The container a connection reached.
pub struct Landing<'a> {
    pub pod: &'a Pod,
    pub container: &'a Container,
    pub port: i32,
}

/// A connection's path so far, and where it ended.
pub type Connected<'a> = Result<(Landing<'a>, Vec<Hop>), (Outcome, Vec<Hop>)>;

/// Opens a TCP connection from `client` to `ip:port`.
pub fn connect<'a>(fabric: &Fabric<'a>, client: &Client, ip: &str, port: i32, dice: &mut Dice) -> Connected<'a> {
    let store = fabric.store;
    let client_name = client.pod.as_ref().map_or(client.node.clone(), |(_, name)| name.clone());
    let client_pod = client.pod.as_ref().and_then(|(ns, name)| store.get(Kind::Pod, ns, name)).and_then(|o| o.as_pod());
    let source = End { pod: client_pod, ip: &client.ip };
    let mut hops = vec![Hop::Client { name: client_name, ip: client.ip.clone() }];
    let own = ip == "127.0.0.1" || ip == client.ip;
    if let (true, Some((namespace, name))) = (own, &client.pod) {
        let landing = store.get(Kind::Pod, namespace, name).and_then(|o| o.as_pod()).and_then(|p| listener(p, port));
        return landing.map(|l| (l, hops.clone())).ok_or((Outcome::Refused, hops));
    }
    // A node reaching itself goes through its own rules, node ports too.
    let ip = if own { client.ip.as_str() } else { ip };
    if let Some(service) = addresses::service_by_cluster_ip(store, ip) {
        if !fabric.proxy_runs(&client.node) {
            return Err((Outcome::Timeout, hops));
        }
        let Some(service_port) = proxy::service_port(service, port) else { return Err((Outcome::Timeout, hops)) };
        let local = service.spec.as_ref().and_then(|s| s.internal_traffic_policy.as_deref()) == Some("Local");
        let via = Via { node: &client.node, local, source };
        return through_service(fabric, client, service, service_port, via, hops, dice);
    }
    if let Some(node) = addresses::node_by_ip(store, ip) {
        if !fabric.node_up(&node) {
            return Err((Outcome::NoRoute, hops));
        }
        hops.push(Hop::Node { name: node.clone(), ip: ip.to_string(), port });
        let exposed = addresses::service_by_node_port(store, port)
            .filter(|s| matches!(s.spec.as_ref().and_then(|s| s.type_.as_deref()), Some("NodePort" | "LoadBalancer")));
        if let Some(service) = exposed {
            if !fabric.proxy_runs(&node) {
                return Err((Outcome::Refused, hops));
            }
            let Some(service_port) = proxy::node_port(service, port) else { return Err((Outcome::Refused, hops)) };
            let via = entering(service, &node, ip, source);
            return through_service(fabric, client, service, service_port, via, hops, dice);
        }
        return host_listener(fabric, &node, port).map(|l| (l, hops.clone())).ok_or((Outcome::Refused, hops));
    }
    if let Some(service) = addresses::service_by_load_balancer_ip(store, ip) {
        let Some(node) = crate::controllers::loadbalancer::elected(store, service, ip).filter(|n| fabric.node_up(n))
        else {
            return Err((Outcome::NoRoute, hops));
        };
        hops.push(Hop::Node { name: node.clone(), ip: ip.to_string(), port });
        if !fabric.proxy_runs(&node) {
            return Err((Outcome::Timeout, hops));
        }
        let Some(service_port) = proxy::service_port(service, port) else { return Err((Outcome::Timeout, hops)) };
        let node_ip = addresses::node_ip(store, &node).unwrap_or_default();
        let via = entering(service, &node, &node_ip, source);
        return through_service(fabric, client, service, service_port, via, hops, dice);
    }
    if let Some(pod) = addresses::pod_by_ip(store, ip).and_then(|o| o.as_pod()) {
        return to_pod(fabric, &source, pod, port, hops);
    }
    let outcome = if addresses::on_node_subnet(store, ip) { Outcome::NoRoute } else { Outcome::Timeout };
    Err((outcome, hops))
}

/// Sends an HTTP request and reads the answer, with the path it took.
pub fn request(
    fabric: &Fabric,
    client: &Client,
    ip: &str,
    port: i32,
    ask: &Ask,
    dice: &mut Dice,
) -> (Outcome, Vec<Hop>) {
    match connect(fabric, client, ip, port, dice) {
        Err(failed) => failed,
        Ok((landing, hops)) => {
            let inside =
                Inside::of(fabric.store, fabric.layers, fabric.volumes, landing.pod, landing.container, fabric.now);
            let image = landing.container.image.as_deref().unwrap_or_default();
            let outcome = match (ask.tls, speaks_tls(image, landing.port)) {
                (true, true) if !ask.insecure => Outcome::Untrusted { self_signed: ingress::is_controller(image) },
                (true, false) => Outcome::WrongTls,
                (false, true) => Outcome::Response(http::Response {
                    status: 400,
                    reason: "Bad Request".into(),
                    headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
                    body: "Client sent an HTTP request to an HTTPS server.\n".into(),
                }),
                _ if ingress::is_controller(image) => return ingress::forward(fabric, &landing, ask, hops, dice),
                _ if crate::metrics::http::serves(image, landing.port) => {
                    let response = crate::metrics::http::serve(fabric, landing.pod, image, &ask.path);
                    let response = if ask.method == "HEAD" {
                        http::Response { body: String::new(), ..response }
                    } else {
                        response
                    };
                    Outcome::Response(response)
                }
                _ => http::serve(&inside, landing.pod, landing.port, ask),
            };
            (outcome, hops)
        }
    }
}

/// Whether the server on `port` speaks only TLS (the control plane's
/// components, the kubelet, metrics-server, the ingress controller's
/// HTTPS port with its self-signed certificate).
fn speaks_tls(image: &str, port: i32) -> bool {
    if ingress::is_controller(image) {
        return port == 443;
    }
    let name = crate::runtime::images::short_name(image);
    matches!(
        (name.as_str(), port),
        ("kube-apiserver", 6443)
            | ("kube-controller-manager", 10257)
            | ("kube-scheduler", 10259)
            | ("metrics-server", _)
            | ("etcd", 2379 | 2380)
    )
}

/// Which node's kube-proxy handles a packet, whether only that node's
/// endpoints count, and who the pod will see as the sender.
struct Via<'v> {
    node: &'v str,
    local: bool,
    source: End<'v>,
}

/// A packet entering at a node from outside the pod network: with the
/// Cluster policy kube-proxy masquerades it as the node (so it may travel
/// to another node's pod); with Local it keeps its sender and stays.
fn entering<'v>(service: &Service, node: &'v str, node_ip: &'v str, source: End<'v>) -> Via<'v> {
    let local = service.spec.as_ref().and_then(|s| s.external_traffic_policy.as_deref()) == Some("Local");
    let source = if local { source } else { End { pod: None, ip: node_ip } };
    Via { node, local, source }
}

/// kube-proxy on `node` picks an endpoint of the Service port; with a
/// Local policy only the node's own endpoints count, and a packet with
/// none is dropped. A Service with no endpoints at all is rejected.
fn through_service<'a>(
    fabric: &Fabric<'a>,
    client: &Client,
    service: &Service,
    port: &ServicePort,
    via: Via,
    mut hops: Vec<Hop>,
    dice: &mut Dice,
) -> Connected<'a> {
    let node = via.node;
    hops.push(Hop::Service {
        node: node.to_string(),
        namespace: service.metadata.namespace.clone().unwrap_or_default(),
        name: service.metadata.name.clone().unwrap_or_default(),
        port: port.port,
    });
    let all = proxy::endpoints(fabric.store, service, port);
    if all.is_empty() {
        return Err((Outcome::Refused, hops));
    }
    let endpoints: Vec<Endpoint> =
        if via.local { all.into_iter().filter(|e| e.node.as_deref() == Some(node)).collect() } else { all };
    let Some(endpoint) = proxy::pick(service, &endpoints, &client.ip, dice) else {
        return Err((Outcome::Timeout, hops));
    };
    let pod = endpoint
        .pod
        .as_ref()
        .and_then(|(ns, name)| fabric.store.get(Kind::Pod, ns, name))
        .and_then(|o| o.as_pod())
        .filter(|p| p.status.as_ref().and_then(|s| s.pod_ip.as_deref()) == Some(endpoint.ip.as_str()))
        .or_else(|| addresses::pod_by_ip(fabric.store, &endpoint.ip).and_then(|o| o.as_pod()));
    match pod {
        Some(pod) => to_pod(fabric, &via.source, pod, endpoint.port, hops),
        None => Err((Outcome::Timeout, hops)),
    }
}

/// The last hop: the pod's node must be up, the network policies must let
/// the packet through, and a container must listen.
pub(super) fn to_pod<'a>(
    fabric: &Fabric<'a>,
    source: &End,
    pod: &'a Pod,
    port: i32,
    mut hops: Vec<Hop>,
) -> Connected<'a> {
    hops.push(Hop::Pod {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        name: pod.metadata.name.clone().unwrap_or_default(),
        ip: pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default(),
        port,
    });
    let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    if !fabric.node_up(node) || !policy::allows(fabric.store, source, pod, port) {
        return Err((Outcome::Timeout, hops));
    }
    match listener(pod, port) {
        Some(landing) => Ok((landing, hops)),
        None => Err((Outcome::Refused, hops)),
    }
}

/// The running container of `pod` listening on `port`.
fn listener(pod: &Pod, port: i32) -> Option<Landing<'_>> {
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    pod.spec.as_ref()?.containers.iter().find_map(|c| {
        let running =
            statuses.iter().any(|s| s.name == c.name && s.state.as_ref().is_some_and(|s| s.running.is_some()));
        let (image, command, args) = process::parts(c);
        (running && http::listens(c, process::plan(image, command, args), port)).then_some(Landing {
            pod,
            container: c,
            port,
        })
    })
}

/// What listens on `port` of the node itself: a pod on its host network.
fn host_listener<'a>(fabric: &Fabric<'a>, node: &str, port: i32) -> Option<Landing<'a>> {
    let store = fabric.store;
    store.pods_on_node(node).find_map(|(ns, name)| {
        let pod = store.get(Kind::Pod, ns, name)?.as_pod()?;
        if !addresses::host_network(pod) {
            return None;
        }
        listener(pod, port)
    })
}
