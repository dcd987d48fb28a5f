//! `--field-selector`: the fields the API server lets each kind be
//! filtered by, `=`, `==` and `!=`, and the server's refusal for others.

use crate::api::{Kind, ResourceInfo};
use serde_json::Value;

/// One `field=value` or `field!=value` requirement.
pub struct Requirement {
    field: String,
    value: String,
    equal: bool,
}

/// The fields a kind can be selected by, beyond `metadata.name` and
/// `metadata.namespace`, which every kind has.
fn supported(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Pod => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.nominatedNodeName",
        ],
        Kind::Event => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        Kind::Secret => &["type"],
        Kind::Namespace => &["status.phase"],
        Kind::Node => &["spec.unschedulable"],
        Kind::ReplicaSet | Kind::ReplicationController => &["status.replicas"],
        Kind::Job => &["status.successful"],
        Kind::Service => &["spec.clusterIP", "spec.type"],
        _ => &[],
    }
}

/// Parses the selector for `info`, or gives the API server's refusal.
pub fn parse(text: &str, info: &ResourceInfo) -> Result<Vec<Requirement>, String> {
    let mut out = Vec::new();
    for part in text.split(',').filter(|p| !p.is_empty()) {
        let (field, value, equal) = if let Some((f, v)) = part.split_once("!=") {
            (f, v, false)
        } else if let Some((f, v)) = part.split_once("==") {
            (f, v, true)
        } else if let Some((f, v)) = part.split_once('=') {
            (f, v, true)
        } else {
            return Err(format!("error: invalid selector: '{text}'; can't understand '{part}'\n"));
        };
        let known = matches!(field, "metadata.name" | "metadata.namespace") || supported(info.kind).contains(&field);
        if !known {
            return Err(format!(
                "Error from server (BadRequest): Unable to find \"{}/{}, Resource={}\" that match label selector \"\", field selector \"{text}\": field label not supported: {field}\n",
                info.group, info.version, info.plural
            ));
        }
        out.push(Requirement { field: field.to_string(), value: value.to_string(), equal });
    }
    Ok(out)
}

/// Whether the object (as JSON) meets every requirement.
pub fn matches(requirements: &[Requirement], object: &Value) -> bool {
    requirements.iter().all(|r| {
        // The API server reads two selectable fields from elsewhere.
        let path = match r.field.as_str() {
            "status.successful" => "status.succeeded",
            "source" => "source.component",
            other => other,
        };
        let pointer = format!("/{}", path.replace('.', "/"));
        let actual = match object.pointer(&pointer) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            // An unset boolean or count reads as its zero value.
            None if r.field == "spec.unschedulable" || r.field == "spec.hostNetwork" => "false".into(),
            None if r.field.ends_with("replicas") || r.field.ends_with("successful") => "0".into(),
            _ => String::new(),
        };
        (actual == r.value) == r.equal
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_read_where_the_api_server_reads_them() {
        let job = crate::api::resolve("jobs").expect("jobs");
        let done = json!({"status": {"succeeded": 1}});
        let fresh = json!({"status": {}});
        let one = parse("status.successful=1", job).unwrap_or_default();
        assert!(matches(&one, &done));
        assert!(!matches(&one, &fresh));
        assert!(matches(&parse("status.successful=0", job).unwrap_or_default(), &fresh));
        let event = crate::api::resolve("events").expect("events");
        let scheduled = json!({"source": {"component": "default-scheduler"}});
        assert!(matches(&parse("source=default-scheduler", event).unwrap_or_default(), &scheduled));
    }
}
