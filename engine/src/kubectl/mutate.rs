//! What `set image|env|resources`, `label` and `annotate` share: the
//! objects come from names, `-l`, or `-f` (read from the file alone with
//! `--local`); each is changed as JSON; then it is saved, or only printed
//! (`--local`, `--dry-run=client`), as `-o` asks or with the command's verb.

use super::run::{dry_run, DryRun};
use super::{cli, error, manifest, namespace, target, Io};
use crate::api::ResourceInfo;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use serde_json::{json, Value};

/// Changes one object; says what happened (`image updated`, `labeled`) or
/// why it could not.
pub type Change<'a> = dyn FnMut(&'static ResourceInfo, &mut Value) -> Result<String, String> + 'a;

/// How a command holds the objects it changes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Held {
    /// As Go types (`set …`): what it prints gains Go's zero values, and a
    /// refused save is reported after these words.
    Typed(&'static str),
    /// As plain JSON (`label`, `annotate`): printed as read, a refused save
    /// reported as the server worded it.
    Untyped,
}

/// Runs `change` over the objects `names` (and the flags) select.
pub fn each(
    cluster: &mut Cluster,
    m: &ArgMatches,
    io: &Io,
    names: &[String],
    command: &str,
    held: Held,
    change: &mut Change,
) -> Output {
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let local = cli::boolean(m, "local");
    let output = cli::string(m, "output");
    if let Some(other) = output.as_deref().filter(|o| !matches!(*o, "yaml" | "json" | "name")) {
        return error(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml"
        ));
    }
    let targets = match targets(cluster, m, io, names, command) {
        Ok(t) => t,
        Err(out) => return out,
    };
    let mut out = Output::default();
    for (info, mut value) in targets {
        let verb = match change(info, &mut value) {
            Ok(v) => v,
            Err(e) => {
                out.stderr.push_str(&format!("error: {e}\n"));
                out.exit_code = 1;
                return out;
            }
        };
        let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        let saved = if local || dry == DryRun::Client {
            match (held, crate::codec::to_object(value.clone())) {
                (Held::Typed(_), Ok(object)) => go_value(&object),
                _ => value,
            }
        } else {
            let now = cluster.now();
            let object = match crate::codec::to_object(value) {
                Ok(o) => o,
                Err(e) => {
                    out.stderr.push_str(&manifest::describe("STDIN", e));
                    out.exit_code = 1;
                    continue;
                }
            };
            match cluster.api_mut().update_checked(object, now, dry == DryRun::Server) {
                Ok(stored) => stored.to_value(),
                Err(e) => {
                    out.stderr.push_str(&match held {
                        Held::Typed(words) => format!("error: {words}{e}\n"),
                        Held::Untyped => format!("{}\n", e.render(None)),
                    });
                    out.exit_code = 1;
                    continue;
                }
            }
        };
        let suffix = if local { "" } else { dry.suffix() };
        out.stdout.push_str(&match output.as_deref() {
            Some("yaml") => crate::codec::to_yaml(&saved),
            Some("json") => format!("{}\n", super::get::json(&saved)),
            Some(_) => format!("{}/{name}\n", info.qualified_singular()),
            None => format!("{}/{name} {verb}{suffix}\n", info.qualified_singular()),
        });
    }
    cluster.settle();
    out
}

/// The objects a command works on, as JSON: from `-f` (the file's own with
/// `--local`, else the server's of that name), or named, or selected.
pub fn targets(
    cluster: &Cluster,
    m: &ArgMatches,
    io: &Io,
    names: &[String],
    command: &str,
) -> Result<Vec<(&'static ResourceInfo, Value)>, Output> {
    let local = cli::boolean(m, "local");
    let filenames = cli::strings(m, "filename");
    if !local && filenames.is_empty() {
        let found = target::selected(cluster, names, &namespace(m), command, cli::string(m, "selector").as_deref())?;
        return Ok(found.into_iter().map(|(info, o)| (info, o.to_value())).collect());
    }
    if filenames.is_empty() {
        return Err(error(
            "You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'",
        ));
    }
    let values = manifest::read_values(io, &filenames, cli::boolean(m, "recursive")).map_err(error)?;
    let mut targets = Vec::new();
    for value in values {
        let (api_version, kind) = (
            value.get("apiVersion").and_then(Value::as_str).unwrap_or_default(),
            value.get("kind").and_then(Value::as_str).unwrap_or_default(),
        );
        let Some((info, _)) = crate::api::for_manifest(api_version, kind) else {
            return Err(error(format!("no matches for kind \"{kind}\" in version \"{api_version}\"")));
        };
        if local {
            targets.push((info, value));
            continue;
        }
        let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
        let ns =
            value.pointer("/metadata/namespace").and_then(Value::as_str).map_or_else(|| namespace(m), String::from);
        let object = cluster
            .api()
            .get(info.kind, if info.namespaced { &ns } else { "" }, name)
            .map_err(|e| Output::err(format!("{}\n", e.render(None))))?;
        targets.push((info, object.to_value()));
    }
    Ok(targets)
}

/// The JSON kubectl prints for a typed object it holds (one it built, or a
/// file's object it changed through Go types): zero timestamps as `null`,
/// containers' empty `resources: {}`, and the status Go's zero value
/// serialises to.
pub fn go_value(object: &Object) -> Value {
    let mut value = object.to_value();
    fn null_timestamp(meta: Option<&mut Value>) {
        if let Some(Value::Object(m)) = meta {
            m.entry("creationTimestamp").or_insert(Value::Null);
        }
    }
    null_timestamp(value.get_mut("metadata"));
    for path in ["/spec/template/metadata", "/spec/jobTemplate/metadata", "/spec/jobTemplate/spec/template/metadata"] {
        null_timestamp(value.pointer_mut(path));
    }
    for spec in ["/spec", "/spec/template/spec", "/spec/jobTemplate/spec/template/spec"] {
        for list in ["containers", "initContainers"] {
            let Some(Value::Array(items)) = value.pointer_mut(&format!("{spec}/{list}")) else { continue };
            for c in items.iter_mut().filter_map(Value::as_object_mut) {
                c.entry("resources").or_insert_with(|| json!({}));
            }
        }
    }
    let status = match object {
        Object::ConfigMap(_) | Object::Secret(_) | Object::ServiceAccount(_) | Object::PriorityClass(_) => None,
        Object::Service(_) | Object::Ingress(_) => Some(json!({"loadBalancer": {}})),
        Object::PodDisruptionBudget(_) => {
            Some(json!({"currentHealthy": 0, "desiredHealthy": 0, "disruptionsAllowed": 0, "expectedPods": 0}))
        }
        _ => Some(json!({})),
    };
    if let (Some(map), Some(status)) = (value.as_object_mut(), status) {
        map.entry("status").or_insert(status);
    }
    value
}
