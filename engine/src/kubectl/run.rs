//! `kubectl run`: one pod from an image.

use super::attach::Attach;
use super::exec::{Attached, Session};
use super::logs::Follow;
use super::{cli, error, namespace};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use crate::runtime::process;
use crate::time::SECOND;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec, Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// How `--dry-run` asks for the request to be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    /// Really do it.
    None,
    /// Print what would be sent; send nothing.
    Client,
    /// Send it for validation only.
    Server,
}

impl DryRun {
    /// The ` (dry run)` suffix kubectl adds to its messages.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// Reads `--dry-run`, in kubectl's words when it is wrong.
pub fn dry_run(m: &ArgMatches) -> Result<DryRun, String> {
    match cli::string(m, "dry-run").as_deref() {
        None | Some("none") => Ok(DryRun::None),
        Some("client") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some("unchanged") => Err(
            "--dry-run flag without a value was specified. A value must be set: \"none\", \"server\", or \"client\"."
                .into(),
        ),
        Some(other) => Err(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".")),
    }
}

/// Parses `a=b,c=d` label specs.
pub fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("unexpected label spec: {pair}"));
        };
        labels.insert(k.to_string(), v.to_string());
    }
    Ok(labels)
}

/// `kubectl run`; with `-i` (or `--attach`) it waits for the pod and then
/// opens the shell the container runs as a session, or shows what the
/// container writes: all of it when the container finishes, a stream when it
/// serves on.
pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Attach {
    let stdin = cli::boolean(m, "stdin");
    let tty = cli::boolean(m, "tty");
    let attach = stdin || cli::boolean(m, "attach");
    let remove = cli::boolean(m, "rm");
    let usage = |message: &str| Output::err(format!("error: {message}\nSee 'kubectl run -h' for help and examples\n"));
    if remove && !attach {
        return Attach::Done(usage("--rm should only be used for attached containers"));
    }
    if tty && !stdin {
        return Attach::Done(usage("-i/--stdin is required for containers with -t/--tty=true"));
    }
    if attach && cli::string(m, "dry-run").is_some_and(|d| d != "none") {
        return Attach::Done(usage(
            "--dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)",
        ));
    }
    if cli::boolean(m, "expose") && cli::string(m, "port").is_none() {
        return Attach::Done(usage("--port must be set when exposing a service"));
    }
    let mut out = create(cluster, m, stdin, tty);
    if out.exit_code != 0 || !attach {
        return Attach::Done(out);
    }
    let (ns, name) = (namespace(m), cli::strings(m, "args").remove(0));
    out.stdout = out.stdout.lines().filter(|l| l.starts_with("service/")).map(|l| format!("{l}\n")).collect();
    let restart = cli::string(m, "restart").unwrap_or_else(|| "Always".into());
    let attached = Attached { remove, tty, wait_for_exit: restart != "Always" };
    attached_to(cluster, &ns, &name, stdin, attached, out)
}

/// What `run -i` / `--attach` shows once the pod has been created.
fn attached_to(
    cluster: &mut Cluster,
    ns: &str,
    name: &str,
    stdin: bool,
    attached: Attached,
    mut out: Output,
) -> Attach {
    // kubectl waits up to --pod-running-timeout (1m) for the pod to run.
    let deadline = cluster.now().plus(60 * SECOND);
    let state = |cluster: &Cluster| {
        let pod = cluster.get(Kind::Pod, ns, name)?;
        let status = pod.as_pod()?.status.as_ref()?.container_statuses.as_ref()?.first()?.state.clone()?;
        Some((status.running.is_some(), status.terminated.is_some()))
    };
    while !matches!(state(cluster), Some((true, _) | (_, true))) && cluster.now() < deadline {
        cluster.step_to_next(deadline);
    }
    if state(cluster).is_none_or(|(running, done)| !running && !done) {
        out.stderr.push_str("error: timed out waiting for the condition\n");
        out.exit_code = 1;
        return Attach::Done(out);
    }
    let Some(container) =
        cluster.get(Kind::Pod, ns, name).and_then(|p| p.as_pod()?.spec.as_ref()?.containers.first().cloned())
    else {
        return Attach::Done(out);
    };
    let running = state(cluster).is_some_and(|(running, _)| running);
    if running {
        out.stderr.push_str("If you don't see a command prompt, try pressing enter.\n");
    }
    let (image, command, args) = process::parts(&container);
    if stdin && running && process::reads_terminal(image, command, args) {
        let session = Session {
            namespace: ns.to_string(),
            pod: name.to_string(),
            container: name.to_string(),
            attached: Some(attached),
        };
        return Attach::Shell(session, out.stderr);
    }
    // A server: what it writes from its start on, as a stream.
    if running && process::plan(image, command, args) == process::Exit::Never {
        return Attach::Follow(Follow::from(ns, name, name, crate::time::Time(0)), out);
    }
    // A command that ends: all it writes, once it has.
    let limit = cluster.now().plus(crate::time::MAX_WAIT);
    while state(cluster).is_some_and(|(_, done)| !done) && cluster.now() < limit {
        cluster.step_to_next(limit);
    }
    let logs = super::logs::of(cluster, ns, name, None);
    if logs.stdout.is_empty() {
        // The process model keeps what tools like nslookup, wget and env
        // print out of the log; they answer here as they would to exec.
        let argv = process::command_line(&container);
        let session =
            Session { namespace: ns.into(), pod: name.into(), container: container.name.clone(), attached: None };
        let ran = super::exec::run_in(cluster, &session, super::exec::Command::Quiet(&argv));
        out.stdout.push_str(&ran.stdout);
        out.stderr.push_str(&ran.stderr);
    } else {
        out.stdout.push_str(&logs.stdout);
    }
    if attached.tty {
        // A terminal shows kubectl's note before what the command printed.
        out.stdout.insert_str(0, &std::mem::take(&mut out.stderr));
    }
    Attach::Done(super::exec::finish(cluster, ns, name, &attached, out))
}

