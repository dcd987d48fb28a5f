//! `create ingress NAME --rule=host/path=service:port[,tls[=secret]]`: rules
//! grouped by host, `*` at the end of a path making it a Prefix, TLS entries
//! grouped by secret.

use super::{meta, Built, Generator};
use crate::object::Object;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use std::collections::BTreeMap;

pub fn ingress(g: &Generator) -> Built {
    let name = g.name()?;
    let rules = g.strings("rule");
    let default_backend = g.string("default-backend").filter(|b| !b.is_empty());
    if default_backend.is_none() && rules.is_empty() {
        return Err("error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)\n".into());
    }
    if let Some(bad) = rules.iter().find(|r| !rule_is_valid(r)) {
        return Err(format!(
            "error: rule {bad} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]\n"
        ));
    }
    let mut annotations = BTreeMap::new();
    for a in g.strings("annotation") {
        let Some((k, v)) = a.split_once('=') else {
            return Err(format!("error: annotation {a} is invalid and should be in format key=[value]\n"));
        };
        annotations.insert(k.to_string(), v.to_string());
    }
    if default_backend.as_deref().is_some_and(|b| b.split(':').count() != 2) {
        return Err("error: default-backend should be in format servicename:serviceport\n".into());
    }
    let mut metadata = meta(&name, None);
    metadata.annotations = (!annotations.is_empty()).then_some(annotations);
    let tls = tls_entries(&rules);
    let rules = host_rules(&rules);
    Ok(Object::Ingress(Box::new(Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: g.string("class").filter(|c| !c.is_empty()),
            default_backend: default_backend.as_deref().map(backend),
            tls: (!tls.is_empty()).then_some(tls),
            rules: (!rules.is_empty()).then_some(rules),
        }),
        status: None,
    })))
}

/// kubectl's rule pattern: `[host]/path=svc:port` then optionally
/// `,tls`, `,tls=secret`.
fn rule_is_valid(rule: &str) -> bool {
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let Some(slash) = rule.find('/') else { return false };
    let host = &rule[..slash];
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'*' | b'-' | b'.')) {
        return false;
    }
    let rest = &rule[slash..];
    let Some(eq) = rest.find(['=', ',', '\n']) else { return false };
    if rest.as_bytes()[eq] != b'=' {
        return false;
    }
    let backend = &rest[eq + 1..];
    let (service, tls) = backend.split_once(',').map_or((backend, None), |(s, t)| (s, Some(t)));
    let Some((svc, port)) = service.split_once(':') else { return false };
    if !word(svc) || !word(port) {
        return false;
    }
    match tls {
        None => true,
        Some(t) => t.strip_prefix("tls").is_some_and(|s| {
            let s = s.strip_prefix('=').unwrap_or(s);
            s.is_empty() || word(s)
        }),
    }
}

fn backend(service: &str) -> IngressBackend {
    let (name, port) = service.split_once(':').unwrap_or((service, ""));
    let port = match port.parse::<i32>() {
        Ok(number) => ServiceBackendPort { number: Some(number), name: None },
        Err(_) => ServiceBackendPort { name: Some(port.to_string()), number: None },
    };
    IngressBackend { service: Some(IngressServiceBackend { name: name.into(), port: Some(port) }), resource: None }
}

fn host_rules(rules: &[String]) -> Vec<IngressRule> {
    let mut out: Vec<IngressRule> = Vec::new();
    for rule in rules {
        let without_tls = rule.split(',').next().unwrap_or(rule);
        let (host, path_service) = without_tls.split_once('/').unwrap_or((without_tls, ""));
        let (path, service) = path_service.split_once('=').unwrap_or((path_service, ""));
        let mut path = format!("/{path}");
        let mut path_type = "Exact";
        if path.ends_with('*') {
            path.pop();
            path_type = "Prefix";
        }
        let entry = HTTPIngressPath { path: Some(path), path_type: path_type.into(), backend: backend(service) };
        let host = (!host.is_empty()).then(|| host.to_string());
        match out.iter_mut().find(|r| r.host == host) {
            Some(existing) => existing.http.get_or_insert_with(Default::default).paths.push(entry),
            None => out.push(IngressRule { host, http: Some(HTTPIngressRuleValue { paths: vec![entry] }) }),
        }
    }
    out
}

fn tls_entries(rules: &[String]) -> Vec<IngressTLS> {
    let mut out: Vec<IngressTLS> = Vec::new();
    let mut seen_hosts: Vec<&str> = Vec::new();
    for rule in rules {
        let parts: Vec<&str> = rule.split(',').collect();
        let [_, tls] = parts.as_slice() else { continue };
        let host = rule.split('/').next().unwrap_or_default();
        let secret = tls.split('=').nth(1).unwrap_or_default();
        if seen_hosts.contains(&host) {
            continue;
        }
        seen_hosts.push(host);
        if let Some(existing) = out.iter_mut().find(|t| t.secret_name.as_deref().unwrap_or_default() == secret) {
            existing.hosts.get_or_insert_with(Vec::new).push(host.to_string());
            continue;
        }
        let entry = IngressTLS {
            hosts: (!host.is_empty()).then(|| vec![host.to_string()]),
            secret_name: (!secret.is_empty()).then(|| secret.to_string()),
        };
        if entry.hosts.is_some() || entry.secret_name.is_some() {
            out.push(entry);
        }
    }
    out
}
