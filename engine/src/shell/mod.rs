//! The playground terminal's shell, shared by the browser and `kubeplay
//! shell`: kubectl (and `k`), aliases, `sleep` to let simulated time pass, and
//! `help`. It stands for a root shell on the control-plane node.

mod chat;
mod fault;
mod grep;
mod jq;
pub(crate) mod line;
mod node;
mod promtool;
mod read_only;
mod static_pods;
mod tools;
mod traffic;
mod words;

pub use read_only::read_only;
pub use words::split_words;

use line::Join;

use crate::cluster::{Cluster, Output};
use crate::files::Files;
use crate::kubeconfig::Kubeconfig;
use crate::time::{parse_duration, Millis};

use std::collections::BTreeMap;

/// What [`Shell::complete`] offers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completion {
    /// The byte offset in the line where the completed word starts.
    pub start: usize,
    /// The words that could stand there, sorted.
    pub candidates: Vec<String>,
}

/// The commands the shell knows, for completion.
const COMMANDS: &[&str] = &[
    "alias", "awk", "base64", "cat", "chat", "clear", "cp", "curl", "cut", "echo", "env", "export", "false", "fault",
    "grep", "head", "help", "history", "jq", "kubectl", "ls", "mv", "nl", "node", "nslookup", "printenv", "promtool",
    "rm", "sleep", "sort", "tail", "traffic", "true", "unalias", "uniq", "watch", "wc",
];

/// How deeply `$(…)` may nest; deeper input is refused rather than allowed
/// to exhaust the (small, in wasm) stack.
const MAX_NESTING: usize = 32;

/// The shell's state: the kubeconfig and the clusters it names, aliases,
/// variables and history.
#[derive(Clone, Debug)]
pub struct Shell {
    /// Every cluster the kubeconfig can name, by its kubeconfig name; the
    /// first one is never removed, so there is always one to show.
    clusters: BTreeMap<String, Cluster>,
    home: String,
    kubeconfig: Kubeconfig,
    aliases: BTreeMap<String, String>,
    history: Vec<String>,
    env: BTreeMap<String, String>,
    last_status: i32,
    nesting: usize,
    /// A shell opened in a container (`kubectl exec -it … -- sh`), in a
    /// cluster by name: lines go there until `exit`.
    session: Option<(String, crate::kubectl::exec::Session)>,
    /// A `kubectl get -w` or `logs -f` still printing, on a cluster by name.
    watch: Option<(String, crate::kubectl::watch::Stream)>,
    /// `watch COMMAND`: a line run again at every interval.
    repeat: Option<Repeat>,
    /// Whether the front end has an editor `kubectl edit` can open.
    editor: bool,
    /// A `kubectl edit` waiting for the editor: the object as shown, and
    /// the kubectl arguments that save it.
    editing: Option<(String, Vec<String>)>,
}

/// `watch`'s command line, how often it runs, and when it runs next.
#[derive(Clone, Debug)]
struct Repeat {
    line: String,
    interval: Millis,
    next: crate::time::Time,
}

/// What clears the screen, at the start of each `watch` refresh.
pub const CLEAR_SCREEN: &str = "\x1b[H\x1b[2J";

const HELP: &str = "This terminal is a shell on the control-plane node of a simulated cluster.

  kubectl ...        talk to the cluster (k is an alias for kubectl)
  a | b, a && b, a; b, $(a), $VAR, NAME=value, export NAME=value
  grep, jq, head, tail, wc, nl, sort, uniq, awk '{print $1}', cut, base64 [-d], echo, cat, env
  CMD > FILE, >> FILE, 2> FILE, 2>&1   write a command's output to a file
  ls, cp, mv, rm     files, and the static pod manifests in /etc/kubernetes/manifests
  curl URL, nslookup NAME [SERVER]   requests and names as this node sees them
  sleep DURATION     let simulated time pass: sleep 30, sleep 90s, sleep 5m (up to 7d)
  watch [-n SECONDS] COMMAND   run COMMAND again every 2 s (or SECONDS) of simulated time
  alias [NAME=TEXT]  list aliases, or define one (alias kgp='kubectl get pods')
  unalias NAME       remove an alias
  history            the commands typed so far
  fault ...          break things on purpose: stop a kubelet or kube-proxy, power a node
                     off, kill a container, leak memory (fault with no arguments explains)
  node add NAME [--cpu N] [--memory SIZE] [--zone ZONE] [--label K=V]
                     a new machine joins as a worker (kubeadm join)
  node remove NAME   a worker's machine goes away for good (node with no arguments explains)
  traffic ...        steady requests from outside the cluster (traffic with no
                     arguments lists them; traffic start NAME URL --rate N)
  promtool ...        ask the cluster's Prometheus (promtool query instant
                     http://prometheus.monitoring:9090 up); promtool check rules FILE
  chat [CHANNEL]     the class's chat, where the Alertmanager posts alerts
  help               this text
