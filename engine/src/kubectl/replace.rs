//! `kubectl replace -f`: puts each document in place of the stored object
//! (which must exist), or with `--force` deletes and creates it again.

use super::run::{dry_run, DryRun};
use super::{cli, error, manifest, namespace, Io};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let documents = match manifest::required(io, m) {
        Ok(d) => d,
        Err(out) => return out,
    };
    let force = cli::boolean(m, "force");
    let ns = namespace(m);
    let mut out = Output::default();
    for (source, document) in documents {
        let result = document.and_then(|mut object| {
            if object.info().namespaced && object.namespace().is_empty() {
                object.meta_mut().namespace = Some(ns.clone());
            }
            if force {
                force_replace(cluster, object, &source, dry)
            } else {
                replace_one(cluster, object, &source, dry)
            }
        });
        out.add(result);
    }
    cluster.settle();
    out
}

fn label(object: &Object) -> String {
    format!("{}/{}", object.info().qualified_singular(), object.name())
}

fn replace_one(cluster: &mut Cluster, mut object: Object, source: &str, dry: DryRun) -> Result<String, String> {
    let context = format!("error when replacing \"{source}\"");
    let info = object.info();
    let current = cluster
        .api()
        .get(info.kind, object.namespace(), object.name())
        .map_err(|e| format!("{}\n", e.render(Some(&context))))?;
    // A PUT to the object replaces what the user owns; its status stays the server's.
    let mut value = object.to_value();
    match current.to_value().get("status") {
        Some(status) => value["status"] = status.clone(),
        None => {
            if let Some(map) = value.as_object_mut() {
                map.remove("status");
            }
        }
    }
    object = crate::codec::to_object(value).map_err(|e| manifest::describe(source, e))?;
    let line = format!("{} replaced{}\n", label(&object), dry.suffix());
    if dry == DryRun::Client {
        return Ok(line);
    }
    let now = cluster.now();
    cluster
        .api_mut()
        .update_checked(object, now, dry == DryRun::Server)
        .map_err(|e| format!("{}\n", e.render(Some(&context))))?;
    Ok(line)
}

fn force_replace(cluster: &mut Cluster, object: Object, source: &str, dry: DryRun) -> Result<String, String> {
    let info = object.info();
    let mut text = String::new();
    let now = cluster.now();
    let deleted = if dry == DryRun::None {
        let gone = cluster.api_mut().delete(info.kind, object.namespace(), object.name(), Some(0), now).is_ok();
        cluster.settle();
        gone
    } else {
        cluster.api().get(info.kind, object.namespace(), object.name()).is_ok()
    };
    if deleted {
        text.push_str(&format!("{} \"{}\" deleted{}\n", info.qualified_singular(), object.name(), dry.suffix()));
    }
    let line = format!("{} replaced{}\n", label(&object), dry.suffix());
    // A client dry run sends nothing; a server one asks the server to create
    // what it was only pretending to delete, which it refuses as kubectl's does.
    if dry == DryRun::Client {
        text.push_str(&line);
        return Ok(text);
    }
    let now = cluster.now();
    cluster
        .api_mut()
        .create(object, now, dry != DryRun::None)
        .map_err(|e| format!("{}\n", e.render(Some(&format!("error when replacing \"{source}\"")))))?;
    text.push_str(&line);
    Ok(text)
}
