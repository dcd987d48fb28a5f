//! `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets from
//! literals, files and env files, created, merged into or replacing the
//! ones a base generated. Their name hash is added at the end of the whole
//! build (see `mod.rs`), over their final content.

use super::kustomization::{Generator, GeneratorOptions, Kustomization};
use super::{join, name_of, Resource};
use crate::files::{Entry, Files};
use base64::Engine as _;
use serde_json::{json, Map, Value};

pub fn run(files: &dyn Files, dir: &str, k: &Kustomization, resources: &mut Vec<Resource>) -> Result<(), String> {
    let global = k.generator_options.clone().unwrap_or_default();
    for (list, secret) in [(&k.config_map_generator, false), (&k.secret_generator, true)] {
        for g in list.iter().flatten() {
            let generated = generate(files, dir, g, secret, &global)?;
            place(resources, generated, g.behavior.as_deref().unwrap_or("create"))?;
        }
    }
    Ok(())
}

/// A file a generator reads: it must lie in or below the kustomization's
/// directory, as kustomize's loader insists.
fn read_source(files: &dyn Files, dir: &str, path: &str) -> Result<String, String> {
    let full = join(dir, path);
    let inside = dir == "." && !full.starts_with("..") || full.starts_with(&format!("{dir}/"));
    if !inside || full.starts_with('/') && !dir.starts_with('/') {
        return Err(format!("security; file '{full}' is not in or below '{dir}'"));
    }
    match files.read(&full) {
        Some(Entry::File(text)) => Ok(text),
        _ => Err(format!("evalsymlink failure on '{full}' : lstat {full}: no such file or directory")),
    }
}

fn generate(
    files: &dyn Files,
    dir: &str,
    g: &Generator,
    secret: bool,
    global: &GeneratorOptions,
) -> Result<Resource, String> {
    let mut data = Map::new();
    let mut add = |key: &str, value: String| -> Result<(), String> {
        if data.contains_key(key) {
            return Err(format!("configmap {} illegally repeats the key `{key}`", g.name));
        }
        let value = if secret { wrapped_base64(value.as_bytes()) } else { value };
        data.insert(key.to_string(), Value::String(value));
        Ok(())
    };
    for source in g.files.iter().flatten() {
        let (key, path) = match source.split_once('=') {
            Some((k, p)) => (k.to_string(), p),
            None => (source.rsplit('/').next().unwrap_or(source).to_string(), source.as_str()),
        };
        add(&key, read_source(files, dir, path)?)?;
    }
    for literal in g.literals.iter().flatten() {
        let Some((key, value)) = literal.split_once('=') else {
            return Err(format!("invalid literal source {literal}, expected key=value"));
        };
        add(key, unquote(value).to_string())?;
    }
    for env in g.envs.iter().flatten().chain(g.env.iter()) {
        let text = read_source(files, dir, env)?;
        for line in text.lines() {
            let line = line.trim_start_matches('\u{feff}').trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            add(key, value.to_string())?;
        }
    }
    let options = merge_options(global, g.options.as_ref());
    let mut metadata = json!({"name": g.name});
    if let Some(ns) = &g.namespace {
        metadata["namespace"] = json!(ns);
    }
    if let Some(labels) = options.labels.as_ref().filter(|l| !l.is_empty()) {
        metadata["labels"] = json!(labels);
    }
    if let Some(annotations) = options.annotations.as_ref().filter(|a| !a.is_empty()) {
        metadata["annotations"] = json!(annotations);
    }
    let mut value =
        json!({"apiVersion": "v1", "kind": if secret { "Secret" } else { "ConfigMap" }, "metadata": metadata});
    if !data.is_empty() {
        value["data"] = Value::Object(data);
    }
    if secret {
        value["type"] = json!(g.type_.clone().unwrap_or_else(|| "Opaque".into()));
    }
    if options.immutable == Some(true) {
        value["immutable"] = json!(true);
    }
    let mut resource = Resource::new(value);
    resource.generated = true;
    resource.needs_hash = options.disable_name_suffix_hash != Some(true);
    Ok(resource)
}

/// Base64 as kustomize writes Secret data: from 70 characters on, in lines
/// of 70, each ending in a newline (so YAML shows it as a block).
fn wrapped_base64(bytes: &[u8]) -> String {
    const LINE: usize = 70;
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    if encoded.len() < LINE {
        return encoded;
    }
    let mut out = String::with_capacity(encoded.len() + encoded.len() / LINE + 1);
    for chunk in encoded.as_bytes().chunks(LINE) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// A value with one pair of matching quotes around it loses them.
fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

fn merge_options(global: &GeneratorOptions, own: Option<&GeneratorOptions>) -> GeneratorOptions {
    let mut merged = global.clone();
    let Some(own) = own else { return merged };
    for (target, extra) in [(&mut merged.labels, &own.labels), (&mut merged.annotations, &own.annotations)] {
        if let Some(extra) = extra {
            target.get_or_insert_with(Default::default).extend(extra.clone());
        }
    }
    // Either level can turn the hash off; neither can turn it back on.
    if own.disable_name_suffix_hash == Some(true) {
        merged.disable_name_suffix_hash = Some(true);
    }
    if own.immutable.is_some() {
        merged.immutable = own.immutable;
    }
    merged
}

/// Adds a generated object, or merges it into (or replaces) the one a base
/// generated under the same name.
fn place(resources: &mut Vec<Resource>, new: Resource, behavior: &str) -> Result<(), String> {
    let existing = resources.iter_mut().find(|r| {
        r.generated
            && r.kind() == new.kind()
            && r.original_name == new.original_name
            && r.value.pointer("/metadata/namespace") == new.value.pointer("/metadata/namespace")
    });
    match (behavior, existing) {
        ("create", None) => resources.push(new),
        ("create", Some(_)) => {
            return Err(format!(
                "merging from generator: id {} exists; behavior must be merge or replace",
                name_of(&new.value)
            ))
        }
        ("merge", Some(old)) => {
            for field in ["data", "/metadata/labels", "/metadata/annotations"] {
                let pointer = if field.starts_with('/') { field.to_string() } else { format!("/{field}") };
                if let (Some(Value::Object(extra)), Some(target)) =
                    (new.value.pointer(&pointer).cloned(), ensure_object(&mut old.value, &pointer))
                {
                    target.extend(extra);
                }
            }
            old.needs_hash = new.needs_hash;
        }
        ("replace", Some(old)) => {
            let name = old.value.pointer("/metadata/name").cloned();
            old.value = new.value;
            if let (Some(name), Some(meta)) = (name, old.value.get_mut("metadata")) {
                meta["name"] = name;
            }
            old.needs_hash = new.needs_hash;
        }
        ("merge" | "replace", None) => {
            return Err(format!("id {} does not exist; cannot merge or replace", name_of(&new.value)));
        }
        (other, _) => return Err(format!("unknown generator behavior {other:?}")),
    }
    Ok(())
}

/// The object at `pointer`, created empty if missing; `None` if something
/// that is not an object is in the way.
fn ensure_object<'a>(value: &'a mut Value, pointer: &str) -> Option<&'a mut Map<String, Value>> {
    let mut current = value;
    for part in pointer.trim_start_matches('/').split('/') {
        current = current.as_object_mut()?.entry(part.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    current.as_object_mut()
}