/// Creates the pod (and with `--expose` its Service), as `kubectl run`
/// without attaching does.
fn create(cluster: &mut Cluster, m: &ArgMatches, stdin: bool, tty: bool) -> Output {
    let args = cli::strings(m, "args");
    let Some(name) = args.first().cloned() else {
        return Output::err("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
    };
    let Some(image) = cli::string(m, "image") else {
        // kubectl 1.32 reports a missing required flag through klog.
        let now = cluster.now().rfc3339();
        let (date, time) = now.split_once('T').unwrap_or((&now, ""));
        let stamp = format!("{}{}", &date[5..7], &date[8..10]);
        return Output::err(format!(
            "E{stamp} {}.000000    4242 run.go:72] \"command failed\" err=\"required flag(s) \\\"image\\\" not set\"\n",
            time.trim_end_matches('Z')
        ));
    };
    let restart = cli::string(m, "restart").unwrap_or_else(|| "Always".into());
    if !["Always", "OnFailure", "Never"].contains(&restart.as_str()) {
        return Output::err(format!(
            "error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n"
        ));
    }
    let pull_policy = cli::string(m, "image-pull-policy");
    if let Some(p) = &pull_policy {
        if !["Always", "IfNotPresent", "Never"].contains(&p.as_str()) {
            return Output::err(format!(
                "error: invalid image pull policy: {p}\nSee 'kubectl run -h' for help and examples\n"
            ));
        }
    }
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let labels = match cli::string(m, "labels") {
        Some(spec) => match parse_labels(&spec) {
            Ok(l) => l,
            Err(e) => return error(e),
        },
        None => BTreeMap::from([("run".to_string(), name.clone())]),
    };
    let ports = match cli::string(m, "port") {
        Some(p) => match p.parse::<i32>() {
            Ok(port) => Some(vec![ContainerPort { container_port: port, ..Default::default() }]),
            Err(_) => return error(format!("strconv.Atoi: parsing \"{p}\": invalid syntax")),
        },
        None => None,
    };
    let mut env = Vec::new();
    for pair in cli::strings(m, "env") {
        let Some((k, v)) = pair.split_once('=') else {
            return error(format!("invalid env: {pair}"));
        };
        env.push(EnvVar { name: k.into(), value: Some(v.into()), ..Default::default() });
    }
    let mut rest: Vec<String> = args[1..].to_vec();
    rest.extend(cli::strings(m, "command-args"));
    let (command, container_args) = match (cli::boolean(m, "command"), rest.is_empty()) {
        (_, true) => (None, None),
        (true, false) => (Some(rest), None),
        (false, false) => (None, Some(rest)),
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace(m)),
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: args[0].clone(),
                image: Some(image),
                image_pull_policy: pull_policy,
                command,
                args: container_args,
                ports,
                env: (!env.is_empty()).then_some(env),
                resources: Some(Default::default()),
                stdin: stdin.then_some(true),
                stdin_once: stdin.then_some(true),
                tty: tty.then_some(true),
                ..Default::default()
            }],
            dns_policy: Some("ClusterFirst".into()),
            restart_policy: Some(restart),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let output = cli::string(m, "output");
    if dry == DryRun::Client && output.is_some() {
        // As kubectl builds it: no namespace unless one was asked for.
        let mut object = Object::Pod(Box::new(pod));
        object.meta_mut().namespace = cli::string(m, "namespace");
        return super::create::print(&object, &super::mutate::go_value(&object), output.as_deref(), dry);
    }
    let now = cluster.now();
    let mut out = Output::default();
    if cli::boolean(m, "expose") {
        match cluster.api_mut().create(Object::Service(Box::new(service_for(&pod))), now, dry != DryRun::None) {
            Ok(created) => out.stdout.push_str(&format!("service/{} created{}\n", created.name(), dry.suffix())),
            Err(e) => return Output::err(format!("{}\n", e.render(None))),
        }
    }
    match cluster.api_mut().create(Object::Pod(Box::new(pod)), now, dry != DryRun::None) {
        Ok(created) => {
            cluster.settle();
            let printed = super::create::print(&created, &created.to_value(), output.as_deref(), dry);
            out.stdout.push_str(&printed.stdout);
            out
        }
        Err(e) => {
            out.stderr.push_str(&format!("{}\n", e.render(None)));
            out.exit_code = 1;
            out
        }
    }
}

/// `--expose`: a ClusterIP Service named after the pod, selecting it by its
/// labels, on its port.
fn service_for(pod: &Pod) -> Service {
    let port = pod.spec.iter().flat_map(|s| &s.containers).flat_map(|c| c.ports.iter().flatten()).next();
    let port = port.map_or(0, |p| p.container_port);
    Service {
        metadata: ObjectMeta {
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            selector: pod.metadata.labels.clone(),
            ports: Some(vec![ServicePort {
                port,
                protocol: Some("TCP".into()),
                target_port: Some(IntOrString::Int(port)),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        status: None,
    }
}
