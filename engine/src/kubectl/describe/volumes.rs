//! The `Volumes:` section of a pod or pod template, as kubectl's
//! describeVolumes prints each source.

use k8s_openapi::api::core::v1::Volume;
use std::fmt::Write;

/// `space` is the section's indent: "" in a pod, "  " in a template.
pub(super) fn describe(w: &mut String, volumes: &[Volume], space: &str) {
    if volumes.is_empty() {
        let _ = writeln!(w, "{space}Volumes:\t<none>");
        return;
    }
    let _ = writeln!(w, "{space}Volumes:");
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in volumes {
        let _ = writeln!(w, "  {name_indent}{}:", volume.name);
        source(w, volume);
    }
}

fn source(w: &mut String, v: &Volume) {
    let optional = |o: Option<bool>| o.unwrap_or(false);
    if let Some(host) = &v.host_path {
        let kind = host.type_.as_deref().unwrap_or("<none>");
        let _ = write!(
            w,
            "    Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{kind}\n",
            host.path
        );
    } else if let Some(dir) = &v.empty_dir {
        let size = dir.size_limit.as_ref().filter(|q| !q.0.is_empty() && q.0 != "0").map_or("<unset>", |q| &q.0);
        let _ = write!(
            w,
            "    Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{size}\n",
            dir.medium.as_deref().unwrap_or_default()
        );
    } else if let Some(secret) = &v.secret {
        let _ = write!(
            w,
            "    Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
            secret.secret_name.as_deref().unwrap_or_default(),
            optional(secret.optional)
        );
    } else if let Some(cm) = &v.config_map {
        let _ = write!(
            w,
            "    Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
            cm.name,
            optional(cm.optional)
        );
    } else if let Some(claim) = &v.persistent_volume_claim {
        let _ = write!(
            w,
            "    Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
            claim.claim_name,
            optional(claim.read_only)
        );
    } else if let Some(api) = &v.downward_api {
        let _ = writeln!(w, "    Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:");
        for item in api.items.iter().flatten() {
            if let Some(field) = &item.field_ref {
                let _ = writeln!(w, "      {} -> {}", field.field_path, item.path);
            }
            if let Some(resource) = &item.resource_field_ref {
                let _ = writeln!(w, "      {} -> {}", resource.resource, item.path);
            }
        }
    } else if let Some(projected) = &v.projected {
        let _ = writeln!(w, "    Type:\tProjected (a volume that contains injected data from multiple sources)");
        // Go prints the optional flags' pointers; unset, they read <nil>.
        let pointer = |o: Option<bool>| o.map_or("<nil>".to_string(), |b| b.to_string());
        for s in projected.sources.iter().flatten() {
            if let Some(secret) = &s.secret {
                let _ = write!(
                    w,
                    "    SecretName:\t{}\n    SecretOptionalName:\t{}\n",
                    secret.name,
                    pointer(secret.optional)
                );
            } else if s.downward_api.is_some() {
                let _ = writeln!(w, "    DownwardAPI:\ttrue");
            } else if let Some(cm) = &s.config_map {
                let _ =
                    write!(w, "    ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n", cm.name, pointer(cm.optional));
            } else if let Some(token) = &s.service_account_token {
                let _ = writeln!(w, "    TokenExpirationSeconds:\t{}", token.expiration_seconds.unwrap_or(3607));
            }
        }
    } else {
        let _ = writeln!(w, "  <unknown>");
    }
}
