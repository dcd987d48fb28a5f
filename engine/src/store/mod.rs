//! The cluster's etcd: objects by kind, namespace and name, one global
//! resourceVersion counter, secondary indexes, and the ordered change log that
//! every component (and the app) reads from a version onwards.
//!
//! The store knows nothing of validation or defaulting: the API server decides
//! what may be written; the store only keeps it and remembers the order.

use crate::api::Kind;
use crate::labels::Selector;
use crate::object::Object;
use crate::time::Time;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// What happened to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeType {
    /// Created.
    Added,
    /// Updated (spec, status or metadata).
    Modified,
    /// Removed from the store.
    Deleted,
}

/// One entry of the change log: the object as it was after the change.
#[derive(Clone, Debug)]
pub struct Change {
    /// The resourceVersion this change produced.
    pub version: u64,
    /// When it happened on the virtual clock.
    pub time: Time,
    /// Added, modified or deleted.
    pub change: ChangeType,
    /// The object after the change (for a deletion, its last state).
    pub object: Arc<Object>,
}

/// Namespace → name → object, so a namespace's objects are one map and a
/// list comes out in the API server's order, and lookups borrow their keys.
type Names = BTreeMap<String, BTreeMap<String, Arc<Object>>>;

/// Versioned objects plus their change log.
#[derive(Clone, Debug, Default)]
pub struct Store {
    objects: HashMap<Kind, Names>,
    pods_by_node: HashMap<String, BTreeSet<(String, String)>>,
    by_label: HashMap<(Kind, String, String), BTreeSet<(String, String)>>,
    by_owner: HashMap<String, BTreeSet<(Kind, String, String)>>,
    version: u64,
    log: VecDeque<Change>,
}

impl Store {
    /// The latest resourceVersion handed out.
    pub fn version(&self) -> u64 {
        self.version
    }

    /// How many objects it holds.
    pub fn len(&self) -> usize {
        self.objects.values().flat_map(BTreeMap::values).map(BTreeMap::len).sum()
    }

