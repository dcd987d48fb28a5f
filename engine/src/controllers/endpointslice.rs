//! The EndpointSlice controller: for every Service with a selector, IPv4
//! EndpointSlices (`<service>-xxxxx`, owned by the Service) listing each
//! selected pod with an IP as an endpoint whose conditions say whether it is
//! ready, serving and terminating, with the ports the Service's ports reach.
//! Terminating pods stay, not ready. Packing into slices is `slicer.rs`.
//!
//! Services without a selector get no slices here; kube-controller-manager's
//! EndpointSliceMirroring controller, which would copy a hand-made Endpoints
//! into a slice, is not simulated.

use super::gohash::{fnv128a, slice_port};
use super::pods::owner_reference;
use super::services::{self, TriggerTimes, HEADLESS, TRIGGER_TIME};
use super::slicer::{self, Slices, Wanted};
use super::{key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::labels::Selector;
use crate::object::Object;
use crate::store::{Change, ChangeType, Store};
use k8s_openapi::api::core::v1::{ObjectReference, Pod, Service};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The label naming a slice's Service.
pub const SERVICE_NAME: &str = "kubernetes.io/service-name";
/// The label naming who manages a slice.
pub const MANAGED_BY: &str = "endpointslice.kubernetes.io/managed-by";
/// This controller's name in that label.
pub const CONTROLLER_NAME: &str = "endpointslice-controller.k8s.io";
const ZONE: &str = "topology.kubernetes.io/zone";

#[derive(Debug, Default)]
pub struct EndpointSliceController {
    triggers: TriggerTimes,
}

/// Whether this controller manages the slice.
fn managed(slice: &Object) -> Option<&str> {
    let labels = slice.meta().labels.as_ref()?;
    (labels.get(MANAGED_BY).map(String::as_str) == Some(CONTROLLER_NAME))
        .then(|| labels.get(SERVICE_NAME).map(String::as_str))
        .flatten()
}

impl Controller for EndpointSliceController {
    fn watch(&self, change: &Change, store: &Store, queue: &mut Vec<Key>) {
        let object = &change.object;
        let ns = object.namespace().to_string();
        match &**object {
            Object::Service(_) => queue.push(key_of(object)),
            Object::EndpointSlice(_) => {
                if let Some(service) = managed(object) {
                    queue.push((Kind::Service, ns, service.to_string()));
                }
            }
            Object::Pod(_) => {
                let mut names = services::selecting(store, object);
                if change.change != ChangeType::Added {
                    // The Services whose slices list it may no longer select it.
                    for slice in store.list(Kind::EndpointSlice, Some(&ns)) {
                        let (Some(service), Object::EndpointSlice(s)) = (managed(slice), &**slice) else { continue };
                        if s.endpoints.iter().any(|e| services::targets(e.target_ref.as_ref(), object)) {
                            names.insert(service.to_string());
                        }
                    }
                }
                queue.extend(names.into_iter().map(|name| (Kind::Service, ns.clone(), name)));
            }
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let (ns, name) = (&key.1, &key.2);
        let Some(service) = ctx.api.store().get(Kind::Service, ns, name).cloned() else {
            // The garbage collector takes the slices with their owner.
            self.triggers.forget(ns, name);
            return Action::AwaitChange;
        };
        let Object::Service(svc) = &*service else { return Action::AwaitChange };
        let Some(selector) = services::managed_selector(svc) else { return Action::AwaitChange };
        let store = ctx.api.store();
        let selected: Vec<Arc<Object>> = store.select(Kind::Pod, Some(ns), &selector).into_iter().cloned().collect();
        let pods: Vec<&Pod> = selected.iter().filter_map(|o| o.as_pod()).collect();
        let existing = existing(store, ns, name);
        let trigger = self.triggers.compute(svc, &pods);
        let plan = plan(store, &service, &pods, existing);
        let stamp = |mut slice: EndpointSlice| {
            let mut annotations = slice.metadata.annotations.take().unwrap_or_default();
            match trigger {
                Some(at) => annotations.insert(TRIGGER_TIME.into(), at.rfc3339()),
                None => annotations.remove(TRIGGER_TIME),
            };
            slice.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
            Object::EndpointSlice(Box::new(slice))
        };
        // No new slices for a Service on its way out, so none outlive it.
        if svc.metadata.deletion_timestamp.is_none() {
            for slice in plan.create {
                let _ = ctx.api.create(stamp(slice), ctx.now, false);
            }
        }
        for slice in plan.update {
            let _ = ctx.api.update(stamp(slice), ctx.now);
        }
        for slice in plan.delete {
            let _ = ctx.api.delete(Kind::EndpointSlice, ns, &slice, None, ctx.now);
        }
        Action::AwaitChange
    }
}

/// The Service's slices this controller manages, those being deleted left out.
fn existing(store: &Store, ns: &str, service: &str) -> Vec<EndpointSlice> {
    let selector = Selector::from_map(&BTreeMap::from([
        (SERVICE_NAME.to_string(), service.to_string()),
        (MANAGED_BY.to_string(), CONTROLLER_NAME.to_string()),
    ]));
    store
        .select(Kind::EndpointSlice, Some(ns), &selector)
        .into_iter()
        .filter_map(|o| match &**o {
            Object::EndpointSlice(s) if s.metadata.deletion_timestamp.is_none() => Some((**s).clone()),
            _ => None,
        })
        .collect()
}

/// The creates, updates and deletes that bring the Service's slices in line
/// with its pods (annotations are the caller's).
pub fn plan(store: &Store, service: &Object, pods: &[&Pod], existing: Vec<EndpointSlice>) -> slicer::Plan {
    let Object::Service(svc) = service else { return slicer::Plan::default() };
    let publish = svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses) == Some(true);
    let mut wanted: Vec<Wanted> = Vec::new();
    for pod in pods {
        if !services::belongs(pod, true) {
            continue;
        }
        let ports = endpoint_ports(svc, pod);
        let node_name = pod.spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        let node = store.get(Kind::Node, "", &node_name);
        // A pod on a node that is gone stays out, unless the Service
        // publishes every address regardless.
        if node.is_none() && !publish {
            continue;
        }
        let endpoint = endpoint(pod, node.map(|n| &**n), svc);
        if endpoint.addresses.is_empty() {
            continue;
        }
        let group = match wanted.iter().position(|w| w.ports == ports) {
            Some(i) => i,
            None => {
                wanted.push(Wanted { ports, endpoints: Vec::new() });
                wanted.len() - 1
            }
        };
        let id = slicer::identity(&endpoint);
        if !wanted[group].endpoints.iter().any(|e| slicer::identity(e) == id) {
            wanted[group].endpoints.push(endpoint);
        }
    }
    let (ipv4, other): (Vec<EndpointSlice>, Vec<EndpointSlice>) =
        existing.into_iter().partition(|s| s.address_type == "IPv4");
    let mut plan = slicer::plan(&Owner { service, svc }, ipv4, wanted);
    plan.delete.extend(other.into_iter().filter_map(|s| s.metadata.name));
    plan
}

/// The Service as the slice planner sees it.
struct Owner<'a> {
    service: &'a Object,
    svc: &'a Service,
}

