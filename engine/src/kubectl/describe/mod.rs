//! `kubectl describe`: kubectl's sections for each kind, laid out by Go's
//! tabwriter (padding 2) and closed by the object's Events with their
//! `(x3 over 2m)` counts. Pods, deployments and nodes are here; other kinds
//! in `workloads.rs`, `network.rs` and `config.rs`.

mod config;
mod generic;
mod network;
mod storage;
mod volumes;
mod workloads;

use super::printers::{duration::human, tabwriter};
use super::{cli, error, namespace, target};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::object::Object;
use crate::quantity::Amount;
use crate::time::Time;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Container, ContainerState, ContainerStatus, Event, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time as K8sTime;
use std::collections::BTreeMap;
use std::fmt::Write;

/// What `kubectl describe RESOURCE NAME -n NAMESPACE` prints, without the
/// terminal: the app's inspector shows it beside the map.
pub(crate) fn of(cluster: &Cluster, resource: &str, ns: &str, name: &str) -> Output {
    let args: Vec<String> = ["describe", resource, name, "-n", ns].map(String::from).to_vec();
    match super::cli::command().try_get_matches_from(&args).ok().as_ref().and_then(|m| m.subcommand()) {
        Some(("describe", sub)) => run(cluster, sub),
        _ => Output::default(),
    }
}

pub fn run(cluster: &Cluster, m: &ArgMatches) -> Output {
    let ns = namespace(m);
    let args = cli::strings(m, "args");
    let found = if let Some(selector) = cli::string(m, "selector") {
        match target::selected(cluster, &args, &ns, "describe", Some(&selector)) {
            Ok(f) => f,
            Err(out) => return out,
        }
    } else if args.len() == 1 && !args[0].contains('/') {
        // `describe pods` describes every pod of the namespace.
        match super::resources::parse(&args) {
            Ok(reqs) => reqs
                .into_iter()
                .flat_map(|r| {
                    let scope = r.info.namespaced.then_some(ns.as_str());
                    cluster.api().store().list(r.info.kind, scope).map(move |o| (r.info, o.clone())).collect::<Vec<_>>()
                })
                .collect(),
            Err(e) => return error(e),
        }
    } else {
        match target::objects(cluster, &args, &ns, "describe") {
            Ok(f) => f,
            Err(out) => return out,
        }
    };
    let now = cluster.now();
    let mut texts = Vec::new();
    for (_, object) in found {
        let mut w = String::new();
        match &*object {
            Object::Pod(p) => describe_pod(&mut w, p, now),
            Object::Deployment(_) => describe_deployment(&mut w, cluster, &object),
            Object::Node(_) => describe_node(&mut w, cluster, &object, now),
            Object::ReplicaSet(rs) => workloads::replica_set(&mut w, cluster, rs),
            Object::StatefulSet(sts) => workloads::stateful_set(&mut w, cluster, sts),
            Object::DaemonSet(ds) => workloads::daemon_set(&mut w, cluster, ds),
            Object::Job(job) => workloads::job(&mut w, job),
            Object::Service(svc) => network::service(&mut w, cluster, svc),
            Object::ConfigMap(cm) => config::config_map(&mut w, cm),
            Object::Secret(secret) => config::secret(&mut w, secret),
            Object::Namespace(ns) => config::namespace(&mut w, cluster, ns),
            Object::ServiceAccount(sa) => config::service_account(&mut w, cluster, sa),
            Object::PersistentVolume(pv) => storage::volume(&mut w, pv, cluster.now()),
            Object::PersistentVolumeClaim(pvc) => storage::claim(&mut w, cluster, pvc),
            Object::CronJob(cj) => workloads::cron_job(&mut w, cj),
            Object::HorizontalPodAutoscaler(hpa) => workloads::autoscaler(&mut w, hpa),
            Object::ReplicationController(rc) => workloads::replication_controller(&mut w, cluster, rc),
            Object::IngressClass(ic) => network::ingress_class(&mut w, ic),
            Object::Endpoints(ep) => network::endpoints_object(&mut w, ep),
            Object::EndpointSlice(eps) => network::endpoint_slice(&mut w, eps),
            Object::NetworkPolicy(np) => network::network_policy(&mut w, np),
            Object::Ingress(ing) => network::ingress(&mut w, cluster, ing),
            Object::PodDisruptionBudget(pdb) => config::pod_disruption_budget(&mut w, pdb),
            Object::PriorityClass(pc) => config::priority_class(&mut w, pc),
            Object::StorageClass(sc) => config::storage_class(&mut w, sc),
            Object::ResourceQuota(q) => config::resource_quota(&mut w, q),
            Object::LimitRange(l) => config::limit_range(&mut w, l),
            other => generic::describe(&mut w, other),
        }
        // kubectl shows no events for these kinds.
        if !matches!(
            &*object,
            Object::Secret(_)
                | Object::Namespace(_)
                | Object::ResourceQuota(_)
                | Object::LimitRange(_)
                | Object::NetworkPolicy(_)
        ) {
            events(&mut w, cluster, &object, now);
        }
        texts.push(tabwriter::align(&w, 0, 2));
    }
    Output::ok(texts.join("\n\n"))
}

