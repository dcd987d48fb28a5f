//! Matching pods per node and per topology domain, for each label selector
//! a spread constraint has asked about, kept as pods come and go. Spreading
//! then costs a lookup per node instead of a walk over every pod.
//!
//! A selector is registered on first use (its pods found through the
//! store's label index) and from then on every bound pod is checked only
//! against the selectors anchored on one of its own labels.

use super::snapshot::{NodeInfo, PodInfo};
use crate::labels::Selector;
use rustc_hash::FxHashMap as HashMap;

/// The well-known per-node topology key: its domain is the node itself.
pub(crate) const HOSTNAME: &str = "kubernetes.io/hostname";

/// One topology key (other than the hostname): each node's value as a
/// small number, and how many present nodes carry each value.
#[derive(Clone, Debug, Default)]
pub(crate) struct TopologyKey {
    pub key: String,
    ids: HashMap<String, u32>,
    pub value_nodes: Vec<u32>,
    pub per_slot: Vec<Option<u32>>,
    /// Present nodes that have the key at all.
    pub nodes_with_key: usize,
}

/// The topology keys asked about so far.
#[derive(Clone, Debug, Default)]
pub(crate) struct Topology {
    pub keys: Vec<TopologyKey>,
    index: HashMap<String, usize>,
}

impl Topology {
    pub fn find(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    /// The key's index, registering it (and counting every group into it).
    pub fn register(&mut self, key: &str, slots: &[NodeInfo], counts: &mut Counts) -> usize {
        if let Some(i) = self.find(key) {
            return i;
        }
        let i = self.keys.len();
        self.keys.push(TopologyKey { key: key.to_string(), per_slot: vec![None; slots.len()], ..Default::default() });
        self.index.insert(key.to_string(), i);
        for group in &mut counts.groups {
            group.per_value.push(Vec::new());
        }
        for (slot, info) in slots.iter().enumerate() {
            self.node_changed(slot, info, counts);
        }
        i
    }

    /// A node's labels or presence changed: move its value, and its pods'
    /// counts with it.
    pub fn node_changed(&mut self, slot: usize, info: &NodeInfo, counts: &mut Counts) {
        for (k, tk) in self.keys.iter_mut().enumerate() {
            if tk.per_slot.len() <= slot {
                tk.per_slot.resize(slot + 1, None);
            }
            let old = tk.per_slot[slot];
            let new = if info.present {
                info.labels().and_then(|l| l.get(&tk.key)).map(|v| {
                    let next = tk.ids.len() as u32;
                    let id = *tk.ids.entry(v.clone()).or_insert(next);
                    if id as usize >= tk.value_nodes.len() {
                        tk.value_nodes.resize(id as usize + 1, 0);
                    }
                    id
                })
            } else {
                None
            };
            if old == new {
                continue;
            }
            if let Some(o) = old {
                tk.value_nodes[o as usize] -= 1;
                tk.nodes_with_key -= 1;
            }
            if let Some(n) = new {
                tk.value_nodes[n as usize] += 1;
                tk.nodes_with_key += 1;
            }
            tk.per_slot[slot] = new;
            for group in &mut counts.groups {
                let here = group.per_slot.get(slot).copied().unwrap_or(0) as i64;
                if here == 0 {
                    continue;
                }
                if let Some(o) = old {
                    group.bump(k, o, -here);
                }
                if let Some(n) = new {
                    group.bump(k, n, here);
                }
            }
        }
    }

    /// How many values the key has had (ids run below this).
    pub fn values(&self, k: usize) -> usize {
        self.keys[k].value_nodes.len()
    }
}

/// Pods of one namespace matching one selector.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub namespace: String,
    pub selector: Selector,
    pub per_slot: Vec<u32>,
    /// Per topology key, per value id.
    pub per_value: Vec<Vec<i64>>,
}

impl Group {
    fn bump(&mut self, key: usize, value: u32, delta: i64) {
        let values = &mut self.per_value[key];
        if values.len() <= value as usize {
            values.resize(value as usize + 1, 0);
        }
        values[value as usize] += delta;
    }

