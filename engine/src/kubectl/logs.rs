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

#[derive(Default)]
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
    let chosen = match chosen(cluster, m, &mut o, &mut out) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let streams: usize = chosen.iter().map(|(_, cs)| cs.len()).sum();
    if cli::boolean(m, "follow") && streams > MAX_LOG_REQUESTS {
        return error(format!(
            "you are attempting to follow {streams} log streams, but maximum allowed concurrency is {MAX_LOG_REQUESTS}, use --max-log-requests to increase the limit"
        ));
    }
    for (object, containers) in &chosen {
        let Object::Pod(pod) = &**object else { continue };
        for container in containers {
            match container_log(cluster, pod, container, &o) {
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

/// A pod and the containers whose logs are wanted.
type Chosen = (Arc<Object>, Vec<Container>);

/// How many logs `-f` follows at once (kubectl's --max-log-requests).
const MAX_LOG_REQUESTS: usize = 5;

/// The pods the arguments name or select, each with the containers whose
/// logs are wanted; the note kubectl prints when it picked a container.
fn chosen(cluster: &Cluster, m: &ArgMatches, o: &mut Options, out: &mut Output) -> Result<Vec<Chosen>, Output> {
    let args = cli::strings(m, "args");
    let ns = namespace(m);
    let selector = cli::string(m, "selector");
    let pods: Vec<Arc<Object>> = match (args.as_slice(), selector) {
        ([], Some(text)) => {
            let selector = match Selector::parse(&text) {
                Ok(s) => s,
                Err(e) => return Err(error(e)),
            };
            // With a selector kubectl shows the last 10 lines of each pod.
            o.tail = o.tail.or(Some(10));
            cluster.api().store().select(Kind::Pod, Some(&ns), &selector).into_iter().cloned().collect()
        }
        ([], None) => {
            return Err(error("expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples"));
        }
        (_, Some(_)) => return Err(error("only one of -l or POD can be specified")),
        ([target, rest @ ..], None) => {
            if o.container.is_none() {
                o.container = rest.first().cloned();
            }
            vec![pod_for(cluster, target, &ns, out)?]
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
    let mut chosen = Vec::new();
    for object in pods {
        let Object::Pod(pod) = &*object else { continue };
        let spec = pod.spec.clone().unwrap_or_default();
        let containers: Vec<Container> = match (&o.container, o.all_containers) {
            (_, true) => spec.init_containers.iter().flatten().chain(&spec.containers).cloned().collect(),
            (Some(name), false) => {
                match spec.init_containers.iter().flatten().chain(&spec.containers).find(|c| &c.name == name) {
                    Some(c) => vec![c.clone()],
                    None => return Err(error(format!("container {name} is not valid for pod {}", object.name()))),
                }
            }
            (None, false) => spec.containers.first().cloned().into_iter().collect(),
        };
        chosen.push((object, containers));
    }
    Ok(chosen)
}

/// What `kubectl logs POD [-c CONTAINER] -n NAMESPACE` prints.
pub(crate) fn of(cluster: &Cluster, ns: &str, pod: &str, container: Option<&str>) -> Output {
    let mut args: Vec<String> = ["logs", pod, "-n", ns].map(String::from).to_vec();
    if let Some(c) = container {
        args.extend(["-c".to_string(), c.to_string()]);
    }
    match cli::command().try_get_matches_from(&args).ok().as_ref().and_then(|m| m.subcommand()) {
        Some(("logs", sub)) => run(cluster, sub),
        _ => Output::default(),
    }
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
pub(crate) fn run_lines(
    cluster: &Cluster,
    pod: &Pod,
    container: &Container,
    previous: bool,
) -> Result<(Vec<(Time, String)>, bool), String> {
    let now = cluster.now();
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
        let last = status.as_ref().and_then(|s| s.last_state.as_ref()).and_then(|l| l.terminated.clone());
        if let Some(running) = &state.running {
            (running.started_at.as_ref().map_or(now, Time::from_k8s), now, false)
        } else if let Some(t) = state.terminated.as_ref().or(last.as_ref()) {
            // Waiting to restart (CrashLoopBackOff): the kubelet still has
            // the last run's log, and serves that.
            (t.started_at.as_ref().map_or(now, Time::from_k8s), finished(t), true)
        } else {
            let reason = match state.waiting.and_then(|w| w.reason).as_deref() {
                Some("ErrImagePull") => "image can't be pulled".to_string(),
                Some("ImagePullBackOff") => "trying and failing to pull image".to_string(),
                Some(other) => other.to_string(),
                None => "ContainerCreating".to_string(),
            };
            return Err(bad(format!(
                "container {:?} in pod {pod_name:?} is waiting to start: {reason}",
                container.name
            )));
        }
    };
    // What the process found as it started; its files are read as they
    // are now, which is what they were unless someone changed them since.
    let plan = process::plan_in(container, &cluster.inside(pod, container));
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

fn container_log(cluster: &Cluster, pod: &Pod, container: &Container, o: &Options) -> Result<String, String> {
    let now = cluster.now();
    let (mut lines, _) = run_lines(cluster, pod, container, o.previous)?;
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

/// `logs -f`: what running containers write from now on, until they stop.
#[derive(Clone, Debug)]
pub struct Follow {
    namespace: String,
    /// Pod, container, and the time of the last line printed from it.
    streams: Vec<(String, String, Time)>,
    prefix: bool,
    timestamps: bool,
}

impl Follow {
    /// What a container writes after `now` (`kubectl attach`).
    pub(crate) fn from(namespace: &str, pod: &str, container: &str, now: Time) -> Follow {
        Follow {
            namespace: namespace.into(),
            streams: vec![(pod.into(), container.into(), now)],
            prefix: false,
            timestamps: false,
        }
    }

    /// New lines since the last poll, in time order across the streams, and
    /// whether every container stopped (which ends the follow, as in
    /// kubectl).
    pub fn poll(&mut self, cluster: &Cluster) -> (Output, bool) {
        let mut lines: Vec<(Time, String)> = Vec::new();
        let mut open = false;
        for (pod_name, container_name, printed) in &mut self.streams {
            let Ok(object) = cluster.api().get(Kind::Pod, &self.namespace, pod_name) else { continue };
            let Object::Pod(pod) = &*object else { continue };
            let all = pod.spec.iter().flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers));
            let Some(container) = all.into_iter().find(|c| &c.name == container_name) else { continue };
            let Ok((mut fresh, over)) = run_lines(cluster, pod, container, false) else { continue };
            open |= !over;
            fresh.retain(|(t, _)| *t > *printed);
            if let Some((last, _)) = fresh.last() {
                *printed = *last;
            }
            let text = render(fresh.clone(), pod_name, container_name, self.prefix, self.timestamps);
            lines.extend(fresh.into_iter().map(|(t, _)| t).zip(text.lines().map(|l| format!("{l}\n"))));
        }
        lines.sort_by_key(|(t, _)| *t);
        (Output::ok(lines.into_iter().map(|(_, l)| l).collect::<String>()), !open)
    }
}

/// The follow a `logs -f` asks for: every chosen container still running
/// (at most kubectl's five streams), from the end of what `logs` printed.
pub fn follow(cluster: &Cluster, m: &ArgMatches) -> Option<Follow> {
    if !cli::boolean(m, "follow") || cli::boolean(m, "previous") {
        return None;
    }
    let mut o = Options {
        container: cli::string(m, "container"),
        all_containers: cli::boolean(m, "all-containers"),
        ..Options::default()
    };
    let chosen = chosen(cluster, m, &mut o, &mut Output::default()).ok()?;
    let mut streams = Vec::new();
    for (object, containers) in &chosen {
        let Object::Pod(pod) = &**object else { continue };
        for container in containers {
            let (lines, over) = run_lines(cluster, pod, container, false).ok()?;
            if !over {
                streams.push((
                    object.name().to_string(),
                    container.name.clone(),
                    lines.last().map_or(cluster.now(), |(t, _)| *t),
                ));
            }
        }
    }
    if streams.is_empty() || streams.len() > MAX_LOG_REQUESTS {
        return None;
    }
    Some(Follow {
        namespace: namespace(m),
        streams,
        // Several streams are told apart by their prefix only when asked.
        prefix: cli::boolean(m, "prefix"),
        timestamps: cli::boolean(m, "timestamps"),
    })
}
