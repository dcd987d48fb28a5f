//! The scheduler's picture of the cluster: one [`NodeInfo`] per node with
//! what its pods use, kept current from the change log (a bound pod is
//! added once, a deleted or finished one removed once), so a scheduling
//! cycle never sums pods or parses quantities.
//!
//! Nodes live in slots that are never reused for another name: per-node
//! counts elsewhere (topology spread) index by slot and stay valid when a
//! node leaves and comes back.

use super::counts::{Counts, Topology};
use super::plugins::node_resources_fit::{pod_requests, Resources};
use crate::object::Object;
use k8s_openapi::api::core::v1::{Affinity, Node, Pod};
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// (namespace, name).
pub(crate) type PodKey = (String, String);

/// A host port a container asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct HostPort {
    pub protocol: String,
    pub ip: String,
    pub port: i32,
}

impl HostPort {
    /// kube's rule: same protocol and port, and the same address or either
    /// one the wildcard.
    pub fn conflicts(&self, other: &HostPort) -> bool {
        let wild = |ip: &str| ip.is_empty() || ip == "0.0.0.0";
        self.port == other.port
            && self.protocol == other.protocol
            && (self.ip == other.ip || wild(&self.ip) || wild(&other.ip))
    }
}

/// What the scheduler keeps of a pod it has placed (or found placed).
#[derive(Clone, Debug)]
pub(crate) struct PodInfo {
    pub namespace: String,
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub requests: Resources,
    /// cpu millicores and memory bytes with the scoring defaults.
    pub non_zero: (i64, i64),
    pub ports: Vec<HostPort>,
    /// Only when it has pod (anti-)affinity terms.
    pub affinity: Option<Arc<Affinity>>,
    pub terminating: bool,
    /// `spec.priority`: who may preempt whom.
    pub priority: i32,
    /// When it started (or was made): among equals, the newer is preempted first.
    pub started: crate::time::Time,
}

impl PodInfo {
    pub fn new(pod: &Pod) -> PodInfo {
        let (requests, non_zero) = pod_requests(pod);
        let spec = pod.spec.as_ref();
        let affinity = spec
            .and_then(|s| s.affinity.as_ref())
            .filter(|a| a.pod_affinity.is_some() || a.pod_anti_affinity.is_some())
            .map(|a| Arc::new(a.clone()));
        PodInfo {
            namespace: pod.metadata.namespace.clone().unwrap_or_default(),
            name: pod.metadata.name.clone().unwrap_or_default(),
            labels: pod.metadata.labels.clone().unwrap_or_default(),
            requests,
            non_zero,
            ports: host_ports(pod),
            affinity,
            terminating: pod.metadata.deletion_timestamp.is_some(),
            priority: spec.and_then(|s| s.priority).unwrap_or(0),
            started: pod
                .status
                .as_ref()
                .and_then(|s| s.start_time.as_ref())
                .or(pod.metadata.creation_timestamp.as_ref())
                .map_or(crate::time::EPOCH, crate::time::Time::from_k8s),
        }
    }
}

/// The host ports of a pod's containers (init containers too).
pub(crate) fn host_ports(pod: &Pod) -> Vec<HostPort> {
    let Some(spec) = pod.spec.as_ref() else { return Vec::new() };
    spec.init_containers
        .iter()
        .flatten()
        .chain(&spec.containers)
        .flat_map(|c| c.ports.iter().flatten())
        .filter(|p| p.host_port.unwrap_or(0) > 0)
        .map(|p| HostPort {
            protocol: p.protocol.clone().unwrap_or_else(|| "TCP".into()),
            ip: p.host_ip.clone().unwrap_or_default(),
            port: p.host_port.unwrap_or(0),
        })
        .collect()
}

/// One node and what is on it.
#[derive(Clone, Debug)]
pub(crate) struct NodeInfo {
    pub name: String,
    pub object: Arc<Object>,
    pub allocatable: Resources,
    pub allowed_pods: i64,
    pub requested: Resources,
    pub non_zero: (i64, i64),
    pub pods: Vec<Arc<PodInfo>>,
    pub ports: Vec<HostPort>,
    /// (image id, size in bytes), by id.
    pub images: Vec<(u32, i64)>,
    /// Whether it has taints a pod must tolerate to land (most have none).
    pub hard_taints: bool,
    /// Whether it has PreferNoSchedule taints (scoring reads the node then).
    pub soft_taints: bool,
    /// `spec.unschedulable`: cordoned.
    pub unschedulable: bool,
    pub ready: bool,
    pub has_hostname: bool,
    /// Pods here with pod (anti-)affinity terms.
    pub with_affinity: usize,
    /// Whether the node still exists (a slot outlives its node).
    pub present: bool,
    /// Moves on whenever what the node has or has given out changes (a pod
    /// in or out, a new allocatable), so scores worked out from those can
    /// be kept until then (see `framework::Memo`).
    pub generation: u64,
}

