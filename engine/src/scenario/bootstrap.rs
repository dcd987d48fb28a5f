//! Lays down a preset as kubeadm would have left it: namespaces, Ready nodes
//! with the control-plane taint, and the kube-system pods already running.

use super::Preset;
use crate::apiserver::ApiServer;
use crate::object::Object;
use crate::quantity;
use crate::runtime::images;
use crate::time::{parse_duration, Time, SECOND};
use k8s_openapi::api::core::v1::{
    Container, ContainerImage, ContainerState, ContainerStateRunning, ContainerStatus, HostIP, Namespace,
    NamespaceStatus, Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, Pod, PodCondition, PodIP,
    PodSpec, PodStatus, Taint, Toleration,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";

/// Memory the kubelet keeps back as its hard eviction threshold.
const EVICTION_RESERVE: i64 = 100 * 1024 * 1024;

fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

fn meta(namespace: Option<&str>, name: &str, labels: Option<BTreeMap<String, String>>) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), namespace: namespace.map(String::from), labels, ..Default::default() }
}

/// Builds the preset's cluster into `api`. Returns the time the cluster was
/// built, before the clock's start by the preset's `builtAgo`.
pub fn bootstrap(api: &mut ApiServer, preset: &Preset, clock_start: Time) -> Time {
    let built = clock_start.plus(-parse_duration(&preset.built_ago).unwrap_or(0));
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let namespace = Namespace {
            metadata: meta(None, ns, labels(&[("kubernetes.io/metadata.name", ns)])),
            spec: Some(Default::default()),
            status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
        };
        create(api, Object::Namespace(namespace), built);
    }
    let mut pods = Vec::new();
    for (i, spec) in preset.nodes.iter().enumerate() {
        // Control planes come up first; workers join a minute apart.
        let joined = built.plus(i as i64 * 60 * SECOND);
        create(api, Object::Node(node(spec, &preset.kubernetes_version, joined)), joined);
        let v = &preset.kubernetes_version;
        if spec.control_plane {
            for (component, image) in [
                ("etcd", "registry.k8s.io/etcd:3.5.16-0".to_string()),
                ("kube-apiserver", format!("registry.k8s.io/kube-apiserver:{v}")),
                ("kube-controller-manager", format!("registry.k8s.io/kube-controller-manager:{v}")),
                ("kube-scheduler", format!("registry.k8s.io/kube-scheduler:{v}")),
            ] {
                let name = format!("{component}-{}", spec.name);
                let lbl = labels(&[("component", component), ("tier", "control-plane")]);
                pods.push((name, spec, true, component.to_string(), image, lbl, joined));
            }
        }
        let proxy = format!("kube-proxy-{}", api.name_suffix(5));
        let lbl = labels(&[("k8s-app", "kube-proxy")]);
        pods.push((proxy, spec, true, "kube-proxy".into(), format!("registry.k8s.io/kube-proxy:{v}"), lbl, joined));
        let calico = format!("calico-node-{}", api.name_suffix(5));
        let lbl = labels(&[("k8s-app", "calico-node")]);
        pods.push((calico, spec, true, "calico-node".into(), "docker.io/calico/node:v3.29.1".into(), lbl, joined));
    }
    let first = &preset.nodes[0];
    let last = preset.nodes.last().unwrap_or(first);
    let addons = [
        ("coredns", "kube-dns", "registry.k8s.io/coredns/coredns:v1.11.3", first, 2),
        ("calico-kube-controllers", "calico-kube-controllers", "docker.io/calico/kube-controllers:v3.29.1", first, 1),
        ("metrics-server", "metrics-server", "registry.k8s.io/metrics-server/metrics-server:v0.7.2", last, 1),
    ];
    for (app, k8s_app, image, node, replicas) in addons {
        let hash = api.name_suffix(10);
        for _ in 0..replicas {
            let name = format!("{app}-{hash}-{}", api.name_suffix(5));
            let lbl = labels(&[("k8s-app", k8s_app), ("pod-template-hash", &hash)]);
            let started = built.plus(2 * 60 * SECOND);
            pods.push((name, node, false, app.to_string(), image.to_string(), lbl, started));
        }
    }
    let mut next_ip: BTreeMap<&str, u8> = BTreeMap::new();
    for (name, node, host_network, container, image, lbl, started) in pods {
        let ip = if host_network {
            node.ip.clone()
        } else {
            let octet = next_ip.entry(node.name.as_str()).or_insert(2);
            *octet += 1;
            let base = node.pod_cidr.rsplit_once('.').map_or("", |(b, _)| b);
            format!("{base}.{}", *octet - 1)
        };
        let pod = running_pod(&name, node, &ip, host_network, &container, &image, lbl, started);
        create(api, Object::Pod(pod), started);
    }
    built
}

fn create(api: &mut ApiServer, object: Object, at: Time) {
    // The bundled presets are valid by construction (pinned by the preset
    // tests); a rejected object would only mean a smaller cluster.
    let _ = api.create(object, at, false);
}

