//! The dashboards' range cache gives what evaluating every step gives: a
//! table of queries (rates, aggregations, quantiles, topk, subqueries,
//! scalars, series that come and go) over a running monitored lab whose
//! clock advances in uneven steps, some off the scrape grid, some shorter
//! than a scrape; and it starts again when the store or the clock says
//! the past it kept is not this one.

use engine::dashboards::cache::RangeCache;
use engine::dashboards::query::Window;
use engine::dashboards::run::{run, run_with};
use engine::dashboards::{builtin, layout};
use engine::promql::{self, Matrix, Storage};
use engine::{Cluster, MemFiles, Shell};

const MIN: i64 = 60_000;

/// `(expression, step ms)`: what the cache must agree with full
/// evaluation on.
const QUERIES: &[(&str, i64)] = &[
    (r#"sum(rate(container_cpu_usage_seconds_total{container!=""}[1m]))"#, 15_000),
    ("sum by (namespace) (rate(container_cpu_usage_seconds_total[2m]))", 10_000),
    ("histogram_quantile(0.9, sum by (le) (rate(apiserver_request_duration_seconds_bucket[1m])))", 30_000),
    ("topk(3, container_memory_working_set_bytes)", 15_000),
    ("sum by (phase) (kube_pod_status_phase)", 7_000),
    ("kube_pod_status_phase", 20_000),
    ("max_over_time(up[3m:30s])", 60_000),
    ("count(up) - 1", 15_000),
    ("time()", 45_000),
    ("increase(kube_pod_container_status_restarts_total[5m])", 15_000),
    ("up offset -1m", 15_000),
];

/// The monitored lab with a web server, a crash loop and load on the API.
fn lab() -> (Shell, MemFiles) {
    let cluster = Cluster::new("monitoring", 3).expect("bundled preset");
    let mut shell = Shell::new(cluster);
    let files = MemFiles::default();
    for line in [
        "kubectl create deployment web --image=nginx --replicas=2",
        "kubectl run crash --image=busybox -- sh -c 'exit 1'",
    ] {
        let out = shell.run(line, &files);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    }
    shell.step(6 * MIN);
    (shell, files)
}

/// A matrix with its values as bits, so NaN equals NaN.
fn bits(m: &Matrix) -> Vec<(String, Vec<(i64, u64)>)> {
    m.iter().map(|s| (format!("{:?}", s.labels), s.points.iter().map(|(t, v)| (*t, v.to_bits())).collect())).collect()
}

/// The last 20 minutes at `step`, aligned as the dashboards align it.
fn window(now: i64, step: i64) -> (i64, i64) {
    ((now - 20 * MIN).div_euclid(step) * step, now.div_euclid(step) * step)
}

fn check(cache: &mut RangeCache, storage: &Storage, now: i64, when: &str) {
    check_over(cache, storage, now, None, when);
}

/// [`check`] over the last 20 minutes, or a window fixed in time (a zoom).
fn check_over(cache: &mut RangeCache, storage: &Storage, now: i64, fixed: Option<(i64, i64)>, when: &str) {
    cache.begin(storage, now);
    for (expr, step) in QUERIES {
        let (start, end) = match fixed {
            Some((from, to)) => (from.div_euclid(*step) * step, to.div_euclid(*step) * step),
            None => window(now, *step),
        };
        let full = promql::range(storage, expr, start, end, *step).expect(expr);
        let cached = cache.range(storage, expr, start, end, *step).expect(expr);
        assert_eq!(bits(&cached), bits(&full), "{expr} at step {step} ms, {when}");
    }
    cache.finish();
}

#[test]
fn cached_ranges_equal_full_evaluation_as_the_clock_runs() {
    let (mut shell, files) = lab();
    let mut cache = RangeCache::new();
    // Uneven advances: under a scrape, on and off its grid, over a minute.
    let advances = [1_000, 7_000, 15_000, 2_500, 22_500, 61_000, 300, 14_999, 45_000, 5_000, 7_500, 90_000];
    // Lines typed between refreshes, so series start, go stale and restart.
    let lines = [
        "kubectl scale deployment web --replicas=4",
        "kubectl delete pod crash --wait=false",
        "kubectl create deployment api --image=nginx --replicas=3",
        "kubectl delete deployment web",
        "node add extra-k8s --cpu 2 --memory 4Gi",
    ];
    let mut reused = 0;
    for round in 0..3 {
        for (i, ms) in advances.iter().enumerate() {
            let n = round * advances.len() + i;
            if let Some(line) = lines.get(n / 7).filter(|_| n % 7 == 0) {
                let out = shell.run(line, &files);
                assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
            }
            shell.step(*ms);
            let cluster = shell.cluster();
            let storage = cluster.tsdb().expect("monitored");
            check(&mut cache, storage, cluster.now().0, &format!("round {round}, after +{ms} ms"));
            reused += cache.reused_steps;
        }
    }
    assert!(reused > 0, "the cache kept steps between refreshes");
    assert_eq!(cache.len(), QUERIES.len() - 1, "every cacheable query is kept, the one reading ahead is not");
}

#[test]
fn a_refresh_reevaluates_only_the_steps_that_may_have_changed() {
    let (mut shell, _) = lab();
    let mut cache = RangeCache::new();
    let (expr, step) = ("sum(rate(container_cpu_usage_seconds_total[1m]))", 15_000);
    let refresh = |shell: &Shell, cache: &mut RangeCache| {
        let storage = shell.cluster().tsdb().expect("monitored");
        let now = shell.cluster().now().0;
        cache.begin(storage, now);
        let (start, end) = window(now, step);
        cache.range(storage, expr, start, end, step).expect(expr);
        cache.finish();
        (((end - start) / step + 1) as u64, cache.evaluated_steps, cache.reused_steps)
    };
    let (steps, evaluated, reused) = refresh(&shell, &mut cache);
    assert_eq!((evaluated, reused), (steps, 0), "the first refresh evaluates all of 20 minutes");
    shell.step(30_000);
    let (steps, evaluated, reused) = refresh(&shell, &mut cache);
    // Two new steps, and the one or two a late scrape may still change.
    assert!(evaluated <= 4 && evaluated + reused == steps, "{evaluated} evaluated, {reused} kept of {steps}");
}

#[test]
fn another_store_or_an_earlier_clock_starts_the_cache_again() {
    let (mut shell, _) = lab();
    let (other, _) = {
        // Another lab, a different history at the very same moments.
        let cluster = Cluster::new("monitoring", 9).expect("bundled preset");
        let mut s = Shell::new(cluster);
        let out = s.run("kubectl create deployment other --image=nginx --replicas=5", &MemFiles::default());
        assert_eq!(out.exit_code, 0, "{}", out.stderr);
        s.step(6 * MIN);
        (s, ())
    };
    assert_eq!(other.cluster().now(), shell.cluster().now());
    let mut cache = RangeCache::new();
    let storage = |s: &Shell| s.cluster().tsdb().expect("monitored").clone();
    let now = shell.cluster().now().0;
    check(&mut cache, &storage(&shell), now, "the lab");
    check(&mut cache, &storage(&other), now, "another lab at the same time");
    // A copy of a store made earlier: its clock is behind the cache's.
    let earlier = storage(&shell);
    let then = shell.cluster().now().0;
    shell.step(2 * MIN);
    check(&mut cache, &storage(&shell), shell.cluster().now().0, "the lab later");
    check(&mut cache, &earlier, then, "the lab as it was");
    // The same fixed window, read later then earlier: what the later store
    // holds after the earlier one's clock must not be kept for it.
    let fixed = Some((then - 10 * MIN, then + MIN));
    check_over(&mut cache, &storage(&shell), shell.cluster().now().0, fixed, "a fixed window later");
    check_over(&mut cache, &earlier, then, fixed, "a fixed window as it was");
    // A store that dropped samples (a short retention) is another past.
    let mut trimmed = storage(&shell);
    trimmed.set_retention(Some(2 * MIN));
    trimmed.truncate_before(shell.cluster().now().0 - 3 * MIN);
    check(&mut cache, &trimmed, shell.cluster().now().0, "after retention");
}

#[test]
fn cluster_overview_panels_through_the_cache_equal_a_plain_run() {
    let (mut shell, _) = lab();
    let dash = builtin::all().into_iter().find(|d| d.uid == "kubeplay-cluster").expect("cluster overview");
    let mut cache = RangeCache::new();
    for ms in [0, 5_000, 7_500, 5_000, 40_000] {
        shell.step(ms);
        let cluster = shell.cluster();
        let now = cluster.now().0;
        cache.begin(cluster.tsdb().expect("monitored"), now);
        for p in layout::all_panels(&dash).into_iter().filter(|p| !matches!(p.kind.as_str(), "text" | "row")) {
            let window = Window { from_ms: now - 60 * MIN, to_ms: now, max_data_points: 700 };
            let plain = run(cluster, p, &[], window);
            let cached = run_with(cluster, p, &[], window, Some(&mut cache));
            assert_eq!(format!("{cached:?}"), format!("{plain:?}"), "{} after +{ms} ms", p.title);
        }
        cache.finish();
    }
}