    /// Matching pods in the domain `value` of key `k`.
    pub fn in_domain(&self, k: usize, value: u32) -> i64 {
        self.per_value[k].get(value as usize).copied().unwrap_or(0)
    }

    /// Matching pods per value id of key `k`.
    pub fn per_key(&self, k: usize) -> &[i64] {
        &self.per_value[k]
    }

    pub fn on_slot(&self, slot: usize) -> i64 {
        self.per_slot.get(slot).copied().unwrap_or(0) as i64
    }
}

/// Every registered group and the index that finds a pod's candidates.
#[derive(Clone, Debug, Default)]
pub(crate) struct Counts {
    pub groups: Vec<Group>,
    /// Groups by a hash of (namespace, selector): a cycle looks its
    /// groups up without building a key.
    by_selector: HashMap<u64, Vec<usize>>,
    /// namespace → label key → value → groups whose selector requires it.
    anchors: HashMap<String, HashMap<String, HashMap<String, Vec<usize>>>>,
    /// Groups with no equality to anchor on: checked against every pod.
    loose: Vec<usize>,
    slots: usize,
}

impl Counts {
    pub fn grow(&mut self, slots: usize) {
        self.slots = slots;
        for group in &mut self.groups {
            group.per_slot.resize(slots, 0);
        }
    }

    pub fn find(&self, namespace: &str, selector: &Selector) -> Option<usize> {
        let candidates = self.by_selector.get(&selector_hash(namespace, selector))?;
        candidates.iter().copied().find(|&id| {
            let group = &self.groups[id];
            group.namespace == namespace && group.selector == *selector
        })
    }

    /// Registers an empty group; the caller counts its existing pods in.
    pub fn add_group(&mut self, namespace: &str, selector: &Selector, keys: usize) -> usize {
        let id = self.groups.len();
        self.groups.push(Group {
            namespace: namespace.to_string(),
            selector: selector.clone(),
            per_slot: vec![0; self.slots],
            per_value: vec![Vec::new(); keys],
        });
        self.by_selector.entry(selector_hash(namespace, selector)).or_default().push(id);
        match selector.indexable() {
            Some((k, v)) => self
                .anchors
                .entry(namespace.to_string())
                .or_default()
                .entry(k.to_string())
                .or_default()
                .entry(v.to_string())
                .or_default()
                .push(id),
            None => self.loose.push(id),
        }
        id
    }

    /// Counts one pod in (`delta` 1) or out (-1) of every group it matches.
    pub fn pod_changed(&mut self, pod: &PodInfo, slot: usize, delta: i64, topology: &Topology) {
        if pod.terminating || self.groups.is_empty() {
            return;
        }
        let hit = |group: &mut Group| {
            if !group.selector.matches(Some(&pod.labels)) {
                return;
            }
            group.count(slot, delta, topology);
        };
        if let Some(keys) = self.anchors.get(&pod.namespace) {
            for (k, v) in &pod.labels {
                if let Some(ids) = keys.get(k).and_then(|values| values.get(v)) {
                    for &id in ids {
                        hit(&mut self.groups[id]);
                    }
                }
            }
        }
        for &id in &self.loose {
            if self.groups[id].namespace == pod.namespace {
                hit(&mut self.groups[id]);
            }
        }
    }
}

fn selector_hash(namespace: &str, selector: &Selector) -> u64 {
    use std::hash::{BuildHasher, Hash, Hasher};
    let mut h = rustc_hash::FxBuildHasher.build_hasher();
    namespace.hash(&mut h);
    selector.hash(&mut h);
    h.finish()
}

impl Group {
    pub fn count(&mut self, slot: usize, delta: i64, topology: &Topology) {
        if self.per_slot.len() <= slot {
            self.per_slot.resize(slot + 1, 0);
        }
        self.per_slot[slot] = (self.per_slot[slot] as i64 + delta).max(0) as u32;
        for (k, tk) in topology.keys.iter().enumerate() {
            if let Some(v) = tk.per_slot.get(slot).copied().flatten() {
                self.bump(k, v, delta);
            }
        }
    }
}
