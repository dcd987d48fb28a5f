//! The lab's Prometheus server: every 15 seconds it scrapes its targets
//! into its time-series store, with `up` and the scrape's own series, and
//! marks stale what a target stopped exposing or what vanished with its
//! target, as Prometheus does; then it evaluates the rule groups due and
//! hands the alerts to the Alertmanager, which posts to the class's chat.
//! It scrapes only while its pod runs. The rules are the
//! `prometheus-server` ConfigMap's files and the Alertmanager's
//! configuration the `alertmanager` ConfigMap's, reloaded when they change
//! (the chart's config-reloader sidecar does that); a file that does not
//! load leaves the previous rules in force, as a failed reload does.

use super::counters::Counters;
use super::exporters::{Exporter, Scene};
use super::exposition::{self, Family, Pairs};
use super::promql::{stale_marker, Labels, Storage};
use super::resource::RESOLUTION;
use super::rules::{self, Alertmanager, Notification, Rules};
use super::scrape::{self, Target};
use crate::api::Kind;
use crate::network::load::Source;
use crate::network::Fabric;
use crate::time::{Millis, Time};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Where the server runs: its namespace and the label of its pods.
pub const NAMESPACE: &str = "monitoring";
const APP: &str = "prometheus";

/// The scrape interval.
pub const INTERVAL: Millis = RESOLUTION;
/// How long samples are kept when the server's arguments do not say
/// (`--storage.tsdb.retention.time`): Prometheus's default, 15 days.
const RETENTION: Millis = 15 * 24 * 3600 * 1000;
/// `global.evaluation_interval` of the shipped configuration.
const EVALUATION_INTERVAL: Millis = 60_000;
/// The ConfigMaps the server and the Alertmanager read, and the key of
/// the scrape configuration (the other keys of the first are rule files).
const RULES_CONFIG: &str = "prometheus-server";
const SCRAPE_CONFIG_KEY: &str = "prometheus.yml";
const ALERTMANAGER_CONFIG: &str = "alertmanager";
const ALERTMANAGER_CONFIG_KEY: &str = "alertmanager.yml";

/// The monitoring stack's state outside the API.
#[derive(Clone, Debug)]
pub struct Monitoring {
    /// What Prometheus stored.
    pub storage: Storage,
    /// The counters exporters serve.
    pub counters: Counters,
    /// Each target's series at its last scrape (ids in the store, sorted),
    /// by scrape URL.
    last: BTreeMap<String, Vec<u64>>,
    /// Each target's series ids by the hash of the line that printed them.
    series_of: BTreeMap<String, HashMap<u64, u64>>,
    /// Samples appended so far.
    appended: u64,
    /// How long the store keeps samples.
    retention: Millis,
    rules: Rules,
    /// The resourceVersion of the rule ConfigMap last read, and why its
    /// files did not load, if they did not.
    rules_read: Option<String>,
    rules_error: Option<String>,
    /// The Alertmanager, once its configuration has loaded.
    alertmanager: Option<Alertmanager>,
    alertmanager_read: Option<String>,
    alertmanager_error: Option<String>,
    /// What the Alertmanager posted, oldest first.
    chat: Vec<Notification>,
}

