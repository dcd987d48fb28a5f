//! `kubeplay bench tick`: what one clock tick of the browser page costs on
//! the `large` preset (a control plane and 5,000 workers): the bootstrap
//! once, then, tick after tick, the engine's step (200 ms of real time ×
//! the speed), the map's `view()` and the event stream's `events()`. The
//! page runs all of it on its main thread, so these are the pieces that
//! must fit between two keystrokes. With `TICK_DEBUG` set in the
//! environment, each step over 20 ms prints the kinds of object it changed.

use engine::Cluster;
use std::time::Instant;

/// Real milliseconds between two ticks of the page's clock.
const TICK_MS: i64 = 200;

pub struct Plan {
    pub speed: usize,
    pub ticks: usize,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1e3
}

fn spread(label: &str, mut times: Vec<f64>) {
    if times.is_empty() {
        return;
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((q * times.len() as f64) as usize).min(times.len() - 1)];
    println!(
        "  {label:<20} median {:>8.2} ms  p90 {:>8.2} ms  max {:>8.2} ms",
        at(0.5),
        at(0.9),
        times[times.len() - 1]
    );
}

pub fn run(plan: &Plan) -> i32 {
    let arch = if cfg!(target_arch = "wasm32") { "wasm32" } else { "native" };
    println!("bench tick: large preset, {}x, {} ticks ({arch})", plan.speed, plan.ticks);
    let started = Instant::now();
    let mut cluster = match Cluster::new("large", 1) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("kubeplay: {e}");
            return 1;
        }
    };
    println!("  bootstrap: {:.0} ms", ms(started));
    let t = Instant::now();
    let view = cluster.view();
    println!("  first view: {:.1} ms ({} nodes, {} pods)", ms(t), view.nodes.len(), view.pods.len());
    let t = Instant::now();
    let events = cluster.events();
    println!("  first events: {:.1} ms ({} rows)", ms(t), events.len());
    let dt = TICK_MS * i64::try_from(plan.speed).unwrap_or(1);
    let (mut steps, mut views, mut lite, mut feeds) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..plan.ticks {
        let version = cluster.version();
        let t = Instant::now();
        cluster.step(dt);
        steps.push(ms(t));
        if std::env::var_os("TICK_DEBUG").is_some() && ms(t) > 20.0 {
            let mut kinds = std::collections::BTreeMap::new();
            for c in cluster.changes_since(version) {
                *kinds.entry(format!("{:?}", c.object.kind())).or_insert(0) += 1;
            }
            eprintln!("slow step {:.0} ms at {}: {kinds:?}", ms(t), cluster.now().0);
        }
        let t = Instant::now();
        std::hint::black_box(cluster.view());
        views.push(ms(t));
        let t = Instant::now();
        std::hint::black_box(cluster.view_without_usage());
        lite.push(ms(t));
        if cluster.version() != version {
            let t = Instant::now();
            std::hint::black_box(cluster.events());
            feeds.push(ms(t));
        }
    }
    spread("step", steps);
    spread("view", views);
    spread("view without usage", lite);
    println!("  ticks that changed the store: {} of {}", feeds.len(), plan.ticks);
    spread("events", feeds);
    0
}
