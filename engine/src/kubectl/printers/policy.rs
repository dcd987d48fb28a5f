//! HorizontalPodAutoscaler and PodDisruptionBudget tables.

use super::Columns;
use crate::time::Time;
use k8s_openapi::api::autoscaling::v2::{
    HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus,
};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub const HPA: Columns = (&["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], &[]);

fn current_for<'a>(statuses: &'a [MetricStatus], spec: &MetricSpec) -> Option<&'a MetricValueStatus> {
    statuses.iter().find_map(|s| match (spec.type_.as_str(), s.type_.as_str()) {
        ("Resource", "Resource") => {
            let want = spec.resource.as_ref()?.name.as_str();
            let r = s.resource.as_ref()?;
            (r.name == want).then_some(&r.current)
        }
        ("ContainerResource", "ContainerResource") => {
            let want = spec.container_resource.as_ref()?;
            let r = s.container_resource.as_ref()?;
            (r.name == want.name && r.container == want.container).then_some(&r.current)
        }
        ("Pods", "Pods") => Some(&s.pods.as_ref()?.current),
        ("Object", "Object") => Some(&s.object.as_ref()?.current),
        ("External", "External") => Some(&s.external.as_ref()?.current),
        _ => None,
    })
}

fn quantity(q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>) -> String {
    q.map_or_else(|| "<unknown>".to_string(), |q| q.0.clone())
}

fn target_cell(spec: &MetricSpec, current: Option<&MetricValueStatus>) -> String {
    let unknown = || "<unknown>".to_string();
    let value_pair = |target: &MetricTarget, avg: bool| {
        let (cur, tgt) = if avg {
            (current.and_then(|c| c.average_value.as_ref()), target.average_value.as_ref())
        } else {
            (current.and_then(|c| c.value.as_ref()), target.value.as_ref())
        };
        format!("{}/{}", current.map_or_else(unknown, |_| quantity(cur)), quantity(tgt))
    };
    match spec.type_.as_str() {
        "Resource" | "ContainerResource" => {
            let (name, target) = match (&spec.resource, &spec.container_resource) {
                (Some(r), _) => (r.name.clone(), &r.target),
                (None, Some(c)) => (c.name.clone(), &c.target),
                _ => return "<unknown>".into(),
            };
            if let Some(pct) = target.average_utilization {
                let cur = current.and_then(|c| c.average_utilization).map_or_else(unknown, |u| format!("{u}%"));
                format!("{name}: {cur}/{pct}%")
            } else {
                format!("{name}: {}", value_pair(target, true))
            }
        }
        "Pods" => spec.pods.as_ref().map_or_else(unknown, |p| value_pair(&p.target, true)),
        "Object" | "External" => {
            let target = spec.object.as_ref().map(|o| &o.target).or_else(|| spec.external.as_ref().map(|e| &e.target));
            match target {
                Some(t) if t.type_ == "AverageValue" => format!("{} (avg)", value_pair(t, true)),
                Some(t) => value_pair(t, false),
                None => unknown(),
            }
        }
        _ => unknown(),
    }
}

pub fn hpa(h: &HorizontalPodAutoscaler, now: Time) -> Vec<String> {
    let spec = h.spec.as_ref();
    let status = h.status.as_ref();
    let reference =
        spec.map_or_else(String::new, |s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name));
    let metrics = spec.and_then(|s| s.metrics.as_deref()).unwrap_or_default();
    let statuses = status.and_then(|s| s.current_metrics.as_deref()).unwrap_or_default();
    let mut cells: Vec<String> = metrics.iter().take(2).map(|m| target_cell(m, current_for(statuses, m))).collect();
    let mut targets = if cells.is_empty() { "<none>".to_string() } else { cells.join(", ") };
    if metrics.len() > 2 {
        targets.push_str(&format!(" + {} more...", metrics.len() - 2));
    }
    cells = vec![
        h.metadata.name.clone().unwrap_or_default(),
        reference,
        targets,
        spec.and_then(|s| s.min_replicas).map_or_else(|| "<unset>".to_string(), |n| n.to_string()),
        spec.map_or(0, |s| s.max_replicas).to_string(),
        status.and_then(|s| s.current_replicas).unwrap_or(0).to_string(),
        super::age(&h.metadata, now),
    ];
    cells
}

pub const PDB: Columns = (&["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"], &[]);

fn int_or_string(v: Option<&IntOrString>) -> String {
    match v {
        Some(IntOrString::Int(i)) => i.to_string(),
        Some(IntOrString::String(s)) => s.clone(),
        None => "N/A".into(),
    }
}

pub fn pdb(p: &PodDisruptionBudget, now: Time) -> Vec<String> {
    let spec = p.spec.as_ref();
    vec![
        p.metadata.name.clone().unwrap_or_default(),
        int_or_string(spec.and_then(|s| s.min_available.as_ref())),
        int_or_string(spec.and_then(|s| s.max_unavailable.as_ref())),
        p.status.as_ref().map_or(0, |s| s.disruptions_allowed).to_string(),
        super::age(&p.metadata, now),
    ]
}