impl Monitoring {
    /// A stack whose counters start at `now`.
    pub fn new(now: Time) -> Monitoring {
        let mut storage = Storage::new();
        storage.set_retention(Some(RETENTION));
        Monitoring {
            storage,
            counters: Counters::new(now),
            last: BTreeMap::new(),
            series_of: BTreeMap::new(),
            appended: 0,
            retention: RETENTION,
            rules: Rules::new(Vec::new(), EVALUATION_INTERVAL, now.0),
            rules_read: None,
            rules_error: None,
            alertmanager: None,
            alertmanager_read: None,
            alertmanager_error: None,
            chat: Vec::new(),
        }
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
            reloaded: self.config_errors().next().is_none(),
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
            batches.push((target, at, families));
        }
        for (target, at, families) in batches {
            let up = target.error.is_none();
            self.append_scrape(&target.url, &target.labels, at, families.as_deref().unwrap_or_default(), up);
        }
        // Targets gone since the last scrape: their series end here.
        let gone: Vec<String> = self.last.keys().filter(|u| !seen.contains(*u)).cloned().collect();
        for url in gone {
            for id in self.last.remove(&url).into_iter().flatten() {
                self.storage.append_ref(id, fabric.now.0, stale_marker());
            }
        }
        self.reload(fabric);
        let alerts = self.rules.eval_due(&mut self.storage, fabric.now.0);
        if let Some(am) = self.alertmanager.as_mut().filter(|_| runs(fabric, ALERTMANAGER_CONFIG, "alertmanager")) {
            am.receive(alerts, fabric.now.0);
        }
        self.flush_alerts(fabric.now);
    }

    /// When the Alertmanager next has something to post.
    pub fn next_post(&self) -> Option<Time> {
        self.alertmanager.as_ref()?.next_due().map(Time)
    }

    /// Posts what the Alertmanager has due by `now`.
    pub fn flush_alerts(&mut self, now: Time) {
        if let Some(am) = self.alertmanager.as_mut() {
            self.chat.extend(am.flush(now.0));
        }
    }

    /// The chat channel's messages, oldest first.
    pub fn chat(&self) -> &[Notification] {
        &self.chat
    }

    /// The rules and their alerts, as Prometheus's rules page shows them.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Why the rule files or the Alertmanager's configuration last failed
    /// to load, in the words their checkers use.
    pub fn config_errors(&self) -> impl Iterator<Item = &str> {
        self.rules_error.iter().chain(&self.alertmanager_error).map(String::as_str)
    }

    /// Rereads the rule files and the Alertmanager's configuration when
    /// their ConfigMaps changed.
    fn reload(&mut self, fabric: &Fabric) {
        let now = fabric.now.0;
        let keep = retention(fabric);
        if keep != self.retention {
            self.retention = keep;
            self.storage.set_retention(Some(keep));
        }
        let (version, files) = config_map(fabric, RULES_CONFIG);
        if version != self.rules_read {
            self.rules_read = version;
            let files: Vec<(&str, &str)> = files
                .iter()
                .filter(|(k, _)| k.as_str() != SCRAPE_CONFIG_KEY)
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            match rules::file::parse_files(&files) {
                Ok(parsed) => {
                    self.rules.replace(parsed, now);
                    self.rules_error = None;
                }
                Err(faults) => self.rules_error = Some(faults.join("\n")),
            }
        }
        let (version, files) = config_map(fabric, ALERTMANAGER_CONFIG);
        if version != self.alertmanager_read {
            self.alertmanager_read = version;
            let text = files.iter().find(|(k, _)| k == ALERTMANAGER_CONFIG_KEY).map(|(_, v)| v.as_str());
            match rules::alertmanager::config::Config::parse(text.unwrap_or_default()) {
                Ok(config) => {
                    match self.alertmanager.as_mut() {
                        Some(am) => am.reload(config, now),
                        None => self.alertmanager = Some(Alertmanager::new(config)),
                    }
                    self.alertmanager_error = None;
                }
                Err(fault) => self.alertmanager_error = Some(fault),
            }
        }
    }

    /// One target's scrape: its samples, the scrape's own series, and stale
    /// markers for what it no longer exposes. A sample finds its series by
    /// a hash of what the exporter printed, remembered per target, so the
    /// labels are built and looked up only for a series new to the target.
    fn append_scrape(&mut self, url: &str, target: &Labels, at: i64, families: &[Family], up: bool) {
        let previous = self.last.remove(url).unwrap_or_default();
        let known = self.series_of.remove(url).unwrap_or_default();
        let mut fresh = HashMap::with_capacity(known.len());
        let mut ids = Vec::with_capacity(known.len());
        let mut scraped = 0usize;
        let own = |name: &'static str| (name, "", Vec::new());
        let lines =
            families.iter().flat_map(|f| f.samples.iter().map(move |(suffix, pairs, v)| (f.name, *suffix, pairs, *v)));
        let mut append = |storage: &mut Storage, name: &'static str, suffix: &str, pairs: &Pairs, v: f64| {
            let key = line_key(name, suffix, pairs);
            let labels = || exposition::series_labels(name, suffix, pairs, target);
            let mut id = known.get(&key).copied().unwrap_or_else(|| storage.series_ref(&labels()));
            if !storage.append_ref(id, at, v) {
                // Retention removed the series since: it starts again.
                id = storage.series_ref(&labels());
                storage.append_ref(id, at, v);
            }
            fresh.insert(key, id);
            id
        };
        for (name, suffix, pairs, v) in lines {
            scraped += 1;
            ids.push(append(&mut self.storage, name, suffix, pairs, v));
        }
        let added = ids.iter().filter(|id| previous.binary_search(id).is_err()).count() as f64;
        let scraped = scraped as f64;
        for (name, v) in [
            ("up", if up { 1.0 } else { 0.0 }),
            ("scrape_duration_seconds", if up { 0.004 + scraped * 0.000_02 } else { 10.0 }),
            ("scrape_samples_scraped", scraped),
            ("scrape_samples_post_metric_relabeling", scraped),
            ("scrape_series_added", added),
        ] {
            let (name, suffix, pairs) = own(name);
            ids.push(append(&mut self.storage, name, suffix, &pairs, v));
        }
        ids.sort_unstable();
        ids.dedup();
        for id in previous.iter().filter(|id| ids.binary_search(id).is_err()) {
            self.storage.append_ref(*id, at, stale_marker());
        }
        self.appended += ids.len() as u64;
        self.last.insert(url.to_string(), ids);
        self.series_of.insert(url.to_string(), fresh);
    }
}

