//! DefaultBinder: writes the chosen node into the pod and marks it
//! PodScheduled, as the binding subresource does.

use crate::time::Time;
use k8s_openapi::api::core::v1::{Pod, PodCondition};

pub(crate) fn bind(pod: &mut Pod, node: &str, now: Time) {
    pod.spec.get_or_insert_with(Default::default).node_name = Some(node.to_string());
    // A nomination has served its purpose once the pod is placed (v1.32's
    // scheduler clears it; later the API server's binding does).
    if let Some(status) = pod.status.as_mut() {
        status.nominated_node_name = None;
    }
    set_scheduled(pod, now, None);
}

/// The PodScheduled condition: True once bound, or False with the
/// FitError message.
pub(crate) fn set_scheduled(pod: &mut Pod, now: Time, failure: Option<String>) {
    let status = pod.status.get_or_insert_with(Default::default);
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "PodScheduled");
    conditions.push(PodCondition {
        type_: "PodScheduled".into(),
        status: if failure.is_some() { "False" } else { "True" }.into(),
        reason: failure.as_ref().map(|_| "Unschedulable".into()),
        message: failure,
        last_transition_time: Some(now.to_k8s()),
        last_probe_time: None,
    });
}
