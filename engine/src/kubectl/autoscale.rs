//! `kubectl autoscale deployment web --min=2 --max=10 --cpu-percent=50`:
//! an autoscaling/v1 HorizontalPodAutoscaler for a scalable workload, as
//! kubectl 1.32 creates it (the server stores it as v2).

use super::run::{dry_run, DryRun};
use super::{cli, error, namespace, target};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use clap::ArgMatches;
use serde_json::{json, Value};

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    // The parser has refused what is not an integer.
    let int = |name: &str| cli::string(m, name).and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
    let (min, max, cpu) = (int("min"), int("max"), int("cpu-percent"));
    if max < 1 {
        return error(format!("--max=MAXPODS is required and must be at least 1, max: {max}"));
    }
    if max < min {
        return error(format!("--max=MAXPODS must be larger or equal to --min=MINPODS, max: {max}, min: {min}"));
    }
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let ns = namespace(m);
    let found = match target::objects(cluster, &cli::strings(m, "args"), &ns, "autoscale") {
        Ok(f) => f,
        Err(out) => return out,
    };
    let output = cli::string(m, "output");
    let mut out = Output::default();
    for (info, object) in found {
        if !matches!(info.kind, Kind::Deployment | Kind::ReplicaSet | Kind::StatefulSet | Kind::ReplicationController) {
            return error(format!("cannot autoscale a {}: no scale subresource", info.kind_name));
        }
        let name = cli::string(m, "name").unwrap_or_else(|| object.name().to_string());
        let mut spec = json!({
            "scaleTargetRef": {"apiVersion": info.api_version(), "kind": info.kind_name, "name": object.name()},
            "maxReplicas": max,
        });
        if min >= 0 {
            spec["minReplicas"] = json!(min);
        }
        if cpu >= 0 {
            spec["targetCPUUtilizationPercentage"] = json!(cpu);
        }
        let mut value = json!({
            "apiVersion": "autoscaling/v1",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "creationTimestamp": Value::Null},
            "spec": spec,
            "status": {"currentReplicas": 0, "desiredReplicas": 0},
        });
        let label = format!("horizontalpodautoscaler.autoscaling/{name}");
        if dry != DryRun::Client {
            if let Some(map) = value.as_object_mut() {
                map.remove("status");
            }
            let mut hpa = match crate::codec::to_object(value.clone()) {
                Ok(o) => o,
                Err(e) => return Output::err(super::manifest::describe("STDIN", e)),
            };
            hpa.meta_mut().namespace = Some(ns.clone());
            let now = cluster.now();
            if let Err(e) = cluster.api_mut().create(hpa, now, dry == DryRun::Server) {
                out.stderr.push_str(&format!("{}\n", e.render(None)));
                out.exit_code = 1;
                continue;
            }
        }
        out.stdout.push_str(&match output.as_deref() {
            Some("yaml") => crate::codec::to_yaml(&value),
            Some("name") => format!("{label}\n"),
            _ => format!("{label} autoscaled{}\n", dry.suffix()),
        });
    }
    cluster.settle();
    out
}
