//! How the EndpointSlice controller packs a Service's desired endpoints
//! into slices (the reconciler of k8s.io/endpointslice): existing slices keep
//! the endpoints still wanted, in place; slices already being rewritten are
//! filled first, then the unchanged slice that the rest would fill best, then
//! new slices of at most 100; a Service with no endpoints keeps one empty
//! placeholder; and a slice about to go is reused rather than deleting one
//! and creating another. Go's sets come out in random order; here every
//! choice is made in name or pod order, so replays agree.

use k8s_openapi::api::discovery::v1::{Endpoint, EndpointPort, EndpointSlice};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// kube-controller-manager's `--max-endpoints-per-slice` default.
pub const MAX_PER_SLICE: usize = 100;

/// What makes two endpoints the same one: its addresses, hostname and
/// target pod (the real controller's endpoint hash).
pub type Identity = (Vec<String>, Option<String>, Option<String>, Option<String>);

/// An endpoint's identity.
pub fn identity(e: &Endpoint) -> Identity {
    let mut addresses = e.addresses.clone();
    addresses.sort();
    let target = e.target_ref.as_ref();
    (addresses, e.hostname.clone(), target.and_then(|r| r.namespace.clone()), target.and_then(|r| r.name.clone()))
}

/// Whether two endpoints of the same identity differ in what else a slice
/// records (node, zone, conditions, target).
fn same_beyond_identity(a: &Endpoint, b: &Endpoint) -> bool {
    let reference = |e: &Endpoint| {
        e.target_ref.clone().map(|mut r| {
            r.resource_version = None;
            r
        })
    };
    a.node_name == b.node_name && a.zone == b.zone && a.conditions == b.conditions && reference(a) == reference(b)
}

/// Desired endpoints for one set of ports, in pod order.
pub struct Wanted {
    pub ports: Vec<EndpointPort>,
    pub endpoints: Vec<Endpoint>,
}

/// What a Service's slices need: the writes, and the names of slices to delete.
#[derive(Default)]
pub struct Plan {
    pub create: Vec<EndpointSlice>,
    pub update: Vec<EndpointSlice>,
    pub delete: Vec<String>,
}

/// What the planner asks of the controller.
pub trait Slices {
    /// A new empty slice for the Service with these ports.
    fn fresh(&self, ports: Vec<EndpointPort>) -> EndpointSlice;
    /// The labels a slice should carry, and whether its own differ in the
    /// Service's part.
    fn labels(&self, slice: &EndpointSlice) -> (BTreeMap<String, String>, bool);
    /// Whether the Service owns the slice.
    fn owns(&self, slice: &EndpointSlice) -> bool;
}

fn name(slice: &EndpointSlice) -> String {
    slice.metadata.name.clone().unwrap_or_default()
}

/// Plans the writes that turn `existing` (the Service's IPv4 slices) into
/// slices holding `wanted`, grouped by port set.
pub fn plan(service: &dyn Slices, existing: Vec<EndpointSlice>, wanted: Vec<Wanted>) -> Plan {
    let mut plan = Plan::default();
    let existing_count = existing.len();
    let mut deleted: Vec<EndpointSlice> = Vec::new();
    let mut by_ports: Vec<(Vec<EndpointPort>, Vec<EndpointSlice>)> = Vec::new();
    for slice in existing {
        if !service.owns(&slice) {
            deleted.push(slice);
            continue;
        }
        let ports = slice.ports.clone().unwrap_or_default();
        match by_ports.iter_mut().find(|(p, _)| *p == ports) {
            Some((_, list)) => list.push(slice),
            None => by_ports.push((ports, vec![slice])),
        }
    }
    for group in &wanted {
        let slices =
            by_ports.iter().position(|(p, _)| *p == group.ports).map(|i| by_ports.remove(i).1).unwrap_or_default();
        let (create, update, delete) = by_port_mapping(service, slices, group);
        plan.create.extend(create);
        plan.update.extend(update);
        deleted.extend(delete);
    }
    deleted.extend(by_ports.into_iter().flat_map(|(_, slices)| slices));
    if existing_count == deleted.len() && plan.create.is_empty() {
        let placeholder = service.fresh(Vec::new());
        if deleted.len() == 1 && is_placeholder_like(service, &deleted[0], &placeholder) {
            deleted.clear();
        } else {
            plan.create.push(placeholder);
        }
    }
    // A slice of the Service's about to be deleted is rewritten instead of
    // one being created.
    let mut i = 0;
    while i < deleted.len() && !plan.create.is_empty() {
        if !service.owns(&deleted[i]) || deleted[i].address_type != "IPv4" {
            i += 1;
            continue;
        }
        let old = deleted.remove(i);
        if let Some(mut slice) = plan.create.pop() {
            slice.metadata.name = old.metadata.name;
            plan.update.push(slice);
        }
    }
    plan.delete = deleted.iter().map(name).collect();
    plan
}