impl NodeInfo {
    fn new(name: &str, object: Arc<Object>) -> NodeInfo {
        let mut info = NodeInfo {
            name: name.to_string(),
            object,
            allocatable: Resources::default(),
            allowed_pods: 0,
            requested: Resources::default(),
            non_zero: (0, 0),
            pods: Vec::new(),
            ports: Vec::new(),
            images: Vec::new(),
            hard_taints: false,
            soft_taints: false,
            unschedulable: false,
            ready: false,
            has_hostname: false,
            with_affinity: 0,
            present: true,
            generation: 0,
        };
        info.refresh();
        info
    }

    /// The Node object, which a slot always holds.
    pub fn node(&self) -> &Node {
        static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
        self.object.as_node().unwrap_or_else(|| EMPTY.get_or_init(Node::default))
    }

    pub fn labels(&self) -> Option<&BTreeMap<String, String>> {
        self.node().metadata.labels.as_ref()
    }

    fn refresh(&mut self) {
        self.generation += 1;
        let node = self.node().clone();
        let alloc = node.status.as_ref().and_then(|s| s.allocatable.as_ref());
        self.allocatable = Resources::from_list(alloc);
        self.allowed_pods = alloc.and_then(|a| a.get("pods")).and_then(|q| crate::quantity::units(&q.0)).unwrap_or(0);
        self.hard_taints = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(|t| t.iter().any(|t| t.effect == "NoSchedule" || t.effect == "NoExecute"));
        self.soft_taints = node
            .spec
            .as_ref()
            .and_then(|s| s.taints.as_ref())
            .is_some_and(|t| t.iter().any(|t| t.effect == "PreferNoSchedule"));
        self.unschedulable = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
        self.has_hostname = node.metadata.labels.as_ref().is_some_and(|l| l.contains_key(super::counts::HOSTNAME));
        self.ready = node
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .into_iter()
            .flatten()
            .any(|c| c.type_ == "Ready" && c.status == "True");
    }

    /// Counts a pod in. Preemption works on clones with pods taken out and
    /// put back, so this is the only way pods enter.
    pub fn add_pod(&mut self, pod: Arc<PodInfo>) {
        self.generation += 1;
        self.requested.add(&pod.requests);
        self.non_zero.0 += pod.non_zero.0;
        self.non_zero.1 += pod.non_zero.1;
        self.ports.extend(pod.ports.iter().cloned());
        self.with_affinity += usize::from(pod.affinity.is_some());
        self.pods.push(pod);
    }

    /// Counts a pod out; returns it if it was there.
    pub fn remove_pod(&mut self, namespace: &str, name: &str) -> Option<Arc<PodInfo>> {
        let at = self.pods.iter().position(|p| p.namespace == namespace && p.name == name)?;
        let pod = self.pods.swap_remove(at);
        self.generation += 1;
        self.requested.sub(&pod.requests);
        self.non_zero.0 -= pod.non_zero.0;
        self.non_zero.1 -= pod.non_zero.1;
        self.with_affinity -= usize::from(pod.affinity.is_some());
        for port in &pod.ports {
            if let Some(i) = self.ports.iter().position(|p| p == port) {
                self.ports.swap_remove(i);
            }
        }
        Some(pod)
    }

    pub fn has_image(&self, id: u32) -> Option<i64> {
        self.images.binary_search_by_key(&id, |(i, _)| *i).ok().map(|at| self.images[at].1)
    }
}

