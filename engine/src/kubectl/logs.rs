//! `kubectl logs`: a container's log (or the previous run's with `-p`),
//! rebuilt by the runtime from its command and the times it ran; `--tail`,
//! `--since`, `--timestamps`, `--prefix`, `-c`, `--all-containers`, `-l`,
//! and `TYPE/NAME` for a workload's pod.

use super::{cli, error, namespace};
use crate::api::{Kind, ResourceInfo};
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::object::Object;
use crate::runtime::{logs, process};
use crate::time::Time;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Container, ContainerStateTerminated, Pod};
use std::sync::Arc;

struct Options {
    container: Option<String>,
    all_containers: bool,
    previous: bool,
    tail: Option<usize>,
    since: Option<i64>,
    timestamps: bool,
    prefix: bool,
}

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    let ns = namespace(m);
    // The parser has refused what is not an integer.
    let tail = match cli::string(m, "tail").and_then(|t| t.parse::<i64>().ok()) {
        Some(n) if n >= 0 => Some(usize::try_from(n).unwrap_or(usize::MAX)),
        _ => None,
    };
    let since = match cli::string(m, "since").map(|s| crate::time::parse_duration(&s)) {
        None => None,
        Some(Some(ms)) => Some(ms),
        Some(None) => {
            let s = cli::string(m, "since").unwrap_or_default();
            return Output::err(format!(
                "Error: invalid argument {s:?} for \"--since\" flag: time: invalid duration {s:?}\nSee 'kubectl logs --help' for usage.\n"
            ));
        }
    };
    let selector = cli::string(m, "selector");
    let mut o = Options {
        container: cli::string(m, "container"),
        all_containers: cli::boolean(m, "all-containers"),
        previous: cli::boolean(m, "previous"),
        tail,
        since,
        timestamps: cli::boolean(m, "timestamps"),
        prefix: cli::boolean(m, "prefix"),
    };
    let mut out = Output::default();
    let pods: Vec<Arc<Object>> = match (args.as_slice(), selector) {
        ([], Some(text)) => {
            let selector = match Selector::parse(&text) {
                Ok(s) => s,
                Err(e) => return error(e),
            };
            // With a selector kubectl shows the last 10 lines of each pod.
            o.tail = o.tail.or(Some(10));
            cluster.api().store().select(Kind::Pod, Some(&ns), &selector).into_iter().cloned().collect()
        }
        ([], None) => {
            return error("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples");
        }
        (_, Some(_)) => return error("only one of -l or POD can be specified"),
        ([target, rest @ ..], None) => {
            if o.container.is_none() {
                o.container = rest.first().cloned();
            }
            match pod_for(cluster, target, &ns, &mut out) {
                Ok(p) => vec![p],
                Err(e) => return e,
            }
        }
    };
    if o.container.is_none() && !o.all_containers {
        if let Some(Object::Pod(pod)) = pods.first().map(|p| &**p).filter(|_| pods.len() == 1) {
            let names: Vec<&str> = pod.spec.iter().flat_map(|s| &s.containers).map(|c| c.name.as_str()).collect();
            if names.len() > 1 {
                out.stderr.push_str(&format!("Defaulted container {:?} out of: {}\n", names[0], names.join(", ")));
            }
        }
    }
    let now = cluster.now();
    for object in &pods {
        let Object::Pod(pod) = &**object else { continue };
        let spec = pod.spec.clone().unwrap_or_default();
        let containers: Vec<&Container> = match (&o.container, o.all_containers) {
            (_, true) => spec.init_containers.iter().flatten().chain(&spec.containers).collect(),
            (Some(name), false) => {
                match spec.init_containers.iter().flatten().chain(&spec.containers).find(|c| &c.name == name) {
                    Some(c) => vec![c],
                    None => {
                        return error(format!("container {name} is not valid for pod {}", object.name()));
                    }
                }
            }
            (None, false) => spec.containers.first().into_iter().collect(),
        };
        for container in containers {
            match container_log(pod, container, &o, now) {
                Ok(text) => out.stdout.push_str(&text),
                Err(e) => {
                    out.stderr.push_str(&e);
                    out.exit_code = 1;
                    return out;
                }
            }
        }
    }
    out
}

