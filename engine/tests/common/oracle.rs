//! Side by side with real Prometheus: the same samples loaded into a real
//! Prometheus 2.42 (through OpenMetrics and `promtool tsdb
//! create-blocks-from openmetrics`) and into our [`Storage`], the same
//! queries asked of both, the answers compared.
//!
//! Call [`side_by_side`] with any store: `prometheus_oracle.rs` feeds it a
//! synthetic one ([`synthetic_storage`]), and a store scraped from a
//! simulated cluster can be fed the same way.
//!
//! What "the same" means:
//! - labels exactly, series order ignored for instant vectors (Prometheus
//!   leaves it unspecified) and by label order for matrices;
//! - values within a relative 1e-6 (with 1e-12 absolute for values that
//!   cancel to about zero), NaN equal to NaN, infinities by sign;
//! - an error on one side must be an error on the other (their words may
//!   differ: our parser is not Prometheus's);
//! - staleness markers cannot travel through OpenMetrics, so ours answers
//!   over a copy of the store without them, and both sides see a stopped
//!   series fade out with the 5-minute lookback.
//!
//! Prometheus 2.42 closes ranges on the left (`[t-r, t]`), 3.x (whose rules
//! we follow) opens them (`(t-r, t]`): evaluation times must never fall on
//! a sample's timestamp, or the two may pick different samples, nor on a
//! subquery's step (multiples of its resolution since the Unix epoch). The
//! synthetic store samples at `.217` past the second and the times asked are
//! whole seconds off the whole minute.
//!
//! One more difference between the versions is not avoidable by timing:
//! when a counter's first sample in a `rate`/`increase` window lies more
//! than 1.1 scrape intervals after the window's start, 2.42 weighs the
//! extrapolation towards zero before the half-interval rule and 3.x after
//! it; the two differ when the counter's first value is between half and
//! 1.1 of one interval's increase (a series that was born small inside the
//! window). The synthetic store keeps out of that band (its counters start
//! large, its new pod was scraped late); a store that enters it shows
//! mismatches on such `rate`s, which are the versions' and not ours.

use super::real_prometheus::{installed, RealPrometheus};
use engine::prometheus_api;
use engine::promql::{self, is_stale, Labels, Storage, Value, METRIC_NAME};
use serde_json::Value as Json;

/// A query answer reduced to what is compared.
#[derive(Debug)]
enum Answer {
    Scalar(f64),
    Str(String),
    Vector(Vec<(Labels, f64)>),
    Matrix(Vec<(Labels, Vec<(i64, f64)>)>),
    Error(String),
}

/// What a comparison found.
#[derive(Debug, Default)]
pub struct Report {
    /// Query evaluations compared (instant and range).
    pub compared: usize,
    /// Of those, how many returned samples on both sides (not errors, not
    /// empty): the ones that say something.
    pub non_empty: usize,
    /// One line per disagreement.
    pub mismatches: Vec<String>,
}

/// Whether the real programs can be used. Missing ones fail the test with
/// a clear message, unless `KUBEPLAY_NO_PROMETHEUS=1` says to skip.
pub fn prometheus_or_skip() -> bool {
    if installed() {
        return true;
    }
    if std::env::var("KUBEPLAY_NO_PROMETHEUS").as_deref() == Ok("1") {
        eprintln!("prometheus or promtool not on PATH; skipped because KUBEPLAY_NO_PROMETHEUS=1");
        return false;
    }
    panic!(
        "the side-by-side test needs the real `prometheus` and `promtool` (2.42, Debian's `prometheus` package) on PATH; \
         install them, or set KUBEPLAY_NO_PROMETHEUS=1 to skip this test knowingly"
    );
}

/// The store without staleness markers: what the real server holds after
/// the OpenMetrics round trip.
pub fn without_stale_markers(storage: &Storage) -> Storage {
    let mut out = Storage::new();
    for s in storage.series() {
        for (t, v) in s.samples() {
            if !is_stale(v) {
                out.append(&s.labels, t, v);
            }
        }
    }
    out
}

