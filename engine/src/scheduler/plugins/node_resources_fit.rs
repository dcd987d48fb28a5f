//! NodeResourcesFit: the pod's requests must fit in what the node has left
//! (Filter), and emptier nodes score higher (LeastAllocated).

use super::super::framework::{Code, Status};
use super::super::snapshot::NodeInfo;
use crate::quantity;
use k8s_openapi::api::core::v1::{Container, Pod};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub const NAME: &str = "NodeResourcesFit";
pub const TOO_MANY_PODS: &str = "Too many pods";

/// Requests kube-scheduler assumes for scoring a container that sets none.
pub const DEFAULT_CPU_MILLIS: i64 = 100;
pub const DEFAULT_MEMORY: i64 = 200 * 1024 * 1024;

/// Amounts of the resources a pod can request: cpu in millicores, the rest
/// in units; extended resources (`nvidia.com/gpu`, hugepages) by name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Resources {
    pub cpu: i64,
    pub memory: i64,
    pub ephemeral: i64,
    pub scalar: Vec<(String, i64)>,
}

impl Resources {
    pub fn from_list(list: Option<&BTreeMap<String, Quantity>>) -> Resources {
        let mut r = Resources::default();
        for (name, q) in list.into_iter().flatten() {
            match name.as_str() {
                "cpu" => r.cpu = quantity::cpu_millis(&q.0).unwrap_or(0),
                "memory" => r.memory = quantity::units(&q.0).unwrap_or(0),
                "ephemeral-storage" => r.ephemeral = quantity::units(&q.0).unwrap_or(0),
                "pods" => {}
                other if is_scalar(other) => r.scalar.push((other.to_string(), quantity::units(&q.0).unwrap_or(0))),
                _ => {}
            }
        }
        r
    }

    pub fn scalar(&self, name: &str) -> i64 {
        self.scalar.iter().find(|(n, _)| n == name).map_or(0, |(_, v)| *v)
    }

    fn scalar_mut(&mut self, name: &str) -> &mut i64 {
        let at = match self.scalar.iter().position(|(n, _)| n == name) {
            Some(at) => at,
            None => {
                self.scalar.push((name.to_string(), 0));
                self.scalar.len() - 1
            }
        };
        &mut self.scalar[at].1
    }

    pub fn add(&mut self, other: &Resources) {
        self.cpu += other.cpu;
        self.memory += other.memory;
        self.ephemeral += other.ephemeral;
        for (n, v) in &other.scalar {
            *self.scalar_mut(n) += v;
        }
    }

    pub fn sub(&mut self, other: &Resources) {
        self.cpu -= other.cpu;
        self.memory -= other.memory;
        self.ephemeral -= other.ephemeral;
        for (n, v) in &other.scalar {
            *self.scalar_mut(n) -= v;
        }
    }

    fn max(&mut self, other: &Resources) {
        self.cpu = self.cpu.max(other.cpu);
        self.memory = self.memory.max(other.memory);
        self.ephemeral = self.ephemeral.max(other.ephemeral);
        for (n, v) in &other.scalar {
            let mine = self.scalar_mut(n);
            *mine = (*mine).max(*v);
        }
    }

    pub fn is_zero(&self) -> bool {
        self.cpu == 0 && self.memory == 0 && self.ephemeral == 0 && self.scalar.iter().all(|(_, v)| *v == 0)
    }
}

/// Extended resources: a domain-qualified name outside `kubernetes.io/`,
/// or hugepages.
fn is_scalar(name: &str) -> bool {
    name.starts_with("hugepages-")
        || name.starts_with("attachable-volumes-")
        || (name.contains('/') && !name.starts_with("kubernetes.io/"))
}

fn container_requests(c: &Container, non_zero: bool) -> Resources {
    let mut r = Resources::from_list(c.resources.as_ref().and_then(|r| r.requests.as_ref()));
    if non_zero {
        let set = |n: &str| c.resources.as_ref().and_then(|r| r.requests.as_ref()).is_some_and(|m| m.contains_key(n));
        if !set("cpu") {
            r.cpu = DEFAULT_CPU_MILLIS;
        }
        if !set("memory") {
            r.memory = DEFAULT_MEMORY;
        }
    }
    r
}

/// kube's pod request: app containers plus sidecars (init containers that
/// keep running), or the largest init container with the sidecars started
/// before it, whichever is more; plus the pod overhead.
fn requests_with(pod: &Pod, non_zero: bool) -> Resources {
    let Some(spec) = pod.spec.as_ref() else { return Resources::default() };
    let mut app = Resources::default();
    for c in &spec.containers {
        app.add(&container_requests(c, non_zero));
    }
    let mut sidecars = Resources::default();
    let mut init = Resources::default();
    for c in spec.init_containers.iter().flatten() {
        let own = container_requests(c, non_zero);
        let during = if c.restart_policy.as_deref() == Some("Always") {
            app.add(&own);
            sidecars.add(&own);
            sidecars.clone()
        } else {
            let mut with = own;
            with.add(&sidecars);
            with
        };
        init.max(&during);
    }
    app.max(&init);
    app.add(&Resources::from_list(spec.overhead.as_ref()));
    app
}

