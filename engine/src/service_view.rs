//! What the service picture draws for one namespace: Ingresses and their
//! rules, Services with their entry points (node ports on every node, a
//! load balancer's address), each Service's endpoints as its EndpointSlices
//! list them, which nodes still run kube-proxy, and the recent requests that
//! touched the namespace.
//!
//! Read from the same objects kube-proxy reads (`network::proxy`), so an
//! endpoint the picture shows as not ready is one no request is sent to.
//! Only the namespace's Services, slices and Ingresses and the nodes are
//! listed; slices are found through the store's label index.

use crate::api::Kind;
use crate::labels::Selector;
use crate::network::{addresses, Fabric, Hop, Outcome, Trace};
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use std::collections::BTreeMap;

/// One rule of an Ingress: a host and path sent to a Service port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressRoute {
    /// The Host it matches; empty for any host.
    pub host: String,
    /// The path.
    pub path: String,
    /// The backend Service.
    pub service: String,
    /// The backend port, as written (a number or a port name).
    pub port: String,
}

/// One Ingress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IngressBox {
    /// Its name.
    pub name: String,
    /// Its rules, plus the default backend (host and path `*`) if it has one.
    pub routes: Vec<IngressRoute>,
}

/// One port of a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortLine {
    /// The Service port.
    pub port: i32,
    /// `targetPort` as written.
    pub target: String,
    /// The node port, for NodePort and LoadBalancer Services.
    pub node_port: Option<i32>,
}

/// Where an endpoint stands, as kube-proxy reads its conditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Ready: it gets traffic.
    Ready,
    /// Not ready (a failing readiness probe, a container not started).
    NotReady,
    /// Going away; it gets traffic only while no endpoint is ready.
    Terminating,
}

/// One endpoint of a Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointDot {
    /// Its address.
    pub ip: String,
    /// The pod behind it, if the slice names one.
    pub pod: Option<String>,
    /// The node it runs on.
    pub node: Option<String>,
    /// Whether it gets traffic.
    pub readiness: Readiness,
}

