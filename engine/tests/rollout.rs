//! A rolling update, step by step: 10 replicas, maxSurge 3, maxUnavailable 2,
//! a new image. The (old, new) ReplicaSet sizes must follow the steps the
//! Kubernetes Deployment controller takes.

use engine::{Cluster, Kind, Object};

fn manifest(image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 10
  strategy:
    rollingUpdate:
      maxSurge: 3
      maxUnavailable: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: {image}
"
    )
}

/// Every distinct (old, new) pair of ReplicaSet sizes, in order.
fn sizes(cluster: &Cluster, from: u64, old: &str) -> Vec<(i32, i32)> {
    let mut old_size = 10;
    let mut new_size = 0;
    let mut steps = vec![(old_size, new_size)];
    for change in cluster.changes_since(from) {
        let Object::ReplicaSet(rs) = &*change.object else { continue };
        if !rs.metadata.name.as_deref().unwrap_or_default().starts_with("web-") {
            continue;
        }
        let size = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if rs.metadata.name.as_deref() == Some(old) {
            old_size = size;
        } else {
            new_size = size;
        }
        if steps.last() != Some(&(old_size, new_size)) {
            steps.push((old_size, new_size));
        }
    }
    steps
}

#[test]
fn rolling_update_takes_kubernetes_steps() {
    let mut cluster = Cluster::new("default", 3).expect("preset");
    // Room for 13 pods of 100m on the three 2-CPU workers.
    assert_eq!(cluster.apply(&manifest("nginx:1.26")).stdout, "deployment.apps/web created\n");
    cluster.step(60_000);
    let old = cluster
        .changes_since(0)
        .iter()
        .find(|c| c.object.kind() == Kind::ReplicaSet && c.object.name().starts_with("web-"))
        .map(|c| c.object.name().to_string())
        .expect("first ReplicaSet");
    let start = cluster.version();
    assert_eq!(cluster.apply(&manifest("nginx:1.27")).stdout, "deployment.apps/web configured\n");
    cluster.step(120_000);
    // The new set grows to the surge ceiling of 13 pods in all (3, then 5 as
    // soon as the old set has dropped to 8 = 10 - maxUnavailable). A node
    // pulls one image at a time, so new pods sharing a node become available
    // one after another, and each time the old set drops only as far as
    // keeps 8 available (5, then 0 once eight new pods serve) while the new
    // one fills the surge room (8, then the last 2).
    assert_eq!(sizes(&cluster, start, &old), [(10, 0), (10, 3), (8, 3), (8, 5), (5, 5), (5, 8), (0, 8), (0, 10)]);
    let out = cluster.kubectl("get deploy web");
    assert_eq!(out.stdout, "NAME   READY   UP-TO-DATE   AVAILABLE   AGE\nweb    10/10   10           10          3m\n");
}
