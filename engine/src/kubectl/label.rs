//! `kubectl label` and `kubectl annotate`: `key=value` to set (refused over
//! an existing value without `--overwrite`), `key-` to remove.

use super::mutate::{self, Held};
use super::{cli, Io};
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::{Map, Value};

/// `field` is `labels` or `annotations`.
pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io, field: &str) -> Output {
    let command = if field == "labels" { "label" } else { "annotate" };
    let words = cli::strings(m, "args");
    let (changes, names): (Vec<String>, Vec<String>) =
        words.into_iter().partition(|w| w.contains('=') || w.ends_with('-'));
    if changes.is_empty() {
        return super::error(format!("at least one {} update is required", &field[..field.len() - 1]));
    }
    let overwrite = cli::boolean(m, "overwrite");
    mutate::each(cluster, m, io, &names, command, Held::Untyped, &mut |_, value| {
        let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) else {
            return Err("object has no metadata".into());
        };
        let map = meta.entry(field).or_insert_with(|| Value::Object(Map::new()));
        if !map.is_object() {
            *map = Value::Object(Map::new());
        }
        let Some(map) = map.as_object_mut() else { return Err("object has no metadata".into()) };
        let before = map.clone();
        let mut removed_only = true;
        for change in &changes {
            if let Some(key) = change.strip_suffix('-').filter(|_| !change.contains('=')) {
                map.remove(key);
                continue;
            }
            removed_only = false;
            let Some((key, new)) = change.split_once('=') else { continue };
            if let Some(existing) = map.get(key).and_then(Value::as_str) {
                if existing != new && !overwrite {
                    return Err(if command == "label" {
                        format!("'{key}' already has a value ({existing}), and --overwrite is false")
                    } else {
                        format!("--overwrite is false but found the following declared annotation(s): '{key}' already has a value ({existing})")
                    });
                }
            }
            map.insert(key.to_string(), Value::String(new.to_string()));
        }
        let unchanged = *map == before;
        if map.is_empty() {
            meta.remove(field);
        }
        Ok(match (command, removed_only, unchanged) {
            ("annotate", _, _) => "annotated",
            (_, _, true) => "not labeled",
            (_, true, false) => "unlabeled",
            _ => "labeled",
        }
        .to_string())
    })
}
