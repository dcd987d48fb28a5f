//! The kubelet's own `/metrics`: what it runs and its node's name.

use super::{labels, Scene};
use crate::api::Kind;
use crate::metrics::counters;
use crate::metrics::exposition::{Family, Type};
use crate::object::Object;
use k8s_openapi::api::core::v1::Node;

pub fn families(scene: &Scene, node: &Node) -> Vec<Family> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let (mut pods, mut containers) = (0.0, 0.0);
    for (ns, pod) in scene.store.pods_on_node(name) {
        if let Some(Object::Pod(p)) = scene.store.get(Kind::Pod, ns, pod).map(|o| &**o) {
            if counters::running(p) {
                pods += 1.0;
                containers += p.spec.as_ref().map(|s| s.containers.len()).unwrap_or(0) as f64;
            }
        }
    }
    let mut node_name =
        Family::new("kubelet_node_name", Type::Gauge, "[ALPHA] The node's name. The count is always 1.");
    node_name.add(labels(&[("node", name)]), 1.0);
    let mut running_pods =
        Family::new("kubelet_running_pods", Type::Gauge, "[ALPHA] Number of pods that have a running pod sandbox");
    running_pods.add(Vec::new(), pods);
    let mut running =
        Family::new("kubelet_running_containers", Type::Gauge, "[ALPHA] Number of containers currently running");
    running.add(labels(&[("container_state", "running")]), containers);
    vec![node_name, running, running_pods]
}