/// The pod `POD`, `pod/NAME` or a workload's (`deploy/web`) names.
pub(crate) fn pod_for(cluster: &Cluster, target: &str, ns: &str, out: &mut Output) -> Result<Arc<Object>, Output> {
    let api = cluster.api();
    let Some((kind, name)) = target.split_once('/') else {
        return api.get(Kind::Pod, ns, target).map_err(|e| Output::err(format!("{}\n", e.render(None))));
    };
    let Some(info) = crate::api::resolve(kind) else {
        return Err(error(format!("the server doesn't have a resource type \"{kind}\"")));
    };
    if info.kind == Kind::Pod {
        return api.get(Kind::Pod, ns, name).map_err(|e| Output::err(format!("{}\n", e.render(None))));
    }
    let owner = api.get(info.kind, ns, name).map_err(|e| Output::err(format!("{}\n", e.render(None))))?;
    let mut pods = owned_pods(cluster, info, &owner);
    pods.sort_by(|a, b| a.name().cmp(b.name()));
    match pods.len() {
        0 => Err(error(format!("timed out waiting for the condition on {}/{name}", info.plural))),
        1 => Ok(pods.remove(0)),
        n => {
            out.stderr.push_str(&format!("Found {n} pods, using pod/{}\n", pods[0].name()));
            Ok(pods.remove(0))
        }
    }
}

/// The pods a workload runs, through its selector.
fn owned_pods(cluster: &Cluster, info: &ResourceInfo, owner: &Object) -> Vec<Arc<Object>> {
    let value = owner.to_value();
    let selector = value
        .pointer("/spec/selector")
        .and_then(|s| {
            serde_json::from_value::<k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>(s.clone()).ok()
        })
        .and_then(|s| Selector::from_api(&s).ok())
        .filter(|_| info.kind != Kind::Service)
        .unwrap_or_else(|| {
            let map = value.pointer("/spec/selector").and_then(|s| serde_json::from_value(s.clone()).ok());
            map.map(|m| Selector::from_map(&m)).unwrap_or_default()
        });
    if selector.is_empty() {
        return Vec::new();
    }
    cluster.api().store().select(Kind::Pod, Some(owner.namespace()), &selector).into_iter().cloned().collect()
}

/// The lines of the container's current (or, with `previous`, last) run,
/// and whether that run is over; or the API server's refusal.
fn run_lines(
    pod: &Pod,
    container: &Container,
    previous: bool,
    now: Time,
) -> Result<(Vec<(Time, String)>, bool), String> {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let status = pod
        .status
        .as_ref()
        .and_then(|s| {
            s.container_statuses
                .iter()
                .flatten()
                .chain(s.init_container_statuses.iter().flatten())
                .find(|c| c.name == container.name)
        })
        .cloned();
    let bad = |m: String| format!("Error from server (BadRequest): {m}\n");
    // A finished run's times are kept to the second: read past its end (the
    // plan stops where the process stopped).
    let finished = |t: &ContainerStateTerminated| t.finished_at.as_ref().map_or(now, |f| Time::from_k8s(f).plus(1000));
    let (start, end, over) = if previous {
        let last: Option<ContainerStateTerminated> =
            status.as_ref().and_then(|s| s.last_state.as_ref()).and_then(|l| l.terminated.clone());
        let Some(t) = last else {
            return Err(bad(format!(
                "previous terminated container {:?} in pod {pod_name:?} not found",
                container.name
            )));
        };
        (t.started_at.as_ref().map_or(now, Time::from_k8s), finished(&t), true)
    } else {
        let state = status.as_ref().and_then(|s| s.state.clone()).unwrap_or_default();
        if let Some(running) = &state.running {
            (running.started_at.as_ref().map_or(now, Time::from_k8s), now, false)
        } else if let Some(t) = &state.terminated {
            (t.started_at.as_ref().map_or(now, Time::from_k8s), finished(t), true)
        } else {
            let reason = state.waiting.and_then(|w| w.reason).unwrap_or_else(|| "ContainerCreating".into());
            return Err(bad(format!(
                "container {:?} in pod {pod_name:?} is waiting to start: {reason}",
                container.name
            )));
        }
    };
    let plan = process::plan_with_output(
        container.image.as_deref().unwrap_or_default(),
        container.command.as_deref(),
        container.args.as_deref(),
    );
    Ok((logs::lines(&plan, start, end, &pod_name), over))
}