/// `Thu, 01 Jan 2026 09:00:00 +0000`, as describe prints times.
fn date(t: &K8sTime) -> String {
    k8s_openapi::jiff::fmt::strtime::format("%a, %d %b %Y %H:%M:%S +0000", t.0).unwrap_or_default()
}

fn multiline(w: &mut String, title: &str, items: Vec<String>) {
    if items.is_empty() {
        let _ = writeln!(w, "{title}:\t<none>");
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(w, "{title}:\t{item}");
        } else {
            let _ = writeln!(w, "\t{item}");
        }
    }
}

fn labels(w: &mut String, title: &str, map: Option<&BTreeMap<String, String>>) {
    multiline(w, title, map.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect());
}

fn annotations(w: &mut String, map: Option<&BTreeMap<String, String>>) {
    let items = map
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.as_str() != super::LAST_APPLIED)
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    multiline(w, "Annotations", items);
}

fn tolerations(w: &mut String, indent: &str, list: &[Toleration]) {
    let items = list
        .iter()
        .map(|t| {
            let mut s = t.key.clone().unwrap_or_default();
            if let Some(v) = t.value.as_ref().filter(|v| !v.is_empty()) {
                s.push_str(&format!("={v}"));
            }
            if let Some(e) = t.effect.as_ref().filter(|e| !e.is_empty()) {
                s.push_str(&format!(":{e}"));
            }
            if t.operator.as_deref() == Some("Exists") && t.value.is_none() {
                s.push_str(" op=Exists");
            }
            if let Some(secs) = t.toleration_seconds {
                s.push_str(&format!(" for {secs}s"));
            }
            s
        })
        .collect();
    multiline(w, &format!("{indent}Tolerations"), items);
}

fn state(w: &mut String, title: &str, state: Option<&ContainerState>) {
    let Some(state) = state else {
        let _ = writeln!(w, "    {title}:\tWaiting");
        return;
    };
    if let Some(r) = &state.running {
        let _ = writeln!(w, "    {title}:\tRunning");
        if let Some(t) = &r.started_at {
            let _ = writeln!(w, "      Started:\t{}", date(t));
        }
    } else if let Some(t) = &state.terminated {
        let _ = writeln!(w, "    {title}:\tTerminated");
        let _ = writeln!(w, "      Reason:\t{}", t.reason.clone().unwrap_or_default());
        let _ = writeln!(w, "      Exit Code:\t{}", t.exit_code);
        if let Some(s) = &t.started_at {
            let _ = writeln!(w, "      Started:\t{}", date(s));
        }
        if let Some(f) = &t.finished_at {
            let _ = writeln!(w, "      Finished:\t{}", date(f));
        }
    } else if let Some(wt) = &state.waiting {
        let _ = writeln!(w, "    {title}:\tWaiting");
        if let Some(r) = &wt.reason {
            let _ = writeln!(w, "      Reason:\t{r}");
        }
    }
}

