//! `create service clusterip|nodeport|loadbalancer|externalname`: a Service
//! selecting `app=NAME`, one port per `--tcp=port[:targetPort]`.

use super::{meta, Built, Generator};
use crate::apiserver::validation::rfc1123_subdomain;
use crate::object::Object;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn service(g: &Generator, kind: &str) -> Built {
    let name = g.name()?;
    let service_type = match kind {
        "clusterip" => "ClusterIP",
        "nodeport" => "NodePort",
        "loadbalancer" => "LoadBalancer",
        "externalname" => "ExternalName",
        other => return Err(g.usage(format!("unknown command \"{other}\""))),
    };
    let cluster_ip = g.string("clusterip").filter(|ip| !ip.is_empty());
    let external_name = g.string("external-name");
    if service_type == "ExternalName" && external_name.is_none() {
        return Err("error: required flag(s) \"external-name\" not set\n".into());
    }
    let tcp: Vec<String> = g.strings("tcp").iter().flat_map(|t| t.split(',')).map(String::from).collect();
    let headless = cluster_ip.as_deref() == Some("None");
    if headless && service_type != "ClusterIP" {
        return Err("error: ClusterIP=None can only be used with ClusterIP service type\n".into());
    }
    if !headless && tcp.is_empty() && service_type != "ExternalName" {
        return Err("error: at least one tcp port specifier must be provided\n".into());
    }
    if let Some(external) = external_name.as_deref().filter(|e| rfc1123_subdomain(e).is_some()) {
        return Err(format!("error: invalid service external name {external}\n"));
    }
    let node_port = match g.string("node-port").map(|p| p.parse::<i32>()) {
        None => None,
        Some(Ok(0)) => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => return Err("error: invalid node port\n".into()),
    };
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port, target) = parse_ports(spec).map_err(|e| format!("error: {e}\n"))?;
        ports.push(ServicePort {
            name: Some(spec.replace(':', "-")),
            port,
            target_port: Some(target),
            protocol: Some("TCP".into()),
            node_port,
            ..Default::default()
        });
    }
    let labels = BTreeMap::from([("app".to_string(), name.clone())]);
    Ok(Object::Service(Box::new(Service {
        metadata: meta(&name, Some(labels.clone())),
        spec: Some(ServiceSpec {
            type_: Some(service_type.into()),
            selector: Some(labels),
            ports: (!ports.is_empty()).then_some(ports),
            external_name,
            cluster_ip,
            ..Default::default()
        }),
        status: None,
    })))
}

/// `port[:targetPort]`, the target a number or a port name.
fn parse_ports(spec: &str) -> Result<(i32, IntOrString), String> {
    let mut parts = spec.split(':');
    let port_text = parts.next().unwrap_or_default();
    let port = parse_uint16(port_text)?;
    let Some(target) = parts.next() else {
        return Ok((port, IntOrString::Int(port)));
    };
    let target = match target.parse::<i64>() {
        Ok(n) if (1..=65535).contains(&n) => IntOrString::Int(n as i32),
        Ok(_) => return Err("must be between 1 and 65535, inclusive".into()),
        Err(_) => {
            let problems = port_name_problems(target);
            if !problems.is_empty() {
                return Err(problems.join(","));
            }
            IntOrString::String(target.into())
        }
    };
    Ok((port, target))
}

/// Go's `strconv.ParseUint(s, 10, 16)`, errors included.
fn parse_uint16(text: &str) -> Result<i32, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {text:?}: invalid syntax"));
    }
    match text.parse::<u16>() {
        Ok(n) => Ok(i32::from(n)),
        Err(_) => Err(format!("strconv.ParseUint: parsing {text:?}: value out of range")),
    }
}

/// What is wrong with a port name (IANA_SVC_NAME), in the API's words.
pub fn port_name_problems(name: &str) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if name.len() > 15 {
        problems.push("must be no more than 15 characters");
    }
    if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') || name.is_empty() {
        problems.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        problems.push("must contain at least one letter (a-z)");
    }
    if name.contains("--") {
        problems.push("must not contain consecutive hyphens");
    }
    if name.starts_with('-') || name.ends_with('-') {
        problems.push("must not begin or end with a hyphen");
    }
    problems
}
