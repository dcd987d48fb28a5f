//! kube-scheduler: binds pending pods to nodes.
//!
//! - `queue.rs`: activeQ by priority, backoffQ, unschedulablePods.
//! - `snapshot.rs`: one NodeInfo per node (what its pods request, its
//!   ports, images, pods), `counts.rs`: matching pods per node and
//!   topology domain per selector — both kept from the change log.
//! - `framework.rs`: the default profile's extension points, host
//!   selection, the FitError text; `plugins/`: one file per plugin.
//! - `trace.rs`: every attempt's per-node verdicts and scores.
//!
//! Pods arrive through the change log, never by scanning all pods.

mod counts;
mod framework;
mod plugins;
mod queue;
mod snapshot;
pub mod trace;

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::{Recorder, SCHEDULER};
use crate::object::Object;
use crate::rng::Rng;
use crate::store::{ChangeType, Store};
use crate::time::Time;
use crate::timers::{Timer, Timers};
use framework::Outcome;
use k8s_openapi::api::core::v1::{Node, Pod};
use plugins::{default_binder, default_preemption, volume_binding};
use snapshot::PodKey;
use std::collections::{BTreeSet, VecDeque};

pub use plugins::node_affinity::affinity_matches;
pub(crate) use plugins::node_affinity::selector_matches;
pub(crate) use plugins::node_resources_fit::pod_requests;
pub use plugins::taint_toleration::{executes_tolerated, taints_tolerated};

/// The scheduler: its queue, its picture of the cluster, its place in the
/// change log, and the traces of recent decisions.
#[derive(Clone, Debug)]
pub struct Scheduler {
    cursor: u64,
    queue: queue::Queue,
    snapshot: snapshot::Snapshot,
    /// Where the next search starts, so pods spread over a large cluster.
    next_start: usize,
    traces: trace::Traces,
    scratch: framework::Scratch,
    tracing: bool,
    paused: bool,
    /// Wake-ups already asked of the cluster's timers.
    wakeups: BTreeSet<Time>,
    /// Versions of the bindings written here and not yet read back from the
    /// change log, oldest first: the snapshot and queue already hold what
    /// they say, so reading them back costs nothing.
    own_bindings: VecDeque<u64>,
}

impl Default for Scheduler {
    fn default() -> Scheduler {
        Scheduler {
            cursor: 0,
            queue: Default::default(),
            snapshot: Default::default(),
            next_start: 0,
            traces: Default::default(),
            scratch: Default::default(),
            tracing: true,
            paused: false,
            wakeups: BTreeSet::new(),
            own_bindings: VecDeque::new(),
        }
    }
}

impl Scheduler {
    /// How far it has read the change log.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Holds scheduling (pods still queue up) or lets it run again.
    pub fn set_paused(&mut self, paused: bool) {
        self.paused = paused;
    }

    /// The recorded attempts for one pod, newest last.
    pub fn trace(&self, namespace: &str, pod: &str) -> Option<Vec<trace::Attempt>> {
        self.traces.attempts(&(namespace.to_string(), pod.to_string()), &self.snapshot)
    }

    /// A timer came due: back-offs that ended and the periodic flush.
    pub fn wake(&mut self, now: Time) {
        self.wakeups = self.wakeups.split_off(&Time(now.0 + 1));
        self.queue.tick(now);
    }

    /// Reads new changes and schedules what is pending. Returns how many
    /// pods it bound or marked unschedulable.
    pub fn sync(
        &mut self,
        api: &mut ApiServer,
        rng: &mut Rng,
        events: &mut Recorder,
        timers: &mut Timers,
        now: Time,
    ) -> usize {
        self.watch(api.store(), now);
        let mut attempts = 0;
        if !self.paused {
            while let Some(key) = self.queue.pop() {
                attempts += usize::from(self.attempt(api, rng, events, now, key));
            }
            self.watch(api.store(), now);
        }
        if let Some(due) = self.queue.next_due() {
            if self.wakeups.insert(due) {
                timers.at(due, Timer::Scheduler);
            }
        }
        attempts
    }