/// One Service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceBox {
    /// Its name.
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName`.
    pub type_: String,
    /// The cluster IP (`None` for a headless Service, as kubectl prints it).
    pub cluster_ip: String,
    /// Its ports, as the spec lists them.
    pub ports: Vec<PortLine>,
    /// The addresses a load balancer gave it.
    pub load_balancer: Vec<String>,
    /// Its endpoints, by IP.
    pub endpoints: Vec<EndpointDot>,
}

/// A node as an entry point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeEntry {
    /// Its name.
    pub name: String,
    /// Its address.
    pub ip: String,
    /// Whether kube-proxy there keeps the Service rules (its pod runs, no
    /// fault stopped it, the node has power).
    pub proxy: bool,
}

/// A recent request, reduced to what the picture animates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestDot {
    /// When it was made.
    pub at: Time,
    /// What was asked for.
    pub url: String,
    /// The node it entered at (a node port or load-balancer address).
    pub node: Option<String>,
    /// The Ingress that routed it.
    pub ingress: Option<String>,
    /// The Service it went through.
    pub service: Option<String>,
    /// The pod it reached (or was meant to).
    pub pod: Option<String>,
    /// Whether a server answered.
    pub answered: bool,
    /// How it ended, in a word or two (`200 OK`, `refused`, `timed out`).
    pub outcome: String,
}

/// The service picture of one namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ServiceView {
    /// The namespace drawn.
    pub namespace: String,
    /// Its Ingresses, by name.
    pub ingresses: Vec<IngressBox>,
    /// Its Services, by name.
    pub services: Vec<ServiceBox>,
    /// Every node, by name.
    pub nodes: Vec<NodeEntry>,
    /// Requests that touched the namespace, oldest first.
    pub requests: Vec<RequestDot>,
}

/// Builds the picture of `namespace`.
pub fn build<'a>(fabric: &Fabric, namespace: &str, traces: impl Iterator<Item = &'a Trace>) -> ServiceView {
    let store = fabric.store;
    let nodes = store
        .list(Kind::Node, None)
        .map(|o| {
            let name = o.name().to_string();
            NodeEntry {
                ip: addresses::node_ip(store, &name).unwrap_or_default(),
                proxy: fabric.proxy_runs(&name),
                name,
            }
        })
        .collect();
    let services: Vec<ServiceBox> = store
        .list(Kind::Service, Some(namespace))
        .filter_map(|o| o.as_service())
        .map(|s| service_box(store, namespace, s))
        .collect();
    let node_ports: Vec<i32> = services.iter().flat_map(|s| s.ports.iter().filter_map(|p| p.node_port)).collect();
    let ingresses = store
        .list(Kind::Ingress, Some(namespace))
        .filter_map(|o| match &**o {
            Object::Ingress(i) => Some(ingress_box(i)),
            _ => None,
        })
        .collect();
    let requests = traces.filter_map(|t| request_dot(t, namespace, &node_ports)).collect();
    ServiceView { namespace: namespace.to_string(), ingresses, services, nodes, requests }
}

fn service_box(store: &Store, namespace: &str, service: &k8s_openapi::api::core::v1::Service) -> ServiceBox {
    let name = service.metadata.name.clone().unwrap_or_default();
    let spec = service.spec.as_ref();
    let ports = spec
        .and_then(|s| s.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|p| PortLine {
            port: p.port,
            target: p.target_port.as_ref().map_or_else(|| p.port.to_string(), int_or_string),
            node_port: p.node_port,
        })
        .collect();
    ServiceBox {
        type_: spec.and_then(|s| s.type_.clone()).unwrap_or_else(|| "ClusterIP".into()),
        cluster_ip: spec.and_then(|s| s.cluster_ip.clone()).unwrap_or_default(),
        ports,
        load_balancer: addresses::load_balancer_ips(service),
        endpoints: endpoints(store, namespace, &name),
        name,
    }
}

fn int_or_string(value: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString) -> String {
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
    match value {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// The Service's endpoints from its slices, each address once.
fn endpoints(store: &Store, namespace: &str, service: &str) -> Vec<EndpointDot> {
    let selector =
        Selector::from_map(&BTreeMap::from([("kubernetes.io/service-name".to_string(), service.to_string())]));
    let mut dots: Vec<EndpointDot> = store
        .select(Kind::EndpointSlice, Some(namespace), &selector)
        .into_iter()
        .filter_map(|o| o.as_endpoint_slice())
        .flat_map(|slice| slice.endpoints.iter())
        .filter_map(|e| {
            let ip = e.addresses.first()?.clone();
            let conditions = e.conditions.as_ref();
            // Unset conditions mean ready, as the API says.
            let readiness = if conditions.and_then(|c| c.terminating).unwrap_or(false) {
                Readiness::Terminating
            } else if conditions.and_then(|c| c.ready).unwrap_or(true) {
                Readiness::Ready
            } else {
                Readiness::NotReady
            };
            let pod = e.target_ref.as_ref().filter(|r| r.kind.as_deref() == Some("Pod")).and_then(|r| r.name.clone());
            Some(EndpointDot { ip, pod, node: e.node_name.clone(), readiness })
        })
        .collect();
    dots.sort_by(|a, b| a.ip.cmp(&b.ip));
    dots.dedup_by(|a, b| a.ip == b.ip);
    dots
}

fn ingress_box(ingress: &k8s_openapi::api::networking::v1::Ingress) -> IngressBox {
    let spec = ingress.spec.as_ref();
    let backend = |b: &k8s_openapi::api::networking::v1::IngressBackend| {
        let service = b.service.as_ref()?;
        let port = service.port.as_ref().map(|p| match (&p.number, &p.name) {
            (Some(n), _) => n.to_string(),
            (None, Some(name)) => name.clone(),
            _ => String::new(),
        });
        Some((service.name.clone(), port.unwrap_or_default()))
    };
    let mut routes: Vec<IngressRoute> = spec
        .and_then(|s| s.rules.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|rule| {
            let host = rule.host.clone().unwrap_or_default();
            rule.http.iter().flat_map(|h| h.paths.iter()).filter_map(move |p| {
                let (service, port) = backend(&p.backend)?;
                Some(IngressRoute {
                    host: host.clone(),
                    path: p.path.clone().unwrap_or_else(|| "/".into()),
                    service,
                    port,
                })
            })
        })
        .collect();
    if let Some((service, port)) = spec.and_then(|s| s.default_backend.as_ref()).and_then(backend) {
        routes.push(IngressRoute { host: "*".into(), path: "*".into(), service, port });
    }
    IngressBox { name: ingress.metadata.name.clone().unwrap_or_default(), routes }
}

/// The trace as a dot, if it went through the namespace or was sent to
/// one of its node ports (and stopped there, say at a stopped kube-proxy).
fn request_dot(trace: &Trace, namespace: &str, node_ports: &[i32]) -> Option<RequestDot> {
    let mut dot = RequestDot {
        at: trace.at,
        url: trace.url.clone(),
        node: None,
        ingress: None,
        service: None,
        pod: None,
        answered: matches!(trace.outcome, Outcome::Response(_)),
        outcome: outcome_words(&trace.outcome),
    };
    let mut ours = false;
    for hop in &trace.hops {
        match hop {
            // The first node a packet enters at is the entry point; later
            // ones are the ingress controller's own forwarding.
            Hop::Node { name, port, .. } if dot.node.is_none() && dot.service.is_none() => {
                ours |= node_ports.contains(port);
                dot.node = Some(name.clone());
            }
            Hop::Ingress { namespace: ns, name, .. } if ns == namespace => {
                ours = true;
                dot.ingress = Some(name.clone());
            }
            Hop::Service { namespace: ns, name, .. } if ns == namespace => {
                ours = true;
                dot.service = Some(name.clone());
                dot.pod = None;
            }
            Hop::Pod { namespace: ns, name, .. } if ns == namespace => {
                ours = true;
                dot.pod = Some(name.clone());
            }
            _ => {}
        }
    }
    ours.then_some(dot)
}

fn outcome_words(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Response(r) => format!("{} {}", r.status, r.reason),
        Outcome::Refused => "refused".into(),
        Outcome::NoRoute => "no route".into(),
        Outcome::Timeout => "timed out".into(),
        Outcome::EmptyReply => "empty reply".into(),
        Outcome::Http09 => "not HTTP".into(),
        Outcome::Untrusted { .. } => "untrusted certificate".into(),
        Outcome::WrongTls => "TLS to plain HTTP".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::Readiness;
    use crate::{Cluster, NoFiles, Shell};

    fn run(shell: &mut Shell, line: &str) -> String {
        let out = shell.run(line, &NoFiles);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        out.stdout
    }

    #[test]
    fn a_node_port_service_shows_entries_endpoints_readiness_and_requests() {
        let mut shell = Shell::new(Cluster::new("default", 1).expect("preset"));
        run(&mut shell, "kubectl create deployment web --image=nginx --replicas=2");
        run(&mut shell, "kubectl expose deployment web --port=80 --type=NodePort");
        shell.cluster_mut().step(60_000);
        let view = shell.cluster().service_view("default");
        let web = view.services.iter().find(|s| s.name == "web").expect("web");
        assert_eq!(web.type_, "NodePort");
        let node_port = web.ports[0].node_port.expect("a node port");
        assert_eq!(web.endpoints.len(), 2);
        assert!(web.endpoints.iter().all(|e| e.readiness == Readiness::Ready && e.pod.is_some()));
        assert!(view.nodes.iter().all(|n| n.proxy), "{:?}", view.nodes);
        let w1 = view.nodes.iter().find(|n| n.name == "w1-k8s").expect("w1").ip.clone();

        // A curl to a node port is a dot entering at that node.
        run(&mut shell, &format!("curl -s http://{w1}:{node_port}/"));
        let view = shell.cluster().service_view("default");
        let dot = view.requests.last().expect("a request");
        assert_eq!(
            (dot.node.as_deref(), dot.service.as_deref(), dot.answered, dot.outcome.as_str()),
            (Some("w1-k8s"), Some("web"), true, "200 OK")
        );
        assert!(dot.pod.as_ref().is_some_and(|p| p.starts_with("web-")), "{dot:?}");
        assert!(shell.cluster().service_view("kube-system").requests.is_empty(), "other namespaces see no dot");

        // Stopping kube-proxy marks the node and refuses its node port.
        run(&mut shell, "fault kube-proxy stop w1-k8s");
        shell.run(&format!("curl -s http://{w1}:{node_port}/"), &NoFiles);
        let view = shell.cluster().service_view("default");
        let proxies: Vec<_> = view.nodes.iter().map(|n| (n.name.as_str(), n.proxy)).collect();
        assert!(proxies.contains(&("w1-k8s", false)) && proxies.contains(&("w2-k8s", true)), "{proxies:?}");
        let dot = view.requests.last().expect("a request");
        assert_eq!((dot.answered, dot.outcome.as_str(), dot.service.as_deref()), (false, "refused", None));
    }

    #[test]
    fn a_failing_readiness_probe_turns_the_endpoint_not_ready() {
        let mut c = Cluster::new("default", 1).expect("preset");
        let out = c.apply(concat!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: picky\n  labels:\n    app: picky\nspec:\n",
            "  containers:\n  - name: web\n    image: nginx\n    readinessProbe:\n      httpGet:\n",
            "        path: /healthz\n        port: 80\n      periodSeconds: 5\n---\n",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: picky\nspec:\n  selector:\n    app: picky\n",
            "  ports:\n  - port: 80\n",
        ));
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        c.step(60_000);
        let view = c.service_view("default");
        let picky = view.services.iter().find(|s| s.name == "picky").expect("picky");
        assert_eq!(picky.type_, "ClusterIP");
        let endpoints: Vec<_> = picky.endpoints.iter().map(|e| (e.pod.as_deref(), e.readiness)).collect();
        assert_eq!(endpoints, [(Some("picky"), Readiness::NotReady)]);
    }

    #[test]
    fn an_ingress_lists_its_rules_and_default_backend() {
        let mut c = Cluster::new("default", 1).expect("preset");
        let out = c.apply(concat!(
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: site\nspec:\n",
            "  defaultBackend:\n    service:\n      name: fallback\n      port:\n        number: 8080\n",
            "  rules:\n  - host: shop.example\n    http:\n      paths:\n      - path: /api\n        pathType: Prefix\n",
            "        backend:\n          service:\n            name: api\n            port:\n              name: http\n",
        ));
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        let view = c.service_view("default");
        let routes: Vec<_> = view.ingresses[0]
            .routes
            .iter()
            .map(|r| (r.host.as_str(), r.path.as_str(), r.service.as_str(), r.port.as_str()))
            .collect();
        assert_eq!(routes, [("shop.example", "/api", "api", "http"), ("*", "*", "fallback", "8080")]);
    }
}
