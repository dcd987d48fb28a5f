//! `kubectl taint nodes NAME key=value:Effect key:Effect- key-`: adds,
//! overwrites and removes node taints with kubectl's parsing, its checks
//! and its three verdicts (tainted, untainted, modified).

use super::run::{dry_run, DryRun};
use super::{cli, error};
use crate::api::Kind;
use crate::apiserver::validation::{label_value_problems, qualified_name_problems};
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::Taint;

const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

fn usage(message: impl std::fmt::Display) -> Output {
    Output::err(format!("error: {message}\nSee 'kubectl taint -h' for help and examples\n"))
}

/// Go's `Taint.ToString`.
fn describe(t: &Taint) -> String {
    let value = t.value.as_deref().unwrap_or_default();
    match (t.effect.is_empty(), value.is_empty()) {
        (true, true) => t.key.clone(),
        (true, false) => format!("{}={value}:", t.key),
        (false, true) => format!("{}:{}", t.key, t.effect),
        (false, false) => format!("{}={value}:{}", t.key, t.effect),
    }
}

/// `key[=value][:effect]`, checked as kubectl checks it.
fn parse_one(spec: &str) -> Result<Taint, String> {
    let invalid = || format!("invalid taint spec: {spec}");
    let parts: Vec<&str> = spec.split(':').collect();
    let (key, value, effect) = match parts.as_slice() {
        [key] => (*key, None, String::new()),
        [key_value, effect] => {
            if !EFFECTS.contains(effect) {
                return Err(format!("invalid taint effect: {effect}, unsupported taint effect"));
            }
            let kv: Vec<&str> = key_value.split('=').collect();
            match kv.as_slice() {
                [key] => (*key, None, effect.to_string()),
                [key, value] => {
                    let problems = label_value_problems(value);
                    if !problems.is_empty() {
                        return Err(format!("{}, {}", invalid(), problems.join("; ")));
                    }
                    (*key, Some(value.to_string()), effect.to_string())
                }
                _ => return Err(invalid()),
            }
        }
        _ => return Err(invalid()),
    };
    let problems = qualified_name_problems(key);
    if !problems.is_empty() {
        return Err(format!("{}, {}", invalid(), problems.join("; ")));
    }
    Ok(Taint { key: key.into(), value: value.filter(|v| !v.is_empty()), effect, time_added: None })
}

