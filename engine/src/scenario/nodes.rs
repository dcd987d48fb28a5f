//! Machines joining and leaving a running cluster, as `kubeadm join` and
//! switching a machine off for good leave them: what a new worker is
//! called, sized and labelled, and where its addresses come from.

use super::bootstrap::{create, lease, node};
use super::PresetNode;
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use std::collections::{BTreeMap, BTreeSet};

/// The label a node's zone is under.
pub const ZONE: &str = "topology.kubernetes.io/zone";
/// The label a node's region is under.
pub const REGION: &str = "topology.kubernetes.io/region";

/// A worker to join: what `node add` was told; whatever is left out is
/// taken from the cluster (the newest worker's size, a zone's region).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NewNode {
    /// The machine's host name, which its Node takes.
    pub name: String,
    /// CPU capacity (`4`, `1500m`).
    pub cpu: Option<String>,
    /// Memory capacity (`8Gi`).
    pub memory: Option<String>,
    /// Its `topology.kubernetes.io/zone`.
    pub zone: Option<String>,
    /// Extra labels, as `--node-labels` gives them, in the order given.
    pub labels: Vec<(String, String)>,
}

/// Registers the worker as its kubelet would after `kubeadm join`: the
/// Node, Ready, with its Lease. Returns the node as it will run; the
/// request is refused (and nothing written) for a taken or invalid name,
/// an unreadable size, invalid labels or no address left.
pub fn join(api: &mut ApiServer, new: &NewNode, now: Time) -> Result<PresetNode, String> {
    let store = api.store();
    if store.get(Kind::Node, "", &new.name).is_some() {
        return Err(format!("a node named {:?} is already in the cluster", new.name));
    }
    let template = newest_worker(store);
    let cpu = new.cpu.clone().or_else(|| template.as_ref().map(|t| t.0.clone())).unwrap_or_else(|| "2".into());
    let memory = new.memory.clone().or_else(|| template.map(|t| t.1)).unwrap_or_else(|| "2Gi".into());
    if crate::quantity::cpu_millis(&cpu).is_none_or(|m| m <= 0) {
        return Err(format!("invalid --cpu {cpu:?}: a CPU count such as 2 or 1500m"));
    }
    if crate::quantity::units(&memory).is_none_or(|b| b < 512 << 20) {
        return Err(format!("invalid --memory {memory:?}: a size of at least 512Mi, such as 4Gi"));
    }
    let mut labels = BTreeMap::new();
    if let Some(zone) = &new.zone {
        // A zone lies in one region: the one its machines already report,
        // or the cluster's.
        let region = label_where(store, ZONE, zone, REGION).or_else(|| any_label(store, REGION));
        labels.extend(region.map(|r| (REGION.to_string(), r)));
        labels.insert(ZONE.to_string(), zone.clone());
    }
    labels.extend(new.labels.iter().cloned());
    let ip = next_ip(store, new.zone.as_deref())?;
    let pod_cidr = next_pod_cidr(store)?;
    let version = kubelet_version(store);
    let spec = PresetNode {
        name: new.name.clone(),
        ip,
        pod_cidr,
        control_plane: false,
        schedulable: false,
        cpu,
        memory,
        labels,
    };
    let object = Object::Node(Box::new(node(&spec, &version, now)));
    // Checked as a dry run first, so a refused Lease can never leave a
    // Node behind.
    api.create(object.clone(), now, true).map_err(|e| e.render(None))?;
    let node = api.create(object, now, false).map_err(|e| e.render(None))?;
    create(api, Object::Lease(Box::new(lease(&node, now, now))), now);
    Ok(spec)
}

/// CPU and memory capacity of the worker that joined last: a new machine
/// is most likely made from the same template.
fn newest_worker(store: &Store) -> Option<(String, String)> {
    let worker = store
        .list(Kind::Node, None)
        .filter(|n| !crate::labels::is_control_plane(n.meta()))
        .max_by_key(|n| (n.meta().creation_timestamp.clone().map(|t| t.0), n.name().to_string()))?;
    let capacity = worker.as_node()?.status.as_ref()?.capacity.as_ref()?;
    let memory = crate::quantity::units(&capacity.get("memory")?.0)?;
    let memory = if memory % (1 << 30) == 0 { format!("{}Gi", memory >> 30) } else { format!("{}Mi", memory >> 20) };
    Some((capacity.get("cpu")?.0.clone(), memory))
}

fn label_where(store: &Store, key: &str, value: &str, wanted: &str) -> Option<String> {
    store.list(Kind::Node, None).find_map(|n| {
        let labels = n.meta().labels.as_ref()?;
        (labels.get(key).map(String::as_str) == Some(value)).then(|| labels.get(wanted).cloned()).flatten()
    })
}

fn any_label(store: &Store, key: &str) -> Option<String> {
    store.list(Kind::Node, None).find_map(|n| n.meta().labels.as_ref()?.get(key).cloned())
}

fn internal_ip(node: &Object) -> Option<[u8; 4]> {
    let addresses = node.as_node()?.status.as_ref()?.addresses.as_ref()?;
    let ip = addresses.iter().find(|a| a.type_ == "InternalIP")?;
    ip.address.parse::<std::net::Ipv4Addr>().ok().map(|a| a.octets())
}

