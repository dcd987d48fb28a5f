//! `describe` for ReplicaSets, StatefulSets, DaemonSets and Jobs: selector,
//! owner, replica and pod counts, and the pod template.

use super::{annotations, labels, pod_template};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::labels::Selector;
use k8s_openapi::api::apps::v1::{DaemonSet, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::fmt::Write;

pub fn replica_set(w: &mut String, cluster: &Cluster, rs: &ReplicaSet) {
    let spec = rs.spec.clone().unwrap_or_default();
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", rs.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{ns}");
    let _ = writeln!(w, "Selector:\t{}", super::super::printers::cells_selector(&spec.selector));
    labels(w, "Labels", rs.metadata.labels.as_ref());
    annotations(w, rs.metadata.annotations.as_ref());
    if let Some(owner) = rs.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true)) {
        let _ = writeln!(w, "Controlled By:\t{}/{}", owner.kind, owner.name);
    }
    let current = rs.status.as_ref().map_or(0, |s| s.replicas);
    let _ = writeln!(w, "Replicas:\t{current} current / {} desired", spec.replicas.unwrap_or(1));
    pods_status(w, pod_counts(cluster, &ns, Some(&spec.selector)));
    if let Some(template) = &spec.template {
        pod_template(w, template);
    }
}

/// Pods the selector picks, counted by phase: running, waiting (pending),
/// succeeded, failed.
fn pod_counts(cluster: &Cluster, ns: &str, selector: Option<&LabelSelector>) -> (usize, usize, usize, usize) {
    let selector = selector.and_then(|s| Selector::from_api(s).ok()).unwrap_or_default();
    let mut counts = (0, 0, 0, 0);
    for pod in cluster.api().store().select(Kind::Pod, Some(ns), &selector).into_iter().filter_map(|o| o.as_pod()) {
        match pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending") {
            "Running" => counts.0 += 1,
            "Succeeded" => counts.2 += 1,
            "Failed" => counts.3 += 1,
            _ => counts.1 += 1,
        }
    }
    counts
}

fn pods_status(w: &mut String, (running, waiting, succeeded, failed): (usize, usize, usize, usize)) {
    let _ =
        writeln!(w, "Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed");
}

pub fn stateful_set(w: &mut String, cluster: &Cluster, sts: &StatefulSet) {
    let spec = sts.spec.clone().unwrap_or_default();
    let ns = sts.metadata.namespace.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", sts.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{ns}");
    if let Some(t) = &sts.metadata.creation_timestamp {
        let _ = writeln!(w, "CreationTimestamp:\t{}", super::date(t));
    }
    let _ = writeln!(w, "Selector:\t{}", super::super::printers::cells_selector(&spec.selector));
    labels(w, "Labels", sts.metadata.labels.as_ref());
    annotations(w, sts.metadata.annotations.as_ref());
    let total = sts.status.as_ref().map_or(0, |s| s.replicas);
    let _ = writeln!(w, "Replicas:\t{} desired | {total} total", spec.replicas.unwrap_or(1));
    let strategy = spec.update_strategy.clone().unwrap_or_default();
    let _ = writeln!(w, "Update Strategy:\t{}", strategy.type_.as_deref().unwrap_or("RollingUpdate"));
    if let Some(partition) = strategy.rolling_update.as_ref().and_then(|r| r.partition) {
        let _ = writeln!(w, "  Partition:\t{partition}");
    }
    pods_status(w, pod_counts(cluster, &ns, Some(&spec.selector)));
    pod_template(w, &spec.template);
    let claims = spec.volume_claim_templates.clone().unwrap_or_default();
    if claims.is_empty() {
        let _ = writeln!(w, "Volume Claims:\t<none>");
    }
    for claim in claims {
        let _ = writeln!(w, "Volume Claims:");
        let _ = writeln!(w, "  Name:\t{}", claim.metadata.name.as_deref().unwrap_or_default());
        let claim_spec = claim.spec.clone().unwrap_or_default();
        let _ = writeln!(w, "  StorageClass:\t{}", claim_spec.storage_class_name.as_deref().unwrap_or_default());
        labels(w, "  Labels", claim.metadata.labels.as_ref());
        super::multiline(
            w,
            "  Annotations",
            claim.metadata.annotations.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect(),
        );
        let capacity = claim_spec.resources.as_ref().and_then(|r| r.requests.as_ref()).and_then(|r| r.get("storage"));
        let _ = writeln!(w, "  Capacity:\t{}", capacity.map_or("<default>", |q| q.0.as_str()));
        let modes = claim_spec.access_modes.clone().unwrap_or_default();
        let _ = writeln!(w, "  Access Modes:\t{}", super::super::printers::storage::access_modes(&modes));
    }
}

