//! `kubectl cordon` and `kubectl uncordon`: mark a node (un)schedulable.

use super::run::{dry_run, DryRun};
use super::{cli, error};
use crate::api::Kind;
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;

pub fn run(cluster: &mut Cluster, m: &ArgMatches, cordon: bool) -> Output {
    let names = cli::strings(m, "args");
    let command = if cordon { "cordon" } else { "uncordon" };
    let selector = cli::string(m, "selector").filter(|s| !s.is_empty());
    let usage =
        |message: String| Output::err(format!("error: {message}\nSee 'kubectl {command} -h' for help and examples\n"));
    if names.is_empty() && selector.is_none() {
        return usage(format!("USAGE: {command} NODE [flags]"));
    }
    if !names.is_empty() && selector.is_some() {
        return usage("cannot specify both a node name and a --selector option".into());
    }
    let names: Vec<String> = match selector {
        Some(text) => match crate::labels::Selector::parse(&text) {
            Ok(s) => cluster.api().store().select(Kind::Node, None, &s).iter().map(|n| n.name().to_string()).collect(),
            Err(e) => return error(e),
        },
        None => names,
    };
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let mut out = Output::default();
    for name in names {
        let name = name.strip_prefix("node/").or_else(|| name.strip_prefix("nodes/")).unwrap_or(&name).to_string();
        match set_unschedulable(cluster, &name, cordon, dry) {
            Ok(line) => out.stdout.push_str(&line),
            Err(e) => {
                out.stderr.push_str(&e);
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}

/// Cordons (or uncordons) one node: kubectl's line for it, or the
/// server's error.
pub(super) fn set_unschedulable(
    cluster: &mut Cluster,
    name: &str,
    cordon: bool,
    dry: DryRun,
) -> Result<String, String> {
    let current = cluster.api().get(Kind::Node, "", name).map_err(|e| format!("{}\n", e.render(None)))?;
    let was = current.as_node().and_then(|n| n.spec.as_ref()).and_then(|s| s.unschedulable).unwrap_or(false);
    let word = if cordon { "cordoned" } else { "uncordoned" };
    if was == cordon {
        return Ok(format!("node/{name} already {word}{}\n", dry.suffix()));
    }
    if dry == DryRun::None {
        let value = if cordon { serde_json::json!(true) } else { serde_json::Value::Null };
        let patch = serde_json::json!({"spec": {"unschedulable": value}});
        let now = cluster.now();
        cluster
            .api_mut()
            .patch(Kind::Node, "", name, PatchType::Strategic, &patch, now)
            .map_err(|e| format!("{}\n", e.render(None)))?;
    }
    Ok(format!("node/{name} {word}{}\n", dry.suffix()))
}