fn node(spec: &super::PresetNode, version: &str, joined: Time) -> Node {
    let mut lbl = vec![
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", spec.name.as_str()),
        ("kubernetes.io/os", "linux"),
    ];
    if spec.control_plane {
        lbl.push((CONTROL_PLANE_TAINT, ""));
        lbl.push(("node.kubernetes.io/exclude-from-external-load-balancers", ""));
    }
    let mut metadata = meta(None, &spec.name, labels(&lbl));
    metadata.annotations = labels(&[
        ("kubeadm.alpha.kubernetes.io/cri-socket", "unix:///var/run/containerd/containerd.sock"),
        ("node.alpha.kubernetes.io/ttl", "0"),
        ("projectcalico.org/IPv4Address", &format!("{}/24", spec.ip)),
        ("volumes.kubernetes.io/controller-managed-attach-detach", "true"),
    ]);
    let taints = (spec.control_plane && !spec.schedulable)
        .then(|| vec![Taint { key: CONTROL_PLANE_TAINT.into(), effect: "NoSchedule".into(), ..Default::default() }]);
    let memory = quantity::units(&spec.memory).unwrap_or(0);
    let q = |s: String| Quantity(s);
    let capacity: BTreeMap<String, Quantity> = [
        ("cpu", q(spec.cpu.clone())),
        ("ephemeral-storage", q("61202244Ki".into())),
        ("hugepages-1Gi", q("0".into())),
        ("hugepages-2Mi", q("0".into())),
        ("memory", q(format!("{}Ki", memory / 1024))),
        ("pods", q("110".into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut allocatable = capacity.clone();
    allocatable.insert("ephemeral-storage".into(), q("56403987978".into()));
    allocatable.insert("memory".into(), q(format!("{}Ki", (memory - EVICTION_RESERVE) / 1024)));
    let condition = |type_: &str, status: &str, reason: &str, message: &str| NodeCondition {
        type_: type_.into(),
        status: status.into(),
        reason: Some(reason.into()),
        message: Some(message.into()),
        last_heartbeat_time: Some(joined.to_k8s()),
        last_transition_time: Some(joined.to_k8s()),
    };
    Node {
        metadata,
        spec: Some(NodeSpec {
            pod_cidr: Some(spec.pod_cidr.clone()),
            pod_cidrs: Some(vec![spec.pod_cidr.clone()]),
            taints,
            ..Default::default()
        }),
        status: Some(NodeStatus {
            addresses: Some(vec![
                NodeAddress { type_: "InternalIP".into(), address: spec.ip.clone() },
                NodeAddress { type_: "Hostname".into(), address: spec.name.clone() },
            ]),
            allocatable: Some(allocatable),
            capacity: Some(capacity),
            conditions: Some(vec![
                condition("NetworkUnavailable", "False", "CalicoIsUp", "Calico is running on this node"),
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ]),
            images: Some(vec![ContainerImage {
                names: Some(vec![images::normalize(&format!("registry.k8s.io/kube-proxy:{version}"))]),
                size_bytes: Some(30_000_000),
            }]),
            node_info: Some(NodeSystemInfo {
                architecture: "amd64".into(),
                boot_id: String::new(),
                container_runtime_version: "containerd://1.7.24".into(),
                kernel_version: "5.15.0-126-generic".into(),
                kube_proxy_version: String::new(),
                kubelet_version: version.into(),
                machine_id: String::new(),
                operating_system: "linux".into(),
                os_image: "Ubuntu 22.04.5 LTS".into(),
                system_uuid: String::new(),
            }),
            ..Default::default()
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn running_pod(
    name: &str,
    node: &super::PresetNode,
    ip: &str,
    host_network: bool,
    container: &str,
    image: &str,
    labels: Option<BTreeMap<String, String>>,
    started: Time,
) -> Pod {
    let ready_at = started.plus(5 * SECOND);
    let condition = |type_: &str, at: Time| PodCondition {
        type_: type_.into(),
        status: "True".into(),
        last_transition_time: Some(at.to_k8s()),
        ..Default::default()
    };
    Pod {
        metadata: meta(Some("kube-system"), name, labels),
        spec: Some(PodSpec {
            containers: vec![Container { name: container.into(), image: Some(image.into()), ..Default::default() }],
            node_name: Some(node.name.clone()),
            host_network: host_network.then_some(true),
            priority_class_name: Some(
                if host_network { "system-node-critical" } else { "system-cluster-critical" }.into(),
            ),
            priority: Some(if host_network { 2_000_001_000 } else { 2_000_000_000 }),
            tolerations: Some(vec![Toleration { operator: Some("Exists".into()), ..Default::default() }]),
            ..Default::default()
        }),
        status: Some(PodStatus {
            phase: Some("Running".into()),
            host_ip: Some(node.ip.clone()),
            host_ips: Some(vec![HostIP { ip: node.ip.clone() }]),
            pod_ip: Some(ip.into()),
            pod_ips: Some(vec![PodIP { ip: ip.into() }]),
            start_time: Some(started.to_k8s()),
            conditions: Some(vec![
                condition("PodReadyToStartContainers", ready_at),
                condition("Initialized", started),
                condition("Ready", ready_at),
                condition("ContainersReady", ready_at),
                condition("PodScheduled", started),
            ]),
            container_statuses: Some(vec![ContainerStatus {
                name: container.into(),
                image: images::normalize(image),
                image_id: images::image_id(image),
                container_id: Some(format!("containerd://{}", &images::digest(name)[7..])),
                ready: true,
                started: Some(true),
                restart_count: 0,
                state: Some(ContainerState {
                    running: Some(ContainerStateRunning { started_at: Some(ready_at.to_k8s()) }),
                    ..Default::default()
                }),
                last_state: Some(Default::default()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}
