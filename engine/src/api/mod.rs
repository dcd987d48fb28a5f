//! What kinds the cluster serves: names, short names, groups and versions, as
//! `kubectl api-resources` lists them, plus the API's error type.

mod error;

pub use error::{ApiError, Reason};

/// A kind of object the store can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// core/v1 Namespace
    Namespace,
    /// core/v1 Node
    Node,
    /// core/v1 Pod
    Pod,
}

/// One row of `kubectl api-resources`.
#[derive(Debug, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The kind this resource stores.
    pub kind: Kind,
    /// The kind's name as it appears in manifests (`Pod`).
    pub kind_name: &'static str,
    /// Plural resource name (`pods`).
    pub plural: &'static str,
    /// Singular resource name (`pod`).
    pub singular: &'static str,
    /// Short names (`po`).
    pub short_names: &'static [&'static str],
    /// API group, empty for the core group.
    pub group: &'static str,
    /// Served version.
    pub version: &'static str,
    /// Whether objects live in a namespace.
    pub namespaced: bool,
}

impl ResourceInfo {
    /// `v1` or `apps/v1`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`: how API errors name the resource.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `pod` or `deployment.apps`: how kubectl names an object in `-o name` and
    /// in `created` / `deleted` messages.
    pub fn qualified_singular(&self) -> String {
        if self.group.is_empty() {
            self.singular.to_string()
        } else {
            format!("{}.{}", self.singular, self.group)
        }
    }
}

/// Every resource the cluster serves, in `kubectl api-resources` order.
pub static RESOURCES: &[ResourceInfo] = &[
    ResourceInfo {
        kind: Kind::Namespace,
        kind_name: "Namespace",
        plural: "namespaces",
        singular: "namespace",
        short_names: &["ns"],
        group: "",
        version: "v1",
        namespaced: false,
    },
    ResourceInfo {
        kind: Kind::Node,
        kind_name: "Node",
        plural: "nodes",
        singular: "node",
        short_names: &["no"],
        group: "",
        version: "v1",
        namespaced: false,
    },
    ResourceInfo {
        kind: Kind::Pod,
        kind_name: "Pod",
        plural: "pods",
        singular: "pod",
        short_names: &["po"],
        group: "",
        version: "v1",
        namespaced: true,
    },
];

/// The registry entry of a kind.
pub fn info(kind: Kind) -> &'static ResourceInfo {
    // Every Kind has exactly one row; the registry test pins that.
    RESOURCES
        .iter()
        .find(|r| r.kind == kind)
        .unwrap_or(&RESOURCES[0])
}

/// Resolves what a user types for a resource type, as kubectl's REST mapper
/// does: plural, singular, short name or kind, any case, optionally qualified
/// by group (`deployments.apps`) or by version and group (`deployments.v1.apps`).
pub fn resolve(arg: &str) -> Option<&'static ResourceInfo> {
    let lower = arg.to_ascii_lowercase();
    let (name, qualifier) = match lower.split_once('.') {
        Some((name, rest)) => (name.to_string(), Some(rest.to_string())),
        None => (lower, None),
    };
    RESOURCES.iter().find(|r| {
        let name_matches = r.plural == name
            || r.singular == name
            || r.short_names.contains(&name.as_str())
            || r.kind_name.eq_ignore_ascii_case(&name);
        let group_matches = match &qualifier {
            None => true,
            Some(q) => q == r.group || *q == format!("{}.{}", r.version, r.group),
        };
        name_matches && group_matches
    })
}

/// The registry entry for a manifest's `apiVersion` and `kind`.
pub fn for_manifest(api_version: &str, kind: &str) -> Option<&'static ResourceInfo> {
    RESOURCES
        .iter()
        .find(|r| r.kind_name == kind && r.api_version() == api_version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row() {
        for kind in [Kind::Namespace, Kind::Node, Kind::Pod] {
            assert_eq!(RESOURCES.iter().filter(|r| r.kind == kind).count(), 1);
            assert_eq!(info(kind).kind, kind);
        }
    }

    #[test]
    fn resolves_the_forms_kubectl_accepts() {
        let cases: &[(&str, Option<Kind>)] = &[
            ("pods", Some(Kind::Pod)),
            ("pod", Some(Kind::Pod)),
            ("po", Some(Kind::Pod)),
            ("Pod", Some(Kind::Pod)),
            ("PODS", Some(Kind::Pod)),
            ("pods.v1.", Some(Kind::Pod)),
            ("no", Some(Kind::Node)),
            ("ns", Some(Kind::Namespace)),
            ("pods.apps", None),
            ("foo", None),
        ];
        for (arg, want) in cases {
            assert_eq!(resolve(arg).map(|r| r.kind), *want, "{arg}");
        }
    }
}
