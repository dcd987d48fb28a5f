//! `kubectl events`: the namespace's (or every namespace's) events, oldest
//! first, optionally only those about one object or of some types.

use super::printers::config::{event_interval, event_last_seen};
use super::printers::tabwriter;
use super::{cli, error, namespace};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::Event;

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Output {
    let types = cli::strings(m, "types").iter().flat_map(|t| t.split(',')).map(str::to_string).collect::<Vec<_>>();
    if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
        return error("valid --types are Normal or Warning");
    }
    let target = match cli::string(m, "for") {
        None => None,
        Some(text) => {
            let parts: Vec<&str> = text.split('/').collect();
            let [resource, name] = parts.as_slice() else {
                return error(if parts.len() > 2 {
                    "arguments in resource/name form may not have more than one slash"
                } else {
                    "--for must be in resource/name form"
                });
            };
            match crate::api::resolve(resource) {
                Some(info) => Some((info.kind_name, name.to_string())),
                None => return error(format!("the server doesn't have a resource type \"{resource}\"")),
            }
        }
    };
    let all = cli::boolean(m, "all-namespaces");
    let ns = namespace(m);
    let store = cluster.api().store();
    let mut events: Vec<&Event> = store
        .list(Kind::Event, if all { None } else { Some(ns.as_str()) })
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .filter(|e| {
            types.is_empty() || types.iter().any(|t| e.type_.as_deref().is_some_and(|et| et.eq_ignore_ascii_case(t)))
        })
        .filter(|e| {
            target.as_ref().is_none_or(|(kind, name)| {
                e.involved_object.kind.as_deref() == Some(*kind) && e.involved_object.name.as_deref() == Some(name)
            })
        })
        .collect();
    if events.is_empty() {
        let note = if all { "No events found.\n".to_string() } else { format!("No events found in {ns} namespace.\n") };
        return Output { stderr: note, ..Output::default() };
    }
    events.sort_by_key(|e| event_last_seen(e));
    let now = cluster.now();
    let mut text = String::new();
    if !cli::boolean(m, "no-headers") {
        text.push_str(if all { "NAMESPACE\t" } else { "" });
        text.push_str("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    }
    for e in events {
        if all {
            text.push_str(e.metadata.namespace.as_deref().unwrap_or_default());
            text.push('\t');
        }
        text.push_str(&format!(
            "{}\t{}\t{}\t{}/{}\t{}\n",
            event_interval(e, now),
            e.type_.as_deref().unwrap_or_default(),
            e.reason.as_deref().unwrap_or_default(),
            e.involved_object.kind.as_deref().unwrap_or_default(),
            e.involved_object.name.as_deref().unwrap_or_default(),
            e.message.as_deref().unwrap_or_default().trim()
        ));
    }
    Output::ok(tabwriter::align(&text, 6, 3))
}