/// Lines as kubectl prints them, with `--prefix` and `--timestamps`.
fn render(lines: Vec<(Time, String)>, pod: &str, container: &str, prefix: bool, timestamps: bool) -> String {
    let mut text = String::new();
    for (at, line) in lines {
        if prefix {
            text.push_str(&format!("[pod/{pod}/{container}] "));
        }
        if timestamps {
            text.push_str(&logs::timestamp(at));
            text.push(' ');
        }
        text.push_str(&line);
        text.push('\n');
    }
    text
}

fn container_log(pod: &Pod, container: &Container, o: &Options, now: Time) -> Result<String, String> {
    let (mut lines, _) = run_lines(pod, container, o.previous, now)?;
    if let Some(ms) = o.since {
        lines.retain(|(t, _)| now.since(*t) <= ms);
    }
    if let Some(n) = o.tail {
        let skip = lines.len().saturating_sub(n);
        lines.drain(..skip);
    }
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    Ok(render(lines, pod_name, &container.name, o.prefix, o.timestamps))
}

/// `logs -f`: what a running container writes from now on, until it stops.
#[derive(Clone, Debug)]
pub struct Follow {
    namespace: String,
    pod: String,
    container: String,
    printed: Time,
    prefix: bool,
    timestamps: bool,
}

impl Follow {
    /// What a container writes after `now` (`kubectl attach`).
    pub(crate) fn from(namespace: &str, pod: &str, container: &str, now: Time) -> Follow {
        Follow {
            namespace: namespace.into(),
            pod: pod.into(),
            container: container.into(),
            printed: now,
            prefix: false,
            timestamps: false,
        }
    }

    /// New lines since the last poll, and whether the container stopped
    /// (which ends the follow, as it does in kubectl).
    pub fn poll(&mut self, cluster: &Cluster) -> (Output, bool) {
        let Ok(object) = cluster.api().get(Kind::Pod, &self.namespace, &self.pod) else {
            return (Output::default(), true);
        };
        let Object::Pod(pod) = &*object else { return (Output::default(), true) };
        let Some(container) = pod.spec.iter().flat_map(|s| &s.containers).find(|c| c.name == self.container) else {
            return (Output::default(), true);
        };
        let now = cluster.now();
        let Ok((mut lines, over)) = run_lines(pod, container, false, now) else {
            return (Output::default(), true);
        };
        lines.retain(|(t, _)| *t > self.printed);
        if let Some((last, _)) = lines.last() {
            self.printed = *last;
        }
        (Output::ok(render(lines, &self.pod, &self.container, self.prefix, self.timestamps)), over)
    }
}

/// The follow a `logs -f` of one running container asks for, if any.
pub fn follow(cluster: &Cluster, m: &ArgMatches) -> Option<Follow> {
    if !cli::boolean(m, "follow") || cli::boolean(m, "previous") || cli::string(m, "selector").is_some() {
        return None;
    }
    let args = cli::strings(m, "args");
    let ns = namespace(m);
    let target = args.first()?;
    let object = pod_for(cluster, target, &ns, &mut Output::default()).ok()?;
    let Object::Pod(pod) = &*object else { return None };
    let spec = pod.spec.as_ref()?;
    let container = match cli::string(m, "container").or_else(|| args.get(1).cloned()) {
        Some(name) => spec.containers.iter().find(|c| c.name == name)?,
        None => spec.containers.first()?,
    };
    let (lines, over) = run_lines(pod, container, false, cluster.now()).ok()?;
    if over {
        return None;
    }
    Some(Follow {
        namespace: ns,
        pod: object.name().to_string(),
        container: container.name.clone(),
        printed: lines.last().map_or(cluster.now(), |(t, _)| *t),
        prefix: cli::boolean(m, "prefix"),
        timestamps: cli::boolean(m, "timestamps"),
    })
}
