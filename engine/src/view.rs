//! A picture-ready summary of the cluster: what the app draws, computed here
//! so the pictures and kubectl can never disagree about a pod's STATUS, a
//! node's requests (`kubectl describe node`'s "Allocated resources") or its
//! use (`kubectl top node`).
//!
//! Built in one pass over the pods (STATUS, requests and use summed per
//! node) and one over the nodes; a pod's owner is resolved by name.

use crate::api::Kind;
use crate::kubectl::printers::{node, pod};
use crate::metrics::resource;
use crate::network::load::Source;
use crate::object::Object;
use crate::quantity;
use crate::runtime::usage::Usage;
use crate::store::Store;
use crate::time::Time;
use std::collections::HashMap;

/// CPU in millicores and memory in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    /// Millicores.
    pub cpu: i64,
    /// Bytes.
    pub memory: i64,
}

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
    /// Its taints as `kubectl describe node` lists them (`key=value:Effect`).
    pub taints: Vec<String>,
    /// `status.allocatable`.
    pub allocatable: Amounts,
    /// The sum of its pods' requests, counted as the scheduler counts them
    /// (pods that finished hold nothing).
    pub requested: Amounts,
    /// What `kubectl top node` reports; `None` while the metrics API has no
    /// sample for it.
    pub usage: Option<Amounts>,
}

/// The controller a pod belongs to, as a person names it: a ReplicaSet's
/// pods belong to its Deployment when it has one.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Owner {
    /// `Deployment`, `ReplicaSet`, `DaemonSet`, `StatefulSet`, `Job`, `Node` (a static pod), …
    pub kind: String,
    /// Its name.
    pub name: String,
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
    /// Its controller; `None` for a bare pod.
    pub owner: Option<Owner>,
    /// What it requests, as the scheduler adds it up.
    pub requests: Amounts,
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
    /// Whether the metrics API (metrics-server) is serving, so node use is
    /// known.
    pub metrics: bool,
}

fn amounts(
    list: Option<&std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
) -> Amounts {
    let get = |key: &str| list.and_then(|l| l.get(key)).and_then(|q| quantity::parse_milli(&q.0));
    let whole = |milli: i128| i64::try_from(milli).unwrap_or(i64::MAX);
    Amounts { cpu: get("cpu").map_or(0, whole), memory: get("memory").map_or(0, |m| whole(m / 1000)) }
}

/// A pod's controller, a ReplicaSet's replaced by its Deployment.
pub(crate) fn owner(store: &Store, p: &k8s_openapi::api::core::v1::Pod) -> Option<Owner> {
    let namespace = p.metadata.namespace.as_deref().unwrap_or_default();
    let controller = |refs: Option<&Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>>| {
        refs.into_iter().flatten().find(|r| r.controller == Some(true)).cloned()
    };
    let first = controller(p.metadata.owner_references.as_ref())?;
    if first.kind == "ReplicaSet" {
        if let Some(Object::ReplicaSet(rs)) = store.get(Kind::ReplicaSet, namespace, &first.name).map(|o| &**o) {
            if let Some(up) = controller(rs.metadata.owner_references.as_ref()).filter(|r| r.kind == "Deployment") {
                return Some(Owner { kind: up.kind, name: up.name });
            }
        }
    }
    Some(Owner { kind: first.kind, name: first.name })
}

