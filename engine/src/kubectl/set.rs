//! `kubectl set image`: change container images of a workload or pod.

use super::{cli, error, namespace, target};
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::Value;

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let Some(("image", sub)) = m.subcommand() else {
        return Output::err("error: Required subcommand not specified.\nSee 'kubectl set -h' for help and examples\n");
    };
    let words = cli::strings(sub, "args");
    let (pairs, names): (Vec<String>, Vec<String>) = words.into_iter().partition(|w| w.contains('='));
    if pairs.is_empty() {
        return Output::err(
            "error: at least one image update is required\nSee 'kubectl set image -h' for help and examples\n",
        );
    }
    let ns = namespace(m);
    let found = match target::objects(cluster, &names, &ns, "set image") {
        Ok(f) => f,
        Err(out) => return out,
    };
    let mut out = Output::default();
    for (info, object) in found {
        let mut value = object.to_value();
        let pointer = if info.kind == crate::api::Kind::Pod {
            "/spec"
        } else if info.kind == crate::api::Kind::CronJob {
            "/spec/jobTemplate/spec/template/spec"
        } else {
            "/spec/template/spec"
        };
        let Some(spec) = value.pointer_mut(pointer) else { continue };
        for pair in &pairs {
            let Some((container, image)) = pair.split_once('=') else { continue };
            let mut matched = false;
            for list in ["initContainers", "containers"] {
                for c in spec.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
                    if container == "*" || c.get("name").and_then(Value::as_str) == Some(container) {
                        c["image"] = Value::String(image.to_string());
                        matched = true;
                    }
                }
            }
            if !matched {
                return error(format!("unable to find container named \"{container}\""));
            }
        }
        let patch = serde_json::json!({"spec": value.get("spec").cloned().unwrap_or(Value::Null)});
        let now = cluster.now();
        let scope = object.namespace().to_string();
        match cluster.api_mut().patch(info.kind, &scope, object.name(), PatchType::Merge, &patch, now) {
            Ok(_) => out.stdout.push_str(&format!("{}/{} image updated\n", info.qualified_singular(), object.name())),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
