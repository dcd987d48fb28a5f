//! [`Cluster`]: the engine's public face. Everything a front end or a test
//! does to a simulated cluster goes through here.

use crate::api::Kind;
use crate::apiserver::ApiServer;
use crate::controllers;
use crate::events::Recorder;
use crate::files::{Files, NoFiles};
use crate::kubectl;
use crate::kubelet::{self, Kubelets};
use crate::object::Object;
use crate::rng::Rng;
use crate::runtime::fs;
use crate::scenario::{bootstrap, Preset};
use crate::scheduler::Scheduler;
use crate::store::Change;
use crate::time::{Millis, Time, EPOCH};
use crate::timers::{Timer, Timers};
use crate::view::{self, ClusterView};
use std::sync::Arc;

/// What a command printed, as a terminal shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The process exit status.
    pub exit_code: i32,
}

impl Output {
    /// Success with `stdout`.
    pub fn ok(stdout: impl Into<String>) -> Output {
        Output { stdout: stdout.into(), ..Default::default() }
    }

    /// Failure (exit 1) with `stderr`.
    pub fn err(stderr: impl Into<String>) -> Output {
        Output { stderr: stderr.into(), exit_code: 1, ..Default::default() }
    }

    /// Adds one object's outcome to a command's output: its line, or its
    /// error (which makes the whole command fail, as in kubectl).
    pub(crate) fn add(&mut self, outcome: Result<String, String>) {
        match outcome {
            Ok(text) => self.stdout.push_str(&text),
            Err(text) => {
                self.stderr.push_str(&text);
                self.exit_code = 1;
            }
        }
    }
}

/// Change-log entries kept for readers that poll (the app's pictures).
const LOG_KEEP: usize = 50_000;
/// Bound on component rounds per instant, so a feedback loop between two
/// components can never freeze the page.
const MAX_ROUNDS: usize = 1_000;

/// A simulated Kubernetes cluster on a virtual clock.
#[derive(Clone, Debug)]
pub struct Cluster {
    api: ApiServer,
    clock: Time,
    rng: Rng,
    timers: Timers,
    scheduler: Scheduler,
    controllers: controllers::Manager,
    kubelets: Kubelets,
    events: Recorder,
    preset: String,
    /// What containers have written outside their volumes.
    layers: crate::runtime::fs::Layers,
    /// How far `layers` has read the change log for containers starting.
    started_cursor: u64,
    /// What containers have written into their volumes.
    volumes: crate::runtime::volumes::Volumes,
    /// What the nodes hold of the network outside the API.
    network: crate::network::Network,
    /// kube-proxy's random picks: a stream of their own, so a request
    /// renames nothing made after it.
    dice: Rng,
    /// Prometheus and its exporters, in a preset that installs them.
    monitoring: Option<crate::metrics::monitoring::Monitoring>,
    /// The dashboards users saved in the lab's Grafana.
    dashboards: crate::dashboards::saved::Saved,
    /// Each pod's life, read from the change log as it is written.
    lifecycle: crate::lifecycle::Lifecycle,
}

/// Salt of the network's random stream.
const NETWORK_SALT: u64 = 0x006e_6574_776f_726b;

impl Cluster {
    /// Builds the preset called `preset` (`default`, `single`, …). The same
    /// preset, seed and inputs always produce the same history.
    pub fn new(preset: &str, seed: u64) -> Result<Cluster, String> {
        let Some(spec) = Preset::named(preset) else {
            let known: Vec<String> = Preset::all().into_iter().map(|p| p.name).collect();
            return Err(format!("unknown preset \"{preset}\" (known: {})", known.join(", ")));
        };
        Ok(Cluster::from_preset(spec, seed))
    }

