//! The object tree the app's Objects picture draws: every Namespace with
//! its workloads as kubectl shows ownership (Deployment → ReplicaSet → Pod,
//! CronJob → Job → Pod, StatefulSet, DaemonSet and bare pods), its other
//! objects grouped by kind, and the cluster-scoped objects in a group of
//! their own. Each entry's status is the cells `kubectl get` prints for it,
//! from the same printers. Built in one pass over the store's kind maps and
//! its owner index; the app rebuilds it only when the resourceVersion moves.

use crate::api::{Kind, RESOURCES};
use crate::kubectl::printers;
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;
use std::sync::Arc;

/// The most status cells an entry carries: the first columns after NAME,
/// which are the ones kubectl puts first because they matter most.
const STATUS_CELLS: usize = 3;

/// Kinds that own pods, roots first as the tree lists them.
const WORKLOADS: &[Kind] = &[
    Kind::Deployment,
    Kind::StatefulSet,
    Kind::DaemonSet,
    Kind::CronJob,
    Kind::Job,
    Kind::ReplicaSet,
    Kind::ReplicationController,
    Kind::Pod,
];

/// Kinds left out: Events have their own stream, and ControllerRevisions
/// are a DaemonSet's or StatefulSet's bookkeeping (`rollout history` reads them).
const LEFT_OUT: &[Kind] = &[Kind::Event, Kind::ControllerRevision];

/// One object in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeEntry {
    /// Its kind as manifests name it (`Deployment`).
    pub kind: String,
    /// Its namespace, empty for a cluster-scoped object.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `kubectl get`'s cells after NAME, without AGE: (header, cell).
    pub status: Vec<(String, String)>,
    /// What it controls (a Deployment's ReplicaSets, a ReplicaSet's pods).
    pub children: Vec<TreeEntry>,
}

/// The objects of one kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindGroup {
    /// The kind as manifests name it (`ConfigMap`).
    pub kind: String,
    /// Its objects by name (namespace first for cluster-wide lists).
    pub entries: Vec<TreeEntry>,
}

/// One namespace's objects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamespaceBranch {
    /// The Namespace's name.
    pub name: String,
    /// The Namespace's STATUS (`Active`, `Terminating`).
    pub status: String,
    /// Workload roots with what they own, in `WORKLOADS` order then by name.
    pub workloads: Vec<TreeEntry>,
    /// The other kinds, in `kubectl api-resources` order.
    pub groups: Vec<KindGroup>,
    /// How many objects lie under it, at every depth.
    pub size: usize,
}

/// The whole tree.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectTree {
    /// Namespaces by name (objects whose Namespace is gone still show).
    pub namespaces: Vec<NamespaceBranch>,
    /// Cluster-scoped kinds, in `kubectl api-resources` order.
    pub cluster: Vec<KindGroup>,
}

impl TreeEntry {
    /// How many entries this one holds, itself included.
    pub fn size(&self) -> usize {
        1 + self.children.iter().map(TreeEntry::size).sum::<usize>()
    }

    fn keep_matching(mut self, needle: &str) -> Option<TreeEntry> {
        if self.name.to_lowercase().contains(needle) {
            return Some(self);
        }
        self.children = self.children.into_iter().filter_map(|c| c.keep_matching(needle)).collect();
        (!self.children.is_empty()).then_some(self)
    }
}

fn keep_group(group: KindGroup, needle: &str) -> Option<KindGroup> {
    let entries: Vec<TreeEntry> = group.entries.into_iter().filter_map(|e| e.keep_matching(needle)).collect();
    (!entries.is_empty()).then_some(KindGroup { kind: group.kind, entries })
}

impl ObjectTree {
    /// How many objects the tree holds.
    pub fn size(&self) -> usize {
        self.namespaces.iter().map(|n| n.size).sum::<usize>()
            + self.cluster.iter().flat_map(|g| &g.entries).map(TreeEntry::size).sum::<usize>()
    }

    /// Only the objects whose name contains `text` (any case), with the
    /// owners and groups that lead to them; a namespace whose own name
    /// matches keeps everything in it. Empty text keeps all.
    pub fn filtered(&self, text: &str) -> ObjectTree {
        let needle = text.trim().to_lowercase();
        if needle.is_empty() {
            return self.clone();
        }
        let namespaces = self
            .namespaces
            .iter()
            .filter_map(|ns| {
                if ns.name.to_lowercase().contains(&needle) {
                    return Some(ns.clone());
                }
                let workloads: Vec<TreeEntry> =
                    ns.workloads.iter().cloned().filter_map(|e| e.keep_matching(&needle)).collect();
                let groups: Vec<KindGroup> = ns.groups.iter().cloned().filter_map(|g| keep_group(g, &needle)).collect();
                let size = workloads.iter().map(TreeEntry::size).sum::<usize>()
                    + groups.iter().flat_map(|g| &g.entries).map(TreeEntry::size).sum::<usize>();
                (size > 0).then(|| NamespaceBranch {
                    name: ns.name.clone(),
                    status: ns.status.clone(),
                    workloads,
                    groups,
                    size,
                })
            })
            .collect();
        let cluster = self.cluster.iter().cloned().filter_map(|g| keep_group(g, &needle)).collect();
        ObjectTree { namespaces, cluster }
    }
}