impl Slices for Owner<'_> {
    fn fresh(&self, ports: Vec<EndpointPort>) -> EndpointSlice {
        let mut slice = EndpointSlice {
            metadata: ObjectMeta {
                generate_name: Some(format!("{}-", self.service.name())),
                namespace: Some(self.service.namespace().to_string()),
                owner_references: Some(vec![owner_reference(self.service)]),
                ..Default::default()
            },
            address_type: "IPv4".into(),
            endpoints: Vec::new(),
            ports: (!ports.is_empty()).then_some(ports),
        };
        slice.metadata.labels = Some(self.labels(&slice).0);
        slice
    }

    fn labels(&self, slice: &EndpointSlice) -> (BTreeMap<String, String>, bool) {
        // The labels beside the ones the controller itself manages.
        let unreserved = |labels: &Option<BTreeMap<String, String>>| -> BTreeMap<String, String> {
            let reserved = |k: &String| k == SERVICE_NAME || k == MANAGED_BY || k == HEADLESS;
            labels.iter().flatten().filter(|(k, _)| !reserved(k)).map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let own = unreserved(&slice.metadata.labels);
        let mut labels = unreserved(&self.svc.metadata.labels);
        let changed = own != labels;
        if services::is_headless(self.svc) {
            labels.insert(HEADLESS.into(), String::new());
        }
        labels.insert(SERVICE_NAME.into(), self.service.name().to_string());
        labels.insert(MANAGED_BY.into(), CONTROLLER_NAME.into());
        (labels, changed)
    }

    fn owns(&self, slice: &EndpointSlice) -> bool {
        let uid = self.service.meta().uid.as_deref();
        slice
            .metadata
            .owner_references
            .iter()
            .flatten()
            .any(|o| Some(o.uid.as_str()) == uid && o.kind == "Service" && o.api_version == "v1")
    }
}

