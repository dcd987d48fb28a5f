//! `kubectl expose`: a Service for a Deployment, ReplicaSet, pod, or
//! Service, selecting its pods and taking its port unless told.

use super::{cli, error, namespace, target};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{PodSpec, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

type Labels = Option<BTreeMap<String, String>>;

/// What the exposed object says about its pods.
struct Source {
    selector: Labels,
    labels: Labels,
    ports: Vec<(i32, String)>,
}

/// The container ports a pod template declares, with their protocols.
fn ports_of(spec: Option<&PodSpec>) -> Vec<(i32, String)> {
    spec.map(|p| {
        p.containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .map(|p| (p.container_port, p.protocol.clone().unwrap_or_else(|| "TCP".into())))
            .collect()
    })
    .unwrap_or_default()
}

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
    let from_template = |selector: Option<&LabelSelector>, template: Option<&PodSpec>| Source {
        selector: selector.and_then(|s| s.match_labels.clone()),
        labels: object.meta().labels.clone(),
        ports: ports_of(template),
    };
    let Source { selector, labels, ports } = match &*object {
        Object::Deployment(d) => {
            let spec = d.spec.as_ref();
            from_template(spec.map(|s| &s.selector), spec.and_then(|s| s.template.spec.as_ref()))
        }
        Object::ReplicaSet(rs) => {
            let spec = rs.spec.as_ref();
            from_template(
                spec.map(|s| &s.selector),
                spec.and_then(|s| s.template.as_ref()).and_then(|t| t.spec.as_ref()),
            )
        }
        Object::StatefulSet(ss) => {
            let spec = ss.spec.as_ref();
            from_template(spec.map(|s| &s.selector), spec.and_then(|s| s.template.spec.as_ref()))
        }
        Object::Pod(p) => Source {
            selector: p.metadata.labels.clone(),
            labels: p.metadata.labels.clone(),
            ports: ports_of(p.spec.as_ref()),
        },
        Object::Service(s) => Source {
            selector: s.spec.as_ref().and_then(|s| s.selector.clone()),
            labels: s.metadata.labels.clone(),
            ports: s
                .spec
                .as_ref()
                .and_then(|s| s.ports.as_ref())
                .map(|ps| ps.iter().map(|p| (p.port, p.protocol.clone().unwrap_or_else(|| "TCP".into()))).collect())
                .unwrap_or_default(),
        },
        other => return error(format!("cannot expose a {}", other.info().kind_name)),
    };
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return error(format!(
            "couldn't retrieve selectors via --selector flag or introspection: the {} has no selector",
            object.info().singular
        ));
    };
    // Without --port every declared port is exposed, named port-1, port-2 …
    // when there are several.
    let ports: Vec<(i32, String)> =
        match cli::string(m, "port") {
            Some(p) => match p.parse::<i32>() {
                Ok(n) => vec![(n, "TCP".into())],
                Err(_) => return error(format!("strconv.Atoi: parsing \"{p}\": invalid syntax")),
            },
            None if ports.is_empty() => return error(
                "couldn't find port via --port flag or introspection\nSee 'kubectl expose -h' for help and examples",
            ),
            None => ports,
        };
    let name = cli::string(m, "name").unwrap_or_else(|| object.name().to_string());
    let session_affinity = match cli::string(m, "session-affinity").as_deref() {
        None | Some("") => None,
        Some(a @ ("None" | "ClientIP")) => Some(a.to_string()),
        Some(other) => return error(format!("unknown session affinity: {other}")),
    };
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
            session_affinity,
            cluster_ip: cli::string(m, "cluster-ip").filter(|ip| !ip.is_empty()),
            ports: Some(
                ports
                    .iter()
                    .enumerate()
                    .map(|(i, (port, protocol))| ServicePort {
                        name: (ports.len() > 1).then(|| format!("port-{}", i + 1)),
                        port: *port,
                        protocol: Some(cli::string(m, "protocol").unwrap_or_else(|| protocol.clone())),
                        target_port: Some(
                            cli::string(m, "target-port").map_or(IntOrString::Int(*port), |t| int_or_string(&t)),
                        ),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }),
        status: None,
    };
    let now = cluster.now();
    match cluster.api_mut().create(Object::Service(Box::new(service)), now, false) {
        Ok(_) => {
            cluster.settle();
            Output::ok(format!("service/{name} exposed\n"))
        }
        Err(e) => Output::err(format!("{}\n", e.render(None))),
    }
}
