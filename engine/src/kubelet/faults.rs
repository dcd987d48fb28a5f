//! Faults a teacher can inject: a node's kubelet stopped and started, a
//! node powered off and on, a container killed, a container leaking memory.

use super::{arm, node, Kubelets, PodKey};
use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::events::Recorder;
use crate::runtime::{process, usage};
use crate::time::{Time, SECOND};
use crate::timers::Timers;

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
    pub fn start_kubelet(
        &mut self,
        api: &mut ApiServer,
        timers: &mut Timers,
        events: &mut Recorder,
        now: Time,
        node: &str,
    ) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        if agent.off {
            return false;
        }
        agent.stopped = false;
        node::post_ready(api, node, now);
        node::renew(api, node, now);
        let keys: Vec<PodKey> = api.store().pods_on_node(node).cloned().collect();
        let gone: Vec<PodKey> = agent.pods.keys().filter(|k| !keys.contains(k)).cloned().collect();
        for key in gone {
            if let Some(octet) = agent.pods.remove(&key).and_then(|e| e.octet) {
                agent.used_ips.remove(&octet);
            }
        }
        for key in keys {
            let Some(pod) = api.get(Kind::Pod, &key.0, &key.1).ok().and_then(|o| o.as_pod().cloned()) else {
                continue;
            };
            if let Some(entry) = self.nodes.get_mut(node).and_then(|a| a.pods.get_mut(&key)) {
                entry.armed = None;
            }
            self.pod_changed(api, timers, events, now, node, key.clone(), &pod);
            if let Some(entry) = self.nodes.get_mut(node).and_then(|a| a.pods.get_mut(&key)) {
                // What it reports first: its pods as they are now.
                if entry.worker.kill_at.is_none() {
                    let mut updated = pod.clone();
                    super::status::write(&entry.worker, &mut updated, now);
                    if updated != pod {
                        api.put_raw(crate::object::Object::Pod(updated), now);
                    }
                }
                arm(entry, timers, node, &key, now);
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

    /// Turns the node back on: the kubelet starts and restarts what died.
    pub fn power_on(
        &mut self,
        api: &mut ApiServer,
        timers: &mut Timers,
        events: &mut Recorder,
        now: Time,
        node: &str,
    ) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else { return false };
        agent.off = false;
        self.start_kubelet(api, timers, events, now, node)
    }

    /// `kill -9` of a container's main process: exit 137.
    pub fn kill(&mut self, timers: &mut Timers, now: Time, namespace: &str, pod: &str, container: &str) -> bool {
        self.end_container(timers, now, (namespace, pod, container), now, 137, "Error")
    }

    /// Makes a container's memory grow by `bytes_per_second` until the
    /// kernel kills it at its memory limit (or, with none, at what its node
    /// can give). Returns when that happens.
    #[allow(clippy::too_many_arguments)]
    pub fn leak(
        &mut self,
        api: &ApiServer,
        timers: &mut Timers,
        now: Time,
        namespace: &str,
        pod: &str,
        container: &str,
        bytes_per_second: u64,
    ) -> Option<Time> {
        let object = api.store().get(Kind::Pod, namespace, pod)?;
        let spec = object.as_pod()?.spec.as_ref()?;
        let c = spec.containers.iter().chain(spec.init_containers.iter().flatten()).find(|c| c.name == container)?;
        let memory = |q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
            q.and_then(|q| crate::quantity::units(&q.0)).and_then(|b| u64::try_from(b).ok())
        };
        let node_memory = || {
            let node = api.store().get(Kind::Node, "", spec.node_name.as_deref()?)?;
            memory(node.as_node()?.status.as_ref()?.allocatable.as_ref()?.get("memory"))
        };
        let limit = memory(c.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("memory")))
            .or_else(node_memory)?;
        let (image, command, args) = process::parts(c);
        let used = usage::resting(image, command, args).memory;
        let millis = limit.saturating_sub(used).saturating_mul(1000) / bytes_per_second.max(1);
        let at = now.plus(i64::try_from(millis).unwrap_or(i64::MAX / 2).max(SECOND / 10));
        self.end_container(timers, now, (namespace, pod, container), at, 137, "OOMKilled").then_some(at)
    }

    fn end_container(
        &mut self,
        timers: &mut Timers,
        now: Time,
        (namespace, pod, container): (&str, &str, &str),
        at: Time,
        code: i32,
        reason: &'static str,
    ) -> bool {
        let key = (namespace.to_string(), pod.to_string());
        for (node, agent) in &mut self.nodes {
            let stopped = agent.stopped;
            let Some(entry) = agent.pods.get_mut(&key) else { continue };
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
