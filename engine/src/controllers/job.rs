//! The Job controller: runs pods until `completions` succeed (or, with only
//! `parallelism`, until one does), replaces failed ones after an exponential
//! back-off, gives up past `backoffLimit` or `activeDeadlineSeconds`, numbers
//! pods in Indexed mode, and removes finished Jobs after
//! `ttlSecondsAfterFinished`.

use super::pods::{self, controlled_by};
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Millis, Time, SECOND};
use k8s_openapi::api::batch::v1::{Job, JobCondition, UncountedTerminatedPods};
use k8s_openapi::api::core::v1::{EnvVar, Pod};
use std::collections::BTreeSet;

const SOURCE: Source = Source { component: "job-controller", host: None };
/// The annotation and label carrying an Indexed Job pod's index.
pub const INDEX: &str = "batch.kubernetes.io/job-completion-index";
const BACKOFF_BASE: Millis = 10 * SECOND;
const BACKOFF_MAX: Millis = 360 * SECOND;

#[derive(Debug, Default)]
pub struct JobController;

fn phase(pod: &Pod) -> &str {
    pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending")
}

fn finished_condition(job: &Job) -> Option<&JobCondition> {
    job.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
}

fn condition(type_: &str, reason: &str, message: &str, now: Time) -> JobCondition {
    JobCondition {
        type_: type_.into(),
        status: "True".into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_probe_time: Some(now.to_k8s()),
        last_transition_time: Some(now.to_k8s()),
    }
}

fn index_of(pod: &Pod) -> Option<i32> {
    pod.metadata.annotations.as_ref()?.get(INDEX)?.parse().ok()
}

