//! What a kubelet says about its node: the Lease it renews every 10 s
//! (what the node lifecycle controller watches) and the node's Ready
//! condition when the kubelet comes back.

use super::Kubelets;
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;

/// How often a kubelet renews its Lease (`nodeLeaseDurationSeconds` 40 / 4).
pub const HEARTBEAT: Millis = 10 * SECOND;

/// The namespace node Leases live in.
pub const LEASES: &str = "kube-node-lease";

impl Kubelets {
    /// Every running kubelet renews its node's Lease.
    pub fn heartbeat(&mut self, api: &mut ApiServer, now: Time) {
        for (name, agent) in &self.nodes {
            if !agent.stopped {
                renew(api, name, now);
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

/// A kubelet that starts posts its node Ready again, as it does on start.
pub(super) fn post_ready(api: &mut ApiServer, node: &str, now: Time) {
    let Some(Object::Node(mut object)) = api.store().get(Kind::Node, "", node).map(|o| (**o).clone()) else {
        return;
    };
    let status = object.status.get_or_insert_with(Default::default);
    let wanted = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    ];
    for c in status.conditions.iter_mut().flatten() {
        if let Some((_, value, reason, message)) = wanted.iter().find(|(t, ..)| *t == c.type_) {
            if c.status != *value {
                c.last_transition_time = Some(now.to_k8s());
            }
            c.status = value.to_string();
            c.reason = Some(reason.to_string());
            c.message = Some(message.to_string());
            c.last_heartbeat_time = Some(now.to_k8s());
        }
    }
    api.put_raw(Object::Node(object), now);
}