/// Builds the view. `traffic` is the load from outside the cluster, which
/// the pods serving it spend CPU on. Without `usage` the nodes' use is left
/// out (`None`), and with it most of the cost.
pub fn build(store: &Store, now: Time, traffic: &[Source], usage: bool) -> ClusterView {
    let metrics = resource::available(store);
    let demand = (metrics && usage).then(|| resource::demand(store, now, traffic));
    let mut requested: HashMap<String, Amounts> = HashMap::new();
    // What each node's pods used, summed in the same pass.
    let mut used: HashMap<String, Usage> = HashMap::new();
    let pods = store
        .list(Kind::Pod, None)
        .filter_map(|o| o.as_pod())
        .map(|p| {
            let summary = pod::summarize(p, now);
            let namespace = p.metadata.namespace.clone().unwrap_or_default();
            let node = p.spec.as_ref().and_then(|s| s.node_name.clone());
            let phase = p.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            let (r, _) = crate::scheduler::pod_requests(p);
            let requests = Amounts { cpu: r.cpu, memory: r.memory };
            if let Some(n) = node.as_ref().filter(|_| !matches!(phase.as_str(), "Succeeded" | "Failed")) {
                let sum = requested.entry(n.clone()).or_default();
                sum.cpu += requests.cpu;
                sum.memory += requests.memory;
            }
            if let (Some(n), Some(d)) = (node.as_ref(), demand.as_ref()) {
                for c in resource::pod(p, now, d).into_iter().flatten() {
                    let sum = used.entry(n.clone()).or_default();
                    *sum = sum.add(c.usage);
                }
            }
            PodChip {
                system: SYSTEM_NAMESPACES.contains(&namespace.as_str()),
                owner: owner(store, p),
                namespace,
                name: p.metadata.name.clone().unwrap_or_default(),
                node,
                status: summary.status,
                ready: summary.ready,
                phase,
                requests,
            }
        })
        .collect();
    let nodes = store
        .list(Kind::Node, None)
        .filter_map(|o| o.as_node())
        .map(|n| {
            let name = n.metadata.name.clone().unwrap_or_default();
            let status = n.status.as_ref();
            NodeCard {
                status: node::status(n),
                roles: node::roles(n),
                ip: status
                    .and_then(|s| s.addresses.as_ref())
                    .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                    .map(|a| a.address.clone())
                    .unwrap_or_default(),
                taints: n
                    .spec
                    .iter()
                    .flat_map(|s| s.taints.iter().flatten())
                    .map(|t| match &t.value {
                        Some(v) if !v.is_empty() => format!("{}={v}:{}", t.key, t.effect),
                        _ => format!("{}:{}", t.key, t.effect),
                    })
                    .collect(),
                allocatable: amounts(status.and_then(|s| s.allocatable.as_ref())),
                requested: requested.remove(&name).unwrap_or_default(),
                usage: (metrics && usage)
                    .then(|| resource::node_with(n, now, used.remove(&name).unwrap_or_default()))
                    .flatten()
                    .map(|u| Amounts {
                        cpu: i64::try_from(u.nanocores.div_ceil(1_000_000)).unwrap_or(i64::MAX),
                        memory: i64::try_from(u.memory).unwrap_or(i64::MAX),
                    }),
                name,
            }
        })
        .collect();
    ClusterView { time: now, nodes, pods, metrics: metrics && usage }
}

#[cfg(test)]
mod tests {
    use crate::Cluster;