/// The ports a pod offers the Service, in the order the controller's
/// port-set key sorts them into.
fn endpoint_ports(svc: &Service, pod: &Pod) -> Vec<EndpointPort> {
    let spec = svc.spec.as_ref();
    let service_ports = spec.and_then(|s| s.ports.clone()).unwrap_or_default();
    let mut ports: Vec<EndpointPort> = service_ports
        .iter()
        .filter_map(|sp| {
            let number = services::find_port(pod, sp)?;
            Some(EndpointPort {
                name: Some(sp.name.clone().unwrap_or_default()),
                port: Some(number),
                protocol: sp.protocol.clone(),
                app_protocol: sp.app_protocol.clone(),
            })
        })
        .collect();
    ports.sort_by_cached_key(|p| fnv128a(slice_port(p).as_bytes()));
    ports
}

/// One pod as an endpoint: `ready` never true while terminating (unless the
/// Service publishes not-ready addresses), `serving` its readiness.
pub fn endpoint(pod: &Pod, node: Option<&Object>, svc: &Service) -> Endpoint {
    let serving = services::is_ready(pod);
    let terminating = pod.metadata.deletion_timestamp.is_some();
    let publish = svc.spec.as_ref().and_then(|s| s.publish_not_ready_addresses) == Some(true);
    let spec = pod.spec.as_ref();
    let hostname = spec.and_then(|s| {
        let host = s.hostname.clone().filter(|h| !h.is_empty())?;
        (s.subdomain == svc.metadata.name && pod.metadata.namespace == svc.metadata.namespace).then_some(host)
    });
    Endpoint {
        addresses: pod
            .status
            .as_ref()
            .and_then(|s| s.pod_ips.as_ref())
            .into_iter()
            .flatten()
            .filter(|ip| !ip.ip.contains(':'))
            .map(|ip| ip.ip.clone())
            .collect(),
        conditions: Some(EndpointConditions {
            ready: Some(publish || (serving && !terminating)),
            serving: Some(serving),
            terminating: Some(terminating),
        }),
        hostname,
        node_name: spec.and_then(|s| s.node_name.clone()).filter(|n| !n.is_empty()),
        target_ref: Some(ObjectReference {
            kind: Some("Pod".into()),
            namespace: pod.metadata.namespace.clone(),
            name: pod.metadata.name.clone(),
            uid: pod.metadata.uid.clone(),
            ..Default::default()
        }),
        zone: node.and_then(|n| n.meta().labels.as_ref()?.get(ZONE).filter(|z| !z.is_empty()).cloned()),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ports(list: serde_json::Value) -> Vec<Option<String>> {
        let svc: Service =
            serde_json::from_value(json!({"metadata": {"name": "s"}, "spec": {"ports": list}})).expect("svc");
        let pod: Pod =
            serde_json::from_value(json!({"metadata": {"name": "p"}, "spec": {"containers": []}})).expect("pod");
        endpoint_ports(&svc, &pod).into_iter().map(|p| p.name).collect()
    }

    #[test]
    fn unnamed_ports_keep_an_empty_name() {
        assert_eq!(ports(json!([{"port": 80, "targetPort": 80, "protocol": "TCP"}])), [Some(String::new())]);
    }

    #[test]
    fn terminating_pods_stay_but_not_ready() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "default", "uid": "u", "deletionTimestamp": "2026-01-01T09:00:00Z"},
            "spec": {"nodeName": "w1", "containers": []},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}],
                       "conditions": [{"type": "Ready", "status": "True"}]}
        }))
        .expect("pod");
        let svc: Service =
            serde_json::from_value(json!({"metadata": {"name": "s", "namespace": "default"}})).expect("svc");
        let e = endpoint(&pod, None, &svc);
        assert_eq!(
            e.conditions,
            Some(EndpointConditions { ready: Some(false), serving: Some(true), terminating: Some(true) })
        );
        assert_eq!(e.addresses, ["10.0.0.1"]);
    }
}
