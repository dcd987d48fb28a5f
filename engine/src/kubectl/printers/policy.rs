//! HorizontalPodAutoscaler and PodDisruptionBudget tables.

use super::Columns;
use crate::quantity::Amount;
use crate::time::Time;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricSpec, MetricStatus};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub const HPA: Columns = (&["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"], &[]);

/// A quantity as Go's `Quantity.String` prints it: canonical, `<nil>` when absent.
pub(crate) fn go_quantity(q: Option<&Quantity>) -> String {
    match q {
        None => "<nil>".into(),
        Some(q) => Amount::parse(&q.0).map_or_else(|| q.0.clone(), |a| a.to_string()),
    }
}

/// One metric's TARGETS cell, from its spec and the status at the same
/// index (kubectl's formatHPAMetrics).
fn target_cell(spec: &MetricSpec, status: Option<&MetricStatus>) -> String {
    let unknown = || "<unknown>".to_string();
    let percent = |u: Option<i32>| u.map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
    match spec.type_.as_str() {
        "External" => {
            let Some(x) = &spec.external else { return "<unknown type>".into() };
            let current = status.and_then(|s| s.external.as_ref()).map(|x| &x.current);
            if x.target.average_value.is_some() {
                let cur = current.and_then(|c| c.average_value.as_ref()).map_or_else(unknown, |q| go_quantity(Some(q)));
                format!("{cur}/{} (avg)", go_quantity(x.target.average_value.as_ref()))
            } else {
                let cur = current.map_or_else(unknown, |c| go_quantity(c.value.as_ref()));
                format!("{cur}/{}", go_quantity(x.target.value.as_ref()))
            }
        }
        "Pods" => {
            let Some(p) = &spec.pods else { return "<unknown type>".into() };
            let cur = status
                .and_then(|s| s.pods.as_ref())
                .map_or_else(unknown, |p| go_quantity(p.current.average_value.as_ref()));
            format!("{cur}/{}", go_quantity(p.target.average_value.as_ref()))
        }
        "Object" => {
            let Some(o) = &spec.object else { return "<unknown type>".into() };
            let current = status.and_then(|s| s.object.as_ref()).map(|o| &o.current);
            if o.target.average_value.is_some() {
                let cur = current.and_then(|c| c.average_value.as_ref()).map_or_else(unknown, |q| go_quantity(Some(q)));
                format!("{cur}/{} (avg)", go_quantity(o.target.average_value.as_ref()))
            } else {
                let cur = current.map_or_else(unknown, |c| go_quantity(c.value.as_ref()));
                format!("{cur}/{}", go_quantity(o.target.value.as_ref()))
            }
        }
        "Resource" | "ContainerResource" => {
            let (name, target, current) = match (spec.type_.as_str(), &spec.resource, &spec.container_resource) {
                ("Resource", Some(r), _) => {
                    (&r.name, &r.target, status.and_then(|s| s.resource.as_ref()).map(|r| &r.current))
                }
                ("ContainerResource", _, Some(c)) => {
                    (&c.name, &c.target, status.and_then(|s| s.container_resource.as_ref()).map(|c| &c.current))
                }
                _ => return "<unknown type>".into(),
            };
            if target.average_value.is_some() {
                let cur = current.map_or_else(unknown, |c| go_quantity(c.average_value.as_ref()));
                format!("{name}: {cur}/{}", go_quantity(target.average_value.as_ref()))
            } else {
                let cur = current.and_then(|c| c.average_utilization).map_or_else(unknown, |u| format!("{u}%"));
                format!("{name}: {cur}/{}", percent(target.average_utilization))
            }
        }
        _ => "<unknown type>".into(),
    }
}

pub fn hpa(h: &HorizontalPodAutoscaler, now: Time) -> Vec<String> {
    let spec = h.spec.as_ref();
    let status = h.status.as_ref();
    let reference =
        spec.map_or_else(String::new, |s| format!("{}/{}", s.scale_target_ref.kind, s.scale_target_ref.name));
    let metrics = spec.and_then(|s| s.metrics.as_deref()).unwrap_or_default();
    let statuses = status.and_then(|s| s.current_metrics.as_deref()).unwrap_or_default();
    let mut cells: Vec<String> =
        metrics.iter().take(2).enumerate().map(|(i, m)| target_cell(m, statuses.get(i))).collect();
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