    fn node<'a>(view: &'a crate::ClusterView, name: &str) -> &'a crate::NodeCard {
        view.nodes.iter().find(|n| n.name == name).expect("node in view")
    }

    #[test]
    fn requests_usage_taints_and_owners_match_kubectl() {
        let mut c = Cluster::new("default", 1).expect("preset");
        let before = c.view();
        let m = node(&before, "m-k8s");
        assert_eq!(m.taints, ["node-role.kubernetes.io/control-plane:NoSchedule"]);
        assert_eq!(m.allocatable.cpu, 2000);
        // kubeadm's static pods and the addons request 950m on the control plane.
        let describe = c.kubectl("describe node m-k8s").stdout;
        let line = describe.lines().find(|l| l.trim_start().starts_with("cpu ")).unwrap_or_default().to_string();
        assert!(line.contains(&format!("{}m", m.requested.cpu)), "{line} vs {:?}", m.requested);
        let out = c.kubectl("create deployment web --image=nginx --replicas=3");
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        let out = c.kubectl("set resources deployment web --requests=cpu=300m,memory=128Mi");
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        c.step(120_000);
        let after = c.view();
        let web: Vec<_> = after.pods.iter().filter(|p| p.name.starts_with("web-")).collect();
        assert_eq!(web.len(), 3);
        for p in &web {
            let owner = p.owner.as_ref().map(|o| (o.kind.as_str(), o.name.as_str()));
            assert_eq!(owner, Some(("Deployment", "web")));
            assert_eq!(p.requests, super::Amounts { cpu: 300, memory: 128 << 20 });
        }
        let workers: i64 = ["w1-k8s", "w2-k8s", "w3-k8s"]
            .iter()
            .map(|n| node(&after, n).requested.cpu - node(&before, n).requested.cpu)
            .sum();
        assert_eq!(workers, 900, "three 300m pods landed on the workers");
        let proxy = after.pods.iter().find(|p| p.name.starts_with("kube-proxy-")).and_then(|p| p.owner.clone());
        assert_eq!(proxy.map(|o| o.kind), Some("DaemonSet".to_string()));
        // Use is what `kubectl top node` prints.
        assert!(after.metrics);
        let top = c.kubectl("top node w1-k8s").stdout;
        let usage = node(&after, "w1-k8s").usage.expect("w1 has metrics");
        assert!(top.contains(&format!("{}m", usage.cpu)), "{top} vs {usage:?}");
        assert!(top.contains(&format!("{}Mi", usage.memory >> 20)), "{top} vs {usage:?}");
        let out = c.kubectl("cordon w2-k8s");
        assert_eq!(out.exit_code, 0);
        assert_eq!(node(&c.view(), "w2-k8s").status, "Ready,SchedulingDisabled");
    }

    #[test]
    fn a_view_without_usage_is_the_view_with_no_use_and_the_map_notices_pods_not_leases() {
        let mut c = Cluster::new("default", 1).expect("preset");
        c.step(60_000);
        let full = c.view();
        let lite = c.view_without_usage();
        assert!(full.metrics && full.nodes.iter().all(|n| n.usage.is_some()));
        assert!(!lite.metrics && lite.nodes.iter().all(|n| n.usage.is_none()));
        let mut used_cleared = full.clone();
        used_cleared.metrics = false;
        used_cleared.nodes.iter_mut().for_each(|n| n.usage = None);
        assert_eq!(lite, used_cleared);
        // Leases renewing move the version but not the map.
        let version = c.version();
        assert!(!c.map_changed_since(version));
        c.step(30_000);
        assert!(c.version() > version, "the kubelets renewed their Leases");
        assert!(!c.map_changed_since(version));
        assert_eq!(c.kubectl("run web --image=nginx").exit_code, 0);
        assert!(c.map_changed_since(version));
        // From before the bootstrap, every node and pod is new.
        assert!(c.map_changed_since(0));
    }

    #[test]
    fn describe_and_logs_read_what_kubectl_prints_and_change_nothing() {
        let mut c = Cluster::new("default", 1).expect("preset");
        assert_eq!(c.kubectl("run web --image=nginx").exit_code, 0);
        c.step(60_000);
        let version = c.version();
        let node = c.describe("node", "", "w1-k8s");
        assert!(node.stdout.starts_with("Name:               w1-k8s\n"), "{}", node.stdout);
        let pod = c.describe("pod", "default", "web");
        let logs = c.logs("default", "web");
        assert_eq!(c.version(), version, "reading changed the cluster");
        assert_eq!(pod, c.kubectl("describe pod web -n default"));
        assert_eq!(logs, c.kubectl("logs web -n default"));
        assert!(logs.stdout.contains("Configuration complete"), "{}", logs.stdout);
        let missing = c.describe("pod", "default", "nope");
        assert_eq!(missing.stderr, "Error from server (NotFound): pods \"nope\" not found\n");
    }

    #[test]
    fn a_bare_pod_has_no_owner_and_a_pending_one_no_node() {
        let mut c = Cluster::new("default", 1).expect("preset");
        let out = c.apply(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n  containers:\n  - name: big\n    image: nginx\n    resources:\n      requests:\n        cpu: \"64\"\n",
        );
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        c.step(5_000);
        let view = c.view();
        let big = view.pods.iter().find(|p| p.name == "big").expect("big");
        assert_eq!((big.owner.as_ref(), big.node.as_ref(), big.status.as_str()), (None, None, "Pending"));
        assert_eq!(big.requests.cpu, 64_000);
    }
}
