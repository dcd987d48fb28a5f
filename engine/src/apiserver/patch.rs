//! The three patch types the API server takes: JSON merge patch (RFC 7386),
//! JSON patch (RFC 6902) and strategic merge patch, which merges lists by
//! their key (containers by name, ports by number …) and understands the
//! `$patch` directives. Also the three-way strategic patch `kubectl apply`
//! sends: what the file changed since it was last applied, and what it
//! removed.

use serde_json::{Map, Value};

/// How a patch is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchType {
    /// `application/strategic-merge-patch+json` (kubectl's default).
    Strategic,
    /// `application/merge-patch+json`.
    Merge,
    /// `application/json-patch+json`.
    Json,
}

/// The key that identifies elements of a list field, or `None` when the
/// whole list is replaced.
fn merge_key(field: &str, items: &[&Value]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "env"
        | "volumes"
        | "imagePullSecrets"
        | "resourceClaims" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "conditions" => "type",
        "ownerReferences" => "uid",
        "topologySpreadConstraints" => "topologyKey",
        "ports" if items.iter().any(|i| i.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        _ => return None,
    })
}

/// Lists of plain values merged as sets.
fn merged_as_set(field: &str) -> bool {
    field == "finalizers"
}

/// Applies `patch` of `kind` to `target`.
pub fn apply(target: &mut Value, patch: &Value, kind: PatchType) -> Result<(), String> {
    match kind {
        PatchType::Merge => {
            merge(target, patch);
            Ok(())
        }
        PatchType::Strategic => {
            strategic(target, patch);
            Ok(())
        }
        PatchType::Json => json_patch(target, patch),
    }
}

/// RFC 7386.
pub fn merge(target: &mut Value, patch: &Value) {
    let Some(patch) = patch.as_object() else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Some(map) = target.as_object_mut() else { return };
    for (key, value) in patch {
        if value.is_null() {
            map.remove(key);
        } else {
            merge(map.entry(key.clone()).or_insert(Value::Null), value);
        }
    }
}

fn strategic(target: &mut Value, patch: &Value) {
    match (target.as_object_mut(), patch.as_object()) {
        (Some(map), Some(p)) => {
            match p.get("$patch").and_then(Value::as_str) {
                Some("replace") => {
                    let mut replaced = p.clone();
                    replaced.remove("$patch");
                    *map = replaced;
                    return;
                }
                Some("delete") => {
                    map.clear();
                    return;
                }
                _ => {}
            }
            for (key, value) in p {
                if key.starts_with("$setElementOrder/") || key == "$patch" || key == "$retainKeys" {
                    continue;
                }
                if let Some(list_field) = key.strip_prefix("$deleteFromPrimitiveList/") {
                    if let (Some(Value::Array(items)), Some(remove)) = (map.get_mut(list_field), value.as_array()) {
                        items.retain(|i| !remove.contains(i));
                    }
                    continue;
                }
                if value.is_null() {
                    map.remove(key);
                    continue;
                }
                match map.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => strategic(existing, value),
                    Some(Value::Array(existing)) if value.is_array() => {
                        let mut list = Value::Array(std::mem::take(existing));
                        merge_list(&mut list, value, key);
                        map.insert(key.clone(), list);
                    }
                    _ => {
                        let mut fresh = if value.is_object() { Value::Object(Map::new()) } else { Value::Null };
                        if value.is_object() {
                            strategic(&mut fresh, value);
                        } else {
                            fresh = strip_directives(value);
                        }
                        map.insert(key.clone(), fresh);
                    }
                }
            }
            if let Some(Value::Array(keep)) = p.get("$retainKeys") {
                map.retain(|k, _| keep.iter().any(|r| r.as_str() == Some(k.as_str())));
            }
        }
        _ => *target = strip_directives(patch),
    }
}

fn strip_directives(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, v)| (k.clone(), strip_directives(v))).collect(),
        ),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter(|i| i.get("$patch").and_then(Value::as_str) != Some("delete"))
                .map(strip_directives)
                .collect(),
        ),
        other => other.clone(),
    }
}

fn merge_list(target: &mut Value, patch: &Value, field: &str) {
    let (Some(existing), Some(items)) = (target.as_array_mut(), patch.as_array()) else { return };
    if items.iter().any(|i| i.get("$patch").and_then(Value::as_str) == Some("replace")) {
        *existing = items.iter().filter(|i| i.get("$patch").is_none()).map(strip_directives).collect();
        return;
    }
    if merged_as_set(field) {
        for item in items {
            if !existing.contains(item) {
                existing.push(item.clone());
            }
        }
        return;
    }
    let all: Vec<&Value> = existing.iter().chain(items.iter()).collect();
    let Some(key) = merge_key(field, &all) else {
        *existing = items.iter().map(strip_directives).collect();
        return;
    };
    for item in items {
        let id = item.get(key);
        let position = existing.iter().position(|e| e.get(key) == id && id.is_some());
        let delete = item.get("$patch").and_then(Value::as_str) == Some("delete");
        match (position, delete) {
            (Some(i), true) => {
                existing.remove(i);
            }
            (None, true) => {}
            (Some(i), false) => strategic(&mut existing[i], item),
            (None, false) => existing.push(strip_directives(item)),
        }
    }
}

