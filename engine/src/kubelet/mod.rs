//! One kubelet per node: admits the pods bound to its node, gives each a
//! sandbox IP, pulls images (instant when cached on the node), starts the
//! containers, and on deletion stops them and removes the pod.
//!
//! Pod work is driven by the change log and by timers, never by a scan of
//! all pods.

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::runtime::images;
use crate::runtime::process::{self, Exit};
use crate::store::ChangeType;
use crate::time::{Millis, Time, SECOND};
use crate::timers::{Timer, Timers};
use k8s_openapi::api::core::v1::{
    ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus, HostIP,
    Pod, PodCondition, PodIP,
};
use std::collections::{BTreeMap, BTreeSet};

/// Time to create the pod sandbox (pause container and network).
const SANDBOX_MILLIS: Millis = 500;
/// Time to create and start one container once its image is present.
const CONTAINER_START_MILLIS: Millis = 300;
/// Time for a container to exit after SIGTERM.
const STOP_MILLIS: Millis = 1_000;

type PodKey = (String, String);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    Starting { due: Time, images: Vec<String> },
    Running,
    Terminating { due: Time },
}

/// Back-off before restarting a container that exited again (CrashLoopBackOff).
const BACKOFF_START: Millis = 10 * SECOND;
const BACKOFF_MAX: Millis = 300 * SECOND;

/// One container's process as the pod worker tracks it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Run {
    /// When the running process exits, and with what code.
    exit: Option<(Time, i32)>,
    /// When a crashed container is started again.
    restart_at: Option<Time>,
    /// The next back-off; zero until the first restart.
    backoff: Millis,
    started: Time,
}

