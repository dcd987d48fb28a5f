//! kube-apiserver's request metrics: counts by verb, resource and code, and
//! the duration histogram `histogram_quantile` reads.

use super::Scene;
use crate::apiserver::requests::BUCKETS;
use crate::metrics::exposition::{Family, Line, Type};

pub fn families(scene: &Scene) -> Vec<Family> {
    let mut total =
        Family::new("apiserver_request_total", Type::Counter, "[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.");
    let mut duration = Family::new(
        "apiserver_request_duration_seconds",
        Type::Histogram,
        "[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.",
    );
    for (key, tally) in scene.requests.tallies() {
        let common = |with_code: bool| {
            let mut l = vec![("component", "apiserver".to_string())];
            if with_code {
                l.insert(0, ("code", key.code.to_string()));
            }
            l.extend([
                ("dry_run", String::new()),
                ("group", key.group.to_string()),
                ("resource", key.resource.to_string()),
                ("scope", key.scope.to_string()),
                ("subresource", String::new()),
                ("verb", key.verb.to_string()),
                ("version", key.version.to_string()),
            ]);
            l
        };
        total.add(common(true), tally.count as f64);
        let mut buckets: Vec<(f64, f64)> = BUCKETS.iter().zip(&tally.buckets).map(|(le, n)| (*le, *n as f64)).collect();
        buckets.push((f64::INFINITY, tally.count as f64));
        duration.add_histogram(common(false), &buckets, tally.sum);
    }
    // The histogram has no code label: fold the codes of one request kind.
    duration.samples = fold(duration.samples);
    vec![total, duration]
}

/// Adds up samples whose name and labels agree.
fn fold(samples: Vec<Line>) -> Vec<Line> {
    let mut out: Vec<Line> = Vec::new();
    let mut index: std::collections::HashMap<(&str, crate::metrics::exposition::Pairs), usize> = Default::default();
    for (suffix, labels, v) in samples {
        let key = (suffix, labels.clone());
        match index.get(&key) {
            Some(i) => {
                if let Some(slot) = out.get_mut(*i) {
                    slot.2 += v;
                }
            }
            None => {
                index.insert(key, out.len());
                out.push((suffix, labels, v));
            }
        }
    }
    out
}
