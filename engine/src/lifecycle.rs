//! Each pod's life as a timeline: its phase, readiness and every
//! container's waiting / running / terminated spans over simulated time,
//! with the Events about it as marks. Built by reading the change log as
//! the components write it (only the pods and Events that changed), so
//! nothing scans the cluster per tick; bounded per pod and in the number of
//! pods, forgetting pods long gone first.

use std::collections::{BTreeMap, VecDeque};

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use crate::object::Object;
use crate::store::{ChangeType, Store};
use crate::time::{Millis, Time};
use crate::view::Owner;

/// Spans kept per lane (a container, the phase, readiness); older ones go first.
const MAX_SPANS: usize = 120;
/// Marks kept per pod; older ones go first.
const MAX_MARKS: usize = 200;
/// Pods remembered at most; past this, pods already deleted are forgotten
/// oldest first, and new pods go unrecorded while every one is alive.
const MAX_PODS: usize = 5_000;
/// How long a deleted pod's timeline outlives it.
const FORGET_AFTER: Millis = 60 * 60 * 1000;

/// What a container was doing over a span.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerState {
    /// Not started yet, or waiting to restart (the span's reason says why).
    Waiting,
    /// Its process ran.
    Running,
    /// Its process had ended (reason and exit code on the span).
    Terminated,
}

/// One stretch of time a lane spent in one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// When it began.
    pub start: Time,
    /// When it ended; `None` while it lasts (or when the pod went away with
    /// it open: see [`PodTimeline::deleted`]).
    pub end: Option<Time>,
    /// For a container lane; `Running` for phase and readiness lanes.
    pub state: ContainerState,
    /// Why: the waiting or terminated reason (`CrashLoopBackOff`, `Error`),
    /// the phase (`Pending`, `Running`, `Terminating`), or `Ready` /
    /// `NotReady`. Empty for a running container.
    pub reason: String,
    /// A terminated container's exit code.
    pub exit_code: Option<i32>,
    /// The container's restart count during the span.
    pub restarts: i32,
}

/// One container's lane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerLane {
    /// The container's name.
    pub name: String,
    /// Whether it is an init container (they run first, in order).
    pub init: bool,
    /// Its spans, oldest first.
    pub spans: Vec<Span>,
    /// Its restart count as last seen.
    pub restarts: i32,
    /// Whether it was ready as last seen.
    pub ready: bool,
}

/// Something that happened at an instant: an Event about the pod (each
/// report of a folded Event is a mark of its own), or a restart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// When.
    pub time: Time,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// `Scheduled`, `Pulled`, `Started`, `Killing`, `Unhealthy`, `Restarted`, …
    pub reason: String,
    /// The component's words.
    pub message: String,
    /// The container it is about, when known.
    pub container: Option<String>,
}

/// One pod's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PodTimeline {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// The instance's uid (a StatefulSet's pod comes back under its name).
    pub uid: String,
    /// Its controller, as the cluster map groups it (a ReplicaSet's pods
    /// under their Deployment).
    pub owner: Option<Owner>,
    /// The node it was bound to, once it was.
    pub node: Option<String>,
    /// When it was created.
    pub created: Time,
    /// When it left the API; `None` while it exists.
    pub deleted: Option<Time>,
    /// `status.phase` over time, with `Terminating` once deletion began.
    pub phases: Vec<Span>,
    /// The Ready condition over time (`Ready` / `NotReady`).
    pub readiness: Vec<Span>,
    /// Init containers first, then the app containers, in spec order.
    pub containers: Vec<ContainerLane>,
    /// Events and restarts, oldest first.
    pub marks: Vec<Mark>,
    /// Whether older spans or marks were dropped to stay within bounds.
    pub truncated: bool,
}

/// Every pod's timeline, kept up to date from the change log.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle {
    by_uid: BTreeMap<String, PodTimeline>,
    /// Deleted pods, in deletion order: who is forgotten first.
    gone: VecDeque<(Time, String)>,
    cursor: u64,
}

impl Lifecycle {
    /// How far it has read the change log.
    pub fn cursor(&self) -> u64 {
        self.cursor
    }