/// Splits the taint arguments into taints to add and taints to remove.
fn parse(specs: &[String]) -> Result<(Vec<Taint>, Vec<Taint>), String> {
    let (mut add, mut remove) = (Vec::new(), Vec::new());
    for spec in specs {
        if let Some(spec) = spec.strip_suffix('-') {
            let t = parse_one(spec)?;
            remove.push(Taint { value: None, ..t });
            continue;
        }
        let t = parse_one(spec)?;
        if t.effect.is_empty() {
            return Err(format!("invalid taint spec: {spec}"));
        }
        if add.iter().any(|a: &Taint| a.key == t.key && a.effect == t.effect) {
            return Err(format!(
                "duplicated taints with the same key and effect: {{{} {} {} <nil>}}",
                t.key,
                t.value.as_deref().unwrap_or_default(),
                t.effect
            ));
        }
        add.push(t);
    }
    Ok((add, remove))
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    let (mut resources, mut taints) = (Vec::new(), Vec::new());
    for arg in args {
        let is_taint = arg.contains('=') || arg.contains(':') || arg.ends_with('-');
        match (taints.is_empty(), is_taint) {
            (_, true) => taints.push(arg),
            (true, false) => resources.push(arg),
            (false, false) => return error(format!("all resources must be specified before taint changes: {arg}")),
        }
    }
    if resources.is_empty() {
        return error("one or more resources must be specified as <resource> <name>");
    }
    if taints.is_empty() {
        return error("at least one taint update is required");
    }
    let (add, remove) = match parse(&taints) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let resource = resources[0].to_lowercase();
    match crate::api::resolve(&resource) {
        Some(info) if info.kind == Kind::Node => {}
        Some(_) => return error(format!("invalid resource type {resource}, only node types are supported")),
        None => return Output::err(format!("error: the server doesn't have a resource type \"{resource}\"\n")),
    }
    let conflicts: Vec<String> = add
        .iter()
        .flat_map(|a| remove.iter().filter(move |r| r.key == a.key && (r.effect.is_empty() || r.effect == a.effect)))
        .map(|r| format!("{{\"{}\":\"{}\"}}", r.key, r.effect))
        .collect();
    if !conflicts.is_empty() {
        return error(format!(
            "can not both modify and remove the following taint(s) in the same command: {}",
            conflicts.join(", ")
        ));
    }
    let (all, selector) = (cli::boolean(m, "all"), cli::string(m, "selector").filter(|s| !s.is_empty()));
    if all && selector.is_some() {
        return error("setting 'all' parameter with a non empty selector is prohibited");
    }
    let names: Vec<String> = if all || selector.is_some() {
        let selector = match Selector::parse(selector.as_deref().unwrap_or_default()) {
            Ok(s) => s,
            Err(e) => return error(e),
        };
        let store = cluster.api().store();
        store.select(Kind::Node, None, &selector).iter().map(|n| n.name().to_string()).collect()
    } else if resources.len() < 2 {
        return error("at least one resource name must be specified since 'all' parameter is not set");
    } else {
        resources[1..].to_vec()
    };
    let overwrite = cli::boolean(m, "overwrite");
    let mut out = Output::default();
    for name in names {
        match taint_node(cluster, &name, &add, &remove, overwrite, dry) {
            Ok(verdict) => out.stdout.push_str(&format!("node/{name} {verdict}{}\n", dry.suffix())),
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}

/// Applies the changes to one node; the verdict, or kubectl's error text.
fn taint_node(
    cluster: &mut Cluster,
    name: &str,
    add: &[Taint],
    remove: &[Taint],
    overwrite: bool,
    dry: DryRun,
) -> Result<&'static str, String> {
    let node = cluster.api().get(Kind::Node, "", name).map_err(|e| format!("{}\n", e.render(None)))?;
    let old: Vec<Taint> =
        node.as_node().and_then(|n| n.spec.as_ref()).and_then(|s| s.taints.clone()).unwrap_or_default();
    if !overwrite {
        let existing: Vec<&str> = add
            .iter()
            .filter(|a| old.iter().any(|o| o.key == a.key && o.effect == a.effect))
            .map(|a| a.key.as_str())
            .collect();
        if !existing.is_empty() {
            return Err(format!(
                "error: node {name} already has {} taint(s) with same effect(s) and --overwrite is false\n",
                existing.join(",")
            ));
        }
    }
    // kubectl's order: the new taints first, then the old ones they do not replace.
    let mut taints = add.to_vec();
    taints.extend(old.iter().filter(|o| !add.iter().any(|a| a.key == o.key && a.effect == o.effect)).cloned());
    let added = taints.len() != old.len();
    let mut missing = Vec::new();
    let mut deleted = false;
    for r in remove {
        let before = taints.len();
        taints.retain(|t| !(t.key == r.key && (r.effect.is_empty() || t.effect == r.effect)));
        deleted = taints.len() != before;
        if !deleted {
            missing.push(format!("taint {:?} not found", describe(r)));
        }
    }
    match missing.len() {
        0 => {}
        1 => return Err(format!("error: {}\n", missing[0])),
        _ => return Err(format!("error: [{}]\n", missing.join(", "))),
    }
    let verdict = if (added && deleted) || overwrite {
        "modified"
    } else if added {
        "tainted"
    } else {
        "untainted"
    };
    if dry != DryRun::None {
        return Ok(verdict);
    }
    let taints = if taints.is_empty() { serde_json::Value::Null } else { serde_json::json!(taints) };
    let patch = serde_json::json!({"spec": {"taints": taints}});
    let now = cluster.now();
    cluster
        .api_mut()
        .patch(Kind::Node, "", name, PatchType::Merge, &patch, now)
        .map_err(|e| format!("{}\n", e.render(None)))?;
    Ok(verdict)
}
