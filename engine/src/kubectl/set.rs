//! `kubectl set image|env|resources`: change the containers of a workload
//! or pod, on the server or (`--local`) in a file's object.

use super::mutate::{self, Held};
use super::{cli, Io};
use crate::api::{Kind, ResourceInfo};
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::{json, Value};

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let Some((name, sub)) = m.subcommand() else {
        return Output::err("error: Required subcommand not specified.\nSee 'kubectl set -h' for help and examples\n");
    };
    let words = cli::strings(sub, "args");
    match name {
        "image" => {
            let (pairs, names): (Vec<String>, Vec<String>) = words.into_iter().partition(|w| w.contains('='));
            if pairs.is_empty() {
                return super::error("at least one image update is required");
            }
            mutate::each(
                cluster,
                sub,
                io,
                &names,
                "set image",
                Held::Typed("failed to patch image update to pod template: "),
                &mut |info, value| set_image(info, value, &pairs),
            )
        }
        "env" => {
            let (mut pairs, names): (Vec<String>, Vec<String>) =
                words.into_iter().partition(|w| w.contains('=') || w.ends_with('-'));
            pairs.extend(cli::strings(sub, "env"));
            let list = cli::boolean(sub, "list");
            if pairs.is_empty() && !list {
                // kubectl quietly does nothing.
                return Output::default();
            }
            let containers = cli::string(sub, "containers").unwrap_or_else(|| "*".into());
            if list {
                return list_env(cluster, sub, io, &names, &containers);
            }
            let overwrite = cli::string(sub, "overwrite").is_none_or(|o| o != "false");
            mutate::each(
                cluster,
                sub,
                io,
                &names,
                "set env",
                Held::Typed("failed to patch env update to pod template: "),
                &mut |info, value| set_env(info, value, &pairs, &containers, overwrite),
            )
        }
        "resources" => {
            let (limits, requests) = (cli::string(sub, "limits"), cli::string(sub, "requests"));
            if limits.is_none() && requests.is_none() {
                return Output::err(
                    "error: you must specify an update to requests or limits (in the form of --requests/--limits)\n",
                );
            }
            let containers = cli::string(sub, "containers").unwrap_or_else(|| "*".into());
            let parse = |spec: Option<String>| -> Result<Vec<(String, String)>, String> {
                let mut out = Vec::new();
                for pair in spec.iter().flat_map(|s| s.split(',')).filter(|p| !p.is_empty()) {
                    let Some((k, v)) = pair.split_once('=') else {
                        return Err(format!("Invalid argument syntax {pair}, expected <resource>=<value>"));
                    };
                    if crate::quantity::parse_milli(v).is_none() {
                        return Err("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'".into());
                    }
                    out.push((k.to_string(), v.to_string()));
                }
                Ok(out)
            };
            let (limits, requests) = match (parse(limits), parse(requests)) {
                (Ok(l), Ok(r)) => (l, r),
                (Err(e), _) | (_, Err(e)) => return super::error(e),
            };
            mutate::each(
                cluster,
                sub,
                io,
                &words,
                "set resources",
                Held::Typed("failed to patch resources update to pod template "),
                &mut |info, value| set_resources(info, value, &limits, &requests, &containers),
            )
        }
        "selector" => {
            // The last word is the selector, the words before it the objects.
            let mut names = words;
            let Some(text) = names.pop() else { return super::error("one selector is required") };
            // A bad selector is reported once the objects are known, as
            // kubectl finds the objects first.
            let labels = selector_labels(&text);
            mutate::each(cluster, sub, io, &names, "set selector", Held::Typed(""), &mut |info, value| {
                let labels = labels.clone()?;
                if info.kind != Kind::Service {
                    return Err("setting a selector is only supported for Services".into());
                }
                if let Some(spec) = value.as_object_mut().map(|o| o.entry("spec").or_insert_with(|| json!({}))) {
                    spec["selector"] = json!(labels);
                }
                Ok("selector updated".into())
            })
        }
        other => {
            Output::err(format!("error: unknown command \"{other}\"\nSee 'kubectl set -h' for help and examples\n"))
        }
    }
}

/// The `key=value` pairs of a selector a Service can hold; set-based
/// requirements are refused as kubectl refuses them.
fn selector_labels(text: &str) -> Result<std::collections::BTreeMap<String, String>, String> {
    let parsed = crate::labels::Selector::parse(text)
        .map_err(|e| format!("couldn't parse the selector string {text:?}: {e}"))?;
    let mut labels = std::collections::BTreeMap::new();
    let mut expressions = Vec::new();
    for (part, requirement) in
        crate::labels::split_top_level(text).iter().filter(|p| !p.trim().is_empty()).zip(&parsed.0)
    {
        let plain = part.contains('=') && !part.contains("!=");
        match requirement {
            crate::labels::Requirement::In(k, v) if plain => {
                labels.insert(k.clone(), v.concat());
            }
            crate::labels::Requirement::In(k, v) => expressions.push(format!("{{{k} In [{}]}}", v.join(" "))),
            crate::labels::Requirement::NotIn(k, v) => expressions.push(format!("{{{k} NotIn [{}]}}", v.join(" "))),
            crate::labels::Requirement::Exists(k) => expressions.push(format!("{{{k} Exists []}}")),
            crate::labels::Requirement::DoesNotExist(k) => expressions.push(format!("{{{k} DoesNotExist []}}")),
        }
    }
    if !expressions.is_empty() {
        return Err(format!("match expression [{}] not supported on this object", expressions.join(" ")));
    }
    Ok(labels)
}

