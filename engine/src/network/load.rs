//! The CPU that requests cost the pods serving them. A load generator is a
//! container looping over `wget`/`curl` (the Kubernetes walkthrough's
//! `while sleep 0.01; do wget -q -O- http://php-apache; done`): one request
//! at a time, each waiting for the answer, so its rate is one over the
//! pause plus the time the server takes, and the server's time is the
//! request's CPU cost at the CPU the serving container may use. kube-proxy
//! spreads the requests evenly over the Service's ready endpoints.
//!
//! Worked out from the store when metrics are read, as the rest of the
//! usage model is; nothing is kept.

use super::addresses;
use super::http;
use super::ingress;
use super::proxy;
use crate::api::Kind;
use crate::runtime::{images, process};
use crate::store::Store;
use crate::time::Time;
use k8s_openapi::api::core::v1::{Container, Pod};
use std::collections::HashMap;

/// CPU one request costs the server, in nanoseconds of CPU.
fn cost(image: &str) -> u64 {
    match images::short_name(image).as_str() {
        // hpa-example's index.php adds up square roots a million times.
        "hpa-example" => 40_000_000,
        "nginx" | "http-echo" => 200_000,
        "hello-app" => 300_000,
        "httpd" => 500_000,
        _ => 1_000_000,
    }
}

/// Network round trip added to every request, in nanoseconds.
const ROUND_TRIP: u64 = 1_000_000;

/// A steady stream of requests from outside the cluster (a lesson's load,
/// users of a shop): `rate` requests a second to `url`, each answered
/// whatever the server's speed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// What the teacher called it.
    pub name: String,
    /// Where the requests go: a node port, a load-balancer address, a
    /// cluster IP, or `svc.namespace`.
    pub url: String,
    /// Requests a second.
    pub rate: u64,
}

/// What requests cost each serving pod now, in nanocores.
#[derive(Debug, Default)]
pub struct Demand {
    cpu: HashMap<(String, String), u64>,
    /// Requests a second, by serving pod.
    rate: HashMap<(String, String), f64>,
}

impl Demand {
    /// The demand of every load generator running at `at`, and of the
    /// streams from outside.
    pub fn at(store: &Store, at: Time, sources: &[Source]) -> Demand {
        let mut demand = Demand::default();
        for source in sources {
            let Some((host, port, path)) = split_url(&source.url) else { continue };
            let servers = targets(store, "default", &host, port, &path);
            let Some((_, first)) = servers.first() else { continue };
            let per_pod =
                source.rate.saturating_mul(cost(first.image.as_deref().unwrap_or_default())) / servers.len() as u64;
            let rate = source.rate as f64 / servers.len() as f64;
            for ((namespace, name), _) in &servers {
                *demand.cpu.entry((namespace.clone(), name.clone())).or_default() += per_pod;
                *demand.rate.entry((namespace.clone(), name.clone())).or_default() += rate;
            }
        }
        for object in store.list(Kind::Pod, None) {
            let Some(pod) = object.as_pod() else { continue };
            for container in pod.spec.iter().flat_map(|s| &s.containers) {
                if let Some(generator) = generator(pod, container, at) {
                    demand.add(store, pod, &generator);
                }
            }
        }
        demand
    }

    /// The CPU requests cost `pod`, in nanocores.
    pub fn of(&self, namespace: &str, pod: &str) -> u64 {
        self.cpu.get(&(namespace.to_string(), pod.to_string())).copied().unwrap_or(0)
    }

    /// The requests a second `pod` serves.
    pub fn requests(&self, namespace: &str, pod: &str) -> f64 {
        self.rate.get(&(namespace.to_string(), pod.to_string())).copied().unwrap_or(0.0)
    }

