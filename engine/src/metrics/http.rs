//! What the monitoring stack's servers answer over HTTP: each exporter's
//! `/metrics` in the text exposition format (what the notes read with
//! `curl -s IP:PORT/metrics | nl | grep NAME`), and Prometheus's HTTP API
//! (queries, active alerts) and health endpoints.

use super::counters::Counters;
use super::exporters::{Exporter, Scene};
use crate::network::http::{go_not_found as not_found, go_text as text, http_date, Response};
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
pub fn serve(fabric: &Fabric, pod: &Pod, image: &str, path_and_query: &str) -> Response {
    let date = http_date(fabric.now);
    let path = path_and_query.split(['?', '#']).next().unwrap_or("/");
    let Some((exporter, _)) = Exporter::of_image(image) else { return not_found(date) };
    let node_name = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()).unwrap_or_default();
    let node = fabric.store.get(crate::api::Kind::Node, "", node_name).and_then(|o| o.as_node().cloned());
    let empty_counters = Counters::default();
    let empty_requests = Default::default();
    let (counters, requests, tsdb, reloaded) = match fabric.monitoring {
        Some((m, r)) => (&m.counters, r, (m.storage.series().len(), 0), m.config_errors().next().is_none()),
        None => (&empty_counters, &empty_requests, (0, 0), true),
    };
    let scene =
        Scene { store: fabric.store, now: fabric.now, counters, requests, network: fabric.network, tsdb, reloaded };
    match (exporter, path) {
        (Exporter::Prometheus, "/api/v1/alerts") => {
            let alerts = fabric.monitoring.map(|(m, _)| alerts_json(m)).unwrap_or_default();
            json(200, format!("{{\"status\":\"success\",\"data\":{{\"alerts\":[{alerts}]}}}}"), date)
        }
        (Exporter::Prometheus, p) if p.starts_with("/api/v1/") => {
            let empty = super::promql::Storage::new();
            let storage = fabric.monitoring.map(|(m, _)| &m.storage).unwrap_or(&empty);
            let answer = super::api::handle_url(storage, path_and_query, None, fabric.now.0);
            json(answer.status, answer.body, date)
        }
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

/// The active alerts as `/api/v1/alerts` lists them.
fn alerts_json(m: &super::monitoring::Monitoring) -> String {
    use super::api::{json_string, labels_json};
    let active = m.rules().alerts().into_iter().filter(|a| a.alert.state != super::rules::AlertState::Inactive);
    let items: Vec<String> = active
        .map(|a| {
            let a = a.alert;
            let annotations: super::promql::Labels = a.annotations.clone().into_iter().collect();
            let at = crate::time::Time(a.active_at_ms).to_k8s().0.to_string();
            format!(
                "{{\"labels\":{},\"annotations\":{},\"state\":\"{}\",\"activeAt\":{},\"value\":{}}}",
                labels_json(&a.labels),
                labels_json(&annotations),
                a.state.as_str(),
                json_string(&at),
                json_string(&go_e(a.value)),
            )
        })
        .collect();
    items.join(",")
}

/// A value as Go's `%e` with the shortest digits prints it (`1e+00`).
fn go_e(v: f64) -> String {
    if !v.is_finite() {
        return super::exposition::format_value(v);
    }
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

fn json(status: u16, body: String, date: String) -> Response {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        _ => "Service Unavailable",
    };
    Response {
        status,
        reason: reason.into(),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("Date".into(), date),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}
