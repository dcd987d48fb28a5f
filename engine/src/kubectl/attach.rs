//! `kubectl attach POD [-c CONTAINER] [-i] [-t]`: to a running container's
//! own process. Without `-i` it prints what the container writes from now
//! on; with `-i` to a shell started with a terminal (`run -it`) it opens
//! that shell, whose `exit` ends the container.

use super::exec::{Attached, Session};
use super::logs::{pod_for, Follow};
use super::{cli, error, namespace};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use crate::runtime::process;
use clap::ArgMatches;

/// What attaching gives the terminal.
pub enum Attach {
    /// Nothing to keep open: an error, or the end.
    Done(Output),
    /// The container's shell, and a note for stderr.
    Shell(Session, String),
    /// The container's output from then on, after what was printed first.
    Follow(Follow, Output),
}

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Attach {
    let args = cli::strings(m, "args");
    let target = match args.as_slice() {
        [] => return Attach::Done(error("at least 1 argument is required for attach")),
        [one] => one.clone(),
        // `TYPE NAME`
        [kind, name] => format!("{kind}/{name}"),
        more => {
            return Attach::Done(error(format!(
                "expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw {}: [{}]",
                more.len(),
                more.join(" ")
            )))
        }
    };
    let target = &target;
    let ns = namespace(m);
    let object = match pod_for(cluster, target, &ns, &mut Output::default()) {
        Ok(o) => o,
        Err(out) => return Attach::Done(out),
    };
    let Object::Pod(pod) = &*object else { return Attach::Done(error("not a pod")) };
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    if matches!(phase, "Succeeded" | "Failed") {
        return Attach::Done(error(format!("cannot attach a container in a completed pod; current phase is {phase}")));
    }
    let containers: Vec<_> = pod.spec.iter().flat_map(|s| &s.containers).collect();
    let mut note = String::new();
    let container = match cli::string(m, "container") {
        Some(name) => match containers.iter().find(|c| c.name == name) {
            Some(c) => *c,
            None => return Attach::Done(error(format!("container {name} not found in pod {}", object.name()))),
        },
        None => {
            let Some(first) = containers.first() else { return Attach::Done(Output::default()) };
            if containers.len() > 1 {
                let names: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
                note = format!("Defaulted container {:?} out of: {}\n", first.name, names.join(", "));
            }
            *first
        }
    };
    let running = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .and_then(|l| l.iter().find(|c| c.name == container.name))
        .and_then(|c| c.state.as_ref())
        .is_some_and(|s| s.running.is_some());
    if !running {
        return Attach::Done(error(format!("unable to upgrade connection: container {} not found", container.name)));
    }
    let (stdin, tty) = (cli::boolean(m, "stdin"), cli::boolean(m, "tty"));
    if tty && container.tty != Some(true) {
        note.push_str(&format!("error: Unable to use a TTY - container {} did not allocate one\n", container.name));
    }
    let shell = process::reads_terminal(
        container.image.as_deref().unwrap_or_default(),
        container.command.as_deref(),
        container.args.as_deref(),
    );
    note.push_str("If you don't see a command prompt, try pressing enter.\n");
    if stdin && container.stdin == Some(true) && shell {
        let session = Session {
            namespace: ns,
            pod: object.name().to_string(),
            container: container.name.clone(),
            attached: Some(Attached { remove: false, tty: tty && container.tty == Some(true), wait_for_exit: false }),
        };
        return Attach::Shell(session, note);
    }
    Attach::Follow(
        Follow::from(&ns, object.name(), &container.name, cluster.now()),
        Output { stderr: note, ..Output::default() },
    )
}
