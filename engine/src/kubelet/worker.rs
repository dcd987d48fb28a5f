//! One pod's worker: the sandbox, init containers one after another, then
//! the app containers, each through image pull, configuration, creation,
//! running, probes, exit and restart with back-off; and, once the pod is
//! deleted, the graceful stop. The worker holds what the kubelet knows;
//! `status.rs` turns it into the pod's status.

use super::backoff::Backoff;
use super::config;
use super::probes::{Effects, Kind as ProbeKind, Probe, Target};
use super::pull::{must_pull, ImageStore};
use crate::runtime::exec::Inside;
use crate::runtime::fs::Layers;
use crate::runtime::process::{self, Exit, Plan};
use crate::runtime::volumes::Volumes;
use crate::runtime::{images, usage};
use crate::store::Store;
use crate::time::{go_duration, Millis, Time, SECOND};
use k8s_openapi::api::core::v1::{Container, Pod};

/// Creating the sandbox (pause container and network).
const SANDBOX_MILLIS: Millis = 500;
/// Creating and starting a container once its image is there.
const START_MILLIS: Millis = 300;
/// How soon the kubelet notices a container exited (PLEG's relist period).
const NOTICE_MILLIS: Millis = SECOND;
/// How long a server takes to shut down on SIGTERM.
const STOP_MILLIS: Millis = 200;
/// How long a process filling its memory takes to reach its limit.
const OOM_MILLIS: Millis = SECOND;
/// Tearing down a stopped pod's sandbox before the kubelet lets it go.
const TEARDOWN_MILLIS: Millis = 500;
/// The pod worker's resync after an error (missing configuration).
const RESYNC_MILLIS: Millis = 10 * SECOND;

/// An event the worker wants recorded against its pod.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Note {
    pub warning: bool,
    pub reason: &'static str,
    pub message: String,
}

/// What a worker may use while it advances.
pub(super) struct Env<'a> {
    pub now: Time,
    pub store: &'a Store,
    /// What containers have written, for exec probes to read.
    pub written: (&'a Layers, &'a Volumes),
    pub pod: &'a Pod,
    pub images: &'a mut ImageStore,
    pub notes: Vec<Note>,
}

impl Env<'_> {
    fn note(&mut self, warning: bool, reason: &'static str, message: String) {
        self.notes.push(Note { warning, reason, message });
    }

    fn pod_ref(&self) -> String {
        let m = &self.pod.metadata;
        format!(
            "{}_{}({})",
            m.name.as_deref().unwrap_or_default(),
            m.namespace.as_deref().unwrap_or_default(),
            m.uid.as_deref().unwrap_or_default()
        )
    }
}

/// A finished container instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Ended {
    pub started: Time,
    pub finished: Time,
    pub code: i32,
    pub reason: &'static str,
    pub id: String,
}

/// How a running instance will end unless something else ends it first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct End {
    at: Time,
    code: i32,
    reason: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum State {
    /// Not started; `retry` is when the worker tries again.
    Waiting {
        reason: &'static str,
        message: Option<String>,
        retry: Option<Time>,
    },
    Pulling {
        requested: Time,
        done: Time,
        took: Millis,
    },
    Creating {
        at: Time,
    },
    Running {
        since: Time,
    },
    Terminated(Ended),
}