    fn add(&mut self, store: &Store, client: &Pod, generator: &Generator) {
        let namespace = client.metadata.namespace.as_deref().unwrap_or("default");
        let servers = targets(store, namespace, &generator.host, generator.port, &generator.path);
        let Some((_, first)) = servers.first() else { return };
        let image = first.image.as_deref().unwrap_or_default();
        let per_request = cost(image);
        let cap = cpu_cap(first);
        let serve_time = per_request.saturating_mul(1_000_000_000) / cap.max(1);
        let cycle = generator.pause.saturating_add(serve_time).saturating_add(ROUND_TRIP);
        // requests per second × CPU per request = nanocores
        let total = per_request.saturating_mul(1_000_000_000) / cycle.max(1);
        let share = total / servers.len() as u64;
        let rate = 1e9 / cycle.max(1) as f64 / servers.len() as f64;
        for ((namespace, name), _) in &servers {
            *self.cpu.entry((namespace.clone(), name.clone())).or_default() += share;
            *self.rate.entry((namespace.clone(), name.clone())).or_default() += rate;
        }
    }
}

/// The most CPU a serving container gets, in nanocores: its limit, or a
/// core (a request is one thread).
fn cpu_cap(container: &Container) -> u64 {
    let limit = container.resources.as_ref().and_then(|r| r.limits.as_ref()).and_then(|l| l.get("cpu"));
    let millis = limit.and_then(|q| crate::quantity::cpu_millis(&q.0)).unwrap_or(1000).min(1000);
    u64::try_from(millis).unwrap_or(1000) * 1_000_000
}

/// A request loop.
struct Generator {
    host: String,
    port: i32,
    path: String,
    /// Pause between requests, in nanoseconds.
    pause: u64,
}

/// The loop a running container's script makes requests in, if any.
fn generator(pod: &Pod, container: &Container, at: Time) -> Option<Generator> {
    let status = pod.status.as_ref()?.container_statuses.as_ref()?.iter().find(|s| s.name == container.name)?;
    let started = status.state.as_ref()?.running.as_ref()?.started_at.as_ref()?;
    if Time::from_k8s(started) > at || pod.metadata.deletion_timestamp.is_some() {
        return None;
    }
    let script = process::script_of(container)?;
    let script = script.trim();
    let rest = script.strip_prefix("while").or_else(|| script.strip_prefix("until"))?;
    let (condition, body) = rest.split_once("do")?;
    let body = body.trim().trim_end_matches("done").trim().trim_end_matches(';');
    let mut pause = 0u64;
    let mut url = None;
    for part in condition.split([';', '\n']).chain(body.split([';', '\n'])).flat_map(|p| p.split("&&")) {
        let words = crate::shell::split_words(part.trim()).unwrap_or_default();
        match words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) {
            Some("sleep") => {
                let ms = words.get(1).and_then(|d| crate::time::parse_duration(d)).unwrap_or(0);
                pause = pause.saturating_add(u64::try_from(ms).unwrap_or(0).saturating_mul(1_000_000));
            }
            Some("wget" | "curl") => {
                url = words[1..].iter().rfind(|w| !w.starts_with('-')).cloned();
            }
            _ => {}
        }
    }
    let (host, port, path) = split_url(&url?)?;
    Some(Generator { host, port, path, pause })
}

/// Host, port and path of an `http://` URL.
fn split_url(url: &str) -> Option<(String, i32, String)> {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], rest[i..].to_string()),
        None => (rest, "/".to_string()),
    };
    match authority.rsplit_once(':') {
        Some((h, p)) => Some((h.to_string(), p.parse().ok()?, path)),
        None => Some((authority.to_string(), 80, path)),
    }
}

