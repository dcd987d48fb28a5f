//! `kubectl config`: reads and edits the terminal's kubeconfig (contexts,
//! clusters, users), in kubectl's words.

use super::cli;
use super::printers::tabwriter;
use crate::cluster::Output;
use crate::kubeconfig::{Kubeconfig, PATH};
use clap::ArgMatches;

pub fn run(config: &mut Kubeconfig, m: &ArgMatches) -> Output {
    let Some((name, sub)) = m.subcommand() else {
        return Output::err(help(&["config"]));
    };
    let args = cli::strings(sub, "args");
    let one = |empty: &str| match args.as_slice() {
        [name] => Ok(name.clone()),
        [] => Err(Output::err(format!("error: {empty}\n"))),
        more => Err(Output::err(format!("error: Unexpected args: [{}]\n", more.join(" ")))),
    };
    match name {
        "current-context" => match config.current.as_str() {
            "" => Output::err("error: current-context is not set\n"),
            current => Output::ok(format!("{current}\n")),
        },
        "view" => {
            let value = config.view(cli::boolean(sub, "minify"), cli::boolean(sub, "raw"));
            match cli::string(sub, "output").as_deref() {
                None | Some("yaml") => Output::ok(crate::codec::to_yaml(&value)),
                Some("json") => Output::ok(format!("{}\n", super::get::json(&value))),
                Some(other) if other.starts_with("jsonpath=") => {
                    match super::jsonpath::execute(&other["jsonpath=".len()..], &value) {
                        Ok(text) => Output::ok(text),
                        Err(e) => Output::err(format!("error: {e}\n")),
                    }
                }
                Some(other) => Output::err(format!(
                    "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,yaml\n"
                )),
            }
        }
        "get-contexts" => get_contexts(config, &args, sub),
        "get-clusters" => list("NAME", config.clusters.keys()),
        "get-users" => list("NAME", config.users.keys()),
        "use-context" => {
            let [name] = args.as_slice() else {
                return usage_error(&help(&["config", "use-context"]), &args);
            };
            let name = name.clone();
            if !config.contexts.contains_key(&name) {
                return Output::err(format!("error: no context exists with the name: {name:?}\n"));
            }
            config.current = name.clone();
            Output::ok(format!("Switched to context {name:?}.\n"))
        }
        "set-context" => set_context(config, &args, sub),
        "rename-context" => {
            let [old, new] = args.as_slice() else {
                return Output::err(
                    "error: Unexpected args: expected two arguments: CONTEXT_NAME NEW_NAME\nSee 'kubectl config rename-context -h' for help and examples\n",
                );
            };
            if !config.contexts.contains_key(old) {
                return Output::err(format!("error: cannot rename the context {old:?}, it's not in {PATH}\n"));
            }
            if config.contexts.contains_key(new) {
                return Output::err(format!(
                    "error: cannot rename the context {old:?}, the context {new:?} already exists in {PATH}\n"
                ));
            }
            if let Some(context) = config.contexts.remove(old) {
                config.contexts.insert(new.clone(), context);
            }
            if config.current == *old {
                config.current = new.clone();
            }
            Output::ok(format!("Context {old:?} renamed to {new:?}.\n"))
        }
        "delete-context" => {
            let name = match one("empty context names are not allowed") {
                Ok(n) => n,
                Err(e) => return e,
            };
            if config.contexts.remove(&name).is_none() {
                return Output::err(format!("error: cannot delete context {name}, not in {PATH}\n"));
            }
            let mut out = Output::ok(format!("deleted context {name} from {PATH}\n"));
            if config.current == name {
                out.stderr = "warning: this removed your active context, use \"kubectl config use-context\" to select a different one\n".into();
            }
            out
        }
        "set-cluster" => {
            let name = match one("you must specify a non-empty cluster name") {
                Ok(n) => n,
                Err(e) => return e,
            };
            let entry = config.clusters.entry(name.clone()).or_default();
            if let Some(server) = cli::string(sub, "server") {
                entry.server = server;
            }
            Output::ok(format!("Cluster {name:?} set.\n"))
        }
        "set-credentials" => {
            let name = match one("you must specify a non-empty user name") {
                Ok(n) => n,
                Err(e) => return e,
            };
            let entry = config.users.entry(name.clone()).or_default();
            for (flag, field) in
                [("token", &mut entry.token), ("username", &mut entry.username), ("password", &mut entry.password)]
            {
                if let Some(value) = cli::string(sub, flag) {
                    *field = Some(value);
                }
            }
            Output::ok(format!("User {name:?} set.\n"))
        }
        other => {
            Output::err(format!("error: unknown command {other:?}\nSee 'kubectl config -h' for help and examples\n"))
        }
    }
}

/// cobra's answer to the wrong number of arguments: the command's help on
/// stdout, the complaint on stderr.
fn help(path: &[&str]) -> String {
    super::help::render(&path.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap_or_default()
}

fn usage_error(help: &str, args: &[String]) -> Output {
    Output { stdout: help.into(), stderr: format!("error: Unexpected args: [{}]\n", args.join(" ")), exit_code: 1 }
}

fn list<'a>(header: &str, names: impl Iterator<Item = &'a String>) -> Output {
    let mut text = format!("{header}\n");
    for n in names {
        text.push_str(n);
        text.push('\n');
    }
    Output::ok(text)
}

fn get_contexts(config: &Kubeconfig, names: &[String], m: &ArgMatches) -> Output {
    let by_name = cli::string(m, "output").as_deref() == Some("name");
    let mut rows = Vec::new();
    let mut out = Output::default();
    let wanted: Vec<&String> = if names.is_empty() { config.contexts.keys().collect() } else { names.iter().collect() };
    for name in wanted {
        let Some(c) = config.contexts.get(name) else {
            out.stderr.push_str(&format!("error: context {name} not found\n"));
            out.exit_code = 1;
            continue;
        };
        if by_name {
            out.stdout.push_str(&format!("{name}\n"));
            continue;
        }
        let current = if *name == config.current { "*" } else { "" };
        rows.push(format!("{current}\t{name}\t{}\t{}\t{}\n", c.cluster, c.user, c.namespace));
    }
    if !by_name {
        let mut text = String::new();
        if !cli::boolean(m, "no-headers") {
            text.push_str("CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n");
        }
        text.extend(rows);
        out.stdout = tabwriter::align(&text, 6, 3);
    }
    out
}

fn set_context(config: &mut Kubeconfig, args: &[String], m: &ArgMatches) -> Output {
    let current = cli::boolean(m, "current");
    let name = match (args, current) {
        ([], false) => return Output::err("error: you must specify a non-empty context name or --current\n"),
        ([_], true) => return Output::err("error: you cannot specify both a context name and --current\n"),
        ([], true) => {
            if config.current.is_empty() {
                return Output::err("error: no current context is set\n");
            }
            config.current.clone()
        }
        ([name], false) => name.clone(),
        (more, _) => return usage_error(&help(&["config", "set-context"]), more),
    };
    let existed = config.contexts.contains_key(&name);
    let context = config.contexts.entry(name.clone()).or_default();
    for (flag, field) in
        [("cluster", &mut context.cluster), ("user", &mut context.user), ("namespace", &mut context.namespace)]
    {
        if let Some(value) = cli::string(m, flag) {
            *field = value;
        }
    }
    Output::ok(format!("Context {name:?} {}.\n", if existed { "modified" } else { "created" }))
}