fn container(w: &mut String, indent: &str, c: &Container, status: Option<&ContainerStatus>) {
    let _ = writeln!(w, "{indent}{}:", c.name);
    // Container fields sit at four spaces, however the name is indented.
    let p = "    ";
    if let Some(s) = status {
        if let Some(id) = &s.container_id {
            let _ = writeln!(w, "{p}Container ID:\t{id}");
        }
    }
    let _ = writeln!(w, "{p}Image:\t{}", c.image.clone().unwrap_or_default());
    if let Some(s) = status {
        let _ = writeln!(w, "{p}Image ID:\t{}", s.image_id);
    }
    let ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("TCP")))
        .collect();
    let host: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| format!("{}/{}", p.host_port.unwrap_or(0), p.protocol.as_deref().unwrap_or("TCP")))
        .collect();
    let _ = writeln!(w, "{p}Port:\t{}", if ports.is_empty() { "<none>".into() } else { ports.join(", ") });
    let _ = writeln!(w, "{p}Host Port:\t{}", if host.is_empty() { "<none>".into() } else { host.join(", ") });
    if let Some(cmd) = &c.command {
        let _ = writeln!(w, "{p}Command:");
        for part in cmd {
            let _ = writeln!(w, "{p}  {part}");
        }
    }
    if let Some(args) = &c.args {
        let _ = writeln!(w, "{p}Args:");
        for part in args {
            let _ = writeln!(w, "{p}  {part}");
        }
    }
    if let Some(s) = status {
        state(w, "State", s.state.as_ref());
        if let Some(last) = s.last_state.as_ref().filter(|l| l.terminated.is_some()) {
            state(w, "Last State", Some(last));
        }
        let _ = writeln!(w, "{p}Ready:\t{}", if s.ready { "True" } else { "False" });
        let _ = writeln!(w, "{p}Restart Count:\t{}", s.restart_count);
    }
    for (title, map) in [
        ("Limits", c.resources.as_ref().and_then(|r| r.limits.as_ref())),
        ("Requests", c.resources.as_ref().and_then(|r| r.requests.as_ref())),
    ] {
        if let Some(map) = map.filter(|m| !m.is_empty()) {
            let _ = writeln!(w, "{p}{title}:");
            for (k, v) in map {
                let _ = writeln!(w, "{p}  {k}:\t{}", v.0);
            }
        }
    }
    let env: Vec<String> =
        c.env.iter().flatten().map(|e| format!("{}:\t{}", e.name, e.value.clone().unwrap_or_default())).collect();
    if env.is_empty() {
        let _ = writeln!(w, "{p}Environment:\t<none>");
    } else {
        let _ = writeln!(w, "{p}Environment:");
        for e in env {
            let _ = writeln!(w, "{p}  {e}");
        }
    }
    let mounts: Vec<String> = c
        .volume_mounts
        .iter()
        .flatten()
        .map(|m| format!("{} from {} ({})", m.mount_path, m.name, if m.read_only == Some(true) { "ro" } else { "rw" }))
        .collect();
    if mounts.is_empty() {
        let _ = writeln!(w, "{p}Mounts:\t<none>");
    } else {
        let _ = writeln!(w, "{p}Mounts:");
        for m in mounts {
            let _ = writeln!(w, "{p}  {m}");
        }
    }
}

fn describe_pod(w: &mut String, pod: &k8s_openapi::api::core::v1::Pod, now: Time) {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let meta = &pod.metadata;
    let _ = writeln!(w, "Name:\t{}", meta.name.clone().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", meta.namespace.clone().unwrap_or_default());
    let _ = writeln!(w, "Priority:\t{}", spec.priority.unwrap_or(0));
    if let Some(pc) = &spec.priority_class_name {
        let _ = writeln!(w, "Priority Class Name:\t{pc}");
    }
    let _ = writeln!(w, "Service Account:\t{}", spec.service_account_name.clone().unwrap_or_else(|| "default".into()));
    let node = match (&spec.node_name, &status.host_ip) {
        (Some(n), Some(ip)) => format!("{n}/{ip}"),
        (Some(n), None) => n.clone(),
        _ => "<none>".into(),
    };
    let _ = writeln!(w, "Node:\t{node}");
    if let Some(t) = &status.start_time {
        let _ = writeln!(w, "Start Time:\t{}", date(t));
    }
    labels(w, "Labels", meta.labels.as_ref());
    annotations(w, meta.annotations.as_ref());
    let phase = status.phase.clone().unwrap_or_default();
    match (&meta.deletion_timestamp, meta.deletion_grace_period_seconds) {
        (Some(t), Some(grace)) if phase != "Succeeded" && phase != "Failed" => {
            let _ = writeln!(w, "Status:\tTerminating (lasts {})", human(Time::from_k8s(t).since(now).max(0)));
            let _ = writeln!(w, "Termination Grace Period:\t{grace}s");
        }
        _ => {
            let _ = writeln!(w, "Status:\t{phase}");
        }
    }
    if let Some(r) = &status.reason {
        let _ = writeln!(w, "Reason:\t{r}");
    }
    if let Some(msg) = &status.message {
        let _ = writeln!(w, "Message:\t{msg}");
    }
    let _ = writeln!(w, "IP:\t{}", status.pod_ip.clone().unwrap_or_default());
    let _ = writeln!(w, "IPs:");
    for ip in status.pod_ips.iter().flatten() {
        let _ = writeln!(w, "  IP:\t{}", ip.ip);
    }
    if let Some(owner) = meta.owner_references.iter().flatten().find(|o| o.controller == Some(true)) {
        let _ = writeln!(w, "Controlled By:\t{}/{}", owner.kind, owner.name);
    }
    let statuses = status.container_statuses.clone().unwrap_or_default();
    if let Some(init) = spec.init_containers.as_ref().filter(|i| !i.is_empty()) {
        let init_statuses = status.init_container_statuses.clone().unwrap_or_default();
        let _ = writeln!(w, "Init Containers:");
        for c in init {
            container(w, "  ", c, init_statuses.iter().find(|s| s.name == c.name));
        }
    }
    let _ = writeln!(w, "Containers:");
    for c in &spec.containers {
        container(w, "  ", c, statuses.iter().find(|s| s.name == c.name));
    }
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        let _ = writeln!(w, "Conditions:\n  Type\tStatus");
        for c in &conditions {
            let _ = writeln!(w, "  {} \t{} ", c.type_, c.status);
        }
    }
    volumes::describe(w, spec.volumes.as_deref().unwrap_or_default(), "");
    let _ = writeln!(w, "QoS Class:\t{}", status.qos_class.clone().unwrap_or_else(|| "BestEffort".into()));
    labels(w, "Node-Selectors", spec.node_selector.as_ref());
    tolerations(w, "", spec.tolerations.as_deref().unwrap_or_default());
}

