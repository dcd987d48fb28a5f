//! The endpoints controller: for every Service with a selector, an
//! Endpoints object of the same name listing the selected pods' addresses
//! (ready ones in `addresses`, the others in `notReadyAddresses`) with the
//! container ports the Service's ports reach, packed into subsets as the
//! real controller packs them. Services without a selector keep whatever
//! Endpoints their users write.

use super::gohash::{core_port, core_subset, md5};
use super::services::{self, TriggerTimes, HEADLESS, TRIGGER_TIME};
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::api::core::v1::{
    EndpointAddress, EndpointPort, EndpointSubset, Endpoints, ObjectReference, Pod, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

const SOURCE: Source = Source { component: "endpoint-controller", host: None };

/// More addresses than this are cut, and the object says so.
const MAX_CAPACITY: usize = 1000;
const OVER_CAPACITY: &str = "endpoints.kubernetes.io/over-capacity";

#[derive(Debug, Default)]
pub struct EndpointsController {
    triggers: TriggerTimes,
}

impl Controller for EndpointsController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        let ns = object.namespace().to_string();
        match &**object {
            Object::Service(_) => queue.push(key_of(object)),
            Object::Endpoints(_) if change.change == ChangeType::Deleted => {
                queue.push((Kind::Service, ns, object.name().to_string()));
            }
            Object::Pod(_) => {
                let mut names = services::selecting(store, object);
                if change.change != ChangeType::Added {
                    // The Services that list it may no longer select it.
                    names.extend(
                        store
                            .list(Kind::Endpoints, Some(&ns))
                            .filter(|e| lists(e, object))
                            .map(|e| e.name().to_string()),
                    );
                }
                queue.extend(names.into_iter().map(|name| (Kind::Service, ns.clone(), name)));
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let (ns, name) = (&key.1, &key.2);
        let Some(service) = ctx.api.store().get(Kind::Service, ns, name).cloned() else {
            if ctx.api.store().get(Kind::Endpoints, ns, name).is_some() {
                let _ = ctx.api.delete(Kind::Endpoints, ns, name, None, ctx.now);
            }
            self.triggers.forget(ns, name);
            return Action::AwaitChange;
        };
        let Object::Service(svc) = &*service else { return Action::AwaitChange };
        let Some(selector) = services::managed_selector(svc) else { return Action::AwaitChange };
        let selected: Vec<Arc<Object>> =
            ctx.api.store().select(Kind::Pod, Some(ns), &selector).into_iter().cloned().collect();
        let pods: Vec<&Pod> = selected.iter().filter_map(|o| o.as_pod()).collect();
        let trigger = self.triggers.compute(svc, &pods);
        let current = ctx.api.store().get(Kind::Endpoints, ns, name).cloned();
        let current = current.as_deref().and_then(|o| match o {
            Object::Endpoints(ep) => Some(&**ep),
            _ => None,
        });
        let Some(wanted) = desired(svc, &pods, current, trigger.map(|t| t.rfc3339())) else {
            return Action::AwaitChange;
        };
        let written = match current {
            Some(_) => ctx.api.update(Object::Endpoints(Box::new(wanted.clone())), ctx.now),
            None => ctx.api.create(Object::Endpoints(Box::new(wanted.clone())), ctx.now, false),
        };
        if let Err(e) = written {
            let about = Object::Endpoints(Box::new(wanted));
            let (reason, message) = match current {
                None => (
                    "FailedToCreateEndpoint",
                    format!("Failed to create endpoint for service {ns}/{name}: {}", e.message),
                ),
                Some(_) => ("FailedToUpdateEndpoint", format!("Failed to update endpoint {ns}/{name}: {}", e.message)),
            };
            ctx.events.record(ctx.api, ctx.now, &about, SOURCE, "Warning", reason, &message);
        }
        Action::AwaitChange
    }
}

/// Whether an Endpoints object lists the pod.
fn lists(endpoints: &Object, pod: &Object) -> bool {
    let Object::Endpoints(ep) = endpoints else { return false };
    ep.subsets.iter().flatten().any(|s| {
        s.addresses
            .iter()
            .chain(s.not_ready_addresses.iter())
            .flatten()
            .any(|a| services::targets(a.target_ref.as_ref(), pod))
    })
}

/// The Endpoints object the controller would write for `svc`, or `None`
/// when `current` already says the same (so an idle cluster writes
/// nothing). `trigger` is the change-trigger time to annotate with.
pub fn desired(
    svc: &Service,
    pods: &[&Pod],
    current: Option<&Endpoints>,
    trigger: Option<String>,
) -> Option<Endpoints> {
    let subsets = subsets(svc, pods);
    let service_labels = svc.metadata.labels.clone().unwrap_or_default();
    if let Some(current) = current {
        let mut labels = current.metadata.labels.clone().unwrap_or_default();
        labels.remove(HEADLESS);
        let count: usize = subsets.iter().map(|s| addresses(s).len()).sum();
        let capacity_noted = current.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(OVER_CAPACITY));
        if same_subsets(current.subsets.as_deref().unwrap_or_default(), &subsets)
            && labels == service_labels
            && count <= MAX_CAPACITY
            && !capacity_noted
        {
            return None;
        }
    }
    let mut endpoints = current.cloned().unwrap_or_else(|| Endpoints {
        metadata: ObjectMeta {
            name: svc.metadata.name.clone(),
            namespace: svc.metadata.namespace.clone(),
            ..Default::default()
        },
        subsets: None,
    });
    let mut subsets = subsets;
    let mut annotations = endpoints.metadata.annotations.take().unwrap_or_default();
    match trigger {
        Some(at) => annotations.insert(TRIGGER_TIME.into(), at),
        None => annotations.remove(TRIGGER_TIME),
    };
    if truncate(&mut subsets) {
        annotations.insert(OVER_CAPACITY.into(), "truncated".into());
    } else {
        annotations.remove(OVER_CAPACITY);
    }
    let mut labels = service_labels;
    if services::is_headless(svc) {
        labels.insert(HEADLESS.into(), String::new());
    }
    endpoints.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    endpoints.metadata.labels = (!labels.is_empty()).then_some(labels);
    endpoints.subsets = (!subsets.is_empty()).then_some(subsets);
    Some(endpoints)
}

