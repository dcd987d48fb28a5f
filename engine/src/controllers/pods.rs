//! What the workload controllers share about pods: which count as active,
//! ready and available, how a template becomes a pod, and which pods go
//! first when scaling down.

use crate::object::Object;
use crate::time::{Time, SECOND};
use k8s_openapi::api::core::v1::{Pod, PodCondition, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use std::cmp::Reverse;
use std::collections::HashMap;

/// Marks a pod about to be deleted by the system with the
/// `DisruptionTarget` condition and who disrupts it, replacing any earlier
/// one, as the taint manager, the pod GC and the scheduler's preemption do.
pub fn mark_disruption_target(pod: &mut Pod, reason: &str, message: &str, now: Time) {
    let conditions = pod.status.get_or_insert_with(Default::default).conditions.get_or_insert_with(Vec::new);
    conditions.retain(|c| c.type_ != "DisruptionTarget");
    conditions.push(PodCondition {
        type_: "DisruptionTarget".into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_transition_time: Some(now.to_k8s()),
        ..Default::default()
    });
}

/// Not terminating and not finished.
pub fn is_active(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    pod.metadata.deletion_timestamp.is_none() && phase != "Succeeded" && phase != "Failed"
}

/// When the Ready condition last turned true, if it is true.
pub fn ready_since(pod: &Pod) -> Option<Time> {
    let c = pod.status.as_ref()?.conditions.as_ref()?.iter().find(|c| c.type_ == "Ready" && c.status == "True")?;
    Some(c.last_transition_time.as_ref().map_or(Time(0), Time::from_k8s))
}

/// Ready for at least `min_ready_seconds` at `now`.
pub fn is_available(pod: &Pod, min_ready_seconds: i32, now: Time) -> bool {
    ready_since(pod).is_some_and(|t| min_ready_seconds <= 0 || t.plus(min_ready_seconds as i64 * SECOND) <= now)
}

/// How long until a ready pod becomes available, if it is not yet.
pub fn until_available(pod: &Pod, min_ready_seconds: i32, now: Time) -> Option<i64> {
    let t = ready_since(pod)?;
    let at = t.plus(min_ready_seconds as i64 * SECOND);
    (at > now).then(|| at.since(now))
}

/// A controller ownerReference to `owner`.
pub fn owner_reference(owner: &Object) -> OwnerReference {
    let info = owner.info();
    OwnerReference {
        api_version: info.api_version(),
        kind: info.kind_name.into(),
        name: owner.name().into(),
        uid: owner.meta().uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

/// A pod from a template, owned by `owner`, named `{prefix}` + a suffix.
pub fn from_template(template: &PodTemplateSpec, owner: &Object, generate_name: String) -> Pod {
    let meta = template.metadata.clone().unwrap_or_default();
    Pod {
        metadata: ObjectMeta {
            generate_name: Some(generate_name),
            namespace: Some(owner.namespace().to_string()),
            labels: meta.labels,
            annotations: meta.annotations,
            owner_references: Some(vec![owner_reference(owner)]),
            ..Default::default()
        },
        spec: template.spec.clone(),
        status: None,
    }
}

/// Whether `pod`'s controller is the object with `uid`.
pub fn controlled_by(pod: &Pod, uid: &str) -> bool {
    pod.metadata.owner_references.iter().flatten().any(|o| o.controller == Some(true) && o.uid == uid)
}

/// Orders pods so the ones to delete first come first, as the ReplicaSet
/// controller ranks them: unscheduled, then pending, then not ready, then
/// those doubled up on a node, then the most recently ready, the most
/// restarted, and the newest.
pub fn sort_for_deletion(pods: &mut [Pod]) {
    let mut per_node: HashMap<String, usize> = HashMap::new();
    for p in pods.iter() {
        if let Some(node) = p.spec.as_ref().and_then(|s| s.node_name.clone()) {
            *per_node.entry(node).or_default() += 1;
        }
    }
    pods.sort_by_key(|p| {
        let node = p.spec.as_ref().and_then(|s| s.node_name.clone());
        let phase = match p.status.as_ref().and_then(|s| s.phase.as_deref()) {
            Some("Running") => 2,
            Some("Pending") | None => 0,
            _ => 1,
        };
        let ready = ready_since(p);
        let restarts: i32 = p
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum());
        let created = p.metadata.creation_timestamp.as_ref().map_or(Time(0), Time::from_k8s);
        (
            node.is_some(),
            phase,
            ready.is_some(),
            Reverse(node.as_ref().and_then(|n| per_node.get(n)).copied().unwrap_or(0)),
            Reverse(ready.unwrap_or(Time(0))),
            Reverse(restarts),
            Reverse(created),
            p.metadata.name.clone(),
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(name: &str, node: Option<&str>, phase: &str, ready_at: Option<&str>, created: &str) -> Pod {
        let conditions = match ready_at {
            Some(t) => json!([{"type": "Ready", "status": "True", "lastTransitionTime": t}]),
            None => json!([]),
        };
        serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"containers": [], "nodeName": node},
            "status": {"phase": phase, "conditions": conditions}
        }))
        .expect("fixture")
    }

    #[test]
    fn deletion_ranking() {
        let mut pods = vec![
            pod("old-ready", Some("w1"), "Running", Some("2026-01-01T09:00:10Z"), "2026-01-01T09:00:00Z"),
            pod("unscheduled", None, "Pending", None, "2026-01-01T09:00:00Z"),
            pod("new-ready", Some("w2"), "Running", Some("2026-01-01T09:05:00Z"), "2026-01-01T09:04:00Z"),
            pod("pending", Some("w3"), "Pending", None, "2026-01-01T09:00:00Z"),
            pod("not-ready", Some("w3"), "Running", None, "2026-01-01T09:00:00Z"),
        ];
        sort_for_deletion(&mut pods);
        let order: Vec<&str> = pods.iter().map(|p| p.metadata.name.as_deref().unwrap_or_default()).collect();
        assert_eq!(order, ["unscheduled", "pending", "not-ready", "new-ready", "old-ready"]);
    }
}
