//! The API server's rules for HorizontalPodAutoscalers (autoscaling/v2):
//! defaulting (pkg/apis/autoscaling/v2/defaults.go) and validation
//! (pkg/apis/autoscaling/validation), in its words.

use super::validation::rfc1123_label;
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscaler,
    HorizontalPodAutoscalerSpec, MetricIdentifier, MetricSpec, MetricTarget, ResourceMetricSource,
};

/// The largest policy period and stabilization window the API accepts.
const MAX_PERIOD_SECONDS: i32 = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS: i32 = 3600;

/// minReplicas 1; no metric means 80% of the requested CPU; a behavior,
/// when given, has every unset part filled (a scale-down window left unset
/// stays unset: the controller's own flag decides it).
pub fn default(hpa: &mut HorizontalPodAutoscaler) {
    let spec = hpa.spec.get_or_insert_with(Default::default);
    spec.min_replicas.get_or_insert(1);
    if spec.metrics.as_ref().is_none_or(Vec::is_empty) {
        spec.metrics = Some(vec![MetricSpec {
            type_: "Resource".into(),
            resource: Some(ResourceMetricSource {
                name: "cpu".into(),
                target: MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(80),
                    ..Default::default()
                },
            }),
            ..Default::default()
        }]);
    }
    if let Some(behavior) = spec.behavior.as_mut() {
        let policy = |type_: &str, value| HPAScalingPolicy { type_: type_.into(), value, period_seconds: 15 };
        let up = behavior.scale_up.get_or_insert_with(Default::default);
        up.stabilization_window_seconds.get_or_insert(0);
        up.select_policy.get_or_insert_with(|| "Max".into());
        up.policies.get_or_insert_with(|| vec![policy("Pods", 4), policy("Percent", 100)]);
        let down = behavior.scale_down.get_or_insert_with(Default::default);
        down.select_policy.get_or_insert_with(|| "Max".into());
        down.policies.get_or_insert_with(|| vec![policy("Percent", 100)]);
    }
}

/// Every problem with an autoscaler's spec, as `<path>: <message>` lines.
pub fn validate(spec: &HorizontalPodAutoscalerSpec, causes: &mut Vec<String>) {
    let mut found = Vec::new();
    if let Some(min) = spec.min_replicas.filter(|m| *m < 1) {
        found.push(format!("spec.minReplicas: Invalid value: {min}: must be greater than or equal to 1"));
    }
    if spec.max_replicas < 1 {
        found.push(format!("spec.maxReplicas: Invalid value: {}: must be greater than 0", spec.max_replicas));
    }
    if spec.min_replicas.is_some_and(|min| spec.max_replicas < min) {
        found.push(format!(
            "spec.maxReplicas: Invalid value: {}: must be greater than or equal to `minReplicas`",
            spec.max_replicas
        ));
    }
    reference("spec.scaleTargetRef", &spec.scale_target_ref, &mut found);
    for (i, metric) in spec.metrics.iter().flatten().enumerate() {
        metric_spec(&format!("spec.metrics[{i}]"), metric, &mut found);
    }
    if let Some(behavior) = &spec.behavior {
        rules("spec.behavior.scaleUp", behavior.scale_up.as_ref(), &mut found);
        rules("spec.behavior.scaleDown", behavior.scale_down.as_ref(), &mut found);
    }
    // The API server reports each distinct message once.
    for cause in found {
        if !causes.contains(&cause) {
            causes.push(cause);
        }
    }
}

/// IsValidPathSegmentName.
fn path_segment(path: &str, value: &str, causes: &mut Vec<String>) {
    if value == "." || value == ".." {
        causes.push(format!("{path}: Invalid value: {value:?}: may not be '{value}'"));
        return;
    }
    for illegal in ["/", "%"] {
        if value.contains(illegal) {
            causes.push(format!("{path}: Invalid value: {value:?}: may not contain '{illegal}'"));
        }
    }
}

