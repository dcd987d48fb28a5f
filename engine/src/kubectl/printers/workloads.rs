//! Deployment, ReplicaSet, ReplicationController, StatefulSet, DaemonSet, Job,
//! CronJob and ControllerRevision tables.

use super::cells::{containers_images, labels, or_none, selector};
use super::duration::human;
use super::Columns;
use crate::time::Time;
use k8s_openapi::api::apps::v1::{ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::ReplicationController;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

pub const DEPLOYMENT: Columns =
    (&["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"]);

pub fn deployment(d: &Deployment, now: Time, wide: bool) -> Vec<String> {
    let spec = d.spec.as_ref();
    let status = d.status.as_ref();
    let ready = status.and_then(|s| s.ready_replicas).unwrap_or(0);
    let mut cells = vec![
        name(&d.metadata),
        format!("{ready}/{}", spec.and_then(|s| s.replicas).unwrap_or(0)),
        status.and_then(|s| s.updated_replicas).unwrap_or(0).to_string(),
        status.and_then(|s| s.available_replicas).unwrap_or(0).to_string(),
        super::age(&d.metadata, now),
    ];
    if wide {
        let (c, i) = containers_images(spec.map(|s| &s.template));
        cells.extend([c, i, selector(spec.map(|s| &s.selector))]);
    }
    cells
}

pub const REPLICA_SET: Columns =
    (&["NAME", "DESIRED", "CURRENT", "READY", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"]);

pub fn replica_set(rs: &ReplicaSet, now: Time, wide: bool) -> Vec<String> {
    let spec = rs.spec.as_ref();
    let status = rs.status.as_ref();
    let mut cells = vec![
        name(&rs.metadata),
        spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
        status.map_or(0, |s| s.replicas).to_string(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
        super::age(&rs.metadata, now),
    ];
    if wide {
        let (c, i) = containers_images(spec.and_then(|s| s.template.as_ref()));
        cells.extend([c, i, selector(spec.map(|s| &s.selector))]);
    }
    cells
}

pub fn replication_controller(rc: &ReplicationController, now: Time, wide: bool) -> Vec<String> {
    let spec = rc.spec.as_ref();
    let status = rc.status.as_ref();
    let mut cells = vec![
        name(&rc.metadata),
        spec.and_then(|s| s.replicas).unwrap_or(0).to_string(),
        status.map_or(0, |s| s.replicas).to_string(),
        status.and_then(|s| s.ready_replicas).unwrap_or(0).to_string(),
        super::age(&rc.metadata, now),
    ];
    if wide {
        let (c, i) = containers_images(spec.and_then(|s| s.template.as_ref()));
        cells.extend([c, i, labels(spec.and_then(|s| s.selector.as_ref()))]);
    }
    cells
}

pub const STATEFUL_SET: Columns = (&["NAME", "READY", "AGE"], &["CONTAINERS", "IMAGES"]);

pub fn stateful_set(ss: &StatefulSet, now: Time, wide: bool) -> Vec<String> {
    let spec = ss.spec.as_ref();
    let ready = ss.status.as_ref().and_then(|s| s.ready_replicas).unwrap_or(0);
    let mut cells = vec![
        name(&ss.metadata),
        format!("{ready}/{}", spec.and_then(|s| s.replicas).unwrap_or(0)),
        super::age(&ss.metadata, now),
    ];
    if wide {
        let (c, i) = containers_images(spec.map(|s| &s.template));
        cells.extend([c, i]);
    }
    cells
}

pub const DAEMON_SET: Columns = (
    &["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"],
    &["CONTAINERS", "IMAGES", "SELECTOR"],
);

pub fn daemon_set(ds: &DaemonSet, now: Time, wide: bool) -> Vec<String> {
    let spec = ds.spec.as_ref();
    let status = ds.status.as_ref();
    let get = |f: fn(&k8s_openapi::api::apps::v1::DaemonSetStatus) -> i32| status.map_or(0, f).to_string();
    let node_selector = spec.and_then(|s| s.template.spec.as_ref()).and_then(|s| s.node_selector.as_ref());
    let mut cells = vec![
        name(&ds.metadata),
        get(|s| s.desired_number_scheduled),
        get(|s| s.current_number_scheduled),
        get(|s| s.number_ready),
        get(|s| s.updated_number_scheduled.unwrap_or(0)),
        get(|s| s.number_available.unwrap_or(0)),
        labels(node_selector),
        super::age(&ds.metadata, now),
    ];
    if wide {
        let (c, i) = containers_images(spec.map(|s| &s.template));
        cells.extend([c, i, selector(spec.map(|s| &s.selector))]);
    }
    cells
}

pub const JOB: Columns = (&["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"], &["CONTAINERS", "IMAGES", "SELECTOR"]);

/// Complete, Failed, Terminating, Suspended, FailureTarget or Running.
pub fn job_status(job: &Job) -> &'static str {
    let conditions = job.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let has = |t: &str| conditions.iter().any(|c| c.type_ == t && c.status == "True");
    if has("Complete") {
        "Complete"
    } else if has("Failed") {
        "Failed"
    } else if job.metadata.deletion_timestamp.is_some() {
        "Terminating"
    } else if has("Suspended") {
        "Suspended"
    } else if has("FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

pub fn job(job: &Job, now: Time, wide: bool) -> Vec<String> {
    let spec = job.spec.as_ref();
    let status = job.status.as_ref();
    let succeeded = status.and_then(|s| s.succeeded).unwrap_or(0);
    let completions = match (spec.and_then(|s| s.completions), spec.and_then(|s| s.parallelism).unwrap_or(1)) {
        (Some(c), _) => format!("{succeeded}/{c}"),
        (None, p) if p > 1 => format!("{succeeded}/1 of {p}"),
        _ => format!("{succeeded}/1"),
    };
    let start = status.and_then(|s| s.start_time.as_ref()).map(Time::from_k8s);
    let end = status.and_then(|s| s.completion_time.as_ref()).map(Time::from_k8s);
    let duration = match (start, end) {
        (Some(s), Some(e)) => human(e.since(s)),
        (Some(s), None) => human(now.since(s)),
        _ => String::new(),
    };
    let mut cells =
        vec![name(&job.metadata), job_status(job).into(), completions, duration, super::age(&job.metadata, now)];
    if wide {
        let (c, i) = containers_images(spec.map(|s| &s.template));
        cells.extend([c, i, selector(spec.and_then(|s| s.selector.as_ref()))]);
    }
    cells
}

pub const CRON_JOB: Columns = (
    &["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"],
    &["CONTAINERS", "IMAGES", "SELECTOR"],
);

pub fn cron_job(cj: &CronJob, now: Time, wide: bool) -> Vec<String> {
    let spec = cj.spec.as_ref();
    let status = cj.status.as_ref();
    let last = status
        .and_then(|s| s.last_schedule_time.as_ref())
        .map_or_else(|| "<none>".to_string(), |t| human(now.since(Time::from_k8s(t))));
    let mut cells = vec![
        name(&cj.metadata),
        spec.map(|s| s.schedule.clone()).unwrap_or_default(),
        or_none(spec.and_then(|s| s.time_zone.clone()).unwrap_or_default()),
        spec.and_then(|s| s.suspend).unwrap_or(false).to_string(),
        status.and_then(|s| s.active.as_ref()).map_or(0, Vec::len).to_string(),
        last,
        super::age(&cj.metadata, now),
    ];
    if wide {
        let template = spec.and_then(|s| s.job_template.spec.as_ref());
        let (c, i) = containers_images(template.map(|s| &s.template));
        cells.extend([c, i, selector(template.and_then(|s| s.selector.as_ref()))]);
    }
    cells
}

pub const CONTROLLER_REVISION: Columns = (&["NAME", "CONTROLLER", "REVISION", "AGE"], &[]);

pub fn controller_revision(cr: &ControllerRevision, now: Time) -> Vec<String> {
    let controller = cr.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true)).map_or_else(
        || "<none>".to_string(),
        |o| {
            let group = o.api_version.rsplit_once('/').map_or("", |(g, _)| g);
            let kind = o.kind.to_lowercase();
            if group.is_empty() {
                format!("{kind}/{}", o.name)
            } else {
                format!("{kind}.{group}/{}", o.name)
            }
        },
    );
    vec![name(&cr.metadata), controller, cr.revision.to_string(), super::age(&cr.metadata, now)]
}
