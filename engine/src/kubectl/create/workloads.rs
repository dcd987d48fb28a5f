//! `create deployment`, `create job` (also `--from=cronjob/NAME`) and
//! `create cronjob`.

use super::{meta, Built, Generator};
use crate::api::Kind;
use crate::object::Object;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use std::collections::BTreeMap;

/// The container name kubectl derives from an image: its last path part
/// without tag or digest.
fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let last = last.split('@').next().unwrap_or(last);
    last.split(':').next().unwrap_or(last).to_string()
}

fn pod_template(
    labels: Option<BTreeMap<String, String>>,
    containers: Vec<Container>,
    restart: Option<&str>,
) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta { labels, ..Default::default() }),
        spec: Some(PodSpec { containers, restart_policy: restart.map(String::from), ..Default::default() }),
    }
}

fn container(name: &str, image: &str, command: Vec<String>) -> Container {
    Container {
        name: name.into(),
        image: Some(image.into()),
        command: (!command.is_empty()).then_some(command),
        resources: Some(Default::default()),
        ..Default::default()
    }
}

pub fn deployment(g: &Generator) -> Built {
    let name = g.name()?;
    let images = g.strings("image");
    if images.is_empty() {
        return Err("error: required flag(s) \"image\" not set\n".into());
    }
    let labels = Some(BTreeMap::from([("app".to_string(), name.clone())]));
    // kubectl's default -1 (or any negative port) means none.
    let port = g.string("port").and_then(|p| p.parse::<i32>().ok()).filter(|p| *p >= 0);
    let mut containers: Vec<Container> =
        images.iter().map(|i| container(&container_name(i), i, g.strings("command-args"))).collect();
    if let (Some(p), Some(first)) = (port, containers.first_mut()) {
        first.ports = Some(vec![ContainerPort { container_port: p, ..Default::default() }]);
    }
    let replicas = g.string("replicas").and_then(|r| r.parse::<i32>().ok()).unwrap_or(1);
    Ok(Object::Deployment(Box::new(Deployment {
        metadata: meta(&name, labels.clone()),
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            selector: LabelSelector { match_labels: labels.clone(), match_expressions: None },
            strategy: Some(Default::default()),
            template: pod_template(labels, containers, None),
            ..Default::default()
        }),
        status: None,
    })))
}

pub fn job(g: &Generator) -> Built {
    let name = g.name()?;
    let Some(from) = g.string("from") else {
        let Some(image) = g.string("image") else {
            return Err("error: either --image or --from must be specified\n".into());
        };
        let c = container(&name, &image, g.strings("command-args"));
        return Ok(Object::Job(Box::new(Job {
            metadata: meta(&name, None),
            spec: Some(JobSpec { template: pod_template(None, vec![c], Some("Never")), ..Default::default() }),
            status: None,
        })));
    };
    let Some(cron) =
        from.strip_prefix("cronjob/").or_else(|| from.strip_prefix("cronjobs/")).or_else(|| from.strip_prefix("cj/"))
    else {
        return Err(format!("error: from must be an existing cronjob: {from}\n"));
    };
    let Ok(found) = g.cluster.api().get(Kind::CronJob, &g.namespace, cron) else {
        return Err(format!("error: from must be an existing cronjob: cronjobs.batch \"{cron}\" not found\n"));
    };
    let Object::CronJob(cj) = &*found else { return Err("error: from must be an existing cronjob\n".into()) };
    let template = cj.spec.as_ref().map(|s| s.job_template.clone()).unwrap_or_default();
    let mut annotations = template.metadata.as_ref().and_then(|m| m.annotations.clone()).unwrap_or_default();
    annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
    Ok(Object::Job(Box::new(Job {
        metadata: ObjectMeta {
            name: Some(name),
            labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
            annotations: Some(annotations),
            owner_references: Some(vec![OwnerReference {
                api_version: "batch/v1".into(),
                kind: "CronJob".into(),
                name: cron.into(),
                uid: cj.metadata.uid.clone().unwrap_or_default(),
                controller: Some(true),
                block_owner_deletion: None,
            }]),
            ..Default::default()
        },
        spec: template.spec,
        status: None,
    })))
}

pub fn cronjob(g: &Generator) -> Built {
    let name = g.name()?;
    let (Some(image), Some(schedule)) = (g.string("image"), g.string("schedule")) else {
        return Err("error: required flag(s) \"image\", \"schedule\" not set\n".into());
    };
    let c = container(&name, &image, g.strings("command-args"));
    let restart = g.string("restart").unwrap_or_else(|| "OnFailure".into());
    Ok(Object::CronJob(Box::new(CronJob {
        metadata: meta(&name, None),
        spec: Some(CronJobSpec {
            schedule,
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta { name: Some(name.clone()), ..Default::default() }),
                spec: Some(JobSpec { template: pod_template(None, vec![c], Some(&restart)), ..Default::default() }),
            },
            ..Default::default()
        }),
        status: None,
    })))
}
