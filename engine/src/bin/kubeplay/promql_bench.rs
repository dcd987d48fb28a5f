//! `kubeplay bench promql`: the PromQL benchmark. A range query
//! (`sum by (instance) (rate(node_cpu_seconds_total[5m]))`, one hour at a
//! 15 s step) over a large cluster's node-exporter CPU counters, timed in
//! our engine and, with `--against-prometheus` on a native build, in a real
//! Prometheus loaded with the same samples in the same run.

use engine::promql::{self, Labels, Storage, METRIC_NAME};
use engine::{prometheus_api, EPOCH};
use std::time::{Duration, Instant};

/// What to build and whom to compare with.
pub struct Plan {
    pub nodes: usize,
    pub cpus: usize,
    pub runs: usize,
    pub against_prometheus: bool,
}

/// The query the issue names.
pub const QUERY: &str = "sum by (instance) (rate(node_cpu_seconds_total[5m]))";

const MODES: [(&str, f64); 8] = [
    ("idle", 0.70),
    ("user", 0.15),
    ("system", 0.07),
    ("iowait", 0.02),
    ("irq", 0.01),
    ("softirq", 0.02),
    ("steal", 0.0),
    ("nice", 0.03),
];

const STEP_MS: i64 = 15_000;
/// One hour of answers needs five minutes of samples before it.
const SPAN_MS: i64 = 65 * 60_000;

