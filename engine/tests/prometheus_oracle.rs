//! Our PromQL engine and HTTP API side by side with a real Prometheus 2.42
//! on the same samples (see `common/oracle.rs` for how and what "the same"
//! means). Needs `prometheus` and `promtool` on PATH; without them the test
//! fails, unless `KUBEPLAY_NO_PROMETHEUS=1` says to skip it.

mod common;

use common::oracle::{prometheus_or_skip, same_bodies, side_by_side, synthetic_storage, FIRST_SAMPLE_MS};
use engine::EPOCH;

const MIN: i64 = 60_000;

/// The course notes' queries, Grafana dashboards' (the k8s-views and
/// node-exporter-full dashboards in `shared/corpora/grafana`, with their
/// variables filled in) and the functions and operators around them.
const QUERIES: &[&str] = &[
    // The notes.
    r#"1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])) by (instance)"#,
    r#"kube_pod_container_status_restarts_total{pod=~"coredns.*"}"#,
    "predict_linear(node_memory_MemAvailable_bytes[1h], 3600)",
    "histogram_quantile(0.99, sum(rate(apiserver_request_duration_seconds_bucket[5m])) by (le))",
    "node_memory_MemAvailable_bytes/1024/1024/1024",
    r#"sum(up{job="kubernetes-nodes"})==4 and avg(up{job="kubernetes-nodes"}) == 1"#,
    "up == 0 or node_load1 > 1",
    "node_memory_MemAvailable_bytes unless on(instance) up == 0",
    r#"irate(node_cpu_seconds_total{mode="user"}[2m])"#,
    "topk(3, rate(node_cpu_seconds_total[5m]))",
    "bottomk(2, node_memory_MemAvailable_bytes)",
    "count_values(\"restarts\", kube_pod_container_status_restarts_total)",
    r#"label_replace(up, "host", "$1", "instance", "(.*):9100")"#,
    r#"label_join(up, "both", "/", "instance", "job")"#,
    r#"rate(node_cpu_seconds_total{mode="idle"}[5m] offset 10m)"#,
    r#"max_over_time(rate(node_cpu_seconds_total{mode="user"}[5m])[30m:1m])"#,
    "increase(kube_pod_container_status_restarts_total[1h])",
    "sum by (instance) (rate(node_cpu_seconds_total[5m]))",
    "histogram_quantile(0.5, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket[10m])))",
    "sum(rate(apiserver_request_duration_seconds_sum[5m])) / sum(rate(apiserver_request_duration_seconds_count[5m]))",
    "rate(http_requests_total[5m])",
    "resets(http_requests_total[1h])",
    "sum without (pod) (rate(http_requests_total[5m]))",
    "sum by (code) (rate(http_requests_total[5m])) / ignoring(code) group_left sum(rate(http_requests_total[5m]))",
    "http_requests_total * on(namespace, pod) group_left(node) kube_pod_info",
    r#"absent(up{job="missing"})"#,
    r#"absent_over_time(kube_pod_container_status_restarts_total{pod="web-5d9c7b-bbbbb"}[5m])"#,
    "count by (namespace) (kube_pod_container_status_restarts_total)",
    r#"quantile(0.9, rate(node_cpu_seconds_total{mode="user"}[5m]))"#,
    "stddev(node_load1)",
    "avg_over_time(node_load1[10m])",
    "quantile_over_time(0.95, node_load1[30m])",
    "changes(up[1h])",
    "deriv(node_memory_MemAvailable_bytes[15m])",
    "delta(node_load1[10m])",
    "time() - 1767258000",
    "scalar(sum(up))",
    "sort_desc(sum by (instance) (rate(node_cpu_seconds_total[5m])))",
    "timestamp(up)",
    "last_over_time(node_load1[5m])",
    "min_over_time(node_memory_MemAvailable_bytes[20m]) - max_over_time(node_memory_MemAvailable_bytes[20m])",
    "stdvar_over_time(node_load1[15m])",
    "round(node_load1, 0.1) > bool 0.5",
    r#"{__name__=~"node_load.*|up", instance="w3-k8s:9100"}"#,
    "count(up == 1)",
    "node_memory_MemAvailable_bytes and on(instance) (node_load1 > 0.8)",
    "probe_value",
    "clamp(probe_value, -0.5, 1)",
    "rate(node_cpu_seconds_total[5m] @ 1767264000)",
    // Grafana: k8s-views-global, -nodes, -namespaces, -pods.
    r#"avg(sum by (instance, cpu) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal", cluster="kubeplay", job="kubernetes-nodes"}[1m])))"#,
    r#"sum(node_memory_MemTotal_bytes{job="kubernetes-nodes"} - node_memory_MemAvailable_bytes{job="kubernetes-nodes"}) / sum(node_memory_MemTotal_bytes{job="kubernetes-nodes"})"#,
    r#"avg(sum by (instance, cpu) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal", cluster="kubeplay", job="kubernetes-nodes"}[1m]))) by (instance)"#,
    r#"sum(increase(kube_pod_container_status_restarts_total[2m])) by (namespace) > 0"#,
    r#"sum(increase(kube_pod_container_status_restarts_total{namespace=~"default|kube-system"}[2m])) by (namespace, pod) > 0"#,
    r#"avg(rate(node_cpu_seconds_total{instance="w1-k8s:9100", cluster="kubeplay"}[1m]) * 100) by (mode)"#,
    r#"sum(kube_pod_container_status_restarts_total{namespace=~"kube-system"})"#,
    // Grafana: node-exporter-full.
    r#"100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",instance="w2-k8s:9100",job="kubernetes-nodes"}[1m])))"#,
    r#"scalar(node_load1{instance="w1-k8s:9100",job="kubernetes-nodes"}) * 100 / count(count(node_cpu_seconds_total{instance="w1-k8s:9100",job="kubernetes-nodes"}) by (cpu))"#,
    r#"clamp_min((1 - (node_memory_MemAvailable_bytes{instance="w1-k8s:9100", job="kubernetes-nodes"} / node_memory_MemTotal_bytes{instance="w1-k8s:9100", job="kubernetes-nodes"})) * 100, 0)"#,
    r#"avg(sum without(mode) (rate(node_cpu_seconds_total{instance="w3-k8s:9100",job="kubernetes-nodes", mode=~".*irq"}[1m])))"#,
    r#"sum(rate(node_cpu_seconds_total{mode="system",instance="w3-k8s:9100",job="kubernetes-nodes"}[1m])) / scalar(count(count(node_cpu_seconds_total{instance="w3-k8s:9100",job="kubernetes-nodes"}) by (cpu)))"#,
];

