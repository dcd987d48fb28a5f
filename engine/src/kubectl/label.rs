//! `kubectl label` and `kubectl annotate`: `key=value` to set (refused over
//! an existing value without `--overwrite`), `key-` to remove.

use super::{cli, error, namespace, target};
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::{Map, Value};

/// `field` is `labels` or `annotations`.
pub fn run(cluster: &mut Cluster, m: &ArgMatches, field: &str) -> Output {
    let command = if field == "labels" { "label" } else { "annotate" };
    let words = cli::strings(m, "args");
    let (changes, names): (Vec<String>, Vec<String>) =
        words.into_iter().partition(|w| w.contains('=') || w.ends_with('-'));
    if changes.is_empty() {
        return Output::err(format!(
            "error: at least one {} update is required\nSee 'kubectl {command} -h' for help and examples\n",
            &field[..field.len() - 1]
        ));
    }
    let overwrite = cli::boolean(m, "overwrite");
    let ns = namespace(m);
    let found = match target::selected(cluster, &names, &ns, command, cli::string(m, "selector").as_deref()) {
        Ok(f) => f,
        Err(out) => return out,
    };
    let mut out = Output::default();
    for (info, object) in found {
        let current = if field == "labels" { object.meta().labels.clone() } else { object.meta().annotations.clone() }
            .unwrap_or_default();
        let mut patch = Map::new();
        let mut removed_only = true;
        for change in &changes {
            if let Some(key) = change.strip_suffix('-').filter(|_| !change.contains('=')) {
                patch.insert(key.to_string(), Value::Null);
                continue;
            }
            removed_only = false;
            let Some((key, value)) = change.split_once('=') else { continue };
            if let Some(existing) = current.get(key) {
                if existing != value && !overwrite {
                    return error(format!("'{key}' already has a value ({existing}), and --overwrite is false"));
                }
            }
            patch.insert(key.to_string(), Value::String(value.to_string()));
        }
        let body = serde_json::json!({"metadata": {field: Value::Object(patch)}});
        let now = cluster.now();
        let scope = object.namespace().to_string();
        let before = object.meta().clone();
        match cluster.api_mut().patch(info.kind, &scope, object.name(), PatchType::Merge, &body, now) {
            Ok(after) => {
                let unchanged = if field == "labels" { after.meta().labels == before.labels } else { false };
                let verb = match (command, removed_only, unchanged) {
                    ("annotate", _, _) => "annotated",
                    (_, _, true) => "not labeled",
                    (_, true, false) => "unlabeled",
                    _ => "labeled",
                };
                out.stdout.push_str(&format!("{}/{} {verb}\n", info.qualified_singular(), object.name()));
            }
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
