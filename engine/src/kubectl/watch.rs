//! `kubectl get -w`: after the first table, a row for every change to a
//! watched object, printed as the change happens on the simulated clock.
//! The terminal keeps the watch and asks for new rows (`poll`) as time
//! runs, until Ctrl-C (or the next command) ends it.

use super::printers::{self, table};
use crate::api::Kind;
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;

/// Output that goes on arriving after a command: a `get -w`, a `logs -f`, or
/// a `port-forward` holding the terminal.
#[derive(Clone, Debug)]
pub enum Stream {
    Rows(Watch),
    Log(super::logs::Follow),
    Forward(super::port_forward::Forward),
    Events(super::events::EventWatch),
}

impl Stream {
    /// What arrived since the last poll, and whether the stream has ended.
    pub fn poll(&mut self, cluster: &Cluster) -> (Output, bool) {
        match self {
            Stream::Rows(w) => (w.poll(cluster), false),
            Stream::Log(f) => f.poll(cluster),
            Stream::Forward(f) => f.poll(cluster),
            Stream::Events(e) => (e.poll(cluster), false),
        }
    }
}

/// What a `get -w` watches and how it prints rows.
#[derive(Clone, Debug)]
pub struct Watch {
    kinds: Vec<Kind>,
    /// `None` with `-A` (and for cluster-scoped kinds).
    namespace: Option<String>,
    names: Vec<String>,
    selector: Option<Selector>,
    wide: bool,
    all_namespaces: bool,
    show_labels: bool,
    show_kind: bool,
    /// `-o yaml|json|name|jsonpath=…`: each object printed on its own;
    /// `None` for rows.
    format: Option<String>,
    /// Objects printed so far (YAML separates them with `---`).
    printed: usize,
    /// The last change already printed.
    cursor: u64,
}

impl Watch {
    /// Whether the watch follows this object.
    fn follows(&self, object: &crate::object::Object) -> bool {
        let info = object.info();
        self.kinds.contains(&info.kind)
            && !(info.namespaced && self.namespace.as_deref().is_some_and(|ns| ns != object.namespace()))
            && (self.names.is_empty() || self.names.iter().any(|n| n == object.name()))
            && self.selector.as_ref().is_none_or(|s| s.matches(object.meta().labels.as_ref()))
    }

    /// An object printed whole (`-o yaml|json|name`), as kubectl prints each
    /// object of a watch: YAML documents separated by `---`.
    fn whole(&mut self, object: &crate::object::Object) -> String {
        let value = object.to_value();
        let text = match self.format.as_deref() {
            Some("yaml") => {
                let separator = if self.printed > 0 { "---\n" } else { "" };
                format!("{separator}{}", crate::codec::to_yaml(&value))
            }
            Some("json") => format!("{}\n", super::get::json(&value)),
            Some(other) if other.starts_with("jsonpath=") => {
                super::jsonpath::execute(&other["jsonpath=".len()..], &value).unwrap_or_default()
            }
            _ => format!("{}/{}\n", object.info().qualified_singular(), object.name()),
        };
        self.printed += 1;
        text
    }

    /// With `-o yaml|json|name`, what a watch prints first: each object on
    /// its own, not a List. `None` for tables, which `get` prints.
    pub fn initial(&mut self, cluster: &Cluster) -> Option<Output> {
        self.format.as_ref()?;
        let store = cluster.api().store();
        let mut out = Output::default();
        for kind in self.kinds.clone() {
            let scope = if crate::api::info(kind).namespaced { self.namespace.clone() } else { None };
            let objects: Vec<_> = store.list(kind, scope.as_deref()).filter(|o| self.follows(o)).cloned().collect();
            for object in &objects {
                out.stdout.push_str(&self.whole(object));
            }
        }
        Some(out)
    }

    /// The rows for the changes since the last poll.
    pub fn poll(&mut self, cluster: &Cluster) -> Output {
        let mut out = Output::default();
        for change in cluster.api().store().changes_since(self.cursor) {
            self.cursor = change.version;
            let object = &change.object;
            let info = object.info();
            if !self.follows(object) {
                continue;
            }
            if self.format.is_some() {
                out.stdout.push_str(&self.whole(object));
                continue;
            }
            // A deletion prints the object's last state, as kubectl does.
            let mut row = printers::row(object, change.time, self.wide);
            if self.show_kind {
                row[0] = format!("{}/{}", info.qualified_singular(), row[0]);
            }
            if self.all_namespaces && info.namespaced {
                row.insert(0, object.namespace().to_string());
            }
            if self.show_labels {
                row.push(printers::labels_cell(object.meta().labels.as_ref()));
            }
            // Each event is flushed on its own, so its columns align only
            // with themselves.
            out.stdout.push_str(&table::render(&[row]));
        }
        out
    }
}

/// The watch a `get -w` (or `--watch-only`) command line asks for, if any.
pub fn from_get(cluster: &Cluster, m: &clap::ArgMatches) -> Option<Watch> {
    if !super::cli::boolean(m, "watch") && !super::cli::boolean(m, "watch-only") {
        return None;
    }
    let requests = super::resources::parse(&super::cli::strings(m, "args")).ok()?;
    let all = super::cli::boolean(m, "all-namespaces");
    let selector = super::cli::string(m, "selector").and_then(|s| Selector::parse(&s).ok());
    let output = super::cli::string(m, "output");
    let wide = output.as_deref() == Some("wide");
    let format = output.filter(|o| matches!(o.as_str(), "yaml" | "json" | "name") || o.starts_with("jsonpath="));
    let kinds: Vec<Kind> = requests.iter().map(|r| r.info.kind).collect();
    // It starts after everything the store holds now.
    Some(Watch {
        show_kind: kinds.len() > 1,
        kinds,
        namespace: (!all).then(|| super::namespace(m)),
        names: requests.iter().flat_map(|r| r.names.clone()).collect(),
        selector,
        wide,
        all_namespaces: all,
        show_labels: super::cli::boolean(m, "show-labels"),
        format,
        printed: 0,
        cursor: cluster.api().store().version(),
    })
}
