//! Decoding failures in the API server's words. serde says "invalid type:
//! string, expected i32" at a path; Go says "json: cannot unmarshal string
//! into Go struct field DeploymentSpec.spec.replicas of type int32". (A
//! missing required field is no decoding error: k8s-openapi fills it with an
//! empty value, as Go does, and validation reports it.)

use crate::api::Kind;
use crate::object::Object;
use serde_json::Value;

/// Decodes strictly typed, with Go's message when a value has the wrong type.
pub fn decode(kind: Kind, value: &Value) -> Result<Object, String> {
    Object::from_value_traced(kind, value.clone()).map_err(|(path, e)| {
        let text = e.to_string();
        let text = text.split(" at line ").next().unwrap_or(&text).to_string();
        go_message(kind, value, &path, &text)
    })
}

/// The JSON value at a serde path (`spec.containers[0].ports`).
fn at<'a>(root: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    let mut cur = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        if !name.is_empty() {
            cur = cur.get_mut(name)?;
        }
        if let Some(i) = index {
            cur = cur.get_mut(i)?;
        }
    }
    Some(cur)
}

/// Go's type name for what serde expected.
fn go_type(expected: &str) -> String {
    match expected {
        "i32" => "int32".into(),
        "i64" => "int64".into(),
        "f64" => "float64".into(),
        "a string" => "string".into(),
        "a boolean" => "bool".into(),
        "a sequence" => "[]interface {}".into(),
        "a map" => "map[string]string".into(),
        "Quantity" => "resource.Quantity".into(),
        "IntOrString" => "intstr.IntOrString".into(),
        name if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) => format!("v1.{name}"),
        other => other.into(),
    }
}

fn go_json_type(serde_unexpected: &str) -> &'static str {
    match serde_unexpected.split([' ', '`']).next().unwrap_or_default() {
        "string" => "string",
        "integer" | "floating" => "number",
        "sequence" => "array",
        "map" => "object",
        "boolean" => "bool",
        "null" => "null",
        _ => "value",
    }
}

fn go_message(kind: Kind, value: &Value, path: &str, text: &str) -> String {
    let Some((got, want)) = text.strip_prefix("invalid type: ").and_then(|r| r.split_once(", expected ")) else {
        return text.to_string();
    };
    let go_path: String = path.split('.').map(|p| p.split('[').next().unwrap_or(p)).collect::<Vec<_>>().join(".");
    let parent_path = path.rsplit_once('.').map_or("", |(p, _)| p);
    // Ask the decoder which type lives at the parent by offering it an array.
    let parent_type = if parent_path.is_empty() {
        crate::api::info(kind).kind_name.to_string()
    } else {
        let mut probe = value.clone();
        match at(&mut probe, parent_path) {
            Some(slot) => *slot = Value::Array(vec![]),
            None => return text.to_string(),
        }
        match Object::from_value_traced(kind, probe) {
            Err((_, e)) => {
                let t = e.to_string();
                t.split(", expected ").nth(1).and_then(|s| s.split(" at line ").next()).unwrap_or_default().to_string()
            }
            Ok(_) => String::new(),
        }
    };
    format!(
        "json: cannot unmarshal {} into Go struct field {parent_type}.{go_path} of type {}",
        go_json_type(got),
        go_type(want)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn type_error(kind: Kind, doc: Value) -> String {
        decode(kind, &doc).err().unwrap_or_default()
    }

    #[test]
    fn type_errors_name_the_go_field() {
        let doc = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
                         "spec": {"replicas": "3", "selector": {}, "template": {}}});
        assert_eq!(
            type_error(Kind::Deployment, doc),
            "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32"
        );
        let doc = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "labels": ["a"]}});
        assert_eq!(
            type_error(Kind::Pod, doc),
            "json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string"
        );
    }
}