/// The `Pod Template:` section of a workload.
fn pod_template(w: &mut String, template: &k8s_openapi::api::core::v1::PodTemplateSpec) {
    let _ = writeln!(w, "Pod Template:");
    labels(w, "  Labels", template.metadata.as_ref().and_then(|m| m.labels.as_ref()));
    if let Some(a) = template.metadata.as_ref().and_then(|m| m.annotations.as_ref()).filter(|a| !a.is_empty()) {
        multiline(w, "  Annotations", a.iter().map(|(k, v)| format!("{k}: {v}")).collect());
    }
    let pod_spec = template.spec.clone().unwrap_or_default();
    let _ = writeln!(w, "  Containers:");
    for c in &pod_spec.containers {
        container(w, "   ", c, None);
    }
    volumes::describe(w, pod_spec.volumes.as_deref().unwrap_or_default(), "  ");
    labels(w, "  Node-Selectors", pod_spec.node_selector.as_ref());
    tolerations(w, "  ", pod_spec.tolerations.as_deref().unwrap_or_default());
}

fn describe_deployment(w: &mut String, cluster: &Cluster, object: &Object) {
    let Object::Deployment(d) = object else { return };
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", object.name());
    let _ = writeln!(w, "Namespace:\t{}", object.namespace());
    if let Some(t) = &d.metadata.creation_timestamp {
        let _ = writeln!(w, "CreationTimestamp:\t{}", date(t));
    }
    labels(w, "Labels", d.metadata.labels.as_ref());
    annotations(w, d.metadata.annotations.as_ref());
    let _ = writeln!(w, "Selector:\t{}", super::printers::cells_selector(&spec.selector));
    let replicas = spec.replicas.unwrap_or(1);
    let _ = writeln!(
        w,
        "Replicas:\t{replicas} desired | {} updated | {} total | {} available | {} unavailable",
        status.updated_replicas.unwrap_or(0),
        status.replicas.unwrap_or(0),
        status.available_replicas.unwrap_or(0),
        status.unavailable_replicas.unwrap_or(0)
    );
    let strategy = spec.strategy.clone().unwrap_or_default();
    let kind = strategy.type_.clone().unwrap_or_else(|| "RollingUpdate".into());
    let _ = writeln!(w, "StrategyType:\t{kind}");
    let _ = writeln!(w, "MinReadySeconds:\t{}", spec.min_ready_seconds.unwrap_or(0));
    if let Some(r) = strategy.rolling_update.as_ref().filter(|_| kind == "RollingUpdate") {
        let text = |v: &Option<k8s_openapi::apimachinery::pkg::util::intstr::IntOrString>| match v {
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i)) => i.to_string(),
            Some(k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s)) => s.clone(),
            None => "0".into(),
        };
        let _ = writeln!(
            w,
            "RollingUpdateStrategy:\t{} max unavailable, {} max surge",
            text(&r.max_unavailable),
            text(&r.max_surge)
        );
    }
    let template = spec.template.clone();
    pod_template(w, &template);
    let conditions = status.conditions.clone().unwrap_or_default();
    if !conditions.is_empty() {
        let _ = writeln!(w, "Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------");
        for c in &conditions {
            let _ = writeln!(w, "  {}\t{}\t{}", c.type_, c.status, c.reason.clone().unwrap_or_default());
        }
    }
    let uid = d.metadata.uid.clone().unwrap_or_default();
    let mut olds = Vec::new();
    let mut new = "<none>".to_string();
    for o in cluster.api().store().owned_by(&uid) {
        let Object::ReplicaSet(rs) = &**o else { continue };
        let name = rs.metadata.name.clone().unwrap_or_default();
        let rs_status = rs.status.clone().unwrap_or_default();
        let created = format!(
            "{name} ({}/{} replicas created)",
            rs_status.replicas,
            rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
        );
        let same = rs.spec.as_ref().and_then(|s| s.template.as_ref()).map(|t| {
            let mut t = t.clone();
            if let Some(l) = t.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
                l.remove(crate::controllers::deployment::HASH_LABEL);
            }
            t == template
        });
        if same == Some(true) {
            new = created;
        } else if rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0) > 0 {
            olds.push(created);
        }
    }
    let _ = writeln!(w, "OldReplicaSets:\t{}", if olds.is_empty() { "<none>".into() } else { olds.join(", ") });
    let _ = writeln!(w, "NewReplicaSet:\t{new}");
}