/// One container of the pod, init or app.
#[derive(Clone, Debug)]
pub(super) struct Slot {
    pub name: String,
    /// The image the pod's spec names, to notice when it changes.
    spec_image: String,
    /// Started again whatever the restart policy: its spec changed.
    respawn: bool,
    /// A sidecar told to stop: it is not started again.
    stopping: bool,
    pub state: State,
    pub restarts: i32,
    pub last: Option<Ended>,
    pub ready: bool,
    pub started: bool,
    pub id: Option<String>,
    /// The image as the runtime reports it, once it has been there.
    pub image_ref: Option<String>,
    end: Option<End>,
    restart_at: Option<Time>,
    crash: Backoff,
    pull: Backoff,
    pull_failed: Option<Time>,
    probes: Vec<Probe>,
    /// The trouble the status keeps showing while the worker tries again
    /// (a new pull after ImagePullBackOff, a restart after CrashLoopBackOff):
    /// the kubelet reports only once an attempt is over.
    pub shown: Option<(&'static str, Option<String>)>,
}

impl Slot {
    fn new(c: &Container, waiting: &'static str) -> Slot {
        Slot {
            name: c.name.clone(),
            spec_image: c.image.clone().unwrap_or_default(),
            respawn: false,
            stopping: false,
            state: State::Waiting { reason: waiting, message: None, retry: None },
            restarts: 0,
            last: None,
            ready: false,
            started: false,
            id: None,
            image_ref: None,
            end: None,
            restart_at: None,
            crash: Backoff::default(),
            pull: Backoff::default(),
            pull_failed: None,
            probes: Vec::new(),
            shown: None,
        }
    }

    pub fn running(&self) -> bool {
        matches!(self.state, State::Running { .. })
    }

    fn next_due(&self) -> Option<Time> {
        let own = match &self.state {
            State::Waiting { retry, .. } => *retry,
            State::Pulling { done, .. } => Some(*done),
            State::Creating { at } => Some(*at),
            State::Running { .. } => self.end.map(|e| e.at),
            State::Terminated(_) => self.restart_at,
        };
        own.into_iter().chain(self.probes.iter().filter_map(|p| p.next)).min()
    }
}

/// Which part a container plays, for restarts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Init,
    /// An init container with `restartPolicy: Always`, running beside the app.
    Sidecar,
    App,
}

#[derive(Clone, Debug)]
pub(super) struct Worker {
    pub sandbox_at: Time,
    pub sandbox_ready: bool,
    pub inits: Vec<Slot>,
    pub apps: Vec<Slot>,
    mount_retry: Option<Time>,
    mount_backoff: Backoff,
    mounted: bool,
    /// Every init container has done its part once: a sidecar restarting
    /// later does not hold the app containers back again.
    inited: bool,
    /// Set once the pod is being deleted: when SIGKILL comes.
    pub kill_at: Option<Time>,
    /// When the sandbox of a stopping pod is gone, at the earliest.
    teardown_at: Option<Time>,
    /// When the kubelet evicts the pod to reclaim node memory, and why.
    pub evict_at: Option<(Time, String)>,
    /// Why the kubelet evicted the pod, once it has.
    pub evicted: Option<String>,
}

impl Worker {
    /// A worker for a pod just bound to the node.
    pub fn new(pod: &Pod, now: Time) -> Worker {
        let spec = pod.spec.clone().unwrap_or_default();
        let has_inits = spec.init_containers.as_ref().is_some_and(|i| !i.is_empty());
        let app_waiting = if has_inits { "PodInitializing" } else { "ContainerCreating" };
        Worker {
            sandbox_at: now.plus(SANDBOX_MILLIS),
            sandbox_ready: false,
            inits: spec.init_containers.iter().flatten().map(|c| Slot::new(c, "PodInitializing")).collect(),
            apps: spec.containers.iter().map(|c| Slot::new(c, app_waiting)).collect(),
            mount_retry: None,
            mount_backoff: Backoff::default(),
            mounted: false,
            inited: false,
            kill_at: None,
            teardown_at: None,
            evict_at: None,
            evicted: None,
        }
    }

