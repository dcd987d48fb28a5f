//! `kubectl scale`: sets `spec.replicas` of Deployments, ReplicaSets,
//! ReplicationControllers and StatefulSets.

use super::{cli, error, namespace, target};
use crate::api::Kind;
use crate::apiserver::PatchType;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let Some(replicas) = cli::string(m, "replicas") else {
        return Output::err("error: required flag(s) \"replicas\" not set\n");
    };
    let Ok(replicas) = replicas.parse::<i32>() else {
        return error(format!("invalid argument \"{replicas}\" for \"--replicas\" flag: strconv.ParseInt: parsing \"{replicas}\": invalid syntax"));
    };
    if replicas < 0 {
        return error("The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0");
    }
    let ns = namespace(m);
    let found = match target::objects(cluster, &cli::strings(m, "args"), &ns, "scale") {
        Ok(f) => f,
        Err(out) => return out,
    };
    let mut out = Output::default();
    for (info, object) in found {
        if !matches!(info.kind, Kind::Deployment | Kind::ReplicaSet | Kind::ReplicationController | Kind::StatefulSet) {
            out.stderr.push_str(&format!(
                "error: no scaler has been implemented for {{\"{}\" \"{}\"}}\n",
                info.group, info.kind_name
            ));
            out.exit_code = 1;
            continue;
        }
        let patch = serde_json::json!({"spec": {"replicas": replicas}});
        let now = cluster.now();
        let scope = object.namespace().to_string();
        match cluster.api_mut().patch(info.kind, &scope, object.name(), PatchType::Merge, &patch, now) {
            Ok(_) => out.stdout.push_str(&format!("{}/{} scaled\n", info.qualified_singular(), object.name())),
            Err(e) => {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
            }
        }
    }
    cluster.settle();
    out
}
