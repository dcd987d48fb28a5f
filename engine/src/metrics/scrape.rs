//! What Prometheus scrapes and under which labels: the jobs of the
//! prometheus-community chart's configuration (the one the notes install),
//! found through Kubernetes service discovery. Services and pods opt in
//! with the `prometheus.io/scrape: "true"` and `prometheus.io/port`
//! annotations; nodes are scraped through the API server's proxy.

use super::exporters::Exporter;
use super::promql::Labels;
use crate::api::Kind;
use crate::labels::Selector;
use crate::network::Fabric;
use crate::object::Object;
use k8s_openapi::api::core::v1::{Node, Pod};
use std::collections::BTreeMap;

/// The API server's address, as the `kubernetes-apiservers` job finds it.
const APISERVER_PORT: i32 = 6443;

/// One scrape target.
#[derive(Clone, Debug)]
pub struct Target {
    /// Labels every series from it gets: `job`, `instance` and what
    /// relabelling kept.
    pub labels: Labels,
    /// Who answers, on which node, in which pod.
    pub exporter: Exporter,
    pub node: String,
    pub pod: Option<(String, String)>,
    /// Why a scrape fails, in Prometheus's words, or `None`.
    pub error: Option<String>,
    /// The URL scraped, as the targets page shows it.
    pub url: String,
}

/// Every target, in the order of the configuration's jobs.
pub fn targets(fabric: &Fabric) -> Vec<Target> {
    let store = fabric.store;
    let mut out = Vec::new();
    let nodes: Vec<&Node> = store.list(Kind::Node, None).filter_map(|o| o.as_node()).collect();
    if let Some(cp) = nodes.iter().find(|n| crate::labels::is_control_plane(&n.metadata)) {
        let name = cp.metadata.name.clone().unwrap_or_default();
        let ip = crate::network::addresses::node_ip(store, &name).unwrap_or_default();
        let error = (!fabric.node_up(&name)).then(|| timeout(&format!("https://{ip}:{APISERVER_PORT}/metrics")));
        out.push(Target {
            labels: job_labels("kubernetes-apiservers", &format!("{ip}:{APISERVER_PORT}")),
            exporter: Exporter::ApiServer,
            node: name,
            pod: None,
            error,
            url: format!("https://{ip}:{APISERVER_PORT}/metrics"),
        });
    }
    for (job, exporter, path) in [
        ("kubernetes-nodes", Exporter::Kubelet, "metrics"),
        ("kubernetes-nodes-cadvisor", Exporter::Cadvisor, "metrics/cadvisor"),
    ] {
        for node in &nodes {
            let name = node.metadata.name.clone().unwrap_or_default();
            let mut labels = job_labels(job, &name);
            for (k, v) in node.metadata.labels.iter().flatten() {
                labels.insert(sanitize(k), v.clone());
            }
            if exporter == Exporter::Cadvisor {
                labels.insert("node".into(), name.clone());
            }
            let url = format!("https://kubernetes.default.svc:443/api/v1/nodes/{name}/proxy/{path}");
            let error = if !fabric.node_up(&name) || fabric.kubelets.stopped(&name) == Some(true) {
                Some("server returned HTTP status 503 Service Unavailable".to_string())
            } else {
                None
            };
            out.push(Target { labels, exporter, node: name, pod: None, error, url });
        }
    }
    service_endpoints(fabric, &mut out);
    annotated_pods(fabric, &mut out);
    out
}

/// `kubernetes-service-endpoints`: every pod behind an annotated Service.
fn service_endpoints(fabric: &Fabric, out: &mut Vec<Target>) {
    let store = fabric.store;
    for object in store.list(Kind::Service, None) {
        let Some(service) = object.as_service() else { continue };
        let Some(port) = opted_in(&service.metadata) else { continue };
        let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()).filter(|s| !s.is_empty()) else {
            continue;
        };
        let ns = object.namespace();
        let selector = Selector::from_map(selector);
        for pod in store.select(Kind::Pod, Some(ns), &selector).into_iter().filter_map(|o| o.as_pod()) {
            let Some((ip, node)) = placed(pod) else { continue };
            let port = port.or_else(|| first_port(pod)).unwrap_or(80);
            let instance = format!("{ip}:{port}");
            let mut labels = job_labels("kubernetes-service-endpoints", &instance);
            for (k, v) in service.metadata.labels.iter().flatten() {
                labels.insert(sanitize(k), v.clone());
            }
            labels.insert("namespace".into(), ns.to_string());
            labels.insert("service".into(), object.name().to_string());
            labels.insert("node".into(), node.clone());
            // The notes' dashboards group by the label older charts used.
            labels.insert("kubernetes_node".into(), node.clone());
            out.push(pod_target(fabric, labels, pod, &node, port, &instance));
        }
    }
}

