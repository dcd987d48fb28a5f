//! Older served versions, converted to the stored one on the way in, as the
//! API server converts through its internal version.

use crate::api::{Kind, ResourceInfo};
use crate::object::Object;
use k8s_openapi::api::autoscaling::{v1, v2};
use serde_json::Value;

/// Decodes `value` written in `version` of `info`'s kind, returning the stored
/// object and the input as the served version would echo it back (to find
/// unknown fields).
pub fn from_served_version(
    info: &ResourceInfo,
    version: &str,
    value: Value,
) -> Result<(Object, Value), serde_json::Error> {
    match (info.kind, version) {
        (Kind::HorizontalPodAutoscaler, "v1") => {
            let old: v1::HorizontalPodAutoscaler = serde_json::from_value(value)?;
            let echoed = serde_json::to_value(&old)?;
            Ok((Object::HorizontalPodAutoscaler(Box::new(hpa_v1_to_v2(old))), echoed))
        }
        _ => {
            let object = Object::from_value(info.kind, value)?;
            let echoed = object.to_value();
            Ok((object, echoed))
        }
    }
}

/// `targetCPUUtilizationPercentage` becomes a Resource metric on cpu.
fn hpa_v1_to_v2(old: v1::HorizontalPodAutoscaler) -> v2::HorizontalPodAutoscaler {
    let spec = old.spec.map(|s| v2::HorizontalPodAutoscalerSpec {
        max_replicas: s.max_replicas,
        min_replicas: s.min_replicas,
        scale_target_ref: v2::CrossVersionObjectReference {
            api_version: s.scale_target_ref.api_version,
            kind: s.scale_target_ref.kind,
            name: s.scale_target_ref.name,
        },
        metrics: s.target_cpu_utilization_percentage.map(|pct| {
            vec![v2::MetricSpec {
                type_: "Resource".into(),
                resource: Some(v2::ResourceMetricSource {
                    name: "cpu".into(),
                    target: v2::MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(pct),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]
        }),
        behavior: None,
    });
    v2::HorizontalPodAutoscaler { metadata: old.metadata, spec, status: None }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn autoscaling_v1_becomes_a_cpu_metric() {
        let doc = json!({
            "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 1, "maxReplicas": 10, "targetCPUUtilizationPercentage": 50}
        });
        let object = crate::codec::to_object(doc).expect("v1 HPA decodes");
        let value = object.to_value();
        assert_eq!(value["apiVersion"], "autoscaling/v2");
        assert_eq!(value["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 50);
    }
}