/// Loads `storage` into a real Prometheus and asks both every query at
/// every instant and over every `(start, end, step)` range (all in ms).
/// Range queries are skipped for queries whose type a range query refuses
/// only when both sides refuse them.
pub fn side_by_side(
    storage: &Storage,
    queries: &[&str],
    instants: &[i64],
    ranges: &[(i64, i64, i64)],
) -> Result<Report, String> {
    let real = RealPrometheus::start(storage)?;
    let ours = without_stale_markers(storage);
    let mut report = Report::default();
    for q in queries {
        for &t in instants {
            let (_, body) = real.query(q, t)?;
            let theirs = parse_answer(&body)?;
            let mine = match promql::instant(&ours, q, t) {
                Ok(v) => from_value(v),
                Err(e) => Answer::Error(e.0),
            };
            record(&mut report, &format!("instant {q} @{}", t as f64 / 1000.0), &mine, &theirs);
        }
        for &(start, end, step) in ranges {
            let (_, body) = real.query_range(q, start, end, step)?;
            let theirs = parse_answer(&body)?;
            let mine = match promql::range(&ours, q, start, end, step) {
                Ok(m) => Answer::Matrix(m.into_iter().map(|s| (s.labels, s.points)).collect()),
                Err(e) => Answer::Error(e.0),
            };
            record(
                &mut report,
                &format!("range {q} [{}..{} step {}s]", start as f64 / 1000.0, end as f64 / 1000.0, step / 1000),
                &mine,
                &theirs,
            );
        }
    }
    Ok(report)
}

/// Loads `storage` into a real Prometheus and checks that our API bodies
/// are byte for byte the server's for each `(query, time)`: meant for
/// queries whose values are stored samples or literals, where no rounding
/// can differ.
pub fn same_bodies(
    storage: &Storage,
    instant: &[(&str, i64)],
    ranges: &[(&str, i64, i64, i64)],
) -> Result<Vec<String>, String> {
    let real = RealPrometheus::start(storage)?;
    let ours = without_stale_markers(storage);
    let mut diffs = Vec::new();
    for &(q, t) in instant {
        let (status, body) = real.query(q, t)?;
        let mine = prometheus_api::query(&ours, q, t);
        if (mine.status, mine.body.as_str()) != (status, body.as_str()) {
            diffs.push(format!("query {q} @{t}:\n  ours   {} {}\n  theirs {status} {body}", mine.status, mine.body));
        }
    }
    for &(q, start, end, step) in ranges {
        let (status, body) = real.query_range(q, start, end, step)?;
        let mine = prometheus_api::query_range(&ours, q, start, end, step);
        if (mine.status, mine.body.as_str()) != (status, body.as_str()) {
            diffs.push(format!("query_range {q}:\n  ours   {} {}\n  theirs {status} {body}", mine.status, mine.body));
        }
    }
    Ok(diffs)
}

fn record(report: &mut Report, what: &str, mine: &Answer, theirs: &Answer) {
    report.compared += 1;
    match differs(mine, theirs) {
        Some(why) => report.mismatches.push(format!("{what}: {why}")),
        None => {
            let non_empty = match theirs {
                Answer::Vector(v) => !v.is_empty(),
                Answer::Matrix(m) => !m.is_empty(),
                Answer::Error(_) => false,
                _ => true,
            };
            report.non_empty += usize::from(non_empty);
        }
    }
}

fn from_value(v: Value) -> Answer {
    match v {
        Value::Scalar { v, .. } => Answer::Scalar(v),
        Value::String { s, .. } => Answer::Str(s),
        Value::Vector(samples) => Answer::Vector(samples.into_iter().map(|s| (s.labels, s.v)).collect()),
        Value::Matrix(m) => Answer::Matrix(m.into_iter().map(|s| (s.labels, s.points)).collect()),
    }
}

fn close(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a.is_infinite() || b.is_infinite() {
        return a == b;
    }
    let diff = (a - b).abs();
    diff <= 1e-6 * a.abs().max(b.abs()) || diff <= 1e-12
}

fn show(l: &Labels) -> String {
    let s = promql::format_labels(l);
    if s.is_empty() {
        "{}".into()
    } else {
        s
    }
}

