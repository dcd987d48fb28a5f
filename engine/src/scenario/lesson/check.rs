//! Whether a check's condition holds on the live cluster. Checks only look:
//! a curl is made on a copy of the cluster, so checking never changes what
//! the learner sees or lets time pass.

use super::format::Condition;
use crate::api::{self, Kind};
use crate::cluster::Cluster;
use crate::kubectl::{jsonpath, printers};
use crate::labels::Selector;
use crate::object::Object;

/// Whether `condition` holds on `cluster`, given the terminal lines typed
/// since the step opened.
pub fn holds(condition: &Condition, cluster: &Cluster, typed: &[String]) -> bool {
    let store = cluster.api().store();
    let ns = |n: &Option<String>| n.clone().unwrap_or_else(|| "default".into());
    match condition {
        Condition::Object { kind, name, namespace, fields } => {
            let Some(object) = find(cluster, kind, &ns(namespace), name) else { return false };
            let value = object.to_value();
            fields.iter().all(|(path, want)| jsonpath::execute(path, &value).is_ok_and(|got| got == *want))
        }
        Condition::Absent { kind, name, namespace } => find(cluster, kind, &ns(namespace), name).is_none(),
        Condition::Pods { selector, namespace, count, min, status, ready, node } => {
            let Ok(selector) = Selector::parse(selector) else { return false };
            let namespace = ns(namespace);
            let now = cluster.now();
            let matching = store
                .list(Kind::Pod, Some(&namespace))
                .filter_map(|o| o.as_pod())
                .filter(|p| selector.matches(p.metadata.labels.as_ref()))
                .filter(|p| {
                    let summary = printers::pod::summarize(p, now);
                    let on = p.spec.as_ref().and_then(|s| s.node_name.as_deref());
                    status.as_ref().is_none_or(|s| summary.status == *s)
                        && ready.is_none_or(|r| all_ready(&summary.ready) == r)
                        && node.as_ref().is_none_or(|n| on == Some(n.as_str()))
                })
                .count();
            count.is_none_or(|c| matching == c) && min.is_none_or(|m| matching >= m)
        }
        Condition::Rollout { deployment, namespace } => {
            let Some(Object::Deployment(d)) = store.get(Kind::Deployment, &ns(namespace), deployment).map(|o| &**o)
            else {
                return false;
            };
            let want = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let Some(status) = d.status.as_ref() else { return false };
            status.observed_generation >= d.metadata.generation
                && status.updated_replicas.unwrap_or(0) == want
                && status.replicas.unwrap_or(0) == want
                && status.available_replicas.unwrap_or(0) == want
        }
        Condition::Node { name, ready, schedulable, taint, untainted, label } => {
            let Some(node) = store.get(Kind::Node, "", name).and_then(|o| o.as_node()) else { return false };
            let taints = node.spec.as_ref().and_then(|s| s.taints.as_deref()).unwrap_or_default();
            let unschedulable = node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false);
            let labels = node.metadata.labels.as_ref();
            ready.is_none_or(|r| node_ready(node) == r)
                && schedulable.is_none_or(|s| s != unschedulable)
                && taint.as_ref().is_none_or(|t| {
                    taints.iter().any(|have| {
                        let value = have.value.as_deref().unwrap_or_default();
                        let written = if value.is_empty() {
                            format!("{}:{}", have.key, have.effect)
                        } else {
                            format!("{}={value}:{}", have.key, have.effect)
                        };
                        written == *t
                    })
                })
                && untainted.as_ref().is_none_or(|key| taints.iter().all(|t| t.key != *key))
                && label.as_ref().is_none_or(|l| {
                    let (key, value) = l.split_once('=').unwrap_or((l, ""));
                    labels.and_then(|m| m.get(key)).is_some_and(|v| v == value)
                })
        }
        Condition::Curl { url, contains } => {
            let mut copy = cluster.clone();
            let args = vec!["-s".to_string(), "-m".into(), "5".into(), url.clone()];
            let Some(ran) = copy.host_tool("curl", &args) else { return false };
            ran.output.exit_code == 0 && contains.as_ref().is_none_or(|c| ran.output.stdout.contains(c.as_str()))
        }
        Condition::Event { reason, namespace, kind, name, message } => {
            store.list(Kind::Event, Some(&ns(namespace))).any(|o| {
                let Object::Event(e) = &**o else { return false };
                let involved = &e.involved_object;
                e.reason.as_deref() == Some(reason.as_str())
                    && kind.as_ref().is_none_or(|k| involved.kind.as_deref() == Some(k.as_str()))
                    && name.as_ref().is_none_or(|n| involved.name.as_deref().is_some_and(|have| have.starts_with(n)))
                    && message.as_ref().is_none_or(|m| e.message.as_deref().is_some_and(|have| have.contains(m)))
            })
        }
        Condition::Promql { query, min, max } => {
            let Some(Ok(value)) = cluster.query(query, cluster.now()) else { return false };
            match first_value(&value) {
                Some(v) => min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m),
                None => false,
            }
        }
        Condition::Ran(pattern) => {
            let Ok(re) = regex::Regex::new(pattern) else { return false };
            typed.iter().any(|line| re.is_match(line))
        }
        Condition::Dashboard(want) => super::dashboard::holds(want, cluster.dashboards()),
    }
}

