//! kubectl's printers: one column set per kind, laid out by [`table::render`].

pub mod duration;
pub mod namespace;
pub mod node;
pub mod pod;
pub mod table;

use crate::object::Object;
use crate::time::Time;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The AGE cell.
pub fn age(meta: &ObjectMeta, now: Time) -> String {
    match &meta.creation_timestamp {
        Some(t) => duration::human(now.since(Time::from_k8s(t))),
        None => "<unknown>".into(),
    }
}

/// Header cells for a kind's table.
pub fn headers(object: &Object, wide: bool) -> Vec<String> {
    let (base, extra): (&[&str], &[&str]) = match object {
        Object::Pod(_) => (pod::HEADERS, pod::WIDE_HEADERS),
        Object::Node(_) => (node::HEADERS, node::WIDE_HEADERS),
        Object::Namespace(_) => (namespace::HEADERS, &[]),
    };
    base.iter()
        .chain(if wide { extra } else { &[] })
        .map(|s| s.to_string())
        .collect()
}

/// Row cells for one object.
pub fn row(object: &Object, now: Time, wide: bool) -> Vec<String> {
    match object {
        Object::Pod(p) => pod::row(p, now, wide),
        Object::Node(n) => node::row(n, now, wide),
        Object::Namespace(n) => namespace::row(n, now),
    }
}
