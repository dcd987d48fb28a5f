//! Lays down a preset as kubeadm would have left it: namespaces, Ready nodes
//! with the control-plane taint, and the kube-system pods already running.

use super::Preset;
use crate::apiserver::ApiServer;
use crate::controllers::daemonset::{daemon_tolerations, REVISION_HASH};
use crate::controllers::deployment::{template_hash, HASH_LABEL, REVISION};
use crate::controllers::pods::{from_template, owner_reference};
use crate::controllers::provisioner::LOCAL_PATH;
use crate::object::Object;
use crate::quantity;
use crate::runtime::images;
use crate::time::{parse_duration, Time, SECOND};
use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec, Deployment, DeploymentSpec, ReplicaSet, ReplicaSetSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapVolumeSource, Container, ContainerImage, ContainerState, ContainerStateRunning,
    ContainerStatus, EnvVar, EnvVarSource, HostIP, Namespace, NamespaceStatus, Node, NodeAddress, NodeCondition,
    NodeSpec, NodeStatus, NodeSystemInfo, ObjectFieldSelector, Pod, PodCondition, PodIP, PodSpec, PodStatus,
    PodTemplateSpec, ResourceRequirements, ServiceAccount, Taint, Toleration, Volume, VolumeMount,
};
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

const CONTROL_PLANE_TAINT: &str = crate::labels::CONTROL_PLANE;

/// Memory the kubelet keeps back as its hard eviction threshold.
const EVICTION_RESERVE: i64 = 100 * 1024 * 1024;

