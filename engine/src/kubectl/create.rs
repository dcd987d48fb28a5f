//! `kubectl create`: from files (`-f`, failing on existing objects), and the
//! generators the notes use: namespace, deployment, job (also from a
//! CronJob) and cronjob. `--dry-run=client -o yaml` prints the object as
//! kubectl builds it, before any server defaults.

use super::run::{dry_run, DryRun};
use super::{cli, error, manifest, namespace, Io};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, ContainerPort, Namespace, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use serde_json::Value;
use std::collections::BTreeMap;

fn meta(name: &str, labels: Option<BTreeMap<String, String>>) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), labels, ..Default::default() }
}

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

/// The JSON kubectl prints for an object it built itself: zero timestamps
/// as `null` and an empty status.
fn client_value(object: &Object) -> Value {
    let mut value = object.to_value();
    fn null_timestamp(meta: Option<&mut Value>) {
        if let Some(Value::Object(m)) = meta {
            m.entry("creationTimestamp").or_insert(Value::Null);
        }
    }
    null_timestamp(value.get_mut("metadata"));
    for path in ["/spec/template/metadata", "/spec/jobTemplate/metadata", "/spec/jobTemplate/spec/template/metadata"] {
        null_timestamp(value.pointer_mut(path));
    }
    if let Some(map) = value.as_object_mut() {
        map.entry("status").or_insert_with(|| Value::Object(Default::default()));
    }
    value
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    // Output flags may come before or after the generator's name.
    let sub = m.subcommand().map(|(_, s)| s);
    let flags = sub.filter(|s| cli::string(s, "dry-run").is_some() || cli::string(s, "output").is_some()).unwrap_or(m);
    let dry = match dry_run(flags) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let ns = namespace(m);
    let output = sub.and_then(|s| cli::string(s, "output")).or_else(|| cli::string(m, "output"));
    let object = match m.subcommand() {
        Some(("namespace", sub)) | Some(("ns", sub)) => {
            let Some(name) = cli::strings(sub, "args").first().cloned() else {
                return Output::err("error: exactly one NAME is required, got 0\nSee 'kubectl create namespace -h' for help and examples\n");
            };
            Object::Namespace(Namespace { metadata: meta(&name, None), spec: Some(Default::default()), status: None })
        }
        Some(("deployment", sub)) | Some(("deploy", sub)) => {
            let Some(name) = cli::strings(sub, "args").first().cloned() else {
                return Output::err("error: exactly one NAME is required, got 0\nSee 'kubectl create deployment -h' for help and examples\n");
            };
            let images = cli::strings(sub, "image");
            if images.is_empty() {
                return Output::err("error: required flag(s) \"image\" not set\n");
            }
            let labels = Some(BTreeMap::from([("app".to_string(), name.clone())]));
            let port = cli::string(sub, "port").and_then(|p| p.parse::<i32>().ok());
            let mut containers: Vec<Container> =
                images.iter().map(|i| container(&container_name(i), i, cli::strings(sub, "command-args"))).collect();
            if let (Some(p), Some(first)) = (port, containers.first_mut()) {
                first.ports = Some(vec![ContainerPort { container_port: p, ..Default::default() }]);
            }
            let replicas = cli::string(sub, "replicas").and_then(|r| r.parse::<i32>().ok()).unwrap_or(1);
            let deployment = Deployment {
                metadata: meta(&name, labels.clone()),
                spec: Some(DeploymentSpec {
                    replicas: Some(replicas),
                    selector: LabelSelector { match_labels: labels.clone(), match_expressions: None },
                    strategy: Some(Default::default()),
                    template: pod_template(labels, containers, None),
                    ..Default::default()
                }),
                status: None,
            };
            Object::Deployment(deployment)
        }
        Some(("job", sub)) => {
            let Some(name) = cli::strings(sub, "args").first().cloned() else {
                return Output::err(
                    "error: exactly one NAME is required, got 0\nSee 'kubectl create job -h' for help and examples\n",
                );
            };
            match cli::string(sub, "from") {
                Some(from) => {
                    let Some(cron) = from
                        .strip_prefix("cronjob/")
                        .or_else(|| from.strip_prefix("cronjobs/"))
                        .or_else(|| from.strip_prefix("cj/"))
                    else {
                        return error(format!("from must be an existing cronjob: {from}"));
                    };
                    let Ok(found) = cluster.api().get(Kind::CronJob, &ns, cron) else {
                        return Output::err(format!(
                            "error: from must be an existing cronjob: cronjobs.batch \"{cron}\" not found\n"
                        ));
                    };
                    let Object::CronJob(cj) = &*found else { return error("from must be an existing cronjob") };
                    let template = cj.spec.as_ref().map(|s| s.job_template.clone()).unwrap_or_default();
                    let mut annotations =
                        template.metadata.as_ref().and_then(|m| m.annotations.clone()).unwrap_or_default();
                    annotations.insert("cronjob.kubernetes.io/instantiate".into(), "manual".into());
                    let job = Job {
                        metadata: ObjectMeta {
                            name: Some(name.clone()),
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
                    };
                    Object::Job(job)
                }
                None => {
                    let Some(image) = cli::string(sub, "image") else {
                        return error("either --image or --from must be specified");
                    };
                    let c = container(&name, &image, cli::strings(sub, "command-args"));
                    let job = Job {
                        metadata: meta(&name, None),
                        spec: Some(JobSpec {
                            template: pod_template(None, vec![c], Some("Never")),
                            ..Default::default()
                        }),
                        status: None,
                    };
                    Object::Job(job)
                }
            }
        }
        Some(("cronjob", sub)) | Some(("cj", sub)) => {
            let Some(name) = cli::strings(sub, "args").first().cloned() else {
                return Output::err("error: exactly one NAME is required, got 0\nSee 'kubectl create cronjob -h' for help and examples\n");
            };
            let (Some(image), Some(schedule)) = (cli::string(sub, "image"), cli::string(sub, "schedule")) else {
                return Output::err("error: required flag(s) \"image\", \"schedule\" not set\n");
            };
            let c = container(&name, &image, cli::strings(sub, "command-args"));
            let restart = cli::string(sub, "restart").unwrap_or_else(|| "OnFailure".into());
            let cj = CronJob {
                metadata: meta(&name, None),
                spec: Some(CronJobSpec {
                    schedule,
                    job_template: JobTemplateSpec {
                        metadata: Some(ObjectMeta { name: Some(name.clone()), ..Default::default() }),
                        spec: Some(JobSpec {
                            template: pod_template(None, vec![c], Some(&restart)),
                            ..Default::default()
                        }),
                    },
                    ..Default::default()
                }),
                status: None,
            };
            Object::CronJob(cj)
        }
        _ => {
            let filenames = cli::strings(m, "filename");
            if filenames.is_empty() {
                return Output::err("error: must specify one of -f and -k\n\nerror: unknown command \"\"\nSee 'kubectl create -h' for help and examples\n");
            }
            return from_files(cluster, &filenames, io, &ns, dry);
        }
    };
    let mut object = object;
    if object.info().namespaced {
        object.meta_mut().namespace = cli::string(m, "namespace");
    }
    if dry == DryRun::Client {
        let mut value = client_value(&object);
        if let Some(meta) = value.get_mut("metadata").and_then(Value::as_object_mut) {
            if cli::string(m, "namespace").is_none() {
                meta.remove("namespace");
            }
        }
        return print(&object, &value, output.as_deref(), dry);
    }
    let now = cluster.now();
    if object.info().namespaced && object.namespace().is_empty() {
        object.meta_mut().namespace = Some(ns);
    }
    match cluster.api_mut().create(object, now, dry == DryRun::Server) {
        Ok(created) => {
            cluster.settle();
            print(&created, &created.to_value(), output.as_deref(), dry)
        }
        Err(e) => Output::err(format!("{}\n", e.render(None))),
    }
}

fn print(object: &Object, value: &Value, output: Option<&str>, dry: DryRun) -> Output {
    let name = format!("{}/{}", object.info().qualified_singular(), object.name());
    match output {
        None | Some("") => Output::ok(format!("{name} created{}\n", dry.suffix())),
        Some("name") => Output::ok(format!("{name}\n")),
        Some("yaml") => Output::ok(crate::codec::to_yaml(value)),
        Some("json") => Output::ok(format!("{}\n", super::get::json(value))),
        Some(other) => error(format!(
            "unable to match a printer suitable for the output format \"{other}\", allowed formats are: json,name,yaml"
        )),
    }
}

fn from_files(cluster: &mut Cluster, filenames: &[String], io: &Io, ns: &str, dry: DryRun) -> Output {
    let documents = match manifest::read(io, filenames) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let mut out = Output::default();
    for (source, document) in documents {
        match document {
            Ok(mut object) => {
                if object.info().namespaced && object.namespace().is_empty() {
                    object.meta_mut().namespace = Some(ns.to_string());
                }
                let label = format!("{}/{}", object.info().qualified_singular(), object.name());
                let now = cluster.now();
                match cluster.api_mut().create(object, now, dry != DryRun::None) {
                    Ok(_) => out.stdout.push_str(&format!("{label} created{}\n", dry.suffix())),
                    Err(e) => {
                        out.stderr.push_str(&e.render(Some(&format!("error when creating \"{source}\""))));
                        out.stderr.push('\n');
                        out.exit_code = 1;
                    }
                }
            }
            Err(text) => {
                out.stderr.push_str(&text);
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
