//! The cluster's network as a packet sees it: which addresses exist
//! (`addresses.rs`), what kube-proxy on each node does with a Service's
//! virtual IP, node ports and load-balancer addresses (`proxy.rs`), what
//! CoreDNS answers (`dns.rs`), how the ingress controller routes by host
//! and path (`ingress.rs`), where a request goes hop by hop (`route.rs`)
//! which packets NetworkPolicies let through (`policy.rs`) and what the
//! server at the end sends back (`http.rs`); the tools that
//! make requests — `curl`, `wget`, `nslookup` — on a node or in a
//! container (`tools.rs`), and the CPU that served requests cost the pods
//! (`load.rs`).
//!
//! Nothing here is stored in the API: routes are worked out from the store
//! when a request is made, so the network can never disagree with the
//! objects. The only state is what a node holds outside the API (a stopped
//! kube-proxy) and the recent traces the pictures draw.

pub mod addresses;
pub mod dns;
pub mod http;
pub mod ingress;
pub mod load;
pub mod policy;
pub mod proxy;
pub mod route;
pub mod tools;

use crate::kubelet::Kubelets;
use crate::runtime::fs::Layers;
use crate::runtime::volumes::Volumes;
use crate::store::Store;
use crate::time::Time;
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// How many traces the network keeps for the pictures.
const TRACES_KEPT: usize = 64;

/// Network state that lives on the nodes rather than in the API.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// Nodes whose kube-proxy is stopped: their Service rules are gone.
    proxy_stopped: BTreeSet<String>,
    /// The latest requests, oldest first.
    traces: VecDeque<Trace>,
    /// Requests arriving from outside at a steady rate, by name.
    sources: Vec<load::Source>,
    /// Single requests each pod's server has answered (the steady streams
    /// are counted by the metrics from their rates).
    answered: BTreeMap<(String, String), u64>,
}

impl Network {
    /// Stops or starts kube-proxy on `node`; whether that changed anything.
    pub fn set_proxy(&mut self, node: &str, run: bool) -> bool {
        if run {
            self.proxy_stopped.remove(node)
        } else {
            self.proxy_stopped.insert(node.to_string())
        }
    }

    /// Whether kube-proxy on `node` was stopped by a fault.
    pub fn proxy_stopped(&self, node: &str) -> bool {
        self.proxy_stopped.contains(node)
    }

    /// Starts (or changes) a steady stream of requests from outside.
    pub fn start_source(&mut self, source: load::Source) {
        self.sources.retain(|s| s.name != source.name);
        self.sources.push(source);
        self.sources.sort_by(|a, b| a.name.cmp(&b.name));
    }

    /// Stops a stream of requests; whether there was one by that name.
    pub fn stop_source(&mut self, name: &str) -> bool {
        let before = self.sources.len();
        self.sources.retain(|s| s.name != name);
        self.sources.len() != before
    }

    /// The steady streams of requests from outside, by name.
    pub fn sources(&self) -> &[load::Source] {
        &self.sources
    }

    /// Keeps a request's trace for the pictures.
    pub fn record(&mut self, trace: Trace) {
        if let (Outcome::Response(_), Some(Hop::Pod { namespace, name, .. })) = (&trace.outcome, trace.hops.last()) {
            *self.answered.entry((namespace.clone(), name.clone())).or_default() += 1;
        }
        if self.traces.len() == TRACES_KEPT {
            self.traces.pop_front();
        }
        self.traces.push_back(trace);
    }

    /// The latest requests, oldest first.
    pub fn traces(&self) -> impl Iterator<Item = &Trace> {
        self.traces.iter()
    }

    /// How many single requests `pod` has answered.
    pub fn answered(&self, namespace: &str, pod: &str) -> u64 {
        self.answered.get(&(namespace.to_string(), pod.to_string())).copied().unwrap_or(0)
    }
}

