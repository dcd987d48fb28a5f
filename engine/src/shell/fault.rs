//! `fault`: what a teacher breaks on purpose to show how the cluster copes.

use crate::api::Kind;
use crate::cluster::{Cluster, Output};

pub const USAGE: &str = "Usage:
  fault kubelet stop|start NODE      stop or start a node's kubelet (systemctl stop kubelet)
  fault kube-proxy stop|start NODE   stop or start kube-proxy on a node (its Service rules go with it)
  fault node off|on NODE             cut or restore a node's power
  fault kill POD [-c CONTAINER] [-n NAMESPACE]
                                     kill -9 a container's main process
  fault leak POD [-c CONTAINER] [-n NAMESPACE] [--rate SIZE]
                                     make a container's memory grow SIZE a second (10Mi)
  fault status                       every node's kubelet, power and kube-proxy
";

/// Runs `fault ARGS` on `cluster`, `namespace` being the current context's.
pub fn run(cluster: &mut Cluster, namespace: &str, args: &[String]) -> Output {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["kubelet", action @ ("stop" | "start"), node] => match cluster.set_kubelet(node, *action == "start") {
            Ok(()) => {
                Output::ok(format!("kubelet on {node} {}\n", if *action == "start" { "started" } else { "stopped" }))
            }
            Err(e) => Output::err(format!("fault: {e}\n")),
        },
        ["kube-proxy", action @ ("stop" | "start"), node] => match cluster.set_proxy(node, *action == "start") {
            Ok(()) => {
                Output::ok(format!("kube-proxy on {node} {}\n", if *action == "start" { "started" } else { "stopped" }))
            }
            Err(e) => Output::err(format!("fault: {e}\n")),
        },
        ["node", action @ ("off" | "on"), node] => match cluster.set_power(node, *action == "on") {
            Ok(()) => Output::ok(format!("{node} powered {action}\n")),
            Err(e) => Output::err(format!("fault: {e}\n")),
        },
        ["status"] => {
            let mut nodes: Vec<String> =
                cluster.api().store().list(Kind::Node, None).map(|n| n.name().to_string()).collect();
            nodes.sort();
            let width = nodes.iter().map(String::len).max().unwrap_or(4).max(4);
            let rows: Vec<(String, &str, &str)> = nodes
                .into_iter()
                .map(|node| {
                    let state = cluster.kubelet_state(&node).unwrap_or("unknown");
                    let proxy = match () {
                        _ if state == "powered off" || state == "removed" => "-",
                        _ if cluster.proxy_stopped(&node) => "stopped",
                        _ => "running",
                    };
                    (node, state, proxy)
                })
                .collect();
            let states = rows.iter().map(|r| r.1.len()).max().unwrap_or(5).max(5);
            let mut out = format!("{:width$}   {:states$}   KUBE-PROXY\n", "NODE", "STATE");
            for (node, state, proxy) in rows {
                out.push_str(&format!("{node:width$}   {state:states$}   {proxy}\n"));
            }
            Output::ok(out)
        }
        [what @ ("kill" | "leak"), rest @ ..] => container_fault(cluster, namespace, what, rest),
        _ => Output::err(format!("fault: unknown or incomplete fault\n{USAGE}")),
    }
}

fn container_fault(cluster: &mut Cluster, namespace: &str, what: &str, rest: &[&str]) -> Output {
    let mut pod = None;
    let mut container = None;
    let mut namespace = namespace.to_string();
    let mut rate: u64 = 10 << 20;
    let mut i = 0;
    while i < rest.len() {
        let value = rest.get(i + 1).copied();
        match (rest[i], value) {
            ("-c" | "--container", Some(v)) => container = Some(v.to_string()),
            ("-n" | "--namespace", Some(v)) => namespace = v.to_string(),
            ("--rate", Some(v)) if what == "leak" => {
                match crate::quantity::units(v).and_then(|b| u64::try_from(b).ok()).filter(|b| *b > 0) {
                    Some(bytes) => rate = bytes,
                    None => return Output::err(format!("fault: invalid rate {v:?}: a size such as 10Mi\n")),
                }
            }
            (word, _) if !word.starts_with('-') && pod.is_none() => {
                pod = Some(word.to_string());
                i += 1;
                continue;
            }
            (word, _) => return Output::err(format!("fault: unexpected {word:?}\n{USAGE}")),
        }
        i += 2;
    }
    let Some(pod) = pod else { return Output::err(format!("fault: {what} needs a pod\n{USAGE}")) };
    let Some(object) = cluster.get(Kind::Pod, &namespace, &pod) else {
        return Output::err(format!("Error from server (NotFound): pods \"{pod}\" not found\n"));
    };
    let first = object.as_pod().and_then(|p| p.spec.as_ref()?.containers.first().map(|c| c.name.clone()));
    let Some(container) = container.or(first) else {
        return Output::err(format!("fault: pod {pod} has no containers\n"));
    };
    let done = if what == "kill" {
        cluster
            .kill_container(&namespace, &pod, &container)
            .then(|| format!("killed container {container} of pod {pod}\n"))
    } else {
        cluster.leak_memory(&namespace, &pod, &container, rate).map(|at| {
            let seconds = at.since(cluster.now()) / 1000;
            format!("container {container} of pod {pod} leaks memory: it runs out in {seconds}s\n")
        })
    };
    done.map(Output::ok)
        .unwrap_or_else(|| Output::err(format!("fault: container {container:?} of pod {pod:?} is not running\n")))
}
