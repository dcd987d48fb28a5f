//! `kubectl exec POD [-c CONTAINER] -- COMMAND`: runs a command in a running
//! container. `-it … -- sh` opens a shell there, which the terminal keeps
//! until `exit` (see `shell/`).

use super::{cli, error, namespace};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;

/// A shell open in a container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// Set when the shell is the container's own process (`run -it`,
    /// `attach -it`), whose `exit` ends the container; `None` for `exec`.
    pub attached: Option<Attached>,
}

/// How an attached session ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// `run --rm`: delete the pod afterwards.
    pub remove: bool,
    /// Whether the session had a terminal (`-t`).
    pub tty: bool,
    /// `run` waits for a pod that is not restarted to finish, for its code.
    pub wait_for_exit: bool,
}

/// Leaves a session with the shell's exit `code`: an attached shell's exit
/// ends the container (which its restart policy may start again), and
/// `--rm` deletes the pod, as kubectl does once the session ends.
pub fn leave(cluster: &mut Cluster, session: &Session, code: i32) -> Output {
    let Some(attached) = &session.attached else { return Output::default() };
    cluster.end_process(&session.namespace, &session.pod, &session.container, code);
    let mut out = Output::default();
    // kubectl offers to re-attach only to a terminal it may come back to.
    if attached.tty && !attached.wait_for_exit {
        out.stdout = format!(
            "Session ended, resume using 'kubectl attach {0} -c {1} -i -t' command when the pod is running\n",
            session.pod, session.container
        );
    }
    finish(cluster, &session.namespace, &session.pod, attached, out)
}

/// What `run` does once its attached container is done: `--rm` deletes the
/// pod, and a pod that is not restarted passes its container's exit code on.
pub(crate) fn finish(cluster: &mut Cluster, ns: &str, name: &str, attached: &Attached, mut out: Output) -> Output {
    let ended = cluster.get(Kind::Pod, ns, name).and_then(|pod| {
        let status = pod.as_pod()?.status.clone()?;
        let code = status.container_statuses?.first()?.state.as_ref()?.terminated.as_ref()?.exit_code;
        Some((status.phase.unwrap_or_default(), code))
    });
    if attached.remove {
        let removed = remove_pod(cluster, ns, name);
        out.stdout.push_str(&removed.stdout);
        out.stderr.push_str(&removed.stderr);
    }
    if let (true, Some((phase, code))) = (attached.wait_for_exit, ended) {
        if phase == "Failed" && code != 0 {
            out.stderr.push_str(&format!("pod {ns}/{name} terminated (Error)\n"));
            out.exit_code = code;
        }
    }
    out
}

/// `--rm`: deletes the pod and waits until it is gone, as kubectl's
/// deletion with `--wait` does.
pub(crate) fn remove_pod(cluster: &mut Cluster, namespace: &str, name: &str) -> Output {
    let now = cluster.now();
    if let Err(e) = cluster.api_mut().delete(Kind::Pod, namespace, name, None, now) {
        return Output::err(format!("{}\n", e.render(None)));
    }
    let limit = now.plus(crate::time::MAX_WAIT);
    while cluster.get(Kind::Pod, namespace, name).is_some() && cluster.now() < limit {
        cluster.step_to_next(limit);
    }
    Output::ok(format!("pod \"{name}\" deleted\n"))
}

/// Finds the running container a command goes to, or kubectl's error; the
/// note kubectl prints when it picked one of several containers.
fn target(cluster: &Cluster, m: &ArgMatches) -> Result<(Session, String), Output> {
    let args = cli::strings(m, "args");
    let Some(name) = args.first() else {
        return Err(error("pod, type/name or --filename must be specified"));
    };
    let ns = namespace(m);
    // A workload's name picks its first pod, as for logs, but silently.
    let object = super::logs::pod_for(cluster, name, &ns, &mut Output::default())?;
    let Object::Pod(pod) = &*object else { return Err(error("not a pod")) };
    let (container, note) = running_container(pod, cli::string(m, "container"), "exec into")?;
    Ok((Session { namespace: ns, pod: object.name().to_string(), container: container.name, attached: None }, note))
}

