//! The pod status a worker reports: phase, conditions and one status per
//! container, as the kubelet's status manager writes them.

use super::worker::{Slot, State, Worker};
use crate::runtime::images;
use crate::time::Time;
use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting, ContainerStatus,
    Pod, PodCondition, PodStatus,
};

/// Writes what the worker knows into the pod's status.
pub(super) fn write(worker: &Worker, pod: &mut Pod, now: Time) {
    let spec = pod.spec.clone().unwrap_or_default();
    let policy = spec.restart_policy.clone().unwrap_or_else(|| "Always".into());
    let inits = spec.init_containers.clone().unwrap_or_default();
    let status = pod.status.get_or_insert_with(Default::default);
    let initialized = worker.initialized(&inits);
    let finished = worker.finished();
    let phase = if worker.init_failed(&policy) || worker.evicted.is_some() {
        "Failed"
    } else if !initialized {
        "Pending"
    } else if finished {
        let failed = worker.apps.iter().any(|s| matches!(&s.state, State::Terminated(e) if e.code != 0));
        if failed {
            "Failed"
        } else {
            "Succeeded"
        }
    } else if worker.apps.iter().any(|s| {
        s.restarts > 0 || !matches!(s.state, State::Waiting { .. } | State::Pulling { .. } | State::Creating { .. })
    }) {
        "Running"
    } else {
        "Pending"
    };
    status.phase = Some(phase.into());
    if let Some(message) = &worker.evicted {
        status.reason = Some("Evicted".into());
        status.message = Some(message.clone());
    }
    if !inits.is_empty() {
        status.init_container_statuses = Some(
            worker.inits.iter().zip(&inits).map(|(slot, c)| container_status(slot, c, "PodInitializing")).collect(),
        );
    }
    let app_waiting = if inits.is_empty() { "ContainerCreating" } else { "PodInitializing" };
    status.container_statuses = Some(
        worker.apps.iter().zip(&spec.containers).map(|(slot, c)| container_status(slot, c, app_waiting)).collect(),
    );

    let incomplete: Vec<&str> = worker.incomplete_inits(&inits).collect();
    let unready: Vec<&str> =
        worker.apps.iter().chain(worker.sidecars(&inits)).filter(|s| !s.ready).map(|s| s.name.as_str()).collect();
    let conditions = status.conditions.get_or_insert_with(Vec::new);
    let mut set = |type_: &str, ok: bool, reason: Option<&str>, message: Option<String>| {
        let value = if ok { "True" } else { "False" };
        match conditions.iter_mut().find(|c| c.type_ == type_) {
            Some(c) => {
                if c.status != value {
                    c.status = value.into();
                    c.last_transition_time = Some(now.to_k8s());
                }
                c.reason = reason.map(String::from);
                c.message = message;
            }
            None => conditions.push(PodCondition {
                type_: type_.into(),
                status: value.into(),
                reason: reason.map(String::from),
                message,
                last_transition_time: Some(now.to_k8s()),
                ..Default::default()
            }),
        }
    };
    set("PodReadyToStartContainers", worker.sandbox_ready && !finished, None, None);
    if initialized || finished {
        set("Initialized", true, None, None);
    } else {
        let message = format!("containers with incomplete status: [{}]", incomplete.join(" "));
        set("Initialized", false, Some("ContainersNotInitialized"), Some(message));
    }
    if finished {
        set("Ready", false, Some("PodCompleted"), None);
        set("ContainersReady", false, Some("PodCompleted"), None);
    } else if unready.is_empty() {
        set("Ready", true, None, None);
        set("ContainersReady", true, None, None);
    } else {
        let message = format!("containers with unready status: [{}]", unready.join(" "));
        set("Ready", false, Some("ContainersNotReady"), Some(message.clone()));
        set("ContainersReady", false, Some("ContainersNotReady"), Some(message));
    }
    if let Some(message) = &worker.evicted {
        set("DisruptionTarget", true, Some("TerminationByKubelet"), Some(message.trim_end().to_string()));
    }
    let order =
        ["DisruptionTarget", "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"];
    conditions.sort_by_key(|c| order.iter().position(|o| *o == c.type_).unwrap_or(order.len()));
}

/// The pod's first status on the node: where it runs and since when.
pub(super) fn place(status: &mut PodStatus, host_ip: &str, pod_ip: Option<&str>, now: Time) {
    use k8s_openapi::api::core::v1::{HostIP, PodIP};
    status.host_ip = Some(host_ip.to_string());
    status.host_ips = Some(vec![HostIP { ip: host_ip.to_string() }]);
    if let Some(ip) = pod_ip {
        status.pod_ip = Some(ip.to_string());
        status.pod_ips = Some(vec![PodIP { ip: ip.to_string() }]);
    }
    status.start_time = Some(now.to_k8s());
}

fn container_status(slot: &Slot, c: &Container, creating: &str) -> ContainerStatus {
    let terminated = |e: &super::worker::Ended| ContainerStateTerminated {
        exit_code: e.code,
        reason: Some(e.reason.into()),
        started_at: Some(e.started.to_k8s()),
        finished_at: Some(e.finished.to_k8s()),
        container_id: (!e.id.is_empty()).then(|| e.id.clone()),
        ..Default::default()
    };
    let waiting = |reason: &str, message: Option<String>| ContainerState {
        waiting: Some(ContainerStateWaiting { reason: Some(reason.into()), message }),
        ..Default::default()
    };
    let state = match &slot.state {
        State::Waiting { reason, message, .. } => waiting(reason, message.clone()),
        State::Pulling { .. } | State::Creating { .. } => match &slot.shown {
            Some((reason, message)) => waiting(reason, message.clone()),
            None => waiting(creating, None),
        },
        State::Running { since } => ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(since.to_k8s()) }),
            ..Default::default()
        },
        State::Terminated(e) => ContainerState { terminated: Some(terminated(e)), ..Default::default() },
    };
    let image = slot.image_ref.clone().unwrap_or_else(|| c.image.clone().unwrap_or_default());
    ContainerStatus {
        name: c.name.clone(),
        image_id: slot.image_ref.as_deref().map(images::image_id).unwrap_or_default(),
        image,
        container_id: slot.id.clone(),
        ready: slot.ready,
        restart_count: slot.restarts,
        started: Some(slot.started),
        state: Some(state),
        last_state: Some(ContainerState { terminated: slot.last.as_ref().map(terminated), ..Default::default() }),
        ..Default::default()
    }
}
