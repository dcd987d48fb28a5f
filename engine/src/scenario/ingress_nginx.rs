//! ingress-nginx as the lab installed it (the bare-metal manifest of
//! controller v1.11.3, its Service a NodePort on the ports the preset
//! names): the `ingress-nginx` namespace, the controller's account and
//! ConfigMap, the `nginx` IngressClass, the controller and admission
//! Services, and the controller Deployment on one worker. As in the notes:
//! user → node port → ingress controller → Service's pods.

use super::bootstrap::{create, labels, lay_deployment, meta, IpPlan, Placement};
use super::{PresetIngressNginx, PresetNode};
use crate::apiserver::ApiServer;
use crate::network::ingress::CLASS;
use crate::object::Object;
use crate::time::Time;
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerPort, EnvVar, EnvVarSource, HTTPGetAction, Namespace, NamespaceStatus,
    ObjectFieldSelector, PodSpec, PodTemplateSpec, Probe, ResourceRequirements, Service, ServiceAccount, ServicePort,
    ServiceSpec,
};
use k8s_openapi::api::networking::v1::{IngressClass, IngressClassSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

const NAMESPACE: &str = "ingress-nginx";
const VERSION: &str = "v1.11.3";

/// The labels every object of the manifest carries.
fn common(component: Option<&str>) -> Option<BTreeMap<String, String>> {
    let mut pairs = vec![
        ("app.kubernetes.io/instance", "ingress-nginx"),
        ("app.kubernetes.io/name", "ingress-nginx"),
        ("app.kubernetes.io/part-of", "ingress-nginx"),
        ("app.kubernetes.io/version", &VERSION[1..]),
    ];
    if let Some(c) = component {
        pairs.insert(0, ("app.kubernetes.io/component", c));
    }
    labels(&pairs)
}

/// What selects the controller's pods.
fn selector() -> Option<BTreeMap<String, String>> {
    labels(&[
        ("app.kubernetes.io/component", "controller"),
        ("app.kubernetes.io/instance", "ingress-nginx"),
        ("app.kubernetes.io/name", "ingress-nginx"),
    ])
}

/// Lays ingress-nginx down, installed at `built` and running since `started`.
pub fn lay_down(
    api: &mut ApiServer,
    preset: &PresetIngressNginx,
    nodes: &[PresetNode],
    ips: &mut IpPlan,
    built: Time,
    started: Time,
) {
    let namespace = Namespace {
        metadata: meta(
            None,
            NAMESPACE,
            labels(&[
                ("app.kubernetes.io/instance", "ingress-nginx"),
                ("app.kubernetes.io/name", "ingress-nginx"),
                ("kubernetes.io/metadata.name", NAMESPACE),
            ]),
        ),
        spec: Some(Default::default()),
        status: Some(NamespaceStatus { phase: Some("Active".into()), ..Default::default() }),
    };
    create(api, Object::Namespace(Box::new(namespace)), built);
    let account = ServiceAccount {
        metadata: meta(Some(NAMESPACE), "ingress-nginx", common(Some("controller"))),
        ..Default::default()
    };
    create(api, Object::ServiceAccount(Box::new(account)), built);
    let config = ConfigMap {
        metadata: meta(Some(NAMESPACE), "ingress-nginx-controller", common(Some("controller"))),
        data: Some(BTreeMap::from([("allow-snippet-annotations".to_string(), "false".to_string())])),
        ..Default::default()
    };
    create(api, Object::ConfigMap(Box::new(config)), built);
    let class = IngressClass {
        metadata: meta(None, CLASS, common(Some("controller"))),
        spec: Some(IngressClassSpec { controller: Some("k8s.io/ingress-nginx".into()), parameters: None }),
    };
    create(api, Object::IngressClass(Box::new(class)), built);
    let service_port = |name: &str, port: i32, node_port: Option<i32>| ServicePort {
        name: Some(name.into()),
        app_protocol: (name != "https-webhook").then(|| name.into()),
        port,
        protocol: Some("TCP".into()),
        target_port: Some(IntOrString::String(if name == "https-webhook" { "webhook".into() } else { name.into() })),
        node_port,
    };
    let controller_service = Service {
        metadata: meta(Some(NAMESPACE), "ingress-nginx-controller", common(Some("controller"))),
        spec: Some(ServiceSpec {
            type_: Some("NodePort".into()),
            ip_families: Some(vec!["IPv4".into()]),
            ip_family_policy: Some("SingleStack".into()),
            ports: Some(vec![
                service_port("http", 80, Some(preset.http_node_port)),
                service_port("https", 443, Some(preset.https_node_port)),
            ]),
            selector: selector(),
            ..Default::default()
        }),
        status: None,
    };
    create(api, Object::Service(Box::new(controller_service)), built);
    let admission = Service {
        metadata: meta(Some(NAMESPACE), "ingress-nginx-controller-admission", common(Some("controller"))),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            ports: Some(vec![service_port("https-webhook", 443, None)]),
            selector: selector(),
            ..Default::default()
        }),
        status: None,
    };
    create(api, Object::Service(Box::new(admission)), built);
    let workers: Vec<&PresetNode> = nodes.iter().filter(|n| !n.control_plane).collect();
    // The second worker, as the scheduler had spread the lab's addons.
    let Some(node) = workers.get(1).or(workers.first()).copied().or(nodes.first()) else { return };
    let mut deployment_meta = meta(Some(NAMESPACE), "ingress-nginx-controller", common(Some("controller")));
    deployment_meta.annotations = None;
    let placement = Placement { replicas: 1, node, ips: &mut *ips, built, started };
    lay_deployment(api, deployment_meta, template(), placement);
}