pub fn daemon_set(w: &mut String, cluster: &Cluster, ds: &DaemonSet) {
    let spec = ds.spec.clone().unwrap_or_default();
    let status = ds.status.clone().unwrap_or_default();
    let ns = ds.metadata.namespace.clone().unwrap_or_default();
    // kubectl prints no Namespace line for a DaemonSet.
    let _ = writeln!(w, "Name:\t{}", ds.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Selector:\t{}", super::super::printers::cells_selector(&spec.selector));
    let node_selector: Vec<String> = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.node_selector.as_ref())
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(
        w,
        "Node-Selector:\t{}",
        if node_selector.is_empty() { "<none>".into() } else { node_selector.join(",") }
    );
    labels(w, "Labels", ds.metadata.labels.as_ref());
    annotations(w, ds.metadata.annotations.as_ref());
    let _ = writeln!(w, "Desired Number of Nodes Scheduled: {}", status.desired_number_scheduled);
    let _ = writeln!(w, "Current Number of Nodes Scheduled: {}", status.current_number_scheduled);
    let _ =
        writeln!(w, "Number of Nodes Scheduled with Up-to-date Pods: {}", status.updated_number_scheduled.unwrap_or(0));
    let _ = writeln!(w, "Number of Nodes Scheduled with Available Pods: {}", status.number_available.unwrap_or(0));
    let _ = writeln!(w, "Number of Nodes Misscheduled: {}", status.number_misscheduled);
    pods_status(w, pod_counts(cluster, &ns, Some(&spec.selector)));
    pod_template(w, &spec.template);
}

pub fn job(w: &mut String, job: &Job) {
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", job.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", job.metadata.namespace.as_deref().unwrap_or_default());
    let _ = writeln!(
        w,
        "Selector:\t{}",
        spec.selector.as_ref().map_or_else(|| "<none>".to_string(), super::super::printers::cells_selector)
    );
    labels(w, "Labels", job.metadata.labels.as_ref());
    annotations(w, job.metadata.annotations.as_ref());
    if let Some(owner) = job.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true)) {
        let _ = writeln!(w, "Controlled By:\t{}/{}", owner.kind, owner.name);
    }
    let _ = writeln!(w, "Parallelism:\t{}", spec.parallelism.unwrap_or(1));
    match spec.completions {
        Some(n) => {
            let _ = writeln!(w, "Completions:\t{n}");
        }
        None => {
            let _ = writeln!(w, "Completions:\t<unset>");
        }
    }
    if let Some(mode) = &spec.completion_mode {
        let _ = writeln!(w, "Completion Mode:\t{mode}");
    }
    if let Some(suspend) = spec.suspend {
        let _ = writeln!(w, "Suspend:\t{suspend}");
    }
    if let Some(limit) = spec.backoff_limit {
        let _ = writeln!(w, "Backoff Limit:\t{limit}");
    }
    if let Some(ttl) = spec.ttl_seconds_after_finished {
        let _ = writeln!(w, "TTL Seconds After Finished:\t{ttl}");
    }
    if let Some(start) = &status.start_time {
        let _ = writeln!(w, "Start Time:\t{}", super::date(start));
    }
    if let Some(done) = &status.completion_time {
        let _ = writeln!(w, "Completed At:\t{}", super::date(done));
    }
    if let (Some(start), Some(done)) = (&status.start_time, &status.completion_time) {
        let took = crate::time::Time::from_k8s(done).since(crate::time::Time::from_k8s(start));
        let _ = writeln!(w, "Duration:\t{}", super::super::printers::duration::human(took));
    }
    if let Some(deadline) = spec.active_deadline_seconds {
        let _ = writeln!(w, "Active Deadline Seconds:\t{deadline}s");
    }
    let (active, succeeded, failed) =
        (status.active.unwrap_or(0), status.succeeded.unwrap_or(0), status.failed.unwrap_or(0));
    match status.ready {
        Some(ready) => {
            let _ = writeln!(
                w,
                "Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed"
            );
        }
        None => {
            let _ = writeln!(w, "Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed");
        }
    }
    pod_template(w, &spec.template);
}