/// The running container of a pod a command goes into: `-c`'s, or the
/// pod's first with the note kubectl prints when there were others; or
/// kubectl's error. `verb` completes "cannot … a container in a completed
/// pod".
pub(crate) fn running_container(
    pod: &k8s_openapi::api::core::v1::Pod,
    wanted: Option<String>,
    verb: &str,
) -> Result<(k8s_openapi::api::core::v1::Container, String), Output> {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    if matches!(phase, "Succeeded" | "Failed") {
        return Err(error(format!("cannot {verb} a container in a completed pod; current phase is {phase}")));
    }
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let containers: Vec<&k8s_openapi::api::core::v1::Container> = pod.spec.iter().flat_map(|s| &s.containers).collect();
    let (container, note) = match wanted {
        Some(c) => match containers.iter().find(|x| x.name == c) {
            Some(found) => (*found, String::new()),
            None => {
                return Err(Output::err(format!(
                    "Error from server (BadRequest): container {c} is not valid for pod {name}\n"
                )))
            }
        },
        None => {
            let Some(first) = containers.first() else { return Err(Output::default()) };
            let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
            let note = if names.len() > 1 {
                format!("Defaulted container {:?} out of: {}\n", first.name, names.join(", "))
            } else {
                String::new()
            };
            (*first, note)
        }
    };
    let running = pod
        .status
        .iter()
        .flat_map(|s| s.container_statuses.iter().flatten())
        .any(|c| c.name == container.name && c.state.as_ref().is_some_and(|s| s.running.is_some()));
    if !running {
        return Err(error(format!("unable to upgrade connection: container not found ({:?})", container.name)));
    }
    Ok((container.clone(), note))
}

/// What runs in a container: a program and its arguments (`exec POD --
/// ARGV`), or a line its shell reads (an `exec -it` session).
pub enum Command<'a> {
    /// No shell between kubectl and the program.
    Argv(&'a [String]),
    /// A line typed at the container's shell.
    Line(&'a str),
    /// A program that prints nothing when the image lacks it (what a
    /// container's own command printed, for `run -i`).
    Quiet(&'a [String]),
}

/// Runs a command inside the session's container, as of now, and writes
/// what it wrote through the cluster.
pub fn run_in(cluster: &mut Cluster, session: &Session, command: Command) -> Output {
    let Ok(object) = cluster.api().get(Kind::Pod, &session.namespace, &session.pod) else {
        return Output {
            stderr: "command terminated with exit code 137\n".into(),
            exit_code: 137,
            ..Output::default()
        };
    };
    let Object::Pod(pod) = &*object else { return Output::default() };
    let Some(container) = pod.spec.iter().flat_map(|s| &s.containers).find(|c| c.name == session.container) else {
        return Output::default();
    };
    let seed = cluster.network_seed();
    let (ran, log) = {
        let net = crate::runtime::exec::Net { fabric: cluster.fabric(), seed };
        let inside = cluster.inside(pod, container).with_net(net);
        let ran = match command {
            Command::Argv(argv) => inside.exec(argv),
            Command::Line(line) => inside.interactive(line),
            Command::Quiet(argv) => inside.exec_known(argv).unwrap_or_default(),
        };
        (ran, inside.net_log.take())
    };
    for (path, text) in &ran.writes {
        // The shell checked each file could be written before writing it.
        let _ = cluster.write_in(pod, &session.container, path, text);
    }
    cluster.finish_requests(log.traces, log.elapsed);
    ran.output
}

/// The prompt of a shell in the session's container.
pub fn prompt(cluster: &Cluster, session: &Session) -> String {
    let object = cluster.api().get(Kind::Pod, &session.namespace, &session.pod).ok();
    let pod = object.as_deref().and_then(Object::as_pod);
    let container = pod.and_then(|p| p.spec.iter().flat_map(|s| &s.containers).find(|c| c.name == session.container));
    match (pod, container) {
        (Some(pod), Some(container)) => cluster.inside(pod, container).prompt(),
        _ => "/ # ".into(),
    }
}

/// `kubectl exec`; with `-it` and a shell as the command, the session to
/// open instead of output.
pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Result<Output, (Session, String)> {
    let command = cli::strings(m, "command-args");
    if command.is_empty() {
        return Ok(error("you must specify at least one command for the container"));
    }
    let (session, note) = match target(cluster, m) {
        Ok(t) => t,
        Err(out) => return Ok(out),
    };
    let interactive = cli::boolean(m, "stdin") && cli::boolean(m, "tty");
    let program = command[0].rsplit('/').next().unwrap_or(&command[0]);
    if interactive && matches!(program, "sh" | "bash" | "ash") && command.len() == 1 {
        return Err((session, note));
    }
    let mut out = run_in(cluster, &session, Command::Argv(&command));
    if out.exit_code != 0 && !out.stderr.starts_with("error:") {
        out.stderr.push_str(&format!("command terminated with exit code {}\n", out.exit_code));
    }
    out.stderr = format!("{note}{}", out.stderr);
    Ok(out)
}
