//! The monitored lab: what Prometheus scrapes follows the simulation.
//! Counters grow by what the usage model says was used, restarts count
//! real restarts, a stopped kubelet's target goes down, a deleted pod's
//! series end at once (staleness), and pods that opt in are scraped.

use engine::promql::Value;
use engine::{Cluster, NoFiles, Shell};

const MINUTE: i64 = 60_000;

fn lab() -> Shell {
    Shell::new(Cluster::new("monitoring", 7).expect("bundled preset"))
}

/// The values of an instant query now, by the given label.
fn values(shell: &Shell, query: &str, by: &str) -> Vec<(String, f64)> {
    let cluster = shell.cluster();
    match cluster.query(query, cluster.now()) {
        Some(Ok(Value::Vector(v))) => {
            v.into_iter().map(|s| (s.labels.get(by).cloned().unwrap_or_default(), s.v)).collect()
        }
        Some(Ok(Value::Scalar { v, .. })) => vec![(String::new(), v)],
        other => panic!("{query}: {other:?}"),
    }
}

fn one(shell: &Shell, query: &str) -> f64 {
    let v = values(shell, query, "");
    assert_eq!(v.len(), 1, "{query}: {v:?}");
    v[0].1
}

fn run(shell: &mut Shell, line: &str) -> String {
    let out = shell.run(line, &NoFiles);
    assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    out.stdout
}

#[test]
fn cpu_counters_grow_by_what_kubectl_top_reports() {
    let mut shell = lab();
    shell.step(5 * MINUTE);
    let pod =
        run(&mut shell, "kubectl get pods -n kube-system -l k8s-app=kube-dns -o jsonpath={.items[0].metadata.name}");
    let query = format!("container_cpu_usage_seconds_total{{pod=\"{pod}\",container=\"coredns\"}}");
    let before = one(&shell, &query);
    shell.step(15_000);
    let after = one(&shell, &query);
    let top = run(&mut shell, &format!("kubectl top pod {pod} -n kube-system --no-headers"));
    let millicores: f64 =
        top.split_whitespace().nth(1).and_then(|c| c.trim_end_matches('m').parse().ok()).expect("CPU column");
    let rate = (after - before) / 15.0 * 1000.0;
    assert!((rate - millicores).abs() <= 1.0, "counter grew by {rate}m in a window top reports as {millicores}m");
    // The notes' node CPU query: every node works a little, none is idle.
    let busy = values(&shell, "1 - avg(rate(node_cpu_seconds_total{mode=\"idle\"}[5m])) by (instance)", "instance");
    assert_eq!(busy.len(), 4, "{busy:?}");
    assert!(busy.iter().all(|(_, v)| *v > 0.0 && *v < 0.5), "{busy:?}");
}

#[test]
fn restarts_count_the_kubelets_restarts() {
    let mut shell = lab();
    run(&mut shell, "kubectl run crash --image=busybox -- sh -c 'sleep 5; exit 1'");
    shell.step(3 * MINUTE);
    let restarts = run(&mut shell, "kubectl get pod crash -o jsonpath={.status.containerStatuses[0].restartCount}");
    let restarts: f64 = restarts.parse().expect("a count");
    assert!(restarts >= 2.0, "{restarts}");
    assert_eq!(one(&shell, "kube_pod_container_status_restarts_total{pod=\"crash\"}"), restarts);
    assert!(one(&shell, "increase(kube_pod_container_status_restarts_total{pod=\"crash\"}[3m])") > 0.0);
}

#[test]
fn a_stopped_kubelet_takes_its_target_down_and_node_exporter_stays_up() {
    let mut shell = lab();
    shell.step(MINUTE);
    assert_eq!(one(&shell, "sum(up{job='kubernetes-nodes'})==4 and avg(up{job='kubernetes-nodes'}) == 1"), 4.0);
    run(&mut shell, "fault kubelet stop w1-k8s");
    shell.step(MINUTE);
    assert_eq!(values(&shell, "up{job=\"kubernetes-nodes\"} == 0", "instance"), vec![("w1-k8s".to_string(), 0.0)]);
    assert_eq!(one(&shell, "up{job=\"kubernetes-service-endpoints\",service=\"node-exporter\",node=\"w1-k8s\"}"), 1.0);
}