/// Everything a request's path depends on, borrowed for one command.
#[derive(Clone, Copy)]
pub struct Fabric<'a> {
    pub store: &'a Store,
    pub now: Time,
    pub layers: &'a Layers,
    pub volumes: &'a Volumes,
    pub kubelets: &'a Kubelets,
    pub network: &'a Network,
    /// The monitoring stack and the API server's request counts, which
    /// the exporters' `/metrics` report.
    pub monitoring: Option<(&'a crate::metrics::monitoring::Monitoring, &'a crate::apiserver::requests::Requests)>,
}

impl Fabric<'_> {
    /// Whether `node` has power (an unknown node has none).
    pub fn node_up(&self, node: &str) -> bool {
        self.store.get(crate::api::Kind::Node, "", node).is_some() && !self.kubelets.powered_off(node)
    }

    /// Whether kube-proxy on `node` keeps the node's Service rules: its pod
    /// is running there and no fault has stopped it.
    pub fn proxy_runs(&self, node: &str) -> bool {
        self.node_up(node) && !self.network.proxy_stopped(node) && addresses::kube_proxy_running(self.store, node)
    }
}

/// Where a request starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    /// The node the packets leave from.
    pub node: String,
    /// The source address.
    pub ip: String,
    /// The pod making the request, if any (namespace, name).
    pub pod: Option<(String, String)>,
}

/// A deterministic stream of choices for one command: kube-proxy's random
/// endpoint pick, drawn from the cluster's seeded generator.
#[derive(Clone, Debug)]
pub struct Dice(crate::rng::Rng);

impl Dice {
    /// Choices seeded from the cluster's generator.
    pub fn new(seed: u64) -> Dice {
        Dice(crate::rng::Rng::new(seed))
    }

    /// A value in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0.below(n)
    }
}

/// One step of a request's path, for the service picture.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Hop {
    /// The client: a node's shell or a pod.
    Client {
        /// The node's or the pod's name.
        name: String,
        /// Its address.
        ip: String,
    },
    /// A node's address received it (a node port, a load-balancer address
    /// announced by that node).
    Node {
        /// The node.
        name: String,
        /// The address the packet was sent to.
        ip: String,
        /// The port it was sent to.
        port: i32,
    },
    /// kube-proxy on `node` matched a Service and picked an endpoint.
    Service {
        /// Whose rules matched.
        node: String,
        /// The Service's namespace.
        namespace: String,
        /// The Service.
        name: String,
        /// The Service port.
        port: i32,
    },
    /// The ingress controller matched a rule.
    Ingress {
        /// The Ingress's namespace.
        namespace: String,
        /// The Ingress.
        name: String,
        /// The Host the request named.
        host: String,
        /// The rule's path that matched.
        path: String,
    },
    /// The pod that answered (or was meant to).
    Pod {
        /// The pod's namespace.
        namespace: String,
        /// The pod.
        name: String,
        /// Its address.
        ip: String,
        /// The container port.
        port: i32,
    },
}

/// How a request ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A server answered.
    Response(http::Response),
    /// Nothing listens there (a reset, or kube-proxy's reject for a
    /// Service without endpoints).
    Refused,
    /// No machine answers for the address on the lab's network.
    NoRoute,
    /// Packets went nowhere; the client gives up after its timeout.
    Timeout,
    /// Something listens but does not speak HTTP, and closes.
    EmptyReply,
    /// Something listens and talks first, not in HTTP (a database's
    /// greeting, redis's error).
    Http09,
    /// A TLS server whose certificate the client cannot check: signed by
    /// the cluster's own CA, or by itself (the ingress controller's fake
    /// certificate).
    Untrusted {
        /// Whether the certificate signed itself.
        self_signed: bool,
    },
    /// TLS spoken to a plain-HTTP server.
    WrongTls,
}

/// A request as the pictures show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trace {
    /// When it was made.
    pub at: Time,
    /// What was asked for, as typed (`http://web/`).
    pub url: String,
    /// The path, client first.
    pub hops: Vec<Hop>,
    /// How it ended.
    pub outcome: Outcome,
}
