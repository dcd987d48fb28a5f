//! `kubectl expose`: a Service for a Deployment, ReplicaSet, pod, or
//! Service, selecting its pods and taking its port unless told.

use super::{cli, error, namespace, target};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

fn int_or_string(text: &str) -> IntOrString {
    text.parse::<i32>().map_or_else(|_| IntOrString::String(text.to_string()), IntOrString::Int)
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let ns = namespace(m);
    let found = match target::objects(cluster, &cli::strings(m, "args"), &ns, "expose") {
        Ok(f) => f,
        Err(out) => return out,
    };
    let Some((_, object)) = found.into_iter().next() else { return error("no objects passed to expose") };
    let (selector, labels, ports): (Option<BTreeMap<String, String>>, Option<BTreeMap<String, String>>, Vec<i32>) =
        match &*object {
            Object::Deployment(d) => {
                let spec = d.spec.as_ref();
                let ports = spec
                    .and_then(|s| s.template.spec.as_ref())
                    .map(|p| {
                        p.containers.iter().flat_map(|c| c.ports.iter().flatten().map(|p| p.container_port)).collect()
                    })
                    .unwrap_or_default();
                (spec.and_then(|s| s.selector.match_labels.clone()), d.metadata.labels.clone(), ports)
            }
            Object::ReplicaSet(rs) => {
                let spec = rs.spec.as_ref();
                let ports = spec
                    .and_then(|s| s.template.as_ref())
                    .and_then(|t| t.spec.as_ref())
                    .map(|p| {
                        p.containers.iter().flat_map(|c| c.ports.iter().flatten().map(|p| p.container_port)).collect()
                    })
                    .unwrap_or_default();
                (spec.and_then(|s| s.selector.match_labels.clone()), rs.metadata.labels.clone(), ports)
            }
            Object::Pod(p) => {
                let ports = p
                    .spec
                    .as_ref()
                    .map(|s| {
                        s.containers.iter().flat_map(|c| c.ports.iter().flatten().map(|p| p.container_port)).collect()
                    })
                    .unwrap_or_default();
                (p.metadata.labels.clone(), p.metadata.labels.clone(), ports)
            }
            Object::Service(s) => {
                let ports = s
                    .spec
                    .as_ref()
                    .and_then(|s| s.ports.as_ref())
                    .map(|ps| ps.iter().map(|p| p.port).collect())
                    .unwrap_or_default();
                (s.spec.as_ref().and_then(|s| s.selector.clone()), s.metadata.labels.clone(), ports)
            }
            Object::StatefulSet(s) => {
                let spec = s.spec.as_ref();
                let ports = spec
                    .and_then(|s| s.template.spec.as_ref())
                    .map(|p| {
                        p.containers.iter().flat_map(|c| c.ports.iter().flatten().map(|p| p.container_port)).collect()
                    })
                    .unwrap_or_default();
                (spec.and_then(|s| s.selector.match_labels.clone()), s.metadata.labels.clone(), ports)
            }
            other => {
                return error(format!("cannot expose a {}", other.info().kind_name));
            }
        };
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return error(format!(
            "couldn't retrieve selectors via --selector flag or introspection: the {} has no selector",
            object.info().singular
        ));
    };
    let port = match cli::string(m, "port") {
        Some(p) => match p.parse::<i32>() {
            Ok(n) => n,
            Err(_) => return error(format!("strconv.Atoi: parsing \"{p}\": invalid syntax")),
        },
        None => match ports.first() {
            Some(p) => *p,
            None => return error(
                "couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples",
            ),
        },
    };
    let name = cli::string(m, "name").unwrap_or_else(|| object.name().to_string());
    let service = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: Some(object.namespace().to_string()),
            labels,
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            selector: Some(selector),
            type_: cli::string(m, "type"),
            ports: Some(vec![ServicePort {
                port,
                protocol: Some(cli::string(m, "protocol").unwrap_or_else(|| "TCP".into())),
                target_port: Some(cli::string(m, "target-port").map_or(IntOrString::Int(port), |t| int_or_string(&t))),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    };
    let now = cluster.now();
    match cluster.api_mut().create(Object::Service(service), now, false) {
        Ok(_) => {
            cluster.settle();
            Output::ok(format!("service/{name} exposed\n"))
        }
        Err(e) => Output::err(format!("{}\n", e.render(None))),
    }
}
