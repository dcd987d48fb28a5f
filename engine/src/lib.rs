//! kubeplay's engine: a Kubernetes cluster simulated in plain Rust, on a
//! virtual clock, deterministic for a given seed. It has no web dependency
//! and does no IO: the browser app and the native `kubeplay` binary are two
//! front ends over the same face.
//!
//! ```
//! use engine::Cluster;
//!
//! let mut cluster = Cluster::new("default", 1).expect("bundled preset");
//! let out = cluster.kubectl("kubectl run web --image=nginx");
//! assert_eq!(out.stdout, "pod/web created\n");
//! cluster.step(20_000);
//! let out = cluster.kubectl("kubectl get pods");
//! assert_eq!(out.stdout, "NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          20s\n");
//! ```
//!
//! The public face is [`Cluster`] (commands, manifests, the clock, the change
//! log, a picture-ready [`ClusterView`]) and [`Shell`] (the terminal around
//! it), with [`promql`], the query engine a metrics store will sit behind.
//! Everything else is internal and may change.
#![deny(missing_docs)]

mod api;
mod apiserver;
mod cluster;
mod codec;
mod controllers;
mod cron;
pub mod dashboards;
mod event_feed;
mod events;
mod files;
pub mod journal;
mod kubeconfig;
mod kubectl;
mod kubelet;
mod kustomize;
mod labels;
mod lifecycle;
mod metrics;
mod network;
mod object;
mod object_tree;
mod quantity;
pub mod rewind;
mod rng;
mod runtime;
mod scenario;
mod scheduler;
mod service_view;
mod shell;
mod store;
mod taints;
pub mod templates;
mod time;
mod timers;
mod view;
#[cfg(target_arch = "wasm32")]
mod wasm_alloc;

pub use api::Kind;
pub use cluster::{Cluster, Output};
pub use codec::{marks, to_yaml, Mark};
pub use event_feed::EventRow;
pub use files::{Entry, Files, MemFiles, NoFiles};
pub use metrics::{api as prometheus_api, openmetrics, promql, promtool, rules};
pub use network::{http::Response, Hop, Outcome, Trace};
pub use object::Object;
pub use object_tree::{KindGroup, NamespaceBranch, ObjectTree, TreeEntry};
/// Why the scheduler placed a pod where it did (see [`Cluster::scheduling_trace`]).
pub mod scheduling {
    pub use crate::scheduler::trace::{Attempt, NodeVerdict, PluginScore, Verdict};
}
/// Each pod's life over simulated time (see [`Cluster::pod_timeline`]).
pub mod timeline {
    pub use crate::lifecycle::{ContainerLane, ContainerState, Mark, PodTimeline, Span};
}
pub use scenario::lesson;
pub use scenario::{NewNode, NodeGroup, Preset, PresetIngressNginx, PresetMetalLb, PresetNode, PresetStorageClass};
pub use service_view::{
    EndpointDot, IngressBox, IngressRoute, NodeEntry, PortLine, Readiness, RequestDot, ServiceBox, ServiceView,
};
pub use shell::{read_only, Completion, Shell, CLEAR_SCREEN};
pub use store::{Change, ChangeType};
pub use time::{Millis, Time, EPOCH};
pub use view::{Amounts, ClusterView, NodeCard, Owner, PodChip};
#[cfg(target_arch = "wasm32")]
pub use wasm_alloc::SteppedAlloc;