/// An existing slice that already is the empty placeholder.
fn is_placeholder_like(service: &dyn Slices, slice: &EndpointSlice, placeholder: &EndpointSlice) -> bool {
    service.owns(slice)
        && slice.metadata.namespace == placeholder.metadata.namespace
        && slice.metadata.labels.clone().unwrap_or_default() == placeholder.metadata.labels.clone().unwrap_or_default()
        && slice.metadata.owner_references == placeholder.metadata.owner_references
        && slice.address_type == placeholder.address_type
        && slice.endpoints.is_empty()
        && slice.ports.as_ref().is_none_or(Vec::is_empty)
}

/// The slices of one port set: (to create, to update, to delete).
fn by_port_mapping(
    service: &dyn Slices,
    existing: Vec<EndpointSlice>,
    group: &Wanted,
) -> (Vec<EndpointSlice>, Vec<EndpointSlice>, Vec<EndpointSlice>) {
    let mut desired: Vec<Option<&Endpoint>> = group.endpoints.iter().map(Some).collect();
    let mut index: BTreeMap<Identity, usize> = BTreeMap::new();
    for (i, e) in group.endpoints.iter().enumerate() {
        index.entry(identity(e)).or_insert(i);
    }
    let mut by_name: BTreeMap<String, EndpointSlice> = BTreeMap::new();
    let (mut unchanged, mut to_update, mut to_delete) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for slice in existing {
        let mut kept = Vec::new();
        let mut changed = false;
        for endpoint in &slice.endpoints {
            let Some(&i) = index.get(&identity(endpoint)) else { continue };
            let Some(want) = desired[i].take() else { continue };
            changed |= !same_beyond_identity(want, endpoint);
            kept.push(want.clone());
        }
        let (labels, labels_changed) = service.labels(&slice);
        let slice_name = name(&slice);
        if changed || kept.len() != slice.endpoints.len() {
            if kept.is_empty() {
                to_delete.insert(slice_name.clone());
            } else {
                let mut copy = slice.clone();
                copy.endpoints = kept;
                copy.metadata.labels = Some(labels);
                to_update.insert(slice_name.clone());
                by_name.insert(slice_name, copy);
                continue;
            }
        } else if labels_changed {
            let mut copy = slice.clone();
            copy.metadata.labels = Some(labels);
            to_update.insert(slice_name.clone());
            by_name.insert(slice_name, copy);
            continue;
        } else {
            unchanged.insert(slice_name.clone());
        }
        by_name.insert(slice_name, slice);
    }
    let mut rest: VecDeque<Endpoint> = desired.into_iter().flatten().cloned().collect();
    // Slices being rewritten anyway take new endpoints first, fullest first.
    let mut filling: Vec<String> = to_update.iter().cloned().collect();
    filling.sort_by_key(|n| std::cmp::Reverse(by_name.get(n).map_or(0, |s| s.endpoints.len())));
    for slice_name in &filling {
        let Some(slice) = by_name.get_mut(slice_name) else { continue };
        while slice.endpoints.len() < MAX_PER_SLICE {
            let Some(e) = rest.pop_front() else { break };
            slice.endpoints.push(e);
        }
    }
    let mut create = Vec::new();
    while !rest.is_empty() {
        let mut target = None;
        if rest.len() < MAX_PER_SLICE {
            // The unchanged slice the rest would fill most closely.
            let mut closest = MAX_PER_SLICE;
            for slice_name in &unchanged {
                let held = by_name.get(slice_name).map_or(0, |s| s.endpoints.len());
                if let Some(diff) = MAX_PER_SLICE.checked_sub(rest.len() + held) {
                    if diff < closest {
                        closest = diff;
                        target = Some(slice_name.clone());
                        if diff == 0 {
                            break;
                        }
                    }
                }
            }
        }
        let mut slice = match target.as_ref().and_then(|n| by_name.get(n)) {
            Some(s) => s.clone(),
            None => service.fresh(group.ports.clone()),
        };
        let take = (MAX_PER_SLICE - slice.endpoints.len()).min(rest.len());
        slice.endpoints.extend(rest.drain(..take));
        match target {
            Some(slice_name) => {
                unchanged.remove(&slice_name);
                to_update.insert(slice_name.clone());
                by_name.insert(slice_name, slice);
            }
            None => create.push(slice),
        }
    }
    let update = to_update.iter().filter_map(|n| by_name.get(n).cloned()).collect();
    let delete = to_delete.iter().filter_map(|n| by_name.get(n).cloned()).collect();
    (create, update, delete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::ObjectReference;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    /// A Service that owns every slice and labels them with nothing.
    struct Svc;

    impl Slices for Svc {
        fn fresh(&self, ports: Vec<EndpointPort>) -> EndpointSlice {
            EndpointSlice {
                metadata: ObjectMeta { generate_name: Some("s-".into()), ..Default::default() },
                address_type: "IPv4".into(),
                endpoints: Vec::new(),
                ports: (!ports.is_empty()).then_some(ports),
            }
        }
        fn labels(&self, _: &EndpointSlice) -> (BTreeMap<String, String>, bool) {
            (BTreeMap::new(), false)
        }
        fn owns(&self, _: &EndpointSlice) -> bool {
            true
        }
    }

    fn endpoint(i: usize) -> Endpoint {
        Endpoint {
            addresses: vec![format!("10.0.{}.{}", i / 200, i % 200)],
            target_ref: Some(ObjectReference { name: Some(format!("p{i}")), ..Default::default() }),
            ..Default::default()
        }
    }

    fn port() -> Vec<EndpointPort> {
        vec![EndpointPort {
            name: Some(String::new()),
            port: Some(80),
            protocol: Some("TCP".into()),
            app_protocol: None,
        }]
    }

    fn named(mut slice: EndpointSlice, name: &str) -> EndpointSlice {
        slice.metadata.name = Some(name.into());
        slice
    }

    #[test]
    fn a_hundred_endpoints_to_a_slice() {
        let wanted = vec![Wanted { ports: port(), endpoints: (0..250).map(endpoint).collect() }];
        let plan = plan(&Svc, Vec::new(), wanted);
        let sizes: Vec<usize> = plan.create.iter().map(|s| s.endpoints.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert!(plan.update.is_empty() && plan.delete.is_empty());
    }

    #[test]
    fn nothing_wanted_leaves_one_placeholder() {
        let plan = plan(&Svc, Vec::new(), Vec::new());
        assert_eq!(plan.create.len(), 1);
        assert!(plan.create[0].endpoints.is_empty() && plan.create[0].ports.is_none());
        // An existing placeholder stays as it is.
        let placeholder = named(Svc.fresh(Vec::new()), "s-a");
        let plan = super::plan(&Svc, vec![placeholder], Vec::new());
        assert!(plan.create.is_empty() && plan.update.is_empty() && plan.delete.is_empty());
    }

    #[test]
    fn endpoints_stay_in_place_and_a_going_slice_is_reused() {
        let mut full = named(Svc.fresh(port()), "s-a");
        full.endpoints = (0..3).map(endpoint).collect();
        // Unchanged: nothing to write.
        let same = vec![Wanted { ports: port(), endpoints: (0..3).map(endpoint).collect() }];
        let plan = super::plan(&Svc, vec![full.clone()], same);
        assert!(plan.create.is_empty() && plan.update.is_empty() && plan.delete.is_empty());
        // A pod gone: the slice loses it and keeps the others in order.
        let fewer = vec![Wanted { ports: port(), endpoints: vec![endpoint(2), endpoint(0)] }];
        let plan = super::plan(&Svc, vec![full.clone()], fewer);
        let kept: Vec<Option<String>> =
            plan.update[0].endpoints.iter().map(|e| e.target_ref.as_ref().and_then(|r| r.name.clone())).collect();
        assert_eq!(kept, [Some("p0".into()), Some("p2".into())]);
        // The ports changed: the old slice is rewritten rather than deleted.
        let mut other = port();
        other[0].port = Some(8080);
        let plan = super::plan(&Svc, vec![full], vec![Wanted { ports: other, endpoints: vec![endpoint(0)] }]);
        assert!(plan.create.is_empty() && plan.delete.is_empty());
        assert_eq!(plan.update[0].metadata.name.as_deref(), Some("s-a"));
        assert_eq!(plan.update[0].ports.as_ref().and_then(|p| p[0].port), Some(8080));
    }
}