    /// Reads the changes since last time.
    pub fn follow(&mut self, store: &Store, now: Time) {
        for change in store.changes_since(self.cursor) {
            match &*change.object {
                Object::Pod(pod) => self.saw_pod(store, pod, change.change, change.time),
                Object::Event(event) if change.change != ChangeType::Deleted => {
                    if event.involved_object.kind.as_deref() != Some("Pod") {
                        continue;
                    }
                    let Some(line) = event.involved_object.uid.as_deref().and_then(|u| self.by_uid.get_mut(u)) else {
                        continue;
                    };
                    let mark = Mark {
                        time: change.time,
                        type_: event.type_.clone().unwrap_or_default(),
                        reason: event.reason.clone().unwrap_or_default(),
                        message: event.message.clone().unwrap_or_default(),
                        container: container_of(event.involved_object.field_path.as_deref()),
                    };
                    push_mark(line, mark);
                }
                _ => {}
            }
        }
        self.cursor = store.version();
        self.forget(now);
    }

    fn saw_pod(&mut self, store: &Store, pod: &Pod, change: ChangeType, at: Time) {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        if !self.by_uid.contains_key(&uid) {
            if change == ChangeType::Deleted || self.by_uid.len() >= MAX_PODS {
                return;
            }
            let line = PodTimeline {
                namespace: pod.metadata.namespace.clone().unwrap_or_default(),
                name: pod.metadata.name.clone().unwrap_or_default(),
                uid: uid.clone(),
                owner: crate::view::owner(store, pod),
                node: None,
                created: at,
                deleted: None,
                phases: Vec::new(),
                readiness: Vec::new(),
                containers: lanes(pod),
                marks: Vec::new(),
                truncated: false,
            };
            self.by_uid.insert(uid.clone(), line);
        }
        let Some(line) = self.by_uid.get_mut(&uid) else { return };
        if line.deleted.is_some() {
            return;
        }
        if change == ChangeType::Deleted {
            line.deleted = Some(at);
            self.gone.push_back((at, uid));
            return;
        }
        line.node = pod.spec.as_ref().and_then(|s| s.node_name.clone()).or(line.node.take());
        let status = pod.status.as_ref();
        let phase = if pod.metadata.deletion_timestamp.is_some() {
            "Terminating".to_string()
        } else {
            status.and_then(|s| s.phase.clone()).unwrap_or_else(|| "Pending".into())
        };
        let truncated = advance(&mut line.phases, at, plain(phase));
        let ready = status
            .and_then(|s| s.conditions.as_ref())
            .and_then(|c| c.iter().find(|c| c.type_ == "Ready"))
            .is_some_and(|c| c.status == "True");
        let truncated = truncated | advance(&mut line.readiness, at, plain(if ready { "Ready" } else { "NotReady" }));
        line.truncated |= truncated;
        let statuses = status.into_iter().flat_map(|s| {
            let init = s.init_container_statuses.iter().flatten().map(|c| (true, c));
            init.chain(s.container_statuses.iter().flatten().map(|c| (false, c)))
        });
        for (init, cs) in statuses {
            let Some(lane) = line.containers.iter_mut().find(|l| l.init == init && l.name == cs.name) else {
                continue;
            };
            let mut restart_mark = None;
            if cs.restart_count > lane.restarts {
                restart_mark = Some(restarted(cs, at));
            }
            lane.restarts = cs.restart_count;
            lane.ready = cs.ready;
            line.truncated |= advance(&mut lane.spans, at, span_of(cs, at));
            if let Some(mark) = restart_mark {
                push_mark(line, mark);
            }
        }
    }

    /// Forgets pods deleted long ago, and the oldest deleted ones while
    /// there are too many.
    fn forget(&mut self, now: Time) {
        while let Some((when, uid)) = self.gone.front() {
            if now.since(*when) < FORGET_AFTER && self.by_uid.len() <= MAX_PODS {
                break;
            }
            self.by_uid.remove(uid);
            self.gone.pop_front();
        }
    }

    /// The timeline of the pod called `name` (its latest instance).
    pub fn pod(&self, namespace: &str, name: &str) -> Option<PodTimeline> {
        self.by_uid
            .values()
            .filter(|l| l.namespace == namespace && l.name == name)
            .max_by_key(|l| (l.deleted.is_none(), l.created))
            .map(|l| closed(l.clone()))
    }

