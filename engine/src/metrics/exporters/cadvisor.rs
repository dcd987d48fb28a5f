//! The kubelet's cAdvisor (`/metrics/cadvisor`): per container cgroup CPU,
//! memory and throttling, per pod the sandbox's network, and the machine.
//! As the real one, it also reports the pod cgroups and the root cgroup
//! `/` with empty `container` and `image`, which is why dashboards filter
//! on `image!=""`.

use super::{labels, seconds, Scene};
use crate::api::Kind;
use crate::metrics::counters::{self, ContainerCounters};
use crate::metrics::exposition::{Family, Type};
use crate::object::Object;
use k8s_openapi::api::core::v1::{Node, Pod};

pub fn families(scene: &Scene, node: &Node) -> Vec<Family> {
    let name = node.metadata.name.as_deref().unwrap_or_default();
    let mut cpu =
        Family::new("container_cpu_usage_seconds_total", Type::Counter, "Cumulative cpu time consumed in seconds.");
    let mut ws = Family::new("container_memory_working_set_bytes", Type::Gauge, "Current working set in bytes.");
    let mut rss = Family::new("container_memory_rss", Type::Gauge, "Size of RSS in bytes.");
    let mut mem = Family::new(
        "container_memory_usage_bytes",
        Type::Gauge,
        "Current memory usage in bytes, including all memory regardless of when it was accessed",
    );
    let mut cache = Family::new("container_memory_cache", Type::Gauge, "Number of bytes of page cache memory.");
    let mut limit = Family::new("container_spec_memory_limit_bytes", Type::Gauge, "Memory limit for the container.");
    let mut quota = Family::new("container_spec_cpu_quota", Type::Gauge, "CPU quota of the container.");
    let mut periods = Family::new(
        "container_cpu_cfs_periods_total",
        Type::Counter,
        "Number of elapsed enforcement period intervals.",
    );
    let mut throttled = Family::new(
        "container_cpu_cfs_throttled_periods_total",
        Type::Counter,
        "Number of throttled period intervals.",
    );
    let mut throttled_s = Family::new(
        "container_cpu_cfs_throttled_seconds_total",
        Type::Counter,
        "Total time duration the container has been throttled.",
    );
    let mut oom = Family::new(
        "container_oom_events_total",
        Type::Counter,
        "Count of out of memory events observed for the container",
    );
    let mut started = Family::new(
        "container_start_time_seconds",
        Type::Gauge,
        "Start time of the container since unix epoch in seconds.",
    );
    let mut rx =
        Family::new("container_network_receive_bytes_total", Type::Counter, "Cumulative count of bytes received");
    let mut tx =
        Family::new("container_network_transmit_bytes_total", Type::Counter, "Cumulative count of bytes transmitted");
    let (mut node_cpu, mut node_mem) = (0.0, 0.0);
    let mut pods: Vec<&Pod> = scene
        .store
        .pods_on_node(name)
        .filter_map(|(ns, pod)| match scene.store.get(Kind::Pod, ns, pod).map(|o| &**o) {
            Some(Object::Pod(p)) if counters::running(p) => Some(&**p),
            _ => None,
        })
        .collect();
    pods.sort_by_key(|p| (p.metadata.namespace.clone(), p.metadata.name.clone()));
    for pod in pods {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        let qos = pod.status.as_ref().and_then(|s| s.qos_class.as_deref()).unwrap_or("BestEffort").to_lowercase();
        let slice = if qos == "guaranteed" {
            format!("/kubepods.slice/kubepods-pod{}.slice", uid.replace('-', "_"))
        } else {
            format!("/kubepods.slice/kubepods-{qos}.slice/kubepods-{qos}-pod{}.slice", uid.replace('-', "_"))
        };
        let (mut pod_cpu, mut pod_mem) = (0.0, 0.0);
        for container in pod.spec.iter().flat_map(|s| &s.containers) {
            let Some(id) = counters::container_id(pod, &container.name) else { continue };
            let empty = ContainerCounters::default();
            let c = scene.counters.containers.get(id).unwrap_or(&empty);
            let image = container.image.as_deref().map(crate::runtime::images::normalize).unwrap_or_default();
            let cgroup = format!("{slice}/cri-containerd-{id}.scope");
            let l = labels(&[
                ("container", &container.name),
                ("id", &cgroup),
                ("image", &image),
                ("name", id),
                ("namespace", ns),
                ("pod", pod_name),
            ]);
            let memory = c.memory as f64;
            pod_cpu += c.cpu;
            pod_mem += memory;
            cpu.add(l.clone(), round6(c.cpu));
            ws.add(l.clone(), memory);
            rss.add(l.clone(), (memory * 0.82).round());
            mem.add(l.clone(), (memory * 1.15).round());
            cache.add(l.clone(), (memory * 0.15).round());
            let resources = container.resources.as_ref().and_then(|r| r.limits.as_ref());
            let mem_limit = resources
                .and_then(|l| l.get("memory"))
                .and_then(|q| crate::quantity::parse_milli(&q.0))
                .map(|m| (m / 1000) as f64);
            limit.add(l.clone(), mem_limit.unwrap_or(0.0));
            let cpu_limit = resources.and_then(|l| l.get("cpu")).and_then(|q| crate::quantity::cpu_millis(&q.0));
            quota.add(l.clone(), cpu_limit.map(|m| m as f64 * 100.0).unwrap_or(0.0));
            if cpu_limit.is_some() {
                periods.add(l.clone(), c.periods);
                throttled.add(l.clone(), c.throttled_periods);
                throttled_s.add(l.clone(), round6(c.throttled_seconds));
            }
            let kills =
                scene.counters.oom_kills.get(&(uid.to_string(), container.name.clone())).map(|k| k.1).unwrap_or(0.0);
            oom.add(l.clone(), kills);
            let start = pod
                .status
                .as_ref()
                .and_then(|s| s.container_statuses.as_ref())
                .and_then(|cs| cs.iter().find(|c| c.name == container.name))
                .and_then(|c| c.state.as_ref()?.running.as_ref()?.started_at.as_ref())
                .map(|t| seconds(crate::time::Time::from_k8s(t)).floor())
                .unwrap_or(0.0);
            started.add(l, start);
        }
        node_cpu += pod_cpu;
        node_mem += pod_mem;
        let pod_level = labels(&[
            ("container", ""),
            ("id", &slice),
            ("image", ""),
            ("name", ""),
            ("namespace", ns),
            ("pod", pod_name),
        ]);
        cpu.add(pod_level.clone(), round6(pod_cpu));
        ws.add(pod_level, pod_mem);
        // The network belongs to the pod's sandbox, the pause container.
        let net = scene.counters.pods.get(uid).copied().unwrap_or_default();
        let sandbox = sandbox_id(uid);
        let l = labels(&[
            ("container", ""),
            ("id", &format!("{slice}/cri-containerd-{sandbox}.scope")),
            ("image", "registry.k8s.io/pause:3.10"),
            ("interface", "eth0"),
            ("name", &sandbox),
            ("namespace", ns),
            ("pod", pod_name),
        ]);
        rx.add(l.clone(), net.received.round());
        tx.add(l, net.transmitted.round());
    }
    let root = labels(&[("container", ""), ("id", "/"), ("image", ""), ("name", ""), ("namespace", ""), ("pod", "")]);
    let node_counters = scene.counters.nodes.get(name);
    cpu.add(root.clone(), round6(node_counters.map(|c| c.busy).unwrap_or(node_cpu)));
    ws.add(root, node_mem);
    let mut machine_cpu = Family::new("machine_cpu_cores", Type::Gauge, "Number of logical CPU cores.");
    machine_cpu.add(
        labels(&[
            ("boot_id", &sandbox_id(name)),
            ("machine_id", &sandbox_id(&format!("{name}/machine"))[..32]),
            ("system_uuid", &sandbox_id(&format!("{name}/uuid"))[..32]),
        ]),
        counters::cores(node),
    );
    let mut machine_mem =
        Family::new("machine_memory_bytes", Type::Gauge, "Amount of memory installed on the machine.");
    machine_mem.add(machine_cpu.samples[0].1.clone(), super::node::memory(node));
    vec![
        cache,
        cpu,
        periods,
        throttled,
        throttled_s,
        mem,
        rss,
        ws,
        rx,
        tx,
        oom,
        quota,
        limit,
        started,
        machine_cpu,
        machine_mem,
    ]
}

/// A stable 64-hex-digit ID for a pod's sandbox (or anything else named).
fn sandbox_id(seed: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut out = String::new();
    for round in 0..4u8 {
        for b in seed.bytes().chain([round]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        out.push_str(&format!("{h:016x}"));
    }
    out
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}