fn instants() -> Vec<i64> {
    // Whole seconds: never on a sample (they sit at .217 and a little
    // after); never whole minutes, where a subquery's steps fall.
    [
        20 * MIN + 7_000,
        47 * MIN + 33_000,
        65 * MIN + 29_000,
        73 * MIN + 1_000,
        76 * MIN + 30_000,
        101 * MIN + 13_000,
        118 * MIN + 59_000,
    ]
    .iter()
    .map(|d| EPOCH.0 + d)
    .collect()
}

fn ranges() -> Vec<(i64, i64, i64)> {
    vec![
        (EPOCH.0 + 10 * MIN + 7_000, EPOCH.0 + 2 * 60 * MIN, 60_000),
        (EPOCH.0 + 60 * MIN + 1_000, EPOCH.0 + 80 * MIN, 15_000),
    ]
}

#[test]
fn our_promql_agrees_with_prometheus() {
    if !prometheus_or_skip() {
        return;
    }
    let storage = synthetic_storage();
    let report = match side_by_side(&storage, QUERIES, &instants(), &ranges()) {
        Ok(r) => r,
        Err(e) => panic!("the real Prometheus could not be asked: {e}"),
    };
    println!(
        "{} queries, {} evaluations compared, {} with samples on both sides, {} mismatches",
        QUERIES.len(),
        report.compared,
        report.non_empty,
        report.mismatches.len()
    );
    assert!(report.mismatches.is_empty(), "disagreements with Prometheus:\n{}", report.mismatches.join("\n"));
    assert!(report.non_empty * 10 >= report.compared * 8, "too few answers say anything: {report:?}");
}