#[derive(Clone, Debug, Default)]
struct NodeAgent {
    ip: String,
    pod_cidr_base: Option<[u8; 3]>,
    images: BTreeSet<String>,
    used_ips: BTreeSet<u8>,
    pods: BTreeMap<PodKey, (Stage, Option<u8>)>,
    runs: BTreeMap<PodKey, Vec<Run>>,
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
    pub fn sync(&mut self, api: &mut ApiServer, timers: &mut Timers, now: Time) -> bool {
        let changes: Vec<_> = api.store().changes_since(self.cursor).cloned().collect();
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
                    let key = (change.object.namespace().to_string(), change.object.name().to_string());
                    if change.change == ChangeType::Deleted {
                        if let Some(agent) = self.nodes.get_mut(&node) {
                            if let Some((_, Some(ip))) = agent.pods.remove(&key) {
                                agent.used_ips.remove(&ip);
                            }
                            agent.runs.remove(&key);
                        }
                        continue;
                    }
                    wrote |= self.pod_changed(api, timers, now, &node, key, pod);
                }
                _ => {}
            }
        }
        wrote
    }

    fn pod_changed(
        &mut self,
        api: &mut ApiServer,
        timers: &mut Timers,
        now: Time,
        node: &str,
        key: PodKey,
        pod: &Pod,
    ) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else {
            return false;
        };
        let wake = |timers: &mut Timers, due: Time| {
            timers.at(due, Timer::PodWorker { node: node.to_string(), namespace: key.0.clone(), name: key.1.clone() })
        };
        let stage = agent.pods.get(&key).map(|(s, _)| s.clone());
        if pod.metadata.deletion_timestamp.is_some() {
            if !matches!(stage, Some(Stage::Terminating { .. })) {
                let due = now.plus(STOP_MILLIS);
                let ip = agent.pods.get(&key).and_then(|(_, ip)| *ip);
                agent.pods.insert(key.clone(), (Stage::Terminating { due }, ip));
                wake(timers, due);
            }
            return false;
        }
        if stage.is_some() {
            return false;
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
        let host_network = pod.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
        if phase == "Running" {
            // A pod already running when the kubelet starts watching (a preset's
            // pre-existing state): adopt it as it is.
            let ip = pod
                .status
                .as_ref()
                .and_then(|s| s.pod_ip.as_deref())
                .filter(|_| !host_network)
                .and_then(|ip| ip.rsplit('.').next()?.parse().ok());
            if let Some(ip) = ip {
                agent.used_ips.insert(ip);
            }
            agent.pods.insert(key, (Stage::Running, ip));
            return false;
        }
        if phase != "Pending" {
            return false;
        }
        let (pod_ip, octet) = if host_network {
            (agent.ip.clone(), None)
        } else {
            match (agent.pod_cidr_base, (2..=254u8).find(|o| !agent.used_ips.contains(o))) {
                (Some([a, b, c]), Some(o)) => {
                    agent.used_ips.insert(o);
                    (format!("{a}.{b}.{c}.{o}"), Some(o))
                }
                _ => (String::new(), None),
            }
        };
        let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
        let mut due = now.plus(SANDBOX_MILLIS);
        let mut pulled = Vec::new();
        for c in &containers {
            let image = images::normalize(c.image.as_deref().unwrap_or_default());
            let cached = agent.images.contains(&image) || pulled.contains(&image);
            if !cached {
                due = due.plus(images::pull_millis(&image));
                pulled.push(image);
            }
            due = due.plus(CONTAINER_START_MILLIS);
        }
        agent.pods.insert(key.clone(), (Stage::Starting { due, images: pulled }, octet));
        wake(timers, due);

        let mut pod = pod.clone();
        let status = pod.status.get_or_insert_with(Default::default);
        status.host_ip = Some(agent.ip.clone());
        status.host_ips = Some(vec![HostIP { ip: agent.ip.clone() }]);
        if !pod_ip.is_empty() {
            status.pod_ip = Some(pod_ip.clone());
            status.pod_ips = Some(vec![PodIP { ip: pod_ip }]);
        }
        status.start_time = Some(now.to_k8s());
        let names: Vec<String> = containers.iter().map(|c| c.name.clone()).collect();
        set_conditions(status, now, false, &names);
        status.container_statuses = Some(
            containers
                .iter()
                .map(|c| ContainerStatus {
                    name: c.name.clone(),
                    image: c.image.clone().unwrap_or_default(),
                    image_id: String::new(),
                    ready: false,
                    restart_count: 0,
                    started: Some(false),
                    state: Some(ContainerState {
                        waiting: Some(ContainerStateWaiting {
                            reason: Some("ContainerCreating".into()),
                            message: None,
                        }),
                        ..Default::default()
                    }),
                    last_state: Some(Default::default()),
                    ..Default::default()
                })
                .collect(),
        );
        api.put_raw(Object::Pod(pod), now);
        true
    }

    /// Handles a pod worker's timer. Returns whether it wrote anything.
    pub fn fire(
        &mut self,
        api: &mut ApiServer,
        timers: &mut Timers,
        now: Time,
        node: &str,
        namespace: &str,
        name: &str,
    ) -> bool {
        let Some(agent) = self.nodes.get_mut(node) else {
            return false;
        };
        let key = (namespace.to_string(), name.to_string());
        let Some((stage, ip)) = agent.pods.get(&key).cloned() else {
            return false;
        };
        let Some(mut pod) = api.get(Kind::Pod, namespace, name).ok().and_then(|o| o.as_pod().cloned()) else {
            return false;
        };
        match stage {
            Stage::Starting { due, images } if due <= now => {
                agent.images.extend(images);
                agent.pods.insert(key.clone(), (Stage::Running, ip));
                let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
                let runs = containers
                    .iter()
                    .map(|c| Run { exit: exit_time(c, now), restart_at: None, backoff: 0, started: now })
                    .collect();
                agent.runs.insert(key.clone(), runs);
                start_containers(&mut pod, now);
                advance(agent, &key, &mut pod, now);
                schedule(agent, timers, node, &key);
                api.put_raw(Object::Pod(pod), now);
                true
            }
            Stage::Running => {
                let before = pod.clone();
                advance(agent, &key, &mut pod, now);
                schedule(agent, timers, node, &key);
                let changed = pod != before;
                if changed {
                    api.put_raw(Object::Pod(pod), now);
                }
                changed
            }
            Stage::Terminating { due } if due <= now => api.delete(Kind::Pod, namespace, name, Some(0), now).is_ok(),
            _ => false,
        }
    }
}

/// When a container started at `now` exits, and how.
fn exit_time(c: &k8s_openapi::api::core::v1::Container, now: Time) -> Option<(Time, i32)> {
    let (image, command, args) = process::parts(c);
    // A shell given a terminal waits for someone to type `exit`.
    if c.stdin == Some(true) && process::reads_terminal(image, command, args) {
        return None;
    }
    match process::plan(image, command, args) {
        Exit::Never => None,
        Exit::After { after, code } => Some((now.plus(after), code)),
    }
}