/// `kubernetes-pods`: every running pod annotated itself.
fn annotated_pods(fabric: &Fabric, out: &mut Vec<Target>) {
    for object in fabric.store.list(Kind::Pod, None) {
        let Some(pod) = object.as_pod() else { continue };
        let Some(port) = opted_in(&pod.metadata) else { continue };
        if pod.status.as_ref().and_then(|s| s.phase.as_deref()) != Some("Running") {
            continue;
        }
        let Some((ip, node)) = placed(pod) else { continue };
        let port = port.or_else(|| first_port(pod)).unwrap_or(80);
        let instance = format!("{ip}:{port}");
        let mut labels = job_labels("kubernetes-pods", &instance);
        for (k, v) in pod.metadata.labels.iter().flatten() {
            labels.insert(sanitize(k), v.clone());
        }
        labels.insert("namespace".into(), object.namespace().to_string());
        labels.insert("pod".into(), object.name().to_string());
        labels.insert("node".into(), node.clone());
        out.push(pod_target(fabric, labels, pod, &node, port, &instance));
    }
}

/// A target in a pod: who answers on `port`, or why nobody does.
fn pod_target(fabric: &Fabric, labels: Labels, pod: &Pod, node: &str, port: i32, instance: &str) -> Target {
    let url = format!("http://{instance}/metrics");
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let running = |c: &str| crate::metrics::counters::container_id(pod, c).is_some();
    let containers = pod.spec.iter().flat_map(|s| &s.containers);
    let exporter = containers.clone().filter(|c| running(&c.name)).find_map(|c| {
        Exporter::of_image(c.image.as_deref().unwrap_or_default()).filter(|(_, p)| *p == port || port_declared(c, port))
    });
    let listening = containers.clone().any(|c| {
        running(&c.name) && {
            let (image, command, args) = crate::runtime::process::parts(c);
            crate::network::http::listens(c, crate::runtime::process::plan(image, command, args), port)
        }
    });
    let error = if !fabric.node_up(node) {
        Some(timeout(&url))
    } else if exporter.is_some() {
        None
    } else if listening {
        Some("server returned HTTP status 404 Not Found".to_string())
    } else {
        Some(format!("Get \"{url}\": dial tcp {instance}: connect: connection refused"))
    };
    Target {
        labels,
        exporter: exporter.map(|(e, _)| e).unwrap_or(Exporter::Podinfo),
        node: node.to_string(),
        pod: Some((ns, name)),
        error,
        url,
    }
}

fn port_declared(container: &k8s_openapi::api::core::v1::Container, port: i32) -> bool {
    container.ports.iter().flatten().any(|p| p.container_port == port)
}

/// Whether the object asks to be scraped, and on which port if it says.
fn opted_in(meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Option<Option<i32>> {
    let annotations = meta.annotations.as_ref()?;
    if annotations.get("prometheus.io/scrape").map(String::as_str) != Some("true") {
        return None;
    }
    Some(annotations.get("prometheus.io/port").and_then(|p| p.parse().ok()))
}

/// The pod's address and node, once it has both.
fn placed(pod: &Pod) -> Option<(String, String)> {
    let ip = pod.status.as_ref()?.pod_ip.clone().filter(|ip| !ip.is_empty())?;
    let node = pod.spec.as_ref()?.node_name.clone()?;
    Some((ip, node))
}

fn first_port(pod: &Pod) -> Option<i32> {
    pod.spec.as_ref()?.containers.iter().flat_map(|c| c.ports.iter().flatten()).map(|p| p.container_port).next()
}

fn job_labels(job: &str, instance: &str) -> Labels {
    BTreeMap::from([("job".to_string(), job.to_string()), ("instance".to_string(), instance.to_string())])
}

/// A Kubernetes label name as `labelmap` turns it into a Prometheus one.
fn sanitize(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

fn timeout(url: &str) -> String {
    format!("Get \"{url}\": context deadline exceeded")
}

/// The pod an exporter target runs in, from the store.
pub fn pod<'a>(fabric: &Fabric<'a>, target: &Target) -> Option<&'a Pod> {
    let (ns, name) = target.pod.as_ref()?;
    match fabric.store.get(Kind::Pod, ns, name).map(|o| &**o) {
        Some(Object::Pod(p)) => Some(p),
        _ => None,
    }
}