";

/// A text tool given a file (`head -4 index.html`) reads it instead of its
/// input: the other arguments and the file's text.
fn file_operand<'a>(command: &str, args: &'a [String], files: &dyn Files) -> Option<(&'a [String], String)> {
    if !matches!(command, "head" | "tail" | "wc" | "sort" | "uniq" | "base64") {
        return None;
    }
    let (file, rest) = args.split_last().filter(|(f, _)| !f.starts_with('-'))?;
    match files.read(file)? {
        crate::files::Entry::File(text) => Some((rest, text)),
        crate::files::Entry::Dir(_) => None,
    }
}

const WATCH_USAGE: &str = "\nUsage:\n watch [options] command\n";

impl Shell {
    /// A shell on `cluster` (named `kubernetes` in the kubeconfig, as kubeadm
    /// names it), with `k` already aliased to `kubectl`.
    pub fn new(cluster: Cluster) -> Shell {
        let home = "kubernetes".to_string();
        Shell {
            clusters: BTreeMap::from([(home.clone(), cluster)]),
            kubeconfig: Kubeconfig::kubeadm(&home, "https://192.168.1.10:6443"),
            home,
            aliases: BTreeMap::from([("k".to_string(), "kubectl".to_string())]),
            history: Vec::new(),
            env: BTreeMap::from([("HOME".to_string(), "/root".to_string()), ("USER".to_string(), "root".to_string())]),
            last_status: 0,
            nesting: 0,
            session: None,
            watch: None,
            repeat: None,
            editor: false,
            editing: None,
        }
    }

    /// Adds another cluster with its admin context (`NAME-admin@NAME`), as
    /// merging a second kubeadm kubeconfig would; `kubectl config
    /// use-context` then switches between them.
    pub fn add_cluster(&mut self, name: &str, cluster: Cluster) {
        self.kubeconfig.add_cluster(name, &format!("https://{name}-control-plane:6443"));
        self.clusters.insert(name.to_string(), cluster);
    }

    /// The name of the cluster the current context points at, or the first
    /// cluster's when it points nowhere.
    fn current_name(&self) -> &str {
        match self.kubeconfig.current_context() {
            Some(c) if self.clusters.contains_key(&c.cluster) => &c.cluster,
            _ => &self.home,
        }
    }

    /// The cluster of the current context.
    pub fn cluster(&self) -> &Cluster {
        // `current_name` only names clusters the map holds.
        &self.clusters[self.current_name()]
    }

    /// The cluster of the current context, to apply manifests to.
    pub fn cluster_mut(&mut self) -> &mut Cluster {
        let name = self.current_name().to_string();
        self.clusters.get_mut(&name).expect("current_name only names clusters the map holds")
    }

    /// Every line typed so far, oldest first.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    /// The current context's name and namespace (`default` when it names
    /// none), and every context's name: what the app's top bar shows.
    pub fn contexts(&self) -> (String, String, Vec<String>) {
        let current = self.kubeconfig.current.clone();
        let namespace = self
            .kubeconfig
            .current_context()
            .map(|c| c.namespace.clone())
            .filter(|ns| !ns.is_empty())
            .unwrap_or_else(|| "default".to_string());
        (current, namespace, self.kubeconfig.contexts.keys().cloned().collect())
    }

    /// Lets simulated time pass on every cluster: they share one world clock.
    pub fn step(&mut self, ms: Millis) {
        for cluster in self.clusters.values_mut() {
            cluster.step(ms);
        }
    }

