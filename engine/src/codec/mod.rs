//! Manifests in and out: multi-document YAML (block or flow style) and JSON
//! into JSON values, and JSON values into typed objects.

mod conversion;
mod decode_errors;
mod locate;
mod yaml_out;

pub use locate::{marks, Mark};
pub use yaml_out::to_yaml;

use crate::api::{self, ResourceInfo};
use crate::object::Object;
use serde::Deserialize;

/// Why a manifest could not become an object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not YAML or JSON; the text is the parser's, as `yaml: line N: …`.
    Syntax(String),
    /// A document is not an object, or lacks `apiVersion`/`kind`.
    Validation(Vec<String>),
    /// No served kind matches.
    NoMatch {
        /// The document's `kind`.
        kind: String,
        /// The document's `apiVersion`.
        api_version: String,
        /// `metadata.name`, if any.
        name: String,
        /// `metadata.namespace`, if any.
        namespace: String,
    },
    /// The fields do not fit the kind's schema (the API server's BadRequest).
    Schema {
        /// The kind's registry entry.
        info: &'static ResourceInfo,
        /// The version the manifest was written in.
        version: &'static str,
        /// What did not fit.
        message: String,
    },
}

/// Splits a manifest into its documents, skipping empty ones.
pub fn documents(text: &str) -> Result<Vec<serde_json::Value>, DecodeError> {
    match parse_documents(text) {
        // Go's YAML parser, unlike libyaml, accepts `\'` in double quotes
        // (the Kubernetes docs rely on it): read it as a plain quote.
        Err(DecodeError::Syntax(msg)) if msg.ends_with("found unknown escape character") && text.contains("\\'") => {
            parse_documents(&text.replace("\\'", "'"))
        }
        other => other,
    }
}

fn parse_documents(text: &str) -> Result<Vec<serde_json::Value>, DecodeError> {
    let mut out = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let value = serde_yaml::Value::deserialize(doc).map_err(syntax)?;
        if value.is_null() {
            continue;
        }
        let json = serde_json::to_value(&value).map_err(|e| DecodeError::Syntax(format!("yaml: {e}")))?;
        out.push(json);
    }
    Ok(out)
}

fn syntax(e: serde_yaml::Error) -> DecodeError {
    let text = e.to_string();
    // serde_yaml appends " at line L column C"; Go's parser says "yaml: line L: …".
    let message = text.split(" at line ").next().unwrap_or(&text).to_string();
    match e.location() {
        Some(loc) => DecodeError::Syntax(format!("yaml: line {}: {message}", loc.line())),
        None => DecodeError::Syntax(format!("yaml: {message}")),
    }
}

/// Turns one document into a typed object of a served kind, strictly: a field
/// the kind does not have is an error, as with kubectl's default
/// `--validate=strict`.
pub fn to_object(value: serde_json::Value) -> Result<Object, DecodeError> {
    let Some(map) = value.as_object() else {
        return Err(DecodeError::Validation(vec!["invalid object to validate".into()]));
    };
    let field = |name: &str| map.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_string();
    let api_version = field("apiVersion");
    let kind = field("kind");
    let mut missing = Vec::new();
    if api_version.is_empty() {
        missing.push("apiVersion not set".to_string());
    }
    if kind.is_empty() {
        missing.push("kind not set".to_string());
    }
    if !missing.is_empty() {
        return Err(DecodeError::Validation(missing));
    }
    let Some((info, version)) = api::for_manifest(&api_version, &kind) else {
        let meta = map.get("metadata");
        let meta_field = |f: &str| meta.and_then(|m| m.get(f)).and_then(|v| v.as_str()).unwrap_or_default().to_string();
        return Err(DecodeError::NoMatch {
            kind,
            api_version,
            name: meta_field("name"),
            namespace: meta_field("namespace"),
        });
    };
    let schema = |message: String| DecodeError::Schema { info, version, message };
    let (object, echoed) = if version == info.version {
        let object = decode_errors::decode(info.kind, &value).map_err(schema)?;
        let echoed = object.to_value();
        (object, echoed)
    } else {
        conversion::from_served_version(info, version, value.clone()).map_err(|e| schema(e.to_string()))?
    };
    let mut unknown = Vec::new();
    unknown_fields(&value, &echoed, String::new(), &mut unknown);
    if !unknown.is_empty() {
        let list: Vec<String> = unknown.iter().map(|f| format!("unknown field \"{f}\"")).collect();
        return Err(schema(format!("strict decoding error: {}", list.join(", "))));
    }
    Ok(object)
}

/// Every field present (and not null) in `input` that decoding dropped, as a
/// path like `spec.template.spec.containers[0].imagee`.
fn unknown_fields(input: &serde_json::Value, echoed: &serde_json::Value, path: String, out: &mut Vec<String>) {
    use serde_json::Value;
    match (input, echoed) {
        (Value::Object(inp), Value::Object(echo)) => {
            for (key, value) in inp {
                if value.is_null() {
                    continue;
                }
                let child = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                match echo.get(key) {
                    Some(e) => unknown_fields(value, e, child, out),
                    None => out.push(child),
                }
            }
        }
        (Value::Array(inp), Value::Array(echo)) => {
            for (i, (value, e)) in inp.iter().zip(echo).enumerate() {
                unknown_fields(value, e, format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_document_block_and_flow() {
        let text = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n# only a comment\n---\n{ \"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": { \"name\": \"b\" } }\n...\n";
        let docs = documents(text).expect("valid YAML");
        assert_eq!(docs.len(), 2);
        let names: Vec<String> =
            docs.into_iter().map(|d| to_object(d).map(|o| o.name().to_string()).unwrap_or_default()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn unknown_fields_are_named_by_path() {
        let doc = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "x", "labelz": {"a": "b"}, "annotations": null},
            "spec": {"contianers": [], "containers": [{"name": "a", "image": "nginx", "imagee": "x"}]}
        });
        let Err(DecodeError::Schema { message, .. }) = to_object(doc) else {
            panic!("expected a schema error");
        };
        assert_eq!(
            message,
            "strict decoding error: unknown field \"metadata.labelz\", unknown field \"spec.containers[0].imagee\", unknown field \"spec.contianers\""
        );
    }

    #[test]
    fn errors_name_what_is_wrong() {
        assert_eq!(
            documents("a: b\n\tc: d\n").err(),
            Some(DecodeError::Syntax("yaml: line 2: found a tab character that violates indentation".into()))
        );
        let missing = to_object(serde_json::json!({"metadata": {"name": "x"}}));
        assert_eq!(
            missing.err(),
            Some(DecodeError::Validation(vec!["apiVersion not set".into(), "kind not set".into()]))
        );
        let removed =
            to_object(serde_json::json!({"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "x"}}));
        assert!(matches!(removed, Err(DecodeError::NoMatch { kind, .. }) if kind == "CronJob"));
    }
}