fn reference(path: &str, r: &CrossVersionObjectReference, causes: &mut Vec<String>) {
    if r.kind.is_empty() {
        causes.push(format!("{path}.kind: Required value"));
    } else {
        path_segment(&format!("{path}.kind"), &r.kind, causes);
    }
    if r.name.is_empty() {
        causes.push(format!("{path}.name: Required value"));
    } else {
        path_segment(&format!("{path}.name"), &r.name, causes);
    }
}

const SOURCE_TYPES: &str = "\"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"";

fn metric_spec(path: &str, m: &MetricSpec, causes: &mut Vec<String>) {
    if m.type_.is_empty() {
        causes.push(format!("{path}.type: Required value: must specify a metric source type"));
    }
    let known = ["ContainerResource", "External", "Object", "Pods", "Resource"].contains(&m.type_.as_str());
    if !known {
        causes.push(format!("{path}.type: Unsupported value: {:?}: supported values: {SOURCE_TYPES}", m.type_));
    }
    let present: Vec<&str> = [
        ("object", m.object.is_some()),
        ("external", m.external.is_some()),
        ("pods", m.pods.is_some()),
        ("resource", m.resource.is_some()),
        ("containerResource", m.container_resource.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    // Only the first source given is looked into.
    match present.first() {
        Some(&"object") => {
            if let Some(o) = &m.object {
                reference(&format!("{path}.object.describedObject"), &o.described_object, causes);
                identifier(&format!("{path}.object.metric"), &o.metric, causes);
                target(&format!("{path}.object.target"), &o.target, causes);
                if o.target.value.is_none() && o.target.average_value.is_none() {
                    causes.push(format!(
                        "{path}.object.target.averageValue: Required value: must set either a target value or averageValue"
                    ));
                }
            }
        }
        Some(&"external") => {
            if let Some(x) = &m.external {
                identifier(&format!("{path}.external.metric"), &x.metric, causes);
                target(&format!("{path}.external.target"), &x.target, causes);
                match (&x.target.value, &x.target.average_value) {
                    (None, None) => causes.push(format!(
                        "{path}.external.target.averageValue: Required value: must set either a target value for metric or a per-pod target"
                    )),
                    (Some(_), Some(_)) => causes.push(format!(
                        "{path}.external.target.value: Forbidden: may not set both a target value for metric and a per-pod target"
                    )),
                    _ => {}
                }
            }
        }
        Some(&"pods") => {
            if let Some(p) = &m.pods {
                identifier(&format!("{path}.pods.metric"), &p.metric, causes);
                target(&format!("{path}.pods.target"), &p.target, causes);
                if p.target.average_value.is_none() {
                    causes.push(format!(
                        "{path}.pods.target.averageValue: Required value: must specify a positive target averageValue"
                    ));
                }
            }
        }
        Some(&"resource") => {
            if let Some(r) = &m.resource {
                if r.name.is_empty() {
                    causes.push(format!("{path}.resource.name: Required value: must specify a resource name"));
                }
                resource_target(&format!("{path}.resource.target"), &r.target, causes);
            }
        }
        Some(_) => {
            if let Some(c) = &m.container_resource {
                let name_path = format!("{path}.containerResource.name");
                if c.name.is_empty() {
                    causes.push(format!("{name_path}: Required value: must specify a resource name"));
                } else if !["cpu", "memory", "ephemeral-storage"].contains(&c.name.as_str())
                    && !c.name.starts_with("hugepages-")
                {
                    causes.push(format!(
                        "{name_path}: Invalid value: {:?}: must be a standard resource for containers",
                        c.name
                    ));
                }
                let container_path = format!("{path}.containerResource.container");
                if c.container.is_empty() {
                    causes.push(format!("{container_path}: Required value: must specify a container"));
                } else if let Some(msg) = rfc1123_label(&c.container) {
                    causes.push(format!("{container_path}: Invalid value: {:?}: {msg}", c.container));
                }
                resource_target(&format!("{path}.containerResource.target"), &c.target, causes);
            }
        }
        None => {}
    }
    let expected = match m.type_.as_str() {
        "Object" => Some("object"),
        "Pods" => Some("pods"),
        "Resource" => Some("resource"),
        "External" => Some("external"),
        "ContainerResource" => Some("containerResource"),
        _ => None,
    };
    match expected {
        Some(field) if !present.contains(&field) => {
            causes
                .push(format!("{path}.{field}: Required value: must populate information for the given metric source"));
        }
        None => causes.push(format!("{path}.type: Unsupported value: {:?}: supported values: {SOURCE_TYPES}", m.type_)),
        _ => {}
    }
    if present.len() > 1 {
        for field in present.iter().filter(|f| Some(**f) != expected) {
            causes.push(format!("{path}.{field}: Forbidden: must populate the given metric source only"));
        }
    }
}

fn resource_target(path: &str, t: &MetricTarget, causes: &mut Vec<String>) {
    target(path, t, causes);
    match (&t.average_utilization, &t.average_value) {
        (None, None) => causes.push(format!(
            "{path}.averageUtilization: Required value: must set either a target raw value or a target utilization"
        )),
        (Some(_), Some(_)) => causes.push(format!(
            "{path}.averageValue: Forbidden: may not set both a target raw value and a target utilization"
        )),
        _ => {}
    }
}

fn target(path: &str, t: &MetricTarget, causes: &mut Vec<String>) {
    if t.type_.is_empty() {
        causes.push(format!("{path}.type: Required value: must specify a metric target type"));
    }
    if !["Utilization", "Value", "AverageValue"].contains(&t.type_.as_str()) {
        causes.push(format!(
            "{path}.type: Invalid value: {:?}: must be either Utilization, Value, or AverageValue",
            t.type_
        ));
    }
    if let Some(u) = t.average_utilization.filter(|u| *u < 1) {
        causes.push(format!("{path}.averageUtilization: Invalid value: {u}: must be greater than 0"));
    }
}

fn identifier(path: &str, id: &MetricIdentifier, causes: &mut Vec<String>) {
    if id.name.is_empty() {
        causes.push(format!("{path}.name: Required value: must specify a metric name"));
    } else {
        path_segment(&format!("{path}.name"), &id.name, causes);
    }
}

fn rules(path: &str, r: Option<&HPAScalingRules>, causes: &mut Vec<String>) {
    let Some(r) = r else { return };
    if let Some(w) = r.stabilization_window_seconds {
        if w < 0 {
            causes.push(format!(
                "{path}.stabilizationWindowSeconds: Invalid value: {w}: must be greater than or equal to zero"
            ));
        }
        if w > MAX_STABILIZATION_WINDOW_SECONDS {
            causes.push(format!(
                "{path}.stabilizationWindowSeconds: Invalid value: {w}: must be less than or equal to {MAX_STABILIZATION_WINDOW_SECONDS}"
            ));
        }
    }
    if let Some(select) = r.select_policy.as_deref().filter(|s| !["Max", "Min", "Disabled"].contains(s)) {
        causes.push(format!(
            "{path}.selectPolicy: Unsupported value: {select:?}: supported values: \"Disabled\", \"Max\", \"Min\""
        ));
    }
    let policies = r.policies.as_deref().unwrap_or_default();
    if policies.is_empty() {
        causes.push(format!("{path}.policies: Required value: must specify at least one Policy"));
    }
    for (i, p) in policies.iter().enumerate() {
        let at = format!("{path}.policies[{i}]");
        if p.type_ != "Pods" && p.type_ != "Percent" {
            causes
                .push(format!("{at}.type: Unsupported value: {:?}: supported values: \"Percent\", \"Pods\"", p.type_));
        }
        if p.value <= 0 {
            causes.push(format!("{at}.value: Invalid value: {}: must be greater than zero", p.value));
        }
        if p.period_seconds <= 0 {
            causes.push(format!("{at}.periodSeconds: Invalid value: {}: must be greater than zero", p.period_seconds));
        }
        if p.period_seconds > MAX_PERIOD_SECONDS {
            causes.push(format!(
                "{at}.periodSeconds: Invalid value: {}: must be less than or equal to {MAX_PERIOD_SECONDS}",
                p.period_seconds
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn causes(spec: serde_json::Value) -> Vec<String> {
        let spec: HorizontalPodAutoscalerSpec = serde_json::from_value(spec).unwrap_or_default();
        let mut out = Vec::new();
        validate(&spec, &mut out);
        out
    }

    #[test]
    fn replica_bounds() {
        let target = json!({"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"});
        assert_eq!(
            causes(json!({"scaleTargetRef": target, "minReplicas": 0, "maxReplicas": 0})),
            [
                "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
                "spec.maxReplicas: Invalid value: 0: must be greater than 0",
            ]
        );
        assert_eq!(
            causes(json!({"scaleTargetRef": target, "minReplicas": 3, "maxReplicas": 1})),
            ["spec.maxReplicas: Invalid value: 1: must be greater than or equal to `minReplicas`"]
        );
    }

    #[test]
    fn targets_and_metrics() {
        let spec = json!({
            "scaleTargetRef": {"kind": "", "name": "a/b"},
            "maxReplicas": 3,
            "metrics": [
                {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 0}}},
                {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Percent"}}},
                {"type": "Pods"},
                {"type": "Foo"}
            ]
        });
        assert_eq!(
            causes(spec),
            [
                "spec.scaleTargetRef.kind: Required value",
                "spec.scaleTargetRef.name: Invalid value: \"a/b\": may not contain '/'",
                "spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0",
                "spec.metrics[1].resource.target.type: Invalid value: \"Percent\": must be either Utilization, Value, or AverageValue",
                "spec.metrics[1].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
                "spec.metrics[2].pods: Required value: must populate information for the given metric source",
                "spec.metrics[3].type: Unsupported value: \"Foo\": supported values: \"ContainerResource\", \"External\", \"Object\", \"Pods\", \"Resource\"",
            ]
        );
    }

    #[test]
    fn behavior_defaults_then_rules() {
        let mut hpa: HorizontalPodAutoscaler = serde_json::from_value(json!({
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
                     "behavior": {"scaleDown": {"stabilizationWindowSeconds": 60}}}
        }))
        .unwrap_or_default();
        default(&mut hpa);
        let spec = hpa.spec.clone().unwrap_or_default();
        let behavior = serde_json::to_value(&spec.behavior).unwrap_or_default();
        assert_eq!(
            behavior,
            json!({
                "scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [
                    {"type": "Pods", "value": 4, "periodSeconds": 15},
                    {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                "scaleDown": {"stabilizationWindowSeconds": 60, "selectPolicy": "Max", "policies": [
                    {"type": "Percent", "value": 100, "periodSeconds": 15}]}
            })
        );
        assert_eq!(spec.min_replicas, Some(1));
        let bad = json!({
            "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5,
            "behavior": {"scaleUp": {"stabilizationWindowSeconds": 4000, "selectPolicy": "Fast", "policies": []},
                         "scaleDown": {"policies": [{"type": "Replicas", "value": 0, "periodSeconds": 1801}]}}
        });
        assert_eq!(
            causes(bad),
            [
                "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
                "spec.behavior.scaleUp.selectPolicy: Unsupported value: \"Fast\": supported values: \"Disabled\", \"Max\", \"Min\"",
                "spec.behavior.scaleUp.policies: Required value: must specify at least one Policy",
                "spec.behavior.scaleDown.policies[0].type: Unsupported value: \"Replicas\": supported values: \"Percent\", \"Pods\"",
                "spec.behavior.scaleDown.policies[0].value: Invalid value: 0: must be greater than zero",
                "spec.behavior.scaleDown.policies[0].periodSeconds: Invalid value: 1801: must be less than or equal to 1800",
            ]
        );
    }
}
