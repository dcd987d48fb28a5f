//! MetalLB as `kubectl apply -f metallb-native.yaml` (v0.14.9) leaves it,
//! the objects the playground serves: the `metallb-system` namespace, the
//! controller and speaker accounts, the speakers' interface exclusions, the
//! webhook's Service and certificate Secret, the memberlist key the
//! controller makes at start, the `controller` Deployment (on the first
//! worker, as the scheduler had placed it) and the `speaker` DaemonSet on
//! every node. The IPAddressPool and L2Advertisement are custom resources,
//! which the playground does not serve: the pool lives in the preset.

use super::bootstrap::{create, labels, lay_daemon_set, lay_deployment, meta, IpPlan, Placement};
use super::PresetNode;
use crate::apiserver::ApiServer;
use crate::controllers::daemonset::REVISION_HASH;
use crate::controllers::deployment::template_hash;
use crate::controllers::loadbalancer::NAMESPACE;
use crate::controllers::revisions;
use crate::object::Object;
use crate::time::Time;
use base64::Engine;
use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec};
use k8s_openapi::api::core::v1::{
    Capabilities, ConfigMap, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction,
    Namespace, NamespaceStatus, ObjectFieldSelector, PodSecurityContext, PodSpec, PodTemplateSpec, Probe, Secret,
    SecretVolumeSource, SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec, Toleration, Volume,
    VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use k8s_openapi::ByteString;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

const VERSION: &str = "v0.14.9";

/// The interfaces the speakers never announce from, as the manifest ships them.
const EXCLUDE_L2: &str = "announcedInterfacesToExclude: [\"^docker.*\", \"^cbr.*\", \"^dummy.*\", \"^virbr.*\", \"^lxcbr.*\", \"^veth.*\", \"^lo$\", \"^cali.*\", \"^tunl.*\", \"^flannel.*\", \"^kube-ipvs.*\", \"^cni.*\", \"^nodelocaldns.*\"]\n";

/// Lays MetalLB down on `nodes`, installed at `built` and running since `started`.
pub fn lay_down(api: &mut ApiServer, nodes: &[PresetNode], ips: &mut IpPlan, built: Time, started: Time) {
    let privileged = [
        ("kubernetes.io/metadata.name", NAMESPACE),
        ("pod-security.kubernetes.io/audit", "privileged"),
        ("pod-security.kubernetes.io/enforce", "privileged"),
        ("pod-security.kubernetes.io/warn", "privileged"),
    ];
    let namespace = Namespace {
        metadata: meta(None, NAMESPACE, labels(&privileged)),
        spec: Some(Default::default()),
        status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
    };
    create(api, Object::Namespace(Box::new(namespace)), built);
    let app = labels(&[("app", "metallb")]);
    for account in ["controller", "speaker"] {
        let sa = ServiceAccount { metadata: meta(Some(NAMESPACE), account, app.clone()), ..Default::default() };
        create(api, Object::ServiceAccount(Box::new(sa)), built);
    }
    let exclude = ConfigMap {
        metadata: meta(Some(NAMESPACE), "metallb-excludel2", None),
        data: Some(BTreeMap::from([("excludel2.yaml".to_string(), EXCLUDE_L2.to_string())])),
        ..Default::default()
    };
    create(api, Object::ConfigMap(Box::new(exclude)), built);
    // The manifest ships the certificate Secret empty for the controller to fill.
    let cert = Secret { metadata: meta(Some(NAMESPACE), "metallb-webhook-cert", None), ..Default::default() };
    create(api, Object::Secret(Box::new(cert)), built);
    create(api, Object::Secret(Box::new(memberlist())), started);
    let webhook = Service {
        metadata: meta(Some(NAMESPACE), "metallb-webhook-service", None),
        spec: Some(ServiceSpec {
            ports: Some(vec![ServicePort {
                port: 443,
                target_port: Some(IntOrString::Int(9443)),
                ..Default::default()
            }]),
            selector: labels(&[("component", "controller")]),
            ..Default::default()
        }),
        status: None,
    };
    create(api, Object::Service(Box::new(webhook)), built);
    let Some(worker) = nodes.iter().find(|n| !n.control_plane).or(nodes.first()) else { return };
    let controller = labels(&[("app", "metallb"), ("component", "controller")]);
    let mut deployment_meta = meta(Some(NAMESPACE), "controller", controller.clone());
    deployment_meta.annotations = None;
    let placement = Placement { replicas: 1, node: worker, ips: &mut *ips, built, started };
    lay_deployment(api, deployment_meta, controller_template(&controller), placement);
    let speaker = labels(&[("app", "metallb"), ("component", "speaker")]);
    let ds = DaemonSet {
        metadata: meta(Some(NAMESPACE), "speaker", speaker.clone()),
        spec: Some(DaemonSetSpec {
            selector: LabelSelector { match_labels: speaker.clone(), match_expressions: None },
            template: speaker_template(&speaker),
            ..Default::default()
        }),
        status: None,
    };
    let Some(ds) = lay_daemon_set(api, ds, nodes, ips, built) else { return };
    // The DaemonSet controller's first revision, there since the install.
    let Object::DaemonSet(d) = &*ds else { return };
    let Some(template) = d.spec.as_ref().map(|s| s.template.clone()) else { return };
    let hash = template_hash(&template, None);
    let mut revision_labels = speaker.unwrap_or_default();
    revision_labels.insert(REVISION_HASH.into(), hash.clone());
    let revision = revisions::revision(&ds, &format!("speaker-{hash}"), revision_labels, &template, 1);
    create(api, Object::ControllerRevision(Box::new(revision)), built);
}

/// The memberlist key the controller generates when it first starts.
fn memberlist() -> Secret {
    let key: Vec<u8> =
        (0..4u8).flat_map(|i| Sha256::digest([b"metallb memberlist ".as_slice(), &[i]].concat())).collect();
    let encoded = base64::engine::general_purpose::STANDARD.encode(&key);
    Secret {
        metadata: meta(Some(NAMESPACE), "memberlist", None),
        data: Some(BTreeMap::from([("secretkey".to_string(), ByteString(encoded.into_bytes()))])),
        ..Default::default()
    }
}

fn template_meta(labels: &Option<BTreeMap<String, String>>) -> Option<ObjectMeta> {
    Some(ObjectMeta {
        labels: labels.clone(),
        annotations: Some(BTreeMap::from([
            ("prometheus.io/port".to_string(), "7472".to_string()),
            ("prometheus.io/scrape".to_string(), "true".to_string()),
        ])),
        ..Default::default()
    })
}

/// `GET /metrics` on the monitoring port every 10 s after 10 s.
fn metrics_probe() -> Option<Probe> {
    Some(Probe {
        http_get: Some(HTTPGetAction {
            path: Some("/metrics".into()),
            port: IntOrString::String("monitoring".into()),
            ..Default::default()
        }),
        initial_delay_seconds: Some(10),
        period_seconds: Some(10),
        ..Default::default()
    })
}

fn port(name: &str, number: i32, protocol: Option<&str>) -> ContainerPort {
    ContainerPort {
        name: Some(name.into()),
        container_port: number,
        protocol: protocol.map(String::from),
        ..Default::default()
    }
}

fn env(name: &str, value: &str) -> EnvVar {
    EnvVar { name: name.into(), value: Some(value.into()), value_from: None }
}

fn field(name: &str, path: &str) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector { field_path: path.into(), api_version: None }),
            ..Default::default()
        }),
    }
}