    /// Builds a cluster from a preset given as data (a bundled one, or one
    /// changed or written by the caller).
    pub fn from_preset(spec: Preset, seed: u64) -> Cluster {
        let mut api = ApiServer::new(seed);
        bootstrap(&mut api, &spec, EPOCH);
        let mut cluster = Cluster {
            api,
            clock: EPOCH,
            rng: Rng::new(seed),
            timers: Timers::default(),
            scheduler: Scheduler::default(),
            controllers: controllers::Manager::new(spec.metallb.as_ref().map(controllers::AddressPool::new)),
            kubelets: Kubelets::default(),
            events: Recorder::default(),
            preset: spec.name,
            layers: Default::default(),
            started_cursor: 0,
            volumes: Default::default(),
            network: Default::default(),
            dice: Rng::new(seed).fork(NETWORK_SALT),
            monitoring: spec.monitoring.then(|| crate::metrics::monitoring::Monitoring::new(EPOCH)),
            dashboards: Default::default(),
            lifecycle: Default::default(),
        };
        cluster.timers.at(EPOCH.plus(crate::kubelet::HEARTBEAT), Timer::Heartbeat);
        if let Some(m) = cluster.monitoring.as_mut() {
            m.counters.prime(cluster.api.store(), cluster.network.sources());
            cluster.timers.at(m.next_due(), Timer::Scrape);
        }
        cluster.settle();
        cluster
    }

    /// The preset this cluster was built from.
    pub fn preset(&self) -> &str {
        &self.preset
    }

    /// Runs one kubectl command line (with or without the leading `kubectl`)
    /// and returns what it printed. `-f` paths cannot be read from here: use
    /// [`Cluster::kubectl_with`] or [`Cluster::apply`].
    pub fn kubectl(&mut self, line: &str) -> Output {
        self.kubectl_with(line, &NoFiles, None)
    }

    /// Like [`Cluster::kubectl`], reading `-f` paths from `files` and `-f -`
    /// from `stdin`.
    pub fn kubectl_with(&mut self, line: &str, files: &dyn Files, stdin: Option<&str>) -> Output {
        match crate::shell::split_words(line) {
            Ok(mut words) => {
                if words.first().map(String::as_str) == Some("kubectl") {
                    words.remove(0);
                }
                kubectl::run(self, &words, files, stdin)
            }
            Err(e) => Output::err(format!("{e}\n")),
        }
    }

    /// Applies a YAML or JSON manifest (one or more documents), as
    /// `kubectl apply -f -` would.
    pub fn apply(&mut self, manifest: &str) -> Output {
        let words = ["apply", "-f", "-"].map(String::from);
        kubectl::run(self, &words, &NoFiles, Some(manifest))
    }

    /// What `kubectl diff -f -` prints for `manifest`: the live objects
    /// against what applying it would leave. It runs on a copy, so the
    /// cluster (its clock, names and random draws) is untouched.
    pub fn diff(&self, manifest: &str) -> Output {
        let words = ["diff", "-f", "-"].map(String::from);
        kubectl::run(&mut self.clone(), &words, &NoFiles, Some(manifest))
    }

    /// Advances the virtual clock by `dt` milliseconds, running every
    /// component that has work due, in order, as it comes due.
    pub fn step(&mut self, dt: Millis) {
        let target = self.clock.plus(dt.max(0));
        self.settle();
        while let Some((due, timer)) = self.timers.pop_due(target) {
            self.clock = self.clock.max(due);
            self.fire(timer);
            // Everything due at the same instant happens before anyone reacts,
            // as simultaneous kubelet reports reach a controller together.
            while let Some((_, timer)) = self.timers.pop_due(self.clock) {
                self.fire(timer);
            }
            self.settle();
        }
        self.clock = target;
    }

    /// Lets the cluster react to what has just happened; if nothing does,
    /// advances the clock to the next instant anything is due, but not past
    /// `limit` (and at least a millisecond): what a command that waits for
    /// the cluster to change uses, so it never steps through idle time.
    pub fn step_to_next(&mut self, limit: Time) {
        // What the last change sets off may itself be what the caller waits
        // for: then the clock stays where it is.
        let before = self.version();
        self.settle();
        if self.version() != before {
            return;
        }
        let next = self.timers.next_due().unwrap_or(limit).min(limit).max(self.clock.plus(1));
        self.step(next.since(self.clock));
    }

