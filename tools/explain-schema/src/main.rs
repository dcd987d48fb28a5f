//! Prints, for every kind the playground serves, the schema tree `kubectl
//! explain` walks, in a compact line format the engine reads:
//!
//! ```text
//! kind Pod  v1 io.k8s.api.core.v1.Pod
//! type io.k8s.api.core.v1.PodSpec
//! field containers []Container io.k8s.api.core.v1.Container required
//! ```
//!
//! A field line is: name, the type as kubectl's typeGuess prints it, the
//! definition to descend into (`-` for none) and `required` when it is.

use k8s_openapi::api;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

fn main() {
    let mut defs: BTreeMap<String, Value> = BTreeMap::new();
    let mut kinds = Vec::new();
    macro_rules! kind {
        ($($ty:ty),* $(,)?) => {$(
            kinds.push(root::<$ty>(&mut defs));
        )*};
    }
    kind!(
        api::core::v1::ConfigMap,
        api::core::v1::Endpoints,
        api::core::v1::Event,
        api::core::v1::LimitRange,
        api::core::v1::Namespace,
        api::core::v1::Node,
        api::core::v1::PersistentVolumeClaim,
        api::core::v1::PersistentVolume,
        api::core::v1::Pod,
        api::core::v1::ReplicationController,
        api::core::v1::ResourceQuota,
        api::core::v1::Secret,
        api::core::v1::ServiceAccount,
        api::core::v1::Service,
        api::apps::v1::ControllerRevision,
        api::apps::v1::DaemonSet,
        api::apps::v1::Deployment,
        api::apps::v1::ReplicaSet,
        api::apps::v1::StatefulSet,
        api::autoscaling::v2::HorizontalPodAutoscaler,
        api::batch::v1::CronJob,
        api::batch::v1::Job,
        api::coordination::v1::Lease,
        api::discovery::v1::EndpointSlice,
        api::networking::v1::IngressClass,
        api::networking::v1::Ingress,
        api::networking::v1::NetworkPolicy,
        api::policy::v1::PodDisruptionBudget,
        api::scheduling::v1::PriorityClass,
        api::storage::v1::StorageClass,
    );
    let mut out = String::new();
    for (kind, group, version, def) in kinds {
        out.push_str(&format!("kind {kind} {} {version} {def}\n", if group.is_empty() { "-" } else { &group }));
    }
    for (name, schema) in &defs {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else { continue };
        out.push_str(&format!("type {name}\n"));
        // k8s-openapi makes an object's `metadata` a plain struct, so its
        // schema calls it required; the API's own schema does not.
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|r| *r != "metadata")
            .collect();
        for (field, sub) in properties {
            let req = if required.contains(&field.as_str()) { " required" } else { "" };
            out.push_str(&format!("field {field} {} {}{req}\n", guess(sub, &defs), descend(sub).unwrap_or("-".into())));
        }
    }
    print!("{out}");
}

/// Generates `T`'s schema, collects its definitions, and returns its kind row.
fn root<T: JsonSchema + k8s_openapi::Resource>(defs: &mut BTreeMap<String, Value>) -> (String, String, String, String) {
    let mut generator = SchemaGenerator::default();
    let name = T::schema_name().to_string();
    let schema = generator.root_schema_for::<T>();
    let mut value = schema.to_value();
    let found: Map<String, Value> =
        value.get_mut("$defs").and_then(Value::as_object_mut).map(std::mem::take).unwrap_or_default();
    for (k, v) in found {
        defs.insert(k, v);
    }
    if let Some(obj) = value.as_object_mut() {
        obj.remove("$schema");
        obj.remove("title");
    }
    defs.insert(name.clone(), value);
    (T::KIND.to_string(), T::GROUP.to_string(), T::VERSION.to_string(), name)
}

fn reference(schema: &Value) -> Option<String> {
    schema.get("$ref").and_then(Value::as_str).map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
}

/// The definition whose fields a field's own fields are: through arrays and
/// maps to the referenced object.
fn descend(schema: &Value) -> Option<String> {
    if let Some(items) = schema.get("items") {
        return descend(items);
    }
    if let Some(map) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        return descend(map);
    }
    reference(schema)
}

/// kubectl's typeGuess: `[]T`, `map[string]T`, an object's definition name,
/// else the JSON type (`Object` for a bare object).
fn guess(schema: &Value, defs: &BTreeMap<String, Value>) -> String {
    if let Some(items) = schema.get("items") {
        return format!("[]{}", guess(items, defs));
    }
    if let Some(map) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        return format!("map[string]{}", guess(map, defs));
    }
    if let Some(name) = reference(schema) {
        let target = defs.get(&name);
        return match target.and_then(|t| t.get("type")).and_then(Value::as_str) {
            None | Some("object") => name.rsplit('.').next().unwrap_or(&name).to_string(),
            Some(t) => t.to_string(),
        };
    }
    match schema.get("type").and_then(Value::as_str) {
        None | Some("object") => "Object".into(),
        Some(t) => t.into(),
    }
}
