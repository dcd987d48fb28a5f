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

/// Score as the framework first did it: plugin by plugin over every
/// feasible node, each score computed afresh (no memo).
fn plain_scores(state: &mut CycleState, pod: &Pod, feasible: &[usize], snapshot: &Snapshot) -> Scores {
    state.images = image_locality::pre_score(pod, snapshot);
    pod_topology_spread::pre_score(&mut state.spread, pod, feasible, snapshot);
    let n = feasible.len();
    let mut out = Scores { nodes: n, totals: vec![0; n], ..Default::default() };
    for (name, weight) in SCORE_PLUGINS {
        let nodes = feasible.iter().enumerate().map(|(i, &slot)| (i, slot, &snapshot.slots[slot]));
        let mut raw: Vec<i64> = match name {
            taint_toleration::NAME => {
                nodes.map(|(_, _, node)| taint_toleration::score(&state.prefer_tolerations, node)).collect()
            }
            node_affinity::NAME if !state.preferred_nodes.is_empty() => {
                nodes.map(|(_, _, node)| node_affinity::score(&state.preferred_nodes, node)).collect()
            }
            node_resources_fit::NAME => {
                nodes.map(|(_, _, node)| node_resources_fit::score(state.info.non_zero, node)).collect()
            }
            pod_topology_spread::NAME if pod_topology_spread::scores(&state.spread) => nodes
                .map(|(i, slot, node)| pod_topology_spread::score(&state.spread, i, slot, node, snapshot))
                .collect(),
            inter_pod_affinity::NAME if inter_pod_affinity::scores(&state.affinity) => {
                nodes.map(|(_, _, node)| inter_pod_affinity::score(&state.affinity, node)).collect()
            }
            balanced_allocation::NAME if balanced_allocation::applies(&state.info.requests) => {
                nodes.map(|(_, _, node)| balanced_allocation::score(&state.info.requests, node)).collect()
            }
            image_locality::NAME => nodes.map(|(_, _, node)| image_locality::score(&state.images, node)).collect(),
            _ => vec![0; n],
        };
        out.raw.extend_from_slice(&raw);
        match name {
            taint_toleration::NAME => default_normalize(&mut raw, true),
            node_affinity::NAME => default_normalize(&mut raw, false),
            pod_topology_spread::NAME => pod_topology_spread::normalize(&state.spread, &mut raw),
            inter_pod_affinity::NAME if inter_pod_affinity::scores(&state.affinity) => {
                inter_pod_affinity::normalize(&mut raw)
            }
            _ => {}
        }
        for (t, s) in out.totals.iter_mut().zip(&raw) {
            *t += weight * s;
        }
        out.normalized.extend(raw.iter().map(|s| (*s).clamp(0, MAX_NODE_SCORE) as u8));
    }
    out
}

/// A node with a zone (or none), a size, maybe a PreferNoSchedule taint,
/// a disk label and an image.
fn scored_node(rng: &mut Rng, i: usize) -> Node {
    use k8s_openapi::api::core::v1::{ContainerImage, Taint};
    let mut n = node(&format!("n{i:02}"), (rng.below(6) > 0).then(|| pick(rng, &["a", "b", "c"])));
    let labels = n.metadata.labels.get_or_insert_with(Default::default);
    labels.insert("disk".into(), pick(rng, &["ssd", "hdd"]).into());
    let status = n.status.get_or_insert_with(Default::default);
    let q = |s: String| Quantity(s);
    if let Some(a) = status.allocatable.as_mut() {
        a.insert("cpu".into(), q(format!("{}", 1 + rng.below(8))));
        a.insert("memory".into(), q(format!("{}Gi", 1 + rng.below(16))));
    }
    status.conditions = Some(vec![k8s_openapi::api::core::v1::NodeCondition {
        type_: "Ready".into(),
        status: "True".into(),
        ..Default::default()
    }]);
    if rng.below(3) == 0 {
        status.images = Some(vec![ContainerImage {
            names: Some(vec!["nginx:1.27".into()]),
            size_bytes: Some((50 + rng.below(900) as i64) << 20),
        }]);
    }
    if rng.below(4) == 0 {
        n.spec.get_or_insert_with(Default::default).taints =
            Some(vec![Taint { key: "spot".into(), effect: "PreferNoSchedule".into(), ..Default::default() }]);
    }
    n
}

