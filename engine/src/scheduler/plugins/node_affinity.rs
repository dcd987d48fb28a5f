//! NodeAffinity: `nodeSelector` and required node affinity must match
//! (Filter); matching preferred terms add their weights (Score).

use super::super::framework::{Code, Status};
use super::super::snapshot::NodeInfo;
use k8s_openapi::api::core::v1::{Node, NodeSelector, NodeSelectorTerm, Pod, PreferredSchedulingTerm};

pub const NAME: &str = "NodeAffinity";
pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";

/// Whether the node satisfies the pod's `nodeSelector` and required node
/// affinity.
pub fn pod_matches(pod: &Pod, node: &Node) -> bool {
    let spec = pod.spec.as_ref();
    if let Some(selector) = spec.and_then(|s| s.node_selector.as_ref()) {
        let labels = node.metadata.labels.as_ref();
        if !selector.iter().all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v)) {
            return false;
        }
    }
    affinity_matches(pod, node)
}

/// Whether the pod constrains nodes at all.
pub fn has_requirements(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    spec.and_then(|s| s.node_selector.as_ref()).is_some_and(|s| !s.is_empty()) || required(pod).is_some()
}

fn required(pod: &Pod) -> Option<&NodeSelector> {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.required_during_scheduling_ignored_during_execution.as_ref())
}

/// Whether the node satisfies the pod's required node affinity (any term,
/// all of a term's expressions and fields).
pub fn affinity_matches(pod: &Pod, node: &Node) -> bool {
    required(pod).is_none_or(|r| selector_matches(r, node))
}

pub(crate) fn filter(pod: &Pod, node: &NodeInfo) -> Option<Status> {
    (!pod_matches(pod, node.node())).then(|| Status::new(NAME, Code::Unresolvable, vec![REASON.into()]))
}

/// Whether the node satisfies a required node selector (any term), as pods
/// and volumes state them.
pub(crate) fn selector_matches(required: &NodeSelector, node: &Node) -> bool {
    required.node_selector_terms.iter().any(|term| term_matches(term, node))
}

/// All of a term's expressions and fields; an empty term matches nothing.
fn term_matches(term: &NodeSelectorTerm, node: &Node) -> bool {
    let labels = node.metadata.labels.as_ref();
    let name = node.metadata.name.clone().unwrap_or_default();
    let exprs = term
        .match_expressions
        .iter()
        .flatten()
        .all(|e| requirement(&e.operator, labels.and_then(|l| l.get(&e.key)), e.values.as_deref()));
    let fields = term.match_fields.iter().flatten().all(|f| {
        let value = (f.key == "metadata.name").then_some(&name);
        requirement(&f.operator, value, f.values.as_deref())
    });
    let empty = term.match_expressions.as_ref().is_none_or(Vec::is_empty)
        && term.match_fields.as_ref().is_none_or(Vec::is_empty);
    exprs && fields && !empty
}

fn requirement(op: &str, value: Option<&String>, values: Option<&[String]>) -> bool {
    let values = values.unwrap_or_default();
    let number = |s: &str| s.parse::<i64>().ok();
    let compare =
        |want: std::cmp::Ordering| match (value.and_then(|v| number(v)), values.first().and_then(|v| number(v))) {
            (Some(a), Some(b)) => a.cmp(&b) == want,
            _ => false,
        };
    match op {
        "In" => value.is_some_and(|v| values.contains(v)),
        "NotIn" => value.is_none_or(|v| !values.contains(v)),
        "Exists" => value.is_some(),
        "DoesNotExist" => value.is_none(),
        "Gt" => compare(std::cmp::Ordering::Greater),
        "Lt" => compare(std::cmp::Ordering::Less),
        _ => false,
    }
}

pub(crate) fn preferred(pod: &Pod) -> &[PreferredSchedulingTerm] {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| n.preferred_during_scheduling_ignored_during_execution.as_deref())
        .unwrap_or_default()
}

/// The weights of the preferred terms the node matches.
pub(crate) fn score(terms: &[PreferredSchedulingTerm], node: &NodeInfo) -> i64 {
    terms.iter().filter(|t| term_matches(&t.preference, node.node())).map(|t| t.weight as i64).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::NodeSelectorRequirement;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use std::collections::BTreeMap;

    fn node() -> Node {
        Node {
            metadata: ObjectMeta {
                name: Some("w1-k8s".into()),
                labels: Some(BTreeMap::from([
                    ("disk".to_string(), "ssd".to_string()),
                    ("cores".to_string(), "8".to_string()),
                ])),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn term(key: &str, op: &str, values: &[&str]) -> NodeSelectorTerm {
        NodeSelectorTerm {
            match_expressions: Some(vec![NodeSelectorRequirement {
                key: key.into(),
                operator: op.into(),
                values: Some(values.iter().map(|v| v.to_string()).collect()),
            }]),
            ..Default::default()
        }
    }

    #[test]
    fn operators_table() {
        let fields = NodeSelectorTerm {
            match_fields: Some(vec![NodeSelectorRequirement {
                key: "metadata.name".into(),
                operator: "In".into(),
                values: Some(vec!["w1-k8s".into()]),
            }]),
            ..Default::default()
        };
        let cases = [
            ("In", term("disk", "In", &["ssd", "nvme"]), true),
            ("In misses", term("disk", "In", &["hdd"]), false),
            ("NotIn", term("disk", "NotIn", &["hdd"]), true),
            ("NotIn on a missing key", term("gpu", "NotIn", &["a"]), true),
            ("Exists", term("disk", "Exists", &[]), true),
            ("DoesNotExist", term("disk", "DoesNotExist", &[]), false),
            ("Gt", term("cores", "Gt", &["4"]), true),
            ("Gt equal", term("cores", "Gt", &["8"]), false),
            ("Lt", term("cores", "Lt", &["16"]), true),
            ("Lt not a number", term("disk", "Lt", &["16"]), false),
            ("matchFields metadata.name", fields, true),
            ("empty term", NodeSelectorTerm::default(), false),
        ];
        for (name, t, want) in cases {
            assert_eq!(term_matches(&t, &node()), want, "{name}");
        }
    }

    #[test]
    fn preferred_terms_sum_their_weights() {
        let info = crate::scheduler::snapshot::tests::node_info(node());
        let terms = vec![
            PreferredSchedulingTerm { weight: 10, preference: term("disk", "In", &["ssd"]) },
            PreferredSchedulingTerm { weight: 5, preference: term("cores", "Gt", &["2"]) },
            PreferredSchedulingTerm { weight: 80, preference: term("disk", "In", &["hdd"]) },
        ];
        assert_eq!(score(&terms, &info), 15);
    }
}
