//! What a kubelet says about its node: the Lease it renews every 10 s
//! (what the node lifecycle controller watches) and the node's Ready
//! condition when the kubelet comes back.

use super::Kubelets;
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::core::v1::NodeCondition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

/// How often a kubelet renews its Lease (`nodeLeaseDurationSeconds` 40 / 4).
pub const HEARTBEAT: Millis = 10 * SECOND;

/// The namespace node Leases live in.
pub const LEASES: &str = "kube-node-lease";

impl Kubelets {
    /// Every running kubelet renews its node's Lease.
    pub fn heartbeat(&mut self, api: &mut ApiServer, now: Time) {
        for (name, agent) in &mut self.nodes {
            if agent.stopped {
                continue;
            }
            renew(api, name, now);
            if agent.pressure_until.is_some_and(|t| t <= now) {
                agent.pressure_until = None;
                memory_pressure(api, name, now, false);
            }
        }
    }
}

pub(super) fn renew(api: &mut ApiServer, node: &str, now: Time) {
    let Some(Object::Lease(mut lease)) = api.store().get(Kind::Lease, LEASES, node).map(|o| (**o).clone()) else {
        return;
    };
    lease.spec.get_or_insert_with(Default::default).renew_time = Some(MicroTime(now.to_k8s().0));
    api.put_raw(Object::Lease(lease), now);
}

const MEMORY_TAINT: &str = "node.kubernetes.io/memory-pressure";

/// The MemoryPressure condition of a node with memory to spare.
const ENOUGH_MEMORY: (&str, &str, &str) =
    ("False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available");

/// Sets a node condition, moving its transition time only when its status changes.
pub fn set_condition(c: &mut NodeCondition, (value, reason, message): (&str, &str, &str), now: Time) {
    if c.status != value {
        c.last_transition_time = Some(now.to_k8s());
    }
    c.status = value.into();
    c.reason = Some(reason.into());
    c.message = Some(message.into());
}

/// How long a node stays under pressure after an eviction
/// (`--eviction-pressure-transition-period`).
pub const PRESSURE_PERIOD: Millis = 5 * 60 * SECOND;

/// Sets or clears the node's MemoryPressure condition and the taint that
/// keeps new pods away while it holds. Returns the node as written.
pub(super) fn memory_pressure(api: &mut ApiServer, node: &str, now: Time, on: bool) -> Option<Object> {
    let Some(Object::Node(mut object)) = api.store().get(Kind::Node, "", node).map(|o| (**o).clone()) else {
        return None;
    };
    let condition = if on {
        ("True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
    } else {
        ENOUGH_MEMORY
    };
    for c in object.status.iter_mut().flat_map(|s| s.conditions.iter_mut().flatten()) {
        if c.type_ == "MemoryPressure" {
            set_condition(c, condition, now);
        }
    }
    let taints = object.spec.get_or_insert_with(Default::default).taints.get_or_insert_with(Vec::new);
    taints.retain(|t| t.key != MEMORY_TAINT);
    if on {
        taints.push(k8s_openapi::api::core::v1::Taint {
            key: MEMORY_TAINT.into(),
            effect: "NoSchedule".into(),
            time_added: None,
            value: None,
        });
    }
    if object.spec.as_ref().and_then(|s| s.taints.as_ref()).is_some_and(Vec::is_empty) {
        object.spec.get_or_insert_with(Default::default).taints = None;
    }
    Some((*api.put_raw(Object::Node(object), now)).clone())
}

/// A kubelet that starts posts its node Ready again, as it does on start.
pub(super) fn post_ready(api: &mut ApiServer, node: &str, now: Time, under_pressure: bool) {
    let Some(Object::Node(mut object)) = api.store().get(Kind::Node, "", node).map(|o| (**o).clone()) else {
        return;
    };
    let status = object.status.get_or_insert_with(Default::default);
    let wanted = [
        ("MemoryPressure", ENOUGH_MEMORY),
        ("DiskPressure", ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure")),
        ("PIDPressure", ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available")),
        ("Ready", ("True", "KubeletReady", "kubelet is posting ready status")),
    ];
    for c in status.conditions.iter_mut().flatten() {
        // A node still under memory pressure keeps saying so.
        if c.type_ == "MemoryPressure" && under_pressure {
            continue;
        }
        if let Some((_, condition)) = wanted.iter().find(|(t, _)| *t == c.type_) {
            set_condition(c, *condition, now);
            c.last_heartbeat_time = Some(now.to_k8s());
        }
    }
    api.put_raw(Object::Node(object), now);
}