#[test]
fn our_api_bodies_are_prometheus_bytes() {
    if !prometheus_or_skip() {
        return;
    }
    let storage = synthetic_storage();
    let t = EPOCH.0 + 73 * MIN + 1_000;
    let diffs = match same_bodies(
        &storage,
        &[
            ("up", t),
            (r#"kube_pod_container_status_restarts_total{pod=~"coredns.*"}"#, t + 250),
            ("probe_value", EPOCH.0 + 50 * 15_000 * 2 + 20_000),
            ("probe_value[3m]", t),
            ("node_memory_MemAvailable_bytes[1m]", t),
            ("vector(1.5e-7) + 1e21", t),
            ("-1e21", t - 1),
            (r#""a<b> & \"c\"""#, t),
            ("up[1m] offset 1h", FIRST_SAMPLE_MS - 17),
            ("nothing_here", t),
        ],
        &[
            ("up", EPOCH.0 + 60 * MIN, EPOCH.0 + 80 * MIN, 60_000),
            ("probe_value", EPOCH.0 + MIN, EPOCH.0 + 30 * MIN, 45_500),
            ("up[1m]", EPOCH.0, EPOCH.0 + MIN, 15_000),
            ("up", EPOCH.0 + MIN, EPOCH.0, 15_000),
            ("up", EPOCH.0, EPOCH.0 + MIN, 0),
            ("up", EPOCH.0, EPOCH.0 + 60 * MIN, 1),
        ],
    ) {
        Ok(d) => d,
        Err(e) => panic!("the real Prometheus could not be asked: {e}"),
    };
    assert!(diffs.is_empty(), "bodies differ:\n{}", diffs.join("\n"));
}

/// What the notes and the Grafana dashboards ask of the monitored lab,
/// under the labels our scrape jobs give.
const CLUSTER_QUERIES: &[&str] = &[
    r#"1 - avg(rate(node_cpu_seconds_total{mode="idle"}[5m])) by (instance)"#,
    r#"avg(rate(node_cpu_seconds_total{mode="idle"}[5m])) by (kubernetes_node)"#,
    r#"kube_pod_container_status_restarts_total{pod=~"coredns.*"}"#,
    "predict_linear(node_memory_MemAvailable_bytes[10m], 3600)",
    "histogram_quantile(0.99, sum(rate(apiserver_request_duration_seconds_bucket[5m])) by (le))",
    "histogram_quantile(0.9, sum(rate(http_request_duration_seconds_bucket[5m])) by (le))",
    "node_memory_MemAvailable_bytes/1024/1024/1024",
    r#"sum(up{job="kubernetes-nodes"})==4 and avg(up{job="kubernetes-nodes"}) == 1"#,
    "up == 0 or node_load1 > 0.1",
    r#"node_memory_MemAvailable_bytes unless on(kubernetes_node) kube_node_spec_unschedulable == 1"#,
    r#"avg(rate(node_network_transmit_bytes_total[5m])) by (kubernetes_node)"#,
    r#"avg(rate(node_network_receive_bytes_total[5m])) by (kubernetes_node) * -1"#,
    r#"irate(node_cpu_seconds_total{mode="user"}[1m])"#,
    "topk(3, sum by (pod) (rate(container_cpu_usage_seconds_total{image!=\"\"}[5m])))",
    r#"sum(rate(container_cpu_usage_seconds_total{image!=""}[5m])) by (namespace)"#,
    r#"sum(container_memory_working_set_bytes{image!=""}) by (node)"#,
    "increase(kube_pod_container_status_restarts_total[10m]) > 0",
    "sum(rate(http_requests_total[5m]))",
    "sum by (phase) (kube_pod_status_phase)",
    "count by (namespace) (kube_pod_info)",
    "kube_deployment_status_replicas_available / kube_deployment_spec_replicas",
    r#"sum(kube_pod_container_resource_requests{resource="cpu"}) by (node) / sum(kube_node_status_allocatable{resource="cpu"}) by (node)"#,
    r#"sum(kube_node_status_condition{condition="Ready",status="true"})"#,
    "count(count by (node) (kube_node_info))",
    r#"sum(machine_cpu_cores)"#,
    r#"avg(sum by (instance, cpu) (rate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[1m])))"#,
    r#"sum(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes)"#,
    r#"sum(rate(container_cpu_cfs_throttled_seconds_total{image!=""}[5m])) by (pod)"#,
    "node_load1 / on(kubernetes_node) group_left count by (kubernetes_node) (node_cpu_seconds_total{mode=\"idle\"})",
    r#"max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m])"#,
    r#"ALERTS{alertstate="firing"}"#,
    "changes(kube_pod_container_status_restarts_total[15m])",
    r#"100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",kubernetes_node="w2-k8s"}[1m])))"#,
    r#"sum by (verb) (rate(apiserver_request_total[5m]))"#,
];

#[test]
fn a_monitored_cluster_agrees_with_prometheus() {
    if !prometheus_or_skip() {
        return;
    }
    let mut shell = engine::Shell::new(engine::Cluster::new("monitoring", 3).expect("bundled preset"));
    for line in [
        "kubectl create deployment web --image=nginx --replicas=3",
        "kubectl run crash --image=busybox -- sh -c 'sleep 20; exit 1'",
        "kubectl create deployment podinfo --image=stefanprodan/podinfo:6.7.1",
        "kubectl expose deployment podinfo --port=9898 --type=NodePort",
        "kubectl annotate pods -l app=podinfo prometheus.io/scrape=true prometheus.io/port=9797",
    ] {
        let out = shell.run(line, &engine::NoFiles);
        assert_eq!(out.exit_code, 0, "{line}: {}", out.stderr);
    }
    shell.step(10 * MIN);
    let port = shell.run("kubectl get svc podinfo -o jsonpath={.spec.ports[0].nodePort}", &engine::NoFiles).stdout;
    let out = shell.run(&format!("traffic start shop http://192.168.1.101:{port}/ --rate 40"), &engine::NoFiles);
    assert_eq!(out.exit_code, 0, "{}", out.stderr);
    shell.step(15 * MIN);
    shell.run("kubectl scale deployment web --replicas=1", &engine::NoFiles);
    shell.run("fault kubelet stop w3-k8s", &engine::NoFiles);
    shell.step(15 * MIN);
    let storage = shell.cluster().tsdb().expect("the monitoring preset has Prometheus");
    // Off the scrape grid (samples sit at hashed milliseconds) and off whole
    // minutes (where subquery and rule steps fall).
    let instants: Vec<i64> =
        [12 * MIN + 7_777, 20 * MIN + 31_111, 27 * MIN + 44_444, 33 * MIN + 2_222, 39 * MIN + 50_555]
            .iter()
            .map(|d| EPOCH.0 + d)
            .collect();
    let ranges = [(EPOCH.0 + 8 * MIN + 1_333, EPOCH.0 + 39 * MIN + 1_333, 60_000)];
    let report = match side_by_side(storage, CLUSTER_QUERIES, &instants, &ranges) {
        Ok(r) => r,
        Err(e) => panic!("the real Prometheus could not be asked: {e}"),
    };
    println!(
        "{} queries over a monitored cluster, {} evaluations compared, {} with samples on both sides, {} mismatches",
        CLUSTER_QUERIES.len(),
        report.compared,
        report.non_empty,
        report.mismatches.len()
    );
    assert!(report.mismatches.is_empty(), "disagreements with Prometheus:\n{}", report.mismatches.join("\n"));
    assert!(report.non_empty * 10 >= report.compared * 8, "too few answers say anything: {report:?}");
}