    /// A worker for a pod found already running (a preset's pods).
    pub fn adopt(pod: &Pod, now: Time) -> Worker {
        let mut worker = Worker::new(pod, now);
        worker.sandbox_ready = true;
        worker.mounted = true;
        let status = pod.status.clone().unwrap_or_default();
        let spec = pod.spec.clone().unwrap_or_default();
        let statuses = status.container_statuses.unwrap_or_default();
        for (slot, c) in worker.apps.iter_mut().zip(&spec.containers) {
            let Some(cs) = statuses.iter().find(|s| s.name == c.name) else { continue };
            let since = cs
                .state
                .as_ref()
                .and_then(|s| s.running.as_ref())
                .and_then(|r| r.started_at.as_ref())
                .map_or(now, Time::from_k8s);
            slot.state = State::Running { since };
            slot.restarts = cs.restart_count;
            slot.ready = cs.ready;
            slot.started = true;
            slot.id = cs.container_id.clone();
            slot.image_ref = Some(cs.image.clone());
            slot.end = ends(c, since, &process::plan_with_output_of(c));
        }
        // The init containers did their part long ago; sidecars still run.
        for (slot, c) in worker.inits.iter_mut().zip(spec.init_containers.iter().flatten()) {
            slot.state = if role_of_init(c) == Role::Sidecar {
                slot.started = true;
                slot.ready = true;
                State::Running { since: now }
            } else {
                State::Terminated(Ended {
                    started: now,
                    finished: now,
                    code: 0,
                    reason: "Completed",
                    id: String::new(),
                })
            };
        }
        worker.inited = true;
        worker
    }

    /// When the worker next has something to do.
    pub fn next_due(&self) -> Option<Time> {
        if self.kill_at.is_some() {
            // Nothing is reported until the last container has stopped and
            // the sandbox is gone.
            let ends = self.inits.iter().chain(&self.apps).filter_map(|s| s.end.map(|e| e.at));
            return ends.chain(self.teardown_at).max();
        }
        if self.evicted.is_some() {
            return None;
        }
        let evict = self.evict_at.as_ref().map(|(t, _)| *t);
        let own = [(!self.sandbox_ready).then_some(self.sandbox_at), self.mount_retry, evict].into_iter().flatten();
        own.chain(self.inits.iter().chain(&self.apps).filter_map(Slot::next_due)).min()
    }

    /// Whether every init container has done its part (once is enough).
    pub fn initialized(&self, spec: &[Container]) -> bool {
        self.inited || self.inits.iter().zip(spec).all(|(slot, c)| init_done(slot, role_of_init(c)))
    }

