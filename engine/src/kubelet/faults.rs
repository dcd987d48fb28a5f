//! Faults a teacher can inject: a node's kubelet stopped and started, a
//! node powered off and on, a container killed, a container leaking memory.

use super::{arm, node, publish, worker, Io, Kubelets, PodKey};
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::runtime::{process, usage};
use crate::time::{Time, SECOND};
use crate::timers::Timers;

/// The kubelet's hard eviction threshold, `memory.available<100Mi`.
const THRESHOLD: u64 = 100 << 20;

impl Kubelets {
    /// Whether the node's kubelet is stopped, or `None` for no such node.
    pub fn stopped(&self, node: &str) -> Option<bool> {
        self.nodes.get(node).map(|a| a.stopped)
    }

    /// Whether the node is powered off.
    pub fn powered_off(&self, node: &str) -> bool {
        self.nodes.get(node).is_some_and(|a| a.off)
    }

    /// Stops the node's kubelet service: its containers keep running, but
    /// nobody reports on them or acts on what the API asks.
    pub fn stop_kubelet(&mut self, node: &str) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        agent.stopped = true;
        true
    }

    /// Starts the node's kubelet again: it posts the node Ready, renews its
    /// Lease, and catches up with every pod bound to the node.
    pub fn start_kubelet(&mut self, io: &mut Io, node: &str) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        if agent.off || agent.removed {
            return false;
        }
        agent.stopped = false;
        node::post_ready(io.api, node, io.now, agent.pressure_until.is_some());
        node::renew(io.api, node, io.now);
        let keys: Vec<PodKey> = io.api.store().pods_on_node(node).cloned().collect();
        let gone: Vec<PodKey> = agent.pods.keys().filter(|k| !keys.contains(k)).cloned().collect();
        for key in gone {
            agent.forget(&key);
        }
        for key in keys {
            let Some(pod) = io.api.get(Kind::Pod, &key.0, &key.1).ok().and_then(|o| o.as_pod().cloned()) else {
                continue;
            };
            if let Some(agent) = self.nodes.get_mut(node) {
                let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                if agent.pods.get(&key).is_some_and(|e| e.uid != uid) {
                    // Deleted and made again while the kubelet was away.
                    agent.forget(&key);
                }
                if let Some(entry) = agent.pods.get_mut(&key) {
                    entry.armed = None;
                }
            }
            self.pod_changed(io, node, key.clone(), &pod);
            if let Some(entry) = self.nodes.get_mut(node).and_then(|a| a.pods.get_mut(&key)) {
                // What it reports first: its pods as they are io.now.
                if entry.worker.kill_at.is_none() {
                    publish(io, &entry.worker, &pod);
                }
                arm(entry, io.timers, node, &key, io.now);
            }
        }
        true
    }

    /// Cuts the node's power: the kubelet stops and every container dies.
    pub fn power_off(&mut self, now: Time, node: &str) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        agent.stopped = true;
        agent.off = true;
        for entry in agent.pods.values_mut() {
            for name in entry.worker.running_names() {
                entry.worker.end_at(&name, now, 255, "Unknown");
            }
        }
        true
    }

    /// Whether the node's machine was taken away (`node remove`).
    pub fn removed(&self, node: &str) -> bool {
        self.nodes.get(node).is_some_and(|a| a.removed)
    }

    /// Takes the machine away for good: as a power cut, except that
    /// nothing brings it back. Its Node object stays until deleted.
    pub fn remove_machine(&mut self, now: Time, node: &str) -> bool {
        if !self.power_off(now, node) {
            return false;
        }
        self.nodes.get_mut(node).is_some_and(|a| {
            a.removed = true;
            true
        })
    }

    /// Turns the node back on: the kubelet starts and restarts what died.
    pub fn power_on(&mut self, io: &mut Io, node: &str) -> bool {
        let Some(agent) = self.nodes.get_mut(node).filter(|a| !a.removed) else { return false };
        agent.off = false;
        self.start_kubelet(io, node)
    }

    /// `kill -9` of a container's main process: exit 137.
    pub fn kill(
        &mut self,
        api: &ApiServer,
        timers: &mut Timers,
        now: Time,
        namespace: &str,
        pod: &str,
        container: &str,
    ) -> bool {
        let uid = api.store().get(Kind::Pod, namespace, pod).and_then(|p| p.meta().uid.clone()).unwrap_or_default();
        self.end_container(timers, now, (namespace, pod, container, &uid), now, 137, "Error")
    }

    /// Makes a container's memory grow by `bytes_per_second` until the
    /// kernel kills it at its memory limit or, with none, until its node runs
    /// short and the kubelet evicts the pod. Returns when that happens.
    pub fn leak(
        &mut self,
        api: &ApiServer,
        timers: &mut Timers,
        now: Time,
        (namespace, pod, container): (&str, &str, &str),
        bytes_per_second: u64,
    ) -> Option<Time> {
        let object = api.store().get(Kind::Pod, namespace, pod)?;
        let spec = object.as_pod()?.spec.as_ref()?;
        let c = spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == container)?;
        let (image, command, args) = process::parts(c);
        let used = usage::resting(image, command, args).memory;
        let rate = bytes_per_second.max(1);
        let after = |bytes: u64| {
            let millis = bytes.saturating_mul(1000) / rate;
            i64::try_from(millis).unwrap_or(i64::MAX / 2).max(SECOND / 10)
        };
        if let Some(limit) = worker::memory_limit(c) {
            let at = now.plus(after(limit.saturating_sub(used)));
            let uid = object.meta().uid.clone().unwrap_or_default();
            return self
                .end_container(timers, now, (namespace, pod, container, &uid), at, 137, "OOMKilled")
                .then_some(at);
        }
        // No limit: the node runs short first, and its kubelet evicts the pod
        // at the next check of its eviction thresholds (every 10 s).
        let node = spec.node_name.clone()?;
        let node_object = api.store().get(Kind::Node, "", &node)?;
        let capacity = worker::bytes(node_object.as_node()?.status.as_ref()?.capacity.as_ref()?.get("memory")?)?;
        let control_plane = crate::labels::is_control_plane(node_object.meta());
        let window = now.0.div_euclid(15 * SECOND);
        let mut in_use = usage::node_overhead(control_plane, &node, window).memory;
        for (ns, name) in api.store().pods_on_node(&node) {
            let Some(other) = api.store().get(Kind::Pod, ns, name).and_then(|o| o.as_pod().cloned()) else { continue };
            for each in other.spec.iter().flat_map(|s| &s.containers) {
                let (image, command, args) = process::parts(each);
                in_use = in_use.saturating_add(usage::resting(image, command, args).memory);
            }
        }
        let crossing = now.plus(after(capacity.saturating_sub(in_use).saturating_sub(THRESHOLD)));
        let next_check = Time(crossing.0 + (10 * SECOND - crossing.0.rem_euclid(10 * SECOND)) % (10 * SECOND));
        // Memory that runs out before the next check is the kernel's to kill.
        let at = next_check.min(crossing.plus(after(THRESHOLD / 2)));
        let leaked = rate.saturating_mul(u64::try_from(at.since(now)).unwrap_or(0)) / 1000;
        let available = capacity.saturating_sub(in_use).saturating_sub(leaked);
        let request = c
            .resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .and_then(|r| r.get("memory"))
            .map_or("0".to_string(), |q| q.0.clone());
        let message = format!(
            "The node was low on resource: memory. Threshold quantity: 100Mi, available: {}Ki. Container {container} was using {}Ki, request is {request}, has larger consumption of memory. ",
            available / 1024,
            (used + leaked) / 1024
        );
        let key = (namespace.to_string(), pod.to_string());
        let agent = self.nodes.get_mut(&node)?;
        let entry = agent.pods.get_mut(&key)?;
        if !entry.worker.running_names().iter().any(|n| n == container) {
            return None;
        }
        entry.worker.evict_at = Some((at, message));
        if !agent.stopped {
            entry.armed = None;
            arm(entry, timers, &node, &key, now);
        }
        Some(at)
    }

    /// Ends a running container's process at `at` with `code` (a kill, an
    /// OOM kill, an attached shell's `exit`): the pod worker plays it then.
    pub fn end_container(
        &mut self,
        timers: &mut Timers,
        now: Time,
        (namespace, pod, container, uid): (&str, &str, &str, &str),
        at: Time,
        code: i32,
        reason: &'static str,
    ) -> bool {
        let key = (namespace.to_string(), pod.to_string());
        for (node, agent) in &mut self.nodes {
            let stopped = agent.stopped;
            // A stopped kubelet may still hold an older pod of that name.
            let Some(entry) = agent.pods.get_mut(&key).filter(|e| e.uid == uid) else { continue };
            if !entry.worker.end_at(container, at, code, reason) {
                return false;
            }
            if !stopped {
                entry.armed = None;
                arm(entry, timers, node, &key, now);
            }
            return true;
        }
        false
    }
}
