//! The Pod table: READY, STATUS and RESTARTS computed exactly as kubectl's
//! printPod does, so a STATUS like `Init:1/2` or `CrashLoopBackOff` reads the
//! same here as on a real cluster.

use super::duration::human;
use crate::time::Time;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// Column headers; the last four only with `-o wide`.
pub const HEADERS: &[&str] = &["NAME", "READY", "STATUS", "RESTARTS", "AGE"];
/// The extra `-o wide` headers.
pub const WIDE_HEADERS: &[&str] = &["IP", "NODE", "NOMINATED NODE", "READINESS GATES"];

/// READY, STATUS and RESTARTS of a pod at `now`.
pub struct Summary {
    /// `ready/total`.
    pub ready: String,
    /// What the STATUS column shows.
    pub status: String,
    /// `N` or `N (5m ago)`.
    pub restarts: String,
}

fn last_finished(cs: &ContainerStatus) -> Option<Time> {
    let t = cs.last_state.as_ref()?.terminated.as_ref()?.finished_at.as_ref()?;
    Some(Time::from_k8s(t))
}

/// kubectl's printPod algorithm.
pub fn summarize(pod: &Pod, now: Time) -> Summary {
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let init_specs = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or_default();
    let restartable =
        |name: &str| init_specs.iter().any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"));
    let total = spec.map_or(0, |s| s.containers.len())
        + init_specs.iter().filter(|c| c.restart_policy.as_deref() == Some("Always")).count();
    let mut ready = 0;
    let mut restarts: i32 = 0;
    let mut last_restart: Option<Time> = None;
    fn note(cs: &ContainerStatus, restarts: &mut i32, last_restart: &mut Option<Time>) {
        *restarts += cs.restart_count;
        if let Some(t) = last_finished(cs) {
            if last_restart.is_none_or(|l| t > l) {
                *last_restart = Some(t);
            }
        }
    }

    let mut reason = status.and_then(|s| s.phase.clone()).unwrap_or_default();
    if let Some(r) = status.and_then(|s| s.reason.clone()).filter(|r| !r.is_empty()) {
        reason = r;
    }
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    if conditions.iter().any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated")) {
        reason = "SchedulingGated".into();
    }

    let init_statuses = status.and_then(|s| s.init_container_statuses.as_deref()).unwrap_or_default();
    let mut initializing = false;
    for (i, cs) in init_statuses.iter().enumerate() {
        note(cs, &mut restarts, &mut last_restart);
        let state = cs.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting = state.and_then(|s| s.waiting.as_ref());
        if terminated.is_some_and(|t| t.exit_code == 0) {
            continue;
        }
        if restartable(&cs.name) && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        if let Some(t) = terminated {
            reason = match (&t.reason, t.signal) {
                (Some(r), _) if !r.is_empty() => format!("Init:{r}"),
                (_, Some(sig)) if sig != 0 => format!("Init:Signal:{sig}"),
                _ => format!("Init:ExitCode:{}", t.exit_code),
            };
        } else if let Some(r) =
            waiting.and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{}", init_specs.len());
        }
        initializing = true;
        break;
    }

    let initialized = conditions.iter().any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        // Only sidecar restarts count from the init containers now.
        restarts = 0;
        last_restart = None;
        for cs in init_statuses.iter().filter(|cs| restartable(&cs.name)) {
            note(cs, &mut restarts, &mut last_restart);
        }
        let mut has_running = false;
        for cs in status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default().iter().rev() {
            note(cs, &mut restarts, &mut last_restart);
            let state = cs.state.as_ref();
            if let Some(r) =
                state.and_then(|s| s.waiting.as_ref()).and_then(|w| w.reason.as_deref()).filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = match (&t.reason, t.signal) {
                    (Some(r), _) if !r.is_empty() => r.clone(),
                    (_, Some(sig)) if sig != 0 => format!("Signal:{sig}"),
                    _ => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && state.and_then(|s| s.running.as_ref()).is_some() {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.into();
        }
    }

    let phase = status.and_then(|s| s.phase.as_deref()).unwrap_or_default();
    if pod.metadata.deletion_timestamp.is_some() {
        if status.and_then(|s| s.reason.as_deref()) == Some("NodeLost") {
            reason = "Unknown".into();
        } else if phase != "Succeeded" && phase != "Failed" {
            reason = "Terminating".into();
        }
    }

    let restarts = match last_restart {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human(now.since(t))),
        _ => restarts.to_string(),
    };
    Summary { ready: format!("{ready}/{total}"), status: reason, restarts }
}