impl Kubelets {
    /// Ends the main process of container `index` of a pod now with `code`
    /// (an attached shell's `exit`); the pod worker plays it at once.
    pub fn end_process(&mut self, timers: &mut Timers, now: Time, namespace: &str, pod: &str, index: usize, code: i32) {
        let key = (namespace.to_string(), pod.to_string());
        for (node, agent) in &mut self.nodes {
            if let Some(run) = agent.runs.get_mut(&key).and_then(|runs| runs.get_mut(index)) {
                run.exit = Some((now, code));
                schedule(agent, timers, node, &key);
                return;
            }
        }
    }
}

/// Wakes the pod worker at the next exit or restart it expects.
fn schedule(agent: &NodeAgent, timers: &mut Timers, node: &str, key: &PodKey) {
    let next =
        agent.runs.get(key).into_iter().flatten().flat_map(|r| [r.exit.map(|(t, _)| t), r.restart_at]).flatten().min();
    if let Some(due) = next {
        timers.at(due, Timer::PodWorker { node: node.to_string(), namespace: key.0.clone(), name: key.1.clone() });
    }
}

/// Plays every container exit and restart due by `now` into the pod's
/// status, with the kubelet's restart policy and CrashLoopBackOff back-off
/// (restart at once after the first exit, then 10 s doubling to 5 min,
/// forgotten after 10 min of running).
fn advance(agent: &mut NodeAgent, key: &PodKey, pod: &mut Pod, now: Time) {
    let Some(runs) = agent.runs.get_mut(key) else { return };
    let spec = pod.spec.clone().unwrap_or_default();
    let policy = spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let pod_name = format!("{}_{}({uid})", key.1, key.0);
    let status = pod.status.get_or_insert_with(Default::default);
    let statuses = status.container_statuses.get_or_insert_with(Vec::new);
    // A container that exits at once may run and exit again in the same instant.
    for _ in 0..3 {
        let mut progressed = false;
        for (i, run) in runs.iter_mut().enumerate() {
            let (Some(container), Some(cs)) = (spec.containers.get(i), statuses.get_mut(i)) else { continue };
            if let Some((at, code)) = run.exit.filter(|(at, _)| *at <= now) {
                progressed = true;
                run.exit = None;
                let terminated = ContainerStateTerminated {
                    exit_code: code,
                    reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
                    started_at: Some(run.started.to_k8s()),
                    finished_at: Some(at.to_k8s()),
                    container_id: cs.container_id.clone(),
                    ..Default::default()
                };
                cs.ready = false;
                cs.started = Some(false);
                cs.state = Some(ContainerState { terminated: Some(terminated.clone()), ..Default::default() });
                let restart = policy == "Always" || (policy == "OnFailure" && code != 0);
                if restart {
                    if at.since(run.started) > 2 * BACKOFF_MAX {
                        run.backoff = 0;
                    }
                    if run.backoff == 0 {
                        run.restart_at = Some(at);
                        run.backoff = BACKOFF_START;
                    } else {
                        run.restart_at = Some(at.plus(run.backoff));
                        cs.last_state = Some(ContainerState { terminated: Some(terminated), ..Default::default() });
                        cs.state = Some(ContainerState {
                            waiting: Some(ContainerStateWaiting {
                                reason: Some("CrashLoopBackOff".into()),
                                message: Some(format!(
                                    "back-off {}s restarting failed container={} pod={pod_name}",
                                    run.backoff / SECOND,
                                    container.name
                                )),
                            }),
                            ..Default::default()
                        });
                        run.backoff = (run.backoff * 2).min(BACKOFF_MAX);
                    }
                }
            }
            if let Some(at) = run.restart_at.filter(|at| *at <= now) {
                progressed = true;
                run.restart_at = None;
                run.started = at;
                let previous = cs
                    .state
                    .as_ref()
                    .and_then(|s| s.terminated.clone())
                    .or_else(|| cs.last_state.as_ref().and_then(|s| s.terminated.clone()));
                cs.last_state = Some(ContainerState { terminated: previous, ..Default::default() });
                cs.restart_count += 1;
                let id = images::digest(&format!("{uid}/{}/{}", container.name, cs.restart_count));
                cs.container_id = Some(format!("containerd://{}", &id[7..]));
                cs.ready = true;
                cs.started = Some(true);
                cs.state = Some(ContainerState {
                    running: Some(ContainerStateRunning { started_at: Some(at.to_k8s()) }),
                    ..Default::default()
                });
                run.exit = exit_time(container, at);
            }
        }
        if !progressed {
            break;
        }
    }
    let names: Vec<String> = statuses.iter().filter(|cs| !cs.ready).map(|cs| cs.name.clone()).collect();
    let all_done = runs.iter().all(|r| r.exit.is_none() && r.restart_at.is_none())
        && statuses.iter().all(|cs| cs.state.as_ref().is_some_and(|s| s.terminated.is_some()));
    if all_done && !statuses.is_empty() {
        let failed = statuses
            .iter()
            .any(|cs| cs.state.as_ref().and_then(|s| s.terminated.as_ref()).is_some_and(|t| t.exit_code != 0));
        status.phase = Some(if failed { "Failed" } else { "Succeeded" }.into());
        set_completed(status, now);
    } else {
        set_conditions(status, now, names.is_empty(), &names);
    }
}

