//! `patches`, `patchesStrategicMerge` and `patchesJson6902`: strategic merge
//! patches find their object by kind and name (or a `target`), JSON 6902
//! patches (a list of operations) need a `target`.

use super::kustomization::{Kustomization, Target};
use super::{join, name_of, Resource};
use crate::apiserver::PatchType;
use crate::files::{Entry, Files};
use crate::labels::Selector;
use serde_json::Value;

pub fn run(files: &dyn Files, dir: &str, k: &Kustomization, resources: &mut [Resource]) -> Result<(), String> {
    for entry in k.patches_strategic_merge.iter().flatten() {
        // An entry is a file's path, or the patch itself when it has lines.
        let text = if entry.contains('\n') { entry.clone() } else { read(files, dir, entry)? };
        for doc in documents(&text)? {
            apply(resources, None, &doc)?;
        }
    }
    for p in k.patches.iter().flatten().chain(k.patches_json6902.iter().flatten()) {
        let text = match (&p.patch, &p.path) {
            (Some(inline), _) => inline.clone(),
            (None, Some(path)) => read(files, dir, path)?,
            (None, None) => return Err("must specify one of patch and path in patches".into()),
        };
        for doc in documents(&text)? {
            apply(resources, p.target.as_ref(), &doc)?;
        }
    }
    Ok(())
}

fn read(files: &dyn Files, dir: &str, path: &str) -> Result<String, String> {
    match files.read(&join(dir, path)) {
        Some(Entry::File(text)) => Ok(text),
        _ => Err(format!("trouble configuring builtin PatchTransformer with config: `\npath: {path}\n`: failed to get the patch file from path({path}): evalsymlink failure on '{}' : lstat {}: no such file or directory", join(dir, path), join(dir, path))),
    }
}

fn documents(text: &str) -> Result<Vec<Value>, String> {
    crate::codec::documents(text).map_err(|e| format!("unable to parse SM or JSON patch from [{text}]: {e:?}"))
}

/// Applies one patch document to its targets.
fn apply(resources: &mut [Resource], target: Option<&Target>, patch: &Value) -> Result<(), String> {
    let json6902 = patch.is_array();
    if json6902 && target.is_none() {
        return Err("missing target for patch".into());
    }
    let mut matched = 0;
    for r in resources.iter_mut() {
        let hit = match target {
            Some(t) => matches_target(r, t),
            None => {
                r.kind() == patch.get("kind").and_then(Value::as_str).unwrap_or_default()
                    && [name_of(&r.value), r.original_name.as_str()].contains(&name_of(patch))
            }
        };
        if !hit {
            continue;
        }
        matched += 1;
        if json6902 {
            crate::apiserver::patch_value(&mut r.value, patch, PatchType::Json)?;
        } else {
            // The patch names its object by the name it had; the object
            // keeps the name it has now.
            let mut body = patch.clone();
            if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("name");
                meta.remove("namespace");
            }
            crate::apiserver::patch_value(&mut r.value, &body, PatchType::Strategic)?;
        }
    }
    if matched == 0 && target.is_none() {
        let kind = patch.get("kind").and_then(Value::as_str).unwrap_or_default();
        return Err(format!("no resource matches strategic merge patch \"{kind}.{}\"", name_of(patch)));
    }
    Ok(())
}

fn matches_target(r: &Resource, t: &Target) -> bool {
    let api_version = r.value.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    let field = |want: &Option<String>, have: &str| want.as_deref().is_none_or(|w| w == have);
    let meta = |key: &str| {
        r.value
            .pointer(&format!("/metadata/{key}"))
            .and_then(Value::as_object)
            .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
    };
    let selects = |selector: &Option<String>, key: &str| {
        selector.as_deref().is_none_or(|s| Selector::parse(s).is_ok_and(|s| s.matches(meta(key).as_ref())))
    };
    field(&t.group, group)
        && field(&t.version, version)
        && field(&t.kind, r.kind())
        && t.name.as_deref().is_none_or(|n| n == name_of(&r.value) || n == r.original_name)
        && field(&t.namespace, r.value.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default())
        && selects(&t.label_selector, "labels")
        && selects(&t.annotation_selector, "annotations")
}
