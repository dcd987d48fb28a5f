//! Prometheus's own `/metrics`, and podinfo's: the demo app whose request
//! counter and latency histogram the lessons query.

use super::{labels, Scene};
use crate::metrics::exposition::{Family, Type};
use k8s_openapi::api::core::v1::Pod;

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
    vec![build, samples, series]
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
