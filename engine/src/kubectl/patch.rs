//! `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]`.

use super::{cli, error, namespace, resources};
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    let requests = match resources::parse(&args) {
        Ok(r) => r,
        Err(e) => return error(e),
    };
    let Some(request) = requests.first().filter(|r| r.names.len() == 1 && requests.len() == 1) else {
        return Output::err(
            "error: resource(s) were provided, but no name was specified\nSee 'kubectl patch -h' for help and examples\n",
        );
    };
    let Some(text) = cli::string(m, "patch") else {
        return Output::err("error: must specify -p to patch\nSee 'kubectl patch -h' for help and examples\n");
    };
    let kind = match cli::string(m, "type").as_deref() {
        None | Some("strategic") => PatchType::Strategic,
        Some("merge") => PatchType::Merge,
        Some("json") => PatchType::Json,
        Some(other) => {
            return error(format!(
                "--type must be one of [json merge strategic], not \"{other}\"\nSee 'kubectl patch -h' for help and examples"
            ))
        }
    };
    // kubectl reads the patch as YAML (JSON being YAML).
    let patch: serde_json::Value = match serde_yaml::from_str::<serde_yaml::Value>(&text).map(serde_json::to_value) {
        Ok(Ok(v)) => v,
        _ => return error(format!("unable to parse \"{text}\": yaml: did not find expected node content")),
    };
    let info = request.info;
    let name = &request.names[0];
    let ns = if info.namespaced { namespace(m) } else { String::new() };
    let now = cluster.now();
    let before = cluster.api().store().get(info.kind, &ns, name).map(|o| o.to_value());
    match cluster.api_mut().patch(info.kind, &ns, name, kind, &patch, now) {
        Ok(after) => {
            cluster.settle();
            let mut after_value = after.to_value();
            let mut before_value = before.unwrap_or_default();
            for v in [&mut after_value, &mut before_value] {
                if let Some(meta) = v.get_mut("metadata").and_then(serde_json::Value::as_object_mut) {
                    meta.remove("resourceVersion");
                    meta.remove("generation");
                }
            }
            let suffix = if after_value == before_value { " (no change)" } else { "" };
            Output::ok(format!("{}/{name} patched{suffix}\n", info.qualified_singular()))
        }
        Err(e) => Output::err(format!("{}\n", e.render(None))),
    }
}
