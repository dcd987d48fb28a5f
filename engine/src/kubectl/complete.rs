//! Tab completion for kubectl words: subcommands and flags from the same
//! clap tree that parses them, resource types from the API's table, and
//! object names from the cluster (in the namespace `-n` names).

use super::cli;
use crate::api::{Kind, RESOURCES};
use crate::cluster::Cluster;

/// The words that could replace `partial`, the last word of a kubectl line
/// whose earlier words (without `kubectl`) are `before`.
/// `default_ns` is where names are looked up when `-n` is not given.
pub fn candidates(cluster: &Cluster, before: &[String], partial: &str, default_ns: &str) -> Vec<String> {
    let mut command = cli::command();
    let mut positionals: Vec<&str> = Vec::new();
    let mut namespace = Some(default_ns.to_string());
    let mut words = before.iter().peekable();
    while let Some(word) = words.next() {
        if word == "-n" || word == "--namespace" {
            namespace = words.next().cloned();
            continue;
        }
        if let Some(ns) = word.strip_prefix("--namespace=") {
            namespace = Some(ns.to_string());
            continue;
        }
        if word.starts_with('-') {
            continue;
        }
        match command.find_subcommand(word).cloned() {
            Some(sub) if positionals.is_empty() => command = sub,
            _ => positionals.push(word),
        }
    }
    let mut out: Vec<String> = if partial.starts_with('-') {
        let root = cli::command();
        command
            .get_arguments()
            .chain(root.get_arguments().filter(|a| a.is_global_set()))
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect()
    } else if command.has_subcommands() && positionals.is_empty() {
        command.get_subcommands().filter(|s| !s.is_hide_set()).map(|s| s.get_name().to_string()).collect()
    } else if matches!(command.get_name(), "cordon" | "uncordon" | "drain") {
        names(cluster, Kind::Node, false, None)
    } else if !takes_resources(command.get_name()) {
        Vec::new()
    } else if let Some((kind, prefix)) = partial.split_once('/') {
        // `deploy/we` → `deploy/web`
        match crate::api::resolve(kind) {
            Some(info) => names(cluster, info.kind, info.namespaced, namespace.as_deref())
                .into_iter()
                .map(|n| format!("{kind}/{n}"))
                .filter(|c| c.starts_with(&format!("{kind}/{prefix}")))
                .collect(),
            None => Vec::new(),
        }
    } else {
        match positionals.first().and_then(|p| crate::api::resolve(p.split(',').next().unwrap_or(p))) {
            Some(info) => names(cluster, info.kind, info.namespaced, namespace.as_deref()),
            None => RESOURCES.iter().map(|r| r.plural.to_string()).collect(),
        }
    };
    out.retain(|c| c.starts_with(partial));
    out.sort();
    out.dedup();
    out
}

/// Commands whose arguments name resources.
fn takes_resources(command: &str) -> bool {
    matches!(
        command,
        "get"
            | "describe"
            | "delete"
            | "label"
            | "annotate"
            | "scale"
            | "expose"
            | "autoscale"
            | "status"
            | "history"
            | "undo"
            | "pause"
            | "resume"
            | "restart"
            | "image"
            | "env"
            | "resources"
            | "cordon"
            | "uncordon"
            | "drain"
            | "taint"
            | "wait"
            | "patch"
    )
}

fn names(cluster: &Cluster, kind: Kind, namespaced: bool, namespace: Option<&str>) -> Vec<String> {
    let scope = namespaced.then(|| namespace.unwrap_or("default"));
    cluster.api().store().list(kind, scope).map(|o| o.name().to_string()).collect()
}