pub(super) fn labels(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
    Some(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

pub(super) fn meta(namespace: Option<&str>, name: &str, labels: Option<BTreeMap<String, String>>) -> ObjectMeta {
    ObjectMeta { name: Some(name.into()), namespace: namespace.map(String::from), labels, ..Default::default() }
}

/// A kube-system workload the lab runs.
struct Addon {
    name: &'static str,
    app: &'static str,
    image: String,
    host_network: bool,
    /// `None`: a DaemonSet on every node; `Some((replicas, node index))`: a
    /// Deployment whose pods all run on that node.
    placement: Option<(usize, usize)>,
    tolerations: Vec<Toleration>,
    /// What its manifest requests and limits, as the addon's upstream
    /// manifest sets them.
    requests: &'static [(&'static str, &'static str)],
    limits: &'static [(&'static str, &'static str)],
}

/// Builds the preset's cluster into `api`. Returns the time the cluster was
/// built, before the clock's start by the preset's `builtAgo`.
pub fn bootstrap(api: &mut ApiServer, preset: &Preset, clock_start: Time) -> Time {
    let nodes = preset.all_nodes();
    let built = clock_start.plus(-parse_duration(&preset.built_ago).unwrap_or(0));
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let namespace = Namespace {
            metadata: meta(None, ns, labels(&[("kubernetes.io/metadata.name", ns)])),
            spec: Some(Default::default()),
            status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
        };
        create(api, Object::Namespace(Box::new(namespace)), built);
    }
    for (name, value, description) in [
        ("system-cluster-critical", 2_000_000_000, "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary."),
        ("system-node-critical", 2_000_001_000, "Used for system critical pods that must not be moved from their current node."),
    ] {
        let pc = PriorityClass {
            metadata: meta(None, name, None),
            value,
            description: Some(description.into()),
            preemption_policy: Some("PreemptLowerPriority".into()),
            global_default: None,
        };
        create(api, Object::PriorityClass(Box::new(pc)), built);
    }
    for (ns, name, ip, selector, ports, lbl) in [
        (
            "default",
            "kubernetes",
            "10.96.0.1",
            None,
            vec![("https", 443, "TCP", 6443)],
            vec![("component", "apiserver"), ("provider", "kubernetes")],
        ),
        (
            "kube-system",
            "kube-dns",
            "10.96.0.10",
            Some("kube-dns"),
            vec![("dns", 53, "UDP", 53), ("dns-tcp", 53, "TCP", 53), ("metrics", 9153, "TCP", 9153)],
            vec![("k8s-app", "kube-dns"), ("kubernetes.io/cluster-service", "true"), ("kubernetes.io/name", "CoreDNS")],
        ),
        (
            "kube-system",
            "metrics-server",
            "10.102.180.7",
            Some("metrics-server"),
            vec![("https", 443, "TCP", 10250)],
            vec![("k8s-app", "metrics-server")],
        ),
    ] {
        let service = Service {
            metadata: meta(Some(ns), name, labels(&lbl)),
            spec: Some(ServiceSpec {
                cluster_ip: Some(ip.into()),
                selector: selector.and_then(|app| labels(&[("k8s-app", app)])),
                ports: Some(
                    ports
                        .into_iter()
                        .map(|(port_name, port, protocol, target)| ServicePort {
                            name: Some(port_name.into()),
                            port,
                            protocol: Some(protocol.into()),
                            target_port: Some(IntOrString::Int(target)),
                            ..Default::default()
                        })
                        .collect(),
                ),
                ..Default::default()
            }),
            status: None,
        };
        create(api, Object::Service(Box::new(service)), built);
    }
    let v = preset.kubernetes_version.clone();
    let mut ips = IpPlan::default();
    for (i, spec) in nodes.iter().enumerate() {
        // Control planes come up first; workers join a minute apart.
        let joined = built.plus(i as i64 * 60 * SECOND);
        let Some(node) = create(api, Object::Node(Box::new(node(spec, &v, joined))), joined) else { continue };
        create(api, Object::Lease(Box::new(lease(&node, joined, clock_start))), joined);
        if !spec.control_plane {
            continue;
        }
        // The static control-plane pods, mirrored into the API as the kubelet does.
        for (component, image) in [
            ("etcd", "registry.k8s.io/etcd:3.5.16-0".to_string()),
            ("kube-apiserver", format!("registry.k8s.io/kube-apiserver:{v}")),
            ("kube-controller-manager", format!("registry.k8s.io/kube-controller-manager:{v}")),
            ("kube-scheduler", format!("registry.k8s.io/kube-scheduler:{v}")),
        ] {
            let template = template(
                &labels(&[("component", component), ("tier", "control-plane")]),
                component,
                &image,
                true,
                vec![Toleration {
                    operator: Some("Exists".into()),
                    effect: Some("NoExecute".into()),
                    ..Default::default()
                }],
            );
            let mut pod = from_template(&template, &node, String::new());
            if let Some(container) = pod.spec.as_mut().and_then(|s| s.containers.first_mut()) {
                let network = super::control_plane::pod_network(&spec.pod_cidr);
                container.command = Some(super::control_plane::command(component, &spec.name, &spec.ip, &network));
                container.resources = Some(super::control_plane::resources(component));
            }
            pod.metadata.generate_name = None;
            pod.metadata.name = Some(format!("{component}-{}", spec.name));
            pod.metadata.namespace = Some("kube-system".into());
            if let Some(r) = pod.metadata.owner_references.as_mut().and_then(|r| r.first_mut()) {
                r.block_owner_deletion = None;
            }
            let hash = images::digest(&format!("{component}/{v}"))[7..39].to_string();
            pod.metadata.annotations = Some(crate::kubelet::mirror_annotations(&hash, joined));
            let pod = running(pod, spec, &ips.next(spec, true), joined);
            create(api, Object::Pod(Box::new(pod)), joined);
        }
    }
    let control_plane_toleration =
        Toleration { key: Some(CONTROL_PLANE_TAINT.into()), effect: Some("NoSchedule".into()), ..Default::default() };
    let everything = Toleration { operator: Some("Exists".into()), ..Default::default() };
    let addons = [
        Addon {
            name: "kube-proxy",
            app: "kube-proxy",
            image: format!("registry.k8s.io/kube-proxy:{v}"),
            host_network: true,
            placement: None,
            tolerations: vec![everything.clone()],
            requests: &[],
            limits: &[],
        },
        Addon {
            name: "calico-node",
            app: "calico-node",
            image: "docker.io/calico/node:v3.29.1".into(),
            host_network: true,
            placement: None,
            tolerations: vec![everything],
            requests: &[("cpu", "250m")],
            limits: &[],
        },
        Addon {
            name: "coredns",
            app: "kube-dns",
            image: "registry.k8s.io/coredns/coredns:v1.11.3".into(),
            host_network: false,
            placement: Some((2, 0)),
            tolerations: vec![
                Toleration {
                    key: Some("CriticalAddonsOnly".into()),
                    operator: Some("Exists".into()),
                    ..Default::default()
                },
                control_plane_toleration.clone(),
            ],
            requests: &[("cpu", "100m"), ("memory", "70Mi")],
            limits: &[("memory", "170Mi")],
        },
        Addon {
            name: "calico-kube-controllers",
            app: "calico-kube-controllers",
            image: "docker.io/calico/kube-controllers:v3.29.1".into(),
            host_network: false,
            placement: Some((1, 0)),
            tolerations: vec![control_plane_toleration],
            requests: &[],
            limits: &[],
        },
        Addon {
            name: "metrics-server",
            app: "metrics-server",
            image: "registry.k8s.io/metrics-server/metrics-server:v0.7.2".into(),
            host_network: false,
            placement: Some((1, nodes.len().saturating_sub(1))),
            tolerations: Vec::new(),
            requests: &[("cpu", "100m"), ("memory", "200Mi")],
            limits: &[],
        },
    ];
    let started = built.plus(2 * 60 * SECOND);
    for addon in addons {
        let lbl = labels(&[("k8s-app", addon.app)]);
        let mut template = template(&lbl, addon.name, &addon.image, addon.host_network, addon.tolerations.clone());
        if let Some(container) = template.spec.as_mut().and_then(|s| s.containers.first_mut()) {
            let amounts = |pairs: &[(&str, &str)]| {
                (!pairs.is_empty())
                    .then(|| pairs.iter().map(|(k, v)| (k.to_string(), Quantity(v.to_string()))).collect())
            };
            container.resources = Some(ResourceRequirements {
                requests: amounts(addon.requests),
                limits: amounts(addon.limits),
                ..Default::default()
            });
        }
        let selector = LabelSelector { match_labels: lbl.clone(), match_expressions: None };
        let mut object_meta = meta(Some("kube-system"), addon.name, lbl.clone());
        object_meta.annotations = None;
        match addon.placement {
            None => {
                let ds = DaemonSet {
                    metadata: object_meta,
                    spec: Some(DaemonSetSpec { selector, template, ..Default::default() }),
                    status: None,
                };
                lay_daemon_set(api, ds, &nodes, &mut ips, built);
            }
            Some((replicas, node_index)) => {
                let Some(node) = nodes.get(node_index.min(nodes.len().saturating_sub(1))) else { continue };
                let placement = Placement { replicas, node, ips: &mut ips, built, started };
                lay_deployment(api, object_meta, template, placement);
            }
        }
    }
    for class in &preset.storage_classes {
        // Laid down on a side stream, so the names generated after it are
        // those the cluster had before it had storage.
        api.with_side_stream(0x0570_7a6e, |api| storage_class(api, class, &nodes, &mut ips, built, started));
    }
    if preset.metallb.is_some() {
        api.with_side_stream(0x3e7a_11b0, |api| super::metallb::lay_down(api, &nodes, &mut ips, built, started));
    }
    if let Some(ingress) = &preset.ingress_nginx {
        api.with_side_stream(0x1a9e_55e5, |api| {
            super::ingress_nginx::lay_down(api, ingress, &nodes, &mut ips, built, started)
        });
    }
    if preset.monitoring {
        api.with_side_stream(0x9e0_4e75, |api| super::monitoring::lay_down(api, &nodes, &mut ips, built, started));
    }
    let control_planes: Vec<String> = nodes.iter().filter(|n| n.control_plane).map(|n| n.ip.clone()).collect();
    api.with_side_stream(0xe9d9_0175, |api| super::endpoints::lay_down(api, &control_planes));
    built
}

/// A DaemonSet with a pod already running on each node, each from the time
/// its node joined, labelled as the DaemonSet controller would have.
pub(super) fn lay_daemon_set(
    api: &mut ApiServer,
    ds: DaemonSet,
    nodes: &[super::PresetNode],
    ips: &mut IpPlan,
    built: Time,
) -> Option<std::sync::Arc<Object>> {
    let name = ds.metadata.name.clone().unwrap_or_default();
    let ds = create(api, Object::DaemonSet(Box::new(ds)), built)?;
    let Object::DaemonSet(d) = &*ds else { return None };
    let template = d.spec.as_ref().map(|s| s.template.clone())?;
    let host_network = template.spec.as_ref().and_then(|s| s.host_network).unwrap_or(false);
    let hash = template_hash(&template, None);
    for (i, spec) in nodes.iter().enumerate() {
        let mut pod = from_template(&template, &ds, String::new());
        // What the DaemonSet controller adds to every pod it makes.
        if let Some(s) = pod.spec.as_mut() {
            let tolerations = s.tolerations.get_or_insert_with(Vec::new);
            crate::controllers::daemonset::add_or_update(tolerations, daemon_tolerations(host_network));
        }
        pod.metadata.generate_name = None;
        pod.metadata.name = Some(format!("{name}-{}", api.name_suffix(5)));
        let l = pod.metadata.labels.get_or_insert_with(BTreeMap::new);
        l.insert(REVISION_HASH.into(), hash.clone());
        l.insert("pod-template-generation".into(), "1".into());
        let joined = built.plus(i as i64 * 60 * SECOND);
        let pod = running(pod, spec, &ips.next(spec, host_network), joined);
        create(api, Object::Pod(Box::new(pod)), joined);
    }
    Some(ds)
}

/// Where and when a bootstrap Deployment's pods run.
pub(super) struct Placement<'a> {
    pub replicas: usize,
    pub node: &'a super::PresetNode,
    pub ips: &'a mut IpPlan,
    pub built: Time,
    pub started: Time,
}