impl Controller for JobController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::Job(_) => queue.push(key_of(&change.object)),
            Object::Pod(_) => queue.extend(controller_key(change, Kind::Job)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::Job, &key.1, &key.2) else { return Action::AwaitChange };
        let Object::Job(job) = &*current else { return Action::AwaitChange };
        let Some(spec) = job.spec.as_ref().filter(|_| job.metadata.deletion_timestamp.is_none()) else {
            return Action::AwaitChange;
        };
        let now = ctx.now;
        if let Some(done) = finished_condition(job) {
            let Some(ttl) = spec.ttl_seconds_after_finished else { return Action::AwaitChange };
            let at = done.last_transition_time.as_ref().map_or(now, Time::from_k8s).plus(ttl as i64 * SECOND);
            if now >= at {
                let _ = ctx.api.delete(Kind::Job, &key.1, &key.2, None, now);
                return Action::AwaitChange;
            }
            return Action::RequeueAfter(at.since(now));
        }
        let uid = job.metadata.uid.clone().unwrap_or_default();
        let pods: Vec<Pod> = ctx
            .api
            .store()
            .owned_by(&uid)
            .into_iter()
            .filter_map(|o| o.as_pod().filter(|p| controlled_by(p, &uid)).cloned())
            .collect();
        let active: Vec<&Pod> = pods
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none() && !matches!(phase(p), "Succeeded" | "Failed"))
            .collect();
        let succeeded_pods: Vec<&Pod> = pods.iter().filter(|p| phase(p) == "Succeeded").collect();
        let failed = pods.iter().filter(|p| phase(p) == "Failed").count() as i32;
        // With restartPolicy OnFailure the kubelet restarts in place; those
        // restarts count against the back-off limit too.
        let restarts: i32 = active
            .iter()
            .flat_map(|p| p.status.as_ref().and_then(|s| s.container_statuses.clone()).unwrap_or_default())
            .map(|c| c.restart_count)
            .sum();
        let indexed = spec.completion_mode.as_deref() == Some("Indexed");
        let completed_indexes: BTreeSet<i32> = succeeded_pods.iter().filter_map(|p| index_of(p)).collect();
        let succeeded = if indexed { completed_indexes.len() as i32 } else { succeeded_pods.len() as i32 };
        let ready = active.iter().filter(|p| pods::ready_since(p).is_some()).count() as i32;
        let parallelism = spec.parallelism.unwrap_or(1);
        let backoff_limit = spec.backoff_limit.unwrap_or(6);

        let mut status = job.status.clone().unwrap_or_default();
        let started = Time::from_k8s(status.start_time.get_or_insert_with(|| now.to_k8s()));
        let mut next = Action::AwaitChange;
        let mut finish: Option<(&str, &str, &str)> = None;
        if let Some(deadline) = spec.active_deadline_seconds {
            let due = started.plus(deadline * SECOND);
            if now >= due {
                finish = Some(("Failed", "DeadlineExceeded", "Job was active longer than specified deadline"));
            } else {
                next = Action::RequeueAfter(due.since(now));
            }
        }
        if finish.is_none() && failed + restarts > backoff_limit {
            finish = Some(("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit"));
        }
        let target = spec.completions;
        let complete = match target {
            Some(c) => succeeded >= c,
            None => succeeded > 0 && active.is_empty(),
        };
        if finish.is_none() && complete {
            finish = Some(("Complete", "CompletionsReached", "Reached expected number of succeeded pods"));
        }

        if let Some((type_, reason, message)) = finish {
            for p in &active {
                let name = p.metadata.name.clone().unwrap_or_default();
                let _ = ctx.api.delete(Kind::Pod, &key.1, &name, None, now);
            }
            let conditions = status.conditions.get_or_insert_with(Vec::new);
            if type_ == "Complete" {
                conditions.push(condition("SuccessCriteriaMet", reason, message, now));
                conditions.push(condition("Complete", reason, message, now));
                status.completion_time = Some(now.to_k8s());
                ctx.events.record(ctx.api, now, &current, SOURCE, "Normal", "Completed", "Job completed");
            } else {
                conditions.push(condition("FailureTarget", reason, message, now));
                conditions.push(condition("Failed", reason, message, now));
                ctx.events.record(ctx.api, now, &current, SOURCE, "Warning", reason, message);
            }
            status.active = None;
            status.ready = Some(0);
            next = match spec.ttl_seconds_after_finished {
                Some(ttl) => Action::RequeueAfter(ttl as i64 * SECOND),
                None => Action::AwaitChange,
            };
        } else if spec.suspend != Some(true) {
            let wanted = match target {
                Some(c) => parallelism.min(c - succeeded).max(0),
                None if succeeded > 0 => 0,
                None => parallelism,
            };
            let missing = (wanted - active.len() as i32).max(0);
            // Replacements for failed pods wait out an exponential back-off.
            let last_failure = pods
                .iter()
                .filter(|p| phase(p) == "Failed")
                .filter_map(|p| {
                    p.status
                        .as_ref()?
                        .container_statuses
                        .as_ref()?
                        .first()?
                        .state
                        .as_ref()?
                        .terminated
                        .as_ref()?
                        .finished_at
                        .clone()
                })
                .map(|t| Time::from_k8s(&t))
                .max();
            let delay = if failed > 0 { (BACKOFF_BASE << (failed - 1).min(6)).min(BACKOFF_MAX) } else { 0 };
            let ready_at = last_failure.map_or(now, |t| t.plus(delay));
            if missing > 0 && ready_at > now {
                next = Action::RequeueAfter(ready_at.since(now));
            } else if missing > 0 {
                let taken: BTreeSet<i32> =
                    active.iter().filter_map(|p| index_of(p)).chain(completed_indexes.iter().copied()).collect();
                let mut free = (0..target.unwrap_or(parallelism)).filter(|i| !taken.contains(i));
                let template = &spec.template;
                for _ in 0..missing {
                    let index = if indexed { free.next() } else { None };
                    let prefix = match index {
                        Some(i) => format!("{}-{i}-", key.2),
                        None => format!("{}-", key.2),
                    };
                    let mut pod = pods::from_template(template, &current, prefix);
                    if let Some(i) = index {
                        pod.metadata
                            .annotations
                            .get_or_insert_with(Default::default)
                            .insert(INDEX.into(), i.to_string());
                        pod.metadata.labels.get_or_insert_with(Default::default).insert(INDEX.into(), i.to_string());
                        for c in pod.spec.iter_mut().flat_map(|s| s.containers.iter_mut()) {
                            c.env.get_or_insert_with(Vec::new).push(EnvVar {
                                name: "JOB_COMPLETION_INDEX".into(),
                                value_from: Some(k8s_openapi::api::core::v1::EnvVarSource {
                                    field_ref: Some(k8s_openapi::api::core::v1::ObjectFieldSelector {
                                        field_path: format!("metadata.labels['{INDEX}']"),
                                        api_version: Some("v1".into()),
                                    }),
                                    ..Default::default()
                                }),
                                value: None,
                            });
                        }
                    }
                    match ctx.api.create(Object::Pod(Box::new(pod)), now, false) {
                        Ok(created) => {
                            let msg = format!("Created pod: {}", created.name());
                            ctx.events.record(ctx.api, now, &current, SOURCE, "Normal", "SuccessfulCreate", &msg);
                        }
                        Err(e) => {
                            let msg = format!("Error creating: {}", e.message);
                            ctx.events.record(ctx.api, now, &current, SOURCE, "Warning", "FailedCreate", &msg);
                            break;
                        }
                    }
                }
            }
            status.active = Some(active.len() as i32 + missing).filter(|n| *n > 0);
            status.ready = Some(ready);
        }
        status.succeeded = (succeeded > 0).then_some(succeeded);
        status.failed = (failed > 0).then_some(failed);
        status.terminating = Some(pods.iter().filter(|p| p.metadata.deletion_timestamp.is_some()).count() as i32);
        status.uncounted_terminated_pods = Some(UncountedTerminatedPods::default());
        if indexed {
            status.completed_indexes = Some(ranges(&completed_indexes));
        }
        if job.status.as_ref() != Some(&status) {
            let mut updated = job.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::Job(updated), now);
        }
        next
    }
}

/// `0-2,5` for indexes {0, 1, 2, 5}.
fn ranges(indexes: &BTreeSet<i32>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut iter = indexes.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end += 1;
            iter.next();
        }
        out.push(if start == end { start.to_string() } else { format!("{start}-{end}") });
    }
    out.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completed_index_ranges() {
        let set = |v: &[i32]| v.iter().copied().collect::<BTreeSet<i32>>();
        assert_eq!(ranges(&set(&[0, 1, 2, 5])), "0-2,5");
        assert_eq!(ranges(&set(&[])), "");
        assert_eq!(ranges(&set(&[3])), "3");
        assert_eq!(ranges(&set(&[1, 3, 4])), "1,3-4");
    }
}
