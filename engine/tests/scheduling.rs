//! Scheduler properties on seeded random workloads in the default lab:
//! no node gets more than it can hold, no pod is bound twice, host ports
//! never clash, and every pod left Pending says why in kube-scheduler's
//! words.

use engine::Cluster;
use serde_json::Value;
use std::collections::BTreeMap;

/// The FailedScheduling reasons the default profile can give.
const REASONS: &[&str] = &[
    "node(s) had untolerated taint",
    "Insufficient cpu",
    "Insufficient memory",
    "Too many pods",
    "node(s) didn't match Pod's node affinity/selector",
    "node(s) didn't have free ports for the requested pod ports",
    "node(s) didn't match pod anti-affinity rules",
    "node(s) didn't match pod affinity rules",
    "node(s) didn't satisfy existing pods anti-affinity rules",
    "node(s) didn't match pod topology spread constraints",
];

/// SplitMix64, so the workloads are the same on every run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

fn quantity(text: &str) -> f64 {
    let units =
        [("m", 1e-3), ("Ki", 1024.0), ("Mi", 1048576.0), ("Gi", 1073741824.0), ("k", 1e3), ("M", 1e6), ("G", 1e9)];
    for (suffix, scale) in units {
        if let Some(n) = text.strip_suffix(suffix) {
            return n.parse::<f64>().unwrap_or(0.0) * scale;
        }
    }
    text.parse().unwrap_or(0.0)
}

fn deployment(dice: &mut Dice, i: u64) -> String {
    let replicas = 1 + dice.below(8);
    let cpu = 100 + 100 * dice.below(15);
    let memory = 64 << dice.below(6);
    let mut extra = String::new();
    match dice.below(5) {
        0 => extra.push_str("        ports:\n        - containerPort: 80\n          hostPort: 8080\n"),
        1 => extra.push_str("      nodeSelector:\n        disk: none\n"),
        2 => extra.push_str(&format!(
            "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - topologyKey: kubernetes.io/hostname\n            labelSelector:\n              matchLabels:\n                app: d{i}\n"
        )),
        _ => {}
    }
    let (ports, spec_extra) =
        if extra.starts_with("        ports") { (extra, String::new()) } else { (String::new(), extra) };
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d{i}\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels:\n      app: d{i}\n  template:\n    metadata:\n      labels:\n        app: d{i}\n    spec:\n{spec_extra}      containers:\n      - name: app\n        image: nginx\n        resources:\n          requests:\n            cpu: {cpu}m\n            memory: {memory}Mi\n{ports}"
    )
}

fn json(cluster: &mut Cluster, line: &str) -> Value {
    let out = cluster.kubectl(line);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or(Value::Null)
}

