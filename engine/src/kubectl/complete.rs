//! Tab completion for kubectl words: subcommands and flags from the same
//! clap tree that parses them, resource types from the API's table, and
//! object names from the cluster (in the namespace `-n` names).

use super::cli;
use crate::api::{Kind, RESOURCES};
use crate::cluster::Cluster;
use clap::Command;

/// The words that could replace `partial`, the last word of a kubectl line
/// whose earlier words (without `kubectl`) are `before`.
/// `default_ns` is where names are looked up when `-n` is not given.
pub fn candidates(cluster: &Cluster, before: &[String], partial: &str, default_ns: &str) -> Vec<String> {
    // The whole tree, built once: its global flags apply everywhere.
    let root = cli::command();
    let mut command = root.clone();
    let mut path: Vec<String> = Vec::new();
    let mut positionals: Vec<&str> = Vec::new();
    let mut namespace = Some(default_ns.to_string());
    // The flag whose value the completed word is, when the line ends in one.
    let mut awaiting: Option<String> = None;
    let mut words = before.iter();
    while let Some(word) = words.next() {
        if word == "--" {
            // What follows is the container's command.
            return Vec::new();
        }
        if let Some(ns) = word.strip_prefix("--namespace=") {
            namespace = Some(ns.to_string());
            continue;
        }
        if word.starts_with('-') {
            if let Some(flag) = value_flag(&root, &command, word) {
                match words.next() {
                    Some(value) if flag == "namespace" => namespace = Some(value.clone()),
                    Some(_) => {}
                    None => awaiting = Some(flag),
                }
            }
            continue;
        }
        match command.find_subcommand(word).cloned() {
            Some(sub) if positionals.is_empty() => {
                path.push(sub.get_name().to_string());
                command = sub;
            }
            _ => positionals.push(word),
        }
    }
    let mut out: Vec<String> = if let Some(flag) = awaiting {
        flag_values(cluster, &flag, positionals.first().copied(), namespace.as_deref())
    } else if partial.starts_with('-') {
        command
            .get_arguments()
            .chain(root.get_arguments().filter(|a| a.is_global_set()))
            .filter(|a| !a.is_hide_set())
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect()
    } else if command.has_subcommands() && positionals.is_empty() {
        command.get_subcommands().filter(|s| !s.is_hide_set()).map(|s| s.get_name().to_string()).collect()
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
        match arguments(&path.join(" ")) {
            Arguments::Nothing => Vec::new(),
            Arguments::Named(kind) => {
                let namespaced = crate::api::info(kind).namespaced;
                if positionals.is_empty() {
                    names(cluster, kind, namespaced, namespace.as_deref())
                } else {
                    Vec::new()
                }
            }
            Arguments::Copy if positionals.len() < 2 => {
                names(cluster, Kind::Pod, true, namespace.as_deref()).into_iter().map(|n| format!("{n}:")).collect()
            }
            Arguments::Copy => Vec::new(),
            Arguments::Types if positionals.is_empty() => RESOURCES.iter().map(|r| r.plural.to_string()).collect(),
            Arguments::Types => Vec::new(),
            Arguments::Resources => {
                match positionals.first().and_then(|p| crate::api::resolve(p.split(',').next().unwrap_or(p))) {
                    Some(info) => names(cluster, info.kind, info.namespaced, namespace.as_deref()),
                    None => RESOURCES.iter().map(|r| r.plural.to_string()).collect(),
                }
            }
        }
    };
    out.retain(|c| c.starts_with(partial));
    out.sort();
    out.dedup();
    out
}

/// What a command's arguments name.
enum Arguments {
    Nothing,
    /// Objects of one kind (`logs POD`, `cordon NODE`).
    Named(Kind),
    /// A type, then objects of it (`get pods web`).
    Resources,
    /// A type only (`explain pods`).
    Types,
    /// `POD:PATH` on either side (`cp web:/etc/hosts hosts`).
    Copy,
}

fn arguments(path: &str) -> Arguments {
    match path {
        "cordon" | "uncordon" | "drain" | "top node" => Arguments::Named(Kind::Node),
        "logs" | "exec" | "attach" | "port-forward" | "top pod" => Arguments::Named(Kind::Pod),
        "cp" => Arguments::Copy,
        "get" | "describe" | "delete" | "edit" | "label" | "annotate" | "scale" | "expose" | "autoscale" | "taint"
        | "wait" | "patch" => Arguments::Resources,
        "explain" => Arguments::Types,
        p if p.starts_with("rollout ") || p.starts_with("set ") => Arguments::Resources,
        _ => Arguments::Nothing,
    }
}

/// The long name of the flag `word` names when it takes its value from the
/// next word (`-n`, `--output`, not `--output=…` or a switch).
fn value_flag(root: &Command, command: &Command, word: &str) -> Option<String> {
    if word.contains('=') {
        return None;
    }
    let mut args = command.get_arguments().chain(root.get_arguments().filter(|a| a.is_global_set()));
    let arg = match word.strip_prefix("--") {
        Some(long) => args.find(|a| a.get_long() == Some(long)),
        None => {
            let mut shorts = word.trim_start_matches('-').chars();
            let (Some(short), None) = (shorts.next(), shorts.next()) else { return None };
            args.find(|a| a.get_short() == Some(short))
        }
    }?;
    let takes_value = arg.get_num_args().is_some_and(|n| n.min_values() > 0);
    takes_value.then(|| arg.get_long().unwrap_or_default().to_string())
}

/// What a flag's value may be.
fn flag_values(cluster: &Cluster, flag: &str, first: Option<&str>, namespace: Option<&str>) -> Vec<String> {
    match flag {
        "namespace" => names(cluster, Kind::Namespace, false, None),
        "output" => ["json", "yaml", "wide", "name", "jsonpath=", "custom-columns="].map(String::from).to_vec(),
        "container" => {
            let pod = first.and_then(|p| cluster.get(Kind::Pod, namespace.unwrap_or("default"), p));
            pod.and_then(|p| p.as_pod().and_then(|p| p.spec.clone()))
                .map(|s| s.containers.into_iter().map(|c| c.name).collect())
                .unwrap_or_default()
        }
        _ => Vec::new(),
    }
}

fn names(cluster: &Cluster, kind: Kind, namespaced: bool, namespace: Option<&str>) -> Vec<String> {
    let scope = namespaced.then(|| namespace.unwrap_or("default"));
    cluster.api().store().list(kind, scope).map(|o| o.name().to_string()).collect()
}
