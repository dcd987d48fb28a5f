//! The Node table.

use crate::time::Time;
use k8s_openapi::api::core::v1::Node;
use std::collections::BTreeSet;

/// Column headers.
pub const HEADERS: &[&str] = &["NAME", "STATUS", "ROLES", "AGE", "VERSION"];
/// The extra `-o wide` headers.
pub const WIDE_HEADERS: &[&str] = &["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"];

/// `Ready`, `NotReady` or `Unknown`, plus `,SchedulingDisabled` when cordoned.
pub fn status(node: &Node) -> String {
    let ready =
        node.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == "Ready"));
    let mut text = match ready {
        Some(c) if c.status == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if node.spec.as_ref().and_then(|s| s.unschedulable).unwrap_or(false) {
        text.push_str(",SchedulingDisabled");
    }
    text
}

/// The ROLES cell: `node-role.kubernetes.io/<role>` labels and `kubernetes.io/role`.
pub fn roles(node: &Node) -> String {
    let mut roles = BTreeSet::new();
    for (key, value) in node.metadata.labels.iter().flatten() {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/") {
            if !role.is_empty() {
                roles.insert(role.to_string());
            }
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.insert(value.clone());
        }
    }
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    }
}

/// One table row.
pub fn row(node: &Node, now: Time, wide: bool) -> Vec<String> {
    let info = node.status.as_ref().and_then(|s| s.node_info.as_ref());
    let mut cells = vec![
        node.metadata.name.clone().unwrap_or_default(),
        status(node),
        roles(node),
        super::age(&node.metadata, now),
        info.map(|i| i.kubelet_version.clone()).unwrap_or_default(),
    ];
    if wide {
        let addresses = node.status.as_ref().and_then(|s| s.addresses.as_deref()).unwrap_or_default();
        let address = |type_: &str| {
            addresses.iter().find(|a| a.type_ == type_).map_or_else(|| "<none>".to_string(), |a| a.address.clone())
        };
        cells.push(address("InternalIP"));
        cells.push(address("ExternalIP"));
        let field = |f: fn(&k8s_openapi::api::core::v1::NodeSystemInfo) -> &String| {
            info.map(f).filter(|s| !s.is_empty()).cloned().unwrap_or_else(|| "<unknown>".into())
        };
        cells.push(field(|i| &i.os_image));
        cells.push(field(|i| &i.kernel_version));
        cells.push(field(|i| &i.container_runtime_version));
    }
    cells
}