/// What the pod requests, and (cpu, memory) with the scoring defaults.
pub(crate) fn pod_requests(pod: &Pod) -> (Resources, (i64, i64)) {
    let requests = requests_with(pod, false);
    let non_zero = requests_with(pod, true);
    (requests, (non_zero.cpu, non_zero.memory))
}

/// Filter: every shortage on the node, each its own reason.
// Inlined into the per-node filter loop: most nodes pass on a flag check.
#[inline]
pub(crate) fn filter(request: &Resources, node: &NodeInfo) -> Option<Status> {
    let mut reasons: Vec<Cow<'static, str>> = Vec::new();
    if node.pods.len() as i64 + 1 > node.allowed_pods {
        reasons.push(TOO_MANY_PODS.into());
    }
    if !request.is_zero() {
        let a = &node.allocatable;
        let used = &node.requested;
        if request.cpu > 0 && request.cpu > a.cpu - used.cpu {
            reasons.push("Insufficient cpu".into());
        }
        if request.memory > 0 && request.memory > a.memory - used.memory {
            reasons.push("Insufficient memory".into());
        }
        if request.ephemeral > 0 && request.ephemeral > a.ephemeral - used.ephemeral {
            reasons.push("Insufficient ephemeral-storage".into());
        }
        for (name, want) in &request.scalar {
            if *want > 0 && *want > a.scalar(name) - used.scalar(name) {
                reasons.push(format!("Insufficient {name}").into());
            }
        }
    }
    (!reasons.is_empty()).then(|| Status::new(NAME, Code::Unschedulable, reasons))
}

/// leastRequestedScore for one resource.
pub fn least_requested(requested: i64, capacity: i64) -> i64 {
    if capacity == 0 || requested > capacity {
        return 0;
    }
    (capacity - requested) * 100 / capacity
}

/// LeastAllocated over cpu and memory (weight 1 each), with the
/// non-zero defaults on both sides.
pub(crate) fn score(non_zero: (i64, i64), node: &NodeInfo) -> i64 {
    let cpu = least_requested(node.non_zero.0 + non_zero.0, node.allocatable.cpu);
    let memory = least_requested(node.non_zero.1 + non_zero.1, node.allocatable.memory);
    (cpu + memory) / 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::{PodSpec, ResourceRequirements};

    fn container(cpu: Option<&str>, memory: Option<&str>, restart: Option<&str>) -> Container {
        let mut requests = BTreeMap::new();
        if let Some(c) = cpu {
            requests.insert("cpu".to_string(), Quantity(c.into()));
        }
        if let Some(m) = memory {
            requests.insert("memory".to_string(), Quantity(m.into()));
        }
        Container {
            resources: Some(ResourceRequirements { requests: Some(requests), ..Default::default() }),
            restart_policy: restart.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn least_requested_table() {
        // (requested, capacity, want)
        let cases = [(0, 4000, 100), (1000, 4000, 75), (3999, 4000, 0), (4000, 4000, 0), (5000, 4000, 0), (1, 0, 0)];
        for (req, cap, want) in cases {
            assert_eq!(least_requested(req, cap), want, "{req}/{cap}");
        }
    }

    #[test]
    fn pod_requests_count_init_containers_sidecars_and_overhead() {
        type Case = (&'static str, Vec<Container>, Vec<Container>, Option<&'static str>, (i64, i64), (i64, i64));
        let cases: Vec<Case> = vec![
            (
                "app only",
                vec![container(Some("200m"), Some("1Mi"), None)],
                vec![],
                None,
                (200, 1 << 20),
                (200, 1 << 20),
            ),
            (
                "best effort gets defaults to score",
                vec![container(None, None, None)],
                vec![],
                None,
                (0, 0),
                (100, DEFAULT_MEMORY),
            ),
            (
                "big init wins",
                vec![container(Some("100m"), Some("1Mi"), None)],
                vec![container(Some("500m"), Some("1Mi"), None)],
                None,
                (500, 1 << 20),
                (500, 1 << 20),
            ),
            (
                "sidecar adds to app and to later init",
                vec![container(Some("100m"), Some("1Mi"), None)],
                vec![container(Some("50m"), Some("1Mi"), Some("Always")), container(Some("120m"), Some("1Mi"), None)],
                None,
                (170, 2 << 20),
                (170, 2 << 20),
            ),
            (
                "overhead",
                vec![container(Some("100m"), Some("1Mi"), None)],
                vec![],
                Some("250m"),
                (350, 1 << 20),
                (350, 1 << 20),
            ),
        ];
        for (name, app, init, overhead, want, want_non_zero) in cases {
            let pod = Pod {
                spec: Some(PodSpec {
                    containers: app,
                    init_containers: Some(init),
                    overhead: overhead.map(|o| BTreeMap::from([("cpu".to_string(), Quantity(o.into()))])),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let (r, nz) = pod_requests(&pod);
            assert_eq!((r.cpu, r.memory), want, "{name}");
            assert_eq!(nz, want_non_zero, "{name}");
        }
    }
}