pub fn cron_job(w: &mut String, cj: &k8s_openapi::api::batch::v1::CronJob) {
    let spec = cj.spec.clone().unwrap_or_default();
    let status = cj.status.clone().unwrap_or_default();
    let unset = |v: Option<String>| v.unwrap_or_else(|| "<unset>".into());
    let _ = writeln!(w, "Name:\t{}", cj.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", cj.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", cj.metadata.labels.as_ref());
    annotations(w, cj.metadata.annotations.as_ref());
    let _ = writeln!(w, "Schedule:\t{}", spec.schedule);
    let _ = writeln!(w, "Concurrency Policy:\t{}", spec.concurrency_policy.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Suspend:\t{}", unset(spec.suspend.map(|s| if s { "True" } else { "False" }.to_string())));
    let _ = writeln!(
        w,
        "Successful Job History Limit:\t{}",
        unset(spec.successful_jobs_history_limit.map(|n| n.to_string()))
    );
    let _ = writeln!(w, "Failed Job History Limit:\t{}", unset(spec.failed_jobs_history_limit.map(|n| n.to_string())));
    let _ =
        writeln!(w, "Starting Deadline Seconds:\t{}", unset(spec.starting_deadline_seconds.map(|n| format!("{n}s"))));
    let job = spec.job_template.spec.clone().unwrap_or_default();
    let _ = writeln!(w, "Selector:\t{}", unset(job.selector.as_ref().map(super::super::printers::cells_selector)));
    let _ = writeln!(w, "Parallelism:\t{}", unset(job.parallelism.map(|n| n.to_string())));
    let _ = writeln!(w, "Completions:\t{}", unset(job.completions.map(|n| n.to_string())));
    if let Some(deadline) = job.active_deadline_seconds {
        let _ = writeln!(w, "Active Deadline Seconds:\t{deadline}s");
    }
    pod_template(w, &job.template);
    let _ = writeln!(w, "Last Schedule Time:\t{}", unset(status.last_schedule_time.as_ref().map(super::date)));
    let active: Vec<String> = status.active.iter().flatten().filter_map(|r| r.name.clone()).collect();
    let _ = writeln!(w, "Active Jobs:\t{}", if active.is_empty() { "<none>".to_string() } else { active.join(", ") });
}

pub fn autoscaler(w: &mut String, hpa: &k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler) {
    let spec = hpa.spec.clone().unwrap_or_default();
    let status = hpa.status.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", hpa.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", hpa.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", hpa.metadata.labels.as_ref());
    annotations(w, hpa.metadata.annotations.as_ref());
    if let Some(t) = &hpa.metadata.creation_timestamp {
        let _ = writeln!(w, "CreationTimestamp:\t{}", super::date(t));
    }
    let target = &spec.scale_target_ref;
    let _ = writeln!(w, "Reference:\t{}/{}", target.kind, target.name);
    let _ = writeln!(w, "Metrics:\t( current / target )");
    let current = status.current_metrics.clone().unwrap_or_default();
    let q = |q: Option<&k8s_openapi::apimachinery::pkg::api::resource::Quantity>| {
        crate::kubectl::printers::policy::go_quantity(q)
    };
    for (i, metric) in spec.metrics.iter().flatten().enumerate() {
        let now = current.get(i);
        let unknown = || "<unknown>".to_string();
        match (metric.type_.as_str(), &metric.external, &metric.pods, &metric.object) {
            ("External", Some(x), _, _) => {
                let now = now.and_then(|c| c.external.as_ref()).map(|x| &x.current);
                if x.target.average_value.is_some() {
                    let cur = now.and_then(|c| c.average_value.as_ref()).map_or_else(unknown, |v| q(Some(v)));
                    let goal = q(x.target.average_value.as_ref());
                    let _ = writeln!(w, "  {:?} (target average value):\t{cur} / {goal}", x.metric.name);
                } else {
                    let cur = now.map_or_else(unknown, |c| q(c.value.as_ref()));
                    let _ =
                        writeln!(w, "  {:?} (target value):\t{cur} / {}", x.metric.name, q(x.target.value.as_ref()));
                }
            }
            ("Pods", _, Some(p), _) => {
                let cur =
                    now.and_then(|c| c.pods.as_ref()).map_or_else(unknown, |p| q(p.current.average_value.as_ref()));
                let goal = q(p.target.average_value.as_ref());
                let _ = writeln!(w, "  {:?} on pods:\t{cur} / {goal}", p.metric.name);
            }
            ("Object", _, _, Some(o)) => {
                let on = format!("  \"{}\" on {}/{} ", o.metric.name, o.described_object.kind, o.described_object.name);
                let now = now.and_then(|c| c.object.as_ref()).map(|o| &o.current);
                if o.target.type_ == "AverageValue" {
                    let cur = now.map_or_else(unknown, |c| q(c.average_value.as_ref()));
                    let goal = q(o.target.average_value.as_ref());
                    let _ = writeln!(w, "{on}(target average value):\t{cur} / {goal}");
                } else {
                    let cur = now.map_or_else(unknown, |c| q(c.value.as_ref()));
                    let _ = writeln!(w, "{on}(target value):\t{cur} / {}", q(o.target.value.as_ref()));
                }
            }
            ("Resource" | "ContainerResource", _, _, _) => {
                let (name, target, current_value, container) = match (&metric.resource, &metric.container_resource) {
                    (Some(r), _) if metric.type_ == "Resource" => (
                        r.name.clone(),
                        r.target.clone(),
                        now.and_then(|c| c.resource.as_ref()).map(|c| c.current.clone()),
                        None,
                    ),
                    (_, Some(r)) if metric.type_ == "ContainerResource" => (
                        r.name.clone(),
                        r.target.clone(),
                        now.and_then(|c| c.container_resource.as_ref()).map(|c| c.current.clone()),
                        Some(r.container.clone()),
                    ),
                    _ => continue,
                };
                let on = match &container {
                    Some(c) => format!("resource {name} of container \"{c}\" on pods"),
                    None => format!("resource {name} on pods"),
                };
                if let Some(value) = &target.average_value {
                    let cur = current_value.as_ref().map_or_else(unknown, |c| q(c.average_value.as_ref()));
                    let _ = writeln!(w, "  {on}:\t{cur} / {}", q(Some(value)));
                } else {
                    let cur = current_value
                        .as_ref()
                        .and_then(|c| Some(format!("{}% ({})", c.average_utilization?, q(c.average_value.as_ref()))))
                        .unwrap_or_else(unknown);
                    let goal = target.average_utilization.map_or_else(|| "<auto>".to_string(), |u| format!("{u}%"));
                    let _ = writeln!(w, "  {on}  (as a percentage of request):\t{cur} / {goal}");
                }
            }
            (other, _, _, _) => {
                let _ = writeln!(w, "  <unknown metric type {other:?}>");
            }
        }
    }
    let min = spec.min_replicas.map_or_else(|| "<unset>".to_string(), |m| m.to_string());
    let _ = writeln!(w, "Min replicas:\t{min}");
    let _ = writeln!(w, "Max replicas:\t{}", spec.max_replicas);
    if let Some(behavior) = &spec.behavior {
        let _ = writeln!(w, "Behavior:");
        for (direction, rules) in [("Scale Up", &behavior.scale_up), ("Scale Down", &behavior.scale_down)] {
            let Some(rules) = rules else { continue };
            let _ = writeln!(w, "  {direction}:");
            if let Some(window) = rules.stabilization_window_seconds {
                let _ = writeln!(w, "    Stabilization Window: {window} seconds");
            }
            let policies = rules.policies.clone().unwrap_or_default();
            if !policies.is_empty() {
                let _ = writeln!(w, "    Select Policy: {}", rules.select_policy.as_deref().unwrap_or("Max"));
                let _ = writeln!(w, "    Policies:");
                for p in policies {
                    let _ = writeln!(
                        w,
                        "      - Type: {}\tValue: {}\tPeriod: {} seconds",
                        p.type_, p.value, p.period_seconds
                    );
                }
            }
        }
    }
    let _ = writeln!(
        w,
        "{} pods:\t{} current / {} desired",
        target.kind,
        status.current_replicas.unwrap_or(0),
        status.desired_replicas
    );
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        let _ = writeln!(w, "Conditions:");
        let _ = writeln!(w, "  Type\tStatus\tReason\tMessage");
        let _ = writeln!(w, "  ----\t------\t------\t-------");
        for c in conditions {
            let _ = writeln!(
                w,
                "  {}\t{}\t{}\t{}",
                c.type_,
                c.status,
                c.reason.unwrap_or_default(),
                c.message.unwrap_or_default()
            );
        }
    }
}

pub fn replication_controller(
    w: &mut String,
    cluster: &Cluster,
    rc: &k8s_openapi::api::core::v1::ReplicationController,
) {
    let spec = rc.spec.clone().unwrap_or_default();
    let ns = rc.metadata.namespace.clone().unwrap_or_default();
    let selector = spec.selector.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", rc.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{ns}");
    let cells: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let _ = writeln!(w, "Selector:\t{}", cells.join(","));
    labels(w, "Labels", rc.metadata.labels.as_ref());
    annotations(w, rc.metadata.annotations.as_ref());
    let current = rc.status.as_ref().map_or(0, |s| s.replicas);
    let _ = writeln!(w, "Replicas:\t{current} current / {} desired", spec.replicas.unwrap_or(1));
    let api_selector = LabelSelector { match_labels: Some(selector), match_expressions: None };
    pods_status(w, pod_counts(cluster, &ns, Some(&api_selector)));
    if let Some(template) = &spec.template {
        pod_template(w, template);
    }
}
