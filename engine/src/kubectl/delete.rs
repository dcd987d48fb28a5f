//! `kubectl delete`: by name, by type with `--all`, or by file. Like kubectl
//! it waits until the objects are gone, which moves the virtual clock on
//! while pods shut down.

use super::{cli, error, manifest, namespace, resources, Io};
use crate::api::Kind;
use crate::apiserver::Propagation;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::time::SECOND;
use clap::ArgMatches;

/// How long `--wait` lets the clock run past the grace period before giving up.
const WAIT_SLACK_SECONDS: i64 = 30;

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let args = cli::strings(m, "args");
    let ns = namespace(m);
    let force = cli::boolean(m, "force");
    let mut grace: Option<i64> = cli::string(m, "grace-period").and_then(|g| g.parse::<i64>().ok()).filter(|v| *v >= 0);
    if cli::boolean(m, "now") {
        if grace.is_some() {
            return error("--now and --grace-period cannot be specified together");
        }
        grace = Some(1);
    }
    if force && grace.is_none() {
        grace = Some(0);
    }
    if grace == Some(0) && !force {
        // kubectl turns a zero grace period into the shortest graceful one.
        grace = Some(1);
    }
    let wait = m.try_get_one::<bool>("wait").ok().flatten().copied().unwrap_or(true);
    let propagation = match cli::string(m, "cascade").as_deref() {
        None | Some("background") | Some("true") => Propagation::Background,
        Some("foreground") => Propagation::Foreground,
        Some("orphan") | Some("false") => Propagation::Orphan,
        Some(other) => {
            return error(format!(
                "invalid cascade value ({other}). Must be \"background\", \"foreground\", or \"orphan\""
            ))
        }
    };
    let selector = match cli::string(m, "selector").map(|s| Selector::parse(&s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return error(e),
    };
    let field_selector = cli::string(m, "field-selector").filter(|f| !f.is_empty());

    let mut targets: Vec<(Kind, String, String)> = Vec::new();
    let mut out = Output::default();
    if manifest::given(m) {
        if !args.is_empty() {
            return error("resource(s) were provided, but no name was specified");
        }
        let documents = match manifest::read_flags(io, m) {
            Ok(d) => d,
            Err(e) => return error(e),
        };
        for (_, document) in documents {
            match document {
                Ok(object) => {
                    let object_ns = if object.info().namespaced {
                        if object.namespace().is_empty() {
                            ns.clone()
                        } else {
                            object.namespace().to_string()
                        }
                    } else {
                        String::new()
                    };
                    targets.push((object.kind(), object_ns, object.name().to_string()));
                }
                Err(text) => {
                    out.stderr.push_str(&text);
                    out.exit_code = 1;
                }
            }
        }
    } else {
        if args.is_empty() {
            return Output::err(
                "error: You must provide one or more resources by argument or filename.\n\
                 Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'\n",
            );
        }
        let requests = match resources::parse(&args) {
            Ok(r) => r,
            Err(e) => return error(e),
        };
        let all = cli::boolean(m, "all");
        for request in requests {
            let scope = if request.info.namespaced { ns.clone() } else { String::new() };
            if request.names.is_empty() {
                if !all && selector.is_none() && field_selector.is_none() {
                    return error("resource(s) were provided, but no name was specified");
                }
                let fields = match field_selector.as_deref().map(|f| super::fields::parse(f, request.info)) {
                    Some(Err(e)) => return Output::err(e),
                    Some(Ok(requirements)) => requirements,
                    None => Vec::new(),
                };
                let everything = Selector::everything();
                let sel = selector.as_ref().unwrap_or(&everything);
                let filter = request.info.namespaced.then_some(scope.as_str());
                let listed: Vec<String> = cluster
                    .api()
                    .store()
                    .select(request.info.kind, filter, sel)
                    .into_iter()
                    .filter(|o| fields.is_empty() || super::fields::matches(&fields, &o.to_value()))
                    .map(|o| o.name().to_string())
                    .collect();
                targets.extend(listed.into_iter().map(|n| (request.info.kind, scope.clone(), n)));
            } else {
                targets.extend(request.names.into_iter().map(|n| (request.info.kind, scope.clone(), n)));
            }
        }
        if targets.is_empty() && out.exit_code == 0 {
            out.stderr = if ns.is_empty() {
                "No resources found\n".into()
            } else {
                format!("No resources found in {ns} namespace.\n")
            };
            return out;
        }
    }

    if force && grace == Some(0) {
        out.stderr.push_str("Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n");
    }
    let ignore_missing = cli::boolean(m, "ignore-not-found");
    let mut pending = Vec::new();
    for (kind, object_ns, name) in targets {
        let info = crate::api::info(kind);
        let now = cluster.now();
        match cluster.api_mut().delete_with(kind, &object_ns, &name, grace, propagation, now) {
            Ok(deleted) => {
                let verb = if force && grace == Some(0) { "force deleted" } else { "deleted" };
                out.stdout.push_str(&format!("{} \"{name}\" {verb}\n", info.qualified_singular()));
                let seconds = deleted.meta().deletion_grace_period_seconds.unwrap_or(0);
                pending.push((kind, object_ns, name, seconds, deleted.meta().uid.clone()));
            }
            Err(e) if ignore_missing && e.reason == crate::api::Reason::NotFound => {}
            Err(e) => {
                out.stderr.push_str(&e.render(None));
                out.stderr.push('\n');
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    if wait {
        let longest = pending.iter().map(|p| p.3).max().unwrap_or(0);
        let slack = if pending.iter().any(|p| p.0 == Kind::Namespace) { 120 } else { WAIT_SLACK_SECONDS };
        let deadline = cluster.now().plus((longest + slack) * SECOND);
        while cluster.now() < deadline
            // Gone means this object: one of the same name made since (a
            // static pod's new mirror) is another.
            && pending.iter().any(|(k, n, name, _, uid)| {
                cluster.api().store().get(*k, n, name).is_some_and(|o| o.meta().uid == *uid)
            })
        {
            cluster.step(100);
        }
    }
    out
}
