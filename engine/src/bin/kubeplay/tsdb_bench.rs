//! `kubeplay bench tsdb`: how much memory the PromQL store takes for a
//! node-exporter-like data set, and how fast it answers the queries a
//! dashboard asks. The data is made up here, seeded, so two runs (or two
//! versions of the store) see the same samples.

use engine::promql::{self, Labels, Storage, METRIC_NAME};
use std::time::Instant;

/// What the benchmark is asked to load.
struct Plan {
    nodes: usize,
    hours: u64,
}

/// One series' labels and how its value moves each scrape.
struct Feed {
    labels: Labels,
    kind: Kind,
    value: f64,
}

/// The shapes node-exporter's series have.
#[derive(Clone, Copy)]
enum Kind {
    /// Never changes (sizes, boot time).
    Constant,
    /// A counter growing by about `rate` per second, in steps of `unit`
    /// (CPU seconds come in 1/100 s, bytes in whole bytes).
    Counter { rate: f64, unit: f64 },
    /// A gauge wandering by up to `step` each scrape, in steps of `unit`,
    /// kept within `[lo, hi]`.
    Gauge { step: f64, unit: f64, lo: f64, hi: f64 },
    /// The scrape's own time in seconds.
    Clock,
}

/// xorshift64*: deterministic and quick; the bench needs no better.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

const SCRAPE_MS: i64 = 15_000;
/// 2026-01-01T09:00:00Z, the engine's epoch.
const START_MS: i64 = 1_767_258_000_000;

