//! The resource metrics API as metrics-server serves it to `kubectl top`:
//! it scrapes every kubelet every 15 seconds and reports, for each pod and
//! node, the use measured in the last window. A container appears once it
//! has run through a whole window; nothing is served while metrics-server
//! itself is not running.

use crate::api::Kind;
use crate::network::http;
pub use crate::network::load::Demand;
use crate::object::Object;
use crate::runtime::process;
use crate::runtime::usage::{self, Usage};
use crate::store::Store;
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::core::v1::{Node, Pod};

/// metrics-server's `--metric-resolution`.
pub const RESOLUTION: Millis = 15 * SECOND;

/// One container's use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerMetrics {
    pub name: String,
    pub usage: Usage,
}

/// Whether the API is served: metrics-server has a ready pod.
pub fn available(store: &Store) -> bool {
    store
        .list(Kind::Pod, Some("kube-system"))
        .filter_map(|o| o.as_pod())
        .filter(|p| p.metadata.labels.as_ref().and_then(|l| l.get("k8s-app")).is_some_and(|a| a == "metrics-server"))
        .any(|p| {
            p.metadata.deletion_timestamp.is_none()
                && p.status
                    .iter()
                    .flat_map(|s| s.conditions.iter().flatten())
                    .any(|c| c.type_ == "Ready" && c.status == "True")
        })
}

/// What requests cost the serving pods at the last scrape before `now`.
pub fn demand(store: &Store, now: Time, traffic: &[crate::network::load::Source]) -> Demand {
    Demand::at(store, last_scrape(now).0, traffic)
}

/// The last scrape at or before `now`, and its window number.
fn last_scrape(now: Time) -> (Time, i64) {
    let window = now.0.div_euclid(RESOLUTION);
    (Time(window * RESOLUTION), window)
}

/// When the samples served at `now` were taken (a PodMetrics' timestamp;
/// its window is [`RESOLUTION`]).
pub fn scraped_at(now: Time) -> Time {
    last_scrape(now).0
}

/// A pod's containers' use in the last window; `None` until every running
/// container has been up for a whole window (or when the pod is not running).
pub fn pod(pod: &Pod, now: Time, demand: &Demand) -> Option<Vec<ContainerMetrics>> {
    let (scrape, window) = last_scrape(now);
    let status = pod.status.as_ref()?;
    if status.phase.as_deref() != Some("Running") {
        return None;
    }
    for container in pod.spec.iter().flat_map(|s| &s.containers) {
        let state = status.container_statuses.iter().flatten().find(|c| c.name == container.name)?;
        let started = state.state.as_ref()?.running.as_ref()?.started_at.as_ref()?;
        if Time::from_k8s(started).plus(RESOLUTION) > scrape {
            return None;
        }
    }
    let out: Vec<ContainerMetrics> = containers(pod, window, demand)
        .into_iter()
        .map(|(name, usage, _)| ContainerMetrics { name: name.to_string(), usage })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// What each of a pod's app containers used in window `window`, and how
/// much more CPU it wanted than its limit let it have (nanocores).
pub fn containers<'a>(pod: &'a Pod, window: i64, demand: &Demand) -> Vec<(&'a str, Usage, u64)> {
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let mut out = Vec::new();
    let mut served = false;
    for container in pod.spec.iter().flat_map(|s| &s.containers) {
        let (image, command, args) = crate::runtime::process::parts(container);
        let mut usage = usage::in_window(image, command, args, &format!("{uid}/{}", container.name), window);
        // The requests it served: counted once, on the serving container.
        if !served && !http::listening_ports(container, process::plan(image, command, args)).is_empty() {
            served = true;
            let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            usage.nanocores = usage.nanocores.saturating_add(demand.of(namespace, name));
        }
        // Above its CPU limit a container is throttled: it gets no more.
        let limit = container.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("cpu"));
        let mut wanted = 0;
        if let Some(millis) = limit.and_then(|q| crate::quantity::cpu_millis(&q.0)) {
            let cap = u64::try_from(millis).unwrap_or(0).saturating_mul(1_000_000);
            wanted = usage.nanocores.saturating_sub(cap);
            usage.nanocores = usage.nanocores.min(cap);
        }
        out.push((container.name.as_str(), usage, wanted));
    }
    out
}

/// A node's use in the last window: its pods' plus its own; `None` while
/// the node is not ready.
pub fn node(store: &Store, node: &Node, now: Time, demand: &Demand) -> Option<Usage> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let mut pods = Usage::default();
    for (ns, pod_name) in store.pods_on_node(name) {
        if let Some(Object::Pod(p)) = store.get(Kind::Pod, ns, pod_name).map(|o| &**o) {
            for c in pod(p, now, demand).into_iter().flatten() {
                pods = pods.add(c.usage);
            }
        }
    }
    node_with(node, now, pods)
}

/// A node's use given what its pods used (each as [`pod`] reports it): the
/// pods' plus the node's own; `None` while the node is not ready. For a
/// caller that has already gone through the pods.
pub fn node_with(node: &Node, now: Time, pods: Usage) -> Option<Usage> {
    let ready = node
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .any(|c| c.type_ == "Ready" && c.status == "True");
    if !ready {
        return None;
    }
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let control_plane = crate::labels::is_control_plane(&node.metadata);
    let (_, window) = last_scrape(now);
    Some(usage::node_overhead(control_plane, name, window).add(pods))
}
