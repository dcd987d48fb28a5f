//! One kubelet per node: admits the pods bound to its node, gives each a
//! sandbox IP from the node's pod CIDR, and runs a worker per pod
//! (`worker.rs`) that pulls images (`pull.rs`), checks configuration
//! (`config.rs`), starts init and app containers, probes them
//! (`probes.rs`), restarts them with back-off (`backoff.rs`), stops them
//! gracefully on deletion, and reports status (`status.rs`) and Events.
//!
//! Pod work is driven by the change log and by timers, never by a scan of
//! all pods.

mod backoff;
mod config;
mod faults;
mod node;
mod probes;
mod pull;
mod static_pods;
mod status;
mod worker;

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::{Recorder, Source};
use crate::object::Object;
use crate::runtime::fs::Layers;
use crate::runtime::volumes::Volumes;
use crate::store::ChangeType;
use crate::time::Time;
use crate::timers::{Timer, Timers};
use k8s_openapi::api::core::v1::Pod;
pub use node::{set_condition, HEARTBEAT, LEASES};
pub use static_pods::{mirror_annotations, MIRROR};
use std::collections::{BTreeMap, BTreeSet};
use worker::{Env, Note, Worker};

type PodKey = (String, String);

/// How often a pod worker looks again when nothing else wakes it.
const RESYNC: crate::time::Millis = 10 * crate::time::SECOND;

/// A pod the kubelet runs.
#[derive(Clone, Debug)]
struct Entry {
    /// Which pod of that name: a pod re-created under the same name (a
    /// StatefulSet's) is another pod; a static pod's new mirror is not.
    uid: String,
    worker: Worker,
    /// The last octet of its sandbox IP, returned to the pool when it goes.
    octet: Option<u8>,
    /// The timer already set, so a worker is not woken twice for one thing.
    armed: Option<Time>,
}

#[derive(Clone, Debug, Default)]
struct NodeAgent {
    ip: String,
    pod_cidr_base: Option<[u8; 3]>,
    images: pull::ImageStore,
    used_ips: BTreeSet<u8>,
    pods: BTreeMap<PodKey, Entry>,
    /// The kubelet service is stopped (`fault kubelet stop`): no status,
    /// no heartbeats, no reaction to pods; containers keep running.
    stopped: bool,
    /// The machine is off: nothing runs at all.
    off: bool,
    /// The machine is gone for good (`node remove`): it never comes back on.
    removed: bool,
    /// Until when the node reports memory pressure after an eviction.
    pressure_until: Option<Time>,
    /// The static pod folder, by file name, and each file's mirror pod.
    manifests: BTreeMap<String, String>,
    mirrors: BTreeMap<String, PodKey>,
}

impl NodeAgent {
    /// Lets go of a pod: its worker, and its sandbox IP back to the pool.
    fn forget(&mut self, key: &PodKey) {
        if let Some(octet) = self.pods.remove(key).and_then(|e| e.octet) {
            self.used_ips.remove(&octet);
        }
    }
}

/// What a kubelet acts through: the API server it writes to, the timers
/// that wake its workers, the recorder for its Events, and the time.
pub struct Io<'a> {
    pub api: &'a mut ApiServer,
    pub timers: &'a mut Timers,
    pub events: &'a mut Recorder,
    pub now: Time,
}

/// Every node's kubelet.
#[derive(Clone, Debug, Default)]
pub struct Kubelets {
    cursor: u64,
    nodes: BTreeMap<String, NodeAgent>,
}

