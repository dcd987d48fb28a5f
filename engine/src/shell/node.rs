//! `node`: machines joining and leaving the lab. On a real cluster a new
//! worker is a machine someone installs and runs `kubeadm join` on, and a
//! removed one is a machine switched off for good: neither can be done
//! from a shell on the control plane, so the terminal offers it here.

use crate::cluster::{Cluster, Output};
use crate::scenario::NewNode;

pub const USAGE: &str = "Usage:
  node add NAME [--cpu N] [--memory SIZE] [--zone ZONE] [--label KEY=VALUE]...
                       a new machine joins as a worker (kubeadm join); CPU and memory
                       default to the newest worker's, the zone brings its region
  node remove NAME     the machine goes away for good: the node turns NotReady and its
                       pods are evicted; kubectl delete node NAME removes the Node
";

/// Runs `node ARGS` on `cluster`.
pub fn run(cluster: &mut Cluster, args: &[String]) -> Output {
    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["add", rest @ ..] => match parse_add(rest) {
            Ok(new) => match cluster.add_node(&new) {
                Ok(joined) => Output::ok(format!(
                    "node/{} joined the cluster ({} CPU, {} memory, InternalIP {}, pod CIDR {})\n",
                    joined.name, joined.cpu, joined.memory, joined.ip, joined.pod_cidr
                )),
                Err(e) => Output::err(format!("node add: {}\n", e.trim_end())),
            },
            Err(e) => Output::err(format!("node add: {e}\n{USAGE}")),
        },
        ["remove", name] => match cluster.remove_node(name) {
            Ok(()) => Output::ok(format!("{name} removed: its kubelet no longer reports\n")),
            Err(e) => Output::err(format!("node remove: {e}\n")),
        },
        ["remove", ..] => Output::err(format!("node remove: name one node\n{USAGE}")),
        _ => Output::err(format!("node: add or remove a node\n{USAGE}")),
    }
}

/// What Tab offers after `node` and the words already typed: the two
/// subcommands, the workers `remove` can take, the zones the cluster has.
pub fn complete(cluster: &Cluster, before: &[String]) -> Vec<String> {
    let store = cluster.api().store();
    let nodes = || store.list(crate::api::Kind::Node, None);
    match before {
        [] => vec!["add".into(), "remove".into()],
        [remove] if remove == "remove" => {
            nodes().filter(|n| !crate::labels::is_control_plane(n.meta())).map(|n| n.name().to_string()).collect()
        }
        [add, .., flag] if add == "add" && flag == "--zone" => {
            nodes().filter_map(|n| n.meta().labels.as_ref()?.get(crate::scenario::ZONE).cloned()).collect()
        }
        [add, _, ..] if add == "add" => ["--cpu", "--memory", "--zone", "--label"].map(String::from).to_vec(),
        _ => Vec::new(),
    }
}

fn parse_add(words: &[&str]) -> Result<NewNode, String> {
    let mut new = NewNode::default();
    let mut name = None;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        // `--cpu=4` and `--cpu 4` alike.
        let (flag, inline) = match word.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v)),
            _ => (word, None),
        };
        if !flag.starts_with('-') {
            if name.replace(word.to_string()).is_some() {
                return Err(format!("unexpected {word:?}: one name at a time"));
            }
            i += 1;
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                *words.get(i).ok_or_else(|| format!("flag needs an argument: {flag}"))?
            }
        };
        match flag {
            "--cpu" => new.cpu = Some(value.to_string()),
            "--memory" => new.memory = Some(value.to_string()),
            "--zone" => new.zone = Some(value.to_string()).filter(|z| !z.is_empty()),
            "--label" | "-l" => {
                let (key, val) = value.split_once('=').ok_or_else(|| format!("invalid label {value:?}: KEY=VALUE"))?;
                new.labels.push((key.to_string(), val.to_string()));
            }
            _ => return Err(format!("unknown flag: {flag}")),
        }
        i += 1;
    }
    new.name = name.ok_or("name the new node")?;
    Ok(new)
}
