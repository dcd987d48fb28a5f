//! The kinds the cluster serves, declared once: the `Kind` enum, the
//! `api-resources` table and the `Object` enum over the k8s-openapi types all
//! come from the one list below, so they cannot drift apart.

use crate::api::ResourceInfo;
use k8s_openapi::api::{
    apps, autoscaling, batch, coordination, core, discovery, networking, policy, scheduling, storage,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

macro_rules! kinds {
    ($($variant:ident($ty:ty) = $plural:literal, $singular:literal, [$($short:literal),*], $group:literal, $version:literal, $namespaced:literal;)*) => {
        /// A kind of object the store can hold.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Kind {
            $(
                #[doc = concat!($group, "/", $version, " ", stringify!($variant))]
                $variant,
            )*
        }

        /// Every resource the cluster serves, in `kubectl api-resources` order.
        pub static RESOURCES: &[ResourceInfo] = &[
            $(ResourceInfo {
                kind: Kind::$variant,
                kind_name: stringify!($variant),
                plural: $plural,
                singular: $singular,
                short_names: &[$($short),*],
                group: $group,
                version: $version,
                namespaced: $namespaced,
            },)*
        ];

        /// A stored Kubernetes object of any served kind.
        // Each variant is boxed: an enum is as large as its largest variant
        // (a CronJob, with a whole pod template), and a large cluster holds
        // hundreds of thousands of small objects (Events, Leases).
        #[derive(Clone, Debug, PartialEq)]
        pub enum Object {
            $(
                #[doc = concat!("A ", stringify!($variant), ".")]
                $variant(Box<$ty>),
            )*
        }

        $(
            impl From<$ty> for Object {
                fn from(object: $ty) -> Object {
                    Object::$variant(Box::new(object))
                }
            }
        )*

        impl Object {
            /// Its kind.
            pub fn kind(&self) -> Kind {
                match self {
                    $(Object::$variant(_) => Kind::$variant,)*
                }
            }

            /// Its metadata.
            pub fn meta(&self) -> &ObjectMeta {
                match self {
                    $(Object::$variant(o) => &o.metadata,)*
                }
            }

            /// Its metadata, for writing.
            pub fn meta_mut(&mut self) -> &mut ObjectMeta {
                match self {
                    $(Object::$variant(o) => &mut o.metadata,)*
                }
            }

            /// The object as JSON, with `apiVersion` and `kind`.
            pub fn to_value(&self) -> serde_json::Value {
                let value = match self {
                    $(Object::$variant(o) => serde_json::to_value(o),)*
                };
                // Serialising these generated types cannot fail: they hold no maps with
                // non-string keys and no floats that JSON rejects.
                value.unwrap_or(serde_json::Value::Null)
            }

            /// Decodes JSON of the stored version of `kind` into a typed object.
            pub fn from_value(kind: Kind, value: serde_json::Value) -> Result<Object, serde_json::Error> {
                Ok(match kind {
                    $(Kind::$variant => Object::$variant(Box::new(serde_json::from_value(value)?)),)*
                })
            }

            /// Like [`Object::from_value`], naming where decoding failed
            /// (`spec.containers[0].ports`).
            pub fn from_value_traced(kind: Kind, value: serde_json::Value) -> Result<Object, (String, serde_json::Error)> {
                let traced = |e: serde_path_to_error::Error<serde_json::Error>| (e.path().to_string(), e.into_inner());
                Ok(match kind {
                    $(Kind::$variant => Object::$variant(Box::new(serde_path_to_error::deserialize(value).map_err(traced)?)),)*
                })
            }
        }
    };
}

