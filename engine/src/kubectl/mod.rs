//! The kubectl command layer: parses a command line, turns it into API
//! requests against the cluster, and prints what kubectl 1.32 prints.

mod api_resources;
mod apply;
mod auth;
mod autoscale;
pub use apply::LAST_APPLIED;
mod cli;
pub(crate) mod complete;
pub(crate) mod config;
mod cordon;
mod create;
mod delete;
mod describe;
mod diff;
mod drain;
mod edit;
mod events;
pub(crate) mod exec;
mod expose;
mod fields;
mod get;
mod jsonpath;
mod kustomize;
mod label;
pub(crate) mod logs;
mod manifest;
mod mutate;
mod patch;
pub mod printers;
mod replace;
mod resources;
mod rollout;
mod run;
mod scale;
mod set;
mod taint;
mod target;
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
    let Some((name, sub)) = matches.subcommand() else {
        return Output::ok(ROOT_HELP);
    };
    if cli::boolean(sub, "help") {
        return Output::ok(format!(
            "Usage:\n  kubectl {name} [options]\n\nUse \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
        ));
    }
    match name {
        "get" => get::run(cluster, sub),
        "describe" => describe::run(cluster, sub),
        "run" => run::run(cluster, sub),
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
        "cluster-info" => auth::cluster_info(sub),
        "cordon" => cordon::run(cluster, sub, true),
        "uncordon" => cordon::run(cluster, sub, false),
        "api-resources" => api_resources::resources(sub),
        "api-versions" => api_resources::versions(),
        "config" => error("kubectl config works in the playground's terminal, where the kubeconfig is"),
        _ => Output::err(cli::unknown_command(name)),
    }
}

/// The namespace a command works in: `-n`, else the context's, else
/// `default`.
fn namespace(m: &ArgMatches) -> String {
    cli::string(m, "namespace").or_else(|| cli::string(m, cli::CONTEXT_NAMESPACE)).unwrap_or_else(|| "default".into())
}

/// Runs kubectl for the terminal: `kubectl config` edits `kubeconfig`;
/// everything else goes to the cluster of the current (or `--context`)
/// context, in its namespace.
pub fn run_with_config(
    kubeconfig: &mut crate::kubeconfig::Kubeconfig,
    clusters: &mut std::collections::BTreeMap<String, Cluster>,
    args: &[String],
    files: &dyn Files,
    stdin: Option<&str>,
) -> Reply {
    if let Ok(matches) = cli::command().try_get_matches_from(args) {
        if let Some(("config", sub)) = matches.subcommand() {
            return Reply::Output(config::run(kubeconfig, sub));
        }
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
            Some(("get", sub)) => {
                if let Some(w) = watch::from_get(cluster, sub) {
                    let mut out = run(cluster, &args, files, stdin);
                    // A watch says nothing about an empty list; it waits.
                    if cli::boolean(sub, "watch-only") || out.stderr.starts_with("No resources found") {
                        out.stderr.clear();
                    }
                    if cli::boolean(sub, "watch-only") {
                        out.stdout.clear();
                    }
                    if out.exit_code != 0 {
                        return Reply::Output(out);
                    }
                    return Reply::Watch { cluster: name, watch: watch::Stream::Rows(w), output: out };
                }
            }
            Some(("logs", sub)) => {
                if let Some(f) = logs::follow(cluster, sub) {
                    let out = run(cluster, &args, files, stdin);
                    if out.exit_code != 0 {
                        return Reply::Output(out);
                    }
                    return Reply::Watch { cluster: name, watch: watch::Stream::Log(f), output: out };
                }
            }
            _ => {}
        }
    }
    Reply::Output(run(cluster, &args, files, stdin))
}

/// What the terminal gets back from kubectl.
pub enum Reply {
    /// What to print.
    Output(Output),
    /// A shell opened in a container of `cluster`, and a note for stderr.
    Session { cluster: String, session: exec::Session, note: String },
    /// A watch on `cluster` that goes on printing after `output`.
    Watch { cluster: String, watch: watch::Stream, output: Output },
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
    let mut words = args.iter().take_while(|a| *a != "--");
    while let Some(word) = words.next() {
        if let Some(value) = word.strip_prefix("--context=") {
            return Some(value.to_string());
        }
        if word == "--context" {
            return words.next().cloned();
        }
    }
    None
}

/// A non-API error, in kubectl's `error: …` form.
fn error(message: impl std::fmt::Display) -> Output {
    Output::err(format!("error: {message}\n"))
}

const ROOT_HELP: &str = "kubectl controls the Kubernetes cluster manager.

 This playground's kubectl speaks to the simulated cluster on this page; it lists the commands it runs.

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  cluster-info    Display cluster information
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  exec            Execute a command in a container
  auth            Inspect authorization
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of \"group/version\"
  config          Modify kubeconfig files
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use \"kubectl <command> --help\" for more information about a given command.
Use \"kubectl options\" for a list of global command-line options (applies to all commands).
";
