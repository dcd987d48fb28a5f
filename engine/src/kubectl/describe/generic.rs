//! kubectl's describer for kinds it has no own layout for: name, namespace,
//! labels and annotations, then every other field of the object, keys
//! sorted and turned into words (`holderIdentity` → `Holder Identity`).

use super::{annotations, labels};
use crate::object::Object;
use serde_json::{Map, Value};
use std::fmt::Write;

/// Fields already shown above the rest, or never shown.
const SKIPPED: &[&str] =
    &[".metadata.managedFields", ".metadata.name", ".metadata.namespace", ".metadata.labels", ".metadata.annotations"];

pub fn describe(w: &mut String, object: &Object) {
    let _ = writeln!(w, "Name:\t{}", object.name());
    let _ = writeln!(w, "Namespace:\t{}", object.namespace());
    labels(w, "Labels", object.meta().labels.as_ref());
    annotations(w, object.meta().annotations.as_ref());
    if let Value::Object(content) = object.to_value() {
        fields(w, 0, &content, "");
    }
}

fn fields(w: &mut String, level: usize, content: &Map<String, Value>, prefix: &str) {
    let pad = "  ".repeat(level);
    let mut keys: Vec<&String> = content.keys().collect();
    keys.sort();
    for key in keys {
        let path = format!("{prefix}.{key}");
        if SKIPPED.contains(&path.as_str()) {
            continue;
        }
        match &content[key] {
            Value::Object(inner) => {
                let _ = writeln!(w, "{pad}{}:", label_for(key));
                fields(w, level + 1, inner, &path);
            }
            Value::Array(items) => {
                let _ = writeln!(w, "{pad}{}:", label_for(key));
                for item in items {
                    match item {
                        Value::Object(inner) => fields(w, level + 1, inner, &path),
                        other => {
                            let _ = writeln!(w, "{pad}  {}", scalar(other));
                        }
                    }
                }
            }
            other => {
                let _ = writeln!(w, "{pad}{}:\t{}", label_for(key), scalar(other));
            }
        }
    }
}

/// Go's `%v` of a decoded JSON value.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "<nil>".into(),
        other => other.to_string(),
    }
}

/// kubectl's smart label: camelCase split into title-cased words, common
/// acronyms upper-cased; a name with other than letters and `-` as it is.
fn label_for(field: &str) -> String {
    if field.chars().any(|c| !c.is_alphabetic() && c != '-') {
        return field.to_string();
    }
    camel_split(field)
        .into_iter()
        .filter(|p| p != "_")
        .map(|p| {
            if ["API", "URL", "UID", "OSB", "GUID"].contains(&p.to_uppercase().as_str()) {
                p.to_uppercase()
            } else {
                let mut chars = p.chars();
                chars.next().map_or(String::new(), |f| f.to_uppercase().chain(chars).collect())
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// fatih/camelcase's split: runs of lower case, upper case and other
/// characters, an upper-case run giving its last letter to a lower-case
/// run after it (`PDFLoader` → `PDF`, `Loader`).
fn camel_split(text: &str) -> Vec<String> {
    let class = |c: char| {
        if c.is_lowercase() {
            1
        } else if c.is_uppercase() {
            2
        } else if c.is_numeric() {
            3
        } else {
            4
        }
    };
    let mut runs: Vec<Vec<char>> = Vec::new();
    let mut last = 0;
    for c in text.chars() {
        let k = class(c);
        match runs.last_mut() {
            Some(run) if k == last => run.push(c),
            _ => runs.push(vec![c]),
        }
        last = k;
    }
    for i in 0..runs.len().saturating_sub(1) {
        let (upper, lower) =
            (runs[i].first().is_some_and(|c| c.is_uppercase()), runs[i + 1].first().is_some_and(|c| c.is_lowercase()));
        if upper && lower {
            if let Some(c) = runs[i].pop() {
                runs[i + 1].insert(0, c);
            }
        }
    }
    runs.into_iter().filter(|r| !r.is_empty()).map(|r| r.into_iter().collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_as_kubectl_makes_them() {
        for (field, label) in [
            ("holderIdentity", "Holder Identity"),
            ("apiVersion", "API Version"),
            ("uid", "UID"),
            ("leaseDurationSeconds", "Lease Duration Seconds"),
            ("PDFLoader", "PDF Loader"),
            ("podIPs", "Pod I Ps"),
            ("v1", "v1"),
            ("kube-node", "Kube - Node"),
        ] {
            assert_eq!(label_for(field), label, "{field}");
        }
    }
}