/// Where a kind keeps its pod spec.
fn pod_spec(info: &ResourceInfo) -> &'static str {
    match info.kind {
        Kind::Pod => "/spec",
        Kind::CronJob => "/spec/jobTemplate/spec/template/spec",
        _ => "/spec/template/spec",
    }
}

/// The containers, then the init containers, whose name matches `selector`
/// (`*` for all), in the order kubectl visits them.
fn containers<'a>(info: &ResourceInfo, value: &'a mut Value, selector: &str) -> Vec<&'a mut Value> {
    let Some(spec) = value.pointer_mut(pod_spec(info)).and_then(Value::as_object_mut) else { return Vec::new() };
    let (mut main, mut init) = (Vec::new(), Vec::new());
    for (key, list) in spec.iter_mut() {
        let into = match key.as_str() {
            "containers" => &mut main,
            "initContainers" => &mut init,
            _ => continue,
        };
        for c in list.as_array_mut().into_iter().flatten() {
            let name = c.get("name").and_then(Value::as_str).unwrap_or_default();
            if selector == "*" || glob(selector, name) {
                into.push(c);
            }
        }
    }
    main.extend(init);
    main
}

/// `-c` takes shell-style wildcards.
fn glob(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head) && name[head.len()..].ends_with(tail) && name.len() >= head.len() + tail.len()
        }
    }
}

fn set_image(info: &'static ResourceInfo, value: &mut Value, pairs: &[String]) -> Result<String, String> {
    for pair in pairs {
        let Some((container, image)) = pair.split_once('=') else { continue };
        let matched = containers(info, value, container);
        if matched.is_empty() {
            return Err(format!("unable to find container named \"{container}\""));
        }
        for c in matched {
            c["image"] = json!(image);
        }
    }
    Ok("image updated".into())
}

fn set_env(
    info: &'static ResourceInfo,
    value: &mut Value,
    pairs: &[String],
    selector: &str,
    overwrite: bool,
) -> Result<String, String> {
    for c in containers(info, value, selector) {
        let env = c.as_object_mut().map(|o| o.entry("env").or_insert_with(|| json!([])));
        let Some(Value::Array(env)) = env else { continue };
        for pair in pairs {
            if let Some(name) = pair.strip_suffix('-').filter(|_| !pair.contains('=')) {
                env.retain(|e| e.get("name").and_then(Value::as_str) != Some(name));
                continue;
            }
            let Some((name, val)) = pair.split_once('=') else { continue };
            match env.iter_mut().find(|e| e.get("name").and_then(Value::as_str) == Some(name)) {
                Some(_) if !overwrite => return Err(format!("'{name}' already has a value, and --overwrite is false")),
                Some(existing) => *existing = json!({"name": name, "value": val}),
                None => env.push(json!({"name": name, "value": val})),
            }
        }
        if env.is_empty() {
            if let Some(o) = c.as_object_mut() {
                o.remove("env");
            }
        }
    }
    Ok("env updated".into())
}

fn set_resources(
    info: &'static ResourceInfo,
    value: &mut Value,
    limits: &[(String, String)],
    requests: &[(String, String)],
    selector: &str,
) -> Result<String, String> {
    let matched = containers(info, value, selector);
    if matched.is_empty() && selector != "*" {
        return Err(format!("unable to find container named {selector}"));
    }
    for c in matched {
        let Some(resources) = c.as_object_mut().map(|o| o.entry("resources").or_insert_with(|| json!({}))) else {
            continue;
        };
        for (field, pairs) in [("limits", limits), ("requests", requests)] {
            if pairs.is_empty() {
                continue;
            }
            let Some(map) = resources.as_object_mut().map(|r| r.entry(field).or_insert_with(|| json!({}))) else {
                continue;
            };
            for (k, v) in pairs {
                map[k] = json!(v);
            }
        }
    }
    Ok("resource requirements updated".into())
}

/// `set env --list`: each container's variables, as a shell would read them.
fn list_env(cluster: &Cluster, m: &ArgMatches, io: &Io, names: &[String], selector: &str) -> Output {
    let targets = match mutate::targets(cluster, m, io, names, "set env") {
        Ok(t) => t,
        Err(out) => return out,
    };
    let mut text = String::new();
    for (info, mut value) in targets {
        let name = value.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        for c in containers(info, &mut value, selector) {
            let container = c.get("name").and_then(Value::as_str).unwrap_or_default();
            text.push_str(&format!("# {} {name}, container {container}\n", info.kind_name));
            for e in c.get("env").and_then(Value::as_array).into_iter().flatten() {
                let field = |path: &str| e.pointer(path).and_then(Value::as_str).unwrap_or_default().to_string();
                let var = field("/name");
                text.push_str(&match e.get("valueFrom") {
                    None => format!("{var}={}\n", field("/value")),
                    Some(v) if v.get("configMapKeyRef").is_some() => format!(
                        "# {var} from configmap {}, key {}\n",
                        field("/valueFrom/configMapKeyRef/name"),
                        field("/valueFrom/configMapKeyRef/key")
                    ),
                    Some(v) if v.get("secretKeyRef").is_some() => format!(
                        "# {var} from secret {}, key {}\n",
                        field("/valueFrom/secretKeyRef/name"),
                        field("/valueFrom/secretKeyRef/key")
                    ),
                    Some(v) if v.get("fieldRef").is_some() => {
                        format!("# {var} from field path {}\n", field("/valueFrom/fieldRef/fieldPath"))
                    }
                    Some(_) => format!("# {var} from a resource\n"),
                });
            }
        }
    }
    Output::ok(text)
}
