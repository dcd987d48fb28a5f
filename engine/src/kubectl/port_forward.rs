//! `kubectl port-forward TYPE/NAME [LOCAL:]REMOTE …`: finds the pod behind a
//! pod, workload or Service, maps a Service port to its container port, and
//! holds the forward until Ctrl-C, or until the pod stops running.

use super::logs::pod_for;
use super::{cli, error, namespace};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use clap::ArgMatches;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// A forward being held: it ends when its pod stops running.
#[derive(Clone, Debug)]
pub struct Forward {
    namespace: String,
    pod: String,
}

impl Forward {
    /// Nothing while the pod runs; kubectl's complaint once it no longer does.
    pub fn poll(&mut self, cluster: &Cluster) -> (Output, bool) {
        if running(cluster, &self.namespace, &self.pod) {
            return (Output::default(), false);
        }
        (Output { stderr: "error: lost connection to pod\n".into(), exit_code: 1, ..Output::default() }, true)
    }
}

fn running(cluster: &Cluster, ns: &str, pod: &str) -> bool {
    cluster
        .get(Kind::Pod, ns, pod)
        .and_then(|o| o.as_pod()?.status.as_ref()?.phase.clone())
        .is_some_and(|p| p == "Running")
}

fn usage(message: &str) -> Output {
    Output::err(format!("error: {message}\nSee 'kubectl port-forward -h' for help and examples\n"))
}

/// The forward to hold and what it printed, or kubectl's error.
pub fn run(cluster: &Cluster, m: &ArgMatches) -> Result<(Forward, Output), Output> {
    let args = cli::strings(m, "args");
    let [target, ports @ ..] = args.as_slice() else {
        return Err(usage("TYPE/NAME and list of ports are required for port-forward"));
    };
    if ports.is_empty() {
        return Err(usage("TYPE/NAME and list of ports are required for port-forward"));
    }
    let ns = namespace(m);
    let service = target.split_once('/').and_then(|(kind, name)| {
        let info = crate::api::resolve(kind)?;
        (info.kind == Kind::Service).then(|| name.to_string())
    });
    // A Service forwards to one of its pods, on the container port its
    // service port targets.
    let (pod, pairs) = match &service {
        Some(name) => {
            let svc = cluster
                .api()
                .get(Kind::Service, &ns, name)
                .map_err(|e| Output::err(format!("{}\n", e.render(None))))?;
            let Object::Service(svc) = &*svc else { return Err(Output::default()) };
            let spec = svc.spec.clone().unwrap_or_default();
            let selector = spec.selector.clone().unwrap_or_default();
            let chosen = crate::labels::Selector::from_map(&selector);
            let mut pods: Vec<_> = cluster
                .api()
                .store()
                .select(Kind::Pod, Some(&ns), &chosen)
                .into_iter()
                .filter(|p| !selector.is_empty() && running(cluster, &ns, p.name()))
                .cloned()
                .collect();
            pods.sort_by(|a, b| a.name().cmp(b.name()));
            let Some(pod) = pods.into_iter().next() else {
                return Err(Output::err(format!("error: no running pods found for {name}\n")));
            };
            let by_name = |port: &str| {
                let found = spec.ports.iter().flatten().find(|p| p.name.as_deref() == Some(port));
                found.and_then(|p| u16::try_from(p.port).ok())
            };
            let ports = named(ports, by_name, &format!("Service {name}"))?;
            let mut pairs = parse_ports(cluster, &ports)?;
            for pair in &mut pairs {
                let Some(port) = spec.ports.iter().flatten().find(|p| p.port == i32::from(pair.1)) else {
                    return Err(Output::err(format!(
                        "error: Service {name} does not have a service port {}\n",
                        pair.1
                    )));
                };
                pair.1 = match &port.target_port {
                    Some(IntOrString::Int(n)) => u16::try_from(*n).unwrap_or(pair.1),
                    Some(IntOrString::String(named)) => container_port(&pod, named).unwrap_or(pair.1),
                    None => pair.1,
                };
            }
            (pod, Some(pairs))
        }
        None => (pod_for(cluster, target, &ns, &mut Output::default())?, None),
    };
    let phase = pod.as_pod().and_then(|p| p.status.as_ref()?.phase.clone()).unwrap_or_else(|| "Pending".into());
    if phase != "Running" {
        return Err(Output::err(format!(
            "error: unable to forward port because pod is not running. Current status={phase}\n"
        )));
    }
    // A pod's ports are read once it is known to run, as kubectl does.
    let pairs = match pairs {
        Some(p) => p,
        None => {
            let ports = named(ports, |port| container_port(&pod, port), &format!("Pod '{}'", pod.name()))?;
            parse_ports(cluster, &ports)?
        }
    };
    let mut address = cli::strings(m, "address").join(",");
    if address.is_empty() {
        address = "localhost".into();
    }
    let mut out = String::new();
    for (local, remote) in &pairs {
        for host in address.split(',') {
            match host.trim() {
                "localhost" => {
                    out.push_str(&format!("Forwarding from 127.0.0.1:{local} -> {remote}\n"));
                    out.push_str(&format!("Forwarding from [::1]:{local} -> {remote}\n"));
                }
                other => out.push_str(&format!("Forwarding from {other}:{local} -> {remote}\n")),
            }
        }
    }
    Ok((Forward { namespace: ns, pod: pod.name().to_string() }, Output::ok(out)))
}