fn health(path: &str, initial: i32) -> Option<Probe> {
    Some(Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::Int(10254),
            scheme: Some("HTTP".into()),
            ..Default::default()
        }),
        initial_delay_seconds: Some(initial),
        period_seconds: Some(10),
        timeout_seconds: Some(1),
        success_threshold: Some(1),
        failure_threshold: Some(if path == "/healthz" { 5 } else { 3 }),
        ..Default::default()
    })
}

fn template() -> PodTemplateSpec {
    let field = |name: &str, path: &str| EnvVar {
        name: name.into(),
        value: None,
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector { field_path: path.into(), api_version: None }),
            ..Default::default()
        }),
    };
    let port = |name: &str, number: i32| ContainerPort {
        name: Some(name.into()),
        container_port: number,
        protocol: Some("TCP".into()),
        ..Default::default()
    };
    let container = Container {
        name: "controller".into(),
        image: Some(format!("registry.k8s.io/ingress-nginx/controller:{VERSION}")),
        args: Some(vec![
            "/nginx-ingress-controller".into(),
            "--election-id=ingress-nginx-leader".into(),
            "--controller-class=k8s.io/ingress-nginx".into(),
            format!("--ingress-class={CLASS}"),
            "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller".into(),
            "--validating-webhook=:8443".into(),
            "--validating-webhook-certificate=/usr/local/certificates/cert".into(),
            "--validating-webhook-key=/usr/local/certificates/key".into(),
        ]),
        env: Some(vec![
            field("POD_NAME", "metadata.name"),
            field("POD_NAMESPACE", "metadata.namespace"),
            EnvVar { name: "LD_PRELOAD".into(), value: Some("/usr/local/lib/libmimalloc.so".into()), value_from: None },
        ]),
        image_pull_policy: Some("IfNotPresent".into()),
        liveness_probe: health("/healthz", 10),
        readiness_probe: health("/healthz", 10),
        ports: Some(vec![port("http", 80), port("https", 443), port("webhook", 8443)]),
        resources: Some(ResourceRequirements {
            requests: Some(BTreeMap::from([
                ("cpu".to_string(), Quantity("100m".into())),
                ("memory".to_string(), Quantity("90Mi".into())),
            ])),
            ..Default::default()
        }),
        ..Default::default()
    };
    PodTemplateSpec {
        metadata: Some(ObjectMeta { labels: common(Some("controller")), ..Default::default() }),
        spec: Some(PodSpec {
            containers: vec![container],
            dns_policy: Some("ClusterFirst".into()),
            node_selector: Some(BTreeMap::from([("kubernetes.io/os".to_string(), "linux".to_string())])),
            service_account_name: Some("ingress-nginx".into()),
            termination_grace_period_seconds: Some(300),
            ..Default::default()
        }),
    }
}
