//! `kubectl create`: from files (`-f`, failing on existing objects), and the
//! generators (`create deployment|job|cronjob|service …|configmap|secret …|
//! serviceaccount|quota|pdb|priorityclass|ingress|namespace`).
//! `--dry-run=client -o yaml` prints the object as kubectl builds it, before
//! any server defaults.

mod data;
mod ingress;
mod policy;
mod service;
mod workloads;

use super::run::{dry_run, DryRun};
use super::{cli, error, manifest, Io};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;
use std::collections::BTreeMap;

/// A generator's result: the object, or kubectl's whole error text.
type Built = Result<Object, String>;

/// What a generator may look at.
struct Generator<'a> {
    /// `deployment`, `service nodeport`, … as kubectl names it in usage hints.
    path: String,
    m: &'a ArgMatches,
    cluster: &'a Cluster,
    namespace: String,
    io: &'a Io<'a>,
}

impl Generator<'_> {
    fn string(&self, name: &str) -> Option<String> {
        cli::string(self.m, name)
    }

    fn strings(&self, name: &str) -> Vec<String> {
        cli::strings(self.m, name)
    }

    fn boolean(&self, name: &str) -> bool {
        cli::boolean(self.m, name)
    }

    /// The one NAME every generator takes.
    fn name(&self) -> Result<String, String> {
        let args = self.strings("args");
        match args.as_slice() {
            [name] => Ok(name.clone()),
            _ => Err(self.usage(format!("exactly one NAME is required, got {}", args.len()))),
        }
    }

    /// A usage error: the message and where to look for help.
    fn usage(&self, message: impl std::fmt::Display) -> String {
        format!("error: {message}\nSee 'kubectl create {} -h' for help and examples\n", self.path)
    }
}

fn meta(name: &str, labels: Option<BTreeMap<String, String>>) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), labels, ..Default::default() }
}

/// The generator's matches and its name in usage hints; groups such as
/// `service` and `secret` have their types one level down.
fn generator(m: &ArgMatches) -> Option<(String, &ArgMatches)> {
    let (name, sub) = m.subcommand()?;
    let name = canonical(name);
    Some(match sub.subcommand() {
        Some((kind, inner)) => (format!("{name} {kind}"), inner),
        None => (name.to_string(), sub),
    })
}

fn canonical(alias: &str) -> &str {
    match alias {
        "ns" => "namespace",
        "deploy" => "deployment",
        "cj" => "cronjob",
        "svc" => "service",
        "cm" => "configmap",
        "sa" => "serviceaccount",
        "resourcequota" => "quota",
        "pdb" => "poddisruptionbudget",
        "pc" => "priorityclass",
        "ing" => "ingress",
        other => other,
    }
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let Some((path, sub)) = generator(m) else {
        if !manifest::given(m) {
            return Output::err("error: must specify one of -f and -k\n\nerror: unknown command \"\"\nSee 'kubectl create -h' for help and examples\n");
        }
        let dry = match dry_run(m) {
            Ok(d) => d,
            Err(e) => return error(e),
        };
        return from_files(cluster, m, io, &super::namespace(m), dry);
    };
    if let Some(help) = group_help(&path) {
        return Output::err(help);
    }
    // Output flags may come before or after the generator's name.
    let flags = [sub, m];
    let pick = |name: &str| flags.iter().find_map(|f| cli::string(f, name));
    let dry = match dry_run(flags.iter().find(|f| cli::string(f, "dry-run").is_some()).unwrap_or(&sub)) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let output = pick("output");
    if let Some(other) = output.as_deref().filter(|o| !matches!(*o, "" | "name" | "yaml" | "json")) {
        return error(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,yaml"
        ));
    }
    let explicit_ns = cli::string(m, "namespace");
    let g = Generator { path: path.clone(), m: sub, cluster, namespace: super::namespace(m), io };
    let built = match path.as_str() {
        "namespace" => policy::namespace(&g),
        "serviceaccount" => policy::service_account(&g),
        "quota" => policy::quota(&g),
        "poddisruptionbudget" => policy::pdb(&g),
        "priorityclass" => policy::priority_class(&g),
        "deployment" => workloads::deployment(&g),
        "job" => workloads::job(&g),
        "cronjob" => workloads::cronjob(&g),
        "ingress" => ingress::ingress(&g),
        "configmap" => data::configmap(&g),
        "secret generic" => data::secret_generic(&g),
        "secret docker-registry" => data::secret_docker_registry(&g),
        "secret tls" => data::secret_tls(&g),
        p => match p.strip_prefix("service ") {
            Some(kind) => service::service(&g, kind),
            None => return Output::err(g.usage(format!("unknown command \"{p}\""))),
        },
    };
    let mut object = match built {
        Ok(o) => o,
        Err(text) => return Output::err(text),
    };
    if object.info().namespaced {
        object.meta_mut().namespace = explicit_ns.clone();
    }
    if dry == DryRun::Client {
        return print(&object, &super::mutate::go_value(&object), output.as_deref(), dry);
    }
    let now = cluster.now();
    if object.info().namespaced && object.namespace().is_empty() {
        object.meta_mut().namespace = Some(super::namespace(m));
    }
    match cluster.api_mut().create(object, now, dry == DryRun::Server) {
        Ok(created) => {
            cluster.settle();
            print(&created, &created.to_value(), output.as_deref(), dry)
        }
        Err(e) => Output::err(match failure_prefix(&path) {
            Some(prefix) => format!("error: {prefix}{e}\n"),
            None => format!("{}\n", e.render(None)),
        }),
    }
}

