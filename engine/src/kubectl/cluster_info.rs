//! `kubectl cluster-info`: where the control plane and the cluster's
//! add-ons answer; `cluster-info dump`: nodes, then for each namespace its
//! events, workloads, services and pods as JSON (or YAML), then every
//! container's log, to the terminal or as files under a folder.

use super::{cli, error, namespace, Io};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use serde_json::{json, Value};

pub fn run(cluster: &Cluster, m: &ArgMatches, io: &Io) -> Output {
    match m.subcommand() {
        Some(("dump", sub)) => dump(cluster, sub, io),
        _ => Output::ok(
            "Kubernetes control plane is running at https://192.168.1.10:6443\nCoreDNS is running at https://192.168.1.10:6443/api/v1/namespaces/kube-system/services/kube-dns:dns/proxy\n\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
        ),
    }
}

/// What a typed List of `kind` looks like from the API: items without
/// their own apiVersion and kind.
fn list(cluster: &Cluster, kind: Kind, namespace: Option<&str>) -> Value {
    let info = crate::api::info(kind);
    let items: Vec<Value> = cluster
        .api()
        .store()
        .list(kind, namespace)
        .map(|o| {
            let mut v = o.to_value();
            if let Some(map) = v.as_object_mut() {
                map.remove("apiVersion");
                map.remove("kind");
                if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.remove("managedFields");
                }
            }
            v
        })
        .collect();
    json!({
        "kind": format!("{}List", info.kind_name),
        "apiVersion": info.api_version(),
        "metadata": {"resourceVersion": cluster.version().to_string()},
        "items": items,
    })
}

fn dump(cluster: &Cluster, m: &ArgMatches, io: &Io) -> Output {
    let format = cli::string(m, "output").unwrap_or_else(|| "json".into());
    let (render, extension): (fn(&Value) -> String, &str) = match format.as_str() {
        "json" => (|v| format!("{}\n", super::get::json(v)), ".json"),
        "yaml" => (crate::codec::to_yaml, ".yaml"),
        other => {
            return error(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,yaml"
            ))
        }
    };
    let directory = cli::string(m, "output-directory").filter(|d| !d.is_empty() && d != "-");
    let mut pieces: Vec<(String, String)> =
        vec![(format!("nodes{extension}"), render(&list(cluster, Kind::Node, None)))];
    let namespaces: Vec<String> = if cli::boolean(m, "all-namespaces") {
        cluster.api().store().list(Kind::Namespace, None).map(|n| n.name().to_string()).collect()
    } else {
        let asked: Vec<String> =
            cli::strings(m, "namespaces").iter().flat_map(|n| n.split(',')).map(String::from).collect();
        if asked.is_empty() {
            vec!["kube-system".to_string(), namespace(m)]
        } else {
            asked
        }
    };
    let kinds = [
        (Kind::Event, "events"),
        (Kind::ReplicationController, "replication-controllers"),
        (Kind::Service, "services"),
        (Kind::DaemonSet, "daemonsets"),
        (Kind::Deployment, "deployments"),
        (Kind::ReplicaSet, "replicasets"),
        (Kind::Pod, "pods"),
    ];
    for ns in &namespaces {
        for (kind, file) in kinds {
            pieces.push((format!("{ns}/{file}{extension}"), render(&list(cluster, kind, Some(ns)))));
        }
        for pod in cluster.api().store().list(Kind::Pod, Some(ns)) {
            let Object::Pod(p) = &**pod else { continue };
            let mut text = String::new();
            let spec = p.spec.clone().unwrap_or_default();
            for container in spec.init_containers.iter().flatten().chain(&spec.containers) {
                let which = format!("container {} of pod {ns}/{}", container.name, pod.name());
                text.push_str(&format!("==== START logs for {which} ====\n"));
                let logs = super::logs::of(cluster, ns, pod.name(), Some(&container.name));
                if logs.exit_code == 0 {
                    text.push_str(&logs.stdout);
                } else {
                    text.push_str(&format!("Request log error: {}", logs.stderr.trim_start_matches("error: ")));
                }
                text.push_str(&format!("==== END logs for {which} ====\n"));
            }
            pieces.push((format!("{ns}/{}/logs.txt", pod.name()), text));
        }
    }
    let Some(dir) = directory else {
        return Output::ok(pieces.into_iter().map(|(_, text)| text).collect::<String>());
    };
    for (path, text) in pieces {
        if let Err(e) = io.files.write(&format!("{}/{path}", dir.trim_end_matches('/')), &text) {
            return error(e);
        }
    }
    Output::ok(format!("Cluster info dumped to {dir}\n"))
}
