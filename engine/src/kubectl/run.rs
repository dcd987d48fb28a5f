//! `kubectl run`: one pod from an image.

use super::{cli, error, namespace};
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Container, ContainerPort, EnvVar, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// How `--dry-run` asks for the request to be handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DryRun {
    /// Really do it.
    None,
    /// Print what would be sent; send nothing.
    Client,
    /// Send it for validation only.
    Server,
}

impl DryRun {
    /// The ` (dry run)` suffix kubectl adds to its messages.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// Reads `--dry-run`, in kubectl's words when it is wrong.
pub fn dry_run(m: &ArgMatches) -> Result<DryRun, String> {
    match cli::string(m, "dry-run").as_deref() {
        None | Some("none") => Ok(DryRun::None),
        Some("client") => Ok(DryRun::Client),
        Some("server") => Ok(DryRun::Server),
        Some("unchanged") => Err(
            "--dry-run flag without a value was specified. A value must be set: \"none\", \"server\", or \"client\"."
                .into(),
        ),
        Some(other) => Err(format!("Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\".")),
    }
}

/// Parses `a=b,c=d` label specs.
pub fn parse_labels(spec: &str) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for pair in spec.split(',').filter(|p| !p.is_empty()) {
        let Some((k, v)) = pair.split_once('=') else {
            return Err(format!("unexpected label spec: {pair}"));
        };
        labels.insert(k.to_string(), v.to_string());
    }
    Ok(labels)
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    let Some(name) = args.first().cloned() else {
        return Output::err("error: NAME is required for run\nSee 'kubectl run -h' for help and examples\n");
    };
    let Some(image) = cli::string(m, "image") else {
        // kubectl 1.32 reports a missing required flag through klog.
        let now = cluster.now().rfc3339();
        let (date, time) = now.split_once('T').unwrap_or((&now, ""));
        let stamp = format!("{}{}", &date[5..7], &date[8..10]);
        return Output::err(format!(
            "E{stamp} {}.000000    4242 run.go:72] \"command failed\" err=\"required flag(s) \\\"image\\\" not set\"\n",
            time.trim_end_matches('Z')
        ));
    };
    let restart = cli::string(m, "restart").unwrap_or_else(|| "Always".into());
    if !["Always", "OnFailure", "Never"].contains(&restart.as_str()) {
        return Output::err(format!(
            "error: invalid restart policy: {restart}\nSee 'kubectl run -h' for help and examples\n"
        ));
    }
    let pull_policy = cli::string(m, "image-pull-policy");
    if let Some(p) = &pull_policy {
        if !["Always", "IfNotPresent", "Never"].contains(&p.as_str()) {
            return Output::err(format!(
                "error: invalid image pull policy: {p}\nSee 'kubectl run -h' for help and examples\n"
            ));
        }
    }
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let labels = match cli::string(m, "labels") {
        Some(spec) => match parse_labels(&spec) {
            Ok(l) => l,
            Err(e) => return error(e),
        },
        None => BTreeMap::from([("run".to_string(), name.clone())]),
    };
    let ports = match cli::string(m, "port") {
        Some(p) => match p.parse::<i32>() {
            Ok(port) => Some(vec![ContainerPort { container_port: port, ..Default::default() }]),
            Err(_) => return error(format!("strconv.Atoi: parsing \"{p}\": invalid syntax")),
        },
        None => None,
    };
    let mut env = Vec::new();
    for pair in cli::strings(m, "env") {
        let Some((k, v)) = pair.split_once('=') else {
            return error(format!("invalid env: {pair}"));
        };
        env.push(EnvVar { name: k.into(), value: Some(v.into()), ..Default::default() });
    }
    let mut rest: Vec<String> = args[1..].to_vec();
    rest.extend(cli::strings(m, "command-args"));
    let (command, container_args) = match (cli::boolean(m, "command"), rest.is_empty()) {
        (_, true) => (None, None),
        (true, false) => (Some(rest), None),
        (false, false) => (None, Some(rest)),
    };
    let pod = Pod {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: Some(namespace(m)),
            labels: Some(labels),
            ..Default::default()
        },
        spec: Some(PodSpec {
            containers: vec![Container {
                name: args[0].clone(),
                image: Some(image),
                image_pull_policy: pull_policy,
                command,
                args: container_args,
                ports,
                env: (!env.is_empty()).then_some(env),
                resources: Some(Default::default()),
                ..Default::default()
            }],
            dns_policy: Some("ClusterFirst".into()),
            restart_policy: Some(restart),
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let now = cluster.now();
    match cluster.api_mut().create(Object::Pod(pod), now, dry != DryRun::None) {
        Ok(created) => {
            cluster.settle();
            Output::ok(format!("pod/{} created{}\n", created.name(), dry.suffix()))
        }
        Err(e) => Output::err(format!("{}\n", e.render(None))),
    }
}