fn args() -> Option<Vec<String>> {
    Some(vec!["--port=7472".into(), "--log-level=info".into()])
}

fn read_only(name: &str, path: &str) -> VolumeMount {
    VolumeMount { name: name.into(), mount_path: path.into(), read_only: Some(true), ..Default::default() }
}

fn controller_template(labels: &Option<BTreeMap<String, String>>) -> PodTemplateSpec {
    let container = Container {
        name: "controller".into(),
        image: Some(format!("quay.io/metallb/controller:{VERSION}")),
        args: args(),
        env: Some(vec![env("METALLB_ML_SECRET_NAME", "memberlist"), env("METALLB_DEPLOYMENT", "controller")]),
        liveness_probe: metrics_probe(),
        readiness_probe: metrics_probe(),
        ports: Some(vec![port("monitoring", 7472, None), port("webhook-server", 9443, Some("TCP"))]),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities { drop: Some(vec!["all".into()]), add: None }),
            read_only_root_filesystem: Some(true),
            ..Default::default()
        }),
        volume_mounts: Some(vec![read_only("cert", "/tmp/k8s-webhook-server/serving-certs")]),
        ..Default::default()
    };
    PodTemplateSpec {
        metadata: template_meta(labels),
        spec: Some(PodSpec {
            containers: vec![container],
            node_selector: Some(BTreeMap::from([("kubernetes.io/os".to_string(), "linux".to_string())])),
            security_context: Some(PodSecurityContext {
                fs_group: Some(65534),
                run_as_non_root: Some(true),
                run_as_user: Some(65534),
                ..Default::default()
            }),
            service_account_name: Some("controller".into()),
            termination_grace_period_seconds: Some(0),
            volumes: Some(vec![Volume {
                name: "cert".into(),
                secret: Some(SecretVolumeSource {
                    secret_name: Some("metallb-webhook-cert".into()),
                    default_mode: Some(420),
                    ..Default::default()
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}

fn speaker_template(labels: &Option<BTreeMap<String, String>>) -> PodTemplateSpec {
    let container = Container {
        name: "speaker".into(),
        image: Some(format!("quay.io/metallb/speaker:{VERSION}")),
        args: args(),
        env: Some(vec![
            field("METALLB_NODE_NAME", "spec.nodeName"),
            field("METALLB_POD_NAME", "metadata.name"),
            field("METALLB_HOST", "status.hostIP"),
            field("METALLB_ML_BIND_ADDR", "status.podIP"),
            env("METALLB_ML_LABELS", "app=metallb,component=speaker"),
            env("METALLB_ML_SECRET_KEY_PATH", "/etc/ml_secret_key"),
        ]),
        liveness_probe: metrics_probe(),
        readiness_probe: metrics_probe(),
        ports: Some(vec![
            port("monitoring", 7472, None),
            port("memberlist-tcp", 7946, None),
            port("memberlist-udp", 7946, Some("UDP")),
        ]),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            capabilities: Some(Capabilities { add: Some(vec!["NET_RAW".into()]), drop: Some(vec!["ALL".into()]) }),
            read_only_root_filesystem: Some(true),
            ..Default::default()
        }),
        volume_mounts: Some(vec![
            read_only("memberlist", "/etc/ml_secret_key"),
            read_only("metallb-excludel2", "/etc/metallb"),
        ]),
        ..Default::default()
    };
    let toleration = |key: &str| Toleration {
        key: Some(key.into()),
        operator: Some("Exists".into()),
        effect: Some("NoSchedule".into()),
        ..Default::default()
    };
    PodTemplateSpec {
        metadata: template_meta(labels),
        spec: Some(PodSpec {
            containers: vec![container],
            host_network: Some(true),
            node_selector: Some(BTreeMap::from([("kubernetes.io/os".to_string(), "linux".to_string())])),
            service_account_name: Some("speaker".into()),
            termination_grace_period_seconds: Some(2),
            tolerations: Some(vec![
                toleration("node-role.kubernetes.io/master"),
                toleration(crate::labels::CONTROL_PLANE),
            ]),
            volumes: Some(vec![
                Volume {
                    name: "memberlist".into(),
                    secret: Some(SecretVolumeSource {
                        secret_name: Some("memberlist".into()),
                        default_mode: Some(420),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                Volume {
                    name: "metallb-excludel2".into(),
                    config_map: Some(ConfigMapVolumeSource {
                        name: "metallb-excludel2".into(),
                        default_mode: Some(420),
                        ..Default::default()
                    }),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        }),
    }
}