    /// One scheduling cycle for one pod; whether it wrote.
    fn attempt(&mut self, api: &mut ApiServer, rng: &mut Rng, events: &mut Recorder, now: Time, key: PodKey) -> bool {
        let Ok(current) = api.get(Kind::Pod, &key.0, &key.1) else {
            self.queue.forget(&key);
            return false;
        };
        let Some(pod) = current.as_pod().filter(|p| needs_scheduling(p)) else {
            self.queue.forget(&key);
            return false;
        };
        let mut pod = pod.clone();
        let mut record = self.tracing.then(|| self.traces.blank(now));
        let outcome = framework::schedule_one(
            &pod,
            &mut self.snapshot,
            api.store(),
            rng,
            &mut self.next_start,
            &mut self.scratch,
            record.as_mut(),
        );
        let bound = matches!(outcome, Outcome::Bound { .. });
        let (type_, reason, message) = match outcome {
            Outcome::Bound { slot, state } => {
                let node = self.snapshot.slots[slot].name.clone();
                let object = self.snapshot.slots[slot].object.clone();
                if let Some(n) = object.as_node() {
                    volume_binding::prebind(api, &state.volumes, n, now);
                }
                default_binder::bind(&mut pod, &node, now);
                self.snapshot.add_placed(state.info, &node);
                self.queue.forget(&key);
                if let Some(r) = record.as_mut() {
                    r.chosen = Some(slot as u32);
                }
                ("Normal", "Scheduled", format!("Successfully assigned {}/{} to {node}", key.0, key.1))
            }
            Outcome::Failed { diagnosis, state } => {
                let (post, preemption) =
                    framework::post_filter(&pod, state.as_deref(), &self.snapshot, &diagnosis, api.store(), rng);
                if let Some(preemption) = &preemption {
                    preempt(api, events, now, &pod, preemption, &self.snapshot);
                }
                let message = framework::fit_error(&diagnosis, &post);
                default_binder::set_scheduled(&mut pod, now, Some(message.clone()));
                if let Some(node) = post.nominated {
                    pod.status.get_or_insert_with(Default::default).nominated_node_name = Some(node);
                }
                self.queue.failed(&key, now, wants_pods(&pod));
                if let Some(r) = record.as_mut() {
                    r.message = Some(message.clone());
                }
                ("Warning", "FailedScheduling", message)
            }
        };
        if let Some(r) = record {
            self.traces.push(key, r);
        }
        let written = api.put_raw(Object::Pod(Box::new(pod)), now);
        if bound {
            self.own_bindings.push_back(api.store().version());
        }
        events.record(api, now, &written, SCHEDULER, type_, reason, &message);
        true
    }

    fn watch(&mut self, store: &Store, now: Time) {
        let mut moved = false;
        let mut placed = false;
        for change in store.changes_since(self.cursor) {
            self.cursor = change.version;
            while self.own_bindings.front().is_some_and(|v| *v < change.version) {
                self.own_bindings.pop_front();
            }
            // A binding of ours, read back: the pod is in the snapshot and
            // out of the queue already. Only a nomination elsewhere would
            // still need forgetting.
            if self.own_bindings.front() == Some(&change.version) {
                self.own_bindings.pop_front();
                if self.snapshot.nominated.is_empty() {
                    continue;
                }
            }
            match &*change.object {
                Object::Pod(pod) => {
                    let key = (change.object.namespace().to_string(), change.object.name().to_string());
                    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
                    let finished = phase == "Succeeded" || phase == "Failed";
                    let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
                    let waiting = change.change != ChangeType::Deleted && bound.is_none();
                    self.snapshot.nominate(&key, waiting.then_some(&**pod));
                    match (change.change, bound) {
                        (ChangeType::Deleted, _) => {
                            self.queue.forget(&key);
                            moved |= self.snapshot.remove_pod(&key);
                        }
                        (_, Some(_)) if finished => moved |= self.snapshot.remove_pod(&key),
                        (_, Some(node)) => {
                            placed |= !self.snapshot.is_bound(&key);
                            self.queue.forget(&key);
                            self.snapshot.add_pod(pod, node);
                        }
                        (ChangeType::Added, None) if needs_scheduling(pod) => {
                            let priority = pod.spec.as_ref().and_then(|s| s.priority).unwrap_or(0);
                            self.queue.add(key, priority, now);
                        }
                        _ => {}
                    }
                }
                // A claim made or bound, a volume freed, a class added: a
                // pod waiting on its volumes may fit now.
                Object::PersistentVolumeClaim(_) | Object::PersistentVolume(_) | Object::StorageClass(_) => {
                    moved = true;
                }
                Object::Node(node) => {
                    let name = change.object.name();
                    let before = self.snapshot.slot(name).map(|s| signature(self.snapshot.slots[s].node()));
                    if change.change == ChangeType::Deleted {
                        self.snapshot.remove_node(name);
                    } else {
                        self.snapshot.put_node(&change.object);
                    }
                    // Heartbeats change nothing a filter reads.
                    moved |= change.change != ChangeType::Modified || before != Some(signature(node));
                }
                _ => {}
            }
        }
        if moved {
            self.queue.move_all(now);
        } else if placed {
            self.queue.move_wanting_pods(now);
        }
    }
}

