//! The kubectl command layer: parses a command line, turns it into API
//! requests against the cluster, and prints what kubectl 1.32 prints.

mod api_resources;
mod apply;
mod attach;
mod auth;
mod autoscale;
pub use apply::LAST_APPLIED;
mod cli;
mod cluster_info;
pub(crate) mod complete;
pub(crate) mod config;
mod cordon;
mod cp;
mod create;
mod delete;
pub(crate) mod describe;
mod diff;
mod drain;
mod edit;
mod events;
pub(crate) mod exec;
mod explain;
mod expose;
mod fields;
pub(crate) mod get;
mod help;
mod history;
pub(crate) mod jsonpath;
mod kustomize;
mod label;
pub(crate) mod logs;
mod manifest;
mod mutate;
mod patch;
mod port_forward;
pub mod printers;
mod replace;
mod resources;
mod rollout;
mod run;
mod scale;
mod set;
mod taint;
mod target;
mod top;
mod version;
mod wait;
pub(crate) mod watch;

use crate::cluster::{Cluster, Output};
use crate::files::Files;
use clap::ArgMatches;

/// What a command may read besides the cluster.
pub(crate) struct Io<'a> {
    pub files: &'a dyn Files,
    pub stdin: Option<&'a str>,
}

/// Runs kubectl with `args` (without the leading `kubectl`).
pub fn run(cluster: &mut Cluster, args: &[String], files: &dyn Files, stdin: Option<&str>) -> Output {
    let matches = match cli::command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => return Output::err(cli::render_error(&e, args)),
    };
    let io = Io { files, stdin };
    if let Some(help) = help_wanted(&matches) {
        return help;
    }
    let Some((name, sub)) = matches.subcommand() else {
        return Output::default();
    };
    match name {
        "get" => get::run(cluster, sub, &io),
        "describe" => describe::run(cluster, sub),
        "attach" => attach::run(cluster, sub).printed(),
        // Without a terminal to hold, the forward ends as soon as it starts.
        "port-forward" => match port_forward::run(cluster, sub) {
            Ok((_, out)) | Err(out) => out,
        },
        "run" => run::run(cluster, sub).printed(),
        "apply" => apply::run(cluster, sub, &io),
        "kustomize" => kustomize::run(sub, &io, cluster.now()),
        "delete" => delete::run(cluster, sub, &io),
        "version" => version::run(cluster, sub),
        "patch" => patch::run(cluster, sub),
        "create" => create::run(cluster, sub, &io),
        "scale" => scale::run(cluster, sub),
        "expose" => expose::run(cluster, sub),
        "rollout" => rollout::run(cluster, sub),
        "set" => set::run(cluster, sub, &io),
        "label" => label::run(cluster, sub, &io, "labels"),
        "annotate" => label::run(cluster, sub, &io, "annotations"),
        "taint" => taint::run(cluster, sub),
        "drain" => drain::run(cluster, sub),
        "events" => events::run(cluster, sub),
        "logs" => logs::run(cluster, sub),
        "exec" => match exec::run(cluster, sub) {
            Ok(out) => out,
            Err(_) => error("Unable to use a TTY - input is not a terminal or the right kind of file"),
        },
        "wait" => wait::run(cluster, sub),
        "replace" => replace::run(cluster, sub, &io),
        "diff" => diff::run(cluster, sub, &io),
        "edit" => edit::run(cluster, sub, &io),
        "autoscale" => autoscale::run(cluster, sub),
        "auth" => auth::auth(sub),
        "cluster-info" => cluster_info::run(cluster, sub, &io),
        "cordon" => cordon::run(cluster, sub, true),
        "uncordon" => cordon::run(cluster, sub, false),
        "api-resources" => api_resources::resources(sub),
        "api-versions" => api_resources::versions(),
        "explain" => explain::run(sub),
        "cp" => cp::run(cluster, sub, &io),
        "top" => top::run(cluster, sub),
        "config" => error("kubectl config works in the playground's terminal, where the kubeconfig is"),
        _ => Output::err(cli::unknown_command(name)),
    }
}