/// A Deployment with its first ReplicaSet and its pods already running on
/// one node, owned as the deployment controller would have left them.
pub(super) fn lay_deployment(api: &mut ApiServer, object_meta: ObjectMeta, template: PodTemplateSpec, at: Placement) {
    let ns = object_meta.namespace.clone().unwrap_or_default();
    let name = object_meta.name.clone().unwrap_or_default();
    let selector = LabelSelector {
        match_labels: template.metadata.as_ref().and_then(|m| m.labels.clone()),
        match_expressions: None,
    };
    let replicas = at.replicas;
    let deployment = Deployment {
        metadata: object_meta,
        spec: Some(DeploymentSpec {
            replicas: Some(replicas as i32),
            selector: selector.clone(),
            template,
            ..Default::default()
        }),
        status: None,
    };
    let Some(d) = create(api, Object::Deployment(Box::new(deployment)), at.built) else { return };
    let Object::Deployment(dep) = &*d else { return };
    let Some(mut template) = dep.spec.as_ref().map(|s| s.template.clone()) else { return };
    let hash = template_hash(&template, None);
    template
        .metadata
        .get_or_insert_with(Default::default)
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(HASH_LABEL.into(), hash.clone());
    let mut rs_selector = selector;
    rs_selector.match_labels.get_or_insert_with(BTreeMap::new).insert(HASH_LABEL.into(), hash.clone());
    let mut rs_meta =
        meta(Some(&ns), &format!("{name}-{hash}"), template.metadata.as_ref().and_then(|m| m.labels.clone()));
    rs_meta.annotations = labels(&[
        ("deployment.kubernetes.io/desired-replicas", &replicas.to_string()),
        ("deployment.kubernetes.io/max-replicas", &(replicas + 1).to_string()),
        (REVISION, "1"),
    ]);
    rs_meta.owner_references = Some(vec![owner_reference(&d)]);
    let rs = ReplicaSet {
        metadata: rs_meta,
        spec: Some(ReplicaSetSpec {
            replicas: Some(replicas as i32),
            selector: rs_selector,
            template: Some(template.clone()),
            min_ready_seconds: None,
        }),
        status: None,
    };
    let Some(rs) = create(api, Object::ReplicaSet(Box::new(rs)), at.built) else { return };
    for _ in 0..replicas {
        let mut pod = from_template(&template, &rs, String::new());
        pod.metadata.generate_name = None;
        pod.metadata.name = Some(format!("{name}-{hash}-{}", api.name_suffix(5)));
        let pod = running(pod, at.node, &at.ips.next(at.node, false), at.started);
        create(api, Object::Pod(Box::new(pod)), at.started);
    }
}