    /// The init containers that run beside the app (`restartPolicy: Always`).
    pub fn sidecars<'a>(&'a self, spec: &'a [Container]) -> impl Iterator<Item = &'a Slot> + 'a {
        self.inits.iter().zip(spec).filter(|(_, c)| role_of_init(c) == Role::Sidecar).map(|(s, _)| s)
    }

    /// The init containers that have not yet done their part.
    pub fn incomplete_inits<'a>(&'a self, spec: &'a [Container]) -> impl Iterator<Item = &'a str> + 'a {
        self.inits.iter().zip(spec).filter(|(slot, c)| !init_done(slot, role_of_init(c))).map(|(s, _)| s.name.as_str())
    }

    /// Whether an init container failed for good (restartPolicy Never).
    pub fn init_failed(&self, pod_policy: &str) -> bool {
        pod_policy == "Never"
            && self
                .inits
                .iter()
                .any(|s| matches!(&s.state, State::Terminated(e) if e.code != 0) && s.restart_at.is_none())
    }

    /// Whether the pod is done: every container ended and none will restart.
    pub fn finished(&self) -> bool {
        self.evicted.is_some() || (self.apps_done() && !self.inits.iter().any(Slot::running))
    }

    /// Whether every app container has ended for good.
    fn apps_done(&self) -> bool {
        !self.apps.is_empty()
            && self.apps.iter().all(|s| matches!(s.state, State::Terminated(_)) && s.restart_at.is_none())
    }

    /// Plays everything due by `env.now`.
    pub fn advance(&mut self, env: &mut Env) {
        let spec = env.pod.spec.clone().unwrap_or_default();
        let policy = spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
        if self.kill_at.is_some() {
            for slot in self.inits.iter_mut().chain(self.apps.iter_mut()) {
                if let Some(end) = slot.end.filter(|e| e.at <= env.now) {
                    slot.state = State::Terminated(ended(slot, end));
                    slot.end = None;
                }
            }
            return;
        }
        if let Some((at, message)) = self.evict_at.clone().filter(|(at, _)| *at <= env.now) {
            self.evict_at = None;
            self.evict(at, message, env);
            return;
        }
        if self.evicted.is_some() {
            return;
        }
        if !self.sandbox_ready {
            if env.now < self.sandbox_at {
                return;
            }
            self.sandbox_ready = true;
        }
        if !self.mounted {
            if self.mount_retry.is_some_and(|t| t > env.now) {
                return;
            }
            match config::mount_error(env.store, env.pod) {
                Some(message) => {
                    env.note(true, "FailedMount", message);
                    let now = env.now;
                    self.mount_backoff.next(now, now);
                    self.mount_retry = Some(self.mount_backoff.until(now));
                    return;
                }
                None => {
                    self.mounted = true;
                    self.mount_retry = None;
                }
            }
        }
        // A container that exits at once may start, run and exit in one instant.
        for _ in 0..4 {
            let mut progressed = false;
            let inits = spec.init_containers.as_deref().unwrap_or_default();
            for (i, c) in inits.iter().enumerate() {
                let role = role_of_init(c);
                let slot = &mut self.inits[i];
                progressed |= step(slot, c, role, &policy, env);
                if !init_done(&self.inits[i], role) {
                    break;
                }
            }
            if self.initialized(inits) && !self.init_failed(&policy) {
                self.inited = true;
                for (slot, c) in self.apps.iter_mut().zip(&spec.containers) {
                    progressed |= step(slot, c, Role::App, &policy, env);
                }
            }
            if !progressed {
                break;
            }
        }
        if self.apps_done() {
            // The app is done: its sidecars are stopped, as the kubelet does.
            let grace = spec.termination_grace_period_seconds.unwrap_or(30);
            let inits = spec.init_containers.as_deref().unwrap_or_default();
            for (slot, c) in self.inits.iter_mut().zip(inits) {
                if role_of_init(c) == Role::Sidecar && slot.running() && !slot.stopping {
                    slot.stopping = true;
                    slot.probes.clear();
                    let kill_at = env.now.plus(grace.max(0).saturating_mul(SECOND));
                    slot.end = Some(stop_end(c, env.now, kill_at));
                }
            }
        }
    }

    /// Starts the graceful stop of a deleted pod: preStop hooks, SIGTERM,
    /// and SIGKILL for whatever still runs at `kill_at` (the end of the
    /// grace period the deletion gave).
    pub fn stop(&mut self, pod: &Pod, now: Time, kill_at: Time, notes: &mut Vec<Note>) {
        if self.kill_at.is_some() {
            return;
        }
        let kill_at = kill_at.max(now);
        self.kill_at = Some(kill_at);
        self.teardown_at = (kill_at > now).then(|| now.plus(TEARDOWN_MILLIS).min(kill_at));
        let spec = pod.spec.clone().unwrap_or_default();
        let slots = self
            .inits
            .iter_mut()
            .zip(spec.init_containers.iter().flatten())
            .chain(self.apps.iter_mut().zip(&spec.containers));
        for (slot, c) in slots {
            slot.probes.clear();
            slot.restart_at = None;
            if !slot.running() {
                if !matches!(slot.state, State::Terminated(_)) {
                    slot.state = State::Waiting { reason: "ContainerCreating", message: None, retry: None };
                }
                continue;
            }
            notes.push(Note { warning: false, reason: "Killing", message: format!("Stopping container {}", c.name) });
            let natural = slot.end.filter(|e| e.at < kill_at);
            let stopped = stop_end(c, now.plus(pre_stop_millis(c)), kill_at);
            slot.end = Some(match natural {
                Some(n) if n.at <= stopped.at => n,
                _ => stopped,
            });
        }
    }

    /// Whether a stopping pod's containers have all stopped and its
    /// sandbox is gone.
    pub fn stopped(&self, now: Time) -> bool {
        self.kill_at.is_some()
            && self.teardown_at.is_none_or(|t| t <= now)
            && self.inits.iter().chain(&self.apps).all(|s| !s.running())
    }

    /// The pod's spec changed (`kubectl set image` on a pod): a container
    /// whose image changed is stopped and started again with the new one.
    pub fn respec(&mut self, pod: &Pod, now: Time, notes: &mut Vec<Note>) {
        let spec = pod.spec.clone().unwrap_or_default();
        let grace = spec.termination_grace_period_seconds.unwrap_or(30);
        for (slot, c) in self.apps.iter_mut().zip(&spec.containers) {
            let image = c.image.clone().unwrap_or_default();
            if slot.spec_image == image {
                continue;
            }
            slot.spec_image = image;
            slot.image_ref = None;
            if slot.running() {
                notes.push(Note {
                    warning: false,
                    reason: "Killing",
                    message: format!("Container {} definition changed, will be restarted", c.name),
                });
                slot.probes.clear();
                slot.respawn = true;
                let stop = stop_end(c, now, now.plus(grace.max(0).saturating_mul(SECOND)));
                slot.end = Some(match slot.end {
                    Some(e) if e.at <= stop.at => e,
                    _ => stop,
                });
            }
        }
    }

    /// The running container called `name`.
    fn running_slot(&mut self, name: &str) -> Option<&mut Slot> {
        self.inits.iter_mut().chain(self.apps.iter_mut()).find(|s| s.name == name && s.running())
    }

    /// Ends the running container `name` at `at` unless it ends sooner:
    /// `kill -9` (137), an out-of-memory kill, a node losing power.
    pub fn end_at(&mut self, name: &str, at: Time, code: i32, reason: &'static str) -> bool {
        let Some(slot) = self.running_slot(name) else { return false };
        if slot.end.is_none_or(|e| e.at > at) {
            slot.end = Some(End { at, code, reason });
        }
        true
    }

    /// Node-pressure eviction: every container is killed at once (no grace
    /// for a hard threshold), nothing restarts, the pod ends Failed.
    fn evict(&mut self, at: Time, message: String, env: &mut Env) {
        env.note(true, "Evicted", message.trim_end().to_string());
        for slot in self.inits.iter_mut().chain(self.apps.iter_mut()) {
            slot.probes.clear();
            slot.restart_at = None;
            slot.ready = false;
            slot.started = false;
            if slot.running() {
                env.note(false, "Killing", format!("Stopping container {}", slot.name));
                let end = End { at, code: 137, reason: "Error" };
                slot.state = State::Terminated(ended(slot, end));
                slot.end = None;
            } else if !matches!(slot.state, State::Terminated(_)) {
                slot.state = State::Waiting { reason: "ContainerCreating", message: None, retry: None };
            }
        }
        self.evicted = Some(message);
        self.mount_retry = None;
    }

    /// Every container that runs now, by name: what a power cut stops.
    pub fn running_names(&self) -> Vec<String> {
        self.inits.iter().chain(&self.apps).filter(|s| s.running()).map(|s| s.name.clone()).collect()
    }
}