#[test]
fn random_workloads_keep_the_schedulers_promises() {
    for seed in 0..5u64 {
        let mut dice = Dice(seed);
        let Ok(mut cluster) = Cluster::new("default", seed) else { panic!("default preset") };
        for i in 0..2 + dice.below(5) {
            let out = cluster.apply(&deployment(&mut dice, i));
            assert_eq!(out.exit_code, 0, "seed {seed}: {}", out.stderr);
        }
        cluster.step(30_000);
        let nodes = json(&mut cluster, "get nodes -o json");
        let pods = json(&mut cluster, "get pods -A -o json");
        let events = json(&mut cluster, "get events -A -o json");
        let mut used: BTreeMap<String, (f64, f64)> = BTreeMap::new();
        let mut ports: BTreeMap<(String, i64), usize> = BTreeMap::new();
        for pod in pods["items"].as_array().into_iter().flatten() {
            let name = pod["metadata"]["name"].as_str().unwrap_or_default();
            let phase = pod["status"]["phase"].as_str().unwrap_or_default();
            match pod["spec"]["nodeName"].as_str() {
                Some(node) if phase != "Succeeded" && phase != "Failed" => {
                    let entry = used.entry(node.to_string()).or_default();
                    for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                        entry.0 += quantity(c["resources"]["requests"]["cpu"].as_str().unwrap_or("0"));
                        entry.1 += quantity(c["resources"]["requests"]["memory"].as_str().unwrap_or("0"));
                        for p in c["ports"].as_array().into_iter().flatten() {
                            if let Some(hp) = p["hostPort"].as_i64() {
                                *ports.entry((node.to_string(), hp)).or_default() += 1;
                            }
                        }
                    }
                }
                Some(_) => {}
                None => {
                    let condition = pod["status"]["conditions"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|c| c["type"] == "PodScheduled")
                        .cloned()
                        .unwrap_or(Value::Null);
                    let message = condition["message"].as_str().unwrap_or_default();
                    assert_eq!(condition["status"], "False", "seed {seed}: {name} pending without a verdict");
                    assert!(message.starts_with("0/4 nodes are available: "), "seed {seed}: {name}: {message}");
                    let why = message.split(". preemption:").next().unwrap_or_default();
                    assert!(REASONS.iter().any(|r| why.contains(r)), "seed {seed}: {name}: {message}");
                }
            }
        }
        for node in nodes["items"].as_array().into_iter().flatten() {
            let name = node["metadata"]["name"].as_str().unwrap_or_default();
            let cpu = quantity(node["status"]["allocatable"]["cpu"].as_str().unwrap_or("0"));
            let memory = quantity(node["status"]["allocatable"]["memory"].as_str().unwrap_or("0"));
            let (u_cpu, u_memory) = used.get(name).copied().unwrap_or_default();
            assert!(
                u_cpu <= cpu + 1e-9 && u_memory <= memory,
                "seed {seed}: {name} holds {u_cpu} cpu / {u_memory} memory"
            );
        }
        assert!(ports.values().all(|n| *n == 1), "seed {seed}: host ports clash: {ports:?}");
        let mut scheduled: BTreeMap<String, i64> = BTreeMap::new();
        for event in events["items"].as_array().into_iter().flatten() {
            if event["reason"] == "Scheduled" {
                let uid = event["involvedObject"]["uid"].as_str().unwrap_or_default().to_string();
                *scheduled.entry(uid).or_default() += event["count"].as_i64().unwrap_or(1);
            }
        }
        assert!(scheduled.values().all(|n| *n == 1), "seed {seed}: a pod was bound twice: {scheduled:?}");
    }
}

#[test]
fn the_trace_says_why_a_pod_went_where_it_went() {
    use engine::scheduling::Verdict;
    let Ok(mut cluster) = Cluster::new("default", 1) else { panic!("default preset") };
    assert_eq!(cluster.kubectl("run web --image=nginx").exit_code, 0);
    cluster.step(1_000);
    let Some(attempts) = cluster.scheduling_trace("default", "web") else { panic!("no trace for web") };
    let last = attempts.last().cloned().unwrap_or_else(|| panic!("no attempt"));
    let bound = json(&mut cluster, "get pod web -o json")["spec"]["nodeName"].as_str().map(String::from);
    assert_eq!(last.node, bound);
    let control_plane = last.nodes.iter().find(|n| n.node == "m-k8s").map(|n| n.verdict.clone());
    assert_eq!(
        control_plane,
        Some(Verdict::Filtered {
            plugin: "TaintToleration",
            reasons: vec!["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }".into()],
        })
    );
    let scored: Vec<_> = last
        .nodes
        .iter()
        .filter_map(|n| match &n.verdict {
            Verdict::Scored { plugins, total } => Some((n.node.clone(), plugins.clone(), *total)),
            _ => None,
        })
        .collect();
    assert_eq!(scored.len(), 3, "{scored:?}");
    for (node, plugins, total) in &scored {
        let names: Vec<&str> = plugins.iter().map(|p| p.plugin).collect();
        assert_eq!(
            names,
            [
                "TaintToleration",
                "NodeAffinity",
                "NodeResourcesFit",
                "PodTopologySpread",
                "InterPodAffinity",
                "NodeResourcesBalancedAllocation",
                "ImageLocality"
            ],
            "{node}"
        );
        assert_eq!(*total, plugins.iter().map(|p| p.weight * p.normalized).sum::<i64>(), "{node}");
    }
    let best = scored.iter().map(|(_, _, t)| *t).max();
    let chosen = scored.iter().find(|(n, _, _)| Some(n) == last.node.as_ref()).map(|(_, _, t)| *t);
    assert_eq!(chosen, best);
    assert_eq!(cluster.scheduling_trace("default", "nobody"), None);
}
