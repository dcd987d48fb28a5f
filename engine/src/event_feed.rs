//! The cluster's Events as rows for the app's event stream: the same
//! objects `kubectl get events` lists, flattened so a picture needs no
//! Kubernetes types.

use crate::api::Kind;
use crate::object::Object;
use crate::store::Store;
use crate::time::Time;

/// One Event, as the event stream shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRow {
    /// The Event's namespace.
    pub namespace: String,
    /// The Event's own name, unique within its namespace.
    pub name: String,
    /// `Normal` or `Warning`.
    pub type_: String,
    /// Why, in one CamelCase word (`Scheduled`, `BackOff`).
    pub reason: String,
    /// The kind of the object it is about (`Pod`, `Node`).
    pub kind: String,
    /// The name of the object it is about.
    pub object: String,
    /// What happened, in the component's words.
    pub message: String,
    /// How many times it was reported.
    pub count: i32,
    /// When it was last reported.
    pub last: Time,
}

/// Every Event, oldest report first (ties by namespace and name, so the
/// order is the same on every run).
pub fn build(store: &Store) -> Vec<EventRow> {
    let mut rows: Vec<EventRow> = store
        .list(Kind::Event, None)
        .filter_map(|o| match &**o {
            Object::Event(e) => Some(e),
            _ => None,
        })
        .map(|e| EventRow {
            namespace: e.metadata.namespace.clone().unwrap_or_default(),
            name: e.metadata.name.clone().unwrap_or_default(),
            type_: e.type_.clone().unwrap_or_default(),
            reason: e.reason.clone().unwrap_or_default(),
            kind: e.involved_object.kind.clone().unwrap_or_default(),
            object: e.involved_object.name.clone().unwrap_or_default(),
            message: e.message.clone().unwrap_or_default(),
            count: e.count.unwrap_or(1),
            last: e.last_timestamp.as_ref().or(e.first_timestamp.as_ref()).map(Time::from_k8s).unwrap_or(Time(0)),
        })
        .collect();
    rows.sort_by(|a, b| (a.last, &a.namespace, &a.name).cmp(&(b.last, &b.namespace, &b.name)));
    rows
}