fn role_of_init(c: &Container) -> Role {
    if c.restart_policy.as_deref() == Some("Always") {
        Role::Sidecar
    } else {
        Role::Init
    }
}

fn init_done(slot: &Slot, role: Role) -> bool {
    match role {
        Role::Sidecar => slot.running() && slot.started,
        _ => matches!(&slot.state, State::Terminated(e) if e.code == 0),
    }
}

/// Whether a container that ended with `code` is started again.
fn restarts(role: Role, policy: &str, code: i32) -> bool {
    match role {
        Role::Sidecar => true,
        Role::Init => policy != "Never" && code != 0,
        Role::App => policy == "Always" || (policy == "OnFailure" && code != 0),
    }
}

fn ended(slot: &Slot, end: End) -> Ended {
    let started = match slot.state {
        State::Running { since } => since,
        _ => end.at,
    };
    Ended { started, finished: end.at, code: end.code, reason: end.reason, id: slot.id.clone().unwrap_or_default() }
}

/// Moves one container along. Returns whether anything changed.
fn step(slot: &mut Slot, c: &Container, role: Role, policy: &str, env: &mut Env) -> bool {
    let now = env.now;
    let mut progressed = false;
    match slot.state.clone() {
        State::Waiting { reason, retry, .. } => {
            let fresh = retry.is_none() && matches!(reason, "PodInitializing" | "ContainerCreating");
            if fresh || retry.is_some_and(|t| t <= now) {
                if reason == "CrashLoopBackOff" {
                    if let Some(last) = &slot.last {
                        slot.crash.next(last.finished, now);
                    }
                    slot.restarts += 1;
                }
                begin(slot, c, env);
                progressed = true;
            }
        }
        State::Pulling { requested, done, took } if done <= now => {
            let image = c.image.clone().unwrap_or_default();
            match images::resolve(&image) {
                Ok(()) => {
                    env.images.add(&image);
                    env.note(
                        false,
                        "Pulled",
                        format!(
                            "Successfully pulled image \"{image}\" in {} ({} including waiting). Image size: {} bytes.",
                            go_duration(took),
                            go_duration(done.since(requested)),
                            images::size(&image)
                        ),
                    );
                    create(slot, c, env);
                }
                Err(error) => {
                    env.note(true, "Failed", format!("Failed to pull image \"{image}\": {error}"));
                    env.note(true, "Failed", "Error: ErrImagePull".into());
                    slot.pull.next(now, now);
                    slot.pull_failed = Some(now);
                    slot.state = State::Waiting {
                        reason: "ErrImagePull",
                        message: Some(error),
                        retry: Some(now.plus(NOTICE_MILLIS)),
                    };
                }
            }
            progressed = true;
        }
        State::Creating { at } if at <= now => {
            let id = images::digest(&format!("{}/{}/{}", env.pod_ref(), c.name, slot.restarts));
            slot.id = Some(format!("containerd://{}", &id[7..]));
            slot.image_ref = Some(images::normalize(c.image.as_deref().unwrap_or_default()));
            env.note(false, "Created", format!("Created container: {}", c.name));
            env.note(false, "Started", format!("Started container {}", c.name));
            slot.state = State::Running { since: now };
            let inside = Inside::of(env.store, env.written.0, env.written.1, env.pod, c, now);
            slot.end = ends(c, now, &process::plan_in(c, &inside));
            slot.probes = [ProbeKind::Startup, ProbeKind::Liveness, ProbeKind::Readiness]
                .into_iter()
                .filter_map(|k| Probe::of(c, k))
                .collect();
            let has_startup = slot.probes.iter().any(|p| p.kind == ProbeKind::Startup);
            for probe in &mut slot.probes {
                if probe.kind == ProbeKind::Startup || !has_startup {
                    probe.begin(now, now);
                }
            }
            slot.started = !has_startup;
            slot.ready = slot.started && !slot.probes.iter().any(|p| p.kind == ProbeKind::Readiness);
            progressed = true;
        }
        State::Running { since } => {
            progressed |= run_probes(slot, c, since, env);
            if let Some(end) = slot.end.filter(|e| e.at <= now) {
                let finished = ended(slot, end);
                slot.end = None;
                slot.probes.clear();
                slot.ready = false;
                slot.started = false;
                let again = (restarts(role, policy, end.code) && !slot.stopping) || std::mem::take(&mut slot.respawn);
                slot.restart_at = again.then(|| end.at.plus(NOTICE_MILLIS));
                slot.state = State::Terminated(finished);
                progressed = true;
            }
        }
        State::Terminated(finished) if slot.restart_at.is_some_and(|t| t <= now) => {
            slot.restart_at = None;
            slot.last = Some(finished.clone());
            if slot.crash.holds(finished.finished, now) {
                env.note(
                    true,
                    "BackOff",
                    format!("Back-off restarting failed container {} in pod {}", c.name, env.pod_ref()),
                );
                slot.state = State::Waiting {
                    reason: "CrashLoopBackOff",
                    message: Some(format!(
                        "back-off {}s restarting failed container={} pod={}",
                        slot.crash.delay() / SECOND,
                        c.name,
                        env.pod_ref()
                    )),
                    retry: Some(slot.crash.until(finished.finished)),
                };
            } else {
                slot.crash.next(finished.finished, now);
                slot.restarts += 1;
                begin(slot, c, env);
            }
            progressed = true;
        }
        _ => {}
    }
    match &slot.state {
        State::Waiting { reason, message, .. } if !matches!(*reason, "PodInitializing" | "ContainerCreating") => {
            slot.shown = Some((reason, message.clone()));
        }
        State::Running { .. } => slot.shown = None,
        _ => {}
    }
    progressed
}