    /// Tab completion for `line` (the text before the cursor): where the
    /// word being completed starts, and the words that could replace it —
    /// commands, aliases, kubectl's subcommands and flags, resource types and
    /// object names of the current context's cluster and namespace.
    pub fn complete(&self, line: &str) -> Completion {
        let start = line.rfind([' ', '\t', '|', ';', '&', '(']).map_or(0, |i| i + 1);
        let partial = &line[start..];
        // The words of the current pipeline stage before the one completed.
        let stage = &line[line[..start].rfind(['|', ';', '&', '(']).map_or(0, |i| i + 1)..start];
        let before = split_words(stage).unwrap_or_default();
        let mut candidates: Vec<String> = match before.first() {
            None => COMMANDS.iter().map(|c| c.to_string()).chain(self.aliases.keys().cloned()).collect(),
            Some(first) if first == "kubectl" || self.aliases.get(first).is_some_and(|a| a == "kubectl") => {
                let ns = self.kubeconfig.current_context().map(|c| c.namespace.clone()).unwrap_or_default();
                let ns = if ns.is_empty() { "default".to_string() } else { ns };
                crate::kubectl::complete::candidates(self.cluster(), &before[1..], partial, &ns)
            }
            Some(first) if first == "node" => node::complete(self.cluster(), &before[1..]),
            Some(_) => Vec::new(),
        };
        candidates.retain(|c| c.starts_with(partial));
        candidates.sort();
        candidates.dedup();
        Completion { start, candidates }
    }

    /// What the terminal shows before each command: the node's shell, or
    /// the container's while a `kubectl exec -it` shell is open.
    pub fn prompt(&self) -> String {
        match &self.session {
            Some((cluster, session)) => match self.clusters.get(cluster) {
                Some(c) => crate::kubectl::exec::prompt(c, session),
                None => "/ # ".into(),
            },
            None => "root@m-k8s:~# ".into(),
        }
    }

    /// Lets `kubectl edit` open the front end's editor instead of asking
    /// for the object on standard input.
    pub fn attach_editor(&mut self) {
        self.editor = true;
    }

    /// The object a `kubectl edit` has opened for the editor, if one waits.
    pub fn editing(&self) -> Option<&str> {
        self.editing.as_ref().map(|(text, _)| text.as_str())
    }

    /// Ends the waiting edit: `Some(text)` saves what the editor holds (as
    /// kubectl does when the editor closes), `None` abandons it.
    pub fn finish_edit(&mut self, text: Option<&str>, files: &dyn Files) -> Output {
        let Some((_, args)) = self.editing.take() else { return Output::default() };
        let Some(text) = text else { return Output::ok("Edit cancelled, no changes made.\n") };
        match crate::kubectl::run_with_config(&mut self.kubeconfig, &mut self.clusters, &args, files, Some(text), false)
        {
            crate::kubectl::Reply::Output(out) => out,
            _ => Output::default(),
        }
    }

    /// Whether lines go to a container's shell (`exec -it`, `run -it`).
    pub fn in_container(&self) -> bool {
        self.session.is_some()
    }

    /// Whether a `kubectl get -w`, `logs -f` or `watch` is still printing.
    pub fn watching(&self) -> bool {
        self.watch.is_some() || self.repeat.is_some()
    }

    /// The rows a running watch has to print since it was last asked.
    pub fn poll(&mut self) -> Output {
        if let Some(repeat) = &self.repeat {
            // Only the latest refresh shows, as on a screen redrawn in place.
            if self.cluster().now() < repeat.next {
                return Output::default();
            }
            return self.refresh();
        }
        let Some((cluster, watch)) = self.watch.as_mut() else { return Output::default() };
        let Some(c) = self.clusters.get(cluster.as_str()) else { return Output::default() };
        let (out, ended) = watch.poll(c);
        if ended {
            self.watch = None;
        }
        out
    }

    /// Ctrl-C: ends a running watch. Whether there was one.
    pub fn interrupt(&mut self) -> bool {
        self.watch.take().is_some() | self.repeat.take().is_some()
    }

