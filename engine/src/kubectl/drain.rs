//! `kubectl drain`: cordon the nodes, then evict their pods through the
//! eviction API (so disruption budgets are asked), retrying refused
//! evictions every 5 s and waiting for each pod to be gone, while
//! simulated time runs, as the real command does.

use super::cordon::set_unschedulable;
use super::run::{dry_run, DryRun};
use super::{cli, error};
use crate::api::{Kind, Reason};
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::time::{Millis, Time, SECOND};
use clap::ArgMatches;
use k8s_openapi::api::core::v1::Pod;

/// How long the playground lets a drain without `--timeout` run before it
/// gives up for the user (real kubectl would wait forever).
const PLAYGROUND_TIMEOUT: Millis = 10 * 60 * SECOND;

struct Options {
    ignore_daemonsets: bool,
    delete_emptydir_data: bool,
    force: bool,
    grace: Option<i64>,
    timeout: Option<Millis>,
    dry: DryRun,
    /// Only pods these select are drained.
    pods: Selector,
    /// Delete instead of evicting, ignoring disruption budgets.
    delete: bool,
    /// Pods whose deletion began longer ago than this many seconds are
    /// neither removed nor waited for (0: always wait).
    skip_wait: i64,
}

/// Whether the pod has been going for longer than `--skip-wait-for-delete-timeout`,
/// as on a node whose kubelet will never confirm it stopped.
fn long_deleted(pod: &Pod, now: Time, skip_wait: i64) -> bool {
    let since = pod.metadata.deletion_timestamp.as_ref().map(|t| now.since(Time::from_k8s(t)) / SECOND);
    skip_wait > 0 && since.is_some_and(|s| s > skip_wait)
}

fn usage(message: &str) -> Output {
    Output::err(format!("error: {message}\nSee 'kubectl drain -h' for help and examples\n"))
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches) -> Output {
    let names = cli::strings(m, "args");
    let selector = cli::string(m, "selector").filter(|s| !s.is_empty());
    if names.is_empty() && selector.is_none() {
        return usage("USAGE: drain NODE [flags]");
    }
    if !names.is_empty() && selector.is_some() {
        return usage("cannot specify both a node name and a --selector option");
    }
    let dry = match dry_run(m) {
        Ok(d) => d,
        Err(e) => return error(e),
    };
    let timeout = match cli::string(m, "timeout").map(|t| crate::time::parse_duration(&t)) {
        None | Some(Some(0)) => None,
        // Simulated time runs while drain waits; a week is the most.
        Some(Some(ms)) => Some(ms.min(crate::time::MAX_WAIT)),
        Some(None) => {
            let t = cli::string(m, "timeout").unwrap_or_default();
            return Output::err(format!(
                "Error: invalid argument {t:?} for \"--timeout\" flag: time: invalid duration {t:?}\nSee 'kubectl drain --help' for usage.\n"
            ));
        }
    };
    let pods = match Selector::parse(&cli::string(m, "pod-selector").unwrap_or_default()) {
        Ok(s) => s,
        Err(_) => return error("--pod-selector=<pod_selector> must be a valid label selector"),
    };
    let options = Options {
        pods,
        delete: cli::boolean(m, "disable-eviction"),
        ignore_daemonsets: cli::boolean(m, "ignore-daemonsets"),
        delete_emptydir_data: cli::boolean(m, "delete-emptydir-data"),
        force: cli::boolean(m, "force"),
        grace: cli::string(m, "grace-period")
            .and_then(|g| g.parse::<i64>().ok())
            .filter(|g| *g >= 0)
            .map(|g| g.min(86_400)),
        timeout,
        dry,
        skip_wait: cli::string(m, "skip-wait-for-delete-timeout").and_then(|s| s.parse().ok()).unwrap_or(0),
    };
    let names: Vec<String> = match selector {
        Some(text) => match Selector::parse(&text) {
            Ok(s) => cluster.api().store().select(Kind::Node, None, &s).iter().map(|n| n.name().to_string()).collect(),
            Err(e) => return error(e),
        },
        None => names.iter().map(|n| n.strip_prefix("node/").unwrap_or(n).to_string()).collect(),
    };
    // Every node must exist before anything is cordoned.
    for name in &names {
        if let Err(e) = cluster.api().get(Kind::Node, "", name) {
            return Output::err(format!("{}\n", e.render(None)));
        }
    }
    let mut out = Output::default();
    for name in &names {
        match set_unschedulable(cluster, name, true, dry) {
            Ok(line) => out.stdout.push_str(&line),
            Err(e) => out.stderr.push_str(&format!("error: unable to cordon node {name:?}: {}", e.trim_start())),
        }
    }
    cluster.settle();
    let mut failed: Vec<(String, Vec<String>)> = Vec::new();
    for name in &names {
        if let Err(errors) = drain_node(cluster, name, &options, &mut out) {
            let summary = if errors.len() == 1 { errors[0].clone() } else { format!("[{}]", errors.join(", ")) };
            out.stderr.push_str(&format!(
                "error: unable to drain node {name:?} due to error: {summary}, continuing command...\n"
            ));
            failed.push((name.clone(), errors));
        }
    }
    if !failed.is_empty() {
        out.stderr.push_str("There are pending nodes to be drained:\n");
        for (name, _) in &failed {
            out.stderr.push_str(&format!(" {name}\n"));
        }
        for error in failed.iter().flat_map(|(_, e)| e) {
            out.stderr.push_str(error);
            out.stderr.push('\n');
        }
        out.exit_code = 1;
    }
    out
}