/// Every node, the pods on them, and the indexes scoring needs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Snapshot {
    pub slots: Vec<NodeInfo>,
    by_name: HashMap<String, usize>,
    /// Present slots in node-name order: the order nodes are searched in.
    pub order: Vec<usize>,
    bound: HashMap<PodKey, usize>,
    /// Image name → id, and how many present nodes hold each id.
    images: HashMap<String, u32>,
    pub image_nodes: Vec<u32>,
    /// Pods bound anywhere with pod (anti-)affinity terms: when none and
    /// the incoming pod has none, InterPodAffinity has nothing to do.
    pub with_affinity: usize,
    pub topology: Topology,
    pub counts: Counts,
    /// Pods waiting for a node their preemption freed, by node: lower- and
    /// equal-priority pods must leave them the room.
    pub nominated: HashMap<String, Vec<Arc<PodInfo>>>,
}

impl Snapshot {
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied().filter(|s| self.slots[*s].present)
    }

    pub fn image_id(&self, name: &str) -> Option<u32> {
        self.images.get(name).copied()
    }

    pub fn is_bound(&self, key: &PodKey) -> bool {
        self.bound.contains_key(key)
    }

    /// Adds or updates a node.
    pub fn put_node(&mut self, object: &Arc<Object>) {
        let name = object.name();
        let slot = match self.by_name.get(name) {
            Some(&slot) => {
                self.set_images(slot, false);
                let info = &mut self.slots[slot];
                info.object = object.clone();
                info.refresh();
                if !info.present {
                    info.present = true;
                    self.insert_order(slot);
                }
                slot
            }
            None => {
                let slot = self.slots.len();
                self.slots.push(NodeInfo::new(name, object.clone()));
                self.by_name.insert(name.to_string(), slot);
                self.insert_order(slot);
                self.counts.grow(self.slots.len());
                slot
            }
        };
        self.set_images(slot, true);
        self.topology.node_changed(slot, &self.slots[slot], &mut self.counts);
    }

    pub fn remove_node(&mut self, name: &str) {
        let Some(slot) = self.slot(name) else { return };
        self.set_images(slot, false);
        self.slots[slot].present = false;
        self.order.retain(|s| *s != slot);
        self.topology.node_changed(slot, &self.slots[slot], &mut self.counts);
    }

    fn insert_order(&mut self, slot: usize) {
        let name = &self.slots[slot].name;
        let at = self.order.partition_point(|s| self.slots[*s].name < *name);
        self.order.insert(at, slot);
    }

    /// Takes a node's images out of the index (`add` false) or puts them in.
    fn set_images(&mut self, slot: usize, add: bool) {
        if !add {
            for (id, _) in std::mem::take(&mut self.slots[slot].images) {
                if let Some(n) = self.image_nodes.get_mut(id as usize) {
                    *n = n.saturating_sub(1);
                }
            }
            return;
        }
        let list = self.slots[slot].node().status.as_ref().and_then(|s| s.images.clone()).unwrap_or_default();
        let mut mine: Vec<(u32, i64)> = Vec::new();
        for image in &list {
            for name in image.names.iter().flatten() {
                let next = self.images.len() as u32;
                let id = *self.images.entry(name.clone()).or_insert(next);
                if id as usize >= self.image_nodes.len() {
                    self.image_nodes.resize(id as usize + 1, 0);
                }
                mine.push((id, image.size_bytes.unwrap_or(0)));
            }
        }
        mine.sort_unstable();
        mine.dedup_by_key(|(id, _)| *id);
        for (id, _) in &mine {
            self.image_nodes[*id as usize] += 1;
        }
        self.slots[slot].images = mine;
    }

    /// Counts a pod against its node, once.
    pub fn add_pod(&mut self, pod: &Pod, node: &str) {
        let key = (pod.metadata.namespace.clone().unwrap_or_default(), pod.metadata.name.clone().unwrap_or_default());
        if let Some(&slot) = self.bound.get(&key) {
            // Only going into termination changes what is counted.
            let terminating = pod.metadata.deletion_timestamp.is_some();
            let same = self.slots[slot]
                .pods
                .iter()
                .any(|p| p.name == key.1 && p.namespace == key.0 && p.terminating == terminating);
            if same {
                return;
            }
            self.remove_pod(&key);
        }
        self.insert_pod(key, Arc::new(PodInfo::new(pod)), node);
    }

    /// Counts in a pod the scheduler has just placed, from the PodInfo its
    /// cycle already built (binding changes nothing a PodInfo holds), so a
    /// placement parses the pod's requests and copies its labels once.
    pub fn add_placed(&mut self, info: PodInfo, node: &str) {
        let key = (info.namespace.clone(), info.name.clone());
        if self.bound.contains_key(&key) {
            self.remove_pod(&key);
        }
        self.insert_pod(key, Arc::new(info), node);
    }

    fn insert_pod(&mut self, key: PodKey, info: Arc<PodInfo>, node: &str) {
        let slot = match self.by_name.get(node) {
            Some(&slot) => slot,
            // A pod bound to a node not (yet) seen: keep a slot for it.
            None => {
                let object = Arc::new(Object::Node(Box::new(Node {
                    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        name: Some(node.to_string()),
                        ..Default::default()
                    },
                    ..Default::default()
                })));
                let slot = self.slots.len();
                let mut info = NodeInfo::new(node, object);
                info.present = false;
                self.slots.push(info);
                self.by_name.insert(node.to_string(), slot);
                self.counts.grow(self.slots.len());
                slot
            }
        };
        if info.affinity.is_some() {
            self.with_affinity += 1;
        }
        self.counts.pod_changed(&info, slot, 1, &self.topology);
        self.slots[slot].add_pod(info);
        self.bound.insert(key, slot);
    }

    pub fn remove_pod(&mut self, key: &PodKey) -> bool {
        let Some(slot) = self.bound.remove(key) else { return false };
        if let Some(info) = self.slots[slot].remove_pod(&key.0, &key.1) {
            if info.affinity.is_some() {
                self.with_affinity -= 1;
            }
            self.counts.pod_changed(&info, slot, -1, &self.topology);
        }
        true
    }
}