    /// Ends the main process of a pod's container now with `code`, as an
    /// attached shell's `exit` does.
    pub(crate) fn end_process(&mut self, namespace: &str, pod: &str, container: &str, code: i32) {
        let Some(uid) = self.get(Kind::Pod, namespace, pod).and_then(|p| p.meta().uid.clone()) else { return };
        let reason = if code == 0 { "Completed" } else { "Error" };
        let target = (namespace, pod, container, uid.as_str());
        self.kubelets.end_container(&mut self.timers, self.clock, target, self.clock, code, reason);
        self.step(0);
    }

    /// The network as a request sees it now.
    pub(crate) fn fabric(&self) -> crate::network::Fabric<'_> {
        crate::network::Fabric {
            store: self.api.store(),
            now: self.clock,
            layers: &self.layers,
            volumes: &self.volumes,
            kubelets: &self.kubelets,
            network: &self.network,
            monitoring: self.monitoring.as_ref().map(|m| (m, self.api.requests())),
        }
    }

    /// A seed for one command's random network choices.
    pub(crate) fn network_seed(&mut self) -> u64 {
        self.dice.next_u64()
    }

    /// Keeps the traces of a command's requests and lets the time they took
    /// pass.
    pub(crate) fn finish_requests(&mut self, traces: Vec<crate::network::Trace>, elapsed: Millis) {
        for trace in traces {
            self.network.record(trace);
        }
        if elapsed > 0 {
            self.step(elapsed);
        }
    }

    /// Runs `curl` or `nslookup` in the terminal, a shell on the host node
    /// (`m-k8s`): `None` when the host has no such tool. The time it waited
    /// is the caller's to let pass, as the shell moves every cluster on one
    /// clock.
    pub(crate) fn host_tool(&mut self, program: &str, args: &[String]) -> Option<crate::network::tools::Ran> {
        use crate::network::{addresses, dns::Resolver, tools, Client, Dice};
        let seed = self.network_seed();
        let store = self.api.store();
        let node = addresses::host_node(store)?;
        let ip = addresses::node_ip(store, &node).unwrap_or_default();
        let mut ctx = tools::Context {
            fabric: self.fabric(),
            client: Client { node, ip, pod: None },
            resolver: Resolver::Node,
            dice: Dice::new(seed),
            build: tools::Build::Full,
        };
        let mut ran = tools::run(&mut ctx, program, args)?;
        let traces = std::mem::take(&mut ran.traces);
        self.finish_requests(traces, 0);
        Some(ran)
    }

    /// Evaluates a PromQL instant query at `time` over what the lab's
    /// Prometheus has scraped; `None` when the cluster has no Prometheus.
    pub fn query(&self, query: &str, time: Time) -> Option<Result<crate::promql::Value, crate::promql::Error>> {
        let storage = &self.monitoring.as_ref()?.storage;
        Some(crate::promql::instant(storage, query, time.0))
    }

    /// Evaluates a PromQL range query from `start` to `end` every `step`.
    pub fn query_range(
        &self,
        query: &str,
        start: Time,
        end: Time,
        step: Millis,
    ) -> Option<Result<crate::promql::Matrix, crate::promql::Error>> {
        let storage = &self.monitoring.as_ref()?.storage;
        Some(crate::promql::range(storage, query, start.0, end.0, step))
    }

    /// Saves a dashboard (Grafana JSON) in the lab's Grafana; its uid, or
    /// why the text is not a dashboard. Saving one with a saved uid replaces
    /// it; a built-in's uid makes a copy.
    pub fn save_dashboard(&mut self, json: &str) -> Result<String, String> {
        self.dashboards.save(json).map_err(|e| e.to_string())
    }

    /// Deletes a saved dashboard; false when no saved one has this uid.
    pub fn delete_dashboard(&mut self, uid: &str) -> bool {
        self.dashboards.delete(uid)
    }

    /// The saved dashboards, oldest first (built-ins are in
    /// [`crate::dashboards::builtin`]).
    pub fn dashboards(&self) -> &crate::dashboards::saved::Saved {
        &self.dashboards
    }

    /// What the lab's Prometheus has stored; `None` without one.
    pub fn tsdb(&self) -> Option<&crate::promql::Storage> {
        self.monitoring.as_ref().map(|m| &m.storage)
    }

    /// Runs `promtool ARGS` on the terminal's node against whatever
    /// Prometheus the URL reaches.
    pub(crate) fn promtool(&mut self, args: &[String]) -> crate::promtool::Output {
        let mut dice = crate::network::Dice::new(self.network_seed());
        let fabric = self.fabric();
        let storage = self.monitoring.as_ref().map(|m| &m.storage);
        let server = |base: &str| {
            crate::metrics::monitoring::reach(&fabric, &mut dice, base)?;
            storage.ok_or_else(|| "server returned HTTP status 503 Service Unavailable".to_string())
        };
        crate::promtool::run(args, server, self.clock.0)
    }

    /// What the Alertmanager posted to the class's chat, oldest first;
    /// `None` when the cluster has no monitoring stack.
    pub fn chat(&self) -> Option<&[crate::rules::Notification]> {
        self.monitoring.as_ref().map(|m| m.chat())
    }

    /// The lab's Prometheus rules with their alerts' states, as its rules
    /// page shows them; `None` when the cluster has no monitoring stack.
    pub fn rules(&self) -> Option<&crate::rules::Rules> {
        self.monitoring.as_ref().map(|m| m.rules())
    }

    /// The latest requests made in the cluster, oldest first, hop by hop.
    pub fn traces(&self) -> Vec<crate::network::Trace> {
        self.network.traces().cloned().collect()
    }

    /// Requests arriving from outside, by name.
    pub(crate) fn network_mut(&mut self) -> &mut crate::network::Network {
        &mut self.network
    }

    /// Requests arriving from outside.
    pub(crate) fn traffic(&self) -> &[crate::network::load::Source] {
        self.network.sources()
    }

    /// Stops (`false`) or starts kube-proxy on a node.
    pub(crate) fn set_proxy(&mut self, node: &str, run: bool) -> Result<(), String> {
        if self.api.store().get(Kind::Node, "", node).is_none() {
            return Err(format!("no node named {node:?}"));
        }
        self.network.set_proxy(node, run);
        Ok(())
    }

    /// Whether kube-proxy on the node was stopped by a fault.
    pub(crate) fn proxy_stopped(&self, node: &str) -> bool {
        self.network.proxy_stopped(node)
    }

    /// What a command in a pod's container sees, with what that container
    /// instance has written.
    pub(crate) fn inside<'a>(
        &'a self,
        pod: &'a k8s_openapi::api::core::v1::Pod,
        container: &'a k8s_openapi::api::core::v1::Container,
    ) -> crate::runtime::exec::Inside<'a> {
        crate::runtime::exec::Inside::of(self.api.store(), &self.layers, &self.volumes, pod, container, self.clock)
    }

    /// Writes a file into a pod's container (`kubectl cp`, a shell's `>`):
    /// into the volume mounted there, or the container's writable layer.
    pub(crate) fn write_in(
        &mut self,
        pod: &k8s_openapi::api::core::v1::Pod,
        container: &str,
        path: &str,
        text: &str,
    ) -> Result<(), crate::runtime::exec::Unwritable> {
        use crate::runtime::exec::{Place, Unwritable};
        let spec = pod.spec.as_ref().and_then(|s| s.containers.iter().find(|c| c.name == container));
        let place = match spec {
            Some(c) => self.inside(pod, c).place(path)?,
            None => return Err(Unwritable::NoDirectory),
        };
        // What belonged to deleted pods and volumes goes with them, checked
        // here where files are made rather than on every deletion.
        let store = self.api.store();
        self.layers.retain(|ns, name, uid| {
            store.get(Kind::Pod, ns, name).is_some_and(|p| p.meta().uid.as_deref() == Some(uid))
        });
        self.volumes.retain(store);
        match place {
            Place::Layer => self.layers.write(fs::layer_key(pod, container), fs::restarts(pod, container), path, text),
            Place::Volume(key, inner) => self.volumes.write(key, &inner, text),
        }
        Ok(())
    }

    /// Stops (`false`) or starts a node's kubelet, as `systemctl` would on
    /// the node.
    pub(crate) fn set_kubelet(&mut self, node: &str, run: bool) -> Result<(), String> {
        let done = if run {
            let (kubelets, mut io, _) = self.kubelets_and_io();
            kubelets.start_kubelet(&mut io, node)
        } else {
            self.kubelets.stop_kubelet(node)
        };
        self.step(0);
        if self.kubelets.removed(node) {
            Err(format!("node {node} was removed: no machine is left to run a kubelet"))
        } else if done {
            Ok(())
        } else if self.kubelets.powered_off(node) {
            Err(format!("node {node} is powered off"))
        } else {
            Err(format!("node {node:?} not found"))
        }
    }

    /// Switches a node's power off or on.
    pub(crate) fn set_power(&mut self, node: &str, on: bool) -> Result<(), String> {
        let done = if on {
            let (kubelets, mut io, _) = self.kubelets_and_io();
            kubelets.power_on(&mut io, node)
        } else {
            self.kubelets.power_off(self.clock, node)
        };
        self.step(0);
        if self.kubelets.removed(node) {
            return Err(format!("node {node} was removed: no machine is left to power"));
        }
        done.then_some(()).ok_or_else(|| format!("node {node:?} not found"))
    }

    /// Joins a new worker, as `kubeadm join` on a fresh machine does: its
    /// kubelet registers the Node Ready and starts renewing its Lease, and
    /// the DaemonSets and the scheduler take it from there. Refused (with
    /// nothing written) for a taken or invalid name or an unreadable size.
    pub fn add_node(&mut self, new: &crate::scenario::NewNode) -> Result<crate::scenario::PresetNode, String> {
        let now = self.clock;
        let joined = crate::scenario::join(&mut self.api, new, now)?;
        if let Some(node) = self.get(Kind::Node, "", &joined.name) {
            let kubelet = crate::events::Source { component: "kubelet", host: Some(&joined.name) };
            let name = &joined.name;
            let status = |s: &str| format!("Node {name} status is now: {s}");
            let registered = format!("Node {name} event: Registered Node {name} in Controller");
            let node_controller = crate::events::Source { component: "node-controller", host: None };
            for (source, reason, message) in [
                (kubelet, "Starting", "Starting kubelet.".to_string()),
                (kubelet, "NodeHasSufficientMemory", status("NodeHasSufficientMemory")),
                (kubelet, "NodeHasNoDiskPressure", status("NodeHasNoDiskPressure")),
                (kubelet, "NodeHasSufficientPID", status("NodeHasSufficientPID")),
                (kubelet, "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods".to_string()),
                (node_controller, "RegisteredNode", registered),
                (kubelet, "NodeReady", status("NodeReady")),
            ] {
                self.events.record(&mut self.api, now, &node, source, "Normal", reason, &message);
            }
        }
        self.step(0);
        Ok(joined)
    }

    /// Takes a worker's machine away for good: its kubelet falls silent, so
    /// the node lifecycle controller finds it unreachable and its pods are
    /// evicted; the Node stays until `kubectl delete node`, after which the
    /// pod GC removes what was left bound to it.
    pub fn remove_node(&mut self, node: &str) -> Result<(), String> {
        let object = self.get(Kind::Node, "", node).ok_or_else(|| format!("no node named {node:?}"))?;
        if crate::labels::is_control_plane(object.meta()) {
            return Err(format!("{node} runs the control plane, and this terminal with it: it cannot be removed"));
        }
        if self.kubelets.removed(node) {
            return Err(format!("{node} was already removed (kubectl delete node {node} deletes its Node)"));
        }
        if !self.kubelets.remove_machine(self.clock, node) {
            return Err(format!("no machine stands behind node {node:?}"));
        }
        self.step(0);
        Ok(())
    }

    /// The state of a node's kubelet, for `fault status`: `None` for no such node.
    pub(crate) fn kubelet_state(&self, node: &str) -> Option<&'static str> {
        match self.kubelets.stopped(node)? {
            _ if self.kubelets.removed(node) => Some("removed"),
            _ if self.kubelets.powered_off(node) => Some("powered off"),
            true => Some("kubelet stopped"),
            false => Some("running"),
        }
    }

    /// The control-plane node, whose shell the terminal is.
    fn control_plane(&self) -> Option<String> {
        crate::network::addresses::control_plane(self.api.store())
    }

    /// The files of the control-plane node's static pod folder.
    pub(crate) fn static_pod_files(&self) -> Vec<(String, String)> {
        self.control_plane().map(|node| self.kubelets.manifests(&node)).unwrap_or_default()
    }

    /// Writes a file into the control-plane node's static pod folder.
    pub(crate) fn write_static_pod(&mut self, file: &str, text: &str) -> Result<(), String> {
        let node = self.control_plane().ok_or("no control-plane node")?;
        self.kubelets.put_manifest(&mut self.api, &node, file, text, self.clock);
        self.step(0);
        Ok(())
    }

    /// Removes a file from the control-plane node's static pod folder.
    pub(crate) fn remove_static_pod(&mut self, file: &str) -> bool {
        let Some(node) = self.control_plane() else { return false };
        let removed = self.kubelets.remove_manifest(&mut self.api, &node, file, self.clock);
        self.step(0);
        removed
    }

    /// Kills a container's main process (`kill -9`).
    pub(crate) fn kill_container(&mut self, namespace: &str, pod: &str, container: &str) -> bool {
        let done = self.kubelets.kill(&self.api, &mut self.timers, self.clock, namespace, pod, container);
        self.step(0);
        done
    }

    /// Makes a container leak memory; returns when it will be OOM-killed.
    pub(crate) fn leak_memory(&mut self, namespace: &str, pod: &str, container: &str, rate: u64) -> Option<Time> {
        let at = self.kubelets.leak(&self.api, &mut self.timers, self.clock, (namespace, pod, container), rate);
        self.step(0);
        at
    }

    /// The current time on the virtual clock.
    pub fn now(&self) -> Time {
        self.clock
    }

    /// How many API objects the cluster holds: a measure of what a copy
    /// of it costs.
    pub fn object_count(&self) -> usize {
        self.api.store().len()
    }

    /// The latest resourceVersion.
    pub fn version(&self) -> u64 {
        self.api.store().version()
    }

    /// Every retained change after `version`, oldest first.
    pub fn changes_since(&self, version: u64) -> Vec<Change> {
        self.api.store().changes_since(version).cloned().collect()
    }

    /// One object, if it exists.
    pub fn get(&self, kind: Kind, namespace: &str, name: &str) -> Option<Arc<Object>> {
        self.api.store().get(kind, namespace, name).cloned()
    }

    /// The scheduler's last few attempts at placing one pod, oldest first:
    /// for each node it looked at, the filter that turned it down or each
    /// score plugin's raw, normalised and weighted score. Kept for recent
    /// pods only; `None` for a pod it has not tried (or has forgotten).
    pub fn scheduling_trace(&self, namespace: &str, pod: &str) -> Option<Vec<crate::scheduling::Attempt>> {
        self.scheduler.trace(namespace, pod)
    }

    /// What `kubectl describe RESOURCE NAME -n NAMESPACE` prints (`pod`,
    /// `node`, …), read without changing anything.
    pub fn describe(&self, resource: &str, namespace: &str, name: &str) -> Output {
        kubectl::describe::of(self, resource, namespace, name)
    }

    /// What `kubectl logs POD -n NAMESPACE` prints (its first container's
    /// log, or kubectl's error for a pod with none yet).
    pub fn logs(&self, namespace: &str, pod: &str) -> Output {
        kubectl::logs::of(self, namespace, pod, None)
    }

    /// Holds the scheduler (pending pods queue up) or releases it. For
    /// benchmarks that build a backlog first.
    #[doc(hidden)]
    pub fn hold_scheduler(&mut self, held: bool) {
        self.scheduler.set_paused(held);
    }

    /// Runs the scheduler alone over everything pending (no controller or
    /// kubelet reacts); returns the pods it tried. For benchmarks, which
    /// time it from outside: the engine never reads the wall clock.
    #[doc(hidden)]
    pub fn run_scheduler(&mut self) -> usize {
        self.scheduler.set_paused(false);
        self.scheduler.sync(&mut self.api, &mut self.rng, &mut self.events, &mut self.timers, self.clock)
    }

    /// A summary of nodes and pods for pictures, with the same STATUS text
    /// kubectl prints.
    pub fn view(&self) -> ClusterView {
        view::build(self.api.store(), self.clock, self.traffic(), true)
    }

    /// The same summary without what the nodes use (every `usage` `None`):
    /// working out each pod's use is most of a view's cost, and a picture of
    /// thousands of nodes (the heat grid) shades by requests alone.
    pub fn view_without_usage(&self) -> ClusterView {
        view::build(self.api.store(), self.clock, self.traffic(), false)
    }

    /// Whether a Pod or a Node changed after resourceVersion `version`, or
    /// the change log no longer reaches back that far: whether a view taken
    /// then may be out of date (Leases and Events move the version too).
    pub fn map_changed_since(&self, version: u64) -> bool {
        if self.version() <= version {
            return false;
        }
        let mut changes = self.api.store().changes_since(version).peekable();
        match changes.peek() {
            Some(first) if first.version <= version + 1 => {
                changes.any(|c| matches!(c.object.kind(), Kind::Pod | Kind::Node))
            }
            _ => true,
        }
    }

    /// The service picture of `namespace`: Ingresses, Services with their
    /// entry points and endpoints, kube-proxy per node, recent requests.
    pub fn service_view(&self, namespace: &str) -> crate::ServiceView {
        crate::service_view::build(&self.fabric(), namespace, self.network.traces())
    }

    /// Every object as the Objects picture draws it: namespaces with their
    /// workloads by ownership and their other objects by kind, then the
    /// cluster-scoped ones, each with `kubectl get`'s status cells.
    pub fn object_tree(&self) -> crate::ObjectTree {
        crate::object_tree::build(self.api.store(), self.clock)
    }

    /// What `kubectl get KIND NAME -n NAMESPACE -o yaml` prints for one
    /// object (`kind` as manifests name it, `Pod`); `None` when there is no
    /// such object. Only reads.
    pub fn object_yaml(&self, kind: &str, namespace: &str, name: &str) -> Option<String> {
        let info = crate::api::RESOURCES.iter().find(|i| i.kind_name == kind)?;
        let scope = if info.namespaced { namespace } else { "" };
        self.api.store().get(info.kind, scope, name).map(|o| kubectl::get::yaml(o))
    }

    /// The names of the cluster's Namespaces, in name order: what the app's
    /// namespace picker offers.
    pub fn namespaces(&self) -> Vec<String> {
        self.api.store().list(Kind::Namespace, None).map(|o| o.name().to_string()).collect()
    }

    /// Every Event in the cluster, oldest report first: the app's event
    /// stream, read from the same objects `kubectl get events` lists.
    pub fn events(&self) -> Vec<crate::event_feed::EventRow> {
        crate::event_feed::build(self.api.store())
    }

    /// One pod's life so far, for its latest instance under that name:
    /// phase and readiness spans, each container's (init containers
    /// first) waiting / running / terminated spans with reasons, exit codes
    /// and restart counts, and the Events about it as marks. Kept for an
    /// hour after the pod is deleted; `None` for a pod it never saw.
    pub fn pod_timeline(&self, namespace: &str, name: &str) -> Option<crate::timeline::PodTimeline> {
        self.lifecycle.pod(namespace, name)
    }

    /// The timelines of every pod a workload controls or controlled
    /// (`owner` as the cluster map groups pods: a ReplicaSet's under their
    /// Deployment) that existed at some point since `since`, oldest first:
    /// a rolling update as old pods ending while new ones become ready.
    pub fn workload_timeline(
        &self,
        namespace: &str,
        owner: &crate::Owner,
        since: Time,
    ) -> Vec<crate::timeline::PodTimeline> {
        self.lifecycle.owned(namespace, owner, since)
    }

    pub(crate) fn api(&self) -> &ApiServer {
        &self.api
    }

    pub(crate) fn api_mut(&mut self) -> &mut ApiServer {
        &mut self.api
    }

    /// Runs the reactive components until none has anything left to do at
    /// the current instant.
    pub(crate) fn settle(&mut self) {
        for _ in 0..MAX_ROUNDS {
            let mut progressed = self.controllers.sync(
                &mut self.api,
                &mut self.events,
                &mut self.timers,
                self.clock,
                self.network.sources(),
            );
            progressed |=
                self.scheduler.sync(&mut self.api, &mut self.rng, &mut self.events, &mut self.timers, self.clock) > 0;
            let (kubelets, mut io, _) = self.kubelets_and_io();
            progressed |= kubelets.sync(&mut io);
            // Everyone has read the log up to here: keep it from growing
            // without bound while a large cluster settles.
            self.started_cursor = self.layers.pin_started(self.api.store(), self.started_cursor);
            self.lifecycle.follow(self.api.store(), self.clock);
            let consumed = self.scheduler.cursor().min(self.controllers.cursor()).min(self.kubelets.cursor());
            let consumed = consumed.min(self.lifecycle.cursor());
            self.api.trim_log(LOG_KEEP, consumed);
            if !progressed {
                break;
            }
        }
    }

    /// The kubelets, what they act through, and what containers have
    /// written (for exec probes), borrowed apart from one another.
    fn kubelets_and_io(
        &mut self,
    ) -> (&mut Kubelets, kubelet::Io<'_>, (&crate::runtime::fs::Layers, &crate::runtime::volumes::Volumes)) {
        let io =
            kubelet::Io { api: &mut self.api, timers: &mut self.timers, events: &mut self.events, now: self.clock };
        (&mut self.kubelets, io, (&self.layers, &self.volumes))
    }

    fn fire(&mut self, timer: Timer) {
        match timer {
            Timer::PodWorker { node, namespace, name } => {
                let (kubelets, mut io, written) = self.kubelets_and_io();
                kubelets.fire(&mut io, written, &node, &namespace, &name);
            }
            Timer::Controller { index, key } => self.controllers.requeue(index, key),
            Timer::Heartbeat => {
                self.kubelets.heartbeat(&mut self.api, self.clock);
                self.timers.at(self.clock.plus(crate::kubelet::HEARTBEAT), Timer::Heartbeat);
            }
            Timer::Scrape => {
                let Some(monitoring) = self.monitoring.as_mut() else { return };
                let fabric = crate::network::Fabric {
                    store: self.api.store(),
                    now: self.clock,
                    layers: &self.layers,
                    volumes: &self.volumes,
                    kubelets: &self.kubelets,
                    network: &self.network,
                    monitoring: None,
                };
                monitoring.tick(&fabric, self.api.requests(), self.network.sources());
                self.timers.at(monitoring.next_due(), Timer::Scrape);
                // A post due before the next scrape gets a timer of its own.
                if let Some(post) = monitoring.next_post().filter(|t| *t < monitoring.next_due()) {
                    self.timers.at(post, Timer::Post);
                }
            }
            Timer::Scheduler => self.scheduler.wake(self.clock),
            Timer::Post => {
                if let Some(monitoring) = self.monitoring.as_mut() {
                    monitoring.flush_alerts(self.clock);
                }
            }
        }
    }
}
