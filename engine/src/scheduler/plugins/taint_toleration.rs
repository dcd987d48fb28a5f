//! TaintToleration: NoSchedule and NoExecute taints must be tolerated
//! (Filter); each PreferNoSchedule taint left untolerated counts against
//! the node (Score, reversed when normalised).

use super::super::framework::{Code, Status};
use super::super::snapshot::NodeInfo;
use k8s_openapi::api::core::v1::{Node, Taint, Toleration};

pub const NAME: &str = "TaintToleration";
/// A node that is not Ready before the node lifecycle controller has
/// tainted it: kube-scheduler would see its not-ready taint.
pub const NOT_READY: &str = "node(s) were not ready";

fn tolerates(tolerations: &[Toleration], taint: &Taint) -> bool {
    crate::taints::tolerating(tolerations, taint).next().is_some()
}

fn taints(node: &Node) -> &[Taint] {
    node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default()
}

// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(tolerations: &[Toleration], node: &NodeInfo) -> Option<Status> {
    if node.hard_taints {
        let untolerated = taints(node.node())
            .iter()
            .find(|t| (t.effect == "NoSchedule" || t.effect == "NoExecute") && !tolerates(tolerations, t));
        if let Some(taint) = untolerated {
            let reason = format!(
                "node(s) had untolerated taint {{{}: {}}}",
                taint.key,
                taint.value.as_deref().unwrap_or_default()
            );
            return Some(Status::new(NAME, Code::Unresolvable, vec![reason.into()]));
        }
    }
    if !node.ready {
        return Some(Status::new(NAME, Code::Unresolvable, vec![NOT_READY.into()]));
    }
    None
}

/// The tolerations that count for scoring: PreferNoSchedule or any effect.
pub(crate) fn prefer_tolerations(tolerations: &[Toleration]) -> Vec<Toleration> {
    tolerations
        .iter()
        .filter(|t| t.effect.as_deref().is_none_or(|e| e.is_empty() || e == "PreferNoSchedule"))
        .cloned()
        .collect()
}

/// Untolerated PreferNoSchedule taints.
pub(crate) fn score(prefer: &[Toleration], node: &NodeInfo) -> i64 {
    if !node.soft_taints {
        return 0;
    }
    taints(node.node()).iter().filter(|t| t.effect == "PreferNoSchedule" && !tolerates(prefer, t)).count() as i64
}

/// Whether the node's NoSchedule and NoExecute taints are all tolerated.
pub fn taints_tolerated(tolerations: &[Toleration], node: &Node) -> bool {
    taints(node)
        .iter()
        .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
        .all(|t| tolerates(tolerations, t))
}

/// Whether the pod tolerates every NoExecute taint of the node, so it may
/// keep running there.
pub fn executes_tolerated(tolerations: &[Toleration], node: &Node) -> bool {
    taints(node).iter().filter(|t| t.effect == "NoExecute").all(|t| tolerates(tolerations, t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerations_match_taints() {
        let taint = Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            effect: "NoSchedule".into(),
            ..Default::default()
        };
        let exists = Toleration {
            key: Some("node-role.kubernetes.io/control-plane".into()),
            operator: Some("Exists".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        };
        let other = Toleration { key: Some("dedicated".into()), operator: Some("Exists".into()), ..Default::default() };
        let everything = Toleration { operator: Some("Exists".into()), ..Default::default() };
        assert!(tolerates(&[exists], &taint));
        assert!(!tolerates(&[other], &taint));
        assert!(tolerates(&[everything], &taint));
        assert!(!tolerates(&[], &taint));
    }

    #[test]
    fn prefer_no_schedule_counts_untolerated_taints() {
        let taint = |key: &str, effect: &str| Taint { key: key.into(), effect: effect.into(), ..Default::default() };
        let node = Node {
            spec: Some(k8s_openapi::api::core::v1::NodeSpec {
                taints: Some(vec![
                    taint("a", "PreferNoSchedule"),
                    taint("b", "PreferNoSchedule"),
                    taint("c", "NoSchedule"),
                ]),
                ..Default::default()
            }),
            ..Default::default()
        };
        let info = crate::scheduler::snapshot::tests::node_info(node);
        let tol = |key: &str, effect: Option<&str>| Toleration {
            key: Some(key.into()),
            operator: Some("Exists".into()),
            effect: effect.map(String::from),
            ..Default::default()
        };
        let cases = [
            ("none tolerated", vec![], 2),
            ("one for PreferNoSchedule", vec![tol("a", Some("PreferNoSchedule"))], 1),
            ("any effect", vec![tol("b", None)], 1),
            ("NoSchedule toleration does not count", vec![tol("a", Some("NoSchedule"))], 2),
        ];
        for (name, tolerations, want) in cases {
            assert_eq!(score(&prefer_tolerations(&tolerations), &info), want, "{name}");
        }
    }
}
