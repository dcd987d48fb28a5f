//! `describe` for ConfigMaps, Secrets and Namespaces (with the quotas and
//! limit ranges that govern them).

use super::{annotations, labels};
use crate::api::Kind;
use crate::cluster::Cluster;
use crate::object::Object;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, Secret};
use std::fmt::Write;

pub fn config_map(w: &mut String, cm: &ConfigMap) {
    let _ = writeln!(w, "Name:\t{}", cm.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", cm.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", cm.metadata.labels.as_ref());
    annotations(w, cm.metadata.annotations.as_ref());
    let _ = writeln!(w, "\nData\n====");
    for (k, v) in cm.data.iter().flatten() {
        let _ = writeln!(w, "{k}:\n----\n{v}");
    }
    let _ = writeln!(w, "\nBinaryData\n====");
    for (k, v) in cm.binary_data.iter().flatten() {
        let _ = writeln!(w, "{k}: {} bytes", v.0.len());
    }
    let _ = writeln!(w);
}

pub fn secret(w: &mut String, secret: &Secret) {
    let _ = writeln!(w, "Name:\t{}", secret.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", secret.metadata.namespace.as_deref().unwrap_or_default());
    labels(w, "Labels", secret.metadata.labels.as_ref());
    annotations(w, secret.metadata.annotations.as_ref());
    let _ = writeln!(w, "\nType:\t{}", secret.type_.as_deref().unwrap_or("Opaque"));
    let _ = writeln!(w, "\nData\n====");
    for (k, v) in secret.data.iter().flatten() {
        let _ = writeln!(w, "{k}:\t{} bytes", v.0.len());
    }
}

pub fn namespace(w: &mut String, cluster: &Cluster, ns: &Namespace) {
    let name = ns.metadata.name.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{name}");
    labels(w, "Labels", ns.metadata.labels.as_ref());
    annotations(w, ns.metadata.annotations.as_ref());
    let _ = writeln!(w, "Status:\t{}", ns.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Active"));
    let store = cluster.api().store();
    let quotas: Vec<_> = store.list(Kind::ResourceQuota, Some(&name)).collect();
    let _ = writeln!(w);
    if quotas.is_empty() {
        let _ = writeln!(w, "No resource quota.");
    } else {
        let _ = writeln!(w, "Resource Quotas");
        for q in quotas {
            let Object::ResourceQuota(q) = &**q else { continue };
            let _ = writeln!(w, "  Name:\t{}", q.metadata.name.as_deref().unwrap_or_default());
            quota_table(w, "  ", "---", q);
        }
    }
    let limits: Vec<_> = store.list(Kind::LimitRange, Some(&name)).collect();
    let _ = writeln!(w);
    if limits.is_empty() {
        let _ = writeln!(w, "No LimitRange resource.");
        return;
    }
    let _ = writeln!(w, "Resource Limits");
    for l in limits {
        let Object::LimitRange(l) = &**l else { continue };
        limit_table(w, " ", l);
    }
}

pub fn service_account(w: &mut String, cluster: &Cluster, sa: &k8s_openapi::api::core::v1::ServiceAccount) {
    let ns = sa.metadata.namespace.clone().unwrap_or_default();
    let name = sa.metadata.name.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{name}");
    let _ = writeln!(w, "Namespace:\t{ns}");
    labels(w, "Labels", sa.metadata.labels.as_ref());
    annotations(w, sa.metadata.annotations.as_ref());
    let pull: Vec<String> = sa.image_pull_secrets.iter().flatten().map(|s| s.name.clone()).collect();
    let mount: Vec<String> = sa.secrets.iter().flatten().filter_map(|s| s.name.clone()).collect();
    // Tokens: legacy token Secrets that name this account.
    let tokens: Vec<String> = cluster
        .api()
        .store()
        .list(Kind::Secret, Some(&ns))
        .filter_map(|o| match &**o {
            Object::Secret(s) => Some(s),
            _ => None,
        })
        .filter(|s| {
            s.type_.as_deref() == Some("kubernetes.io/service-account-token")
                && s.metadata.annotations.as_ref().and_then(|a| a.get("kubernetes.io/service-account.name"))
                    == Some(&name)
        })
        .map(|s| s.metadata.name.clone().unwrap_or_default())
        .collect();
    // kubectl pads the three titles to one width and lists them by title.
    for (title, names) in
        [("Image pull secrets:", pull), ("Mountable secrets: ", mount), ("Tokens:            ", tokens)]
    {
        if names.is_empty() {
            let _ = writeln!(w, "{title}\t<none>");
        }
        for (i, n) in names.iter().enumerate() {
            let title = if i == 0 { title } else { "                   " };
            let missing = cluster.api().store().get(Kind::Secret, &ns, n).is_none();
            let _ = writeln!(w, "{title}\t{n}{}", if missing { " (not found)" } else { "" });
        }
    }
}

/// `a=b,c=d`, or `<none>`: Go's labels.FormatLabels, which some describers
/// use for annotations and parameters too.
fn format_labels(map: Option<&std::collections::BTreeMap<String, String>>) -> String {
    let items: Vec<String> = map.into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    if items.is_empty() {
        "<none>".into()
    } else {
        items.join(",")
    }
}

pub fn pod_disruption_budget(w: &mut String, pdb: &k8s_openapi::api::policy::v1::PodDisruptionBudget) {
    let spec = pdb.spec.clone().unwrap_or_default();
    let status = pdb.status.clone().unwrap_or_default();
    let _ = writeln!(w, "Name:\t{}", pdb.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", pdb.metadata.namespace.as_deref().unwrap_or_default());
    let text = |v: &k8s_openapi::apimachinery::pkg::util::intstr::IntOrString| match v {
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(i) => i.to_string(),
        k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
    };
    if let Some(min) = &spec.min_available {
        let _ = writeln!(w, "Min available:\t{}", text(min));
    } else if let Some(max) = &spec.max_unavailable {
        let _ = writeln!(w, "Max unavailable:\t{}", text(max));
    }
    let selector =
        spec.selector.as_ref().map_or_else(|| "<unset>".to_string(), crate::kubectl::printers::cells_selector);
    let _ = writeln!(w, "Selector:\t{selector}");
    let _ = writeln!(w, "Status:");
    let _ = writeln!(w, "    Allowed disruptions:\t{}", status.disruptions_allowed);
    let _ = writeln!(w, "    Current:\t{}", status.current_healthy);
    let _ = writeln!(w, "    Desired:\t{}", status.desired_healthy);
    let _ = writeln!(w, "    Total:\t{}", status.expected_pods);
}

pub fn priority_class(w: &mut String, pc: &k8s_openapi::api::scheduling::v1::PriorityClass) {
    let _ = writeln!(w, "Name:\t{}", pc.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Value:\t{}", pc.value);
    let _ = writeln!(w, "GlobalDefault:\t{}", pc.global_default.unwrap_or(false));
    let _ = writeln!(w, "PreemptionPolicy:\t{}", pc.preemption_policy.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Description:\t{}", pc.description.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Annotations:\t{}", format_labels(pc.metadata.annotations.as_ref()));
}

pub fn storage_class(w: &mut String, sc: &k8s_openapi::api::storage::v1::StorageClass) {
    let annotations = sc.metadata.annotations.as_ref();
    let default = annotations.is_some_and(|a| {
        ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
            .iter()
            .any(|k| a.get(*k).is_some_and(|v| v == "true"))
    });
    let _ = writeln!(w, "Name:\t{}", sc.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "IsDefaultClass:\t{}", if default { "Yes" } else { "No" });
    let _ = writeln!(w, "Annotations:\t{}", format_labels(annotations));
    let _ = writeln!(w, "Provisioner:\t{}", sc.provisioner);
    let _ = writeln!(w, "Parameters:\t{}", format_labels(sc.parameters.as_ref()));
    let expansion = match sc.allow_volume_expansion {
        Some(true) => "True",
        Some(false) => "False",
        None => "<unset>",
    };
    let _ = writeln!(w, "AllowVolumeExpansion:\t{expansion}");
    match sc.mount_options.as_deref().filter(|o| !o.is_empty()) {
        None => {
            let _ = writeln!(w, "MountOptions:\t<none>");
        }
        Some(options) => {
            let _ = writeln!(w, "MountOptions:");
            for option in options {
                let _ = writeln!(w, "  {option}");
            }
        }
    }
    if let Some(policy) = &sc.reclaim_policy {
        let _ = writeln!(w, "ReclaimPolicy:\t{policy}");
    }
    if let Some(mode) = &sc.volume_binding_mode {
        let _ = writeln!(w, "VolumeBindingMode:\t{mode}");
    }
}

/// A quota's `Resource Used Hard` rows (the dashes under Used and Hard are
/// three wide inside a namespace's description, four on their own).
fn quota_table(w: &mut String, indent: &str, dashes: &str, q: &k8s_openapi::api::core::v1::ResourceQuota) {
    let status = q.status.clone().unwrap_or_default();
    let _ = writeln!(w, "{indent}Resource\tUsed\tHard\n{indent}--------\t{dashes}\t{dashes}");
    for (resource, hard) in status.hard.iter().flatten() {
        let used = status.used.as_ref().and_then(|u| u.get(resource)).map_or("0", |q| q.0.as_str());
        let _ = writeln!(w, "{indent}{resource}\t{used}\t{}", hard.0);
    }
}

/// A LimitRange's table: a row per type and resource.
fn limit_table(w: &mut String, indent: &str, l: &k8s_openapi::api::core::v1::LimitRange) {
    let _ = writeln!(w, "{indent}Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio");
    let _ = writeln!(w, "{indent}----\t--------\t---\t---\t---------------\t-------------\t-----------------------");
    for item in l.spec.as_ref().map(|s| s.limits.clone()).unwrap_or_default() {
        let mut resources: Vec<&String> = Vec::new();
        for map in [&item.min, &item.max, &item.default_request, &item.default, &item.max_limit_request_ratio] {
            resources.extend(map.iter().flatten().map(|(k, _)| k));
        }
        resources.sort();
        resources.dedup();
        for r in resources {
            let cell = |map: &Option<
                std::collections::BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>,
            >| { map.as_ref().and_then(|m| m.get(r)).map_or("-".to_string(), |q| q.0.clone()) };
            let _ = writeln!(
                w,
                "{indent}{}\t{r}\t{}\t{}\t{}\t{}\t{}",
                item.type_,
                cell(&item.min),
                cell(&item.max),
                cell(&item.default_request),
                cell(&item.default),
                cell(&item.max_limit_request_ratio)
            );
        }
    }
}

pub fn resource_quota(w: &mut String, q: &k8s_openapi::api::core::v1::ResourceQuota) {
    let _ = writeln!(w, "Name:\t{}", q.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", q.metadata.namespace.as_deref().unwrap_or_default());
    let mut scopes = q.spec.as_ref().and_then(|s| s.scopes.clone()).unwrap_or_default();
    if !scopes.is_empty() {
        scopes.sort();
        let _ = writeln!(w, "Scopes:\t{}", scopes.join(", "));
    }
    quota_table(w, "", "----", q);
}

pub fn limit_range(w: &mut String, l: &k8s_openapi::api::core::v1::LimitRange) {
    let _ = writeln!(w, "Name:\t{}", l.metadata.name.as_deref().unwrap_or_default());
    let _ = writeln!(w, "Namespace:\t{}", l.metadata.namespace.as_deref().unwrap_or_default());
    limit_table(w, "", l);
}