impl Kubelets {
    /// How far it has read the change log.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Reacts to new changes. Returns whether it wrote anything.
    pub fn sync(&mut self, io: &mut Io) -> bool {
        let changes: Vec<_> = io.api.store().changes_since(self.cursor).cloned().collect();
        let mut wrote = false;
        for change in changes {
            self.cursor = change.version;
            match &*change.object {
                Object::Node(node) if change.change != ChangeType::Deleted => {
                    let agent = self.nodes.entry(change.object.name().to_string()).or_default();
                    let status = node.status.as_ref();
                    agent.ip = status
                        .and_then(|s| s.addresses.as_ref())
                        .and_then(|a| a.iter().find(|a| a.type_ == "InternalIP"))
                        .map(|a| a.address.clone())
                        .unwrap_or_default();
                    agent.pod_cidr_base = node.spec.as_ref().and_then(|s| s.pod_cidr.as_deref()).and_then(cidr_base);
                    if let Some(list) = status.and_then(|s| s.images.as_ref()) {
                        agent.images.extend(list.iter().flat_map(|i| i.names.iter().flatten().cloned()));
                    }
                }
                Object::Node(_) => {
                    self.nodes.remove(change.object.name());
                }
                Object::Pod(pod) => {
                    let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
                        continue;
                    };
                    if self.nodes.get(&node).is_some_and(|a| a.stopped) {
                        // A stopped kubelet hears nothing; it catches up when started.
                        continue;
                    }
                    let key = (change.object.namespace().to_string(), change.object.name().to_string());
                    let deleted = change.change == ChangeType::Deleted;
                    if let Some(agent) = self.nodes.get_mut(&node) {
                        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                        // The pod went, or a pod made since under its name is
                        // another (a static pod's new mirror keeps the entry,
                        // which took its uid): the old worker goes.
                        let other = agent.pods.get(&key).map(|e| e.uid != uid);
                        if other == Some(!deleted) {
                            agent.forget(&key);
                        }
                    }
                    if !deleted {
                        wrote |= self.pod_changed(io, &node, key, pod);
                    }
                }
                _ => {}
            }
        }
        wrote
    }

    fn pod_changed(&mut self, io: &mut Io, node: &str, key: PodKey, pod: &Pod) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else {
            return false;
        };
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
        let done = matches!(phase, "Succeeded" | "Failed");
        if agent.pods.contains_key(&key) && pod.metadata.deletion_timestamp.is_some() {
            if let Some(file) = self.mirror_file(node, &key) {
                return self.replace_mirror(io, node, key, &file);
            }
        }
        let Some(agent) = self.nodes.get_mut(node) else {
            return false;
        };
        if let Some(entry) = agent.pods.get_mut(&key) {
            if pod.metadata.deletion_timestamp.is_none() && entry.worker.kill_at.is_none() {
                let mut notes = Vec::new();
                entry.worker.respec(pod, io.now, &mut notes);
                if notes.is_empty() {
                    return false;
                }
                entry.armed = None;
                arm(entry, io.timers, node, &key, io.now);
                record(io, node, pod, notes);
                return false;
            }
            if entry.worker.kill_at.is_some() {
                return false;
            }
            // The grace period runs from the deletion, even if the kubelet
            // hears of it late.
            let kill_at = match &pod.metadata.deletion_timestamp {
                Some(t) if !done => Time::from_k8s(t),
                _ => io.now,
            };
            let mut notes = Vec::new();
            entry.worker.stop(pod, io.now, kill_at, &mut notes);
            record(io, node, pod, notes);
            if entry.worker.stopped(io.now) {
                return remove(io.api, key, io.now);
            }
            arm(entry, io.timers, node, &key, io.now);
            return false;
        }
        if pod.metadata.deletion_timestamp.is_some() && (done || phase == "Pending") {
            // Nothing ever ran here, or everything already ended.
            return remove(io.api, key, io.now);
        }
        let host_network = pod.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
        if phase == "Running" {
            // A pod already running when the kubelet starts watching (a preset's
            // pre-existing state): adopt it as it is.
            let octet = pod
                .status
                .as_ref()
                .and_then(|s| s.pod_ip.as_deref())
                .filter(|_| !host_network)
                .and_then(|ip| ip.rsplit('.').next()?.parse().ok());
            if let Some(octet) = octet {
                agent.used_ips.insert(octet);
            }
            let uid = pod.metadata.uid.clone().unwrap_or_default();
            let mut entry = Entry { uid, worker: Worker::adopt(pod, io.now), octet, armed: None };
            arm(&mut entry, io.timers, node, &key, io.now);
            if let Some((file, text)) = static_pods::manifest_of(pod, node) {
                agent.manifests.insert(file.clone(), text);
                agent.mirrors.insert(file, key.clone());
            }
            agent.pods.insert(key.clone(), entry);
            if pod.metadata.deletion_timestamp.is_some() {
                // Found already being deleted: stop it as any deleted pod.
                return self.pod_changed(io, node, key, pod);
            }
            return false;
        }
        if done {
            return false;
        }
        let (pod_ip, octet) = if host_network {
            (Some(agent.ip.clone()), None)
        } else {
            match (agent.pod_cidr_base, (2..=254u8).find(|o| !agent.used_ips.contains(o))) {
                (Some([a, b, c]), Some(o)) => {
                    agent.used_ips.insert(o);
                    (Some(format!("{a}.{b}.{c}.{o}")), Some(o))
                }
                _ => (None, None),
            }
        };
        let mut pod = pod.clone();
        status::place(pod.status.get_or_insert_with(Default::default), &agent.ip, pod_ip.as_deref(), io.now);
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let mut entry = Entry { uid, worker: Worker::new(&pod, io.now), octet, armed: None };
        status::write(&entry.worker, &mut pod, io.now);
        arm(&mut entry, io.timers, node, &key, io.now);
        agent.pods.insert(key, entry);
        io.api.put_raw(Object::Pod(Box::new(pod)), io.now);
        true
    }

    /// A static pod's mirror was deleted while its file is still there: the
    /// pod keeps running and a new mirror shows it.
    fn replace_mirror(&mut self, io: &mut Io, node: &str, key: PodKey, file: &str) -> bool {
        let old_status = io.api.store().get(Kind::Pod, &key.0, &key.1).and_then(|o| o.as_pod()?.status.clone());
        let _ = io.api.delete(Kind::Pod, &key.0, &key.1, Some(0), io.now);
        if self.create_mirror(io.api, node, file, io.now).as_ref() != Some(&key) {
            return true;
        }
        let Some(entry) = self.nodes.get_mut(node).and_then(|a| a.pods.get_mut(&key)) else { return true };
        if let Some(Object::Pod(mut pod)) = io.api.store().get(Kind::Pod, &key.0, &key.1).map(|o| (**o).clone()) {
            entry.uid = pod.metadata.uid.clone().unwrap_or_default();
            pod.status = old_status;
            status::write(&entry.worker, &mut pod, io.now);
            io.api.put_raw(Object::Pod(pod), io.now);
        }
        entry.armed = None;
        arm(entry, io.timers, node, &key, io.now);
        true
    }

    /// Handles a pod worker's timer. Returns whether it wrote anything.
    pub fn fire(&mut self, io: &mut Io, written: (&Layers, &Volumes), node: &str, namespace: &str, name: &str) -> bool {
        let Some(agent) = self.nodes.get_mut(node).filter(|a| !a.stopped) else {
            return false;
        };
        let key = (namespace.to_string(), name.to_string());
        let Some(entry) = agent.pods.get_mut(&key) else {
            return false;
        };
        if entry.armed.is_some_and(|t| t <= io.now) {
            entry.armed = None;
        }
        let Some(pod) = io.api.get(Kind::Pod, namespace, name).ok().and_then(|o| o.as_pod().cloned()) else {
            return false;
        };
        let mut env = Env {
            now: io.now,
            store: io.api.store(),
            written,
            pod: &pod,
            images: &mut agent.images,
            notes: Vec::new(),
        };
        let was_evicted = entry.worker.evicted.is_some();
        entry.worker.advance(&mut env);
        let notes = env.notes;
        if !was_evicted && entry.worker.evicted.is_some() {
            agent.pressure_until = Some(io.now.plus(node::PRESSURE_PERIOD));
            if let Some(object) = node::memory_pressure(io.api, node, io.now, true) {
                let source = Source { component: "kubelet", host: Some(node) };
                let status = format!("Node {node} status is now: NodeHasInsufficientMemory");
                io.events.record(io.api, io.now, &object, source, "Normal", "NodeHasInsufficientMemory", &status);
                io.events.record(
                    io.api,
                    io.now,
                    &object,
                    source,
                    "Warning",
                    "EvictionThresholdMet",
                    "Attempting to reclaim memory",
                );
            }
        }
        let Some(entry) = self.nodes.get_mut(node).and_then(|a| a.pods.get_mut(&key)) else { return false };
        if entry.worker.kill_at.is_some() {
            if !entry.worker.stopped(io.now) {
                arm(entry, io.timers, node, &key, io.now);
                return false;
            }
            // The last status, with every container terminated, then the object goes.
            publish(io, &entry.worker, &pod);
            return remove(io.api, key, io.now);
        }
        if entry.worker.next_due().is_some_and(|due| due <= io.now) {
            // Something due that could not move (a state the worker does not
            // expect): look again at the next resync rather than spin.
            arm_at(entry, io.timers, node, &key, io.now, io.now.plus(RESYNC));
        } else {
            arm(entry, io.timers, node, &key, io.now);
        }
        let updated = publish(io, &entry.worker, &pod);
        record(io, node, &updated, notes);
        updated != pod
    }
}