/// The help `--help`, `-h`, `kubectl help …`, `kubectl options` or a bare
/// `kubectl` asks for.
fn help_wanted(matches: &ArgMatches) -> Option<Output> {
    let mut path = Vec::new();
    let mut at = matches;
    let mut asked = cli::boolean(at, "help") || at.subcommand().is_none();
    while let Some((name, sub)) = at.subcommand() {
        match name {
            "options" => return Some(Output::ok(help::global_options())),
            "help" => {
                // cobra follows the words as far as they name commands; an
                // unknown first word is a topic it does not know (exit 0).
                let words = cli::strings(sub, "args");
                // `kubectl help options` names a command cobra keeps hidden.
                if words.first().is_some_and(|w| w == "options") {
                    return Some(Output::default());
                }
                let known = help::known_prefix(&words);
                if known == 0 && !words.is_empty() {
                    let topic = words.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(" ");
                    return Some(Output {
                        stderr: format!("Unknown help topic [{topic}]\n\n{}", help::root_usage()),
                        ..Output::default()
                    });
                }
                return Some(Output::ok(help::render(&words[..known]).unwrap_or_default()));
            }
            _ => {}
        }
        path.push(name.to_string());
        asked |= cli::boolean(sub, "help");
        at = sub;
    }
    asked.then(|| Output::ok(help::render(&path).unwrap_or_default()))
}

/// The namespace a command works in: `-n`, else the context's, else
/// `default`.
fn namespace(m: &ArgMatches) -> String {
    cli::string(m, "namespace").or_else(|| cli::string(m, cli::CONTEXT_NAMESPACE)).unwrap_or_else(|| "default".into())
}

/// Runs kubectl for the terminal: `kubectl config` edits `kubeconfig`;
/// everything else goes to the cluster of the current (or `--context`)
/// context, in its namespace. With an `editor` (the browser's), `kubectl
/// edit` hands the object over instead of waiting for standard input.
pub fn run_with_config(
    kubeconfig: &mut crate::kubeconfig::Kubeconfig,
    clusters: &mut std::collections::BTreeMap<String, Cluster>,
    args: &[String],
    files: &dyn Files,
    stdin: Option<&str>,
    editor: bool,
) -> Reply {
    let original = args;
    let is_config = matches!(
        cli::command().try_get_matches_from(args).ok().as_ref().and_then(|m| m.subcommand_name()),
        Some("config")
    );
    // `--kubeconfig FILE`: this command reads (and `config` writes) that
    // file instead of the terminal's own kubeconfig.
    let mut from_file;
    let kubeconfig: &mut crate::kubeconfig::Kubeconfig = match flag_value(args, "--kubeconfig") {
        None => kubeconfig,
        Some(path) => {
            from_file = match files.read(&path) {
                Some(crate::files::Entry::File(text)) => match crate::kubeconfig::Kubeconfig::parse(&text) {
                    Ok(k) => k,
                    Err(e) => return Reply::Output(error(format!("error loading config file \"{path}\": {e}"))),
                },
                // kubectl config starts a file that does not exist yet.
                None if is_config => crate::kubeconfig::Kubeconfig::default(),
                _ => return Reply::Output(error(format!("stat {path}: no such file or directory"))),
            };
            if is_config {
                let before = from_file.clone();
                let out = config_command(&mut from_file, args);
                if from_file != before {
                    let text = crate::codec::to_yaml(&from_file.view(false, true));
                    if let Err(e) = files.write(&path, &text) {
                        return Reply::Output(error(e));
                    }
                }
                return Reply::Output(out);
            }
            &mut from_file
        }
    };
    if is_config {
        return Reply::Output(config_command(kubeconfig, args));
    }
    let (name, args) = match in_context(kubeconfig, clusters, args) {
        Ok(found) => found,
        Err(out) => return Reply::Output(out),
    };
    let Some(cluster) = clusters.get_mut(&name) else {
        return Reply::Output(Output::default());
    };
    // `exec -it … -- sh` opens a shell the terminal keeps, `get -w` a watch.
    if let Ok(matches) = cli::command().try_get_matches_from(&args) {
        match matches.subcommand() {
            Some(("exec", sub)) => {
                return match exec::run(cluster, sub) {
                    Ok(out) => Reply::Output(out),
                    Err((session, note)) => Reply::Session { cluster: name, session, note },
                };
            }
            Some(("attach", sub)) => return attach::run(cluster, sub).reply(name),
            Some(("port-forward", sub)) => {
                return match port_forward::run(cluster, sub) {
                    Ok((forward, output)) => {
                        Reply::Watch { cluster: name, watch: watch::Stream::Forward(forward), output }
                    }
                    Err(out) => Reply::Output(out),
                };
            }
            Some(("edit", sub)) if stdin.is_none() && editor => {
                return match edit::opening(cluster, sub) {
                    Ok(text) => Reply::Edit { text, args: original.to_vec() },
                    Err(out) => Reply::Output(out),
                };
            }
            Some(("run", sub)) => return run::run(cluster, sub).reply(name),
            Some(("get", sub)) => {
                if let Some(mut w) = watch::from_get(cluster, sub) {
                    let mut out = run(cluster, &args, files, stdin);
                    // Whole objects are printed one by one, not as a List.
                    if out.exit_code == 0 {
                        if let Some(initial) = w.initial(cluster) {
                            out = initial;
                        }
                    }
                    // A watch says nothing about an empty list; it waits.
                    if cli::boolean(sub, "watch-only") || out.stderr.starts_with("No resources found") {
                        out.stderr.clear();
                    }
                    if cli::boolean(sub, "watch-only") {
                        out.stdout.clear();
                    }
                    return streamed(name, watch::Stream::Rows(w), out);
                }
            }
            Some(("events", sub)) => {
                if let Some(w) = events::watch(cluster, sub) {
                    let out = run(cluster, &args, files, stdin);
                    return streamed(name, watch::Stream::Events(w), out);
                }
            }
            Some(("logs", sub)) => {
                if let Some(f) = logs::follow(cluster, sub) {
                    let out = run(cluster, &args, files, stdin);
                    return streamed(name, watch::Stream::Log(f), out);
                }
            }
            _ => {}
        }
    }
    Reply::Output(run(cluster, &args, files, stdin))
}

