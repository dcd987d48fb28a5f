//! What kinds the cluster serves: names, short names, groups and versions, as
//! `kubectl api-resources` lists them, plus the API's error type.

mod error;

pub use crate::object::{Kind, RESOURCES};
pub use error::{ApiError, Reason};

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

/// The registry entry of a kind.
pub fn info(kind: Kind) -> &'static ResourceInfo {
    // The table is generated in the enum's order, one row per kind.
    &RESOURCES[kind as usize]
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

/// The registry entry for a manifest's `apiVersion` and `kind`, and the
/// served version it is written in (the stored one, or an older one the
/// server converts, such as autoscaling/v1 for HorizontalPodAutoscaler).
pub fn for_manifest(api_version: &str, kind: &str) -> Option<(&'static ResourceInfo, &'static str)> {
    let info = RESOURCES.iter().find(|r| r.kind_name == kind)?;
    if info.api_version() == api_version {
        return Some((info, info.version));
    }
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let served = ALSO_SERVED.iter().find(|(k, v)| *k == info.kind && *v == version)?;
    (group == info.group).then_some((info, served.1))
}

/// Versions served besides the stored one, converted on the way in.
const ALSO_SERVED: &[(Kind, &str)] = &[(Kind::HorizontalPodAutoscaler, "v1")];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_row() {
        for (i, row) in RESOURCES.iter().enumerate() {
            assert_eq!(row.kind as usize, i);
            assert_eq!(info(row.kind), row);
        }
        assert_eq!(RESOURCES.len(), 30);
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
            ("deploy", Some(Kind::Deployment)),
            ("deployments.apps", Some(Kind::Deployment)),
            ("deployment.v1.apps", Some(Kind::Deployment)),
            ("hpa", Some(Kind::HorizontalPodAutoscaler)),
            ("ingresses.networking.k8s.io", Some(Kind::Ingress)),
            ("endpoints", Some(Kind::Endpoints)),
            ("foo", None),
        ];
        for (arg, want) in cases {
            assert_eq!(resolve(arg).map(|r| r.kind), *want, "{arg}");
        }
    }
}
