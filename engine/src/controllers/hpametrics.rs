//! The horizontal pod autoscaler's metrics clients. Resource metrics come
//! from metrics-server (`metrics::resource`), listed for the pods a selector
//! picks and summed per pod or read from one container, as the controller's
//! REST metrics client does. Custom and external metrics need an adapter
//! serving custom.metrics.k8s.io or external.metrics.k8s.io; the playground
//! runs none, so those lists fail the way they do on a cluster without one.

use super::replicacalculator::{Sample, Samples};
use crate::api::Kind;
use crate::labels::Selector;
use crate::metrics::resource;
use crate::store::Store;
use crate::time::{Millis, Time};

/// What the aggregator answers for metrics.k8s.io while metrics-server has
/// no ready pod.
const UNAVAILABLE: &str = "the server is currently unable to handle the request (get pods.metrics.k8s.io)";

/// One PodMetrics item: each container's usage of the resource asked for,
/// in thousandths (`None` when the container reports none).
#[derive(Clone, Debug)]
pub struct PodMetrics {
    pub namespace: String,
    pub name: String,
    pub containers: Vec<(String, Option<i64>)>,
}

/// GetResourceMetric for the pods `selector` picks in `namespace`.
pub fn resource_samples(
    store: &Store,
    namespace: &str,
    selector: &Selector,
    name: &str,
    container: Option<&str>,
    now: Time,
    traffic: &[crate::network::load::Source],
) -> Result<Samples, String> {
    if !resource::available(store) {
        return Err(format!("unable to fetch metrics from resource metrics API: {UNAVAILABLE}"));
    }
    let demand = resource::demand(store, now, traffic);
    let list: Vec<PodMetrics> = store
        .select(Kind::Pod, Some(namespace), selector)
        .into_iter()
        .filter_map(|o| o.as_pod())
        .filter_map(|pod| {
            let containers = resource::pod(pod, now, &demand)?;
            Some(PodMetrics {
                namespace: namespace.to_string(),
                name: pod.metadata.name.clone().unwrap_or_default(),
                containers: containers.into_iter().map(|c| (c.name, usage(name, c.usage))).collect(),
            })
        })
        .collect();
    samples(&list, container, resource::scraped_at(now), resource::RESOLUTION)
}

/// A container's use of a resource in thousandths, as Quantity.MilliValue
/// reads metrics-server's nanocores and bytes.
fn usage(name: &str, usage: crate::runtime::usage::Usage) -> Option<i64> {
    let milli = match name {
        "cpu" => u128::from(usage.nanocores).div_ceil(1_000_000),
        "memory" => u128::from(usage.memory) * 1000,
        _ => return None,
    };
    Some(i64::try_from(milli).unwrap_or(i64::MAX))
}

/// The samples of a PodMetrics list: a pod's containers summed (a pod
/// missing the resource in any container is left out), or the named
/// container's, which every pod must report.
pub fn samples(
    list: &[PodMetrics],
    container: Option<&str>,
    timestamp: Time,
    window: Millis,
) -> Result<Samples, String> {
    if list.is_empty() {
        return Err("no metrics returned from resource metrics API".into());
    }
    let mut out = Samples::new();
    for pod in list {
        let value = match container {
            Some(wanted) => {
                let Some((_, value)) = pod.containers.iter().find(|(name, _)| name == wanted) else {
                    return Err(format!(
                        "failed to get container metrics: container {wanted} not present in metrics for pod {}/{}",
                        pod.namespace, pod.name
                    ));
                };
                *value
            }
            None if pod.containers.is_empty() => None,
            None => pod.containers.iter().try_fold(0i64, |sum, (_, v)| v.map(|v| sum.saturating_add(v))),
        };
        if let Some(value) = value {
            out.insert(pod.name.clone(), Sample { value, timestamp, window });
        }
    }
    Ok(out)
}

/// What the custom metrics client answers for any Pods or Object metric:
/// no adapter serves custom.metrics.k8s.io here.
pub fn custom_metrics_unserved() -> String {
    "unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered".into()
}

/// What the external metrics client answers for `metric`: nothing serves
/// external.metrics.k8s.io, so the list is not found.
pub fn external_metrics_unserved(metric: &str) -> String {
    format!(
        "unable to fetch metrics from external metrics API: the server could not find the requested resource (get {}.external.metrics.k8s.io)",
        metric.to_ascii_lowercase()
    )
}