/// A preset's StorageClass, and for local-path-provisioner's class the
/// addon itself, as `kubectl apply -f local-path-storage.yaml` leaves it: its
/// namespace, account, configuration and Deployment. The provisioner runs on
/// the first control plane, as k3s places it, tolerating its taint.
fn storage_class(
    api: &mut ApiServer,
    class: &super::PresetStorageClass,
    nodes: &[super::PresetNode],
    ips: &mut IpPlan,
    built: Time,
    started: Time,
) {
    let mut sc_meta = meta(None, &class.name, None);
    if class.default {
        sc_meta.annotations = labels(&[("storageclass.kubernetes.io/is-default-class", "true")]);
    }
    let sc = StorageClass {
        metadata: sc_meta,
        provisioner: class.provisioner.clone(),
        reclaim_policy: Some(class.reclaim_policy.clone()),
        volume_binding_mode: Some(class.volume_binding_mode.clone()),
        ..Default::default()
    };
    create(api, Object::StorageClass(Box::new(sc)), built);
    if class.provisioner != LOCAL_PATH {
        return;
    }
    let ns = "local-path-storage";
    let namespace = Namespace {
        metadata: meta(None, ns, labels(&[("kubernetes.io/metadata.name", ns)])),
        spec: Some(Default::default()),
        status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
    };
    create(api, Object::Namespace(Box::new(namespace)), built);
    let account = "local-path-provisioner-service-account";
    let sa = ServiceAccount { metadata: meta(Some(ns), account, None), ..Default::default() };
    create(api, Object::ServiceAccount(Box::new(sa)), built);
    let config = ConfigMap {
        metadata: meta(Some(ns), "local-path-config", None),
        data: Some(
            [
                ("config.json", LOCAL_PATH_CONFIG),
                ("helperPod.yaml", LOCAL_PATH_HELPER_POD),
                ("setup", "#!/bin/sh\nset -eu\nmkdir -m 0777 -p \"$VOL_DIR\"\n"),
                ("teardown", "#!/bin/sh\nset -eu\nrm -rf \"$VOL_DIR\"\n"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        ),
        ..Default::default()
    };
    create(api, Object::ConfigMap(Box::new(config)), built);
    let Some(node) = nodes.iter().find(|n| n.control_plane).or(nodes.first()) else { return };
    let app = labels(&[("app", "local-path-provisioner")]);
    let container = Container {
        name: "local-path-provisioner".into(),
        image: Some("docker.io/rancher/local-path-provisioner:v0.0.30".into()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(
            ["local-path-provisioner", "--debug", "start", "--config", "/etc/config/config.json"]
                .map(String::from)
                .to_vec(),
        ),
        env: Some(vec![
            EnvVar {
                name: "POD_NAMESPACE".into(),
                value_from: Some(EnvVarSource {
                    field_ref: Some(ObjectFieldSelector { field_path: "metadata.namespace".into(), api_version: None }),
                    ..Default::default()
                }),
                value: None,
            },
            EnvVar { name: "CONFIG_MOUNT_PATH".into(), value: Some("/etc/config/".into()), value_from: None },
        ]),
        volume_mounts: Some(vec![VolumeMount {
            name: "config-volume".into(),
            mount_path: "/etc/config/".into(),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let template = PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: app.clone(), ..Default::default() }),
        spec: Some(PodSpec {
            containers: vec![container],
            service_account_name: Some(account.into()),
            tolerations: Some(vec![
                Toleration {
                    key: Some("CriticalAddonsOnly".into()),
                    operator: Some("Exists".into()),
                    ..Default::default()
                },
                Toleration {
                    key: Some(CONTROL_PLANE_TAINT.into()),
                    operator: Some("Exists".into()),
                    effect: Some("NoSchedule".into()),
                    ..Default::default()
                },
            ]),
            volumes: Some(vec![Volume {
                name: "config-volume".into(),
                config_map: Some(ConfigMapVolumeSource { name: "local-path-config".into(), ..Default::default() }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    };
    let placement = Placement { replicas: 1, node, ips, built, started };
    lay_deployment(api, meta(Some(ns), "local-path-provisioner", None), template, placement);
}

/// local-path-provisioner's default configuration: one folder on every node.
const LOCAL_PATH_CONFIG: &str = r#"{
        "nodePathMap":[
        {
                "node":"DEFAULT_PATH_FOR_NON_LISTED_NODES",
                "paths":["/opt/local-path-provisioner"]
        }
        ]
}"#;

/// The pod local-path-provisioner runs to make and remove a volume's folder.
const LOCAL_PATH_HELPER_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: helper-pod
spec:
  priorityClassName: system-node-critical
  tolerations:
    - key: node.kubernetes.io/disk-pressure
      operator: Exists
      effect: NoSchedule
  containers:
  - name: helper-pod
    image: busybox
    imagePullPolicy: IfNotPresent";

/// Hands out pod IPs from each node's pod CIDR, as the kubelets did.
#[derive(Default)]
pub(super) struct IpPlan(BTreeMap<String, u8>);

impl IpPlan {
    fn next(&mut self, node: &super::PresetNode, host_network: bool) -> String {
        if host_network {
            return node.ip.clone();
        }
        let octet = self.0.entry(node.name.clone()).or_insert(2);
        *octet += 1;
        let base = node.pod_cidr.rsplit_once('.').map_or("", |(b, _)| b);
        format!("{base}.{}", *octet - 1)
    }
}

fn template(
    labels: &Option<BTreeMap<String, String>>,
    container: &str,
    image: &str,
    host_network: bool,
    tolerations: Vec<Toleration>,
) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: labels.clone(), ..Default::default() }),
        spec: Some(PodSpec {
            containers: vec![Container { name: container.into(), image: Some(image.into()), ..Default::default() }],
            host_network: host_network.then_some(true),
            priority_class_name: Some(
                if host_network { "system-node-critical" } else { "system-cluster-critical" }.into(),
            ),
            tolerations: Some(tolerations),
            ..Default::default()
        }),
    }
}

/// The Lease the node's kubelet renews, owned by its Node.
pub(super) fn lease(node: &Object, joined: Time, renewed: Time) -> k8s_openapi::api::coordination::v1::Lease {
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, OwnerReference};
    let name = node.name().to_string();
    let mut metadata = meta(Some(crate::kubelet::LEASES), &name, None);
    metadata.owner_references = Some(vec![OwnerReference {
        api_version: "v1".into(),
        kind: "Node".into(),
        name: name.clone(),
        uid: node.meta().uid.clone().unwrap_or_default(),
        ..Default::default()
    }]);
    k8s_openapi::api::coordination::v1::Lease {
        metadata,
        spec: Some(k8s_openapi::api::coordination::v1::LeaseSpec {
            holder_identity: Some(name),
            lease_duration_seconds: Some(40),
            renew_time: Some(MicroTime(renewed.max(joined).to_k8s().0)),
            ..Default::default()
        }),
    }
}

pub(super) fn create(api: &mut ApiServer, object: Object, at: Time) -> Option<std::sync::Arc<Object>> {
    // The bundled presets are valid by construction (pinned by the preset
    // tests); a rejected object would only mean a smaller cluster.
    api.create(object, at, false).ok()
}

pub(super) fn node(spec: &super::PresetNode, version: &str, joined: Time) -> Node {
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
    let extra = spec.labels.iter().map(|(k, v)| (k.clone(), v.clone()));
    metadata.labels.get_or_insert_with(BTreeMap::new).extend(extra);
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

/// A pod as its kubelet reports it once running: bound, with an IP, Ready.
fn running(mut pod: Pod, node: &super::PresetNode, ip: &str, started: Time) -> Pod {
    let ready_at = started.plus(5 * SECOND);
    let condition = |type_: &str, at: Time| PodCondition {
        type_: type_.into(),
        status: "True".into(),
        last_transition_time: Some(at.to_k8s()),
        ..Default::default()
    };
    // The Priority admission plugin's value for the pod's class; pods of
    // no class get the API server's default.
    let priority = match pod.spec.as_ref().and_then(|s| s.priority_class_name.as_deref()) {
        Some("system-node-critical") => Some(2_000_001_000),
        Some("system-cluster-critical") => Some(2_000_000_000),
        _ => None,
    };
    let containers = pod.spec.as_ref().map(|s| s.containers.clone()).unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    if let Some(spec) = pod.spec.as_mut() {
        spec.node_name = Some(node.name.clone());
        spec.priority = priority;
    }
    pod.status = Some(PodStatus {
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
        container_statuses: Some(
            containers
                .iter()
                .map(|c| {
                    let image = c.image.clone().unwrap_or_default();
                    ContainerStatus {
                        name: c.name.clone(),
                        image: images::normalize(&image),
                        image_id: images::image_id(&image),
                        container_id: Some(format!(
                            "containerd://{}",
                            &images::digest(&format!("{name}/{}", c.name))[7..]
                        )),
                        ready: true,
                        started: Some(true),
                        restart_count: 0,
                        state: Some(ContainerState {
                            running: Some(ContainerStateRunning { started_at: Some(ready_at.to_k8s()) }),
                            ..Default::default()
                        }),
                        last_state: Some(Default::default()),
                        ..Default::default()
                    }
                })
                .collect(),
        ),
        ..Default::default()
    });
    pod
}
