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

/// Which events a command shows, and how it prints them.
#[derive(Clone, Debug)]
pub struct Filter {
    types: Vec<String>,
    /// `--for`: the kind and name of the object the events are about.
    target: Option<(&'static str, String)>,
    all: bool,
    namespace: String,
}

impl Filter {
    fn from(m: &ArgMatches) -> Result<Filter, Output> {
        let types = cli::strings(m, "types").iter().flat_map(|t| t.split(',')).map(str::to_string).collect::<Vec<_>>();
        if types.iter().any(|t| !t.eq_ignore_ascii_case("Normal") && !t.eq_ignore_ascii_case("Warning")) {
            return Err(error("valid --types are Normal or Warning"));
        }
        let target = match cli::string(m, "for") {
            None => None,
            Some(text) => {
                let parts: Vec<&str> = text.split('/').collect();
                let [resource, name] = parts.as_slice() else {
                    return Err(error(if parts.len() > 2 {
                        "arguments in resource/name form may not have more than one slash"
                    } else {
                        "--for must be in resource/name form"
                    }));
                };
                match crate::api::resolve(resource) {
                    Some(info) => Some((info.kind_name, name.to_string())),
                    None => return Err(error(format!("the server doesn't have a resource type \"{resource}\""))),
                }
            }
        };
        Ok(Filter { types, target, all: cli::boolean(m, "all-namespaces"), namespace: namespace(m) })
    }

    fn keeps(&self, e: &Event) -> bool {
        (self.all || e.metadata.namespace.as_deref() == Some(self.namespace.as_str()))
            && (self.types.is_empty()
                || self.types.iter().any(|t| e.type_.as_deref().is_some_and(|et| et.eq_ignore_ascii_case(t))))
            && self.target.as_ref().is_none_or(|(kind, name)| {
                e.involved_object.kind.as_deref() == Some(*kind) && e.involved_object.name.as_deref() == Some(name)
            })
    }

    /// One tab-separated row.
    fn row(&self, e: &Event, now: crate::time::Time) -> String {
        let mut text = String::new();
        if self.all {
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
        text
    }
}

/// `kubectl events -w`: a row for each event recorded or repeated from now on.
#[derive(Clone, Debug)]
pub struct EventWatch {
    filter: Filter,
    cursor: u64,
}

impl EventWatch {
    pub fn poll(&mut self, cluster: &Cluster) -> Output {
        let mut out = Output::default();
        for change in cluster.api().store().changes_since(self.cursor) {
            self.cursor = change.version;
            if change.change == crate::store::ChangeType::Deleted {
                continue;
            }
            if let Object::Event(e) = &*change.object {
                if self.filter.keeps(e) {
                    // Each row is flushed alone, so it aligns only with itself.
                    out.stdout.push_str(&tabwriter::align(&self.filter.row(e, change.time), 6, 3));
                }
            }
        }
        out
    }
}

/// The watch `events -w` asks for, if it does.
pub fn watch(cluster: &Cluster, m: &ArgMatches) -> Option<EventWatch> {
    if !cli::boolean(m, "watch") {
        return None;
    }
    let filter = Filter::from(m).ok()?;
    Some(EventWatch { filter, cursor: cluster.api().store().version() })
}

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Output {
    let filter = match Filter::from(m) {
        Ok(f) => f,
        Err(out) => return out,
    };
    let store = cluster.api().store();
    let mut events: Vec<&Event> = store
        .list(Kind::Event, if filter.all { None } else { Some(filter.namespace.as_str()) })
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(&**e),
            _ => None,
        })
        .filter(|e| filter.keeps(e))
        .collect();
    if events.is_empty() {
        // A watch says nothing about an empty list; it waits.
        if cli::boolean(m, "watch") {
            return Output::default();
        }
        let note = if filter.all {
            "No events found.\n".to_string()
        } else {
            format!("No events found in {} namespace.\n", filter.namespace)
        };
        return Output { stderr: note, ..Output::default() };
    }
    events.sort_by_key(|e| event_last_seen(e));
    let now = cluster.now();
    let mut text = String::new();
    if !cli::boolean(m, "no-headers") {
        text.push_str(if filter.all { "NAMESPACE\t" } else { "" });
        text.push_str("LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n");
    }
    for e in events {
        text.push_str(&filter.row(e, now));
    }
    Output::ok(tabwriter::align(&text, 6, 3))
}
