//! The optimised path against a plain one: on seeded random clusters, the
//! snapshot's per-node sums and the spreading counts kept incrementally
//! must agree with loops over every pod and node, verdict for verdict and
//! score for score.

use super::*;
use crate::labels::Selector;
use crate::object::Object;
use crate::time::EPOCH;
use k8s_openapi::api::core::v1::{
    Container, Node, NodeSpec, NodeStatus, PodSpec, ResourceRequirements, TopologySpreadConstraint,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

const ZONE: &str = "topology.kubernetes.io/zone";

fn node(name: &str, zone: Option<&str>) -> Node {
    let mut labels = BTreeMap::from([("kubernetes.io/hostname".to_string(), name.to_string())]);
    if let Some(z) = zone {
        labels.insert(ZONE.into(), z.into());
    }
    let q = |s: &str| Quantity(s.into());
    Node {
        metadata: ObjectMeta { name: Some(name.into()), labels: Some(labels), ..Default::default() },
        spec: Some(NodeSpec::default()),
        status: Some(NodeStatus {
            allocatable: Some(BTreeMap::from([
                ("cpu".to_string(), q("4")),
                ("memory".to_string(), q("8Gi")),
                ("pods".to_string(), q("110")),
            ])),
            ..Default::default()
        }),
    }
}

struct Placed {
    pod: Pod,
    node: String,
}

fn pod(name: &str, ns: &str, app: &str, cpu: i64, terminating: bool) -> Pod {
    let requests = BTreeMap::from([
        ("cpu".to_string(), Quantity(format!("{cpu}m"))),
        ("memory".to_string(), Quantity("64Mi".into())),
    ]);
    Pod {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(ns.into()),
            labels: Some(BTreeMap::from([("app".to_string(), app.to_string())])),
            deletion_timestamp: terminating.then(|| EPOCH.to_k8s()),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: "c".into(),
                resources: Some(ResourceRequirements { requests: Some(requests), ..Default::default() }),
                ..Default::default()
            }],
            ..Default::default()
        }),
        status: None,
    }
}

fn pick<'a>(rng: &mut Rng, from: &[&'a str]) -> &'a str {
    from[rng.below(from.len())]
}

/// Plain counting: matching pods per domain value over the nodes that
/// count, walking every pod.
fn plain_counts(
    placed: &[Placed],
    nodes: &[Node],
    ns: &str,
    selector: &Selector,
    key: &str,
    required: &[String],
    node_selector: Option<&BTreeMap<String, String>>,
) -> (BTreeMap<String, i64>, Vec<String>) {
    let mut counts = BTreeMap::new();
    for n in nodes {
        let labels = n.metadata.labels.clone().unwrap_or_default();
        if node_selector.is_some_and(|s| !s.iter().all(|(k, v)| labels.get(k) == Some(v))) {
            continue;
        }
        if required.iter().any(|k| !labels.contains_key(k)) {
            continue;
        }
        let Some(value) = labels.get(key) else { continue };
        let name = n.metadata.name.clone().unwrap_or_default();
        let here = placed
            .iter()
            .filter(|p| p.node == name && p.pod.metadata.deletion_timestamp.is_none())
            .filter(|p| {
                p.pod.metadata.namespace.as_deref() == Some(ns) && selector.matches(p.pod.metadata.labels.as_ref())
            })
            .count() as i64;
        *counts.entry(value.clone()).or_insert(0) += here;
    }
    let domains = counts.keys().cloned().collect();
    (counts, domains)
}

