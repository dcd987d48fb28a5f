//! The default profile's plugins, one file each, in kube-scheduler's
//! order: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
//! NodePorts, NodeResourcesFit, VolumeBinding, PodTopologySpread,
//! InterPodAffinity, NodeResourcesBalancedAllocation, ImageLocality,
//! DefaultPreemption, DefaultBinder. Each has its `NAME`, its reasons in kube-scheduler's
//! words, and pure helpers with table tests beside them.

pub mod balanced_allocation;
pub mod default_binder;
pub mod default_preemption;
pub mod image_locality;
pub mod inter_pod_affinity;
pub mod node_affinity;
pub mod node_name;
pub mod node_ports;
pub mod node_resources_fit;
pub mod node_unschedulable;
pub mod pod_topology_spread;
pub mod taint_toleration;
pub mod volume_binding;