/// Every node's counters, scraped every 15 s for 1 h 5 min. Each node is
/// scraped at its own offset within the interval, as Prometheus spreads
/// its targets, and never on a whole second, so the query's steps never
/// fall on a sample (where Prometheus 2.x and 3.x would pick differently).
pub fn build(nodes: usize, cpus: usize) -> Storage {
    let mut storage = Storage::new();
    // A cheap deterministic wobble, so the counters are not straight lines.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut wobble = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        0.8 + 0.4 * ((seed >> 11) as f64 / (1u64 << 53) as f64)
    };
    for n in 0..nodes {
        let instance = format!("node-{n:05}:9100");
        let offset = 217 + (n as i64 * STEP_MS / nodes.max(1) as i64) / 1000 * 1000;
        for cpu in 0..cpus {
            let cpu = cpu.to_string();
            for (mode, share) in MODES {
                let labels: Labels = [
                    (METRIC_NAME, "node_cpu_seconds_total"),
                    ("cpu", cpu.as_str()),
                    ("instance", instance.as_str()),
                    ("job", "node-exporter"),
                    ("mode", mode),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                // Booted a day ago: counters start large.
                let mut total = 86_400.0 * share;
                let mut t = EPOCH.0 + offset;
                while t <= EPOCH.0 + SPAN_MS {
                    storage.append(&labels, t, (total * 100.0).round() / 100.0);
                    total += 15.0 * share * wobble();
                    t += STEP_MS;
                }
            }
        }
    }
    storage
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The best of `runs` timings (the machine is shared, and the minimum is
/// what the code costs), and the last result.
pub fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let started = Instant::now();
    let mut out = f();
    let mut best = started.elapsed();
    for _ in 1..runs {
        let started = Instant::now();
        out = f();
        best = best.min(started.elapsed());
    }
    (best, out)
}

pub fn run(plan: &Plan) -> i32 {
    let platform = if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" };
    println!(
        "bench promql: {} nodes x {} cpus x {} modes of node_cpu_seconds_total, 1h05m at 15s ({platform})",
        plan.nodes,
        plan.cpus,
        MODES.len()
    );
    let started = Instant::now();
    let storage = build(plan.nodes, plan.cpus);
    let samples: usize = storage.samples();
    println!("{} series, {samples} samples, stored in {:.2}s", storage.series().len(), secs(started.elapsed()));
    let (start, end) = (EPOCH.0 + 5 * 60_000, EPOCH.0 + SPAN_MS);
    println!("query: {QUERY}, 1h at 15s step ({} steps)", (end - start) / STEP_MS + 1);
    let (eval, result) = best_of(plan.runs, || promql::range(&storage, QUERY, start, end, STEP_MS));
    let matrix = match result {
        Ok(m) => m,
        Err(e) => {
            eprintln!("kubeplay: the query failed: {e}");
            return 1;
        }
    };
    let points: usize = matrix.iter().map(|s| s.points.len()).sum();
    println!(
        "ours: {:.3}s to evaluate (best of {}), {} series, {points} points",
        secs(eval),
        plan.runs.max(1),
        matrix.len()
    );
    let (with_json, body) = best_of(1, || prometheus_api::query_range(&storage, QUERY, start, end, STEP_MS).body);
    println!("ours: {:.3}s with the API's JSON body ({:.1} MB)", secs(with_json), body.len() as f64 / 1e6);
    if plan.against_prometheus {
        return against_prometheus(plan, &storage, &matrix, eval, (start, end));
    }
    0
}

#[cfg(target_arch = "wasm32")]
fn against_prometheus(_: &Plan, _: &Storage, _: &promql::Matrix, _: Duration, _: (i64, i64)) -> i32 {
    eprintln!("kubeplay: --against-prometheus needs the native build (it starts processes)");
    2
}

#[cfg(not(target_arch = "wasm32"))]
fn against_prometheus(plan: &Plan, storage: &Storage, ours: &promql::Matrix, eval: Duration, range: (i64, i64)) -> i32 {
    use crate::real_prometheus::{installed, range_path, RealPrometheus};
    if !installed() {
        eprintln!("kubeplay: --against-prometheus needs `prometheus` and `promtool` on PATH");
        return 2;
    }
    let loading = Instant::now();
    let server = match RealPrometheus::start(storage) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return 1;
        }
    };
    println!(
        "prometheus: the same samples exported, backfilled with promtool and served in {:.1}s",
        secs(loading.elapsed())
    );
    let (start, end) = range;
    let with_stats = format!("{}&stats=all", range_path(QUERY, start, end, STEP_MS));
    // Warm its caches once, as ours has had its run.
    if let Err(e) = server.query_range(QUERY, start, end, STEP_MS) {
        eprintln!("kubeplay: asking prometheus: {e}");
        return 1;
    }
    let (round_trip, answer) = best_of(plan.runs, || server.query_range(QUERY, start, end, STEP_MS));
    let body = match answer {
        Ok((200, body)) => body,
        Ok((status, body)) => {
            eprintln!("kubeplay: prometheus answered {status}: {body}");
            return 1;
        }
        Err(e) => {
            eprintln!("kubeplay: asking prometheus: {e}");
            return 1;
        }
    };
    // Its own account of the evaluation, without HTTP and JSON.
    let mut inner = Vec::new();
    for _ in 0..plan.runs.max(1) {
        if let Ok((200, b)) = server.get(&with_stats) {
            if let Ok(json) = serde_json::from_str::<serde_json::Value>(&b) {
                if let Some(t) = json["data"]["stats"]["timings"]["evalTotalTime"].as_f64() {
                    inner.push(t);
                }
            }
        }
    }
    let inner = inner.into_iter().fold(f64::INFINITY, f64::min);
    let agree = same_answer(ours, &body);
    println!(
        "prometheus: {:.3}s to evaluate (its evalTotalTime, best of {}), {:.3}s over HTTP with JSON; answers {}",
        inner,
        plan.runs.max(1),
        secs(round_trip),
        if agree { "agree" } else { "DIFFER" }
    );
    println!("ours / prometheus (evaluation): {:.2}", secs(eval) / inner);
    drop(server);
    i32::from(!agree)
}

/// Whether Prometheus's matrix has our series and values (within 1e-6).
#[cfg(not(target_arch = "wasm32"))]
fn same_answer(ours: &promql::Matrix, body: &str) -> bool {
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        return false;
    };
    let Some(result) = json["data"]["result"].as_array() else {
        return false;
    };
    let mut theirs: Vec<(String, Vec<f64>)> = result
        .iter()
        .map(|s| {
            let instance = s["metric"]["instance"].as_str().unwrap_or_default().to_string();
            let values = s["values"]
                .as_array()
                .map(|v| v.iter().filter_map(|p| p[1].as_str().and_then(|x| x.parse().ok())).collect())
                .unwrap_or_default();
            (instance, values)
        })
        .collect();
    theirs.sort_by(|a, b| a.0.cmp(&b.0));
    theirs.len() == ours.len()
        && ours.iter().zip(&theirs).all(|(o, (instance, values))| {
            o.labels.get("instance") == Some(instance)
                && o.points.len() == values.len()
                && o.points.iter().zip(values).all(|((_, a), b)| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()))
        })
}
