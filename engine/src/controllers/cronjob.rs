//! The CronJob controller: creates a Job from the template at each scheduled
//! minute (named after the minute, as Kubernetes names them), honours
//! `suspend`, `concurrencyPolicy` and `startingDeadlineSeconds`, and keeps
//! only the configured number of finished Jobs.

use super::pods::owner_reference;
use super::{controller_key, key_of, Action, Controller, Ctx, Key};
use crate::api::Kind;
use crate::cron::Schedule;
use crate::events::Source;
use crate::object::Object;
use crate::store::{Change, Store};
use crate::time::{Time, MINUTE, SECOND};
use k8s_openapi::api::batch::v1::{CronJobStatus, Job};
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

const SOURCE: Source = Source { component: "cronjob-controller", host: None };
/// The annotation recording which scheduled minute a Job was made for.
const SCHEDULED: &str = "batch.kubernetes.io/cronjob-scheduled-timestamp";

#[derive(Debug, Default)]
pub struct CronJobController;

fn finished(job: &Job) -> Option<&'static str> {
    let conditions = job.status.as_ref()?.conditions.as_ref()?;
    conditions.iter().find_map(|c| match (c.type_.as_str(), c.status.as_str()) {
        ("Complete", "True") => Some("Complete"),
        ("Failed", "True") => Some("Failed"),
        _ => None,
    })
}

impl Controller for CronJobController {
    fn watch(&self, change: &Change, _store: &Store, queue: &mut Vec<Key>) {
        match &*change.object {
            Object::CronJob(_) => queue.push(key_of(&change.object)),
            Object::Job(_) => queue.extend(controller_key(change, Kind::CronJob)),
            _ => {}
        }
    }