/// An incoming pod of app x, y or z: some best-effort, some with
/// preferred node affinity, a PreferNoSchedule toleration, their own soft
/// spreading, the image some nodes hold.
fn scored_pod(rng: &mut Rng, name: &str) -> Pod {
    use k8s_openapi::api::core::v1::{
        Affinity, NodeAffinity, NodeSelectorRequirement, NodeSelectorTerm, PreferredSchedulingTerm, Toleration,
    };
    let app = pick(rng, &["x", "y", "z"]);
    let mut p = pod(name, "default", app, 10 + rng.below(500) as i64, false);
    let spec = p.spec.get_or_insert_with(Default::default);
    if rng.below(5) == 0 {
        spec.containers[0].resources = None;
    }
    if rng.below(2) == 0 {
        spec.containers[0].image = Some("nginx:1.27".into());
    }
    if rng.below(3) == 0 {
        let term = |weight: i32, value: &str| PreferredSchedulingTerm {
            weight,
            preference: NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: "disk".into(),
                    operator: "In".into(),
                    values: Some(vec![value.into()]),
                }]),
                ..Default::default()
            },
        };
        spec.affinity = Some(Affinity {
            node_affinity: Some(NodeAffinity {
                preferred_during_scheduling_ignored_during_execution: Some(vec![term(10, "ssd"), term(3, "hdd")]),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    if rng.below(3) == 0 {
        spec.tolerations = Some(vec![Toleration {
            key: Some("spot".into()),
            operator: Some("Exists".into()),
            effect: Some("PreferNoSchedule".into()),
            ..Default::default()
        }]);
    }
    if rng.below(3) == 0 {
        let key = if rng.below(2) == 0 { ZONE } else { "kubernetes.io/hostname" };
        spec.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
            max_skew: 1 + rng.below(3) as i32,
            topology_key: key.into(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("app".to_string(), app.to_string())])),
                ..Default::default()
            }),
            ..Default::default()
        }]);
    }
    p
}

#[test]
fn one_pass_scores_match_plugin_by_plugin() {
    use k8s_openapi::api::core::v1::{Service, ServiceSpec};
    for seed in 0..30u64 {
        let mut rng = Rng::new(seed);
        let mut store = Store::default();
        let mut snapshot = Snapshot::default();
        // A Service selecting app=x gives those pods the system default
        // spreading; y and z pods have none unless they bring their own.
        let service = Service {
            metadata: ObjectMeta { name: Some("x".into()), namespace: Some("default".into()), ..Default::default() },
            spec: Some(ServiceSpec {
                selector: Some(BTreeMap::from([("app".to_string(), "x".to_string())])),
                ..Default::default()
            }),
            ..Default::default()
        };
        store.put(Object::Service(Box::new(service)), EPOCH);
        for i in 0..2 + rng.below(12) {
            let object = store.put(Object::Node(Box::new(scored_node(&mut rng, i))), EPOCH);
            snapshot.put_node(&object);
        }
        // One scratch for the whole run, so memoised scores must follow
        // every placement.
        let mut scratch = Scratch::default();
        // Reused like a trace record's buffers, so stale cells must not
        // survive into the next pod's scores.
        let mut got = Scores::default();
        for round in 0..40 {
            let incoming = scored_pod(&mut rng, &format!("p{round}"));
            let Ok(mut state) = pre_filter(&incoming, &mut snapshot, &store) else { panic!("seed {seed}: prefilter") };
            let feasible: Vec<usize> = snapshot
                .order
                .iter()
                .copied()
                .filter(|&slot| run_filters(&state, &incoming, slot, &snapshot, &snapshot.slots[slot]).is_none())
                .collect();
            if feasible.is_empty() {
                break;
            }
            let mut plain_state = state.clone();
            let want = plain_scores(&mut plain_state, &incoming, &feasible, &snapshot);
            score(&mut state, &incoming, &feasible, &snapshot, &mut got, &mut scratch.norm, &mut scratch.memo);
            assert_eq!(got.nodes, want.nodes, "seed {seed} round {round}");
            assert_eq!(got.raw, want.raw, "seed {seed} round {round}: raw");
            assert_eq!(got.normalized, want.normalized, "seed {seed} round {round}: normalized");
            assert_eq!(got.totals, want.totals, "seed {seed} round {round}: totals");
            // Place it somewhere feasible, changing that node's requests.
            let slot = feasible[rng.below(feasible.len())];
            let node = snapshot.slots[slot].name.clone();
            let mut bound = incoming.clone();
            bound.spec.get_or_insert_with(Default::default).node_name = Some(node.clone());
            store.put(Object::Pod(Box::new(bound)), EPOCH);
            snapshot.add_placed(state.info, &node);
        }
    }
}
