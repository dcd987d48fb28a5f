//! `kubectl diff -f`: what applying the files would change, as `diff -u -N`
//! shows the live objects against the merged ones (the server's dry run),
//! with exit status 1 when something would change.

use super::{manifest, namespace, Io};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use serde_json::Value;
use similar::TextDiff;

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let documents = match manifest::required(io, m) {
        Ok(d) => d,
        Err(out) => return out,
    };
    let ns = namespace(m);
    // kubectl writes both sides into fresh temporary directories.
    let stamp = cluster.now().0.rem_euclid(1_000_000_000);
    let (live_dir, merged_dir) =
        (format!("/tmp/LIVE-{stamp}"), format!("/tmp/MERGED-{}", (stamp * 7 + 13) % 1_000_000_000));
    let when = format!("{} +0000", cluster.now().rfc3339().replace('T', " ").replace('Z', ".000000000"));
    let mut out = Output::default();
    for (source, document) in documents {
        let object = match document {
            Ok(o) => o,
            Err(text) => {
                out.stderr.push_str(&text);
                out.exit_code = 2;
                continue;
            }
        };
        let file = file_name(&object, &ns);
        let (live, merged) = match super::apply::planned(cluster, object, &ns, &source) {
            Ok(p) => p,
            Err(text) => {
                out.stderr.push_str(&text);
                out.exit_code = 2;
                continue;
            }
        };
        let merged = comparable(merged, live.as_ref());
        let (old, new) = (
            live.map(|l| crate::codec::to_yaml(&comparable(l, None))).unwrap_or_default(),
            crate::codec::to_yaml(&merged),
        );
        if old == new {
            continue;
        }
        let (a, b) = (format!("{live_dir}/{file}"), format!("{merged_dir}/{file}"));
        let old_when = if old.is_empty() { "1970-01-01 00:00:00.000000000 +0000".to_string() } else { when.clone() };
        out.stdout.push_str(&format!("diff -u -N {a} {b}\n--- {a}\t{old_when}\n+++ {b}\t{when}\n"));
        let diff = TextDiff::from_lines(&old, &new);
        for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
            out.stdout.push_str(&hunk.to_string());
        }
        if out.exit_code == 0 {
            out.exit_code = 1;
        }
    }
    out
}

/// `apps.v1.Deployment.default.web`: the file kubectl writes an object to.
fn file_name(object: &Object, default_ns: &str) -> String {
    let info = object.info();
    let group = if info.group.is_empty() { String::new() } else { format!("{}.", info.group) };
    let ns = if info.namespaced {
        if object.namespace().is_empty() {
            default_ns.to_string()
        } else {
            object.namespace().to_string()
        }
    } else {
        String::new()
    };
    format!("{group}{}.{}.{ns}.{}", info.version, info.kind_name, object.name())
}

/// An object as kubectl diff shows it: without managed fields, and with the
/// live resourceVersion (a dry run does not store, so none is new).
fn comparable(mut value: Value, live: Option<&Value>) -> Value {
    if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
        if let Some(rv) = live.and_then(|l| l.pointer("/metadata/resourceVersion")) {
            meta.insert("resourceVersion".into(), rv.clone());
        }
    }
    value
}
