//! A picture-ready summary of the cluster: what the app draws, computed here
//! so the pictures and kubectl can never disagree about a pod's STATUS.

use crate::api::Kind;
use crate::kubectl::printers::{node, pod};
use crate::store::Store;
use crate::time::Time;

/// One node card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeCard {
    /// Node name.
    pub name: String,
    /// kubectl's STATUS (`Ready`, `NotReady,SchedulingDisabled`, …).
    pub status: String,
    /// kubectl's ROLES.
    pub roles: String,
    /// InternalIP.
    pub ip: String,
}

/// One pod chip.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodChip {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The node it is bound to, if any.
    pub node: Option<String>,
    /// kubectl's STATUS column.
    pub status: String,
    /// kubectl's READY column.
    pub ready: String,
    /// `status.phase`.
    pub phase: String,
    /// Whether it is the cluster's own machinery (an addon the lab
    /// installed) rather than the learner's.
    pub system: bool,
}

/// The namespaces kubeadm and the lab's installers made.
const SYSTEM_NAMESPACES: &[&str] =
    &["kube-system", "kube-public", "kube-node-lease", "metallb-system", "ingress-nginx", "local-path-storage"];

/// Nodes and pods as of one instant.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterView {
    /// When this view was taken.
    pub time: Time,
    /// Nodes by name.
    pub nodes: Vec<NodeCard>,
    /// Pods by namespace and name.
    pub pods: Vec<PodChip>,
}

/// Builds the view.
pub fn build(store: &Store, now: Time) -> ClusterView {
    let nodes = store
        .list(Kind::Node, None)
        .filter_map(|o| o.as_node())
        .map(|n| NodeCard {
            name: n.metadata.name.clone().unwrap_or_default(),
            status: node::status(n),
            roles: node::roles(n),
            ip: n
                .status
                .as_ref()
                .and_then(|s| s.addresses.as_ref())
                .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                .map(|a| a.address.clone())
                .unwrap_or_default(),
        })
        .collect();
    let pods = store
        .list(Kind::Pod, None)
        .filter_map(|o| o.as_pod())
        .map(|p| {
            let summary = pod::summarize(p, now);
            let namespace = p.metadata.namespace.clone().unwrap_or_default();
            PodChip {
                system: SYSTEM_NAMESPACES.contains(&namespace.as_str()),
                namespace,
                name: p.metadata.name.clone().unwrap_or_default(),
                node: p.spec.as_ref().and_then(|s| s.node_name.clone()),
                status: summary.status,
                ready: summary.ready,
                phase: p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
            }
        })
        .collect();
    ClusterView { time: now, nodes, pods }
}