/// `[LOCAL:]REMOTE` specs as (local, remote) ports, in client-go's words
/// when one is wrong.
fn parse_ports(cluster: &Cluster, ports: &[String]) -> Result<Vec<(u16, u16)>, Output> {
    let mut pairs = Vec::new();
    for spec in ports {
        let (local, remote) = match spec.split(':').collect::<Vec<_>>().as_slice() {
            [one] => (*one, *one),
            [local, remote] => (if local.is_empty() { "0" } else { local }, *remote),
            _ => return Err(error(format!("invalid port format '{spec}'"))),
        };
        let local_port = go_port(local).map_err(|e| error(format!("error parsing local port '{local}': {e}")))?;
        let remote_port = go_port(remote).map_err(|e| error(format!("error parsing remote port '{remote}': {e}")))?;
        if remote_port == 0 {
            return Err(error("remote port must be > 0"));
        }
        // Port 0: one the system picks.
        pairs.push((if local_port == 0 { ephemeral(cluster, spec) } else { local_port }, remote_port));
    }
    Ok(pairs)
}

/// strconv.ParseUint(text, 10, 16), with Go's error text.
fn go_port(text: &str) -> Result<u16, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.ParseUint: parsing {text:?}: invalid syntax"));
    }
    text.parse::<u16>().map_err(|_| format!("strconv.ParseUint: parsing {text:?}: value out of range"))
}

/// The port specs with a remote port given by name (`8080:http`) turned
/// into its number, as `lookup` finds it; kubectl's error when it does not.
fn named(ports: &[String], lookup: impl Fn(&str) -> Option<u16>, owner: &str) -> Result<Vec<String>, Output> {
    ports
        .iter()
        .map(|spec| {
            let (local, remote) = match spec.split_once(':') {
                Some((l, r)) => (Some(l), r),
                None => (None, spec.as_str()),
            };
            if remote.is_empty() || remote.bytes().all(|b| b.is_ascii_digit()) || remote.contains(':') {
                return Ok(spec.clone());
            }
            let Some(number) = lookup(remote) else {
                return Err(error(format!("{owner} does not have a named port '{remote}'")));
            };
            Ok(match local {
                Some(l) => format!("{l}:{number}"),
                // `http` alone listens locally on the same number.
                None => format!("{number}:{number}"),
            })
        })
        .collect()
}

/// A named container port of the pod.
fn container_port(pod: &Object, name: &str) -> Option<u16> {
    let spec = pod.as_pod()?.spec.as_ref()?;
    let port =
        spec.containers.iter().flat_map(|c| c.ports.iter().flatten()).find(|p| p.name.as_deref() == Some(name))?;
    u16::try_from(port.container_port).ok()
}

/// A port from the ephemeral range, the same for the same request at the
/// same moment, so replays agree.
fn ephemeral(cluster: &Cluster, spec: &str) -> u16 {
    let seed = spec.bytes().fold(cluster.now().0 as u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    32768 + (seed % 28232) as u16
}
