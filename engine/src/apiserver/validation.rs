//! Per-kind validation, collecting every cause the way the API server does,
//! in its words (pkg/apis/core/validation, apimachinery's validation.go).

use crate::labels::Selector;
use crate::object::Object;
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Every problem with a new object, as `<field path>: <message>` lines.
pub fn validate(object: &Object) -> Vec<String> {
    let mut causes = Vec::new();
    let meta = object.meta();
    match meta.name.as_deref() {
        None | Some("") => causes.push("metadata.name: Required value: name or generateName is required".into()),
        Some(name) => {
            let check = match object.kind() {
                crate::api::Kind::Namespace => rfc1123_label,
                crate::api::Kind::Service => dns1035_label,
                _ => rfc1123_subdomain,
            };
            causes.extend(check(name).map(|msg| format!("metadata.name: Invalid value: \"{name}\": {msg}")));
        }
    }
    validate_labels("metadata.labels", meta.labels.as_ref(), &mut causes);
    if let Object::ConfigMap(cm) = object {
        for key in cm.data.iter().flat_map(|d| d.keys()).chain(cm.binary_data.iter().flat_map(|d| d.keys())) {
            causes.extend(config_key(key).map(|msg| format!("data[{key}]: Invalid value: {key:?}: {msg}")));
        }
    }
    if let Object::Secret(secret) = object {
        for key in secret.data.iter().flat_map(|d| d.keys()).chain(secret.string_data.iter().flat_map(|d| d.keys())) {
            causes.extend(config_key(key).map(|msg| format!("data[{key}]: Invalid value: {key:?}: {msg}")));
        }
    }
    match object {
        Object::Endpoints(ep) => super::endpoints::validate_endpoints(ep, &mut causes),
        Object::EndpointSlice(slice) => super::endpoints::validate_slice(slice, &mut causes),
        Object::Pod(pod) => match pod.spec.as_ref() {
            Some(spec) => validate_pod_spec("spec", spec, &mut causes),
            None => causes.push("spec.containers: Required value".into()),
        },
        Object::Deployment(d) => {
            let Some(spec) = d.spec.as_ref() else { return causes };
            validate_replicas(spec.replicas, &mut causes);
            validate_workload("deployment", Some(&spec.selector), Some(&spec.template), &mut causes);
            if let Some(strategy) = &spec.strategy {
                validate_strategy(strategy, spec.replicas.unwrap_or(1), &mut causes);
            }
            if let (Some(deadline), Some(min_ready)) = (spec.progress_deadline_seconds, spec.min_ready_seconds) {
                if deadline <= min_ready {
                    causes.push(format!(
                        "spec.progressDeadlineSeconds: Invalid value: {deadline}: must be greater than minReadySeconds"
                    ));
                }
            }
        }
        Object::CronJob(cj) => {
            let name = cj.metadata.name.clone().unwrap_or_default();
            if name.len() > 52 {
                causes.push(format!("metadata.name: Invalid value: \"{name}\": must be no more than 52 characters"));
            }
            let Some(spec) = cj.spec.as_ref() else { return causes };
            if spec.schedule.is_empty() {
                causes.push("spec.schedule: Required value".into());
            } else if let Err(e) = crate::cron::Schedule::parse(&spec.schedule) {
                causes.push(format!("spec.schedule: Invalid value: {:?}: {e}", spec.schedule));
            }
            if let Some(job) = spec.job_template.spec.as_ref() {
                validate_job("spec.jobTemplate.spec", job, &mut causes);
            }
            if let Some(policy) =
                spec.concurrency_policy.as_deref().filter(|p| !["Allow", "Forbid", "Replace"].contains(p))
            {
                causes.push(format!(
                    "spec.concurrencyPolicy: Unsupported value: \"{policy}\": supported values: \"Allow\", \"Forbid\", \"Replace\""
                ));
            }
        }
        Object::Job(job) => {
            if let Some(spec) = job.spec.as_ref() {
                validate_job("spec", spec, &mut causes);
            }
        }
        Object::HorizontalPodAutoscaler(hpa) => {
            if let Some(spec) = hpa.spec.as_ref() {
                super::autoscaling::validate(spec, &mut causes);
            }
        }
        Object::Service(svc) => {
            let Some(spec) = svc.spec.as_ref() else { return causes };
            let type_ = spec.type_.as_deref().unwrap_or("ClusterIP");
            if !["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"].contains(&type_) {
                causes.push(format!(
                    "spec.type: Unsupported value: {type_:?}: supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\""
                ));
            }
            let ports = spec.ports.as_deref().unwrap_or_default();
            let headless = spec.cluster_ip.as_deref() == Some("None");
            if type_ == "ExternalName" {
                if spec.external_name.as_deref().unwrap_or_default().is_empty() {
                    causes.push("spec.externalName: Required value".into());
                }
            } else if ports.is_empty() && !headless {
                causes.push("spec.ports: Required value".into());
            }
            if headless && (type_ == "NodePort" || type_ == "LoadBalancer") {
                causes.push(format!(
                    "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for {type_} services"
                ));
            }
            for (i, p) in ports.iter().enumerate() {
                if ports.len() > 1 && p.name.as_deref().unwrap_or_default().is_empty() {
                    causes.push(format!("spec.ports[{i}].name: Required value"));
                }
                if !(1..=65535).contains(&p.port) {
                    causes.push(format!(
                        "spec.ports[{i}].port: Invalid value: {}: must be between 1 and 65535, inclusive",
                        p.port
                    ));
                }
                if let Some(IntOrString::Int(t)) = &p.target_port {
                    if !(1..=65535).contains(t) {
                        causes.push(format!(
                            "spec.ports[{i}].targetPort: Invalid value: {t}: must be between 1 and 65535, inclusive"
                        ));
                    }
                }
                if let Some(proto) = p.protocol.as_deref().filter(|p| !["TCP", "UDP", "SCTP"].contains(p)) {
                    causes.push(format!("spec.ports[{i}].protocol: Unsupported value: {proto:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""));
                }
                if let Some(n) = p.node_port.filter(|n| *n != 0) {
                    if type_ == "ClusterIP" {
                        causes.push(format!(
                            "spec.ports[{i}].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"
                        ));
                    } else if !(1..=65535).contains(&n) {
                        causes.push(format!(
                            "spec.ports[{i}].nodePort: Invalid value: {n}: must be between 1 and 65535, inclusive"
                        ));
                    }
                }
            }
        }
        Object::StatefulSet(sts) => {
            let Some(spec) = sts.spec.as_ref() else { return causes };
            validate_replicas(spec.replicas, &mut causes);
            // Mounts may name the claim templates, which become volumes per pod.
            let mut template = spec.template.clone();
            if let Some(pod) = template.spec.as_mut() {
                let claims = spec.volume_claim_templates.iter().flatten().filter_map(|c| c.metadata.name.clone());
                pod.volumes
                    .get_or_insert_with(Vec::new)
                    .extend(claims.map(|name| k8s_openapi::api::core::v1::Volume { name, ..Default::default() }));
            }
            validate_workload("statefulset", Some(&spec.selector), Some(&template), &mut causes);
            if let Some(policy) =
                spec.pod_management_policy.as_deref().filter(|p| *p != "OrderedReady" && *p != "Parallel")
            {
                causes.push(format!(
                    "spec.podManagementPolicy: Invalid value: {policy:?}: must be 'OrderedReady' or 'Parallel'"
                ));
            }
        }
        Object::DaemonSet(ds) => {
            let Some(spec) = ds.spec.as_ref() else { return causes };
            validate_workload("daemonset", Some(&spec.selector), Some(&spec.template), &mut causes);
        }
        Object::ReplicaSet(rs) => {
            let Some(spec) = rs.spec.as_ref() else { return causes };
            validate_replicas(spec.replicas, &mut causes);
            validate_workload("replicaset", Some(&spec.selector), spec.template.as_ref(), &mut causes);
        }
        Object::ReplicationController(rc) => {
            let Some(spec) = rc.spec.as_ref() else { return causes };
            validate_replicas(spec.replicas, &mut causes);
            let selector = spec.selector.clone().unwrap_or_default();
            if selector.is_empty() {
                causes.push("spec.selector: Required value".into());
            }
            match spec.template.as_ref() {
                None => causes.push("spec.template: Required value".into()),
                Some(t) => {
                    let labels = t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
                    if !selector.is_empty() && !Selector::from_map(&selector).matches(Some(&labels)) {
                        causes.push(format!(
                            "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                            go_map(&labels)
                        ));
                    }
                    validate_template(t, &mut causes);
                }
            }
        }
        _ => {}
    }
    causes
}

fn validate_job(prefix: &str, spec: &k8s_openapi::api::batch::v1::JobSpec, causes: &mut Vec<String>) {
    for (field, value) in
        [("parallelism", spec.parallelism), ("completions", spec.completions), ("backoffLimit", spec.backoff_limit)]
    {
        if let Some(n) = value.filter(|n| *n < 0) {
            causes.push(format!("{prefix}.{field}: Invalid value: {n}: must be greater than or equal to 0"));
        }
    }
    match spec.template.spec.as_ref() {
        None => causes.push(format!("{prefix}.template.spec.containers: Required value")),
        Some(pod) => {
            validate_pod_spec(&format!("{prefix}.template.spec"), pod, causes);
            let policy = pod.restart_policy.as_deref().unwrap_or("Always");
            if policy != "OnFailure" && policy != "Never" {
                causes.push(format!(
                    "{prefix}.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"OnFailure\", \"Never\""
                ));
            }
        }
    }
}

fn validate_replicas(replicas: Option<i32>, causes: &mut Vec<String>) {
    if let Some(n) = replicas.filter(|n| *n < 0) {
        causes.push(format!("spec.replicas: Invalid value: {n}: must be greater than or equal to 0"));
    }
}

/// Go's `%#v` of a `map[string]string`, as v1.32's messages print values.
pub fn go_map(map: &BTreeMap<String, String>) -> String {
    let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
    format!("map[string]string{{{}}}", pairs.join(", "))
}

/// Go's `%#v` of a `v1.LabelSelector`.
pub fn go_selector(sel: &LabelSelector) -> String {
    let labels = sel.match_labels.as_ref().map_or("map[string]string(nil)".to_string(), go_map);
    let exprs = match sel.match_expressions.as_deref() {
        None => "[]v1.LabelSelectorRequirement(nil)".to_string(),
        Some(list) => format!(
            "[]v1.LabelSelectorRequirement{{{}}}",
            list.iter()
                .map(|e| format!(
                    "v1.LabelSelectorRequirement{{Key:{:?}, Operator:{:?}, Values:[]string{{{}}}}}",
                    e.key,
                    e.operator,
                    e.values.iter().flatten().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(", ")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("v1.LabelSelector{{MatchLabels:{labels}, MatchExpressions:{exprs}}}")
}

/// Selector, template and their agreement, for the apps/v1 workloads.
fn validate_workload(
    kind: &str,
    selector: Option<&LabelSelector>,
    template: Option<&PodTemplateSpec>,
    causes: &mut Vec<String>,
) {
    let labels = template.and_then(|t| t.metadata.as_ref()).and_then(|m| m.labels.clone()).unwrap_or_default();
    let empty = |s: &LabelSelector| {
        s.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && s.match_expressions.as_ref().is_none_or(|m| m.is_empty())
    };
    match selector {
        None => causes.push("spec.selector: Required value".into()),
        Some(s) if empty(s) && s.match_labels.is_none() && s.match_expressions.is_none() => {
            causes.push("spec.selector: Required value".into())
        }
        Some(s) if empty(s) => {
            causes.push(format!("spec.selector: Invalid value: \"null\": empty selector is invalid for {kind}"))
        }
        Some(s) => match Selector::from_api(s) {
            Err(bad) => causes.push(format!(
                "spec.selector.matchExpressions[0].operator: Invalid value: \"{}\": not a valid selector operator",
                bad.0
            )),
            Ok(sel) if !sel.matches(Some(&labels)) => causes.push(format!(
                "spec.template.metadata.labels: Invalid value: {}: `selector` does not match template `labels`",
                go_map(&labels)
            )),
            Ok(_) => {}
        },
    }
    match template {
        None => causes.push("spec.template: Required value".into()),
        Some(t) => validate_template(t, causes),
    }
}

fn validate_template(t: &PodTemplateSpec, causes: &mut Vec<String>) {
    validate_labels("spec.template.metadata.labels", t.metadata.as_ref().and_then(|m| m.labels.as_ref()), causes);
    match t.spec.as_ref() {
        None => causes.push("spec.template.spec.containers: Required value".into()),
        Some(spec) => {
            validate_pod_spec("spec.template.spec", spec, causes);
            if let Some(policy) = spec.restart_policy.as_deref().filter(|p| *p != "Always") {
                if ["OnFailure", "Never"].contains(&policy) {
                    causes.push(format!(
                        "spec.template.spec.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\""
                    ));
                }
            }
        }
    }
}

fn scaled(v: &IntOrString, total: i32, round_up: bool) -> Option<i32> {
    match v {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => {
            let pct: i64 = s.strip_suffix('%')?.parse().ok()?;
            let raw = pct * total as i64;
            Some(if round_up { (raw + 99) / 100 } else { raw / 100 } as i32)
        }
    }
}

fn go_int_or_string(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => format!("intstr.IntOrString{{Type:0, IntVal:{i}, StrVal:\"\"}}"),
        IntOrString::String(s) => format!("intstr.IntOrString{{Type:1, IntVal:0, StrVal:{s:?}}}"),
    }
}

fn validate_strategy(
    strategy: &k8s_openapi::api::apps::v1::DeploymentStrategy,
    replicas: i32,
    causes: &mut Vec<String>,
) {
    let kind = strategy.type_.as_deref().unwrap_or("RollingUpdate");
    match kind {
        "Recreate" => {
            if strategy.rolling_update.is_some() {
                causes.push(
                    "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"
                        .into(),
                );
            }
        }
        "RollingUpdate" => {
            let Some(rolling) = &strategy.rolling_update else { return };
            for (field, value) in [("maxUnavailable", &rolling.max_unavailable), ("maxSurge", &rolling.max_surge)] {
                if let Some(IntOrString::String(s)) = value {
                    let valid =
                        s.strip_suffix('%').is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
                    if !valid {
                        causes.push(format!("spec.strategy.rollingUpdate.{field}: Invalid value: {s:?}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
                    }
                }
                if let Some(IntOrString::Int(n)) = value {
                    if *n < 0 {
                        causes.push(format!("spec.strategy.rollingUpdate.{field}: Invalid value: {n}: must be greater than or equal to 0"));
                    }
                }
            }
            if let Some(IntOrString::String(s)) = &rolling.max_unavailable {
                if s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()).is_some_and(|n| n > 100) {
                    causes.push(format!("spec.strategy.rollingUpdate.maxUnavailable: Invalid value: {s:?}: must not be greater than 100%"));
                }
            }
            let zero =
                |v: &Option<IntOrString>| v.as_ref().is_some_and(|v| scaled(v, replicas.max(1), true) == Some(0));
            if zero(&rolling.max_unavailable) && zero(&rolling.max_surge) {
                let v = rolling.max_unavailable.as_ref().map(go_int_or_string).unwrap_or_default();
                causes.push(format!(
                    "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: {v}: may not be 0 when `maxSurge` is 0"
                ));
            }
        }
        other => causes.push(format!(
            "spec.strategy.type: Unsupported value: {other:?}: supported values: \"Recreate\", \"RollingUpdate\""
        )),
    }
}

/// Every problem with replacing `old` by `new` (both defaulted).
pub fn validate_update(old: &Object, new: &Object) -> Vec<String> {
    let mut causes = validate(new);
    let selectors = match (old, new) {
        (Object::Deployment(o), Object::Deployment(n)) => {
            Some((o.spec.as_ref().map(|s| s.selector.clone()), n.spec.as_ref().map(|s| s.selector.clone())))
        }
        (Object::ReplicaSet(o), Object::ReplicaSet(n)) => {
            Some((o.spec.as_ref().map(|s| s.selector.clone()), n.spec.as_ref().map(|s| s.selector.clone())))
        }
        _ => None,
    };
    if let Some((Some(before), Some(after))) = selectors {
        if before != after {
            causes.push(format!("spec.selector: Invalid value: {}: field is immutable", go_selector(&after)));
        }
    }
    if let (Object::Pod(old), Object::Pod(new)) = (old, new) {
        if mutable_view(old) != mutable_view(new) {
            causes.push("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)".into());
        }
    }
    causes
}

/// A pod's spec with the fields an update may change blanked out.
fn mutable_view(pod: &Pod) -> Option<k8s_openapi::api::core::v1::PodSpec> {
    let mut spec = pod.spec.clone()?;
    for c in spec.containers.iter_mut().chain(spec.init_containers.iter_mut().flatten()) {
        c.image = None;
    }
    spec.active_deadline_seconds = None;
    spec.tolerations = None;
    Some(spec)
}

fn validate_pod_spec(prefix: &str, spec: &PodSpec, causes: &mut Vec<String>) {
    if spec.containers.is_empty() {
        causes.push(format!("{prefix}.containers: Required value"));
    }
    let mut names: Vec<&str> = Vec::new();
    let groups = [
        ("initContainers", spec.init_containers.as_deref().unwrap_or_default()),
        ("containers", spec.containers.as_slice()),
    ];
    for (path, containers) in groups {
        for (i, c) in containers.iter().enumerate() {
            validate_container(&format!("{prefix}.{path}[{i}]"), c, &mut names, causes);
        }
    }
    let mut volume_names: Vec<&str> = Vec::new();
    for (i, v) in spec.volumes.iter().flatten().enumerate() {
        if volume_names.contains(&v.name.as_str()) {
            causes.push(format!("{prefix}.volumes[{i}].name: Duplicate value: {:?}", v.name));
        }
        volume_names.push(&v.name);
    }
    for (path, containers) in [
        ("initContainers", spec.init_containers.as_deref().unwrap_or_default()),
        ("containers", spec.containers.as_slice()),
    ] {
        for (ci, c) in containers.iter().enumerate() {
            for (mi, m) in c.volume_mounts.iter().flatten().enumerate() {
                if !volume_names.contains(&m.name.as_str()) {
                    causes.push(format!("{prefix}.{path}[{ci}].volumeMounts[{mi}].name: Not found: {:?}", m.name));
                }
            }
        }
    }
    if let Some(policy) = spec.restart_policy.as_deref() {
        if !["Always", "OnFailure", "Never"].contains(&policy) {
            causes.push(format!(
                "{prefix}.restartPolicy: Unsupported value: \"{policy}\": supported values: \"Always\", \"OnFailure\", \"Never\""
            ));
        }
    }
}

fn validate_container<'a>(path: &str, c: &'a Container, names: &mut Vec<&'a str>, causes: &mut Vec<String>) {
    if c.name.is_empty() {
        causes.push(format!("{path}.name: Required value"));
    } else if let Some(msg) = rfc1123_label(&c.name) {
        causes.push(format!("{path}.name: Invalid value: \"{}\": {msg}", c.name));
    } else if names.contains(&c.name.as_str()) {
        causes.push(format!("{path}.name: Duplicate value: \"{}\"", c.name));
    } else {
        names.push(&c.name);
    }
    if c.image.as_deref().is_none_or(|i| i.trim().is_empty()) {
        causes.push(format!("{path}.image: Required value"));
    }
    if let Some(policy) = c.image_pull_policy.as_deref() {
        if !["Always", "IfNotPresent", "Never"].contains(&policy) {
            causes.push(format!(
                "{path}.imagePullPolicy: Unsupported value: \"{policy}\": supported values: \"Always\", \"IfNotPresent\", \"Never\""
            ));
        }
    }
    for (i, p) in c.ports.iter().flatten().enumerate() {
        if !(1..=65535).contains(&p.container_port) {
            causes.push(format!(
                "{path}.ports[{i}].containerPort: Invalid value: {}: must be between 1 and 65535, inclusive",
                p.container_port
            ));
        }
        if let Some(proto) = p.protocol.as_deref().filter(|p| !["TCP", "UDP", "SCTP"].contains(p)) {
            causes.push(format!("{path}.ports[{i}].protocol: Unsupported value: {proto:?}: supported values: \"SCTP\", \"TCP\", \"UDP\""));
        }
    }
    for (i, e) in c.env.iter().flatten().enumerate() {
        let ok = !e.name.is_empty()
            && !e.name.starts_with(|c: char| c.is_ascii_digit())
            && e.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if e.name.is_empty() {
            causes.push(format!("{path}.env[{i}].name: Required value"));
        } else if !ok {
            causes.push(format!("{path}.env[{i}].name: Invalid value: {:?}: a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')", e.name));
        }
    }
    for (i, m) in c.volume_mounts.iter().flatten().enumerate() {
        if m.mount_path.is_empty() {
            causes.push(format!("{path}.volumeMounts[{i}].mountPath: Required value"));
        }
    }
    for (probe, name) in [(&c.liveness_probe, "livenessProbe"), (&c.startup_probe, "startupProbe")] {
        if let Some(n) = probe.as_ref().and_then(|p| p.success_threshold).filter(|n| *n != 1) {
            causes.push(format!("{path}.{name}.successThreshold: Invalid value: {n}: must be 1"));
        }
    }
    if let Some(r) = c.resources.as_ref() {
        for (res, request) in r.requests.iter().flatten() {
            let Some(limit) = r.limits.as_ref().and_then(|l| l.get(res)) else { continue };
            let (Some(q), Some(l)) = (crate::quantity::parse_milli(&request.0), crate::quantity::parse_milli(&limit.0))
            else {
                continue;
            };
            if q > l {
                causes.push(format!(
                    "{path}.resources.requests: Invalid value: {:?}: must be less than or equal to {res} limit of {}",
                    request.0, limit.0
                ));
            }
        }
    }
}

/// A ConfigMap or Secret key.
pub(crate) fn config_key(key: &str) -> Option<&'static str> {
    let ok = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    (!ok).then_some("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')")
}

fn qualified_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Label keys (qualified names) and values.
fn validate_labels(path: &str, labels: Option<&std::collections::BTreeMap<String, String>>, causes: &mut Vec<String>) {
    for (key, value) in labels.into_iter().flatten() {
        for problem in qualified_name_problems(key) {
            causes.push(format!("{path}: Invalid value: {key:?}: {problem}"));
        }
        for problem in label_value_problems(value) {
            causes.push(format!("{path}: Invalid value: {value:?}: {problem}"));
        }
    }
}

/// What is wrong with a qualified name (`prefix/name`), in Go's words.
pub(crate) fn qualified_name_problems(key: &str) -> Vec<String> {
    const SHAPE: &str = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    let mut problems = Vec::new();
    let parts: Vec<&str> = key.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                problems.push("prefix part must be non-empty".to_string());
            } else if let Some(msg) = rfc1123_subdomain(prefix) {
                problems.push(format!("prefix part {msg}"));
            }
            *name
        }
        _ => {
            return vec![format!(
                "a qualified name {SHAPE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )]
        }
    };
    if name.is_empty() {
        problems.push("name part must be non-empty".into());
    } else if name.len() > 63 {
        problems.push("name part must be no more than 63 characters".into());
    }
    if !qualified_name_part(name) {
        problems.push(format!("name part {SHAPE}"));
    }
    problems
}

/// What is wrong with a label value, in Go's words.
pub(crate) fn label_value_problems(value: &str) -> Vec<String> {
    if value.len() > 63 {
        vec!["must be no more than 63 characters".into()]
    } else if !value.is_empty() && !qualified_name_part(value) {
        vec!["a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".into()]
    } else {
        Vec::new()
    }
}

fn is_alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn label_ok(s: &str) -> bool {
    !s.is_empty() && s.starts_with(is_alnum) && s.ends_with(is_alnum) && s.chars().all(|c| is_alnum(c) || c == '-')
}

/// The RFC 1123 label check (namespace and container names).
pub fn rfc1123_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    (!label_ok(s)).then(|| "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".into())
}

/// The DNS-1035 label check (Service names: they become DNS names).
pub fn dns1035_label(s: &str) -> Option<String> {
    if s.len() > 63 {
        return Some("must be no more than 63 characters".into());
    }
    let ok = label_ok(s) && s.starts_with(|c: char| c.is_ascii_lowercase());
    (!ok).then(|| "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".into())
}

/// The RFC 1123 subdomain check (most object names).
pub fn rfc1123_subdomain(s: &str) -> Option<String> {
    if s.len() > 253 {
        return Some("must be no more than 253 characters".into());
    }
    (!s.split('.').all(label_ok)).then(|| "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(rfc1123_subdomain("web.example-1"), None);
        assert!(rfc1123_subdomain("Web_App").is_some());
        assert!(rfc1123_subdomain("a..b").is_some());
        assert!(rfc1123_subdomain("-a").is_some());
        assert_eq!(rfc1123_label("my-ns"), None);
        assert!(rfc1123_label("my.ns").is_some());
        assert_eq!(rfc1123_label(&"a".repeat(64)).as_deref(), Some("must be no more than 63 characters"));
    }
}
