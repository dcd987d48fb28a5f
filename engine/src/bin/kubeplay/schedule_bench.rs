//! `kubeplay bench schedule`: how fast the scheduler alone places a backlog.
//! The controllers first create every pod of ~1,500 Deployments while the
//! scheduler is held; then only the scheduler runs, timed here (the engine
//! never reads the wall clock), until every pending pod was tried.

use engine::Cluster;
use std::time::Instant;

pub struct Plan {
    pub nodes: usize,
    pub pods: usize,
}

fn pending(cluster: &Cluster) -> (usize, usize) {
    let view = cluster.view();
    let mine = view.pods.iter().filter(|p| p.namespace == "default");
    let (mut all, mut bound) = (0, 0);
    for p in mine {
        all += 1;
        bound += usize::from(p.node.is_some());
    }
    (all, bound)
}

pub fn run(plan: &Plan) -> i32 {
    let Some(preset) = super::bench::large_preset(plan.nodes) else { return 2 };
    let deployments = plan.pods.clamp(1, 1_500);
    let replicas = plan.pods / deployments;
    let target = deployments * replicas;
    println!(
        "bench schedule: {} nodes, {deployments} deployments x {replicas} replicas = {target} pods ({})",
        plan.nodes,
        if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
    );
    let started = Instant::now();
    let mut cluster = Cluster::from_preset(preset, 1);
    cluster.hold_scheduler(true);
    for i in 0..deployments {
        let out = cluster.apply(&super::bench::deployment(i, replicas));
        if out.exit_code != 0 {
            eprint!("{}", out.stderr);
            return 1;
        }
    }
    let mut created = 0;
    for _ in 0..120 {
        cluster.step(1_000);
        created = pending(&cluster).0;
        if created >= target {
            break;
        }
    }
    println!("{created} pods created by the controllers in {:.2}s (scheduler held)", started.elapsed().as_secs_f64());
    let scheduling = Instant::now();
    let cpu_before = crate::bench::cpu_seconds();
    let tried = cluster.run_scheduler();
    let wall = scheduling.elapsed().as_secs_f64().max(1e-9);
    let cpu = cpu_before.zip(crate::bench::cpu_seconds()).map(|(a, b)| (b - a).max(0.01));
    let bound = pending(&cluster).1;
    println!("scheduler: {tried} pods tried, {bound} bound in {wall:.2}s wall time: {:.0} pods/s", bound as f64 / wall);
    if let Some(cpu) = cpu {
        println!("scheduler CPU time {cpu:.2}s: {:.0} pods per CPU second", bound as f64 / cpu);
    }
    match crate::bench::peak_memory() {
        Some(bytes) => println!("peak memory {:.0} MiB", bytes as f64 / 1_048_576.0),
        None => println!("peak memory unknown on this platform"),
    }
    i32::from(bound < target)
}