/// Whether a Prometheus server pod runs.
pub fn server_runs(fabric: &Fabric) -> bool {
    runs(fabric, APP, "prometheus")
}

/// The retention the running server was started with.
fn retention(fabric: &Fabric) -> Millis {
    let pods = fabric.store.list(Kind::Pod, Some(NAMESPACE)).filter_map(|o| o.as_pod());
    let args = pods
        .flat_map(|p| p.spec.iter().flat_map(|s| &s.containers))
        .filter(|c| c.name == "prometheus")
        .flat_map(|c| c.args.iter().flatten());
    args.filter_map(|a| a.strip_prefix("--storage.tsdb.retention.time="))
        .find_map(|d| rules::duration::parse(d).ok())
        .filter(|ms| *ms > 0)
        .unwrap_or(RETENTION)
}

/// Whether a pod of the stack labelled `app` runs its `container`.
fn runs(fabric: &Fabric, app: &str, container: &str) -> bool {
    fabric.store.list(Kind::Pod, Some(NAMESPACE)).filter_map(|o| o.as_pod()).any(|p| {
        p.metadata.labels.as_ref().and_then(|l| l.get("app.kubernetes.io/name")).is_some_and(|a| a == app)
            && p.metadata.deletion_timestamp.is_none()
            && p.spec.as_ref().and_then(|s| s.node_name.as_deref()).is_some_and(|n| fabric.node_up(n))
            && super::counters::container_id(p, container).is_some()
    })
}

/// A ConfigMap's resourceVersion and data (none when it is gone).
fn config_map(fabric: &Fabric, name: &str) -> (Option<String>, Vec<(String, String)>) {
    match fabric.store.get(Kind::ConfigMap, NAMESPACE, name).map(|o| &**o) {
        Some(crate::object::Object::ConfigMap(cm)) => (
            cm.metadata.resource_version.clone(),
            cm.data.iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect(),
        ),
        _ => (None, Vec::new()),
    }
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

/// Whether a client on the terminal's node reaches Prometheus at `base`
/// (`http://prometheus.monitoring:9090`): the name resolved as a pod in
/// the `default` namespace would (so in-cluster names work from the
/// terminal), then a connection through kube-proxy to whatever answers.
/// `Err` is the Go client's dial error.
pub fn reach(fabric: &Fabric, dice: &mut crate::network::Dice, base: &str) -> Result<(), String> {
    use crate::network::{addresses, dns, route, Client, Outcome};
    let (scheme, rest) = base.split_once("://").unwrap_or(("http", base));
    let authority = rest.split('/').next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<i32>().map_err(|_| format!("dial tcp: address {authority}: invalid port"))?),
        None => (authority, if scheme == "https" { 443 } else { 80 }),
    };
    let store = fabric.store;
    let node = addresses::host_node(store).unwrap_or_default();
    let client = Client { ip: addresses::node_ip(store, &node).unwrap_or_default(), node, pod: None };
    let resolver = dns::Resolver::Cluster {
        server: dns::CLUSTER_DNS.into(),
        search: ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"].map(String::from).to_vec(),
        ndots: 5,
    };
    let ip = match dns::lookup(fabric, &client, &resolver, host, dice) {
        dns::Answer::Found { ips, .. } => ips.into_iter().next().unwrap_or_default(),
        dns::Answer::NotFound => {
            return Err(format!("dial tcp: lookup {host} on {}:53: no such host", dns::CLUSTER_DNS))
        }
        _ => return Err(format!("dial tcp: lookup {host} on {}:53: read udp: i/o timeout", dns::CLUSTER_DNS)),
    };
    match route::connect(fabric, &client, &ip, port, dice) {
        Ok((landing, _)) => {
            let image = landing.container.image.as_deref().unwrap_or_default();
            match Exporter::of_image(image) {
                Some((Exporter::Prometheus, p)) if p == landing.port => Ok(()),
                _ => Err("server returned HTTP status 404 Not Found".into()),
            }
        }
        Err((Outcome::Refused, _)) => Err(format!("dial tcp {ip}:{port}: connect: connection refused")),
        Err((Outcome::NoRoute, _)) => Err(format!("dial tcp {ip}:{port}: connect: no route to host")),
        Err(_) => Err(format!("dial tcp {ip}:{port}: i/o timeout")),
    }
}

/// A hash of one exposition line's name and labels: the same line hashes
/// the same on every run (the hasher's keys are fixed).
fn line_key(name: &str, suffix: &str, pairs: &Pairs) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (name, suffix, pairs).hash(&mut h);
    h.finish()
}