/// A finished pod's readiness conditions.
fn set_completed(status: &mut k8s_openapi::api::core::v1::PodStatus, now: Time) {
    for c in status.conditions.iter_mut().flatten() {
        if c.type_ == "Ready" || c.type_ == "ContainersReady" {
            if c.status != "False" {
                c.status = "False".into();
                c.last_transition_time = Some(now.to_k8s());
            }
            c.reason = Some("PodCompleted".into());
            c.message = None;
        }
        if c.type_ == "PodReadyToStartContainers" && c.status != "False" {
            c.status = "False".into();
            c.last_transition_time = Some(now.to_k8s());
        }
    }
}

fn start_containers(pod: &mut Pod, now: Time) {
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let status = pod.status.get_or_insert_with(Default::default);
    status.phase = Some("Running".into());
    for cs in status.container_statuses.iter_mut().flatten() {
        cs.image = images::normalize(&cs.image);
        cs.image_id = images::image_id(&cs.image);
        cs.container_id = Some(format!("containerd://{}", &images::digest(&format!("{uid}/{}", cs.name))[7..]));
        cs.ready = true;
        cs.started = Some(true);
        cs.state = Some(ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(now.to_k8s()) }),
            ..Default::default()
        });
    }
}

/// The kubelet's pod conditions: sandbox ready, initialised, and the two
/// readiness conditions, which carry the unready containers while false.
fn set_conditions(status: &mut k8s_openapi::api::core::v1::PodStatus, now: Time, ready: bool, containers: &[String]) {
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let mut set = |type_: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let value = if ok { "True" } else { "False" };
        if let Some(c) = conditions.iter_mut().find(|c| c.type_ == type_) {
            if c.status != value {
                c.status = value.into();
                c.last_transition_time = Some(now.to_k8s());
            }
            c.reason = reason.map(String::from);
            c.message = message;
        } else {
            conditions.push(PodCondition {
                type_: type_.into(),
                status: value.into(),
                reason: reason.map(String::from),
                message,
                last_transition_time: Some(now.to_k8s()),
                ..Default::default()
            });
        }
    };
    let unready = format!("containers with unready status: [{}]", containers.join(" "));
    set("PodReadyToStartContainers", true, None, None);
    set("Initialized", true, None, None);
    if ready {
        set("Ready", true, None, None);
        set("ContainersReady", true, None, None);
    } else {
        set("Ready", false, Some("ContainersNotReady"), Some(unready.clone()));
        set("ContainersReady", false, Some("ContainersNotReady"), Some(unready));
    }
    let order = ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
    conditions.sort_by_key(|c| order.iter().position(|o| *o == c.type_).unwrap_or(order.len()));
}

fn cidr_base(cidr: &str) -> Option<[u8; 3]> {
    let addr = cidr.split('/').next()?;
    let mut parts = addr.split('.').map(|p| p.parse::<u8>());
    Some([parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?])
}
