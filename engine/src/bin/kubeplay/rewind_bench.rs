//! `kubeplay bench rewind`: what scrubbing costs in a lesson-sized session
//! (a few deployments, scaling, deletions, a crash loop, 30 simulated
//! minutes): the first look back, a small move later (stepping on from the
//! cached past) and moves earlier (stepping on from the latest checkpoint
//! before the time sought).

use engine::journal::Input;
use engine::rewind::Rewind;
use std::time::Instant;

fn session(minutes: i64) -> Vec<Input> {
    let mut journal = Vec::new();
    for i in 0..minutes {
        let line = match i % 6 {
            0 => format!("kubectl create deployment web{i} --image=nginx --replicas=3"),
            1 => format!("kubectl scale deployment web{} --replicas=5", i - 1),
            2 => format!("kubectl run crash{i} --image=busybox -- sh -c 'exit 1'"),
            3 => "kubectl get pods -A".to_string(),
            4 => format!("kubectl delete deployment web{}", i - 4),
            _ => format!("kubectl delete pod crash{} --wait=false", i - 3),
        };
        journal.push(Input::Run(line));
        journal.push(Input::Step(60_000));
    }
    journal
}

pub fn run(minutes: i64) -> i32 {
    let journal = session(minutes);
    println!(
        "bench rewind: {minutes} simulated minutes, {} inputs ({})",
        journal.len(),
        if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
    );
    let started = Instant::now();
    let mut rewind = match Rewind::new("default", 1, None) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let start = rewind.start_ms();
    let end = start + minutes * 60_000;
    println!("  start cluster:            {:>8.1} ms", started.elapsed().as_secs_f64() * 1e3);
    let mut timed = |label: &str, ms: i64| {
        let t = Instant::now();
        rewind.seek(&journal, ms);
        println!("  {label:<26}{:>8.1} ms", t.elapsed().as_secs_f64() * 1e3);
    };
    timed("look back to the middle:", start + (end - start) / 2);
    timed("one second later:", start + (end - start) / 2 + 1_000);
    timed("one minute later:", start + (end - start) / 2 + 61_000);
    timed("one second earlier:", start + (end - start) / 2 + 60_000);
    timed("to now (from the middle):", end);
    timed("to the start:", start);
    timed("back to the middle:", start + (end - start) / 2);
    timed("ten minutes earlier:", start + (end - start) / 2 - 600_000);
    println!("  checkpoints kept:         {:>8}", rewind.checkpoints());
    0
}
