//! The counters exporters serve (CPU seconds, bytes sent and received,
//! context switches), accumulated one 15-second window at a time from the
//! same usage model `kubectl top` reads, so a counter's rate over a window
//! is exactly what the model says was used in it. Gauges need no state:
//! exporters read them from the store when asked.

use super::resource::{self, Demand, RESOLUTION};
use crate::api::Kind;
use crate::object::Object;
use crate::runtime::usage;
use crate::store::Store;
use crate::time::{Time, SECOND};
use k8s_openapi::api::core::v1::{Node, Pod};
use std::collections::{BTreeMap, HashMap};

/// A node's counters since it booted.
#[derive(Clone, Debug, Default)]
pub struct NodeCounters {
    /// When the node booted.
    pub boot: Time,
    /// CPU seconds spent working, all CPUs together.
    pub busy: f64,
    /// CPU seconds in all, all CPUs together (busy + idle).
    pub total: f64,
    pub received: f64,
    pub transmitted: f64,
    pub disk_read: f64,
    pub disk_written: f64,
    pub context_switches: f64,
    pub interrupts: f64,
    /// Run-queue averages over 1, 5 and 15 minutes.
    pub load: [f64; 3],
    /// CPUs busy in the last window.
    pub cores_busy: f64,
}

/// One container instance's counters (a restarted container is a new one).
#[derive(Clone, Debug, Default)]
pub struct ContainerCounters {
    pub cpu: f64,
    pub periods: f64,
    pub throttled_periods: f64,
    pub throttled_seconds: f64,
    /// Working set in the last window.
    pub memory: u64,
}

/// A pod's network counters (its sandbox's interface).
#[derive(Clone, Copy, Debug, Default)]
pub struct PodNetwork {
    pub received: f64,
    pub transmitted: f64,
    /// HTTP requests its server answered.
    pub requests: f64,
}

/// Every counter, as of the last window boundary passed.
#[derive(Clone, Debug, Default)]
pub struct Counters {
    /// The boundary the counters stand at.
    pub at: Time,
    pub nodes: BTreeMap<String, NodeCounters>,
    /// By container ID.
    pub containers: HashMap<String, ContainerCounters>,
    /// By pod uid.
    pub pods: HashMap<String, PodNetwork>,
    /// OOM kills seen, by pod uid and container name.
    pub oom_kills: HashMap<(String, String), (i32, f64)>,
}

/// Bytes a node's interface moves per second with nothing to do (ARP,
/// kubelet and API server chatter), and per running pod.
const IDLE_BYTES: f64 = 1_800.0;
const POD_BYTES: f64 = 240.0;
/// CPU seconds a container's process takes to start.
const START_CPU_SECONDS: f64 = 0.12;
/// Bytes a request and its answer carry on average.
const REQUEST_BYTES: f64 = 850.0;
const RESPONSE_BYTES: f64 = 2_300.0;

impl Counters {
    /// Counters that start at `at` (a window boundary).
    pub fn new(at: Time) -> Counters {
        Counters { at: Time(at.0.div_euclid(RESOLUTION) * RESOLUTION), ..Default::default() }
    }

    /// Sets every counter to what it has reached since boot, as if the
    /// exporters had always been counting.
    pub fn prime(&mut self, store: &Store, traffic: &[crate::network::load::Source]) {
        let demand = Demand::at(store, self.at, traffic);
        self.window(store, self.at, &demand);
    }

    /// Moves the counters over every window that ended by `now`.
    pub fn advance(&mut self, store: &Store, now: Time, traffic: &[crate::network::load::Source]) {
        while self.at.plus(RESOLUTION) <= now {
            let end = self.at.plus(RESOLUTION);
            let demand = Demand::at(store, self.at, traffic);
            self.window(store, end, &demand);
            self.at = end;
        }
    }

    /// One window, ending at `end`.
    fn window(&mut self, store: &Store, end: Time, demand: &Demand) {
        let window = end.0.div_euclid(RESOLUTION) - 1;
        let seconds = (RESOLUTION / SECOND) as f64;
        for object in store.list(Kind::Node, None) {
            let Some(node) = object.as_node() else { continue };
            let name = node.metadata.name.as_deref().unwrap_or_default();
            let cores = cores(node);
            let control_plane = crate::labels::is_control_plane(&node.metadata);
            let mut nanocores = usage::node_overhead(control_plane, name, window).nanocores as f64;
            let mut pods = 0.0;
            let mut requests = 0.0;
            for (ns, pod_name) in store.pods_on_node(name) {
                let Some(Object::Pod(pod)) = store.get(Kind::Pod, ns, pod_name).map(|o| &**o) else { continue };
                if !running(pod) {
                    continue;
                }
                pods += 1.0;
                let served = demand.requests(ns, pod_name);
                requests += served;
                nanocores += self.pod_window(pod, window, seconds, served, demand);
            }
            let counters = self.nodes.entry(name.to_string()).or_insert_with(|| {
                let created = node.metadata.creation_timestamp.as_ref().map(Time::from_k8s).unwrap_or(end);
                let boot = created.plus(-40 * SECOND);
                NodeCounters { boot, ..Default::default() }
            });
            let busy = (nanocores / 1e9).min(cores);
            // The first window stands for the whole time since boot.
            let span =
                if counters.total == 0.0 { ((end.0 - counters.boot.0) as f64 / 1000.0).max(seconds) } else { seconds };
            counters.busy += busy * span;
            counters.total += cores * span;
            let bytes = IDLE_BYTES + POD_BYTES * pods;
            counters.received += (bytes + requests * REQUEST_BYTES) * span;
            counters.transmitted += (bytes * 0.8 + requests * RESPONSE_BYTES) * span;
            counters.disk_read += 2_048.0 * span;
            counters.disk_written += (18_000.0 + 3_000.0 * pods) * span;
            counters.context_switches += (900.0 + 120.0 * pods + 4_000.0 * busy) * span;
            counters.interrupts += (600.0 + 2_500.0 * busy) * span;
            counters.cores_busy = busy;
            for (avg, minutes) in counters.load.iter_mut().zip([1.0, 5.0, 15.0]) {
                let keep = if span > seconds { 0.0 } else { (-seconds / (60.0 * minutes)).exp() };
                *avg = *avg * keep + busy * (1.0 - keep);
            }
        }
    }

