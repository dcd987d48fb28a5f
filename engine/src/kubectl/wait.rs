//! `kubectl wait --for=condition=Ready|delete|create|jsonpath=…`: lets
//! simulated time run, a second at a time, until every named object meets
//! the condition or the timeout passes.

use super::{cli, error, jsonpath, namespace, resources};
use crate::api::ResourceInfo;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::time::{Millis, SECOND};
use clap::ArgMatches;
use serde_json::Value;

/// What is waited for.
enum Condition {
    /// `condition=Ready` (value `True`), `condition=Available=false`.
    Status {
        kind: String,
        value: String,
    },
    Delete,
    Create,
    /// `jsonpath={.status.phase}=Running`, or only that the path exists.
    JsonPath {
        path: String,
        value: Option<String>,
    },
}

fn parse(text: &str) -> Result<Condition, String> {
    let lower = text.to_lowercase();
    if lower == "delete" {
        return Ok(Condition::Delete);
    }
    if lower == "create" {
        return Ok(Condition::Create);
    }
    if let Some(rest) = text.strip_prefix("condition=") {
        let (kind, value) = rest.split_once('=').unwrap_or((rest, "true"));
        return Ok(Condition::Status { kind: kind.to_string(), value: value.to_string() });
    }
    if let Some(rest) = text.strip_prefix("jsonpath=") {
        // The path ends at the `}` that closes it; `=value` may follow.
        let (path, value) = match rest.rfind('}') {
            Some(i) if rest[i + 1..].starts_with('=') => (&rest[..=i], Some(rest[i + 2..].to_string())),
            _ => (rest, None),
        };
        if !path.starts_with('{') || !path.ends_with('}') || path.matches('{').count() != path.matches('}').count() {
            return Err("unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'".into());
        }
        return Ok(Condition::JsonPath { path: path.to_string(), value });
    }
    Err(format!("unrecognized condition: {text:?}"))
}

fn met(condition: &Condition, object: Option<&Value>) -> bool {
    match (condition, object) {
        (Condition::Delete, found) => found.is_none(),
        (_, None) => false,
        (Condition::Create, Some(_)) => true,
        (Condition::Status { kind, value }, Some(o)) => {
            o.pointer("/status/conditions").and_then(Value::as_array).into_iter().flatten().any(|c| {
                c.get("type").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case(kind))
                    && c.get("status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case(value))
            })
        }
        (Condition::JsonPath { path, value }, Some(o)) => match jsonpath::execute(path, o) {
            Ok(found) => value.as_deref().map_or(!found.is_empty(), |v| found == v),
            Err(_) => false,
        },
    }
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let condition = match parse(&cli::string(m, "for").unwrap_or_default()) {
        Ok(c) => c,
        Err(e) => return error(e),
    };
    let timeout: Millis = match cli::string(m, "timeout") {
        None => 30 * SECOND,
        Some(t) if t.starts_with('-') => crate::time::MAX_WAIT,
        Some(t) => match crate::time::parse_duration(&t) {
            Some(ms) => ms,
            None => {
                return Output::err(format!(
                    "Error: invalid argument {t:?} for \"--timeout\" flag: time: invalid duration {t:?}\nSee 'kubectl wait --help' for usage.\n"
                ))
            }
        },
    };
    // A week is the most one command may wait, as for `sleep`.
    let timeout = timeout.min(crate::time::MAX_WAIT);
    let ns = namespace(m);
    let args = cli::strings(m, "args");
    let requests = match resources::parse(&args) {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let selector = match cli::string(m, "selector").map(|s| Selector::parse(&s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return error(e),
    };
    let all = cli::boolean(m, "all");
    let every_namespace = cli::boolean(m, "all-namespaces");
    if requests.is_empty() {
        return error("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    // The objects to watch, by kind and name.
    let mut watched: Vec<(&'static ResourceInfo, String, String)> = Vec::new();
    for request in &requests {
        let scope = if request.info.namespaced { ns.as_str() } else { "" };
        if !request.names.is_empty() {
            watched.extend(request.names.iter().map(|n| (request.info, scope.to_string(), n.clone())));
            continue;
        }
        if selector.is_none() && !all {
            return error("resource(s) were provided, but no name was specified");
        }
        let everything = Selector::everything();
        let chosen = selector.as_ref().unwrap_or(&everything);
        let store = cluster.api().store();
        let within = (request.info.namespaced && !every_namespace).then_some(ns.as_str());
        let found = store.select(request.info.kind, within, chosen);
        if found.is_empty() {
            return error("no matching resources found");
        }
        watched.extend(found.iter().map(|o| (request.info, o.namespace().to_string(), o.name().to_string())));
    }
    let mut out = Output::default();
    // Waiting for creation aside, a named object must exist to begin with.
    if !matches!(condition, Condition::Create | Condition::Delete) {
        for (info, scope, name) in &watched {
            if let Err(e) = cluster.api().get(info.kind, scope, name) {
                return Output::err(format!("{}\n", e.render(None)));
            }
        }
    }
    let start = cluster.now();
    loop {
        watched.retain(|(info, scope, name)| {
            let object = cluster.api().get(info.kind, scope, name).ok().map(|o| o.to_value());
            if met(&condition, object.as_ref()) {
                out.stdout.push_str(&format!("{}/{name} condition met\n", info.qualified_singular()));
                return false;
            }
            true
        });
        if watched.is_empty() || cluster.now().since(start) >= timeout {
            break;
        }
        cluster.step_to_next(start.plus(timeout));
    }
    if let Some((info, _, name)) = watched.first() {
        out.stderr.push_str(&format!("error: timed out waiting for the condition on {}/{name}\n", info.plural));
        out.exit_code = 1;
    }
    out
}