/// The object a check names, the kind written as kubectl takes it.
fn find(cluster: &Cluster, kind: &str, namespace: &str, name: &str) -> Option<std::sync::Arc<Object>> {
    let info = api::resolve(kind)?;
    let namespace = if info.namespaced { namespace } else { "" };
    cluster.get(info.kind, namespace, name)
}

/// `READY` reads `n/n` with n > 0.
fn all_ready(ready: &str) -> bool {
    ready.split_once('/').is_some_and(|(a, b)| a == b && a != "0")
}

/// The first sample's value of an instant query's answer.
fn first_value(value: &crate::promql::Value) -> Option<f64> {
    use crate::promql::Value;
    match value {
        Value::Scalar { v, .. } => Some(*v),
        Value::Vector(samples) => samples.first().map(|s| s.v),
        _ => None,
    }
}

fn node_ready(node: &k8s_openapi::api::core::v1::Node) -> bool {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::files::NoFiles;
    use crate::shell::Shell;

    fn condition(yaml: &str) -> Condition {
        let check: super::super::Check = serde_yaml::from_str(&format!("{yaml}\nmessage: {{en: x, ko: x}}"))
            .unwrap_or_else(|e| panic!("{yaml}: {e}"));
        check.condition
    }

    /// One cluster, arranged once: a Deployment of two, a cordoned and
    /// tainted node, a labelled node, a failed pod.
    fn arranged() -> Shell {
        let mut shell = Shell::new(Cluster::new("default", 1).unwrap_or_else(|e| panic!("{e}")));
        for line in [
            "kubectl cordon w3-k8s",
            "kubectl taint node w2-k8s gpu=true:NoSchedule",
            "kubectl create deployment web --image=nginx --replicas=2",
            "kubectl run broken --image=nginx:no-such-tag",
            "kubectl label node w1-k8s disk=ssd",
            "kubectl expose deployment web --port=80",
            "sleep 60",
        ] {
            let out = shell.run(line, &NoFiles);
            assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
        }
        shell
    }

    #[test]
    fn conditions_read_the_live_cluster() {
        let shell = arranged();
        let typed = ["kubectl get pods -o wide".to_string()];
        let table: &[(&str, bool)] = &[
            ("object: {kind: deploy, name: web, fields: {'{.spec.replicas}': '2'}}", true),
            ("object: {kind: deploy, name: web, fields: {'{.spec.replicas}': '3'}}", false),
            ("object: {kind: Deployment, name: nope}", false),
            ("object: {kind: node, name: w3-k8s, namespace: ignored, fields: {'{.spec.unschedulable}': 'true'}}", true),
            ("absent: {kind: pod, name: nope}", true),
            ("absent: {kind: svc, name: web}", false),
            ("pods: {selector: app=web, count: 2, status: Running, ready: true}", true),
            ("pods: {selector: app=web, count: 3}", false),
            ("pods: {selector: app=web, min: 1, node: w3-k8s}", false),
            ("pods: {selector: run=broken, count: 1, status: ImagePullBackOff}", true),
            ("pods: {selector: app=web, count: 2, namespace: kube-system}", false),
            ("pods: {selector: 'app in (web', count: 0}", false),
            ("rollout: {deployment: web}", true),
            ("rollout: {deployment: nope}", false),
            ("node: {name: w3-k8s, schedulable: false, ready: true}", true),
            ("node: {name: w3-k8s, schedulable: true}", false),
            ("node: {name: w2-k8s, taint: 'gpu=true:NoSchedule'}", true),
            ("node: {name: w2-k8s, untainted: gpu}", false),
            ("node: {name: w1-k8s, untainted: gpu, label: disk=ssd}", true),
            ("node: {name: w1-k8s, label: disk=hdd}", false),
            ("node: {name: nope}", false),
            ("event: {reason: Scheduled, kind: Pod, name: web-}", true),
            ("event: {reason: Failed, name: broken, message: no-such-tag}", true),
            ("event: {reason: Killing}", false),
            ("curl: {url: 'http://web.default.svc.cluster.local', contains: Welcome to nginx}", false),
            ("ran: '-o wide$'", true),
            ("ran: '^kubectl delete'", false),
            ("promql: {query: up}", false),
            ("dashboard: {title: Lab CPU, panel: {legend: '{{pod}}'}}", false),
        ];
        for (yaml, want) in table {
            assert_eq!(holds(&condition(yaml), shell.cluster(), &typed), *want, "{yaml}");
        }
    }

    #[test]
    fn a_curl_check_does_not_change_the_cluster() {
        let shell = arranged();
        let ip = shell
            .cluster()
            .get(Kind::Service, "default", "web")
            .and_then(|s| s.as_service().and_then(|s| s.spec.as_ref()?.cluster_ip.clone()))
            .unwrap_or_default();
        let before = (shell.cluster().now(), shell.cluster().version());
        let answers = condition(&format!("curl: {{url: 'http://{ip}', contains: Welcome to nginx}}"));
        assert!(holds(&answers, shell.cluster(), &[]));
        let wrong = condition(&format!("curl: {{url: 'http://{ip}', contains: Apache}}"));
        assert!(!holds(&wrong, shell.cluster(), &[]));
        assert_eq!((shell.cluster().now(), shell.cluster().version()), before);
    }
}
