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

impl Attach {
    /// What the terminal keeps: a container session or a stream on
    /// `cluster`, or just output.
    pub fn reply(self, cluster: String) -> super::Reply {
        match self {
            Attach::Done(out) => super::Reply::Output(out),
            Attach::Shell(session, note) => super::Reply::Session { cluster, session, note },
            Attach::Follow(follow, output) => {
                super::Reply::Watch { cluster, watch: super::watch::Stream::Log(follow), output }
            }
        }
    }

    /// Without a terminal: what was printed, and no shell to open.
    pub fn printed(self) -> Output {
        match self {
            Attach::Done(out) | Attach::Follow(_, out) => out,
            Attach::Shell(..) => error("Unable to use a TTY - input is not a terminal or the right kind of file"),
        }
    }
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
    let (container, mut note) = match super::exec::running_container(pod, cli::string(m, "container"), "attach") {
        Ok(found) => found,
        Err(out) => return Attach::Done(out),
    };
    let (stdin, tty) = (cli::boolean(m, "stdin"), cli::boolean(m, "tty"));
    if tty && container.tty != Some(true) {
        note.push_str(&format!("error: Unable to use a TTY - container {} did not allocate one\n", container.name));
    }
    let (image, command, args) = process::parts(&container);
    let shell = process::reads_terminal(image, command, args);
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
