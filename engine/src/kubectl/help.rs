//! `kubectl … --help`, `kubectl help …` and `kubectl options`: kubectl's
//! layout (summary, Examples, Available Commands, Options, Usage), with the
//! Options section drawn from the parser itself so it lists exactly the flags
//! the playground accepts. The words live in `help/*.yaml`.

use super::cli;
use clap::{ArgAction, Command};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The help of one command, keyed in the YAML by its path (`rollout status`).
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub short: String,
    #[serde(default)]
    pub long: String,
    #[serde(default)]
    pub examples: String,
    /// The synopsis, without the trailing `[options]` cobra adds.
    pub usage: String,
    /// Flags whose meaning or default differs from `flags.yaml`.
    #[serde(default)]
    pub flags: BTreeMap<String, Flag>,
}

#[derive(Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(crate) struct Flag {
    /// As kubectl prints it (`''`, `[]`, `false`, `0s`, `'none'`); inferred
    /// from the flag's kind when absent.
    #[serde(default)]
    pub default: Option<String>,
    pub text: String,
}

const COMMAND_FILES: &[&str] = &[
    include_str!("help/basic.yaml"),
    include_str!("help/create.yaml"),
    include_str!("help/deploy.yaml"),
    include_str!("help/cluster.yaml"),
    include_str!("help/debug.yaml"),
    include_str!("help/advanced.yaml"),
    include_str!("help/settings.yaml"),
    include_str!("help/other.yaml"),
];

/// Every command's entry; a file that does not parse is a build mistake the
/// tests catch, so here it only leaves its commands without words.
pub(crate) fn entries() -> BTreeMap<String, Entry> {
    COMMAND_FILES
        .iter()
        .filter_map(|text| serde_yaml::from_str::<BTreeMap<String, Entry>>(text).ok())
        .flatten()
        .collect()
}

/// Descriptions shared by every command with a flag of that name.
pub(crate) fn shared_flags() -> BTreeMap<String, Flag> {
    serde_yaml::from_str(include_str!("help/flags.yaml")).unwrap_or_default()
}

/// The help of the command `path` names (empty: kubectl itself), or `None`
/// when no such command exists.
pub fn render(path: &[String]) -> Option<String> {
    let mut command = cli::command();
    // Aliases (`create deploy`) resolve to the command's own name.
    let mut names = Vec::new();
    for name in path {
        command = command.find_subcommand(name)?.clone();
        names.push(command.get_name().to_string());
    }
    if names.is_empty() {
        return Some(root());
    }
    let key = names.join(" ");
    let entries = entries();
    let fallback = Entry { usage: format!("kubectl {key}"), ..Entry::default() };
    let entry = entries.get(&key).unwrap_or(&fallback);
    let mut text = String::new();
    text.push_str(&entry.short);
    text.push_str(".\n");
    if !entry.long.trim().is_empty() {
        text.push('\n');
        for (i, paragraph) in entry.long.trim_end().split("\n\n").enumerate() {
            if i > 0 {
                text.push_str("\n\n");
            }
            text.push(' ');
            text.push_str(paragraph);
        }
        text.push('\n');
    }
    let aliases: Vec<&str> = command.get_all_aliases().collect();
    if !aliases.is_empty() {
        text.push_str(&format!("\nAliases:\n{}, {}\n", command.get_name(), aliases.join(", ")));
    }
    if !entry.examples.trim().is_empty() {
        text.push_str("\nExamples:\n");
        for line in entry.examples.trim_end().lines() {
            text.push_str("  ");
            text.push_str(line);
            text.push('\n');
        }
    }
    let subcommands: Vec<&Command> = command.get_subcommands().filter(|c| !c.is_hide_set()).collect();
    if !subcommands.is_empty() {
        text.push_str("\nAvailable Commands:\n");
        let width = subcommands.iter().map(|c| c.get_name().len()).max().unwrap_or(0).max(11) + 3;
        let mut sorted = subcommands.clone();
        sorted.sort_by_key(|c| c.get_name());
        for sub in sorted {
            let short = entries.get(&format!("{key} {}", sub.get_name())).map(|e| e.short.as_str()).unwrap_or("");
            text.push_str(&format!("  {:<width$}{short}\n", sub.get_name()));
        }
    }
    let options = options(&command, entry, &shared_flags());
    if !options.is_empty() {
        text.push_str("\nOptions:\n");
        text.push_str(&options);
    } else {
        text.push('\n');
    }
    // cobra adds the options to a synopsis that does not already place them.
    let options = if entry.usage.contains("[options]") { "" } else { " [options]" };
    text.push_str(&format!("Usage:\n  {}{options}\n\n", entry.usage));
    if !subcommands.is_empty() {
        text.push_str(&format!("Use \"kubectl {key} <command> --help\" for more information about a given command.\n"));
    }
    text.push_str(GLOBAL_HINT);
    Some(text)
}

