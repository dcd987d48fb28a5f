//! `kubeplay bench`: how fast the engine takes a large cluster from nothing
//! to every pod running. Measured here, in the front end, because the engine
//! itself never reads the wall clock.

use engine::{Cluster, NodeGroup, Preset};
use std::time::Instant;

/// What the benchmark is asked to build.
pub struct Plan {
    pub nodes: usize,
    pub deployments: usize,
    pub replicas: usize,
}

/// The benches' Deployment: `replicas` small nginx pods named after `i`.
pub(crate) fn deployment(i: usize, replicas: usize) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i:04}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: app-{i:04}
  template:
    metadata:
      labels:
        app: app-{i:04}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resources:
          requests:
            cpu: 10m
            memory: 16Mi
"
    )
}

/// Peak memory of this process in bytes, where the platform tells.
pub fn peak_memory() -> Option<u64> {
    #[cfg(target_arch = "wasm32")]
    {
        // Linear memory only grows: its size now is its peak.
        Some(core::arch::wasm32::memory_size(0) as u64 * 65_536)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    }
}

/// CPU time this process has used (user and system), where the platform
/// tells: unlike wall time, it hardly moves when other work shares the
/// machine, so runs on a busy machine still compare.
pub fn cpu_seconds() -> Option<f64> {
    if cfg!(target_arch = "wasm32") {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command's closing parenthesis; utime and stime are
    // the 14th and 15th of the whole line, in clock ticks of 1/100 s.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// The `large` preset with `nodes` workers, or why there is none.
pub(crate) fn large_preset(nodes: usize) -> Option<Preset> {
    let Some(mut preset) = Preset::named("large") else {
        eprintln!("kubeplay: the large preset is missing");
        return None;
    };
    preset.node_groups =
        vec![NodeGroup { count: nodes, name_prefix: "node-".into(), cpu: "16".into(), memory: "64Gi".into() }];
    Some(preset)
}

pub fn run(plan: &Plan) -> i32 {
    let Some(preset) = large_preset(plan.nodes) else { return 2 };
    let target = plan.deployments * plan.replicas;
    println!(
        "bench: {} nodes, {} deployments x {} replicas = {target} pods ({})",
        plan.nodes,
        plan.deployments,
        plan.replicas,
        if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
    );
    let started = Instant::now();
    let mut cluster = Cluster::from_preset(preset, 1);
    let built = started.elapsed();
    let objects_before = cluster.version();
    let applying = Instant::now();
    for i in 0..plan.deployments {
        let out = cluster.apply(&deployment(i, plan.replicas));
        if out.exit_code != 0 {
            eprint!("{}", out.stderr);
            return 1;
        }
    }
    let applied = applying.elapsed();
    // Let simulated time pass until every pod runs (pulls take seconds).
    let mut running = 0;
    for _ in 0..600 {
        cluster.step(5_000);
        let view = cluster.view();
        running = view.pods.iter().filter(|p| p.namespace == "default" && p.status == "Running").count();
        if running >= target {
            break;
        }
    }
    let total = started.elapsed();
    let writes = cluster.version() - objects_before;
    let secs = total.as_secs_f64().max(1e-9);
    println!("cluster of {} nodes built in {:.2}s", plan.nodes, built.as_secs_f64());
    println!("{} deployments applied in {:.2}s", plan.deployments, applied.as_secs_f64());
    println!(
        "{running}/{target} pods running after {:.1}s simulated",
        (cluster.now().0 - engine::EPOCH.0) as f64 / 1000.0
    );
    println!(
        "wall time {:.2}s; {writes} API writes, {:.0} writes/s; {:.0} pods/s",
        secs,
        writes as f64 / secs,
        running as f64 / secs
    );
    match peak_memory() {
        Some(bytes) => println!("peak memory {:.0} MiB", bytes as f64 / 1_048_576.0),
        None => println!("peak memory unknown on this platform"),
    }
    i32::from(running < target)
}
