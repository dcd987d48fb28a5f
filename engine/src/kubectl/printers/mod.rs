//! kubectl's printers: one column set and one row function per kind, laid out
//! by [`table::render`].

mod cells;
pub mod config;
pub mod duration;
pub mod namespace;
pub mod network;
pub mod node;
pub mod pod;
pub mod policy;
pub mod storage;
pub mod table;
pub mod tabwriter;
pub mod workloads;

use crate::object::Object;
use crate::time::Time;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A label selector as kubectl prints it.
pub fn cells_selector(selector: &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector) -> String {
    cells::selector(Some(selector))
}

/// The LABELS cell of `--show-labels`.
pub fn labels_cell(labels: Option<&std::collections::BTreeMap<String, String>>) -> String {
    cells::labels(labels)
}

/// A kind's headers and its extra `-o wide` headers.
pub type Columns = (&'static [&'static str], &'static [&'static str]);

/// The AGE cell.
pub fn age(meta: &ObjectMeta, now: Time) -> String {
    match &meta.creation_timestamp {
        Some(t) => duration::human(now.since(Time::from_k8s(t))),
        None => "<unknown>".into(),
    }
}

fn columns(object: &Object) -> Columns {
    use Object::*;
    match object {
        Pod(_) => (pod::HEADERS, pod::WIDE_HEADERS),
        Node(_) => (node::HEADERS, node::WIDE_HEADERS),
        Namespace(_) => (namespace::HEADERS, &[]),
        Deployment(_) => workloads::DEPLOYMENT,
        ReplicaSet(_) | ReplicationController(_) => workloads::REPLICA_SET,
        StatefulSet(_) => workloads::STATEFUL_SET,
        DaemonSet(_) => workloads::DAEMON_SET,
        Job(_) => workloads::JOB,
        CronJob(_) => workloads::CRON_JOB,
        ControllerRevision(_) => workloads::CONTROLLER_REVISION,
        Service(_) => network::SERVICE,
        Endpoints(_) => network::ENDPOINTS,
        EndpointSlice(_) => network::ENDPOINT_SLICE,
        Ingress(_) => network::INGRESS,
        IngressClass(_) => network::INGRESS_CLASS,
        NetworkPolicy(_) => network::NETWORK_POLICY,
        ConfigMap(_) => config::CONFIG_MAP,
        Secret(_) => config::SECRET,
        ServiceAccount(_) => config::SERVICE_ACCOUNT,
        ResourceQuota(_) => config::RESOURCE_QUOTA,
        LimitRange(_) => config::LIMIT_RANGE,
        PriorityClass(_) => config::PRIORITY_CLASS,
        Lease(_) => config::LEASE,
        Event(_) => config::EVENT,
        PersistentVolume(_) => storage::PERSISTENT_VOLUME,
        PersistentVolumeClaim(_) => storage::PERSISTENT_VOLUME_CLAIM,
        StorageClass(_) => storage::STORAGE_CLASS,
        HorizontalPodAutoscaler(_) => policy::HPA,
        PodDisruptionBudget(_) => policy::PDB,
    }
}

/// Header cells for a kind's table.
pub fn headers(object: &Object, wide: bool) -> Vec<String> {
    let (base, extra) = columns(object);
    base.iter().chain(if wide { extra } else { &[] }).map(|s| s.to_string()).collect()
}

/// Row cells for one object.
pub fn row(object: &Object, now: Time, wide: bool) -> Vec<String> {
    use Object::*;
    match object {
        Pod(p) => pod::row(p, now, wide),
        Node(n) => node::row(n, now, wide),
        Namespace(n) => namespace::row(n, now),
        Deployment(d) => workloads::deployment(d, now, wide),
        ReplicaSet(r) => workloads::replica_set(r, now, wide),
        ReplicationController(r) => workloads::replication_controller(r, now, wide),
        StatefulSet(s) => workloads::stateful_set(s, now, wide),
        DaemonSet(d) => workloads::daemon_set(d, now, wide),
        Job(j) => workloads::job(j, now, wide),
        CronJob(c) => workloads::cron_job(c, now, wide),
        ControllerRevision(c) => workloads::controller_revision(c, now),
        Service(s) => network::service(s, now, wide),
        Endpoints(e) => network::endpoints(e, now),
        EndpointSlice(e) => network::endpoint_slice(e, now),
        Ingress(i) => network::ingress(i, now),
        IngressClass(i) => network::ingress_class(i, now),
        NetworkPolicy(n) => network::network_policy(n, now),
        ConfigMap(c) => config::config_map(c, now),
        Secret(s) => config::secret(s, now),
        ServiceAccount(s) => config::service_account(s, now),
        ResourceQuota(q) => config::resource_quota(q, now),
        LimitRange(l) => config::limit_range(l),
        PriorityClass(p) => config::priority_class(p, now, wide),
        Lease(l) => config::lease(l, now),
        Event(e) => config::event(e, now, wide),
        PersistentVolume(p) => storage::persistent_volume(p, now, wide),
        PersistentVolumeClaim(p) => storage::persistent_volume_claim(p, now, wide),
        StorageClass(s) => storage::storage_class(s, now),
        HorizontalPodAutoscaler(h) => policy::hpa(h, now),
        PodDisruptionBudget(p) => policy::pdb(p, now),
    }
}
