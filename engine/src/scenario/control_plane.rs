//! The static control-plane pods as kubeadm writes their manifests: each
//! component's command line and its resource requests, for a control-plane
//! node at `ip` in a cluster whose pods take addresses from `pod_network`.

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

const PKI: &str = "/etc/kubernetes/pki";

/// The command line kubeadm gives `component`.
pub fn command(component: &str, node: &str, ip: &str, pod_network: &str) -> Vec<String> {
    let flags: Vec<String> = match component {
        "etcd" => vec![
            format!("--advertise-client-urls=https://{ip}:2379"),
            format!("--cert-file={PKI}/etcd/server.crt"),
            "--client-cert-auth=true".into(),
            "--data-dir=/var/lib/etcd".into(),
            "--experimental-initial-corrupt-check=true".into(),
            "--experimental-watch-progress-notify-interval=5s".into(),
            format!("--initial-advertise-peer-urls=https://{ip}:2380"),
            format!("--initial-cluster={node}=https://{ip}:2380"),
            format!("--key-file={PKI}/etcd/server.key"),
            format!("--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379"),
            "--listen-metrics-urls=http://127.0.0.1:2381".into(),
            format!("--listen-peer-urls=https://{ip}:2380"),
            format!("--name={node}"),
            format!("--peer-cert-file={PKI}/etcd/peer.crt"),
            "--peer-client-cert-auth=true".into(),
            format!("--peer-key-file={PKI}/etcd/peer.key"),
            format!("--peer-trusted-ca-file={PKI}/etcd/ca.crt"),
            "--snapshot-count=10000".into(),
            format!("--trusted-ca-file={PKI}/etcd/ca.crt"),
        ],
        "kube-apiserver" => vec![
            format!("--advertise-address={ip}"),
            "--allow-privileged=true".into(),
            "--authorization-mode=Node,RBAC".into(),
            format!("--client-ca-file={PKI}/ca.crt"),
            "--enable-admission-plugins=NodeRestriction".into(),
            "--enable-bootstrap-token-auth=true".into(),
            format!("--etcd-cafile={PKI}/etcd/ca.crt"),
            format!("--etcd-certfile={PKI}/apiserver-etcd-client.crt"),
            format!("--etcd-keyfile={PKI}/apiserver-etcd-client.key"),
            "--etcd-servers=https://127.0.0.1:2379".into(),
            format!("--kubelet-client-certificate={PKI}/apiserver-kubelet-client.crt"),
            format!("--kubelet-client-key={PKI}/apiserver-kubelet-client.key"),
            "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname".into(),
            format!("--proxy-client-cert-file={PKI}/front-proxy-client.crt"),
            format!("--proxy-client-key-file={PKI}/front-proxy-client.key"),
            "--requestheader-allowed-names=front-proxy-client".into(),
            format!("--requestheader-client-ca-file={PKI}/front-proxy-ca.crt"),
            "--requestheader-extra-headers-prefix=X-Remote-Extra-".into(),
            "--requestheader-group-headers=X-Remote-Group".into(),
            "--requestheader-username-headers=X-Remote-User".into(),
            "--secure-port=6443".into(),
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
            format!("--service-account-key-file={PKI}/sa.pub"),
            format!("--service-account-signing-key-file={PKI}/sa.key"),
            "--service-cluster-ip-range=10.96.0.0/12".into(),
            format!("--tls-cert-file={PKI}/apiserver.crt"),
            format!("--tls-private-key-file={PKI}/apiserver.key"),
        ],
        "kube-controller-manager" => vec![
            "--allocate-node-cidrs=true".into(),
            "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
            "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
            "--bind-address=127.0.0.1".into(),
            format!("--client-ca-file={PKI}/ca.crt"),
            format!("--cluster-cidr={pod_network}"),
            "--cluster-name=kubernetes".into(),
            format!("--cluster-signing-cert-file={PKI}/ca.crt"),
            format!("--cluster-signing-key-file={PKI}/ca.key"),
            "--controllers=*,bootstrapsigner,tokencleaner".into(),
            "--kubeconfig=/etc/kubernetes/controller-manager.conf".into(),
            "--leader-elect=true".into(),
            format!("--requestheader-client-ca-file={PKI}/front-proxy-ca.crt"),
            format!("--root-ca-file={PKI}/ca.crt"),
            format!("--service-account-private-key-file={PKI}/sa.key"),
            "--service-cluster-ip-range=10.96.0.0/12".into(),
            "--use-service-account-credentials=true".into(),
        ],
        "kube-scheduler" => vec![
            "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--bind-address=127.0.0.1".into(),
            "--kubeconfig=/etc/kubernetes/scheduler.conf".into(),
            "--leader-elect=true".into(),
        ],
        _ => Vec::new(),
    };
    std::iter::once(component.to_string()).chain(flags).collect()
}

/// What kubeadm has each component request.
pub fn resources(component: &str) -> ResourceRequirements {
    let (cpu, memory) = match component {
        "etcd" => ("100m", Some("100Mi")),
        "kube-apiserver" => ("250m", None),
        "kube-controller-manager" => ("200m", None),
        _ => ("100m", None),
    };
    let mut requests = std::collections::BTreeMap::from([("cpu".to_string(), Quantity(cpu.into()))]);
    if let Some(memory) = memory {
        requests.insert("memory".into(), Quantity(memory.into()));
    }
    ResourceRequirements { requests: Some(requests), ..Default::default() }
}

/// The /16 the node pod CIDRs are carved from (`172.16.103.0/24` →
/// `172.16.0.0/16`).
pub fn pod_network(pod_cidr: &str) -> String {
    let mut octets = pod_cidr.split('/').next().unwrap_or(pod_cidr).split('.');
    match (octets.next(), octets.next()) {
        (Some(a), Some(b)) => format!("{a}.{b}.0.0/16"),
        _ => pod_cidr.to_string(),
    }
}
