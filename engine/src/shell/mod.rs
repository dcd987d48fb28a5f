//! The playground terminal's shell, shared by the browser and `kubeplay
//! shell`: kubectl (and `k`), aliases, `sleep` to let simulated time pass, and
//! `help`. It stands for a root shell on the control-plane node.

mod words;

pub use words::split_words;

use crate::cluster::{Cluster, Output};
use crate::files::Files;
use crate::time::{parse_duration, Millis, HOUR};

/// The longest `sleep` the shell accepts.
const MAX_SLEEP: Millis = 7 * 24 * HOUR;
use std::collections::BTreeMap;

/// The shell's state around one cluster.
#[derive(Clone, Debug)]
pub struct Shell {
    cluster: Cluster,
    aliases: BTreeMap<String, String>,
    history: Vec<String>,
}

const HELP: &str = "This terminal is a shell on the control-plane node of a simulated cluster.

  kubectl ...        talk to the cluster (k is an alias for kubectl)
  sleep DURATION     let simulated time pass: sleep 30, sleep 90s, sleep 5m (up to 7d)
  alias [NAME=TEXT]  list aliases, or define one (alias kgp='kubectl get pods')
  unalias NAME       remove an alias
  history            the commands typed so far
  help               this text
";

impl Shell {
    /// A shell on `cluster`, with `k` already aliased to `kubectl`.
    pub fn new(cluster: Cluster) -> Shell {
        Shell { cluster, aliases: BTreeMap::from([("k".to_string(), "kubectl".to_string())]), history: Vec::new() }
    }

    /// The cluster behind the shell.
    pub fn cluster(&self) -> &Cluster {
        &self.cluster
    }

    /// The cluster behind the shell, for stepping the clock.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        &mut self.cluster
    }

    /// What the terminal shows before each command.
    pub fn prompt(&self) -> &'static str {
        "root@m-k8s:~# "
    }

    /// Runs one line, reading `-f` paths from `files`.
    pub fn run(&mut self, line: &str, files: &dyn Files) -> Output {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Output::default();
        }
        self.history.push(trimmed.to_string());
        let mut words = match split_words(trimmed) {
            Ok(w) => w,
            Err(e) => return Output::err(format!("{e}\n")),
        };
        if let Some(expansion) = self.aliases.get(&words[0]) {
            match split_words(expansion) {
                Ok(mut expanded) => {
                    expanded.extend(words.drain(1..));
                    words = expanded;
                }
                Err(e) => return Output::err(format!("{e}\n")),
            }
        }
        let Some(command) = words.first().cloned() else {
            return Output::default();
        };
        match command.as_str() {
            "kubectl" => crate::kubectl::run(&mut self.cluster, &words[1..], files, None),
            "sleep" => self.sleep(&words[1..]),
            "alias" => self.alias(&words[1..]),
            "unalias" => self.unalias(&words[1..]),
            "history" => Output::ok(
                self.history.iter().enumerate().map(|(i, l)| format!("{:>5}  {l}\n", i + 1)).collect::<String>(),
            ),
            "help" => Output::ok(HELP),
            _ => {
                Output { stderr: format!("bash: {command}: command not found\n"), exit_code: 127, ..Default::default() }
            }
        }
    }

    fn sleep(&mut self, args: &[String]) -> Output {
        let usage = "Try 'sleep --help' for more information.\n";
        if args.is_empty() {
            return Output::err(format!("sleep: missing operand\n{usage}"));
        }
        let mut total: Millis = 0;
        for arg in args {
            match parse_duration(arg) {
                Some(ms) => total = total.saturating_add(ms),
                None => return Output::err(format!("sleep: invalid time interval '{arg}'\n{usage}")),
            }
        }
        if total > MAX_SLEEP {
            // A week of simulated time per command keeps every sleep finite.
            return Output::err("sleep: at most 7d of simulated time can pass at once\n");
        }
        self.cluster.step(total);
        Output::default()
    }

    fn alias(&mut self, args: &[String]) -> Output {
        if args.is_empty() {
            return Output::ok(self.aliases.iter().map(|(k, v)| format!("alias {k}='{v}'\n")).collect::<String>());
        }
        let mut out = Output::default();
        for arg in args {
            match arg.split_once('=') {
                Some((name, text)) if !name.is_empty() => {
                    self.aliases.insert(name.to_string(), text.to_string());
                }
                _ => match self.aliases.get(arg) {
                    Some(text) => out.stdout.push_str(&format!("alias {arg}='{text}'\n")),
                    None => {
                        out.stderr.push_str(&format!("bash: alias: {arg}: not found\n"));
                        out.exit_code = 1;
                    }
                },
            }
        }
        out
    }

    fn unalias(&mut self, args: &[String]) -> Output {
        let mut out = Output::default();
        for arg in args {
            if self.aliases.remove(arg).is_none() {
                out.stderr.push_str(&format!("bash: unalias: {arg}: not found\n"));
                out.exit_code = 1;
            }
        }
        out
    }
}
