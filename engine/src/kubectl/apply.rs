//! `kubectl apply -f`: client-side apply with the last-applied annotation,
//! so a field removed from the file is removed from the object.

use super::run::{dry_run, DryRun};
use super::{cli, error, manifest, namespace, Io};
use crate::api::ApiError;
use crate::api::Kind;
use crate::apiserver::{three_way, PatchType};
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::object::Object;
use clap::ArgMatches;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// Where kubectl keeps the configuration it last applied.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let documents = match manifest::required(io, m) {
        Ok(d) => d,
        Err(out) => return out,
    };
    let selector = match cli::string(m, "selector").map(|s| Selector::parse(&s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return error(e),
    };
    let prune = cli::boolean(m, "prune");
    if prune && selector.is_none() && !cli::boolean(m, "all") {
        return error("all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector");
    }
    let flag_ns = cli::string(m, "namespace");
    let default_ns = namespace(m);
    let mut out = Output::default();
    // What was applied, by kind, namespace and name: what pruning keeps.
    let mut applied: BTreeSet<(Kind, String, String)> = BTreeSet::new();
    for (source, document) in documents {
        // `-l` applies only the file's objects it selects.
        if let (Ok(object), Some(sel)) = (&document, &selector) {
            if !sel.matches(object.meta().labels.as_ref()) {
                continue;
            }
        }
        if let Ok(object) = &document {
            let ns = if object.info().namespaced && object.namespace().is_empty() {
                flag_ns.clone().unwrap_or_else(|| default_ns.clone())
            } else {
                object.namespace().to_string()
            };
            applied.insert((object.kind(), ns, object.name().to_string()));
        }
        let mut warning = String::new();
        let result = document
            .and_then(|object| apply_one(cluster, object, flag_ns.as_deref(), &default_ns, &source, dry, &mut warning));
        out.stderr.push_str(&warning);
        out.add(result);
    }
    // kubectl prunes only after every object applied.
    if prune && out.exit_code == 0 {
        let lines = prune_unlisted(cluster, &applied, selector.as_ref(), dry);
        out.stdout.push_str(&lines);
    }
    cluster.settle();
    out
}

/// The kinds `--prune` looks at unless told otherwise, in kubectl's order.
const PRUNED_KINDS: &[Kind] = &[
    Kind::ConfigMap,
    Kind::Endpoints,
    Kind::Namespace,
    Kind::PersistentVolumeClaim,
    Kind::PersistentVolume,
    Kind::Pod,
    Kind::ReplicationController,
    Kind::Secret,
    Kind::Service,
    Kind::Job,
    Kind::CronJob,
    Kind::Ingress,
    Kind::DaemonSet,
    Kind::Deployment,
    Kind::ReplicaSet,
    Kind::StatefulSet,
];

/// `--prune`: deletes the objects once applied (they carry the last-applied
/// annotation) in the namespaces just applied to, that match the selector
/// but were not in this apply.
fn prune_unlisted(
    cluster: &mut Cluster,
    applied: &BTreeSet<(Kind, String, String)>,
    selector: Option<&Selector>,
    dry: DryRun,
) -> String {
    let namespaces: BTreeSet<&str> = applied.iter().map(|(_, ns, _)| ns.as_str()).filter(|ns| !ns.is_empty()).collect();
    let mut doomed = Vec::new();
    for kind in PRUNED_KINDS {
        let info = crate::api::info(*kind);
        let scopes: Vec<Option<&str>> =
            if info.namespaced { namespaces.iter().map(|ns| Some(*ns)).collect() } else { vec![None] };
        for scope in scopes {
            for object in cluster.api().store().list(*kind, scope) {
                let meta = object.meta();
                let was_applied = meta.annotations.as_ref().is_some_and(|a| a.contains_key(LAST_APPLIED));
                let key = (*kind, object.namespace().to_string(), object.name().to_string());
                if was_applied && !applied.contains(&key) && selector.is_none_or(|s| s.matches(meta.labels.as_ref())) {
                    doomed.push(key);
                }
            }
        }
    }
    let mut text = String::new();
    let now = cluster.now();
    for (kind, ns, name) in doomed {
        let deleted = dry != DryRun::None || cluster.api_mut().delete(kind, &ns, &name, None, now).is_ok();
        if deleted {
            text.push_str(&format!("{}/{name} pruned{}\n", crate::api::info(kind).qualified_singular(), dry.suffix()));
        }
    }
    text
}

/// The strategic patch that takes `live` to what `applied` asks for (with
/// the new last-applied configuration), or `None` when nothing changes.
fn patch_for(live: &Object, applied: &Value, config: String) -> Option<Value> {
    let original: Value = live
        .meta()
        .annotations
        .as_ref()
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or(Value::Null);
    let mut patch = three_way(&original, applied, &live.to_value());
    if patch.as_object().is_some_and(Map::is_empty) && original == *applied {
        return None;
    }
    if let Some(p) = patch.as_object_mut() {
        let meta = p.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
            if let Some(a) = annotations.as_object_mut() {
                a.insert(LAST_APPLIED.into(), Value::String(config));
            }
        }
    }
    Some(patch)
}

