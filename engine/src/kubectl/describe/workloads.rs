//! `describe` for ReplicaSets: selector, owner, replica and pod counts, and
//! the pod template.

use super::{annotations, labels, pod_template};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::labels::Selector;
use k8s_openapi::api::apps::v1::ReplicaSet;
use std::fmt::Write;

pub fn replica_set(w: &mut String, cluster: &Cluster, rs: &ReplicaSet) {
    let spec = rs.spec.clone().unwrap_or_default();
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", rs.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{ns}");
    let _ = writeln!(w, "Selector:\t{}", super::super::printers::cells_selector(&spec.selector));
    labels(w, "Labels", rs.metadata.labels.as_ref());
    annotations(w, rs.metadata.annotations.as_ref());
    if let Some(owner) = rs.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true)) {
        let _ = writeln!(w, "Controlled By:\t{}/{}", owner.kind, owner.name);
    }
    let current = rs.status.as_ref().map_or(0, |s| s.replicas);
    let _ = writeln!(w, "Replicas:\t{current} current / {} desired", spec.replicas.unwrap_or(1));
    let selector = Selector::from_api(&spec.selector).unwrap_or_default();
    let (mut running, mut waiting, mut succeeded, mut failed) = (0, 0, 0, 0);
    for pod in cluster.api().store().select(Kind::Pod, Some(&ns), &selector).into_iter().filter_map(|o| o.as_pod()) {
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending") {
            "Running" => running += 1,
            "Succeeded" => succeeded += 1,
            "Failed" => failed += 1,
            _ => waiting += 1,
        }
    }
    let _ =
        writeln!(w, "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed");
    if let Some(template) = &spec.template {
        pod_template(w, template);
    }
}