/// Starts (or starts again) a container: the image first.
fn begin(slot: &mut Slot, c: &Container, env: &mut Env) {
    let now = env.now;
    let image = c.image.clone().unwrap_or_default();
    let present = env.images.has(&image);
    match must_pull(c.image_pull_policy.as_deref(), &image, present) {
        None => {
            let message = format!("Container image \"{image}\" is not present with pull policy of Never");
            env.note(true, "ErrImageNeverPull", message.clone());
            env.note(true, "Failed", "Error: ErrImageNeverPull".into());
            slot.state = State::Waiting { reason: "ErrImageNeverPull", message: Some(message), retry: None };
        }
        Some(false) => {
            env.note(false, "Pulled", format!("Container image \"{image}\" already present on machine"));
            create(slot, c, env);
        }
        Some(true) => {
            if let Some(failed) = slot.pull_failed.filter(|f| slot.pull.holds(*f, now)) {
                env.note(false, "BackOff", format!("Back-off pulling image \"{image}\""));
                env.note(true, "Failed", "Error: ImagePullBackOff".into());
                slot.state = State::Waiting {
                    reason: "ImagePullBackOff",
                    message: Some(format!("Back-off pulling image \"{image}\"")),
                    retry: Some(slot.pull.until(failed)),
                };
                return;
            }
            env.note(false, "Pulling", format!("Pulling image \"{image}\""));
            let pull = env.images.pull(&image, now);
            slot.state = State::Pulling { requested: pull.requested, done: pull.done, took: pull.took };
        }
    }
}

