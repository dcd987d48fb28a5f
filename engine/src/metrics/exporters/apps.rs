//! Prometheus's own `/metrics`, and podinfo's: the demo app whose request
//! counter and latency histogram the lessons query.

use super::{labels, Scene};
use crate::api::Kind;
use crate::metrics::exposition::{Family, Type};
use k8s_openapi::api::core::v1::{Node, Pod};

pub fn prometheus(scene: &Scene) -> Vec<Family> {
    let mut build = Family::new("prometheus_build_info", Type::Gauge, "A metric with a constant '1' value labeled by version, revision, branch, goversion from which prometheus was built, and the goos and goarch for the build.");
    build.add(
        labels(&[
            ("branch", "HEAD"),
            ("goarch", "amd64"),
            ("goos", "linux"),
            ("goversion", "go1.23.4"),
            ("revision", "7c7116fea8343795cae6da42960cacd0207a2af8"),
            ("tags", "netgo,builtinassets,stringlabels"),
            ("version", "3.1.0"),
        ]),
        1.0,
    );
    let mut series =
        Family::new("prometheus_tsdb_head_series", Type::Gauge, "Total number of series in the head block.");
    series.add(Vec::new(), scene.tsdb.0 as f64);
    let mut samples =
        Family::new("prometheus_tsdb_head_samples_appended_total", Type::Counter, "Total number of appended samples.");
    samples.add(labels(&[("type", "float")]), scene.tsdb.1 as f64);
    let mut reload = Family::new(
        "prometheus_config_last_reload_successful",
        Type::Gauge,
        "Whether the last configuration reload attempt was successful.",
    );
    reload.add(Vec::new(), if scene.reloaded { 1.0 } else { 0.0 });
    vec![build, reload, samples, series]
}

/// Share of requests answered within each of podinfo's bucket bounds.
const LATENCY: &[(f64, f64)] = &[
    (0.005, 0.46),
    (0.01, 0.74),
    (0.025, 0.91),
    (0.05, 0.965),
    (0.1, 0.988),
    (0.25, 0.996),
    (0.5, 0.999),
    (1.0, 1.0),
    (2.5, 1.0),
    (5.0, 1.0),
    (10.0, 1.0),
];

pub fn podinfo(scene: &Scene, pod: &Pod) -> Vec<Family> {
    let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
    let streamed = scene.counters.pods.get(uid).map(|p| p.requests).unwrap_or(0.0);
    let count = (streamed + scene.network.answered(ns, name) as f64).round();
    let mut total = Family::new("http_requests_total", Type::Counter, "The total number of HTTP requests.");
    total.add(labels(&[("status", "200")]), count);
    let mut duration =
        Family::new("http_request_duration_seconds", Type::Histogram, "Seconds spent serving HTTP requests.");
    let mut buckets: Vec<(f64, f64)> = LATENCY.iter().map(|(le, share)| (*le, (count * share).floor())).collect();
    buckets.push((f64::INFINITY, count));
    duration.add_histogram(labels(&[("method", "GET"), ("path", "root"), ("status", "200")]), &buckets, count * 0.0071);
    vec![duration, total]
}

/// MetalLB: the controller counts the addresses it handed out, each
/// speaker the addresses its node announces.
pub fn metallb(scene: &Scene, node: &Node, pod: Option<&Pod>) -> Vec<Family> {
    let speaker = pod
        .is_some_and(|p| p.metadata.labels.as_ref().and_then(|l| l.get("component")).is_some_and(|c| c == "speaker"));
    let node_name = node.metadata.name.as_deref().unwrap_or_default();
    let mut in_use = 0.0;
    let mut announced = Family::new("metallb_speaker_announced", Type::Gauge, "Services being announced from this node. This is desired state, it does not guarantee that the routing protocols have converged.");
    for object in scene.store.list(Kind::Service, None) {
        let Some(svc) = object.as_service() else { continue };
        let ingress = svc.status.iter().flat_map(|s| s.load_balancer.iter()).flat_map(|lb| lb.ingress.iter().flatten());
        for ip in ingress.filter_map(|i| i.ip.as_deref()) {
            in_use += 1.0;
            if speaker && crate::controllers::loadbalancer::elected(scene.store, svc, ip).as_deref() == Some(node_name)
            {
                let service = format!("{}/{}", object.namespace(), object.name());
                announced.add(
                    labels(&[("ip", ip), ("node", node_name), ("protocol", "layer2"), ("service", &service)]),
                    1.0,
                );
            }
        }
    }
    if speaker {
        return vec![announced];
    }
    let mut used =
        Family::new("metallb_allocator_addresses_in_use_total", Type::Gauge, "Number of IP addresses in use, per pool");
    used.add(labels(&[("pool", "first-pool")]), in_use);
    vec![used]
}