fn addresses(s: &EndpointSubset) -> Vec<&EndpointAddress> {
    s.addresses.iter().chain(s.not_ready_addresses.iter()).flatten().collect()
}

/// Subsets compared as the API server keeps them: an empty list is no list,
/// and a target's resourceVersion does not count.
fn same_subsets(a: &[EndpointSubset], b: &[EndpointSubset]) -> bool {
    let canonical = |subsets: &[EndpointSubset]| -> Vec<EndpointSubset> {
        let list = |v: &Option<Vec<EndpointAddress>>| {
            v.clone().filter(|l| !l.is_empty()).map(|l| {
                l.into_iter()
                    .map(|mut a| {
                        if let Some(r) = a.target_ref.as_mut() {
                            r.resource_version = None;
                        }
                        a
                    })
                    .collect()
            })
        };
        subsets
            .iter()
            .map(|s| EndpointSubset {
                addresses: list(&s.addresses),
                not_ready_addresses: list(&s.not_ready_addresses),
                ports: s.ports.clone().filter(|p| !p.is_empty()),
            })
            .collect()
    };
    canonical(a) == canonical(b)
}

/// The selected pods' addresses and ports, repacked and sorted.
pub fn subsets(svc: &Service, pods: &[&Pod]) -> Vec<EndpointSubset> {
    let spec = svc.spec.clone().unwrap_or_default();
    let publish = spec.publish_not_ready_addresses == Some(true);
    let service_ports = spec.ports.clone().unwrap_or_default();
    let headless = spec.cluster_ip.as_deref() == Some("None");
    let mut entries: Vec<(EndpointAddress, Option<EndpointPort>, bool)> = Vec::new();
    for pod in pods {
        if !services::belongs(pod, publish) {
            continue;
        }
        let Some(ip) = services::ipv4(pod) else { continue };
        let pod_spec = pod.spec.as_ref();
        let address = EndpointAddress {
            ip: ip.to_string(),
            hostname: hostname(pod, svc),
            node_name: Some(pod_spec.and_then(|s| s.node_name.clone()).unwrap_or_default()),
            target_ref: Some(ObjectReference {
                kind: Some("Pod".into()),
                namespace: pod.metadata.namespace.clone(),
                name: pod.metadata.name.clone(),
                uid: pod.metadata.uid.clone(),
                ..Default::default()
            }),
        };
        let ready = publish || services::is_ready(pod);
        if service_ports.is_empty() {
            // A headless Service may have no ports at all.
            if headless {
                entries.push((address, None, ready));
            }
            continue;
        }
        for sp in &service_ports {
            let Some(number) = services::find_port(pod, sp) else { continue };
            let port = EndpointPort {
                name: sp.name.clone().filter(|n| !n.is_empty()),
                port: number,
                protocol: sp.protocol.clone(),
                app_protocol: sp.app_protocol.clone(),
            };
            entries.push((address.clone(), Some(port), ready));
        }
    }
    repack(entries)
}