    /// One object.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<&Arc<Object>> {
        self.objects.get(&kind)?.get(namespace)?.get(name)
    }

    /// Objects of a kind, in one namespace or (with `None`) in all, ordered by
    /// namespace then name.
    pub fn list<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
    ) -> Box<dyn Iterator<Item = &'a Arc<Object>> + 'a> {
        let Some(names) = self.objects.get(&kind) else {
            return Box::new(std::iter::empty());
        };
        match namespace {
            None => Box::new(names.values().flat_map(|m| m.values())),
            Some(ns) => Box::new(names.get(ns).into_iter().flat_map(|m| m.values())),
        }
    }

    /// Objects of a kind whose labels match `selector`, in one namespace or
    /// all; an equality requirement is answered from the label index.
    pub fn select<'a>(
        &'a self,
        kind: Kind,
        namespace: Option<&'a str>,
        selector: &'a Selector,
    ) -> Vec<&'a Arc<Object>> {
        let keep = |o: &&Arc<Object>| {
            namespace.is_none_or(|ns| o.namespace() == ns) && selector.matches(o.meta().labels.as_ref())
        };
        match selector.indexable() {
            Some((k, v)) => self
                .by_label
                .get(&(kind, k.to_string(), v.to_string()))
                .into_iter()
                .flatten()
                .filter_map(|(ns, name)| self.get(kind, ns, name))
                .filter(keep)
                .collect(),
            None => self.list(kind, namespace).filter(keep).collect(),
        }
    }

    /// The (namespace, name) of every object of `kind` labelled `key=value`,
    /// without looking the objects up.
    pub fn labelled(&self, kind: Kind, key: &str, value: &str) -> impl Iterator<Item = &(String, String)> {
        self.by_label.get(&(kind, key.to_string(), value.to_string())).into_iter().flatten()
    }

    /// Every object whose ownerReferences name the owner with `uid`.
    pub fn owned_by(&self, uid: &str) -> Vec<&Arc<Object>> {
        self.by_owner.get(uid).into_iter().flatten().filter_map(|(kind, ns, name)| self.get(*kind, ns, name)).collect()
    }

    /// The (namespace, name) of every pod bound to `node`.
    pub fn pods_on_node(&self, node: &str) -> impl Iterator<Item = &(String, String)> {
        self.pods_by_node.get(node).into_iter().flatten()
    }

    /// Writes an object (create or replace), stamping the next resourceVersion.
    pub fn put(&mut self, mut object: Object, time: Time) -> Arc<Object> {
        self.version += 1;
        object.meta_mut().resource_version = Some(self.version.to_string());
        let object = Arc::new(object);
        let names = self.objects.entry(object.kind()).or_default();
        // Replacing is the common write (every status update, every
        // binding): it finds the slot without allocating the keys.
        let existing = names.get_mut(object.namespace()).and_then(|m| m.get_mut(object.name()));
        let previous = match existing {
            Some(slot) => Some(std::mem::replace(slot, object.clone())),
            None => names
                .entry(object.namespace().to_string())
                .or_default()
                .insert(object.name().to_string(), object.clone()),
        };
        match &previous {
            Some(prev) => self.reindex(prev, &object),
            None => self.index(&object),
        }
        self.log.push_back(Change {
            version: self.version,
            time,
            change: if previous.is_some() { ChangeType::Modified } else { ChangeType::Added },
            object: object.clone(),
        });
        object
    }

    /// Removes an object; its last state goes into the log with a new version.
    pub fn remove(&mut self, kind: Kind, namespace: &str, name: &str, time: Time) -> Option<Arc<Object>> {
        let names = self.objects.get_mut(&kind)?;
        let in_namespace = names.get_mut(namespace)?;
        let removed = in_namespace.remove(name)?;
        if in_namespace.is_empty() {
            names.remove(namespace);
        }
        self.unindex(&removed);
        self.version += 1;
        let mut last = (*removed).clone();
        last.meta_mut().resource_version = Some(self.version.to_string());
        let last = Arc::new(last);
        self.log.push_back(Change { version: self.version, time, change: ChangeType::Deleted, object: last.clone() });
        Some(last)
    }

    /// Every change with a version above `version`, oldest first. Changes older
    /// than the retained log are gone; a reader that far behind must relist.
    pub fn changes_since(&self, version: u64) -> impl Iterator<Item = &Change> {
        let first = self.log.front().map_or(self.version + 1, |c| c.version);
        let skip = version.saturating_sub(first.saturating_sub(1)) as usize;
        self.log.iter().skip(skip)
    }

    /// Drops the oldest log entries so at most `keep` remain, but none that
    /// a reader at `consumed` has not seen yet.
    pub fn trim_log(&mut self, keep: usize, consumed: u64) {
        while self.log.len() > keep && self.log.front().is_some_and(|c| c.version <= consumed) {
            self.log.pop_front();
        }
    }

    fn index(&mut self, object: &Object) {
        self.index_node(object);
        self.index_labels(object);
        self.index_owners(object);
    }

    fn unindex(&mut self, object: &Object) {
        self.unindex_node(object);
        self.unindex_labels(object);
        self.unindex_owners(object);
    }

    /// Moves only the index entries whose keys changed: status writes move
    /// none, a binding only the node's.
    fn reindex(&mut self, prev: &Object, next: &Object) {
        if node_of(prev) != node_of(next) {
            self.unindex_node(prev);
            self.index_node(next);
        }
        if prev.meta().labels != next.meta().labels {
            self.unindex_labels(prev);
            self.index_labels(next);
        }
        if prev.meta().owner_references != next.meta().owner_references {
            self.unindex_owners(prev);
            self.index_owners(next);
        }
    }

    fn key(object: &Object) -> (String, String) {
        (object.namespace().to_string(), object.name().to_string())
    }

    fn index_node(&mut self, object: &Object) {
        if let Some(node) = node_of(object) {
            let key = Self::key(object);
            match self.pods_by_node.get_mut(node) {
                Some(set) => set.insert(key),
                None => self.pods_by_node.entry(node.to_string()).or_default().insert(key),
            };
        }
    }

    fn unindex_node(&mut self, object: &Object) {
        if let Some(set) = node_of(object).and_then(|node| self.pods_by_node.get_mut(node)) {
            set.remove(&Self::key(object));
        }
    }

    fn index_labels(&mut self, object: &Object) {
        for (k, v) in object.meta().labels.iter().flatten() {
            self.by_label.entry((object.kind(), k.clone(), v.clone())).or_default().insert(Self::key(object));
        }
    }

    fn unindex_labels(&mut self, object: &Object) {
        let key = Self::key(object);
        for (k, v) in object.meta().labels.iter().flatten() {
            let index = (object.kind(), k.clone(), v.clone());
            if let Some(set) = self.by_label.get_mut(&index) {
                set.remove(&key);
                if set.is_empty() {
                    self.by_label.remove(&index);
                }
            }
        }
    }

    fn index_owners(&mut self, object: &Object) {
        for owner in object.meta().owner_references.iter().flatten() {
            let (ns, name) = Self::key(object);
            self.by_owner.entry(owner.uid.clone()).or_default().insert((object.kind(), ns, name));
        }
    }

    fn unindex_owners(&mut self, object: &Object) {
        let (ns, name) = Self::key(object);
        let key = (object.kind(), ns, name);
        for owner in object.meta().owner_references.iter().flatten() {
            if let Some(set) = self.by_owner.get_mut(&owner.uid) {
                set.remove(&key);
                if set.is_empty() {
                    self.by_owner.remove(&owner.uid);
                }
            }
        }
    }
}