    /// The timelines of the pods `owner` controls (or controlled) in
    /// `namespace` that were alive at some point since `since`, oldest
    /// first.
    pub fn owned(&self, namespace: &str, owner: &Owner, since: Time) -> Vec<PodTimeline> {
        let mut lines: Vec<PodTimeline> = self
            .by_uid
            .values()
            .filter(|l| l.namespace == namespace && l.owner.as_ref() == Some(owner))
            .filter(|l| l.deleted.is_none_or(|d| d >= since))
            .map(|l| closed(l.clone()))
            .collect();
        lines.sort_by(|a, b| (a.created, &a.name).cmp(&(b.created, &b.name)));
        lines
    }
}

/// A deleted pod's spans end where it did.
fn closed(mut line: PodTimeline) -> PodTimeline {
    if let Some(end) = line.deleted {
        let lanes = line.containers.iter_mut().map(|c| &mut c.spans);
        for spans in lanes.chain([&mut line.phases, &mut line.readiness]) {
            if let Some(last) = spans.last_mut().filter(|s| s.end.is_none()) {
                last.end = Some(end);
            }
        }
    }
    line
}

/// The pod's containers as empty lanes, init containers first.
fn lanes(pod: &Pod) -> Vec<ContainerLane> {
    let Some(spec) = pod.spec.as_ref() else { return Vec::new() };
    let init = spec.init_containers.iter().flatten().map(|c| (true, &c.name));
    init.chain(spec.containers.iter().map(|c| (false, &c.name)))
        .map(|(init, name)| ContainerLane { name: name.clone(), init, spans: Vec::new(), restarts: 0, ready: false })
        .collect()
}

fn plain(reason: impl Into<String>) -> Span {
    Span {
        start: Time(0),
        end: None,
        state: ContainerState::Running,
        reason: reason.into(),
        exit_code: None,
        restarts: 0,
    }
}

/// The span a container status describes, starting at `at`.
fn span_of(cs: &ContainerStatus, at: Time) -> Span {
    let state = cs.state.as_ref();
    let (kind, reason, exit_code) = if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
        (ContainerState::Terminated, t.reason.clone().unwrap_or_default(), Some(t.exit_code))
    } else if state.and_then(|s| s.running.as_ref()).is_some() {
        (ContainerState::Running, String::new(), None)
    } else {
        let reason = state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.clone());
        (ContainerState::Waiting, reason.unwrap_or_default(), None)
    };
    Span { start: at, end: None, state: kind, reason, exit_code, restarts: cs.restart_count }
}

/// A restart as a mark, saying how the previous run ended.
fn restarted(cs: &ContainerStatus, at: Time) -> Mark {
    let last = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref());
    let message = match last {
        Some(t) => format!(
            "restart {} after the last run ended: {} (exit code {})",
            cs.restart_count,
            t.reason.as_deref().unwrap_or("Error"),
            t.exit_code
        ),
        None => format!("restart {}", cs.restart_count),
    };
    Mark { time: at, type_: "Warning".into(), reason: "Restarted".into(), message, container: Some(cs.name.clone()) }
}

/// Closes the open span and opens `next` at `at` unless nothing changed;
/// says whether the oldest span had to go.
fn advance(spans: &mut Vec<Span>, at: Time, mut next: Span) -> bool {
    next.start = at;
    if let Some(open) = spans.last_mut() {
        if same_state(open, &next) {
            return false;
        }
        if open.start == at {
            // Two writes at one instant: the later one is what it was, and
            // may be what the span before it was, which then goes on.
            *open = next;
            let n = spans.len();
            if n >= 2 && same_state(&spans[n - 2], &spans[n - 1]) {
                spans.pop();
                if let Some(back) = spans.last_mut() {
                    back.end = None;
                }
            }
            return false;
        }
        open.end = Some(at);
    }
    spans.push(next);
    if spans.len() > MAX_SPANS {
        spans.remove(0);
        return true;
    }
    false
}

fn same_state(a: &Span, b: &Span) -> bool {
    a.state == b.state && a.reason == b.reason && a.exit_code == b.exit_code && a.restarts == b.restarts
}

fn push_mark(line: &mut PodTimeline, mark: Mark) {
    line.marks.push(mark);
    if line.marks.len() > MAX_MARKS {
        line.marks.remove(0);
        line.truncated = true;
    }
}

/// The container a `fieldPath` such as `spec.containers{web}` names.
fn container_of(path: Option<&str>) -> Option<String> {
    let path = path?;
    let open = path.find('{')?;
    let close = path.rfind('}')?;
    (close > open + 1).then(|| path[open + 1..close].to_string())
}
