//! The Endpoints and EndpointSlices of the Services a preset comes with, as
//! they stood when the lesson starts: the controllers' own output for every
//! Service with a selector (so their first sync finds nothing to change),
//! and for `kubernetes` what the API server's endpoint reconciler writes,
//! the control planes' addresses on the secure port.

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::controllers::endpoints;
use crate::controllers::endpointslice::{self, SERVICE_NAME};
use crate::controllers::services::{self, TRIGGER_TIME};
use crate::object::Object;
use crate::time::Time;
use k8s_openapi::api::core::v1::{EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod};
use k8s_openapi::api::discovery::v1::{Endpoint, EndpointConditions, EndpointPort as SlicePort, EndpointSlice};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The API server's own Service.
const API_SERVICE: (&str, &str) = ("default", "kubernetes");
/// The port it serves on each control plane.
const SECURE_PORT: i32 = 6443;
/// The label that keeps the mirroring controller off the API server's Endpoints.
const SKIP_MIRROR: &str = "endpointslice.kubernetes.io/skip-mirror";

/// Writes the endpoints of every Service in `api`; `control_planes` are the
/// API server's addresses.
pub fn lay_down(api: &mut ApiServer, control_planes: &[String]) {
    let services: Vec<Arc<Object>> = api.store().list(Kind::Service, None).cloned().collect();
    for service in services {
        let Object::Service(svc) = &*service else { continue };
        let created = svc.metadata.creation_timestamp.as_ref().map_or(Time(0), Time::from_k8s);
        if (service.namespace(), service.name()) == API_SERVICE {
            api_server(api, control_planes, created);
            continue;
        }
        let Some(selector) = services::managed_selector(svc) else { continue };
        let selected: Vec<Arc<Object>> =
            api.store().select(Kind::Pod, Some(service.namespace()), &selector).into_iter().cloned().collect();
        let pods: Vec<&Pod> = selected.iter().filter_map(|o| o.as_pod()).collect();
        // The last change the controllers saw: the pods turning ready.
        let trigger = pods.iter().filter_map(|p| services::ready_transition(p)).max().unwrap_or(created);
        if let Some(ep) = endpoints::desired(svc, &pods, None, Some(trigger.rfc3339())) {
            let _ = api.create(Object::Endpoints(Box::new(ep)), created, false);
        }
        let plan = endpointslice::plan(api.store(), &service, &pods, Vec::new());
        for mut slice in plan.create {
            slice.metadata.annotations = Some(BTreeMap::from([(TRIGGER_TIME.to_string(), trigger.rfc3339())]));
            let _ = api.create(Object::EndpointSlice(Box::new(slice)), created, false);
        }
    }
}

/// The `kubernetes` Service's Endpoints and slice, as the API server keeps them.
fn api_server(api: &mut ApiServer, control_planes: &[String], created: Time) {
    let (ns, name) = API_SERVICE;
    let mut ips = control_planes.to_vec();
    ips.sort();
    let meta = |labels: [(&str, &str); 1]| ObjectMeta {
        name: Some(name.into()),
        namespace: Some(ns.into()),
        labels: Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
        ..Default::default()
    };
    let endpoints = Endpoints {
        metadata: meta([(SKIP_MIRROR, "true")]),
        subsets: Some(vec![EndpointSubset {
            addresses: Some(ips.iter().map(|ip| EndpointAddress { ip: ip.clone(), ..Default::default() }).collect()),
            not_ready_addresses: None,
            ports: Some(vec![EndpointPort {
                name: Some("https".into()),
                port: SECURE_PORT,
                protocol: Some("TCP".into()),
                app_protocol: None,
            }]),
        }]),
    };
    let _ = api.create(Object::Endpoints(Box::new(endpoints)), created, false);
    let slice = EndpointSlice {
        metadata: meta([(SERVICE_NAME, name)]),
        address_type: "IPv4".into(),
        endpoints: ips
            .iter()
            .map(|ip| Endpoint {
                addresses: vec![ip.clone()],
                conditions: Some(EndpointConditions { ready: Some(true), ..Default::default() }),
                ..Default::default()
            })
            .collect(),
        ports: Some(vec![SlicePort {
            name: Some("https".into()),
            port: Some(SECURE_PORT),
            protocol: Some("TCP".into()),
            app_protocol: None,
        }]),
    };
    let _ = api.create(Object::EndpointSlice(Box::new(slice)), created, false);
}

#[cfg(test)]
mod tests {
    use crate::api::Kind;
    use crate::apiserver::ApiServer;
    use crate::cluster::Cluster;
    use crate::scenario::{bootstrap, Preset};
    use crate::time::EPOCH;

    fn endpoint_objects(store: &crate::store::Store) -> Vec<serde_json::Value> {
        [Kind::Endpoints, Kind::EndpointSlice].iter().flat_map(|k| store.list(*k, None).map(|o| o.to_value())).collect()
    }

    #[test]
    fn the_first_steps_rewrite_no_endpoints() {
        let preset = Preset::named("default").expect("the default preset");
        let mut api = ApiServer::new(7);
        bootstrap(&mut api, &preset, EPOCH);
        let laid = endpoint_objects(api.store());
        // kubernetes, kube-dns, metrics-server and MetalLB's webhook: an
        // Endpoints and a slice each.
        assert_eq!(laid.len(), 8);
        let mut cluster = Cluster::new("default", 7).expect("the default preset");
        cluster.step(30_000);
        assert_eq!(endpoint_objects(cluster.api().store()), laid);
    }
}