#[test]
fn a_deleted_pods_series_end_at_the_next_scrape() {
    let mut shell = lab();
    run(&mut shell, "kubectl run web --image=nginx");
    shell.step(MINUTE);
    assert_eq!(one(&shell, "count(kube_pod_info{pod=\"web\"})"), 1.0);
    assert_eq!(one(&shell, "count(container_memory_working_set_bytes{pod=\"web\",container=\"web\"})"), 1.0);
    run(&mut shell, "kubectl delete pod web --grace-period=0 --force");
    shell.step(30_000);
    // Gone well before the 5-minute lookback would have dropped them.
    assert!(values(&shell, "kube_pod_info{pod=\"web\"}", "pod").is_empty());
    assert!(values(&shell, "container_memory_working_set_bytes{pod=\"web\"}", "pod").is_empty());
}

#[test]
fn pods_that_opt_in_are_scraped_and_count_their_requests() {
    let mut shell = lab();
    let manifest = "apiVersion: v1
kind: Pod
metadata:
  name: podinfo
  labels:
    app: podinfo
  annotations:
    prometheus.io/scrape: \"true\"
    prometheus.io/port: \"9797\"
spec:
  containers:
  - name: podinfo
    image: stefanprodan/podinfo:6.7.1
    ports:
    - containerPort: 9898
";
    let out = shell.cluster_mut().apply(manifest);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    shell.step(MINUTE);
    let ip = run(&mut shell, "kubectl get pod podinfo -o jsonpath={.status.podIP}");
    assert_eq!(one(&shell, "up{job=\"kubernetes-pods\",pod=\"podinfo\"}"), 1.0);
    assert_eq!(one(&shell, "sum(http_requests_total{pod=\"podinfo\"})"), 0.0);
    for _ in 0..5 {
        run(&mut shell, &format!("curl -s {ip}:9898/"));
    }
    shell.step(30_000);
    assert_eq!(one(&shell, "sum(http_requests_total{pod=\"podinfo\"})"), 5.0);
    let p99 = one(&shell, "histogram_quantile(0.99, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))");
    assert!(p99 > 0.0 && p99 < 1.0, "{p99}");
}

#[test]
fn nothing_is_scraped_while_prometheus_is_down() {
    let mut shell = lab();
    shell.step(MINUTE);
    run(&mut shell, "kubectl scale deployment prometheus-server -n monitoring --replicas=0");
    shell.step(10 * MINUTE);
    assert!(values(&shell, "up", "job").is_empty(), "no sample in the last 5 minutes");
    assert!(!values(&shell, "up offset 9m", "job").is_empty(), "the older samples are kept");
}

#[test]
fn clusters_without_the_stack_have_no_prometheus() {
    let cluster = Cluster::new("default", 1).expect("bundled preset");
    assert!(cluster.query("up", cluster.now()).is_none());
}

#[test]
fn the_same_inputs_store_the_same_samples() {
    let history = || {
        let mut shell = lab();
        run(&mut shell, "kubectl run crash --image=busybox -- sh -c 'sleep 5; exit 1'");
        shell.step(4 * MINUTE);
        engine::openmetrics::write(shell.cluster().tsdb().expect("Prometheus"))
    };
    let first = history();
    assert!(first.lines().count() > 10_000, "{}", first.lines().count());
    assert_eq!(first, history());
}

#[test]
fn samples_older_than_the_servers_retention_are_dropped() {
    let mut shell = lab();
    // The server restarts with the new flag, as a rollout does.
    run(
        &mut shell,
        "kubectl patch deployment prometheus-server -n monitoring --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/template/spec/containers/0/args/2\",\"value\":\"--storage.tsdb.retention.time=1h\"}]'",
    );
    shell.step(60 * MINUTE);
    let hour = shell.cluster().tsdb().map(|s| s.samples()).unwrap_or(0);
    assert!(!values(&shell, "up offset 50m", "job").is_empty());
    shell.step(3 * 60 * MINUTE);
    // Whole chunks go, so a little more than the hour may stay.
    assert!(values(&shell, "up offset 2h30m", "job").is_empty(), "older than the retention");
    assert!(!values(&shell, "up offset 50m", "job").is_empty());
    let later = shell.cluster().tsdb().map(|s| s.samples()).unwrap_or(0);
    assert!(later < hour * 3, "{hour} samples after an hour, {later} after four");
}