const GLOBAL_HINT: &str =
    "Use \"kubectl options\" for a list of global command-line options (applies to all commands).\n";

/// The flags of `command` in pflag's order (sorted by name), each with its
/// default and description.
fn options(command: &Command, entry: &Entry, shared: &BTreeMap<String, Flag>) -> String {
    let mut flags: Vec<(&str, Option<char>, String, String)> = command
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !a.is_global_set())
        .filter_map(|a| {
            let long = a.get_long()?;
            if long == "help" {
                return None;
            }
            let described = entry.flags.get(long).or_else(|| shared.get(long));
            let default = described.and_then(|f| f.default.clone()).unwrap_or_else(|| inferred_default(a));
            let words = described.map(|f| f.text.clone()).unwrap_or_default();
            Some((long, a.get_short(), default, words))
        })
        .collect();
    flags.sort_by(|a, b| a.0.cmp(b.0));
    let mut text = String::new();
    for (long, short, default, words) in flags {
        match short {
            Some(s) => text.push_str(&format!("    -{s}, --{long}={default}:\n")),
            None => text.push_str(&format!("    --{long}={default}:\n")),
        }
        text.push('\t');
        text.push_str(&words);
        text.push_str("\n\n");
    }
    text
}

/// pflag's printed zero value for a flag of this kind.
fn inferred_default(arg: &clap::Arg) -> String {
    if arg.get_value_parser().type_id() == std::any::TypeId::of::<bool>() {
        "false".into()
    } else if matches!(arg.get_action(), ArgAction::Append) {
        "[]".into()
    } else {
        "''".into()
    }
}

/// How many of `words` name a command path from the top.
pub fn known_prefix(words: &[String]) -> usize {
    let mut command = cli::command();
    let mut known = 0;
    for word in words {
        match command.find_subcommand(word) {
            Some(next) if !next.is_hide_set() => {
                command = next.clone();
                known += 1;
            }
            _ => break,
        }
    }
    known
}

/// `kubectl` alone: what it is, then its usage.
fn root() -> String {
    format!(
        "kubectl controls the Kubernetes cluster manager.\n\n This playground's kubectl drives the simulated cluster on this page; below are the commands it runs.\n{}",
        root_usage()
    )
}

/// The commands by kubectl's groups, and how to ask for more.
pub fn root_usage() -> String {
    let entries = entries();
    let mut text = String::new();
    let known: Vec<String> = cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
    for (group, names) in GROUPS {
        let names: Vec<&&str> = names.iter().filter(|n| known.iter().any(|k| k == *n)).collect();
        if names.is_empty() {
            continue;
        }
        text.push_str(&format!("\n{group}:\n"));
        for name in names {
            let short = entries.get(*name).map(|e| e.short.as_str()).unwrap_or("");
            text.push_str(&format!("  {name:<16}{short}\n"));
        }
    }
    text.push_str("\nUsage:\n  kubectl [flags] [options]\n\nUse \"kubectl <command> --help\" for more information about a given command.\n");
    text.push_str(GLOBAL_HINT);
    text
}

/// kubectl's command groups, in its order.
const GROUPS: &[(&str, &[&str])] = &[
    ("Basic Commands (Beginner)", &["create", "expose", "run", "set"]),
    ("Basic Commands (Intermediate)", &["explain", "get", "edit", "delete"]),
    ("Deploy Commands", &["rollout", "scale", "autoscale"]),
    ("Cluster Management Commands", &["certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint"]),
    (
        "Troubleshooting and Debugging Commands",
        &["describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug", "events"],
    ),
    ("Advanced Commands", &["diff", "apply", "patch", "replace", "wait", "kustomize"]),
    ("Settings Commands", &["label", "annotate", "completion"]),
    ("Other Commands", &["api-resources", "api-versions", "config", "plugin", "version"]),
];

