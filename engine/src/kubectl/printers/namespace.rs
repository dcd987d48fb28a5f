//! The Namespace table.

use crate::time::Time;
use k8s_openapi::api::core::v1::Namespace;

/// Column headers.
pub const HEADERS: &[&str] = &["NAME", "STATUS", "AGE"];

/// One table row.
pub fn row(ns: &Namespace, now: Time) -> Vec<String> {
    vec![
        ns.metadata.name.clone().unwrap_or_default(),
        ns.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default(),
        super::age(&ns.metadata, now),
    ]
}
