//! `kubectl edit TYPE NAME`: the edited object comes in on standard input
//! (the native shell: `cat web.yaml | kubectl edit deploy/web`), or from the
//! browser's editor, which `opening` fills; comment lines are dropped, an
//! unchanged object cancels, a changed one is saved.

use super::{cli, error, manifest, namespace, target, Io};
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::Value;

/// What the editor shows when `edit` has no input yet: a note on how
/// editing works, then the live object as YAML; or kubectl's error.
pub fn opening(cluster: &Cluster, m: &ArgMatches) -> Result<String, Output> {
    let found = target::objects(cluster, &cli::strings(m, "args"), &namespace(m), "edit")?;
    let [(_, live)] = found.as_slice() else {
        return Err(error("the playground edits one object at a time"));
    };
    Ok(format!("{EDIT_HEADER}{}", crate::codec::to_yaml(&live.to_value())))
}

/// The comment above an object opened for editing.
const EDIT_HEADER: &str = "# Change the object below, then save. Lines starting with '#' are left out;\n# saving it unchanged, or emptied, cancels the edit.\n#\n";

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let found = match target::objects(cluster, &cli::strings(m, "args"), &namespace(m), "edit") {
        Ok(f) => f,
        Err(out) => return out,
    };
    let [(info, live)] = found.as_slice() else {
        return error("the playground edits one object at a time");
    };
    let Some(text) = io.stdin else {
        return error(format!(
            "no editor is attached to this terminal: pipe the edited object in (save kubectl get {0} {1} -o yaml to a file, change it, then cat FILE | kubectl edit {0} {1})",
            info.singular,
            live.name()
        ));
    };
    // Only the header comment kubectl writes above the object is dropped; a
    // `#` inside a block scalar is data.
    let kept: String = text.lines().skip_while(|l| l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    let source = format!("/tmp/kubectl-edit-{}.yaml", live.name());
    let mut docs = match crate::codec::documents(&kept) {
        Ok(d) => d,
        Err(e) => return Output::err(manifest::describe(&source, e)),
    };
    let Some(mut edited) = docs.pop().filter(|_| docs.is_empty()) else {
        return Output::ok("Edit cancelled, no changes made.\n");
    };
    let original = live.to_value();
    if edited == original {
        return Output::ok("Edit cancelled, no changes made.\n");
    }
    let field = |v: &Value, path: &str| v.pointer(path).cloned();
    let namespace_of = |v: &Value| field(v, "/metadata/namespace").or_else(|| field(&original, "/metadata/namespace"));
    if ["/apiVersion", "/kind", "/metadata/name"].iter().any(|p| field(&edited, p) != field(&original, p))
        || namespace_of(&edited) != field(&original, "/metadata/namespace")
    {
        return error("At least one of apiVersion, kind and name was changed");
    }
    if let (Some(meta), Some(ns)) = (edited.get_mut("metadata").and_then(Value::as_object_mut), namespace_of(&original))
    {
        meta.entry("namespace").or_insert(ns);
    }
    // The status belongs to the controllers; an edit to it is dropped, as
    // the API server drops it on the main resource.
    if let (Some(map), Some(status)) = (edited.as_object_mut(), original.get("status")) {
        map.insert("status".into(), status.clone());
    }
    // Saving over a newer version would be a conflict; the edit carries the
    // version it started from unless the user removed it.
    if edited.pointer("/metadata/resourceVersion").is_none() {
        if let (Some(meta), Some(rv)) =
            (edited.get_mut("metadata").and_then(Value::as_object_mut), original.pointer("/metadata/resourceVersion"))
        {
            meta.insert("resourceVersion".into(), rv.clone());
        }
    }
    let label = format!("{}/{}", info.qualified_singular(), live.name());
    let object = match crate::codec::to_object(edited) {
        Ok(o) => o,
        Err(e) => return Output::err(manifest::describe(&source, e)),
    };
    let now = cluster.now();
    match cluster.api_mut().update(object, now) {
        Ok(_) => {
            cluster.settle();
            Output::ok(format!("{label} edited\n"))
        }
        Err(e) => Output::err(format!(
            "error: {} {:?} is invalid\n{}\nerror: Edit cancelled, no valid changes were saved.\n",
            info.qualified_plural(),
            live.name(),
            e.render(None)
        )),
    }
}