    /// `watch [-n SECONDS] [-t] COMMAND…`: runs the command now and again at
    /// every interval while simulated time passes, until Ctrl-C or the next
    /// command.
    fn watch_command(&mut self, args: &[String]) -> Output {
        let mut interval = 2 * crate::time::SECOND;
        let mut words = args.iter();
        let mut rest = Vec::new();
        while let Some(word) = words.next() {
            let seconds = match word.as_str() {
                "-n" | "--interval" => words.next().cloned(),
                w if w.starts_with("--interval=") => Some(w["--interval=".len()..].to_string()),
                w if w.starts_with("-n") && w.len() > 2 => Some(w[2..].to_string()),
                "-t" | "--no-title" => continue,
                w if w.starts_with('-') && rest.is_empty() => {
                    return Output::err(format!(
                        "watch: invalid option -- '{}'\n{WATCH_USAGE}",
                        w.trim_start_matches('-')
                    ));
                }
                _ => {
                    rest.push(word.clone());
                    rest.extend(words.by_ref().cloned());
                    break;
                }
            };
            match seconds.as_deref().and_then(|s| s.parse::<f64>().ok()).filter(|s| s.is_finite() && *s >= 0.0) {
                // procps refuses less than a tenth of a second.
                Some(s) => interval = ((s * 1000.0) as Millis).max(100),
                None => {
                    return Output::err(format!("watch: failed to parse argument: '{}'\n", seconds.unwrap_or_default()))
                }
            }
        }
        if rest.is_empty() {
            return Output::err(WATCH_USAGE);
        }
        let now = self.cluster().now();
        self.repeat = Some(Repeat { line: rest.join(" "), interval, next: now });
        self.refresh()
    }

    /// Runs the watched line and draws it under watch's title.
    fn refresh(&mut self) -> Output {
        // The watch is set aside while its line runs, so a `sleep` (or a
        // `watch`) in that line cannot come back here.
        let Some(mut repeat) = self.repeat.take() else { return Output::default() };
        let now = self.cluster().now();
        let out = self.run_line(&repeat.line, &crate::files::NoFiles);
        // The next run is the first interval boundary after now.
        let behind = now.since(repeat.next).max(0) / repeat.interval + 1;
        repeat.next = repeat.next.plus(behind * repeat.interval);
        self.repeat = Some(repeat.clone());
        let title = format!("Every {:.1}s: {}", repeat.interval as f64 / 1000.0, repeat.line);
        let clock = format!(
            "m-k8s: {}",
            k8s_openapi::jiff::fmt::strtime::format("%a %b %e %H:%M:%S %Y", now.to_k8s().0).unwrap_or_default()
        );
        let gap = 80usize.saturating_sub(title.chars().count() + clock.chars().count()).max(1);
        Output {
            stdout: format!("{CLEAR_SCREEN}{title}{}{clock}\n\n{}{}", " ".repeat(gap), out.stdout, out.stderr),
            ..Output::default()
        }
    }

    /// A line typed into a container's shell.
    fn run_in_container(&mut self, line: &str) -> Output {
        let Some((cluster, session)) = self.session.clone() else { return Output::default() };
        let words = split_words(line).unwrap_or_default();
        if words.first().is_some_and(|w| w == "exit") {
            self.session = None;
            // A shell's exit status is its argument modulo 256.
            let code = words.get(1).and_then(|c| c.parse::<i64>().ok()).unwrap_or(0).rem_euclid(256) as i32;
            return match self.clusters.get_mut(&cluster) {
                Some(c) => crate::kubectl::exec::leave(c, &session, code),
                None => Output::default(),
            };
        }
        match self.clusters.get_mut(&cluster) {
            Some(c) => crate::kubectl::exec::run_in(c, &session, crate::kubectl::exec::Command::Line(line)),
            None => Output::default(),
        }
    }