/// Why two answers differ, or `None` when they agree.
fn differs(mine: &Answer, theirs: &Answer) -> Option<String> {
    match (mine, theirs) {
        (Answer::Error(_), Answer::Error(_)) => None,
        (Answer::Scalar(a), Answer::Scalar(b)) => (!close(*a, *b)).then(|| format!("scalar {a} vs {b}")),
        (Answer::Str(a), Answer::Str(b)) => (a != b).then(|| format!("string {a:?} vs {b:?}")),
        (Answer::Vector(a), Answer::Vector(b)) => {
            let mut a: Vec<_> = a.iter().collect();
            let mut b: Vec<_> = b.iter().collect();
            a.sort_by(|x, y| x.0.cmp(&y.0));
            b.sort_by(|x, y| x.0.cmp(&y.0));
            if a.len() != b.len() {
                let names = |v: &[&(Labels, f64)]| v.iter().map(|(l, _)| show(l)).collect::<Vec<_>>().join(" ");
                return Some(format!(
                    "{} samples vs {}: ours [{}] theirs [{}]",
                    a.len(),
                    b.len(),
                    names(&a),
                    names(&b)
                ));
            }
            a.iter().zip(&b).find_map(|((la, va), (lb, vb))| {
                if la != lb {
                    Some(format!("labels {} vs {}", show(la), show(lb)))
                } else if !close(*va, *vb) {
                    Some(format!("{} = {va} vs {vb}", show(la)))
                } else {
                    None
                }
            })
        }
        (Answer::Matrix(a), Answer::Matrix(b)) => {
            let mut a: Vec<_> = a.iter().collect();
            let mut b: Vec<_> = b.iter().collect();
            a.sort_by(|x, y| x.0.cmp(&y.0));
            b.sort_by(|x, y| x.0.cmp(&y.0));
            if a.len() != b.len() {
                let names =
                    |v: &[&(Labels, Vec<(i64, f64)>)]| v.iter().map(|(l, _)| show(l)).collect::<Vec<_>>().join(" ");
                return Some(format!("{} series vs {}: ours [{}] theirs [{}]", a.len(), b.len(), names(&a), names(&b)));
            }
            a.iter().zip(&b).find_map(|((la, pa), (lb, pb))| {
                if la != lb {
                    return Some(format!("labels {} vs {}", show(la), show(lb)));
                }
                if pa.len() != pb.len() {
                    return Some(format!(
                        "{}: {} points vs {} (ours {:?}.. theirs {:?}..)",
                        show(la),
                        pa.len(),
                        pb.len(),
                        pa.first(),
                        pb.first()
                    ));
                }
                pa.iter().zip(pb).find_map(|((ta, va), (tb, vb))| {
                    (ta != tb || !close(*va, *vb)).then(|| format!("{} at {ta}: {va} vs {tb}: {vb}", show(la)))
                })
            })
        }
        (a, b) => Some(format!("ours {} vs theirs {}", kind(a), kind(b))),
    }
}

fn kind(a: &Answer) -> String {
    match a {
        Answer::Scalar(v) => format!("scalar {v}"),
        Answer::Str(s) => format!("string {s:?}"),
        Answer::Vector(v) => format!("vector of {}", v.len()),
        Answer::Matrix(m) => format!("matrix of {}", m.len()),
        Answer::Error(e) => format!("error {e:?}"),
    }
}

fn number(v: &Json) -> Result<f64, String> {
    match v.as_str() {
        Some("NaN") => Ok(f64::NAN),
        Some("+Inf") => Ok(f64::INFINITY),
        Some("-Inf") => Ok(f64::NEG_INFINITY),
        Some(s) => s.parse().map_err(|_| format!("bad value {s:?}")),
        None => Err(format!("value is not a string: {v}")),
    }
}

fn millis(v: &Json) -> Result<i64, String> {
    v.as_f64().map(|s| (s * 1000.0).round() as i64).ok_or_else(|| format!("bad timestamp {v}"))
}

fn labels(v: &Json) -> Result<Labels, String> {
    let map = v.as_object().ok_or("metric is not an object")?;
    map.iter().map(|(k, v)| Ok((k.clone(), v.as_str().ok_or("label value is not a string")?.to_string()))).collect()
}

fn pair(v: &Json) -> Result<(i64, f64), String> {
    let arr = v.as_array().filter(|a| a.len() == 2).ok_or_else(|| format!("bad point {v}"))?;
    Ok((millis(&arr[0])?, number(&arr[1])?))
}

/// A real API body as an [`Answer`].
fn parse_answer(body: &str) -> Result<Answer, String> {
    let json: Json = serde_json::from_str(body).map_err(|e| format!("unreadable answer {body:?}: {e}"))?;
    if json["status"] != "success" {
        return Ok(Answer::Error(json["error"].as_str().unwrap_or_default().to_string()));
    }
    let result = &json["data"]["result"];
    let items = || result.as_array().ok_or_else(|| format!("result is not an array: {body}"));
    match json["data"]["resultType"].as_str() {
        Some("scalar") => Ok(Answer::Scalar(pair(result)?.1)),
        Some("string") => Ok(Answer::Str(result[1].as_str().unwrap_or_default().to_string())),
        Some("vector") => Ok(Answer::Vector(
            items()?
                .iter()
                .map(|s| Ok((labels(&s["metric"])?, pair(&s["value"])?.1)))
                .collect::<Result<_, String>>()?,
        )),
        Some("matrix") => Ok(Answer::Matrix(
            items()?
                .iter()
                .map(|s| {
                    let points = s["values"].as_array().ok_or("values is not an array")?;
                    Ok((labels(&s["metric"])?, points.iter().map(pair).collect::<Result<_, String>>()?))
                })
                .collect::<Result<_, String>>()?,
        )),
        other => Err(format!("unknown result type {other:?}")),
    }
}