/// The pods a request from `namespace` to `host:port` spreads over, with
/// the container that serves it; through the ingress controller, the pods
/// of the backend its rules pick for `path`.
fn targets<'a>(
    store: &'a Store,
    namespace: &str,
    host: &str,
    port: i32,
    path: &str,
) -> Vec<((String, String), &'a Container)> {
    let host = host.trim_end_matches('.');
    let service = if addresses::is_ipv4(host) {
        addresses::service_by_cluster_ip(store, host)
            .map(|s| (s, port))
            .or_else(|| {
                let s = addresses::service_by_node_port(store, port)
                    .filter(|_| addresses::node_by_ip(store, host).is_some())?;
                Some((s, proxy::node_port(s, port)?.port))
            })
            .or_else(|| addresses::service_by_load_balancer_ip(store, host).map(|s| (s, port)))
    } else {
        let name = host.strip_suffix(".svc.cluster.local").or_else(|| host.strip_suffix(".svc")).unwrap_or(host);
        let (service, ns) = name.split_once('.').unwrap_or((name, namespace));
        store.get(Kind::Service, ns, service).and_then(|o| o.as_service()).map(|s| (s, port))
    };
    let backends: Vec<(String, String, i32)> = match service {
        Some((svc, port)) => match proxy::service_port(svc, port) {
            Some(p) => proxy::endpoints(store, svc, p)
                .into_iter()
                .filter_map(|e| e.pod.map(|(ns, name)| (ns, name, e.port)))
                .collect(),
            None => Vec::new(),
        },
        None => addresses::pod_by_ip(store, host)
            .map(|o| vec![(o.namespace().to_string(), o.name().to_string(), port)])
            .unwrap_or_default(),
    };
    let servers: Vec<((String, String), &Container)> = backends
        .into_iter()
        .filter_map(|(ns, name, port)| {
            let pod = store.get(Kind::Pod, &ns, &name)?.as_pod()?;
            let container = pod.spec.as_ref()?.containers.iter().find(|c| {
                let (image, command, args) = process::parts(c);
                http::listens(c, process::plan(image, command, args), port)
            })?;
            Some(((ns, name), container))
        })
        .collect();
    let through_ingress =
        servers.first().is_some_and(|(_, c)| ingress::is_controller(c.image.as_deref().unwrap_or_default()));
    match through_ingress {
        true => match ingress::backend(store, host, path) {
            Some((ns, service, port)) => {
                let url_host = format!("{service}.{ns}");
                targets(store, &ns, &url_host, port, "/")
            }
            None => servers,
        },
        false => servers,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{ContainerState, ContainerStateRunning, ContainerStatus, PodSpec, PodStatus};

    fn generator_of(argv: &[&str]) -> Option<Generator> {
        let container = Container {
            name: "load".into(),
            image: Some("busybox:1.28".into()),
            command: Some(argv.iter().map(|s| s.to_string()).collect()),
            ..Default::default()
        };
        let running = ContainerState {
            running: Some(ContainerStateRunning { started_at: Some(crate::time::EPOCH.to_k8s()) }),
            ..Default::default()
        };
        let pod = Pod {
            spec: Some(PodSpec { containers: vec![container.clone()], ..Default::default() }),
            status: Some(PodStatus {
                container_statuses: Some(vec![ContainerStatus {
                    name: "load".into(),
                    state: Some(running),
                    ..Default::default()
                }]),
                ..Default::default()
            }),
            ..Default::default()
        };
        generator(&pod, &container, crate::time::EPOCH.plus(1000))
    }

    /// The command, and the host, port, path and pause found in it.
    type Case<'a> = (&'a [&'a str], Option<(&'a str, i32, &'a str, u64)>);

    #[test]
    fn request_loops_are_found_with_their_pause() {
        let cases: &[Case] = &[
            (
                &["/bin/sh", "-c", "while sleep 0.01; do wget -q -O- http://php-apache; done"],
                Some(("php-apache", 80, "/", 10_000_000)),
            ),
            (
                &["sh", "-c", "while true; do curl -s web.shop:8080/api; sleep 1; done"],
                Some(("web.shop", 8080, "/api", 1_000_000_000)),
            ),
            (&["sh", "-c", "while true; do wget -qO- 10.96.0.20; done"], Some(("10.96.0.20", 80, "/", 0))),
            (&["sh", "-c", "wget -qO- http://php-apache"], None),
            (&["sh", "-c", "while true; do sleep 1; done"], None),
            (&["sleep", "3600"], None),
        ];
        for (argv, want) in cases {
            let got = generator_of(argv).map(|g| (g.host, g.port, g.path, g.pause));
            let want = want.map(|(h, p, path, pause)| (h.to_string(), p, path.to_string(), pause));
            assert_eq!(got, want, "{argv:?}");
        }
    }
}
