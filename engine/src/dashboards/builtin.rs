//! The dashboards kubeplay ships, as Grafana JSON in `engine/dashboards/`.

use super::model::Dashboard;

/// `(uid, JSON)` of each built-in dashboard, in picker order.
pub const SOURCES: [(&str, &str); 4] = [
    ("kubeplay-cluster", include_str!("../../dashboards/cluster-overview.json")),
    ("kubeplay-node", include_str!("../../dashboards/node-detail.json")),
    ("kubeplay-namespace", include_str!("../../dashboards/namespace-detail.json")),
    ("kubeplay-hpa", include_str!("../../dashboards/hpa-walkthrough.json")),
];

/// The built-in dashboards, parsed.
pub fn all() -> Vec<Dashboard> {
    SOURCES.iter().filter_map(|(_, json)| Dashboard::import(json).ok()).collect()
}