/// A tiny deterministic generator, so the synthetic store is the same on
/// every run without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn l(pairs: &[(&str, &str)]) -> Labels {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// The first sample's time: the playground's epoch plus 3.217 s, so no
/// sample sits on a whole second.
pub const FIRST_SAMPLE_MS: i64 = engine::EPOCH.0 + 3_217;

/// Two hours of a small monitored cluster, scraped every 15 s (with a few
/// ms of jitter, as real scrapes have): node-exporter CPU counters (one
/// node's counters reset when it reboots), memory and load gauges, `up`
/// (one node down for a while), kube-state-metrics restart counters (one
/// pod deleted part-way: its series stops, its replacement starts),
/// apiserver request-duration histograms, request counters that reset when
/// their pod restarts, `kube_pod_info` for joins, and a label value that
/// needs escaping.
pub fn synthetic_storage() -> Storage {
    const STEPS: i64 = 2 * 60 * 4 + 1;
    let mut s = Storage::new();
    let mut rng = Rng(0x5eed_cafe_f00d_0001);
    let nodes = ["m-k8s:9100", "w1-k8s:9100", "w2-k8s:9100", "w3-k8s:9100"];
    let modes: [(&str, f64); 8] = [
        ("idle", 0.80),
        ("user", 0.10),
        ("system", 0.05),
        ("iowait", 0.02),
        ("irq", 0.005),
        ("softirq", 0.01),
        ("steal", 0.0),
        ("nice", 0.015),
    ];
    // The nodes booted three days ago, so their counters start large. w3
    // reboots quickly at step 300: its counters restart from zero with no
    // scrape missed. m-k8s is unreachable for 8 scrapes (up = 0 and no
    // node-exporter samples), its counters going on meanwhile.
    let reboot = 300;
    let down = 200..208;
    for (n, node) in nodes.iter().enumerate() {
        let mut cpu_totals = [[0.0f64; 8]; 2];
        for totals in cpu_totals.iter_mut() {
            for (m, (_, share)) in modes.iter().enumerate() {
                totals[m] = (3.0 * 86_400.0 * *share * 100.0_f64).round() / 100.0;
            }
        }
        let mut mem = 6e9 - n as f64 * 5e8;
        let total_mem = 8_000_000_000.0 - n as f64 * 1e9;
        for step in 0..STEPS {
            let t = FIRST_SAMPLE_MS + step * 15_000 + (rng.next() * 40.0) as i64;
            let is_down = n == 0 && down.contains(&step);
            let up = l(&[(METRIC_NAME, "up"), ("instance", node), ("job", "kubernetes-nodes")]);
            s.append(&up, t, if is_down { 0.0 } else { 1.0 });
            if is_down {
                continue;
            }
            if n == 3 && step == reboot {
                cpu_totals = [[0.0; 8]; 2];
            }
            let busy = 0.5 + 0.5 * ((step as f64) / 40.0 + n as f64).sin();
            for (cpu, totals) in cpu_totals.iter_mut().enumerate() {
                let cpu_name = cpu.to_string();
                for (m, (mode, share)) in modes.iter().enumerate() {
                    let share = if *mode == "idle" { share - 0.3 * busy } else { share * (1.0 + 2.0 * busy) };
                    totals[m] += 15.0 * share * (0.9 + 0.2 * rng.next());
                    let labels = l(&[
                        (METRIC_NAME, "node_cpu_seconds_total"),
                        ("cluster", "kubeplay"),
                        ("cpu", &cpu_name),
                        ("instance", node),
                        ("job", "kubernetes-nodes"),
                        ("mode", mode),
                    ]);
                    // Counters are exported with two decimals, as
                    // node-exporter's USER_HZ ticks make them.
                    s.append(&labels, t, (totals[m] * 100.0).round() / 100.0);
                }
            }
            mem += (rng.next() - 0.55) * 2e7;
            let node_labels = |name: &str| l(&[(METRIC_NAME, name), ("instance", node), ("job", "kubernetes-nodes")]);
            s.append(&node_labels("node_memory_MemAvailable_bytes"), t, mem.round());
            s.append(&node_labels("node_memory_MemTotal_bytes"), t, total_mem);
            s.append(&node_labels("node_load1"), t, ((busy * 1.6 + rng.next() * 0.3) * 100.0).round() / 100.0);
        }
    }
    // kube-state-metrics.
    let pods = [
        ("kube-system", "coredns-7db6d8ff4d-abcde", "coredns", 0.004),
        ("kube-system", "coredns-7db6d8ff4d-fghij", "coredns", 0.0),
        ("kube-system", "calico-node-x1", "calico-node", 0.01),
        ("default", "web-5d9c7b-aaaaa", "nginx", 0.02),
        ("default", "web-5d9c7b-bbbbb", "nginx", 0.0),
        ("default", "crashy-0", "app", 0.08),
    ];
    for (p, (ns, pod, container, chance)) in pods.iter().enumerate() {
        let mut restarts = 0.0;
        let mut requests = [0.0f64; 2];
        for step in 0..STEPS {
            // The second web pod is deleted after 70 minutes; its series
            // stop and a replacement's begin.
            let pod = if p == 4 && step >= 280 { "web-5d9c7b-ccccc" } else { pod };
            let t = FIRST_SAMPLE_MS + 5_000 + step * 15_000 + (rng.next() * 30.0) as i64;
            let restarted = rng.next() < *chance;
            if restarted {
                restarts += 1.0;
            }
            if p == 4 && step == 280 {
                // The old pod's series end as Prometheus ends them when a
                // target goes: with a staleness marker.
                let old = l(&[
                    (METRIC_NAME, "kube_pod_container_status_restarts_total"),
                    ("container", container),
                    ("job", "kube-state-metrics"),
                    ("namespace", ns),
                    ("pod", "web-5d9c7b-bbbbb"),
                ]);
                s.append(&old, t, promql::stale_marker());
                restarts = 0.0;
                // The new pod served a few scrapes' worth of requests
                // before its first scrape.
                requests = [450.0, 9.0];
            }
            let labels = l(&[
                (METRIC_NAME, "kube_pod_container_status_restarts_total"),
                ("container", container),
                ("job", "kube-state-metrics"),
                ("namespace", ns),
                ("pod", pod),
                ("uid", ""),
            ]);
            s.append(&labels, t, restarts);
            let node = format!("w{}-k8s", p % 3 + 1);
            let info = l(&[(METRIC_NAME, "kube_pod_info"), ("namespace", ns), ("node", &node), ("pod", pod)]);
            s.append(&info, t, 1.0);
            if *ns == "default" {
                // The app's own counter starts over whenever it restarts.
                if restarted {
                    requests = [0.0; 2];
                }
                for (c, code) in ["200", "500"].iter().enumerate() {
                    requests[c] += (if c == 0 { 150.0 } else { 3.0 }) * (0.5 + rng.next());
                    let labels =
                        l(&[(METRIC_NAME, "http_requests_total"), ("code", code), ("namespace", ns), ("pod", pod)]);
                    s.append(&labels, t, requests[c].floor());
                }
            }
        }
    }
    // The API server's request-duration histogram.
    let bounds = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"];
    for (v, verb) in ["GET", "LIST", "POST"].iter().enumerate() {
        let mut buckets = [0.0f64; 7];
        let mut sum = 0.0;
        for step in 0..STEPS {
            let t = FIRST_SAMPLE_MS + 9_000 + step * 15_000 + (rng.next() * 30.0) as i64;
            for _ in 0..(20 + v * 10) {
                let d = rng.next().powi(3) * (0.3 + v as f64);
                sum += d;
                for (b, bound) in bounds.iter().enumerate() {
                    let le: f64 = if *bound == "+Inf" { f64::INFINITY } else { bound.parse().unwrap_or(0.0) };
                    if d <= le {
                        buckets[b] += 1.0;
                    }
                }
            }
            for (b, bound) in bounds.iter().enumerate() {
                let labels =
                    l(&[(METRIC_NAME, "apiserver_request_duration_seconds_bucket"), ("le", bound), ("verb", verb)]);
                s.append(&labels, t, buckets[b]);
            }
            let name = |n: &str| l(&[(METRIC_NAME, n), ("verb", verb)]);
            s.append(&name("apiserver_request_duration_seconds_sum"), t, sum);
            s.append(&name("apiserver_request_duration_seconds_count"), t, buckets[6]);
        }
    }
    // A label value with a quote, a backslash and a newline, and a gauge
    // that is sometimes NaN or infinite.
    let odd = l(&[(METRIC_NAME, "probe_value"), ("path", "/a\"b\\c\nd")]);
    for step in 0..STEPS {
        let t = FIRST_SAMPLE_MS + 11_000 + step * 15_000;
        let v = match step % 50 {
            7 => f64::NAN,
            8 => f64::INFINITY,
            _ => (step % 13) as f64 * 0.25 - 1.0,
        };
        s.append(&odd, t, v);
    }
    s
}