impl Snapshot {
    /// Keeps an unbound pod's nomination (`status.nominatedNodeName`) as its
    /// latest version states it; `None` forgets it (bound or deleted).
    pub fn nominate(&mut self, key: &PodKey, pod: Option<&Pod>) {
        let node = pod.and_then(|p| p.status.as_ref()?.nominated_node_name.clone()).filter(|n| !n.is_empty());
        let here = |p: &Arc<PodInfo>| p.namespace == key.0 && p.name == key.1;
        // Nominations are few and short-lived: a scan of them is cheap.
        for pods in self.nominated.values_mut() {
            pods.retain(|p| !here(p));
        }
        self.nominated.retain(|_, pods| !pods.is_empty());
        if let (Some(node), Some(pod)) = (node, pod) {
            self.nominated.entry(node).or_default().push(Arc::new(PodInfo::new(pod)));
        }
    }
}

impl Snapshot {
    /// The group counting `selector`'s pods in `namespace`, registered (and
    /// its bound pods counted, found through the store's label index) on
    /// first use.
    pub fn group(&mut self, namespace: &str, selector: &crate::labels::Selector, store: &crate::store::Store) -> usize {
        if let Some(id) = self.counts.find(namespace, selector) {
            return id;
        }
        let id = self.counts.add_group(namespace, selector, self.topology.keys.len());
        let kind = crate::api::Kind::Pod;
        let mut count = |key: &PodKey, object: Option<&Arc<Object>>| {
            let Some(&slot) = self.bound.get(key) else { return };
            let selected =
                object.is_some_and(|o| o.namespace() == namespace && selector.matches(o.meta().labels.as_ref()));
            let counted = selected
                && self.slots[slot].pods.iter().any(|p| {
                    p.name == key.1 && p.namespace == key.0 && !p.terminating && selector.matches(Some(&p.labels))
                });
            if counted {
                self.counts.groups[id].count(slot, 1, &self.topology);
            }
        };
        match selector.indexable() {
            // A workload's first pod to be scheduled registers its group
            // while the others wait unbound: those are passed over before
            // their objects are looked up.
            Some((k, v)) => {
                for key in store.labelled(kind, k, v) {
                    if self.bound.contains_key(key) {
                        count(key, store.get(kind, &key.0, &key.1));
                    }
                }
            }
            None => {
                for object in store.select(kind, Some(namespace), selector) {
                    count(&(object.namespace().to_string(), object.name().to_string()), Some(object));
                }
            }
        }
        id
    }

    /// The index of a topology key other than the hostname, registered on
    /// first use.
    pub fn topology_key(&mut self, key: &str) -> usize {
        self.topology.register(key, &self.slots, &mut self.counts)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A NodeInfo for plugin tests.
    pub(crate) fn node_info(node: Node) -> NodeInfo {
        let name = node.metadata.name.clone().unwrap_or_default();
        NodeInfo::new(&name, Arc::new(Object::Node(Box::new(node))))
    }
}