/// What drain does with one pod.
enum Verdict {
    /// Evicted, with the warning to print (if any).
    Evict(Option<&'static str>),
    /// Left alone, with the warning to print (if any).
    Skip(Option<&'static str>),
    /// Blocks the drain, with why.
    Refuse(String),
}

fn judge(cluster: &Cluster, pod: &Pod, options: &Options) -> Verdict {
    if long_deleted(pod, cluster.now(), options.skip_wait) {
        return Verdict::Skip(None);
    }
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    let finished = matches!(phase, "Succeeded" | "Failed");
    let controller = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
    if let Some(owner) = controller.filter(|o| o.kind == "DaemonSet") {
        if finished {
            return Verdict::Evict(None);
        }
        let namespace = pod.metadata.namespace.as_deref().unwrap_or_default();
        if let Err(e) = cluster.api().get(Kind::DaemonSet, namespace, &owner.name) {
            // An orphan goes with --force; the warning kubectl makes for it
            // is overwritten by its later filters, so none is printed.
            if options.force && e.reason == Reason::NotFound {
                return Verdict::Evict(None);
            }
            return Verdict::Refuse(e.message);
        }
        if !options.ignore_daemonsets {
            return Verdict::Refuse("DaemonSet-managed Pods (use --ignore-daemonsets to ignore)".into());
        }
        return Verdict::Skip(Some("ignoring DaemonSet-managed Pods"));
    }
    if pod.metadata.annotations.as_ref().is_some_and(|a| a.contains_key(crate::kubelet::MIRROR)) {
        return Verdict::Skip(None);
    }
    let empty_dir =
        pod.spec.as_ref().and_then(|s| s.volumes.as_ref()).is_some_and(|v| v.iter().any(|v| v.empty_dir.is_some()));
    if empty_dir && !finished && !options.delete_emptydir_data {
        return Verdict::Refuse("Pods with local storage (use --delete-emptydir-data to override)".into());
    }
    if controller.is_none() && !finished {
        if !options.force {
            // kubectl 1.32 words this one with its own "cannot delete" prefix,
            // so the message it prints says it twice.
            return Verdict::Refuse("cannot delete Pods that declare no controller (use --force to override)".into());
        }
        return Verdict::Evict(Some("deleting Pods that declare no controller"));
    }
    Verdict::Evict(None)
}

/// A pod being evicted, and where it stands.
struct Eviction {
    namespace: String,
    name: String,
    uid: String,
    /// When to ask again after a refusal; `None` once accepted.
    retry_at: Option<Time>,
}

fn drain_node(cluster: &mut Cluster, node: &str, options: &Options, out: &mut Output) -> Result<(), Vec<String>> {
    let store = cluster.api().store();
    let pods: Vec<Pod> = store
        .pods_on_node(node)
        .filter_map(|(ns, name)| store.get(Kind::Pod, ns, name))
        .filter_map(|o| o.as_pod().cloned())
        .filter(|p| options.pods.matches(p.metadata.labels.as_ref()))
        .collect();
    // kubectl groups pods by message (in a Go map, so in no set order; here
    // in the order the filters run).
    let mut refusals: Vec<(String, Vec<String>)> = Vec::new();
    let mut warnings: Vec<(String, Vec<String>)> = Vec::new();
    let mut evict = Vec::new();
    for pod in &pods {
        let id = format!(
            "{}/{}",
            pod.metadata.namespace.as_deref().unwrap_or_default(),
            pod.metadata.name.as_deref().unwrap_or_default()
        );
        let group = |list: &mut Vec<(String, Vec<String>)>, why: String| match list.iter_mut().find(|(w, _)| *w == why)
        {
            Some((_, pods)) => pods.push(id.clone()),
            None => list.push((why, vec![id.clone()])),
        };
        match judge(cluster, pod, options) {
            Verdict::Evict(warning) => {
                if let Some(why) = warning {
                    group(&mut warnings, why.into());
                }
                evict.push(pod);
            }
            Verdict::Skip(Some(why)) => group(&mut warnings, why.into()),
            Verdict::Skip(None) => {}
            Verdict::Refuse(why) => group(&mut refusals, why),
        }
    }
    if !refusals.is_empty() {
        return Err(refusals.iter().map(|(why, pods)| format!("cannot delete {why}: {}", pods.join(", "))).collect());
    }
    if !warnings.is_empty() {
        let text: Vec<String> = warnings.iter().map(|(why, pods)| format!("{why}: {}", pods.join(", "))).collect();
        out.stderr.push_str(&format!("Warning: {}\n", text.join("; ")));
    }
    if options.dry != DryRun::None {
        for pod in &evict {
            let (ns, name) = (
                pod.metadata.namespace.as_deref().unwrap_or_default(),
                pod.metadata.name.as_deref().unwrap_or_default(),
            );
            out.stdout.push_str(&format!("evicting pod {ns}/{name}{}\n", options.dry.suffix()));
        }
        out.stdout.push_str(&format!("node/{node} drained{}\n", options.dry.suffix()));
        return Ok(());
    }
    let start = cluster.now();
    let mut pending: Vec<Eviction> = evict
        .iter()
        .map(|p| Eviction {
            namespace: p.metadata.namespace.clone().unwrap_or_default(),
            name: p.metadata.name.clone().unwrap_or_default(),
            uid: p.metadata.uid.clone().unwrap_or_default(),
            retry_at: Some(start),
        })
        .collect();
    let limit = options.timeout.unwrap_or(PLAYGROUND_TIMEOUT);
    loop {
        let now = cluster.now();
        let mut failure = None;
        // Pods that never go (a finalizer) must not keep the drain forever.
        if now.since(start) >= limit && pending.iter().all(|e| e.retry_at.is_none()) {
            if let Some(e) = pending.first() {
                let error = format!(
                    "error when waiting for pod {:?} in namespace {:?} to terminate: global timeout reached: {}",
                    e.name,
                    e.namespace,
                    crate::time::go_duration(limit)
                );
                return Err(pending_pods(cluster, node, &pending, error, out));
            }
        }
        for e in pending.iter_mut().filter(|e| e.retry_at.is_some_and(|t| t <= now)) {
            if options.delete {
                let _ = cluster.api_mut().delete(Kind::Pod, &e.namespace, &e.name, options.grace, now);
                e.retry_at = None;
                continue;
            }
            out.stdout.push_str(&format!("evicting pod {}/{}\n", e.namespace, e.name));
            if now.0 - start.0 >= limit {
                if options.timeout.is_none() {
                    out.stderr.push_str("the playground stops a drain without --timeout after 10m of simulated time\n");
                }
                failure = Some(format!(
                    "error when evicting pods/{:?} -n {:?}: global timeout reached: {}",
                    e.name,
                    e.namespace,
                    crate::time::go_duration(limit)
                ));
                break;
            }
            match cluster.api_mut().evict(&e.namespace, &e.name, options.grace, now) {
                Ok(()) => e.retry_at = None,
                Err(err) if err.reason == Reason::NotFound => e.retry_at = None,
                Err(err) if err.reason == Reason::TooManyRequests => {
                    out.stderr.push_str(&format!(
                        "error when evicting pods/{:?} -n {:?} (will retry after 5s): {err}\n",
                        e.name, e.namespace
                    ));
                    e.retry_at = Some(now.plus(5 * SECOND));
                }
                Err(err) => {
                    failure = Some(format!("error when evicting pods/{:?} -n {:?}: {err}", e.name, e.namespace));
                    break;
                }
            }
        }
        if let Some(error) = failure {
            return Err(pending_pods(cluster, node, &pending, error, out));
        }
        cluster.settle();
        let now = cluster.now();
        pending.retain(|e| {
            let current = cluster.api().get(Kind::Pod, &e.namespace, &e.name).ok();
            let pod = current.as_ref().and_then(|p| p.as_pod()).filter(|p| p.metadata.uid.as_deref() == Some(&e.uid));
            if e.retry_at.is_none() && pod.is_some_and(|p| long_deleted(p, now, options.skip_wait)) {
                out.stdout.push_str(&format!(
                    "pod {:?} has DeletionTimestamp older than {} seconds, skipping\n",
                    e.name, options.skip_wait
                ));
                return false;
            }
            let gone = e.retry_at.is_none()
                && cluster
                    .api()
                    .get(Kind::Pod, &e.namespace, &e.name)
                    .map_or(true, |p| p.meta().uid.as_deref() != Some(e.uid.as_str()));
            if gone {
                let verb = if options.delete { "deleted" } else { "evicted" };
                out.stdout.push_str(&format!("pod/{} {verb}\n", e.name));
            }
            !gone
        });
        if pending.is_empty() {
            break;
        }
        // On to the next thing due: a pod going, a retry, or the deadline.
        let retry = pending.iter().filter_map(|e| e.retry_at).min();
        // kubectl polls every second, so it notices a pod passing the skip
        // timeout at the first whole second beyond it.
        let skip = (options.skip_wait > 0)
            .then(|| {
                pending
                    .iter()
                    .filter(|e| e.retry_at.is_none())
                    .filter_map(|e| cluster.api().get(Kind::Pod, &e.namespace, &e.name).ok())
                    .filter_map(|p| p.meta().deletion_timestamp.as_ref().map(Time::from_k8s))
                    .map(|t| t.plus((options.skip_wait + 1) * SECOND))
                    .min()
            })
            .flatten();
        let retry = match (retry, skip) {
            (Some(r), Some(s)) => Some(r.min(s)),
            (r, s) => r.or(s),
        };
        let deadline = start.plus(limit);
        cluster.step_to_next(retry.map_or(deadline, |r| r.min(deadline)).max(cluster.now().plus(1)));
    }
    out.stdout.push_str(&format!("node/{node} drained\n"));
    Ok(())
}

/// After a failed eviction kubectl lists the pods it still had to remove.
fn pending_pods(cluster: &Cluster, node: &str, pending: &[Eviction], error: String, out: &mut Output) -> Vec<String> {
    out.stderr.push_str(&format!("There are pending pods in node {node:?} when an error occurred: {error}\n"));
    for e in pending.iter().filter(|e| cluster.api().get(Kind::Pod, &e.namespace, &e.name).is_ok()) {
        out.stderr.push_str(&format!("pod/{}\n", e.name));
    }
    vec![error]
}
