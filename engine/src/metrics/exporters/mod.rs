//! The exporters of the monitored lab, each serving `/metrics` as the real
//! one does: node-exporter (`node.rs`), the kubelet and its cAdvisor
//! (`kubelet.rs`, `cadvisor.rs`), kube-state-metrics (`kube_state.rs`),
//! the API server (`apiserver.rs`), Prometheus itself and the podinfo demo
//! app (`apps.rs`). Gauges are read from the store when asked; counters
//! come from [`Counters`], which the monitoring clock moves window by
//! window.

mod apiserver;
mod apps;
mod cadvisor;
mod kube_state;
mod kubelet;
mod node;

use super::counters::Counters;
use super::exposition::Family;
use crate::apiserver::requests::Requests;
use crate::network::Network;
use crate::runtime::images;
use crate::store::Store;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Node, Pod};

/// What an exporter reads.
#[derive(Clone, Copy)]
pub struct Scene<'a> {
    pub store: &'a Store,
    pub now: Time,
    pub counters: &'a Counters,
    pub requests: &'a Requests,
    pub network: &'a Network,
    /// Series and samples the Prometheus server holds, for its own metrics.
    pub tsdb: (usize, u64),
    /// Whether its rule files last loaded.
    pub reloaded: bool,
}

/// Who serves a scrape target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exporter {
    Node,
    KubeStateMetrics,
    Kubelet,
    Cadvisor,
    ApiServer,
    Prometheus,
    Podinfo,
    /// MetalLB's controller and speakers.
    MetalLb,
}

impl Exporter {
    /// The exporter a container image runs, and the port its `/metrics`
    /// is on.
    pub fn of_image(image: &str) -> Option<(Exporter, i32)> {
        if images::normalize(image).starts_with("quay.io/metallb/") {
            return Some((Exporter::MetalLb, 7472));
        }
        match images::short_name(image).as_str() {
            "node-exporter" => Some((Exporter::Node, 9100)),
            "kube-state-metrics" => Some((Exporter::KubeStateMetrics, 8080)),
            "prometheus" => Some((Exporter::Prometheus, 9090)),
            "podinfo" => Some((Exporter::Podinfo, 9797)),
            _ => None,
        }
    }

    /// The families it serves: `node` is where it runs, `pod` the pod that
    /// runs it (none for the kubelet and the API server).
    pub fn families(self, scene: &Scene, node: &Node, pod: Option<&Pod>) -> Vec<Family> {
        match self {
            Exporter::Node => node::families(scene, node),
            Exporter::KubeStateMetrics => kube_state::families(scene),
            Exporter::Kubelet => kubelet::families(scene, node),
            Exporter::Cadvisor => cadvisor::families(scene, node),
            Exporter::ApiServer => apiserver::families(scene),
            Exporter::Prometheus => apps::prometheus(scene),
            Exporter::Podinfo => pod.map(|p| apps::podinfo(scene, p)).unwrap_or_default(),
            Exporter::MetalLb => apps::metallb(scene, node, pod),
        }
    }
}

/// `label="value"` pairs from string slices.
fn labels(pairs: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    pairs.iter().map(|(k, v)| (*k, (*v).to_string())).collect()
}

/// Seconds since the Unix epoch.
fn seconds(t: Time) -> f64 {
    t.0 as f64 / 1000.0
}