kinds! {
    ConfigMap(core::v1::ConfigMap) = "configmaps", "configmap", ["cm"], "", "v1", true;
    Endpoints(core::v1::Endpoints) = "endpoints", "endpoints", ["ep"], "", "v1", true;
    Event(core::v1::Event) = "events", "event", ["ev"], "", "v1", true;
    LimitRange(core::v1::LimitRange) = "limitranges", "limitrange", ["limits"], "", "v1", true;
    Namespace(core::v1::Namespace) = "namespaces", "namespace", ["ns"], "", "v1", false;
    Node(core::v1::Node) = "nodes", "node", ["no"], "", "v1", false;
    PersistentVolumeClaim(core::v1::PersistentVolumeClaim) = "persistentvolumeclaims", "persistentvolumeclaim", ["pvc"], "", "v1", true;
    PersistentVolume(core::v1::PersistentVolume) = "persistentvolumes", "persistentvolume", ["pv"], "", "v1", false;
    Pod(core::v1::Pod) = "pods", "pod", ["po"], "", "v1", true;
    ReplicationController(core::v1::ReplicationController) = "replicationcontrollers", "replicationcontroller", ["rc"], "", "v1", true;
    ResourceQuota(core::v1::ResourceQuota) = "resourcequotas", "resourcequota", ["quota"], "", "v1", true;
    Secret(core::v1::Secret) = "secrets", "secret", [], "", "v1", true;
    ServiceAccount(core::v1::ServiceAccount) = "serviceaccounts", "serviceaccount", ["sa"], "", "v1", true;
    Service(core::v1::Service) = "services", "service", ["svc"], "", "v1", true;
    ControllerRevision(apps::v1::ControllerRevision) = "controllerrevisions", "controllerrevision", [], "apps", "v1", true;
    DaemonSet(apps::v1::DaemonSet) = "daemonsets", "daemonset", ["ds"], "apps", "v1", true;
    Deployment(apps::v1::Deployment) = "deployments", "deployment", ["deploy"], "apps", "v1", true;
    ReplicaSet(apps::v1::ReplicaSet) = "replicasets", "replicaset", ["rs"], "apps", "v1", true;
    StatefulSet(apps::v1::StatefulSet) = "statefulsets", "statefulset", ["sts"], "apps", "v1", true;
    HorizontalPodAutoscaler(autoscaling::v2::HorizontalPodAutoscaler) = "horizontalpodautoscalers", "horizontalpodautoscaler", ["hpa"], "autoscaling", "v2", true;
    CronJob(batch::v1::CronJob) = "cronjobs", "cronjob", ["cj"], "batch", "v1", true;
    Job(batch::v1::Job) = "jobs", "job", [], "batch", "v1", true;
    Lease(coordination::v1::Lease) = "leases", "lease", [], "coordination.k8s.io", "v1", true;
    EndpointSlice(discovery::v1::EndpointSlice) = "endpointslices", "endpointslice", [], "discovery.k8s.io", "v1", true;
    IngressClass(networking::v1::IngressClass) = "ingressclasses", "ingressclass", [], "networking.k8s.io", "v1", false;
    Ingress(networking::v1::Ingress) = "ingresses", "ingress", ["ing"], "networking.k8s.io", "v1", true;
    NetworkPolicy(networking::v1::NetworkPolicy) = "networkpolicies", "networkpolicy", ["netpol"], "networking.k8s.io", "v1", true;
    PodDisruptionBudget(policy::v1::PodDisruptionBudget) = "poddisruptionbudgets", "poddisruptionbudget", ["pdb"], "policy", "v1", true;
    PriorityClass(scheduling::v1::PriorityClass) = "priorityclasses", "priorityclass", ["pc"], "scheduling.k8s.io", "v1", false;
    StorageClass(storage::v1::StorageClass) = "storageclasses", "storageclass", ["sc"], "storage.k8s.io", "v1", false;
}

impl Object {
    /// The registry entry of its kind.
    pub fn info(&self) -> &'static ResourceInfo {
        crate::api::info(self.kind())
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.meta().name.as_deref().unwrap_or_default()
    }

    /// `metadata.namespace`, empty for cluster-scoped objects.
    pub fn namespace(&self) -> &str {
        self.meta().namespace.as_deref().unwrap_or_default()
    }

    /// The Pod inside, if this is one.
    pub fn as_pod(&self) -> Option<&core::v1::Pod> {
        match self {
            Object::Pod(p) => Some(p),
            _ => None,
        }
    }

    /// The PodDisruptionBudget inside, if this is one.
    pub fn as_pdb(&self) -> Option<&k8s_openapi::api::policy::v1::PodDisruptionBudget> {
        match self {
            Object::PodDisruptionBudget(p) => Some(p),
            _ => None,
        }
    }

    /// The Service inside, if this is one.
    pub fn as_service(&self) -> Option<&core::v1::Service> {
        match self {
            Object::Service(s) => Some(s),
            _ => None,
        }
    }

    /// The EndpointSlice inside, if this is one.
    pub fn as_endpoint_slice(&self) -> Option<&discovery::v1::EndpointSlice> {
        match self {
            Object::EndpointSlice(s) => Some(s),
            _ => None,
        }
    }

    /// The Node inside, if this is one.
    pub fn as_node(&self) -> Option<&core::v1::Node> {
        match self {
            Object::Node(n) => Some(n),
            _ => None,
        }
    }
}