/// The image is there: builds the container's configuration and creates it.
fn create(slot: &mut Slot, c: &Container, env: &mut Env) {
    let namespace = env.pod.metadata.namespace.clone().unwrap_or_else(|| "default".into());
    match config::environment_error(env.store, &namespace, c) {
        Some(error) => {
            env.note(true, "Failed", format!("Error: {error}"));
            slot.state = State::Waiting {
                reason: "CreateContainerConfigError",
                message: Some(error),
                retry: Some(env.now.plus(RESYNC_MILLIS)),
            };
        }
        None => slot.state = State::Creating { at: env.now.plus(START_MILLIS) },
    }
}

/// Runs the probe ticks due; a failed liveness or startup probe kills the
/// container with the pod's grace period.
fn run_probes(slot: &mut Slot, c: &Container, since: Time, env: &mut Env) -> bool {
    let now = env.now;
    if !slot.probes.iter().any(|p| p.next.is_some_and(|t| t <= now)) {
        return false;
    }
    let inside = Inside::of(env.store, env.written.0, env.written.1, env.pod, c, now);
    let plan = process::plan_in(c, &inside);
    let ip = env.pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
    let target = Target { inside, plan: &plan, start: since, ip: &ip };
    let mut kill: Option<(ProbeKind, Option<i64>)> = None;
    for i in 0..slot.probes.len() {
        if slot.probes[i].next.is_none_or(|t| t > now) {
            continue;
        }
        let mut effects = Effects::default();
        slot.probes[i].tick(&target, now, &mut effects);
        let kind = slot.probes[i].kind;
        for message in effects.unhealthy {
            env.note(true, "Unhealthy", message);
        }
        match (kind, effects.passed) {
            (ProbeKind::Readiness, Some(ready)) => slot.ready = ready,
            (ProbeKind::Startup, Some(true)) => {
                slot.started = true;
                slot.ready = !slot.probes.iter().any(|p| p.kind == ProbeKind::Readiness);
                for probe in slot.probes.iter_mut().filter(|p| p.kind != ProbeKind::Startup) {
                    probe.begin(since, now);
                }
            }
            _ => {}
        }
        if effects.kill {
            kill = Some((kind, slot.probes[i].grace()));
            break;
        }
    }
    if let Some((kind, grace)) = kill {
        let word = if kind == ProbeKind::Startup { "startup" } else { "liveness" };
        env.note(false, "Killing", format!("Container {} failed {word} probe, will be restarted", c.name));
        let grace =
            grace.or_else(|| env.pod.spec.as_ref().and_then(|s| s.termination_grace_period_seconds)).unwrap_or(30);
        let stop = stop_end(c, now, now.plus(grace.max(0).saturating_mul(SECOND)));
        slot.end = Some(match slot.end {
            Some(e) if e.at <= stop.at => e,
            _ => stop,
        });
        slot.probes.clear();
    }
    true
}