fn labels(name: &str, instance: &str, extra: &[(&str, &str)]) -> Labels {
    let mut l: Labels = [(METRIC_NAME, name), ("instance", instance), ("job", "node-exporter")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in extra {
        l.insert(k.to_string(), v.to_string());
    }
    l
}

/// Sixty series per node, in the proportions a small node-exporter has.
fn node_feeds(node: usize, rng: &mut Rng) -> Vec<Feed> {
    let instance = format!("node-{node:04}:9100");
    let mut out = Vec::with_capacity(60);
    let mut add = |labels: Labels, kind: Kind, value: f64| out.push(Feed { labels, kind, value });
    let cpu_modes = [
        ("idle", 0.8),
        ("user", 0.12),
        ("system", 0.05),
        ("iowait", 0.01),
        ("irq", 0.0),
        ("softirq", 0.004),
        ("steal", 0.0),
        ("nice", 0.0),
    ];
    for cpu in ["0", "1"] {
        for (mode, rate) in cpu_modes {
            let start = (rng.next() * 1e6 * rate).round() / 100.0;
            add(
                labels("node_cpu_seconds_total", &instance, &[("cpu", cpu), ("mode", mode)]),
                Kind::Counter { rate, unit: 0.01 },
                start,
            );
        }
    }
    let gib = 1024.0 * 1024.0 * 1024.0;
    add(labels("node_memory_MemTotal_bytes", &instance, &[]), Kind::Constant, 16.0 * gib);
    add(labels("node_memory_SwapTotal_bytes", &instance, &[]), Kind::Constant, 0.0);
    add(labels("node_memory_SwapFree_bytes", &instance, &[]), Kind::Constant, 0.0);
    for (name, mid) in [
        ("node_memory_MemFree_bytes", 4.0),
        ("node_memory_MemAvailable_bytes", 9.0),
        ("node_memory_Buffers_bytes", 0.5),
        ("node_memory_Cached_bytes", 5.0),
        ("node_memory_Active_bytes", 6.0),
        ("node_memory_Inactive_bytes", 3.0),
        ("node_memory_Dirty_bytes", 0.01),
    ] {
        let unit = 4096.0;
        let v = (mid * gib / unit).round() * unit;
        add(labels(name, &instance, &[]), Kind::Gauge { step: 64.0 * unit, unit, lo: 0.0, hi: 16.0 * gib }, v);
    }
    for name in ["node_load1", "node_load5", "node_load15"] {
        add(labels(name, &instance, &[]), Kind::Gauge { step: 0.2, unit: 0.01, lo: 0.0, hi: 8.0 }, 0.5);
    }
    for (device, mount) in [("/dev/sda1", "/"), ("/dev/sdb1", "/var/lib/kubelet")] {
        let extra = [("device", device), ("mountpoint", mount), ("fstype", "ext4")];
        add(labels("node_filesystem_size_bytes", &instance, &extra), Kind::Constant, 100.0 * gib);
        add(labels("node_filesystem_files", &instance, &extra), Kind::Constant, 6_553_600.0);
        let g = Kind::Gauge { step: 1024.0 * 4096.0, unit: 4096.0, lo: 0.0, hi: 100.0 * gib };
        add(labels("node_filesystem_avail_bytes", &instance, &extra), g, 60.0 * gib);
        add(labels("node_filesystem_free_bytes", &instance, &extra), g, 65.0 * gib);
    }
    for device in ["eth0", "cali0"] {
        let extra = [("device", device)];
        add(
            labels("node_network_receive_bytes_total", &instance, &extra),
            Kind::Counter { rate: 200_000.0, unit: 1.0 },
            rng.next() * 1e10,
        );
        add(
            labels("node_network_transmit_bytes_total", &instance, &extra),
            Kind::Counter { rate: 150_000.0, unit: 1.0 },
            rng.next() * 1e10,
        );
        add(
            labels("node_network_receive_packets_total", &instance, &extra),
            Kind::Counter { rate: 300.0, unit: 1.0 },
            (rng.next() * 1e8).round(),
        );
        add(
            labels("node_network_transmit_packets_total", &instance, &extra),
            Kind::Counter { rate: 250.0, unit: 1.0 },
            (rng.next() * 1e8).round(),
        );
    }
    let sda = [("device", "sda")];
    add(
        labels("node_disk_read_bytes_total", &instance, &sda),
        Kind::Counter { rate: 50_000.0, unit: 512.0 },
        (rng.next() * 1e7).round() * 512.0,
    );
    add(
        labels("node_disk_written_bytes_total", &instance, &sda),
        Kind::Counter { rate: 400_000.0, unit: 512.0 },
        (rng.next() * 1e7).round() * 512.0,
    );
    add(
        labels("node_disk_io_time_seconds_total", &instance, &sda),
        Kind::Counter { rate: 0.02, unit: 0.001 },
        (rng.next() * 1e6).round() / 1000.0,
    );
    add(
        labels("node_disk_reads_completed_total", &instance, &sda),
        Kind::Counter { rate: 10.0, unit: 1.0 },
        (rng.next() * 1e6).round(),
    );
    add(labels("node_boot_time_seconds", &instance, &[]), Kind::Constant, 1_767_000_000.0);
    add(labels("node_time_seconds", &instance, &[]), Kind::Clock, 0.0);
    for (name, rate) in
        [("node_context_switches_total", 3000.0), ("node_intr_total", 2000.0), ("node_forks_total", 5.0)]
    {
        add(labels(name, &instance, &[]), Kind::Counter { rate, unit: 1.0 }, (rng.next() * 1e9).round());
    }
    for (name, step, hi) in [
        ("node_procs_running", 2.0, 16.0),
        ("node_procs_blocked", 1.0, 4.0),
        ("node_entropy_available_bits", 10.0, 4096.0),
        ("node_filefd_allocated", 20.0, 100_000.0),
        ("node_sockstat_TCP_inuse", 5.0, 10_000.0),
        ("node_nf_conntrack_entries", 30.0, 100_000.0),
    ] {
        add(labels(name, &instance, &[]), Kind::Gauge { step, unit: 1.0, lo: 0.0, hi }, (hi / 4.0).round());
    }
    out
}

/// `v` rounded to a multiple of `unit`, computed as an exporter prints
/// it: a fraction is whole ticks divided (node-exporter divides CPU ticks
/// by 100), anything else whole units multiplied.
fn quantize(v: f64, unit: f64) -> f64 {
    if unit < 1.0 {
        let per = (1.0 / unit).round();
        (v * per).round() / per
    } else {
        (v / unit).round() * unit
    }
}

impl Feed {
    /// The value at the next scrape.
    fn advance(&mut self, t_ms: i64, rng: &mut Rng) -> f64 {
        match self.kind {
            Kind::Constant => {}
            Kind::Counter { rate, unit } => {
                let grow = rate * 15.0 * (0.5 + rng.next());
                self.value = quantize(self.value + grow, unit);
            }
            Kind::Gauge { step, unit, lo, hi } => {
                let moved = self.value + (rng.next() - 0.5) * 2.0 * step;
                self.value = quantize(moved.clamp(lo, hi), unit);
            }
            Kind::Clock => self.value = t_ms as f64 / 1000.0,
        }
        self.value
    }
}

fn parse(args: &[String]) -> Result<Plan, String> {
    let mut plan = Plan { nodes: 5_000, hours: 2 };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), it.next().cloned()),
        };
        let Some(n) = value.and_then(|v| v.parse::<u64>().ok()) else {
            return Err(format!("{name} wants a whole number"));
        };
        match name.as_str() {
            "--nodes" => plan.nodes = n as usize,
            "--hours" => plan.hours = n,
            _ => return Err(format!("unknown flag {name}")),
        }
    }
    Ok(plan)
}