/// The pod's hostname, when it names itself under this Service's subdomain.
fn hostname(pod: &Pod, svc: &Service) -> Option<String> {
    let spec = pod.spec.as_ref()?;
    let host = spec.hostname.clone().filter(|h| !h.is_empty())?;
    (spec.subdomain == svc.metadata.name && pod.metadata.namespace == svc.metadata.namespace).then_some(host)
}

/// Which addresses (by index) offer a port, and whether each is ready there.
type Readiness = BTreeMap<usize, bool>;

/// Groups addresses by the ports they offer, as the real repacking does:
/// every port maps to its addresses and their readiness (not ready wins),
/// ports with the same addresses share a subset.
fn repack(entries: Vec<(EndpointAddress, Option<EndpointPort>, bool)>) -> Vec<EndpointSubset> {
    let mut addresses: Vec<EndpointAddress> = Vec::new();
    let mut known: HashMap<(String, Option<String>), usize> = HashMap::new();
    let mut by_port: Vec<(Option<EndpointPort>, Readiness)> = Vec::new();
    for (address, port, ready) in entries {
        let identity = (address.ip.clone(), address.target_ref.as_ref().and_then(|r| r.uid.clone()));
        let index = *known.entry(identity).or_insert_with(|| {
            addresses.push(address);
            addresses.len() - 1
        });
        let slot = match by_port.iter().position(|(p, _)| *p == port) {
            Some(i) => i,
            None => {
                by_port.push((port, BTreeMap::new()));
                by_port.len() - 1
            }
        };
        let state = by_port[slot].1.entry(index).or_insert(ready);
        *state = *state && ready;
    }
    let mut groups: Vec<(Readiness, Option<Vec<EndpointPort>>)> = Vec::new();
    for (port, members) in by_port {
        let at = match groups.iter().position(|(m, _)| *m == members) {
            Some(i) => i,
            None => {
                groups.push((members, None));
                groups.len() - 1
            }
        };
        if let Some(port) = port {
            groups[at].1.get_or_insert_with(Vec::new).push(port);
        }
    }
    let mut subsets: Vec<EndpointSubset> = groups
        .into_iter()
        .map(|(members, ports)| {
            let pick = |want: bool| {
                let mut list: Vec<EndpointAddress> =
                    members.iter().filter(|(_, r)| **r == want).map(|(i, _)| addresses[*i].clone()).collect();
                list.sort_by(|a, b| {
                    let uid = |x: &EndpointAddress| x.target_ref.as_ref().and_then(|r| r.uid.clone());
                    a.ip.as_bytes().cmp(b.ip.as_bytes()).then_with(|| uid(a).cmp(&uid(b)))
                });
                (!list.is_empty()).then_some(list)
            };
            let mut ports = ports;
            if let Some(list) = ports.as_mut() {
                list.sort_by_cached_key(|p| md5(core_port(p).as_bytes()));
            }
            EndpointSubset { addresses: pick(true), not_ready_addresses: pick(false), ports }
        })
        .collect();
    subsets.sort_by_cached_key(|s| md5(core_subset(s).as_bytes()));
    subsets
}