/// One table row: the standard cells, then the wide ones when `wide`.
pub fn row(pod: &Pod, now: Time, wide: bool) -> Vec<String> {
    let s = summarize(pod, now);
    let mut cells = vec![
        pod.metadata.name.clone().unwrap_or_default(),
        s.ready,
        s.status,
        s.restarts,
        super::age(&pod.metadata, now),
    ];
    if wide {
        let status = pod.status.as_ref();
        let spec = pod.spec.as_ref();
        let ip = status
            .and_then(|s| s.pod_ips.as_ref())
            .and_then(|ips| ips.first())
            .map(|p| p.ip.clone())
            .or_else(|| status.and_then(|s| s.pod_ip.clone()))
            .filter(|ip| !ip.is_empty());
        cells.push(ip.unwrap_or_else(|| "<none>".into()));
        cells.push(spec.and_then(|s| s.node_name.clone()).unwrap_or_else(|| "<none>".into()));
        cells.push(
            status
                .and_then(|s| s.nominated_node_name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "<none>".into()),
        );
        let gates = spec.and_then(|s| s.readiness_gates.as_deref()).unwrap_or_default();
        cells.push(if gates.is_empty() {
            "<none>".into()
        } else {
            let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
            let true_count = gates
                .iter()
                .filter(|g| conditions.iter().any(|c| c.type_ == g.condition_type && c.status == "True"))
                .count();
            format!("{true_count}/{}", gates.len())
        });
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{EPOCH, SECOND};
    use serde_json::json;

    fn pod(value: serde_json::Value) -> Pod {
        let mut v = value;
        v["apiVersion"] = json!("v1");
        v["kind"] = json!("Pod");
        serde_json::from_value(v).expect("test fixture is a valid Pod")
    }

    fn ago(seconds: i64) -> String {
        EPOCH.plus(-seconds * SECOND).rfc3339()
    }

    fn check(p: serde_json::Value, ready: &str, status: &str, restarts: &str) {
        let s = summarize(&pod(p), EPOCH);
        assert_eq!((s.ready.as_str(), s.status.as_str(), s.restarts.as_str()), (ready, status, restarts));
    }

    // Cases from kubectl's TestPrintPod.
    #[test]
    fn print_pod_cases() {
        check(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
                   "status": {"phase": "podPhase", "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 3, "state": {"running": {}}},
                       {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 3}]}}),
            "1/2",
            "podPhase",
            "6",
        );
        check(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
                   "status": {"phase": "podPhase", "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 3, "state": {"waiting": {"reason": "ContainerWaitingReason"}}},
                       {"name": "b", "image": "", "imageID": "", "ready": false, "restartCount": 3, "state": {"terminated": {"exitCode": 1, "reason": "ContainerTerminatedReason"}}}]}}),
            "0/2",
            "ContainerWaitingReason",
            "6",
        );
        check(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
                   "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}], "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                       {"name": "b", "image": "", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}]}}),
            "1/2",
            "Running",
            "0",
        );
        check(
            json!({"spec": {"initContainers": [{"name": "i1"}, {"name": "i2"}], "containers": [{"name": "a"}]},
                   "status": {"phase": "Pending", "initContainerStatuses": [
                       {"name": "i1", "image": "", "imageID": "", "ready": false, "restartCount": 2, "state": {"terminated": {"exitCode": 0}},
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(120)}}},
                       {"name": "i2", "image": "", "imageID": "", "ready": false, "restartCount": 3, "state": {"running": {}},
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(10)}}}],
                     "containerStatuses": [{"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0, "state": {"waiting": {}}}]}}),
            "0/1",
            "Init:1/2",
            "5 (10s ago)",
        );
        check(
            json!({"spec": {"containers": [{"name": "a"}]},
                   "status": {"phase": "Running", "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 3, "state": {"running": {}},
                        "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(5 * 86400)}}}]}}),
            "1/1",
            "Running",
            "3 (5d ago)",
        );
        check(
            json!({"spec": {"containers": [{"name": "a"}]},
                   "status": {"phase": "Succeeded", "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": false, "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}}),
            "0/1",
            "Completed",
            "0",
        );
        check(
            json!({"metadata": {"deletionTimestamp": ago(0)}, "spec": {"containers": [{"name": "a"}]},
                   "status": {"phase": "Running", "containerStatuses": [
                       {"name": "a", "image": "", "imageID": "", "ready": true, "restartCount": 0, "state": {"running": {}}}]}}),
            "1/1",
            "Terminating",
            "0",
        );
        check(
            json!({"metadata": {"deletionTimestamp": ago(0)}, "spec": {"containers": [{"name": "a"}]},
                   "status": {"phase": "Running", "reason": "NodeLost"}}),
            "0/1",
            "Unknown",
            "0",
        );
        check(
            json!({"spec": {"containers": [{"name": "a"}, {"name": "b"}]},
                   "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}}),
            "0/2",
            "SchedulingGated",
            "0",
        );
    }
}