    /// Runs one line, reading `-f` paths from `files`: lists joined by `;`,
    /// `&&` and `||`, pipelines, `$VAR` and `$(command)`.
    pub fn run(&mut self, line: &str, files: &dyn Files) -> Output {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            return Output::default();
        }
        self.history.push(trimmed.to_string());
        // Typing while a watch prints stops it, as Ctrl-C would first;
        // `sleep` lets it go on printing while time passes.
        if !trimmed.starts_with("sleep") {
            self.watch = None;
            self.repeat = None;
        }
        if self.session.is_some() {
            return self.run_in_container(trimmed);
        }
        self.run_line(trimmed, files)
    }

    fn run_line(&mut self, line: &str, files: &dyn Files) -> Output {
        let mut out = Output::default();
        for (join, pipeline) in line::lists(line) {
            let skip = match join {
                Join::Always => false,
                Join::IfOk => self.last_status != 0,
                Join::IfFailed => self.last_status == 0,
            };
            if skip {
                continue;
            }
            let result = self.pipeline(&pipeline, files);
            out.stdout.push_str(&result.stdout);
            out.stderr.push_str(&result.stderr);
            self.last_status = result.exit_code;
        }
        out.exit_code = self.last_status;
        out
    }

    fn pipeline(&mut self, text: &str, files: &dyn Files) -> Output {
        let mut env = self.env.clone();
        env.insert("?".into(), self.last_status.to_string());
        let var = |name: &str| env.get(name).cloned().unwrap_or_default();
        let mut stderr = String::new();
        let mut substitute = |command: &str| {
            if self.nesting >= MAX_NESTING {
                stderr.push_str("bash: command substitution: nested too deeply\n");
                return String::new();
            }
            self.nesting += 1;
            let out = self.run_line(command, files);
            self.nesting -= 1;
            stderr.push_str(&out.stderr);
            out.stdout.split_whitespace().collect::<Vec<_>>().join(" ")
        };
        let expanded = line::expand(text, &var, &mut substitute);
        let mut stdin: Option<String> = None;
        let mut status = 0;
        for stage in line::stages(&expanded) {
            let (command, to) = line::redirects(&stage);
            let mut result = self.simple(&command, stdin.take(), files);
            if to.stderr_to_stdout {
                let errors = std::mem::take(&mut result.stderr);
                result.stdout.push_str(&errors);
            }
            for (target, stream) in [(&to.stdout, 1), (&to.stderr, 2)] {
                let Some((path, append)) = target else { continue };
                let text = std::mem::take(if stream == 1 { &mut result.stdout } else { &mut result.stderr });
                if let Err(e) = self.write_file(path, &text, *append, files) {
                    // Go's `open PATH: reason` as bash words it.
                    let reason = e.strip_prefix(&format!("open {path}: ")).unwrap_or(&e);
                    let mut reason = reason.to_string();
                    if let Some(first) = reason.get(..1).map(str::to_uppercase) {
                        reason.replace_range(..1, &first);
                    }
                    result.stderr.push_str(&format!("bash: {path}: {reason}\n"));
                    result.exit_code = 1;
                }
            }
            stderr.push_str(&result.stderr);
            status = result.exit_code;
            stdin = Some(result.stdout);
        }
        Output { stdout: stdin.unwrap_or_default(), stderr, exit_code: status }
    }

    /// What is at `path`: the control-plane node's static pod folder and its
    /// files, or the terminal's files.
    fn read(&self, path: &str, files: &dyn Files) -> Option<crate::files::Entry> {
        if static_pods::is_folder(path) {
            let names = self.cluster().static_pod_files().into_iter().map(|(f, _)| f).collect();
            return Some(crate::files::Entry::Dir(names));
        }
        match static_pods::file_name(path) {
            Some(name) => static_pods::read(self.cluster(), name).map(crate::files::Entry::File),
            None => files.read(path),
        }
    }

    /// `ls [PATH…]`: the terminal's files, or the static pod folder.
    fn ls(&self, args: &[String], files: &dyn Files) -> Output {
        let paths: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
        let paths = if paths.is_empty() { vec!["."] } else { paths };
        let mut out = Output::default();
        for path in paths {
            let names = match self.read(path, files) {
                Some(crate::files::Entry::Dir(names)) => Some(names),
                Some(crate::files::Entry::File(_)) => Some(vec![path.to_string()]),
                None => None,
            };
            match names {
                Some(names) if !names.is_empty() => out.stdout.push_str(&format!("{}\n", names.join("  "))),
                Some(_) => {}
                None => {
                    out.stderr.push_str(&format!("ls: cannot access '{path}': No such file or directory\n"));
                    out.exit_code = 2;
                }
            }
        }
        out
    }

    /// `rm FILE…`: the terminal's files, or static pod manifests.
    fn rm(&mut self, args: &[String], files: &dyn Files) -> Output {
        let mut out = Output::default();
        for path in args.iter().filter(|a| !a.starts_with('-')) {
            let removed = match static_pods::file_name(path) {
                Some(name) if self.cluster_mut().remove_static_pod(name) => Ok(()),
                Some(_) => Err("No such file or directory".to_string()),
                None => files.remove(path),
            };
            if let Err(why) = removed {
                out.stderr.push_str(&format!("rm: cannot remove '{path}': {why}\n"));
                out.exit_code = 1;
            }
        }
        out
    }

    /// `cp SRC DST` and `mv SRC DST` between the terminal's files and the
    /// static pod folder.
    fn copy(&mut self, command: &str, args: &[String], files: &dyn Files) -> Output {
        let words: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
        let [source, target] = words.as_slice() else {
            return Output::err(format!("{command}: missing file operand\n"));
        };
        if source == target {
            return Output::err(format!("{command}: '{source}' and '{target}' are the same file\n"));
        }
        let Some(crate::files::Entry::File(text)) = self.read(source, files) else {
            return Output::err(format!("{command}: cannot stat '{source}': No such file or directory\n"));
        };
        let file = source.rsplit('/').next().unwrap_or(source);
        let target = if target.ends_with('/') || matches!(self.read(target, files), Some(crate::files::Entry::Dir(_))) {
            format!("{}/{file}", target.trim_end_matches('/'))
        } else {
            target.to_string()
        };
        if let Err(e) = self.write_file(&target, &text, false, files) {
            return Output::err(format!("{command}: cannot create regular file '{target}': {e}\n"));
        }
        if command == "mv" {
            match static_pods::file_name(source) {
                Some(name) => {
                    self.cluster_mut().remove_static_pod(name);
                }
                None => {
                    let _ = files.remove(source);
                }
            }
        }
        Output::default()
    }

    /// Where `> PATH` puts text: nowhere for /dev/null, the control-plane
    /// node's static pod folder, or the terminal's files.
    fn write_file(&mut self, path: &str, text: &str, append: bool, files: &dyn Files) -> Result<(), String> {
        if path == "/dev/null" {
            return Ok(());
        }
        if let Some(name) = static_pods::file_name(path) {
            return static_pods::write(self.cluster_mut(), name, text, append);
        }
        let mut whole = String::new();
        if append {
            if let Some(crate::files::Entry::File(existing)) = files.read(path) {
                whole = existing;
            }
        }
        whole.push_str(text);
        files.write(path, &whole)
    }

    fn simple(&mut self, text: &str, stdin: Option<String>, files: &dyn Files) -> Output {
        let mut words = match split_words(text) {
            Ok(w) => w,
            Err(e) => return Output::err(format!("{e}\n")),
        };
        let Some(first) = words.first().cloned() else {
            return Output::default();
        };
        if let Some(expansion) = self.aliases.get(&first) {
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
        if let Some((name, value)) = command.split_once('=').filter(|(n, _)| is_name(n)) {
            if words.len() == 1 {
                self.env.insert(name.into(), value.into());
                return Output::default();
            }
        }
        let args = &words[1..];
        match command.as_str() {
            "kubectl" => {
                match crate::kubectl::run_with_config(
                    &mut self.kubeconfig,
                    &mut self.clusters,
                    args,
                    files,
                    stdin.as_deref(),
                    self.editor,
                ) {
                    crate::kubectl::Reply::Edit { text, args } => {
                        self.editing = Some((text, args));
                        Output::default()
                    }
                    crate::kubectl::Reply::Output(out) => out,
                    crate::kubectl::Reply::Session { cluster, session, note } => {
                        self.session = Some((cluster, session));
                        Output { stderr: note, ..Output::default() }
                    }
                    crate::kubectl::Reply::Watch { cluster, watch, output } => {
                        self.watch = Some((cluster, watch));
                        output
                    }
                }
            }
            "sleep" => self.sleep(args),
            "watch" => self.watch_command(args),
            "fault" => {
                let namespace = self
                    .kubeconfig
                    .current_context()
                    .map(|c| c.namespace.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "default".into());
                fault::run(self.cluster_mut(), &namespace, args)
            }
            "node" => node::run(self.cluster_mut(), args),
            "curl" | "nslookup" => self.request(&command, args, files),
            "traffic" => traffic::run(self.cluster_mut(), args),
            "chat" => chat::run(self.cluster(), args),
            "promtool" => promtool::run(self.cluster_mut(), args, files),
            "alias" => self.alias(args),
            "unalias" => self.unalias(args),
            "export" => {
                for arg in args {
                    if let Some((name, value)) = arg.split_once('=') {
                        self.env.insert(name.into(), value.into());
                    }
                }
                Output::default()
            }
            "env" | "printenv" => Output::ok(self.env.iter().map(|(k, v)| format!("{k}={v}\n")).collect::<String>()),
            "echo" => {
                let (newline, rest) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                Output::ok(format!("{}{}", rest.join(" "), if newline { "\n" } else { "" }))
            }
            "ls" => self.ls(args, files),
            "rm" => self.rm(args, files),
            "cp" | "mv" => self.copy(&command, args, files),
            "cat" if !args.is_empty() => {
                let mut out = Output::default();
                for path in args {
                    match self.read(path, files) {
                        Some(crate::files::Entry::File(text)) => out.stdout.push_str(&text),
                        Some(crate::files::Entry::Dir(_)) => {
                            out.stderr.push_str(&format!("cat: {path}: Is a directory\n"));
                            out.exit_code = 1;
                        }
                        None => {
                            out.stderr.push_str(&format!("cat: {path}: No such file or directory\n"));
                            out.exit_code = 1;
                        }
                    }
                }
                out
            }
            "clear" => Output::ok(CLEAR_SCREEN),
            "true" => Output::default(),
            "false" => Output { exit_code: 1, ..Default::default() },
            "history" => Output::ok(
                self.history.iter().enumerate().map(|(i, l)| format!("{:>5}  {l}\n", i + 1)).collect::<String>(),
            ),
            "help" => Output::ok(HELP),
            _ => {
                let ran = match file_operand(&command, args, files) {
                    Some((rest, text)) => tools::run(&command, rest, &text),
                    None => tools::run(&command, args, stdin.as_deref().unwrap_or_default()),
                };
                ran.unwrap_or_else(|| Output {
                    stderr: format!("bash: {command}: command not found\n"),
                    exit_code: 127,
                    ..Default::default()
                })
            }
        }
    }

    /// A request from the host node; the time it waits passes, and a
    /// running watch prints what changed meanwhile.
    fn request(&mut self, program: &str, args: &[String], files: &dyn Files) -> Output {
        let Some(ran) = self.cluster_mut().host_tool(program, args) else {
            return Output::err(format!("bash: {program}: command not found\n"));
        };
        let mut out = ran.output;
        for (path, text) in ran.writes {
            if let Err(e) = self.write_file(&path, &text, false, files) {
                out.stderr.push_str(&format!("curl: (23) Failure writing output to destination: {e}\n"));
                out.exit_code = 23;
            }
        }
        if ran.elapsed > 0 {
            self.step(ran.elapsed);
            let more = self.poll();
            out.stdout = more.stdout + &out.stdout;
            out.stderr = more.stderr + &out.stderr;
        }
        out
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
        if total > crate::time::MAX_WAIT {
            // A week of simulated time per command keeps every sleep finite.
            return Output::err("sleep: at most 7d of simulated time can pass at once\n");
        }
        // `watch` shows what its last refresh on the way drew: the clock runs
        // to the last interval boundary, the command runs there once.
        if let Some(repeat) = &self.repeat {
            let end = self.cluster().now().plus(total);
            let mut out = Output::default();
            if repeat.next <= end {
                let last = repeat.next.plus(end.since(repeat.next) / repeat.interval * repeat.interval);
                let now = self.cluster().now();
                self.step(last.since(now));
                out = self.refresh();
            }
            let now = self.cluster().now();
            self.step(end.since(now));
            return out;
        }
        self.step(total);
        // A running watch prints what changed meanwhile.
        self.poll()
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

fn is_name(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !text.starts_with(|c: char| c.is_ascii_digit())
}
