//! `kubectl top node|pod`: CPU and memory use from the resource metrics API
//! (metrics-server), in kubectl's columns and units.

use super::printers::tabwriter;
use super::{cli, error, namespace};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::metrics::resource;
use crate::object::Object;
use crate::quantity;
use crate::runtime::usage::Usage;
use crate::time::Millis;
use clap::ArgMatches;

/// How long after creation a pod without metrics is still "not yet".
const METRICS_CREATION_DELAY: Millis = 2 * 60 * 1_000;

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Output {
    let Some((name, sub)) = m.subcommand() else {
        return super::help::render(&["top".into()]).map(Output::ok).unwrap_or_default();
    };
    // The arguments are checked before the metrics API is asked.
    let names = cli::strings(sub, "args");
    if names.len() > 1 {
        return Output::err(format!(
            "error: {name} [NAME | -l label]\nSee 'kubectl top {name} -h' for help and examples\n"
        ));
    }
    if !names.is_empty() && cli::string(sub, "selector").is_some() {
        let flag = if name == "node" { "--selector" } else { "selector" };
        return error(format!("only one of NAME or {flag} can be provided"));
    }
    if !resource::available(cluster.api().store()) {
        return error("Metrics API not available");
    }
    let sort = cli::string(sub, "sort-by").unwrap_or_default();
    if !matches!(sort.as_str(), "" | "cpu" | "memory") {
        return error("--sort-by accepts only cpu or memory");
    }
    let selector = match cli::string(sub, "selector").map(|s| Selector::parse(&s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return error(e),
    };
    match name {
        "node" => nodes(cluster, sub, selector.as_ref(), &sort),
        _ => pods(cluster, sub, selector.as_ref(), &sort),
    }
}

/// kubectl rounds CPU up to whole millicores (Quantity.MilliValue) and
/// memory down to whole MiB.
fn cpu(u: Usage) -> String {
    format!("{}m", u.nanocores.div_ceil(1_000_000))
}

fn memory(u: Usage) -> String {
    format!("{}Mi", u.memory / (1024 * 1024))
}

/// `--sort-by=cpu|memory`: heaviest first; otherwise the order stays.
fn sort_by_use<T>(items: &mut [T], sort: &str, usage: impl Fn(&T) -> Usage) {
    match sort {
        "cpu" => items.sort_by_key(|i| std::cmp::Reverse(usage(i).nanocores)),
        "memory" => items.sort_by_key(|i| std::cmp::Reverse(usage(i).memory)),
        _ => {}
    }
}

fn nodes(cluster: &Cluster, m: &ArgMatches, selector: Option<&Selector>, sort: &str) -> Output {
    let store = cluster.api().store();
    let names = cli::strings(m, "args");
    let capacity = cli::boolean(m, "show-capacity");
    let mut rows = Vec::new();
    let mut missing = Vec::new();
    let demand = resource::demand(store, cluster.now(), cluster.traffic());
    for object in store.list(Kind::Node, None) {
        let Object::Node(node) = &**object else { continue };
        let name = object.name().to_string();
        if names.first().is_some_and(|n| *n != name)
            || selector.is_some_and(|s| !s.matches(node.metadata.labels.as_ref()))
        {
            continue;
        }
        let status = node.status.clone().unwrap_or_default();
        let available = if capacity { status.capacity } else { status.allocatable }.unwrap_or_default();
        let milli = |key: &str| available.get(key).and_then(|q| quantity::parse_milli(&q.0)).unwrap_or(0) as i64;
        match resource::node(store, node, cluster.now(), &demand) {
            Some(usage) => rows.push((name, usage, (milli("cpu"), milli("memory")))),
            None => missing.push(name),
        }
    }
    if let Some(name) = names.first() {
        if rows.is_empty() {
            return Output::err(format!(
                "Error from server (NotFound): nodemetrics.metrics.k8s.io \"{name}\" not found\n"
            ));
        }
    }
    if rows.is_empty() && missing.is_empty() {
        return error("metrics not available yet");
    }
    sort_by_use(&mut rows, sort, |r| r.1);
    let mut text = String::new();
    if !cli::boolean(m, "no-headers") {
        text.push_str("NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n");
    }
    let percent = |used_milli: u64, of: i64| if of > 0 { (used_milli as f64 / of as f64 * 100.0) as i64 } else { 0 };
    for (name, usage, (cpu_total, memory_total)) in rows {
        let cpu_milli = usage.nanocores.div_ceil(1_000_000);
        text.push_str(&format!(
            "{name}\t{}\t{}%\t{}\t{}%\t\n",
            cpu(usage),
            percent(cpu_milli, cpu_total),
            memory(usage),
            percent(usage.memory * 1000, memory_total)
        ));
    }
    for name in missing {
        text.push_str(&format!("{name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n"));
    }
    Output::ok(tabwriter::align(&text, 6, 3))
}

fn pods(cluster: &Cluster, m: &ArgMatches, selector: Option<&Selector>, sort: &str) -> Output {
    let store = cluster.api().store();
    let all = cli::boolean(m, "all-namespaces");
    let ns = namespace(m);
    let names = cli::strings(m, "args");
    let now = cluster.now();
    let mut rows = Vec::new();
    let mut without = Vec::new();
    let demand = resource::demand(store, now, cluster.traffic());
    for object in store.list(Kind::Pod, (!all).then_some(ns.as_str())) {
        let Object::Pod(pod) = &**object else { continue };
        if names.first().is_some_and(|n| n != object.name())
            || selector.is_some_and(|s| !s.matches(pod.metadata.labels.as_ref()))
        {
            continue;
        }
        match resource::pod(pod, now, &demand) {
            Some(containers) => {
                let total = containers.iter().fold(Usage::default(), |t, c| t.add(c.usage));
                rows.push((object.name().to_string(), total, (object.namespace().to_string(), containers)));
            }
            None => without.push(object.clone()),
        }
    }
    if rows.is_empty() {
        if let Some(name) = names.first() {
            return Output::err(format!(
                "Error from server (NotFound): podmetrics.metrics.k8s.io \"{ns}/{name}\" not found\n"
            ));
        }
        // kubectl tells a pod too young to be measured from one that
        // should have been.
        let created = |p: &Object| p.meta().creation_timestamp.as_ref().map_or(now, crate::time::Time::from_k8s);
        if let Some(old) = without.iter().find(|p| now.since(created(p)) > METRICS_CREATION_DELAY) {
            return error(format!(
                "Metrics not available for pod {}/{}, age: {}",
                old.namespace(),
                old.name(),
                crate::time::go_duration(now.since(created(old)))
            ));
        }
        if !without.is_empty() {
            return error("metrics not available yet");
        }
        let note =
            if all { "No resources found\n".to_string() } else { format!("No resources found in {ns} namespace.\n") };
        return Output { stderr: note, ..Output::default() };
    }
    if !matches!(sort, "cpu" | "memory") {
        rows.sort_by(|a, b| (all.then_some(&a.2 .0), &a.0).cmp(&(all.then_some(&b.2 .0), &b.0)));
    }
    sort_by_use(&mut rows, sort, |r| r.1);
    let containers = cli::boolean(m, "containers");
    let mut text = String::new();
    let mut columns = 3;
    if !cli::boolean(m, "no-headers") {
        if all {
            text.push_str("NAMESPACE\t");
        }
        if containers {
            text.push_str("POD\t");
        }
        text.push_str("NAME\tCPU(cores)\tMEMORY(bytes)\t\n");
    }
    columns += usize::from(all) + usize::from(containers);
    let mut sum = Usage::default();
    for (name, total, (namespace, list)) in &rows {
        sum = sum.add(*total);
        let prefix = if all { format!("{namespace}\t") } else { String::new() };
        if containers {
            let mut list = list.clone();
            sort_by_use(&mut list, sort, |c| c.usage);
            for c in list {
                text.push_str(&format!("{prefix}{name}\t{}\t{}\t{}\t\n", c.name, cpu(c.usage), memory(c.usage)));
            }
        } else {
            text.push_str(&format!("{prefix}{name}\t{}\t{}\t\n", cpu(*total), memory(*total)));
        }
    }
    if cli::boolean(m, "sum") {
        text.push_str(&"\t".repeat(columns - 2));
        text.push_str("________\t________\t\n");
        text.push_str(&"\t".repeat(columns - 3));
        text.push_str(&format!("\t{}\t{}\t\n", cpu(sum), memory(sum)));
    }
    Output::ok(tabwriter::align(&text, 6, 3))
}