/// `kubectl options`: the flags every command takes.
pub fn global_options() -> String {
    let shared = shared_flags();
    let root = cli::command();
    let entry = Entry::default();
    let mut text = String::from("The following options can be passed to any command:\n\n");
    let globals = root.get_arguments().filter(|a| a.is_global_set()).map(|a| a.clone().global(false));
    text.push_str(&options(&Command::new("options").args(globals), &entry, &shared));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const FACTS: &str = include_str!("../../tests/golden/kubectl/help-facts.txt");
    const LISTED: &str = include_str!("../../tests/golden/kubectl/help-commands.txt");

    /// Every command path of the parser, `create secret tls` style.
    fn paths(command: &Command, prefix: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands().filter(|c| !c.is_hide_set()) {
            let path = format!("{prefix}{}", sub.get_name()).trim_start().to_string();
            out.push(path.clone());
            paths(sub, &format!("{path} "), out);
        }
    }

    fn all_paths() -> Vec<String> {
        let mut out = Vec::new();
        paths(&cli::command(), "", &mut out);
        out
    }

    /// Real kubectl's usage, subcommands and flag lines for each path.
    fn facts() -> BTreeMap<String, Vec<String>> {
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut current = String::new();
        for line in FACTS.lines() {
            if let Some(path) = line.strip_prefix("== ") {
                current = path.to_string();
            }
            out.entry(current.clone()).or_default().push(line.to_string());
        }
        out
    }

    #[test]
    fn every_file_parses_and_every_command_has_words() {
        for file in COMMAND_FILES {
            if let Err(e) = serde_yaml::from_str::<BTreeMap<String, Entry>>(file) {
                panic!("help yaml: {e}");
            }
        }
        if let Err(e) = serde_yaml::from_str::<BTreeMap<String, Flag>>(include_str!("help/flags.yaml")) {
            panic!("flags.yaml: {e}");
        }
        let entries = entries();
        let shared = shared_flags();
        let mut missing = Vec::new();
        for path in all_paths() {
            if !LISTED.lines().any(|l| l == path) {
                missing.push(format!("{path}: not in help-commands.txt"));
            }
            let Some(entry) = entries.get(&path) else {
                missing.push(format!("{path}: no entry"));
                continue;
            };
            let mut command = cli::command();
            for name in path.split(' ') {
                command = command.find_subcommand(name).cloned().unwrap_or_default();
            }
            for arg in command.get_arguments().filter(|a| !a.is_hide_set() && !a.is_global_set()) {
                let Some(long) = arg.get_long() else { continue };
                if long != "help" && !entry.flags.contains_key(long) && !shared.contains_key(long) {
                    missing.push(format!("{path}: --{long} has no description"));
                }
            }
        }
        for key in entries.keys() {
            if !all_paths().contains(key) {
                missing.push(format!("{key}: entry for no command"));
            }
        }
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }

    /// Our words are ours, but the synopsis, the subcommands and every flag's
    /// name, shorthand and default are real kubectl's.
    #[test]
    fn facts_agree_with_kubectl() {
        let facts = facts();
        let mut wrong = Vec::new();
        for path in all_paths() {
            let words: Vec<String> = path.split(' ').map(String::from).collect();
            let text = render(&words).unwrap_or_default();
            let real = facts.get(&path).cloned().unwrap_or_default();
            let usage = text.split("Usage:\n  ").nth(1).and_then(|u| u.lines().next()).unwrap_or("");
            let aliases = text.split("Aliases:\n").nth(1).and_then(|u| u.lines().next());
            if let Some(aliases) = aliases.filter(|a| !real.contains(&format!("aliases: {a}"))) {
                wrong.push(format!("{path}: aliases {aliases:?}"));
            }
            if !real.contains(&format!("usage: {usage}")) {
                wrong.push(format!("{path}: usage {usage:?}"));
            }
            let mut section = "";
            for line in text.lines() {
                if line.ends_with(':') && !line.starts_with(' ') {
                    section = line;
                } else if section == "Options:" && line.starts_with("    ") {
                    if !real.contains(&format!("flag: {}", line.trim_start())) {
                        wrong.push(format!("{path}: {line}"));
                    }
                } else if section == "Available Commands:" && line.starts_with("  ") {
                    let name = line.split_whitespace().next().unwrap_or("");
                    if !real.contains(&format!("command: {name}")) {
                        wrong.push(format!("{path}: subcommand {name}"));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn layout_is_kubectls() {
        let text = render(&["rollout".into()]).unwrap_or_default();
        let sections: Vec<&str> = text.lines().filter(|l| l.ends_with(':') && !l.starts_with(' ')).collect();
        assert_eq!(sections, ["Examples:", "Available Commands:", "Usage:"]);
        assert!(text.contains("\n  history       "), "{text}");
        assert!(text.ends_with(
            "Use \"kubectl rollout <command> --help\" for more information about a given command.\n\
             Use \"kubectl options\" for a list of global command-line options (applies to all commands).\n"
        ));
        let scale = render(&["scale".into()]).unwrap_or_default();
        assert!(scale.contains("\nOptions:\n    --replicas=0:\n\t"), "{scale}");
        assert!(scale.contains("\n\nUsage:\n  kubectl scale "), "{scale}");
        assert_eq!(render(&["nosuch".into()]), None);
    }
}