#[test]
fn incremental_counts_match_plain_loops() {
    for seed in 0..40u64 {
        let mut rng = Rng::new(seed);
        let mut store = Store::default();
        let mut snapshot = Snapshot::default();
        let zones = ["a", "b", "c"];
        let mut nodes: Vec<Node> = (0..3 + rng.below(8))
            .map(|i| node(&format!("n{i}"), (rng.below(10) > 0).then(|| pick(&mut rng, &zones))))
            .collect();
        for n in &nodes {
            let object = store.put(Object::Node(Box::new(n.clone())), EPOCH);
            snapshot.put_node(&object);
        }
        // Some groups exist before their pods do, some are made after.
        for app in ["x", "y"] {
            snapshot.group("default", &Selector::parse(&format!("app={app}")).unwrap_or_default(), &store);
        }
        snapshot.topology_key(ZONE);
        let mut placed: Vec<Placed> = Vec::new();
        for i in 0..rng.below(40) {
            let ns = if rng.below(10) == 0 { "other" } else { "default" };
            let p = pod(
                &format!("p{i}"),
                ns,
                pick(&mut rng, &["x", "y", "z"]),
                50 + rng.below(300) as i64,
                rng.below(8) == 0,
            );
            let n = nodes[rng.below(nodes.len())].metadata.name.clone().unwrap_or_default();
            let mut stored = p.clone();
            stored.spec.get_or_insert_with(Default::default).node_name = Some(n.clone());
            store.put(Object::Pod(Box::new(stored)), EPOCH);
            snapshot.add_pod(&p, &n);
            placed.push(Placed { pod: p, node: n });
        }
        // Pods leave and a node moves zone: the counts must follow.
        for _ in 0..rng.below(5) {
            if placed.is_empty() {
                break;
            }
            let gone = placed.remove(rng.below(placed.len()));
            let key = (
                gone.pod.metadata.namespace.clone().unwrap_or_default(),
                gone.pod.metadata.name.clone().unwrap_or_default(),
            );
            store.remove(crate::api::Kind::Pod, &key.0, &key.1, EPOCH);
            snapshot.remove_pod(&key);
        }
        let moved = rng.below(nodes.len());
        let name = nodes[moved].metadata.name.clone().unwrap_or_default();
        nodes[moved] = node(&name, Some(pick(&mut rng, &zones)));
        let object = store.put(Object::Node(Box::new(nodes[moved].clone())), EPOCH);
        snapshot.put_node(&object);

        // Per-node sums.
        for n in &nodes {
            let name = n.metadata.name.clone().unwrap_or_default();
            let info = &snapshot.slots[snapshot.slot(&name).unwrap_or_default()];
            let cpu: i64 = placed.iter().filter(|p| p.node == name).map(|p| pod_requests(&p.pod).0.cpu).sum();
            let count = placed.iter().filter(|p| p.node == name).count();
            assert_eq!((info.requested.cpu, info.pods.len()), (cpu, count), "seed {seed} node {name}");
        }

        for trial in 0..6 {
            let app = pick(&mut rng, &["x", "y", "z", "w"]);
            let mut incoming = pod(&format!("new{trial}"), "default", pick(&mut rng, &["x", "y"]), 10, false);
            let key = if rng.below(2) == 0 { ZONE } else { "kubernetes.io/hostname" };
            let hard = rng.below(2) == 0;
            let max_skew = 1 + rng.below(3) as i32;
            let min_domains = (hard && rng.below(3) == 0).then_some(4);
            let spec = incoming.spec.get_or_insert_with(Default::default);
            spec.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
                max_skew,
                topology_key: key.into(),
                when_unsatisfiable: if hard { "DoNotSchedule" } else { "ScheduleAnyway" }.into(),
                label_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([("app".to_string(), app.to_string())])),
                    ..Default::default()
                }),
                min_domains,
                ..Default::default()
            }]);
            if rng.below(4) == 0 {
                spec.node_selector = Some(BTreeMap::from([(ZONE.to_string(), pick(&mut rng, &zones).to_string())]));
            }
            let node_selector = spec.node_selector.clone();
            let selector = Selector::parse(&format!("app={app}")).unwrap_or_default();
            let self_match = i64::from(selector.matches(incoming.metadata.labels.as_ref()));
            let Ok(mut state) = pre_filter(&incoming, &mut snapshot, &store) else { panic!("seed {seed}: prefilter") };
            let order = snapshot.order.clone();
            pod_topology_spread::pre_score(&mut state.spread, &incoming, &order, &snapshot);
            let (counts, domains) = plain_counts(
                &placed,
                &nodes,
                "default",
                &selector,
                key,
                &[key.to_string()],
                node_selector.as_ref().filter(|_| true),
            );
            let min = domains.iter().map(|d| counts[d]).min().unwrap_or(i64::from(i32::MAX));
            let min = if min_domains.is_some_and(|m| (domains.len() as i32) < m) { 0 } else { min };
            let all_counts = plain_counts(&placed, &nodes, "default", &selector, key, &[], None).0;
            let considered =
                nodes.iter().filter(|n| n.metadata.labels.as_ref().is_some_and(|l| l.contains_key(key))).count();
            let weight = if key == ZONE {
                let values: std::collections::BTreeSet<&String> =
                    nodes.iter().filter_map(|n| n.metadata.labels.as_ref().and_then(|l| l.get(key))).collect();
                ((values.len() + 2) as f64).ln()
            } else {
                ((considered + 2) as f64).ln()
            };
            for (i, &slot) in order.iter().enumerate() {
                let info = &snapshot.slots[slot];
                let value = info.labels().and_then(|l| l.get(key)).cloned();
                let want_filter = match (&value, hard) {
                    (_, false) => None,
                    (None, true) => Some(Code::Unresolvable),
                    (Some(v), true) => (counts.get(v).copied().unwrap_or(0) + self_match - min > max_skew as i64)
                        .then_some(Code::Unschedulable),
                };
                let got = pod_topology_spread::filter(&state.spread, slot, info, &snapshot).map(|s| s.code);
                assert_eq!(got, want_filter, "seed {seed} trial {trial} node {} filter", info.name);
                if !hard {
                    let want = match &value {
                        None => 0,
                        Some(v) => {
                            let count = if key == ZONE {
                                // nodeSelector narrows the nodes that count.
                                let narrowed = plain_counts(
                                    &placed,
                                    &nodes,
                                    "default",
                                    &selector,
                                    key,
                                    &[],
                                    node_selector.as_ref(),
                                )
                                .0;
                                narrowed.get(v).copied().unwrap_or(0)
                            } else {
                                all_counts.get(v).copied().unwrap_or(0)
                            };
                            pod_topology_spread::count_score(count, max_skew as i64, weight).round() as i64
                        }
                    };
                    let got = pod_topology_spread::score(&state.spread, i, slot, info, &snapshot);
                    assert_eq!(got, want, "seed {seed} trial {trial} node {} score", info.name);
                }
            }
        }
    }
}
