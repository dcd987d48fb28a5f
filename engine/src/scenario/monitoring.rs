//! The monitoring stack as the notes' Prometheus chapter installs it, from
//! the manifests in `engine/presets/monitoring/`: the `monitoring`
//! namespace, Prometheus (its scrape jobs and rules in the
//! `prometheus-server` ConfigMap, NodePort 30090), node-exporter on every
//! node, kube-state-metrics and Alertmanager, each running since the lab
//! was built.

use super::bootstrap::{create, lay_daemon_set, lay_deployment, IpPlan, Placement};
use super::PresetNode;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::time::Time;
use std::collections::BTreeMap;

const STACK: &str = include_str!("../../presets/monitoring/stack.yaml");

/// The files of the ConfigMaps, by ConfigMap and key.
const FILES: &[(&str, &str, &str)] = &[
    ("prometheus-server", "prometheus.yml", include_str!("../../presets/monitoring/prometheus.yml")),
    ("prometheus-server", "alerting_rules.yml", include_str!("../../presets/monitoring/alerting_rules.yml")),
    ("prometheus-server", "recording_rules.yml", "{}\n"),
    ("alertmanager", "alertmanager.yml", include_str!("../../presets/monitoring/alertmanager.yml")),
];

/// Lays the stack down, installed at `built` and running since `started`.
pub fn lay_down(api: &mut ApiServer, nodes: &[PresetNode], ips: &mut IpPlan, built: Time, started: Time) {
    let Ok(documents) = crate::codec::documents(STACK) else { return };
    let workers: Vec<&PresetNode> = nodes.iter().filter(|n| !n.control_plane).collect();
    let mut next_worker = 0;
    for document in documents {
        let Ok(mut object) = crate::codec::to_object(document) else { continue };
        match &mut object {
            Object::ConfigMap(cm) => {
                let name = cm.metadata.name.clone().unwrap_or_default();
                let data = cm.data.get_or_insert_with(BTreeMap::new);
                for (_, key, text) in FILES.iter().filter(|(map, _, _)| *map == name) {
                    data.insert((*key).to_string(), (*text).to_string());
                }
                create(api, object, built);
            }
            Object::DaemonSet(ds) => {
                lay_daemon_set(api, (**ds).clone(), nodes, ips, built);
            }
            Object::Deployment(d) => {
                // One worker each, in turn, as the scheduler spread them.
                let Some(node) = workers.get(next_worker % workers.len().max(1)).copied().or(nodes.first()) else {
                    continue;
                };
                next_worker += 1;
                let replicas = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1).max(0) as usize;
                let Some(template) = d.spec.as_ref().map(|s| s.template.clone()) else { continue };
                let placement = Placement { replicas, node, ips: &mut *ips, built, started };
                lay_deployment(api, d.metadata.clone(), template, placement);
            }
            _ => {
                create(api, object, built);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_bundled_manifests_decode() {
        let documents = crate::codec::documents(super::STACK).expect("yaml");
        for d in documents {
            crate::codec::to_object(d).expect("a served kind");
        }
    }
}