/// A stream that goes on after `out`, unless the command failed.
fn streamed(cluster: String, watch: watch::Stream, out: Output) -> Reply {
    if out.exit_code != 0 {
        return Reply::Output(out);
    }
    Reply::Watch { cluster, watch, output: out }
}

/// What the terminal gets back from kubectl.
pub enum Reply {
    /// What to print.
    Output(Output),
    /// A shell opened in a container of `cluster`, and a note for stderr.
    Session { cluster: String, session: exec::Session, note: String },
    /// A watch on `cluster` that goes on printing after `output`.
    Watch { cluster: String, watch: watch::Stream, output: Output },
    /// `kubectl edit` without input: the object for an editor, and the
    /// arguments to run again with what the editor saves.
    Edit { text: String, args: Vec<String> },
}

/// The cluster the current (or `--context`) context names, and the
/// arguments with its namespace handed on; or kubectl's error.
fn in_context(
    kubeconfig: &crate::kubeconfig::Kubeconfig,
    clusters: &std::collections::BTreeMap<String, Cluster>,
    args: &[String],
) -> Result<(String, Vec<String>), Output> {
    let chosen = context_flag(args);
    let name = chosen.clone().unwrap_or_else(|| kubeconfig.current.clone());
    let refused = "The connection to the server localhost:8080 was refused - did you specify the right host or port?\n";
    let Some(context) = kubeconfig.contexts.get(&name) else {
        return Err(Output::err(match chosen {
            Some(c) => format!("error: context was not found for specified context: {c}\n"),
            None => refused.to_string(),
        }));
    };
    if !clusters.contains_key(&context.cluster) {
        return Err(Output::err(refused));
    }
    let mut args = args.to_vec();
    if !context.namespace.is_empty() {
        args.insert(0, format!("--{}={}", cli::CONTEXT_NAMESPACE, context.namespace));
    }
    Ok((context.cluster.clone(), args))
}

/// `--context NAME` or `--context=NAME`, before any `--`.
fn context_flag(args: &[String]) -> Option<String> {
    flag_value(args, "--context")
}

/// A global flag's value, `FLAG VALUE` or `FLAG=VALUE`, before any `--`.
fn flag_value(args: &[String], flag: &str) -> Option<String> {
    let mut words = args.iter().take_while(|a| *a != "--");
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix(flag).and_then(|rest| rest.strip_prefix('=')) {
            return Some(value.to_string());
        }
        if word == flag {
            return words.next().cloned();
        }
    }
    None
}

/// `kubectl config …` on a kubeconfig.
fn config_command(kubeconfig: &mut crate::kubeconfig::Kubeconfig, args: &[String]) -> Output {
    match cli::command().try_get_matches_from(args) {
        Ok(matches) => match matches.subcommand() {
            Some(("config", sub)) => config::run(kubeconfig, sub),
            _ => Output::default(),
        },
        Err(e) => Output::err(cli::render_error(&e, args)),
    }
}

/// A non-API error, in kubectl's `error: …` form.
fn error(message: impl std::fmt::Display) -> Output {
    Output::err(format!("error: {message}\n"))
}
