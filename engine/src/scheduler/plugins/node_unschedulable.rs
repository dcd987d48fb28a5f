//! NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only
//! pods that tolerate the `node.kubernetes.io/unschedulable` taint.

use super::super::framework::{Code, Status};
use super::super::snapshot::NodeInfo;
use k8s_openapi::api::core::v1::{Taint, Toleration};

pub const NAME: &str = "NodeUnschedulable";
pub const REASON: &str = "node(s) were unschedulable";

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(tolerations: &[Toleration], node: &NodeInfo) -> Option<Status> {
    if !node.unschedulable {
        return None;
    }
    let taint =
        Taint { key: "node.kubernetes.io/unschedulable".into(), effect: "NoSchedule".into(), ..Default::default() };
    if crate::taints::tolerating(tolerations, &taint).next().is_some() {
        return None;
    }
    Some(Status::new(NAME, Code::Unresolvable, vec![REASON.into()]))
}