/// How each generator words a refused create before the server's message
/// (`create namespace` passes the server's error on as it is).
fn failure_prefix(path: &str) -> Option<String> {
    Some(match path {
        "namespace" => return None,
        "secret docker-registry" => "failed to create secret ".into(),
        "secret generic" | "secret tls" => "failed to create secret: ".into(),
        "poddisruptionbudget" => "failed to create poddisruptionbudgets: ".into(),
        "serviceaccount" | "quota" | "priorityclass" | "ingress" | "configmap" | "deployment" | "job" | "cronjob" => {
            format!("failed to create {path}: ")
        }
        service => {
            let kind = match service.strip_prefix("service ")? {
                "clusterip" => "ClusterIP",
                "nodeport" => "NodePort",
                "loadbalancer" => "LoadBalancer",
                _ => "ExternalName",
            };
            format!("failed to create {kind} service: ")
        }
    })
}

/// `kubectl create service` and `kubectl create secret` without a type
/// print their help on stderr and fail, as cobra does for a group.
fn group_help(path: &str) -> Option<String> {
    matches!(path, "service" | "secret").then(|| super::help::render(&["create".into(), path.into()])).flatten()
}

pub(crate) fn print(object: &Object, value: &Value, output: Option<&str>, dry: DryRun) -> Output {
    let name = format!("{}/{}", object.info().qualified_singular(), object.name());
    match output {
        Some("name") => Output::ok(format!("{name}\n")),
        Some("yaml") => Output::ok(crate::codec::to_yaml(value)),
        Some("json") => Output::ok(format!("{}\n", super::get::json(value))),
        _ => Output::ok(format!("{name} created{}\n", dry.suffix())),
    }
}

fn from_files(cluster: &mut Cluster, m: &ArgMatches, io: &Io, ns: &str, dry: DryRun) -> Output {
    let documents = match manifest::read_flags(io, m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let mut out = Output::default();
    for (source, document) in documents {
        match document {
            Ok(mut object) => {
                if object.info().namespaced && object.namespace().is_empty() {
                    object.meta_mut().namespace = Some(ns.to_string());
                }
                let label = format!("{}/{}", object.info().qualified_singular(), object.name());
                let now = cluster.now();
                match cluster.api_mut().create(object, now, dry != DryRun::None) {
                    Ok(_) => out.stdout.push_str(&format!("{label} created{}\n", dry.suffix())),
                    Err(e) => {
                        out.stderr.push_str(&e.render(Some(&format!("error when creating \"{source}\""))));
                        out.stderr.push('\n');
                        out.exit_code = 1;
                    }
                }
            }
            Err(text) => {
                out.stderr.push_str(&text);
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