/// Cuts the addresses to the capacity, spread over the subsets by their
/// share and ready ones kept first; `true` when anything was cut.
fn truncate(subsets: &mut [EndpointSubset]) -> bool {
    let ready: usize = subsets.iter().map(|s| s.addresses.as_ref().map_or(0, Vec::len)).sum();
    let not_ready: usize = subsets.iter().map(|s| s.not_ready_addresses.as_ref().map_or(0, Vec::len)).sum();
    if ready + not_ready <= MAX_CAPACITY {
        return false;
    }
    let cut_ready = ready > MAX_CAPACITY;
    let (room, total) = if cut_ready { (MAX_CAPACITY, ready) } else { (MAX_CAPACITY - ready, not_ready) };
    let mut left = room;
    for subset in subsets.iter_mut() {
        let list = if cut_ready { &mut subset.addresses } else { &mut subset.not_ready_addresses };
        let here = list.as_ref().map_or(0, Vec::len);
        let share = (here * room).div_ceil(total.max(1)).min(left);
        if let Some(l) = list.as_mut() {
            l.truncate(share);
        }
        left -= list.as_ref().map_or(0, Vec::len);
        if cut_ready {
            subset.not_ready_addresses = Some(Vec::new());
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, ip: &str, ready: bool, ports: serde_json::Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "labels": {"app": "web"}},
            "spec": {"nodeName": "w1", "containers": [{"name": "c", "ports": ports}]},
            "status": {"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                       "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}}]}
        }))
        .expect("fixture")
    }

    fn service(ports: serde_json::Value) -> Service {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"selector": {"app": "web"}, "clusterIP": "10.96.0.20", "ports": ports}
        }))
        .expect("fixture")
    }

    fn ips(list: &Option<Vec<EndpointAddress>>) -> Vec<&str> {
        list.iter().flatten().map(|a| a.ip.as_str()).collect()
    }

    #[test]
    fn ready_and_not_ready_pods_share_a_subset() {
        let svc = service(json!([{"port": 80, "targetPort": 80, "protocol": "TCP"}]));
        let (a, b, c) = (
            pod("a", "10.0.0.9", true, json!([])),
            pod("b", "10.0.0.10", true, json!([])),
            pod("c", "10.0.0.3", false, json!([])),
        );
        let subsets = subsets(&svc, &[&a, &b, &c]);
        assert_eq!(subsets.len(), 1);
        // Addresses sort by the bytes of the IP, as the real controller does.
        assert_eq!(ips(&subsets[0].addresses), ["10.0.0.10", "10.0.0.9"]);
        assert_eq!(ips(&subsets[0].not_ready_addresses), ["10.0.0.3"]);
    }

    #[test]
    fn publishing_not_ready_addresses_lists_them_as_ready() {
        let mut svc = service(json!([{"port": 80, "targetPort": 80, "protocol": "TCP"}]));
        if let Some(spec) = svc.spec.as_mut() {
            spec.publish_not_ready_addresses = Some(true);
        }
        let waiting = pod("a", "10.0.0.1", false, json!([]));
        let subsets = subsets(&svc, &[&waiting]);
        assert_eq!(ips(&subsets[0].addresses), ["10.0.0.1"]);
        assert_eq!(subsets[0].not_ready_addresses, None);
    }

    #[test]
    fn a_named_port_splits_pods_that_lack_it() {
        let svc = service(json!([{"name": "http", "port": 80, "targetPort": "web", "protocol": "TCP"}]));
        let with = pod("a", "10.0.0.1", true, json!([{"name": "web", "containerPort": 8080}]));
        let other = pod("b", "10.0.0.2", true, json!([{"name": "web", "containerPort": 9090}]));
        let without = pod("c", "10.0.0.3", true, json!([]));
        let subsets = subsets(&svc, &[&with, &other, &without]);
        let mut seen: Vec<(Vec<&str>, i32)> =
            subsets.iter().map(|s| (ips(&s.addresses), s.ports.as_ref().map_or(0, |p| p[0].port))).collect();
        seen.sort();
        assert_eq!(seen, [(vec!["10.0.0.1"], 8080), (vec!["10.0.0.2"], 9090)]);
    }

    #[test]
    fn kube_dns_ports_come_in_the_real_order() {
        let svc = service(json!([
            {"name": "dns", "port": 53, "targetPort": 53, "protocol": "UDP"},
            {"name": "dns-tcp", "port": 53, "targetPort": 53, "protocol": "TCP"},
            {"name": "metrics", "port": 9153, "targetPort": 9153, "protocol": "TCP"}
        ]));
        let p = pod("coredns", "10.0.0.2", true, json!([]));
        let subsets = subsets(&svc, &[&p]);
        let names: Vec<&str> = subsets[0].ports.iter().flatten().filter_map(|p| p.name.as_deref()).collect();
        assert_eq!(names, ["dns-tcp", "dns", "metrics"]);
    }

    #[test]
    fn nothing_changed_writes_nothing() {
        let svc = service(json!([{"port": 80, "targetPort": 80, "protocol": "TCP"}]));
        let a = pod("a", "10.0.0.1", true, json!([]));
        let first = desired(&svc, &[&a], None, Some("2026-01-01T09:00:00Z".into())).expect("created");
        assert_eq!(desired(&svc, &[&a], Some(&first), None), None);
        let b = pod("b", "10.0.0.2", false, json!([]));
        let second = desired(&svc, &[&a, &b], Some(&first), None).expect("changed");
        // No new trigger time: the annotation goes, as the real controller drops it.
        assert_eq!(second.metadata.annotations, None);
    }

    #[test]
    fn truncation_keeps_ready_addresses_first() {
        let address = |i: usize| EndpointAddress { ip: format!("10.0.{}.{}", i / 250, i % 250), ..Default::default() };
        let mut subsets = vec![EndpointSubset {
            addresses: Some((0..900).map(address).collect()),
            not_ready_addresses: Some((900..1200).map(address).collect()),
            ports: None,
        }];
        assert!(truncate(&mut subsets));
        assert_eq!(subsets[0].addresses.as_ref().map(Vec::len), Some(900));
        assert_eq!(subsets[0].not_ready_addresses.as_ref().map(Vec::len), Some(100));
    }
}