/// RFC 6902, with the API server's error words.
fn json_patch(target: &mut Value, patch: &Value) -> Result<(), String> {
    let Some(ops) = patch.as_array() else {
        return Err("json: cannot unmarshal object into Go value of type jsonpatch.Patch".into());
    };
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = op.get("path").and_then(Value::as_str).unwrap_or_default();
        let value = op.get("value").cloned();
        match name {
            "add" => pointer_set(target, path, value.unwrap_or(Value::Null), true)
                .map_err(|_| format!("add operation does not apply: doc is missing path: \"{path}\": missing value"))?,
            "replace" => {
                if target.pointer(path).is_none() {
                    return Err(format!("replace operation does not apply: doc is missing key: {path}: missing value"));
                }
                pointer_set(target, path, value.unwrap_or(Value::Null), false).map_err(|_| {
                    format!("replace operation does not apply: doc is missing key: {path}: missing value")
                })?
            }
            "remove" => pointer_remove(target, path)
                .ok_or_else(|| {
                    format!("remove operation does not apply: doc is missing path: \"{path}\": missing value")
                })
                .map(|_| ())?,
            "move" | "copy" => {
                let from = op.get("from").and_then(Value::as_str).unwrap_or_default();
                let moved = if name == "move" { pointer_remove(target, from) } else { target.pointer(from).cloned() };
                let Some(v) = moved else {
                    return Err(format!(
                        "{name} operation does not apply: doc is missing from path: \"{from}\": missing value"
                    ));
                };
                pointer_set(target, path, v, true)
                    .map_err(|_| format!("{name} operation does not apply: doc is missing destination path: {path}"))?
            }
            "test" => {
                if target.pointer(path) != value.as_ref() {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

fn split_pointer(path: &str) -> Option<(&str, String)> {
    let (parent, last) = path.rsplit_once('/')?;
    Some((parent, unescape(last)))
}

fn pointer_set(target: &mut Value, path: &str, value: Value, insert: bool) -> Result<(), ()> {
    if path.is_empty() {
        *target = value;
        return Ok(());
    }
    let (parent, last) = split_pointer(path).ok_or(())?;
    match target.pointer_mut(parent).ok_or(())? {
        Value::Object(map) => {
            map.insert(last, value);
            Ok(())
        }
        Value::Array(items) => {
            let index = if last == "-" { items.len() } else { last.parse::<usize>().map_err(|_| ())? };
            if insert && index <= items.len() {
                items.insert(index, value);
                Ok(())
            } else if !insert && index < items.len() {
                items[index] = value;
                Ok(())
            } else {
                Err(())
            }
        }
        _ => Err(()),
    }
}

fn pointer_remove(target: &mut Value, path: &str) -> Option<Value> {
    let (parent, last) = split_pointer(path)?;
    match target.pointer_mut(parent)? {
        Value::Object(map) => map.remove(&last),
        Value::Array(items) => {
            let i: usize = last.parse().ok()?;
            (i < items.len()).then(|| items.remove(i))
        }
        _ => None,
    }
}

/// The strategic patch `kubectl apply` computes: the fields `modified`
/// changes relative to `current`, and deletions of what `original` (the last
/// applied configuration) had and `modified` no longer has.
pub fn three_way(original: &Value, modified: &Value, current: &Value) -> Value {
    let mut patch = deletions(original, modified);
    let changes = changes(current, modified);
    merge_patches(&mut patch, changes);
    patch
}

fn deletions(original: &Value, modified: &Value) -> Value {
    let mut out = Map::new();
    match (original, modified) {
        (Value::Object(o), Value::Object(m)) => {
            for (key, value) in o {
                match m.get(key) {
                    None => {
                        out.insert(key.clone(), Value::Null);
                    }
                    Some(mv) => {
                        if let Value::Object(sub) = deletions(value, mv) {
                            if !sub.is_empty() {
                                out.insert(key.clone(), Value::Object(sub));
                            }
                        } else if let (Value::Array(_), Value::Array(_)) = (value, mv) {
                            let list = list_deletions(value, mv, key);
                            if !list.is_empty() {
                                out.insert(key.clone(), Value::Array(list));
                            }
                        }
                    }
                }
            }
            Value::Object(out)
        }
        _ => Value::Null,
    }
}

fn list_deletions(original: &Value, modified: &Value, field: &str) -> Vec<Value> {
    let (Some(o), Some(m)) = (original.as_array(), modified.as_array()) else { return Vec::new() };
    let all: Vec<&Value> = o.iter().chain(m.iter()).collect();
    let Some(key) = merge_key(field, &all) else { return Vec::new() };
    o.iter()
        .filter_map(|item| {
            let id = item.get(key)?;
            match m.iter().find(|x| x.get(key) == Some(id)) {
                None => Some(serde_json::json!({ key: id, "$patch": "delete" })),
                Some(now) => match deletions(item, now) {
                    Value::Object(sub) if !sub.is_empty() => {
                        let mut sub = sub;
                        sub.insert(key.into(), id.clone());
                        Some(Value::Object(sub))
                    }
                    _ => None,
                },
            }
        })
        .collect()
}

fn changes(current: &Value, modified: &Value) -> Value {
    match (current, modified) {
        (Value::Object(c), Value::Object(m)) => {
            let mut out = Map::new();
            for (key, value) in m {
                match c.get(key) {
                    Some(cv) if cv == value => {}
                    Some(cv) if cv.is_object() && value.is_object() => {
                        if let Value::Object(sub) = changes(cv, value) {
                            if !sub.is_empty() {
                                out.insert(key.clone(), Value::Object(sub));
                            }
                        }
                    }
                    Some(Value::Array(cl)) if value.is_array() => {
                        let all: Vec<&Value> = cl.iter().chain(value.as_array().into_iter().flatten()).collect();
                        match merge_key(key, &all) {
                            Some(k) => {
                                let items: Vec<Value> = value
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .filter_map(|item| {
                                        let id = item.get(k)?;
                                        match cl.iter().find(|x| x.get(k) == Some(id)) {
                                            None => Some(item.clone()),
                                            Some(now) => match changes(now, item) {
                                                Value::Object(mut sub) if !sub.is_empty() => {
                                                    sub.insert(k.into(), id.clone());
                                                    Some(Value::Object(sub))
                                                }
                                                _ => None,
                                            },
                                        }
                                    })
                                    .collect();
                                if !items.is_empty() {
                                    out.insert(key.clone(), Value::Array(items));
                                }
                            }
                            None => {
                                out.insert(key.clone(), value.clone());
                            }
                        }
                    }
                    _ => {
                        out.insert(key.clone(), value.clone());
                    }
                }
            }
            Value::Object(out)
        }
        _ => modified.clone(),
    }
}

/// Combines two strategic patches (the second wins on conflicts).
fn merge_patches(into: &mut Value, other: Value) {
    match (into, other) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => merge_patches(existing, v),
                    Some(Value::Array(existing)) if v.is_array() => {
                        if let Value::Array(items) = v {
                            existing.extend(items);
                        }
                    }
                    _ => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strategic_merge_by_key() {
        let mut pod = json!({"spec": {"containers": [
            {"name": "web", "image": "nginx:1.26", "ports": [{"containerPort": 80}]},
            {"name": "log", "image": "busybox"}
        ], "tolerations": [{"key": "a"}]}});
        let patch = json!({"spec": {"containers": [
            {"name": "web", "image": "nginx:1.27"},
            {"name": "log", "$patch": "delete"},
            {"name": "extra", "image": "redis"}
        ], "tolerations": [{"key": "b"}]}});
        apply(&mut pod, &patch, PatchType::Strategic).expect("applies");
        assert_eq!(
            pod,
            json!({"spec": {"containers": [
                {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]},
                {"name": "extra", "image": "redis"}
            ], "tolerations": [{"key": "b"}]}})
        );
    }

    #[test]
    fn merge_and_json_patches() {
        let mut doc = json!({"spec": {"replicas": 1, "paused": true}, "metadata": {"labels": {"a": "1"}}});
        apply(&mut doc, &json!({"spec": {"replicas": 3, "paused": null}}), PatchType::Merge).expect("merge");
        assert_eq!(doc["spec"], json!({"replicas": 3}));
        let ops = json!([
            {"op": "replace", "path": "/spec/replicas", "value": 5},
            {"op": "add", "path": "/metadata/labels/b", "value": "2"},
            {"op": "remove", "path": "/metadata/labels/a"}
        ]);
        apply(&mut doc, &ops, PatchType::Json).expect("json patch");
        assert_eq!(doc, json!({"spec": {"replicas": 5}, "metadata": {"labels": {"b": "2"}}}));
        let bad = json!([{"op": "replace", "path": "/spec/foo", "value": 1}]);
        assert_eq!(
            apply(&mut doc, &bad, PatchType::Json),
            Err("replace operation does not apply: doc is missing key: /spec/foo: missing value".into())
        );
    }

    #[test]
    fn three_way_apply_keeps_what_others_set() {
        let original =
            json!({"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}, {"name": "old", "image": "x"}]}});
        let modified = json!({"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}});
        let current = json!({"spec": {"containers": [
            {"name": "web", "image": "nginx:1.26", "imagePullPolicy": "IfNotPresent", "env": [{"name": "SET_BY", "value": "kubectl set env"}]},
            {"name": "old", "image": "x"}
        ]}});
        let patch = three_way(&original, &modified, &current);
        let mut live = current.clone();
        apply(&mut live, &patch, PatchType::Strategic).expect("applies");
        assert_eq!(
            live,
            json!({"spec": {"containers": [
                {"name": "web", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent", "env": [{"name": "SET_BY", "value": "kubectl set env"}]}
            ]}})
        );
    }
}
