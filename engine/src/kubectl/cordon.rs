//! `kubectl cordon` and `kubectl uncordon`: mark a node (un)schedulable.

use super::{cli, error};
use crate::api::Kind;
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;

pub fn run(cluster: &mut Cluster, m: &ArgMatches, cordon: bool) -> Output {
    let names = cli::strings(m, "args");
    if names.is_empty() {
        return error(format!(
            "resource(s) were provided, but no name was specified\nSee 'kubectl {} -h' for help and examples",
            if cordon { "cordon" } else { "uncordon" }
        ));
    }
    let mut out = Output::default();
    for name in names {
        let name = name.strip_prefix("node/").or_else(|| name.strip_prefix("nodes/")).unwrap_or(&name).to_string();
        let current = match cluster.api().get(Kind::Node, "", &name) {
            Ok(n) => n,
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
                continue;
            }
        };
        let was = current.as_node().and_then(|n| n.spec.as_ref()).and_then(|s| s.unschedulable).unwrap_or(false);
        let word = if cordon { "cordoned" } else { "uncordoned" };
        if was == cordon {
            out.stdout.push_str(&format!("node/{name} already {word}\n"));
            continue;
        }
        let patch = serde_json::json!({"spec": {"unschedulable": if cordon { serde_json::json!(true) } else { serde_json::Value::Null }}});
        let now = cluster.now();
        match cluster.api_mut().patch(Kind::Node, "", &name, PatchType::Strategic, &patch, now) {
            Ok(_) => out.stdout.push_str(&format!("node/{name} {word}\n")),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