    fn reconcile(&mut self, key: &Key, ctx: &mut Ctx) -> Action {
        let Ok(current) = ctx.api.get(Kind::CronJob, &key.1, &key.2) else { return Action::AwaitChange };
        let Object::CronJob(cj) = &*current else { return Action::AwaitChange };
        let Some(spec) = cj.spec.as_ref().filter(|_| cj.metadata.deletion_timestamp.is_none()) else {
            return Action::AwaitChange;
        };
        let Ok(schedule) = Schedule::parse(&spec.schedule) else { return Action::AwaitChange };
        let now = ctx.now;
        let uid = cj.metadata.uid.clone().unwrap_or_default();
        let mut jobs: Vec<Job> = ctx
            .api
            .store()
            .owned_by(&uid)
            .into_iter()
            .filter_map(|o| match &**o {
                Object::Job(j) => Some((**j).clone()),
                _ => None,
            })
            .collect();
        jobs.sort_by_key(|j| j.metadata.creation_timestamp.clone());
        let mut status = cj.status.clone().unwrap_or_default();

        // Finished jobs: note the last success, trim the history.
        for job in jobs.iter().filter(|j| finished(j) == Some("Complete")) {
            let done = job.status.as_ref().and_then(|s| s.completion_time.clone());
            if done.is_some() && status.last_successful_time.as_ref().is_none_or(|t| Some(t) < done.as_ref()) {
                status.last_successful_time = done;
                let name = job.metadata.name.clone().unwrap_or_default();
                let msg = format!("Saw completed job: {name}, status: Complete");
                ctx.events.record(ctx.api, now, &current, SOURCE, "Normal", "SawCompletedJob", &msg);
            }
        }
        for (state, limit) in [
            ("Complete", spec.successful_jobs_history_limit.unwrap_or(3)),
            ("Failed", spec.failed_jobs_history_limit.unwrap_or(1)),
        ] {
            let done: Vec<&Job> = jobs.iter().filter(|j| finished(j) == Some(state)).collect();
            let excess = done.len().saturating_sub(limit.max(0) as usize);
            for job in &done[..excess] {
                let name = job.metadata.name.clone().unwrap_or_default();
                if ctx
                    .api
                    .delete_with(Kind::Job, &key.1, &name, None, crate::apiserver::Propagation::Background, now)
                    .is_ok()
                {
                    ctx.events.record(
                        ctx.api,
                        now,
                        &current,
                        SOURCE,
                        "Normal",
                        "SuccessfulDelete",
                        &format!("Deleted job {name}"),
                    );
                }
            }
        }
        let active: Vec<&Job> =
            jobs.iter().filter(|j| finished(j).is_none() && j.metadata.deletion_timestamp.is_none()).collect();

        let since =
            status.last_schedule_time.as_ref().or(cj.metadata.creation_timestamp.as_ref()).map_or(now, Time::from_k8s);
        let due = schedule.last_between(since, now);
        let mut created = Vec::new();
        let mut replaced = false;
        if let (Some(at), false) = (due, spec.suspend == Some(true)) {
            let too_late = spec.starting_deadline_seconds.is_some_and(|d| now.since(at) > d * SECOND);
            let policy = spec.concurrency_policy.as_deref().unwrap_or("Allow");
            if too_late {
                status.last_schedule_time = Some(at.to_k8s());
            } else if policy == "Forbid" && !active.is_empty() {
                // Wait: the minute is retried while the deadline allows.
                let msg = "Not starting job because prior execution is running and concurrency policy is Forbid";
                ctx.events.record(ctx.api, now, &current, SOURCE, "Normal", "JobAlreadyActive", msg);
            } else {
                if policy == "Replace" {
                    replaced = !active.is_empty();
                    for job in &active {
                        let name = job.metadata.name.clone().unwrap_or_default();
                        let _ = ctx.api.delete_with(
                            Kind::Job,
                            &key.1,
                            &name,
                            None,
                            crate::apiserver::Propagation::Background,
                            now,
                        );
                        ctx.events.record(
                            ctx.api,
                            now,
                            &current,
                            SOURCE,
                            "Normal",
                            "SuccessfulDelete",
                            &format!("Deleted job {name}"),
                        );
                    }
                }
                let name = format!("{}-{}", key.2, at.0.div_euclid(MINUTE));
                let template = spec.job_template.clone();
                let mut meta = template.metadata.unwrap_or_default();
                let mut annotations = meta.annotations.take().unwrap_or_default();
                annotations.insert(SCHEDULED.into(), at.rfc3339());
                let job = Job {
                    metadata: ObjectMeta {
                        name: Some(name.clone()),
                        namespace: Some(key.1.clone()),
                        labels: meta.labels.take(),
                        annotations: Some(annotations),
                        owner_references: Some(vec![owner_reference(&current)]),
                        ..Default::default()
                    },
                    spec: template.spec,
                    status: None,
                };
                match ctx.api.create(Object::Job(Box::new(job)), now, false) {
                    Ok(job) => {
                        ctx.events.record(
                            ctx.api,
                            now,
                            &current,
                            SOURCE,
                            "Normal",
                            "SuccessfulCreate",
                            &format!("Created job {name}"),
                        );
                        if let Object::Job(j) = &*job {
                            created.push(j.clone());
                        }
                    }
                    Err(e) => {
                        let msg = format!("Error creating job: {}", e.message);
                        ctx.events.record(ctx.api, now, &current, SOURCE, "Warning", "FailedCreate", &msg);
                    }
                }
                status.last_schedule_time = Some(at.to_k8s());
            }
        }
        let still_active = active.into_iter().filter(|_| !replaced);
        let references: Vec<ObjectReference> = still_active
            .chain(created.iter().map(|j| &**j))
            .map(|j| ObjectReference {
                api_version: Some("batch/v1".into()),
                kind: Some("Job".into()),
                name: j.metadata.name.clone(),
                namespace: j.metadata.namespace.clone(),
                resource_version: j.metadata.resource_version.clone(),
                uid: j.metadata.uid.clone(),
                ..Default::default()
            })
            .collect();
        status.active = (!references.is_empty()).then_some(references);
        if cj.status.as_ref() != Some(&status) && status != CronJobStatus::default() {
            let mut updated = cj.clone();
            updated.status = Some(status);
            ctx.api.put_raw(Object::CronJob(updated), now);
        }
        match schedule.next_after(now) {
            Some(next) if spec.suspend != Some(true) => Action::RequeueAfter(next.since(now)),
            _ => Action::AwaitChange,
        }
    }
}
