//! `kubeplay bench dashboard [--nodes N] [UID]`: the queries of a built-in
//! dashboard's refreshes (the cluster overview unless another uid is
//! given) over the monitored lab grown to `--nodes` nodes and run ten
//! minutes, as the Dashboards page runs them (the variables resolved, the
//! last hour, each panel as many points as it is wide on a 1400-pixel
//! page): a whole refresh with
//! every step evaluated, then refreshes every 5 to 7.5 simulated seconds
//! with and without the range cache. Only the engine's share; the page's
//! drawing is measured by `tests/browser/bench/dashboard-refresh.mjs`.

use engine::dashboards::cache::RangeCache;
use engine::dashboards::layout::sections;
use engine::dashboards::query::Window;
use engine::dashboards::run::run_with;
use engine::dashboards::template::resolve;
use engine::dashboards::{builtin, Dashboard};
use engine::{Cluster, MemFiles, Shell};
use std::collections::BTreeMap;
use std::time::Instant;

const WIDTH: f64 = 1400.0;
const RANGE_MS: i64 = 3_600_000;
const REFRESHES: usize = 20;

/// The engine's part of one refresh of `dash`: every shown panel's
/// queries, in all and per panel title.
fn refresh(shell: &Shell, dash: &Dashboard, cache: Option<&mut RangeCache>) -> (f64, Vec<(String, f64)>) {
    let began = Instant::now();
    let mut panels = Vec::new();
    let cluster = shell.cluster();
    let now = cluster.now().0;
    let mut cache = cache;
    if let (Some(c), Some(storage)) = (cache.as_deref_mut(), cluster.tsdb()) {
        c.begin(storage, now);
    }
    let vars = resolve(dash, cluster.tsdb(), now - RANGE_MS, now, &BTreeMap::new());
    for s in sections(dash).iter().filter(|s| !s.collapsed) {
        for p in s.panels.iter().filter(|p| p.kind != "text") {
            let points = ((f64::from(p.grid_pos.w.clamp(1, 24)) / 24.0) * WIDTH).max(100.0) as u32;
            let window = Window { from_ms: now - RANGE_MS, to_ms: now, max_data_points: points };
            let t = Instant::now();
            std::hint::black_box(run_with(cluster, p, &vars, window, cache.as_deref_mut()));
            panels.push((p.title.clone(), t.elapsed().as_secs_f64() * 1e3));
        }
    }
    if let Some(c) = cache {
        c.finish();
    }
    (began.elapsed().as_secs_f64() * 1e3, panels)
}

fn summary(label: &str, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((q * times.len() as f64) as usize).min(times.len() - 1)];
    println!("  {label:<28} median {:>7.1} ms, p90 {:>7.1} ms, max {:>7.1} ms", at(0.5), at(0.9), at(1.0));
}

pub fn run(nodes: usize, uid: &str) -> i32 {
    let Some(dash) = builtin::all().into_iter().find(|d| d.uid == uid) else {
        let uids: Vec<String> = builtin::all().into_iter().map(|d| d.uid).collect();
        eprintln!("no built-in dashboard {uid:?} (there are {})", uids.join(", "));
        return 1;
    };
    let cluster = match Cluster::new("monitoring", 1) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    let mut shell = Shell::new(cluster);
    let files = MemFiles::default();
    let have = shell.cluster().view().nodes.len();
    for i in 1..=nodes.saturating_sub(have) {
        let out = shell.run(&format!("node add b{i}-k8s --cpu 4 --memory 8Gi"), &files);
        if out.exit_code != 0 {
            eprintln!("node add: {}", out.stderr);
            return 1;
        }
    }
    shell.step(10 * 60_000);
    println!(
        "bench dashboard: {} ({} panels), {} nodes, last hour ({})",
        dash.title,
        sections(&dash).iter().map(|s| s.panels.len()).sum::<usize>(),
        shell.cluster().view().nodes.len(),
        if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" }
    );
    let (mut whole, mut cached) = (Vec::new(), Vec::new());
    let mut cache = RangeCache::new();
    refresh(&shell, &dash, Some(&mut cache));
    let mut last = (Vec::new(), Vec::new());
    for i in 0..REFRESHES {
        shell.step(if i % 2 == 0 { 5_000 } else { 7_500 });
        let (ms, plain) = refresh(&shell, &dash, None);
        whole.push(ms);
        let (ms, through) = refresh(&shell, &dash, Some(&mut cache));
        cached.push(ms);
        last = (plain, through);
    }
    summary("every step evaluated:", whole);
    summary("through the range cache:", cached);
    println!(
        "  last refresh: {} steps evaluated, {} kept; per panel (ms, plain / cached):",
        cache.evaluated_steps, cache.reused_steps
    );
    for ((title, plain), (_, through)) in last.0.iter().zip(&last.1) {
        println!("    {title:<40} {plain:>7.1} {through:>7.1}");
    }
    0
}
