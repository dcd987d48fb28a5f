//! The lab's Prometheus server: every 15 seconds it scrapes its targets
//! into its time-series store, with `up` and the scrape's own series, and
//! marks stale what a target stopped exposing or what vanished with its
//! target, as Prometheus does. It scrapes only while its pod runs.

use super::counters::Counters;
use super::exporters::{Exporter, Scene};
use super::exposition;
use super::promql::{stale_marker, Labels, Storage};
use super::resource::RESOLUTION;
use super::scrape::{self, Target};
use crate::api::Kind;
use crate::network::load::Source;
use crate::network::Fabric;
use crate::time::{Millis, Time};
use std::collections::{BTreeMap, BTreeSet};

/// Where the server runs: its namespace and the label of its pods.
pub const NAMESPACE: &str = "monitoring";
const APP: &str = "prometheus";

/// The scrape interval.
pub const INTERVAL: Millis = RESOLUTION;

/// The monitoring stack's state outside the API.
#[derive(Clone, Debug)]
pub struct Monitoring {
    /// What Prometheus stored.
    pub storage: Storage,
    /// The counters exporters serve.
    pub counters: Counters,
    /// Each target's series at its last scrape, by scrape URL.
    last: BTreeMap<String, BTreeSet<Labels>>,
    /// Samples appended so far.
    appended: u64,
}

impl Monitoring {
    /// A stack whose counters start at `now`.
    pub fn new(now: Time) -> Monitoring {
        Monitoring { storage: Storage::new(), counters: Counters::new(now), last: BTreeMap::new(), appended: 0 }
    }

    /// When the next scrape is due.
    pub fn next_due(&self) -> Time {
        self.counters.at.plus(INTERVAL)
    }

    /// Moves the counters to `now` and, if the server runs, scrapes.
    pub fn tick(&mut self, fabric: &Fabric, requests: &crate::apiserver::requests::Requests, traffic: &[Source]) {
        self.counters.advance(fabric.store, fabric.now, traffic);
        self.counters.prune(fabric.store);
        if !server_runs(fabric) {
            return;
        }
        let mut targets = scrape::targets(fabric);
        targets.push(Target {
            labels: BTreeMap::from([("job".into(), "prometheus".into()), ("instance".into(), "localhost:9090".into())]),
            exporter: Exporter::Prometheus,
            node: String::new(),
            pod: None,
            error: None,
            url: "http://localhost:9090/metrics".into(),
        });
        let scene = Scene {
            store: fabric.store,
            now: fabric.now,
            counters: &self.counters,
            requests,
            network: fabric.network,
            tsdb: (self.storage.series().len(), self.appended),
        };
        let mut batches = Vec::new();
        let mut seen = BTreeSet::new();
        for target in &targets {
            let at = fabric.now.0 - offset(&target.url);
            seen.insert(target.url.clone());
            let families = match (&target.error, fabric.store.get(Kind::Node, "", &target.node)) {
                (None, Some(node)) => {
                    node.as_node().map(|n| target.exporter.families(&scene, n, scrape::pod(fabric, target)))
                }
                (None, None) if target.exporter == Exporter::Prometheus => {
                    Some(target.exporter.families(&scene, &Default::default(), None))
                }
                _ => None,
            };
            let samples: Vec<(Labels, f64)> =
                families.as_deref().map(|f| exposition::samples(f, &target.labels).collect()).unwrap_or_default();
            batches.push((target.url.clone(), target.labels.clone(), at, samples, target.error.is_none()));
        }
        for (url, labels, at, samples, up) in batches {
            self.append_scrape(&url, &labels, at, samples, up);
        }
        // Targets gone since the last scrape: their series end here.
        let gone: Vec<String> = self.last.keys().filter(|u| !seen.contains(*u)).cloned().collect();
        for url in gone {
            for series in self.last.remove(&url).into_iter().flatten() {
                self.storage.append(&series, fabric.now.0, stale_marker());
            }
        }
    }

    /// One target's scrape: its samples, the scrape's own series, and stale
    /// markers for what it no longer exposes.
    fn append_scrape(&mut self, url: &str, target: &Labels, at: i64, samples: Vec<(Labels, f64)>, up: bool) {
        let scraped = samples.len() as f64;
        let mut now_seen = BTreeSet::new();
        let previous = self.last.remove(url).unwrap_or_default();
        let added = samples.iter().filter(|(l, _)| !previous.contains(l)).count() as f64;
        for (labels, v) in samples {
            self.storage.append(&labels, at, v);
            now_seen.insert(labels);
        }
        for (name, v) in [
            ("up", if up { 1.0 } else { 0.0 }),
            ("scrape_duration_seconds", if up { 0.004 + scraped * 0.000_02 } else { 10.0 }),
            ("scrape_samples_scraped", scraped),
            ("scrape_samples_post_metric_relabeling", scraped),
            ("scrape_series_added", added),
        ] {
            let mut labels = target.clone();
            labels.insert(super::promql::METRIC_NAME.into(), name.into());
            self.storage.append(&labels, at, v);
            now_seen.insert(labels);
        }
        for series in previous.difference(&now_seen) {
            self.storage.append(series, at, stale_marker());
        }
        self.appended += now_seen.len() as u64;
        self.last.insert(url.to_string(), now_seen);
    }
}

/// Whether a Prometheus server pod runs.
pub fn server_runs(fabric: &Fabric) -> bool {
    fabric.store.list(Kind::Pod, Some(NAMESPACE)).filter_map(|o| o.as_pod()).any(|p| {
        p.metadata.labels.as_ref().and_then(|l| l.get("app.kubernetes.io/name")).is_some_and(|a| a == APP)
            && p.metadata.deletion_timestamp.is_none()
            && p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| fabric.node_up(n))
            && super::counters::container_id(p, "prometheus").is_some()
    })
}

/// Prometheus spreads its targets over the interval by a hash of each;
/// a sample's time is its target's place in the interval just ended.
fn offset(url: &str) -> Millis {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in url.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % INTERVAL as u64) as Millis
}