/// `kubeplay bench tsdb [--nodes N] [--hours H]`.
pub fn run(args: &[String]) -> i32 {
    let plan = match parse(args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kubeplay: {e}\nUsage: kubeplay bench tsdb [--nodes N] [--hours H]");
            return 2;
        }
    };
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut feeds: Vec<Feed> = (0..plan.nodes).flat_map(|n| node_feeds(n, &mut rng)).collect();
    let scrapes = (plan.hours * 3600 * 1000 / SCRAPE_MS as u64) as i64;
    let mut storage = Storage::new();
    let started = Instant::now();
    let mut samples: u64 = 0;
    for k in 0..scrapes {
        let t = START_MS + k * SCRAPE_MS;
        for f in feeds.iter_mut() {
            let v = f.advance(t, &mut rng);
            storage.append(&f.labels, t, v);
            samples += 1;
        }
    }
    let append = started.elapsed();
    println!(
        "tsdb: {} nodes x {} series, {} h at 15 s: {samples} samples in {:.2} s ({:.0} ns/sample)",
        plan.nodes,
        feeds.len() / plan.nodes.max(1),
        plan.hours,
        append.as_secs_f64(),
        append.as_nanos() as f64 / samples.max(1) as f64
    );
    if let Some((total, in_samples)) = store_bytes(&storage) {
        println!(
            "tsdb: {total} bytes in all ({:.2} bytes/sample); samples alone {in_samples} bytes ({:.2} bytes/sample)",
            total as f64 / samples.max(1) as f64,
            in_samples as f64 / samples.max(1) as f64
        );
    }
    print_stats(&storage);
    let end = START_MS + (scrapes - 1).max(0) * SCRAPE_MS;
    let q = "sum by (instance) (rate(node_cpu_seconds_total[5m]))";
    let (d, r) = crate::promql_bench::best_of(3, || promql::instant(&storage, q, end));
    let n = match r {
        Ok(promql::Value::Vector(v)) => v.len(),
        _ => 0,
    };
    println!("tsdb: instant {q}: {n} series in {:.1} ms", d.as_secs_f64() * 1000.0);
    let (d, r) = crate::promql_bench::best_of(1, || promql::range(&storage, q, end - 3_600_000, end, SCRAPE_MS));
    let n = r.map(|m| m.len()).unwrap_or(0);
    println!("tsdb: range 1h step 15s {q}: {n} series in {:.1} ms", d.as_secs_f64() * 1000.0);
    let q = "node_memory_MemFree_bytes{instance=\"node-0042:9100\"}";
    let (d, r) = crate::promql_bench::best_of(3, || promql::instant(&storage, q, end));
    let n = match r {
        Ok(promql::Value::Vector(v)) => v.len(),
        _ => 0,
    };
    println!("tsdb: instant {q}: {n} series in {:.3} ms", d.as_secs_f64() * 1000.0);
    0
}

/// Total bytes and bytes in samples, where the store reports them.
fn store_bytes(storage: &Storage) -> Option<(usize, usize)> {
    Some((storage.bytes(), storage.sample_bytes()))
}

/// Closed chunks against open ones, where the store reports them.
fn print_stats(storage: &Storage) {
    let st = storage.stats();
    let per = |b: usize, n: usize| b as f64 / n.max(1) as f64;
    println!(
        "tsdb: {} closed chunks, {} samples, {:.2} bytes/sample; open chunks {} samples, {:.2} bytes/sample",
        st.closed_chunks,
        st.closed_samples,
        per(st.closed_bytes, st.closed_samples),
        st.head_samples,
        per(st.head_bytes, st.head_samples)
    );
}