/// What applying `object` would leave stored, next to what is stored now
/// (`None` for a new object), as `kubectl diff` compares them. Nothing is
/// written.
pub(super) fn planned(
    cluster: &mut Cluster,
    mut object: Object,
    default_ns: &str,
    source: &str,
) -> Result<(Option<Value>, Value), String> {
    let info = object.info();
    if info.namespaced && object.namespace().is_empty() {
        object.meta_mut().namespace = Some(default_ns.to_string());
    }
    let (applied, config) = last_applied(&object);
    let now = cluster.now();
    let render = |e: ApiError| format!("{}\n", e.render(Some(&format!("error when checking \"{source}\""))));
    let Some(live) = cluster.api().store().get(info.kind, object.namespace(), object.name()).cloned() else {
        object.meta_mut().annotations.get_or_insert_with(Default::default).insert(LAST_APPLIED.into(), config);
        let created = cluster.api_mut().create(object, now, true).map_err(render)?;
        return Ok((None, created.to_value()));
    };
    let Some(patch) = patch_for(&live, &applied, config) else {
        return Ok((Some(live.to_value()), live.to_value()));
    };
    let mut merged = live.to_value();
    crate::apiserver::patch_value(&mut merged, &patch, PatchType::Strategic).map_err(|e| format!("error: {e}\n"))?;
    let merged = crate::codec::to_object(merged).map_err(|e| manifest::describe(source, e))?;
    let stored = cluster.api_mut().update_checked(merged, now, true).map_err(render)?;
    Ok((Some(live.to_value()), stored.to_value()))
}

/// The object as `kubectl apply` records it, and that record as text.
fn last_applied(object: &Object) -> (Value, String) {
    let mut applied = object.to_value();
    if let Some(annotations) = applied.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
        annotations.remove(LAST_APPLIED);
    }
    let config = format!("{applied}\n");
    (applied, config)
}

fn apply_one(
    cluster: &mut Cluster,
    mut object: Object,
    flag_ns: Option<&str>,
    default_ns: &str,
    source: &str,
    dry: DryRun,
    warning: &mut String,
) -> Result<String, String> {
    let info = object.info();
    if info.namespaced {
        let own = object.namespace().to_string();
        if !own.is_empty() && flag_ns.is_some_and(|f| f != own) {
            return Err(format!(
                "error: the namespace from the provided object \"{own}\" does not match the namespace \"{}\". You must pass '--namespace={own}' to perform this operation.\n",
                flag_ns.unwrap_or_default()
            ));
        }
        if own.is_empty() {
            object.meta_mut().namespace = Some(default_ns.to_string());
        }
    }
    if object.name().is_empty() && object.meta().generate_name.is_none() {
        // kubectl apply first fetches the live object, which needs a name.
        let group = if info.group.is_empty() { String::new() } else { info.group.to_string() };
        return Err(format!(
            "error: error when retrieving current configuration of:\nResource: \"{group}/{version}, Resource={plural}\", GroupVersionKind: \"{group}/{version}, Kind={kind}\"\nName: \"\", Namespace: \"{ns}\"\nfrom server for: \"{source}\": resource name may not be empty\n",
            version = info.version,
            plural = info.plural,
            kind = info.kind_name,
            ns = object.namespace(),
        ));
    }
    let (applied, config) = last_applied(&object);
    let label = format!("{}/{}", info.qualified_singular(), object.name());
    let now = cluster.now();
    let render = |e: ApiError, verb: &str| format!("{}\n", e.render(Some(&format!("error when {verb} \"{source}\""))));

    let existing = cluster.api().store().get(info.kind, object.namespace(), object.name()).cloned();
    let Some(live) = existing else {
        object.meta_mut().annotations.get_or_insert_with(Default::default).insert(LAST_APPLIED.into(), config);
        return match cluster.api_mut().create(object, now, dry != DryRun::None) {
            Ok(_) => Ok(format!("{label} created{}\n", dry.suffix())),
            Err(e) => Err(render(e, "creating")),
        };
    };

    if live.meta().annotations.as_ref().is_none_or(|a| !a.contains_key(LAST_APPLIED)) {
        *warning = format!(
            "Warning: resource {}/{} is missing the {LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
            info.plural,
            object.name()
        );
    }
    let Some(patch) = patch_for(&live, &applied, config) else {
        return Ok(format!("{label} unchanged{}\n", dry.suffix()));
    };
    if dry == DryRun::None {
        let (ns, name) = (object.namespace().to_string(), object.name().to_string());
        cluster
            .api_mut()
            .patch(info.kind, &ns, &name, PatchType::Strategic, &patch, now)
            .map_err(|e| render(e, "patching"))?;
    }
    Ok(format!("{label} configured{}\n", dry.suffix()))
}