/// How the instance started at `since` ends on its own: its command exits,
/// or it outgrows its memory limit and the kernel kills it.
fn ends(c: &Container, since: Time, plan: &Plan) -> Option<End> {
    let (image, command, args) = process::parts(c);
    let exit = match plan.exit {
        // A shell given a terminal waits for someone to type `exit`.
        _ if c.stdin == Some(true) && process::reads_terminal(image, command, args) => None,
        Exit::Never => None,
        Exit::After { after, code } => {
            Some(End { at: since.plus(after), code, reason: if code == 0 { "Completed" } else { "Error" } })
        }
    };
    let limit = memory_limit(c);
    let needs = usage::resting(image, command, args).memory;
    let oom = limit.filter(|l| needs > *l).map(|_| End { at: since.plus(OOM_MILLIS), code: 137, reason: "OOMKilled" });
    match (exit, oom) {
        (Some(e), Some(o)) => Some(if e.at < o.at { e } else { o }),
        (e, o) => e.or(o),
    }
}

/// How a container asked to stop at `now` ends: a server on SIGTERM, a
/// shell only at SIGKILL when `kill_at` comes.
fn stop_end(c: &Container, term_at: Time, kill_at: Time) -> End {
    let (image, command, args) = process::parts(c);
    if process::stops_on_term(image, command, args) && term_at.plus(STOP_MILLIS) < kill_at {
        End { at: term_at.plus(STOP_MILLIS), code: 0, reason: "Completed" }
    } else {
        End { at: kill_at, code: 137, reason: "Error" }
    }
}

/// A quantity of bytes (`128Mi`).
pub(super) fn bytes(q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity) -> Option<u64> {
    crate::quantity::units(&q.0).and_then(|b| u64::try_from(b).ok())
}

/// The container's memory limit in bytes, if it has one.
pub(super) fn memory_limit(c: &Container) -> Option<u64> {
    c.resources.as_ref()?.limits.as_ref()?.get("memory").and_then(bytes)
}

/// How long a container's preStop hook holds up SIGTERM.
fn pre_stop_millis(c: &Container) -> Millis {
    let Some(hook) = c.lifecycle.as_ref().and_then(|l| l.pre_stop.as_ref()) else { return 0 };
    if let Some(sleep) = &hook.sleep {
        return sleep.seconds.max(0).saturating_mul(SECOND);
    }
    if let Some(exec) = &hook.exec {
        let argv = exec.command.clone().unwrap_or_default();
        let (image, _, _) = process::parts(c);
        if let Exit::After { after, .. } = process::plan(image, Some(&argv), None) {
            return after;
        }
    }
    0
}