    /// A pod's containers over one window; returns the nanocores they used.
    fn pod_window(&mut self, pod: &Pod, window: i64, seconds: f64, served: f64, demand: &Demand) -> f64 {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let mut used = 0.0;
        for (name, u, wanted) in resource::containers(pod, window, demand) {
            used += u.nanocores as f64;
            let Some(id) = container_id(pod, name) else { continue };
            // Starting a process costs CPU of its own (loading, linking,
            // reading configuration) before its steady use.
            let c = self
                .containers
                .entry(id.to_string())
                .or_insert_with(|| ContainerCounters { cpu: START_CPU_SECONDS, ..Default::default() });
            c.cpu += u.nanocores as f64 / 1e9 * seconds;
            c.memory = u.memory;
            if has_cpu_limit(pod, name) {
                // CFS runs in 100 ms periods; a container that wanted more
                // than its quota was throttled in that share of them.
                let periods = seconds * 10.0;
                c.periods += periods;
                if wanted > 0 {
                    let share = (wanted as f64 / (u.nanocores + wanted) as f64).clamp(0.05, 1.0);
                    c.throttled_periods += (periods * share).round();
                    c.throttled_seconds += wanted as f64 / 1e9 * seconds;
                }
            }
        }
        let net = self.pods.entry(uid.clone()).or_default();
        net.received += (POD_BYTES + served * REQUEST_BYTES) * seconds;
        net.transmitted += (POD_BYTES * 0.7 + served * RESPONSE_BYTES) * seconds;
        net.requests += served * seconds;
        for status in pod.status.iter().flat_map(|s| s.container_statuses.iter().flatten()) {
            let oom = status
                .last_state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .is_some_and(|t| t.reason.as_deref() == Some("OOMKilled"));
            let entry = self.oom_kills.entry((uid.clone(), status.name.clone())).or_insert((status.restart_count, 0.0));
            if status.restart_count > entry.0 && oom {
                entry.1 += 1.0;
            }
            entry.0 = status.restart_count;
        }
        used
    }

    /// Forgets what belongs to containers and pods no longer in the store.
    pub fn prune(&mut self, store: &Store) {
        let mut live_ids = std::collections::HashSet::new();
        let mut live_pods = std::collections::HashSet::new();
        for object in store.list(Kind::Pod, None) {
            let Some(pod) = object.as_pod() else { continue };
            live_pods.insert(pod.metadata.uid.clone().unwrap_or_default());
            for status in pod.status.iter().flat_map(|s| s.container_statuses.iter().flatten()) {
                if let Some(id) = status.container_id.as_deref() {
                    live_ids.insert(strip_runtime(id).to_string());
                }
            }
        }
        self.containers.retain(|id, _| live_ids.contains(id));
        self.pods.retain(|uid, _| live_pods.contains(uid));
        self.oom_kills.retain(|(uid, _), _| live_pods.contains(uid));
        self.nodes.retain(|name, _| store.get(Kind::Node, "", name).is_some());
    }
}

/// A node's CPUs.
pub fn cores(node: &Node) -> f64 {
    let cpu = node.status.as_ref().and_then(|s| s.capacity.as_ref()).and_then(|c| c.get("cpu"));
    cpu.and_then(|q| crate::quantity::cpu_millis(&q.0)).map(|m| m as f64 / 1000.0).unwrap_or(1.0).max(1.0)
}

/// Whether the pod's containers run.
pub fn running(pod: &Pod) -> bool {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

/// The running container's ID without the runtime's prefix.
pub fn container_id<'a>(pod: &'a Pod, name: &str) -> Option<&'a str> {
    let status = pod.status.as_ref()?.container_statuses.as_ref()?.iter().find(|c| c.name == name)?;
    status.state.as_ref()?.running.as_ref()?;
    status.container_id.as_deref().map(strip_runtime)
}

fn strip_runtime(id: &str) -> &str {
    id.split_once("://").map(|(_, id)| id).unwrap_or(id)
}

fn has_cpu_limit(pod: &Pod, name: &str) -> bool {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .filter(|c| c.name == name)
        .any(|c| c.resources.as_ref().and_then(|r| r.limits.as_ref()).is_some_and(|l| l.contains_key("cpu")))
}