fn describe_node(w: &mut String, cluster: &Cluster, object: &Object, now: Time) {
    let Object::Node(n) = object else { return };
    let _ = writeln!(w, "Name:\t{}", object.name());
    let _ = writeln!(w, "Roles:\t{}", super::printers::node::roles(n));
    labels(w, "Labels", n.metadata.labels.as_ref());
    annotations(w, n.metadata.annotations.as_ref());
    if let Some(t) = &n.metadata.creation_timestamp {
        let _ = writeln!(w, "CreationTimestamp:\t{}", date(t));
    }
    let spec = n.spec.clone().unwrap_or_default();
    multiline(
        w,
        "Taints",
        spec.taints
            .iter()
            .flatten()
            .map(|t| format!("{}{}:{}", t.key, t.value.as_ref().map(|v| format!("={v}")).unwrap_or_default(), t.effect))
            .collect(),
    );
    let _ = writeln!(w, "Unschedulable:\t{}", spec.unschedulable.unwrap_or(false));
    let status = n.status.clone().unwrap_or_default();
    let _ = writeln!(w, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n  ----\t------\t-----------------\t------------------\t------\t-------");
    for c in status.conditions.iter().flatten() {
        let _ = writeln!(
            w,
            "  {}\t{}\t{}\t{}\t{}\t{}",
            c.type_,
            c.status,
            c.last_heartbeat_time.as_ref().map(date).unwrap_or_default(),
            c.last_transition_time.as_ref().map(date).unwrap_or_default(),
            c.reason.clone().unwrap_or_default(),
            c.message.clone().unwrap_or_default()
        );
    }
    let _ = writeln!(w, "Addresses:");
    for a in status.addresses.iter().flatten() {
        let _ = writeln!(w, "  {}:\t{}", a.type_, a.address);
    }
    for (title, map) in [("Capacity", status.capacity.as_ref()), ("Allocatable", status.allocatable.as_ref())] {
        let _ = writeln!(w, "{title}:");
        for (k, v) in map.into_iter().flatten() {
            let _ = writeln!(w, "  {k}:\t{}", v.0);
        }
    }
    let pods: Vec<_> = cluster
        .api()
        .store()
        .pods_on_node(object.name())
        .filter_map(|(ns, name)| cluster.api().store().get(Kind::Pod, ns, name).cloned())
        .filter(|p| {
            let phase = p.as_pod().and_then(|p| p.status.as_ref()?.phase.clone()).unwrap_or_default();
            phase != "Succeeded" && phase != "Failed"
        })
        .collect();
    let _ = writeln!(w, "PodCIDR:\t{}", spec.pod_cidr.clone().unwrap_or_default());
    let allocatable = |resource: &str| {
        status.allocatable.as_ref().and_then(|a| a.get(resource)).and_then(|q| crate::quantity::Amount::parse(&q.0))
    };
    // kubectl's "850m (42%)": the share of what the node can give, truncated.
    let share = |amount: Amount, resource: &str| {
        let percent = match allocatable(resource) {
            Some(total) if total.milli > 0 => (amount.milli as f64 / total.milli as f64 * 100.0) as i64,
            _ => 0,
        };
        format!("{amount} ({percent}%)")
    };
    let _ = writeln!(w, "Non-terminated Pods:\t({} in total)", pods.len());
    let _ = writeln!(
        w,
        "  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n  ---------\t----\t------------\t----------\t---------------\t-------------\t---"
    );
    let mut totals: BTreeMap<String, (Amount, Amount)> = BTreeMap::new();
    for p in &pods {
        let Some(pod) = p.as_pod() else { continue };
        let (requests, limits) = (pod_resources(pod, true), pod_resources(pod, false));
        let get = |m: &BTreeMap<String, Amount>, r: &str| m.get(r).copied().unwrap_or_default();
        let _ = writeln!(
            w,
            "  {}\t{}\t{}\t{}\t{}\t{}\t{}",
            p.namespace(),
            p.name(),
            share(get(&requests, "cpu"), "cpu"),
            share(get(&limits, "cpu"), "cpu"),
            share(get(&requests, "memory"), "memory"),
            share(get(&limits, "memory"), "memory"),
            super::printers::age(p.meta(), now)
        );
        for (resource, amount) in requests {
            let entry = totals.entry(resource).or_default();
            entry.0 = entry.0.plus(amount);
        }
        for (resource, amount) in limits {
            let entry = totals.entry(resource).or_default();
            entry.1 = entry.1.plus(amount);
        }
    }
    let _ = writeln!(w, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)");
    let _ = writeln!(w, "  Resource\tRequests\tLimits\n  --------\t--------\t------");
    let mut resources = vec!["cpu".to_string(), "memory".to_string(), "ephemeral-storage".to_string()];
    let extended =
        status.capacity.iter().flat_map(|c| c.keys()).filter(|k| k.starts_with("hugepages-") || k.contains('/'));
    resources.extend(extended.cloned());
    for resource in resources {
        let (requested, limited) = totals.get(&resource).copied().unwrap_or_default();
        let _ = writeln!(w, "  {resource}\t{}\t{}", share(requested, &resource), share(limited, &resource));
    }
}

/// A pod's requests (or limits) as the scheduler counts them: its
/// containers' sum, or an init container's, whichever is larger.
fn pod_resources(pod: &k8s_openapi::api::core::v1::Pod, requests: bool) -> BTreeMap<String, Amount> {
    let of = |c: &k8s_openapi::api::core::v1::Container| -> BTreeMap<String, Amount> {
        let map = c.resources.as_ref().and_then(|r| if requests { r.requests.as_ref() } else { r.limits.as_ref() });
        map.into_iter().flatten().filter_map(|(k, q)| Some((k.clone(), Amount::parse(&q.0)?))).collect()
    };
    let mut total: BTreeMap<String, Amount> = BTreeMap::new();
    let Some(spec) = pod.spec.as_ref() else { return total };
    for c in &spec.containers {
        for (k, v) in of(c) {
            let entry = total.entry(k).or_default();
            *entry = entry.plus(v);
        }
    }
    for c in spec.init_containers.iter().flatten() {
        for (k, v) in of(c) {
            let entry = total.entry(k).or_default();
            if v.milli > entry.milli {
                *entry = v;
            }
        }
    }
    total
}

fn events(w: &mut String, cluster: &Cluster, object: &Object, now: Time) {
    let uid = object.meta().uid.clone().unwrap_or_default();
    let ns = if object.namespace().is_empty() { "default" } else { object.namespace() };
    let mut list: Vec<Event> = cluster
        .api()
        .store()
        .list(Kind::Event, Some(ns))
        .filter_map(|o| match &**o {
            Object::Event(e) if e.involved_object.uid.as_deref() == Some(uid.as_str()) => Some((**e).clone()),
            _ => None,
        })
        .collect();
    if list.is_empty() {
        let _ = writeln!(w, "Events:\t<none>");
        return;
    }
    list.sort_by_key(|e| e.first_timestamp.clone());
    let _ = writeln!(w, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n  ----\t------\t----\t----\t-------");
    for e in list {
        let age = super::printers::config::event_interval(&e, now);
        let from = e.source.as_ref().and_then(|s| s.component.clone()).unwrap_or_default();
        let _ = writeln!(
            w,
            "  {}\t{}\t{age}\t{from}\t{}",
            e.type_.clone().unwrap_or_default(),
            e.reason.clone().unwrap_or_default(),
            e.message.clone().unwrap_or_default().trim()
        );
    }
}
