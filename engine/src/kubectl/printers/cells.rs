//! Cell formats several printers share.

use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// `<none>` for an empty cell.
pub fn or_none(s: String) -> String {
    if s.is_empty() {
        "<none>".into()
    } else {
        s
    }
}

/// A label selector as `kubectl` prints it: requirements sorted by key,
/// `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`.
pub fn selector(sel: Option<&LabelSelector>) -> String {
    let Some(sel) = sel else {
        return "<none>".into();
    };
    let mut parts: Vec<(String, String)> = Vec::new();
    for (k, v) in sel.match_labels.iter().flatten() {
        parts.push((k.clone(), format!("{k}={v}")));
    }
    for e in sel.match_expressions.iter().flatten() {
        let mut values = e.values.clone().unwrap_or_default();
        values.sort();
        let text = match e.operator.as_str() {
            "In" => format!("{} in ({})", e.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", e.key, values.join(",")),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            other => format!("{} {other}", e.key),
        };
        parts.push((e.key.clone(), text));
    }
    parts.sort();
    or_none(parts.into_iter().map(|(_, t)| t).collect::<Vec<_>>().join(","))
}

/// `k=v,k2=v2` for a plain label map (sorted), `<none>` when empty.
pub fn labels(map: Option<&BTreeMap<String, String>>) -> String {
    or_none(map.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(","))
}

/// The CONTAINERS and IMAGES cells of `-o wide` for a pod template.
pub fn containers_images(template: Option<&PodTemplateSpec>) -> (String, String) {
    let containers = template.and_then(|t| t.spec.as_ref()).map(|s| s.containers.as_slice()).unwrap_or_default();
    (
        containers.iter().map(|c| c.name.clone()).collect::<Vec<_>>().join(","),
        containers.iter().map(|c| c.image.clone().unwrap_or_default()).collect::<Vec<_>>().join(","),
    )
}

/// At most three items, then ` + N more...`.
pub fn first_three(items: &[String]) -> String {
    if items.len() > 3 {
        format!("{} + {} more...", items[..3].join(","), items.len() - 3)
    } else {
        items.join(",")
    }
}