/// Sets the worker's next timer unless one is already set for then or earlier.
fn arm(entry: &mut Entry, timers: &mut Timers, node: &str, key: &PodKey, now: Time) {
    if let Some(due) = entry.worker.next_due() {
        arm_at(entry, timers, node, key, now, due.max(now));
    }
}

fn arm_at(entry: &mut Entry, timers: &mut Timers, node: &str, key: &PodKey, now: Time, due: Time) {
    if entry.armed.is_some_and(|t| t <= due && t >= now) {
        return;
    }
    entry.armed = Some(due);
    timers.at(due, Timer::PodWorker { node: node.to_string(), namespace: key.0.clone(), name: key.1.clone() });
}

/// Writes the worker's view into the pod's status, if that changes it;
/// returns the pod as it now reads.
fn publish(io: &mut Io, worker: &Worker, pod: &Pod) -> Pod {
    let mut updated = pod.clone();
    status::write(worker, &mut updated, io.now);
    if updated != *pod {
        io.api.put_raw(Object::Pod(Box::new(updated.clone())), io.now);
    }
    updated
}

/// The kubelet is done with a pod: its containers have stopped, so the API
/// object goes.
fn remove(api: &mut ApiServer, key: PodKey, now: Time) -> bool {
    api.delete(Kind::Pod, &key.0, &key.1, Some(0), now).is_ok()
}

fn record(io: &mut Io, node: &str, pod: &Pod, notes: Vec<Note>) {
    if notes.is_empty() {
        return;
    }
    let about = Object::Pod(Box::new(pod.clone()));
    let source = Source { component: "kubelet", host: Some(node) };
    for note in notes {
        let type_ = if note.warning { "Warning" } else { "Normal" };
        io.events.record(io.api, io.now, &about, source, type_, note.reason, &note.message);
    }
}

fn cidr_base(cidr: &str) -> Option<[u8; 3]> {
    let addr = cidr.split('/').next()?;
    let mut parts = addr.split('.').map(|p| p.parse::<u8>());
    Some([parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?])
}
