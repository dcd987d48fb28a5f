//! What the monitoring stack's servers answer over HTTP: each exporter's
//! `/metrics` in the text exposition format (what the notes read with
//! `curl -s IP:PORT/metrics | nl | grep NAME`), and Prometheus's health
//! endpoints.

use super::counters::Counters;
use super::exporters::{Exporter, Scene};
use crate::network::http::{http_date, Response};
use crate::network::Fabric;
use k8s_openapi::api::core::v1::Pod;

/// Whether a container of `image` answers HTTP on `port` as part of the
/// monitoring stack (rather than as a plain web server).
pub fn serves(image: &str, port: i32) -> bool {
    match Exporter::of_image(image) {
        Some((Exporter::Podinfo, _)) => port == 9797,
        Some((_, p)) => p == port,
        None => false,
    }
}

/// The answer of the exporter in `pod` to a GET of `path`.
pub fn serve(fabric: &Fabric, pod: &Pod, image: &str, path: &str) -> Response {
    let date = http_date(fabric.now);
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let Some((exporter, _)) = Exporter::of_image(image) else { return not_found(date) };
    let node_name = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    let node = fabric.store.get(crate::api::Kind::Node, "", node_name).and_then(|o| o.as_node().cloned());
    let empty_counters = Counters::default();
    let empty_requests = Default::default();
    let (counters, requests, tsdb) = match fabric.monitoring {
        Some((m, r)) => (&m.counters, r, (m.storage.series().len(), 0)),
        None => (&empty_counters, &empty_requests, (0, 0)),
    };
    let scene = Scene { store: fabric.store, now: fabric.now, counters, requests, network: fabric.network, tsdb };
    match (exporter, path) {
        (_, "/metrics") => {
            let families = exporter.families(&scene, &node.unwrap_or_default(), Some(pod));
            let body = super::exposition::text(&families);
            Response {
                status: 200,
                reason: "OK".into(),
                headers: vec![
                    ("Content-Type".into(), "text/plain; version=0.0.4; charset=utf-8".into()),
                    ("Date".into(), date),
                    ("Content-Length".into(), body.len().to_string()),
                ],
                body,
            }
        }
        (Exporter::Prometheus, "/-/healthy") => text("Prometheus Server is Healthy.\n", date),
        (Exporter::Prometheus, "/-/ready") => text("Prometheus Server is Ready.\n", date),
        (Exporter::Node, "/") => {
            let body = "<html>\n<head><title>Node Exporter</title></head>\n<body>\n<h1>Node Exporter</h1>\n<p><a href=\"/metrics\">Metrics</a></p>\n</body>\n</html>\n";
            Response {
                status: 200,
                reason: "OK".into(),
                headers: vec![
                    ("Content-Type".into(), "text/html; charset=UTF-8".into()),
                    ("Date".into(), date),
                    ("Content-Length".into(), body.len().to_string()),
                ],
                body: body.into(),
            }
        }
        _ => not_found(date),
    }
}

fn text(body: &str, date: String) -> Response {
    Response {
        status: 200,
        reason: "OK".into(),
        headers: vec![
            ("Date".into(), date),
            ("Content-Length".into(), body.len().to_string()),
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
        ],
        body: body.into(),
    }
}

fn not_found(date: String) -> Response {
    Response {
        status: 404,
        reason: "Not Found".into(),
        headers: vec![
            ("Content-Type".into(), "text/plain; charset=utf-8".into()),
            ("X-Content-Type-Options".into(), "nosniff".into()),
            ("Date".into(), date),
            ("Content-Length".into(), "19".into()),
        ],
        body: "404 page not found\n".into(),
    }
}