/// The next address on the subnet of the zone's machines (or of the
/// workers, or of the control plane), after the highest one in use there,
/// as a lab numbers its hosts.
fn next_ip(store: &Store, zone: Option<&str>) -> Result<String, String> {
    let nodes: Vec<&std::sync::Arc<Object>> = store.list(Kind::Node, None).collect();
    let in_zone = |n: &&&std::sync::Arc<Object>| {
        zone.is_some_and(|z| n.meta().labels.as_ref().and_then(|l| l.get(ZONE)).map(String::as_str) == Some(z))
    };
    let worker = |n: &&&std::sync::Arc<Object>| !crate::labels::is_control_plane(n.meta());
    let anchor = nodes
        .iter()
        .filter(in_zone)
        .chain(nodes.iter().filter(worker))
        .chain(nodes.iter())
        .find_map(|n| internal_ip(n))
        .unwrap_or([192, 168, 1, 100]);
    let used: BTreeSet<[u8; 4]> = nodes.iter().filter_map(|n| internal_ip(n)).collect();
    let subnet = [anchor[0], anchor[1], anchor[2]];
    // Workers are numbered from .101, as the lab's are, which keeps them
    // clear of the low addresses the control plane and MetalLB's pool use.
    let highest = used.iter().filter(|ip| ip[..3] == subnet).map(|ip| ip[3]).max().unwrap_or(100).max(100);
    (highest.saturating_add(1)..=254)
        .chain(2..highest)
        .map(|host| [subnet[0], subnet[1], subnet[2], host])
        .find(|ip| !used.contains(ip))
        .map(|ip| std::net::Ipv4Addr::from(ip).to_string())
        .ok_or_else(|| format!("no free address left on {}.{}.{}.0/24", subnet[0], subnet[1], subnet[2]))
}

/// The lowest free /24 of the cluster's pod network (the control plane's
/// /16), as the controller manager's range allocator hands them out.
fn next_pod_cidr(store: &Store) -> Result<String, String> {
    let cidrs: Vec<String> =
        store.list(Kind::Node, None).filter_map(|n| n.as_node()?.spec.as_ref()?.pod_cidr.clone()).collect();
    let control_plane = store
        .list(Kind::Node, None)
        .find(|n| crate::labels::is_control_plane(n.meta()))
        .and_then(|n| n.as_node()?.spec.as_ref()?.pod_cidr.clone());
    let network = control_plane.as_deref().or(cidrs.first().map(String::as_str)).unwrap_or("172.16.0.0/24");
    let mut octets = network.split('.');
    let (a, b) = (octets.next().unwrap_or("172"), octets.next().unwrap_or("16"));
    (0..=255)
        .map(|c| format!("{a}.{b}.{c}.0/24"))
        .find(|cidr| !cidrs.contains(cidr))
        .ok_or_else(|| format!("no free pod CIDR left in {a}.{b}.0.0/16"))
}

fn kubelet_version(store: &Store) -> String {
    store
        .list(Kind::Node, None)
        .find_map(|n| Some(n.as_node()?.status.as_ref()?.node_info.as_ref()?.kubelet_version.clone()))
        .unwrap_or_else(|| "v1.32.4".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Cluster;

    #[test]
    fn a_new_worker_takes_the_next_addresses_and_the_newest_workers_size() {
        let mut cluster = Cluster::new("default", 1).expect("default preset");
        let now = cluster.now();
        let new = NewNode { name: "w4-k8s".into(), ..Default::default() };
        let joined = join(cluster.api_mut(), &new, now).map(|n| (n.ip, n.pod_cidr, n.cpu, n.memory));
        let want = ("192.168.1.104".to_string(), "172.16.0.0/24".to_string(), "2".to_string(), "2560Mi".to_string());
        assert_eq!(joined, Ok(want));
        let again = join(cluster.api_mut(), &new, now);
        assert_eq!(again, Err("a node named \"w4-k8s\" is already in the cluster".into()));
        let version = cluster.version();
        let bad = NewNode { name: "Bad_Name".into(), ..Default::default() };
        assert!(join(cluster.api_mut(), &bad, now).is_err_and(|e| e.contains("RFC 1123 subdomain")));
        let small = NewNode { name: "w5-k8s".into(), memory: Some("1Mi".into()), ..Default::default() };
        assert!(join(cluster.api_mut(), &small, now).is_err());
        assert_eq!(cluster.version(), version, "refused joins write nothing");
    }

    #[test]
    fn a_zone_brings_its_region_and_subnet() {
        let mut cluster = Cluster::new("zones", 1).expect("zones preset");
        let now = cluster.now();
        let new = NewNode { name: "w12-k8s".into(), zone: Some("us-east-1c".into()), ..Default::default() };
        let joined = join(cluster.api_mut(), &new, now).expect("joins");
        assert_eq!(joined.ip, "10.0.3.104");
        assert_eq!(joined.labels.get(REGION).map(String::as_str), Some("us-east-1"));
        assert_eq!(joined.pod_cidr, "172.16.12.0/24");
    }

    #[test]
    fn the_first_worker_of_a_single_node_lab_is_numbered_like_the_labs() {
        let mut cluster = Cluster::new("single", 1).expect("single preset");
        let now = cluster.now();
        let new = NewNode { name: "w1-k8s".into(), ..Default::default() };
        let joined = join(cluster.api_mut(), &new, now).map(|n| (n.ip, n.pod_cidr, n.cpu, n.memory));
        let want = ("192.168.1.101".to_string(), "172.16.0.0/24".to_string(), "2".to_string(), "2Gi".to_string());
        assert_eq!(joined, Ok(want));
    }
}