/// `kubectl get`'s cells for `object`, after NAME and without AGE.
fn status(object: &Object, now: Time) -> Vec<(String, String)> {
    let headers = printers::headers(object, false);
    let row = printers::row(object, now, false);
    headers.into_iter().zip(row).skip(1).filter(|(h, _)| h != "AGE").take(STATUS_CELLS).collect()
}

fn entry(object: &Object, now: Time) -> TreeEntry {
    TreeEntry {
        kind: object.info().kind_name.to_string(),
        namespace: object.namespace().to_string(),
        name: object.name().to_string(),
        status: status(object, now),
        children: Vec::new(),
    }
}

/// Whether `object`'s controller is a workload still in the store: then it
/// shows under that owner, not as a root.
fn has_workload_owner(store: &Store, object: &Object) -> bool {
    object.meta().owner_references.iter().flatten().filter(|r| r.controller == Some(true)).any(|r| {
        RESOURCES
            .iter()
            .find(|info| info.kind_name == r.kind && WORKLOADS.contains(&info.kind))
            .and_then(|info| store.get(info.kind, object.namespace(), &r.name))
            .is_some_and(|owner| owner.meta().uid.as_deref() == Some(r.uid.as_str()))
    })
}

/// `object` with what it controls, down to the pods.
fn with_children(store: &Store, object: &Arc<Object>, now: Time, depth: usize) -> TreeEntry {
    let mut node = entry(object, now);
    // Ownership cannot loop in a real cluster; a bound keeps a hand-made
    // loop of ownerReferences from recursing forever.
    if depth >= WORKLOADS.len() {
        return node;
    }
    let Some(uid) = object.meta().uid.as_deref() else { return node };
    let mut owned: Vec<&Arc<Object>> = store
        .owned_by(uid)
        .into_iter()
        .filter(|child| WORKLOADS.contains(&child.kind()) && child.namespace() == object.namespace())
        .filter(|child| {
            child.meta().owner_references.iter().flatten().any(|r| r.controller == Some(true) && r.uid == uid)
        })
        .collect();
    owned.sort_by(|a, b| (rank(a.kind()), a.name()).cmp(&(rank(b.kind()), b.name())));
    node.children = owned.into_iter().map(|child| with_children(store, child, now, depth + 1)).collect();
    node
}

fn rank(kind: Kind) -> usize {
    WORKLOADS.iter().position(|k| *k == kind).unwrap_or(WORKLOADS.len())
}

/// The tree of the store's objects at `now`.
pub fn build(store: &Store, now: Time) -> ObjectTree {
    let mut names: std::collections::BTreeSet<String> =
        store.list(Kind::Namespace, None).map(|o| o.name().to_string()).collect();
    // Objects can outlive their Namespace for a moment (while it finalises).
    for info in RESOURCES.iter().filter(|i| i.namespaced && !LEFT_OUT.contains(&i.kind)) {
        for object in store.list(info.kind, None) {
            if !names.contains(object.namespace()) {
                names.insert(object.namespace().to_string());
            }
        }
    }
    let namespaces = names
        .into_iter()
        .map(|ns| {
            let status = store
                .get(Kind::Namespace, "", &ns)
                .and_then(|o| status(o, now).into_iter().find(|(h, _)| h == "STATUS"))
                .map(|(_, cell)| cell)
                .unwrap_or_default();
            let workloads: Vec<TreeEntry> = WORKLOADS
                .iter()
                .flat_map(|kind| store.list(*kind, Some(&ns)))
                .filter(|o| !has_workload_owner(store, o))
                .map(|o| with_children(store, o, now, 0))
                .collect();
            let groups: Vec<KindGroup> = RESOURCES
                .iter()
                .filter(|i| i.namespaced && !WORKLOADS.contains(&i.kind) && !LEFT_OUT.contains(&i.kind))
                .filter_map(|info| {
                    let entries: Vec<TreeEntry> = store.list(info.kind, Some(&ns)).map(|o| entry(o, now)).collect();
                    (!entries.is_empty()).then(|| KindGroup { kind: info.kind_name.to_string(), entries })
                })
                .collect();
            let size = workloads.iter().map(TreeEntry::size).sum::<usize>()
                + groups.iter().map(|g| g.entries.len()).sum::<usize>();
            NamespaceBranch { name: ns, status, workloads, groups, size }
        })
        .collect();
    let cluster = RESOURCES
        .iter()
        .filter(|i| !i.namespaced)
        .filter_map(|info| {
            let entries: Vec<TreeEntry> = store.list(info.kind, None).map(|o| entry(o, now)).collect();
            (!entries.is_empty()).then(|| KindGroup { kind: info.kind_name.to_string(), entries })
        })
        .collect();
    ObjectTree { namespaces, cluster }
}