/// Carries out a preemption as kube-scheduler does: each victim marked
/// with a DisruptionTarget condition, told why in a `Preempted` event and
/// deleted with its grace period; lower-priority pods nominated to the same
/// node lose their nomination, as they may no longer fit there.
fn preempt(
    api: &mut ApiServer,
    events: &mut Recorder,
    now: Time,
    preemptor: &Pod,
    preemption: &default_preemption::Preemption,
    snapshot: &snapshot::Snapshot,
) {
    let uid = preemptor.metadata.uid.clone().unwrap_or_default();
    let node = &preemption.node;
    for (namespace, name) in &preemption.victims {
        let Ok(current) = api.get(Kind::Pod, namespace, name) else { continue };
        let Some(victim) = current.as_pod() else { continue };
        if victim.metadata.deletion_timestamp.is_some() {
            continue;
        }
        let mut victim = victim.clone();
        crate::controllers::pods::mark_disruption_target(
            &mut victim,
            "PreemptionByScheduler",
            "default-scheduler: preempting to accommodate a higher priority pod",
            now,
        );
        let written = api.put_raw(Object::Pod(Box::new(victim)), now);
        let message = format!("Preempted by pod {uid} on node {node}");
        events.record(api, now, &written, SCHEDULER, "Normal", "Preempted", &message);
        let _ = api.delete(Kind::Pod, namespace, name, None, now);
    }
    let priority = preemptor.spec.as_ref().and_then(|s| s.priority).unwrap_or(0);
    let lower: Vec<PodKey> = snapshot
        .nominated
        .get(node)
        .into_iter()
        .flatten()
        .filter(|p| p.priority < priority)
        .map(|p| (p.namespace.clone(), p.name.clone()))
        .collect();
    for (namespace, name) in lower {
        let Ok(current) = api.get(Kind::Pod, &namespace, &name) else { continue };
        let Some(pod) = current.as_pod() else { continue };
        let mut pod = pod.clone();
        if let Some(status) = pod.status.as_mut() {
            status.nominated_node_name = None;
        }
        api.put_raw(Object::Pod(Box::new(pod)), now);
    }
}

/// What of a node the filters read: an update that leaves it alone (a
/// heartbeat) cannot make a parked pod fit.
fn signature(node: &Node) -> impl PartialEq {
    let status = node.status.as_ref();
    let ready = status
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status.clone());
    (
        node.metadata.labels.clone(),
        node.spec.as_ref().map(|s| (s.unschedulable, s.taints.clone())),
        status.and_then(|s| s.allocatable.clone()),
        ready,
    )
}

/// Whether a pod has required pod affinity (it may fit once others land).
fn wants_pods(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|s| s.affinity.as_ref())
        .and_then(|a| a.pod_affinity.as_ref())
        .is_some_and(|p| p.required_during_scheduling_ignored_during_execution.as_ref().is_some_and(|r| !r.is_empty()))
}

fn needs_scheduling(pod: &Pod) -> bool {
    let spec = pod.spec.as_ref();
    pod.metadata.deletion_timestamp.is_none()
        && spec.is_some_and(|s| s.node_name.is_none())
        && spec.and_then(|s| s.scheduler_name.as_deref()).unwrap_or("default-scheduler") == "default-scheduler"
}
