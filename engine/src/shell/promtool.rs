//! `promtool` in the terminal, as Prometheus ships it: `query instant` and
//! `query range` against the cluster's Prometheus (its address resolved
//! as a pod in `default` would resolve it), and `check rules` on the
//! terminal's files.

use crate::cluster::{Cluster, Output};
use crate::files::{Entry, Files};

/// Runs `promtool ARGS`.
pub fn run(cluster: &mut Cluster, args: &[String], files: &dyn Files) -> Output {
    if let [check, rules, paths @ ..] = args {
        if check == "check" && rules == "rules" {
            return check_rules(paths, files);
        }
    }
    let out = cluster.promtool(args);
    Output { stdout: out.stdout, stderr: out.stderr, exit_code: out.code }
}

/// `promtool check rules FILE...`: each file read and checked.
fn check_rules(paths: &[String], files: &dyn Files) -> Output {
    let paths: Vec<&String> = paths.iter().filter(|p| !p.starts_with('-')).collect();
    if paths.is_empty() {
        return Output {
            exit_code: 1,
            ..Output::err("promtool: error: required argument 'rule-files' not provided, try --help\n")
        };
    }
    let mut texts = Vec::new();
    for path in &paths {
        match files.read(path) {
            Some(Entry::File(text)) => texts.push(text),
            Some(Entry::Dir(_)) => {
                let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
                return Output {
                    exit_code: 1,
                    ..Output::err(format!("promtool: error: '{base}' is a directory, try --help\n"))
                };
            }
            None => {
                return Output {
                    exit_code: 1,
                    ..Output::err(format!("promtool: error: path '{path}' does not exist, try --help\n"))
                }
            }
        }
    }
    let mut out = Output::default();
    for (path, text) in paths.iter().zip(&texts) {
        let (stdout, stderr, ok) = crate::rules::file::check(path, text);
        out.stdout.push_str(&stdout);
        out.stderr.push_str(&stderr);
        if !ok {
            out.exit_code = 1;
        }
    }
    out
}
