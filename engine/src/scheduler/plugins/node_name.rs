//! NodeName: a pod that names its node fits only there.

use super::super::framework::{Code, Status};
use super::super::snapshot::NodeInfo;

pub const NAME: &str = "NodeName";
pub const REASON: &str = "node(s) didn't match the requested node name";

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(wanted: Option<&str>, node: &NodeInfo) -> Option<Status> {
    match wanted {
        Some(w) if w != node.name => Some(Status::new(NAME, Code::Unresolvable, vec![REASON.into()])),
        _ => None,
    }
}