fn node_of(object: &Object) -> Option<&str> {
    object.as_pod()?.spec.as_ref()?.node_name.as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{Pod, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn pod(ns: &str, name: &str, node: Option<&str>) -> Object {
        Object::Pod(Box::new(Pod {
            metadata: ObjectMeta { namespace: Some(ns.into()), name: Some(name.into()), ..Default::default() },
            spec: Some(PodSpec { node_name: node.map(String::from), ..Default::default() }),
            ..Default::default()
        }))
    }

    #[test]
    fn versions_and_log_follow_every_write() {
        let mut store = Store::default();
        store.put(pod("default", "a", None), Time(1));
        store.put(pod("default", "a", Some("w1")), Time(2));
        store.remove(Kind::Pod, "default", "a", Time(3));
        let log: Vec<(u64, ChangeType)> = store.changes_since(0).map(|c| (c.version, c.change)).collect();
        assert_eq!(log, [(1, ChangeType::Added), (2, ChangeType::Modified), (3, ChangeType::Deleted)]);
        assert_eq!(store.changes_since(2).count(), 1);
        assert_eq!(store.pods_on_node("w1").count(), 0);
    }

    #[test]
    fn lists_by_namespace_in_name_order() {
        let mut store = Store::default();
        for (ns, name) in [("kube-system", "b"), ("default", "z"), ("default", "a"), ("defaults", "q")] {
            store.put(pod(ns, name, Some("w1")), Time(0));
        }
        let names: Vec<&str> = store.list(Kind::Pod, Some("default")).map(|o| o.name()).collect();
        assert_eq!(names, ["a", "z"]);
        assert_eq!(store.list(Kind::Pod, None).count(), 4);
        assert_eq!(store.pods_on_node("w1").count(), 4);
    }

    #[test]
    fn label_and_owner_indexes_follow_updates() {
        let mut store = Store::default();
        let mut a = pod("default", "a", None);
        a.meta_mut().labels = Some([("app".to_string(), "web".to_string())].into());
        a.meta_mut().owner_references = Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference {
            uid: "rs-1".into(),
            ..Default::default()
        }]);
        store.put(a.clone(), Time(0));
        let sel = Selector::parse("app=web").expect("selector");
        assert_eq!(store.select(Kind::Pod, Some("default"), &sel).len(), 1);
        assert_eq!(store.select(Kind::Pod, Some("other"), &sel).len(), 0);
        assert_eq!(store.owned_by("rs-1").len(), 1);
        a.meta_mut().labels = Some([("app".to_string(), "db".to_string())].into());
        a.meta_mut().owner_references = None;
        store.put(a, Time(1));
        assert_eq!(store.select(Kind::Pod, None, &sel).len(), 0);
        assert_eq!(store.owned_by("rs-1").len(), 0);
        let all = Selector::parse("app").expect("selector");
        assert_eq!(store.select(Kind::Pod, None, &all).len(), 1);
    }

    #[test]
    fn trimmed_log_keeps_the_newest() {
        let mut store = Store::default();
        for i in 0..10 {
            store.put(pod("default", &format!("p{i}"), None), Time(0));
        }
        // Entries a reader has not seen yet stay, whatever the bound.
        store.trim_log(3, 4);
        assert_eq!(store.changes_since(0).count(), 6);
        store.trim_log(3, 10);
        let versions: Vec<u64> = store.changes_since(0).map(|c| c.version).collect();
        assert_eq!(versions, [8, 9, 10]);
        assert_eq!(store.changes_since(9).map(|c| c.version).collect::<Vec<_>>(), [10]);
    }
}
