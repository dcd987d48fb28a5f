//! Admission plugins: LimitRanger (fills and checks container requests and
//! limits from the namespace's LimitRanges) and ResourceQuota (refuses what
//! would take a namespace over its quota), with their messages.

use crate::api::{ApiError, Kind, Reason};
use crate::object::Object;
use crate::quantity::Amount;
use crate::store::Store;
use k8s_openapi::api::core::v1::{Container, LimitRangeItem, Pod, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use std::collections::BTreeMap;

type Resources = BTreeMap<String, Quantity>;

fn amount(q: &Quantity) -> Amount {
    Amount::parse(&q.0).unwrap_or_default()
}

fn container_items(store: &Store, ns: &str, type_: &str) -> Vec<LimitRangeItem> {
    store
        .list(Kind::LimitRange, Some(ns))
        .filter_map(|o| match &**o {
            Object::LimitRange(lr) => lr.spec.as_ref().map(|s| s.limits.clone()),
            _ => None,
        })
        .flatten()
        .filter(|i| i.type_ == type_)
        .collect()
}

/// LimitRanger's mutation: default requests and limits for containers that
/// set none, noted in the `kubernetes.io/limit-ranger` annotation.
pub fn default_limits(store: &Store, object: &mut Object) {
    let Object::Pod(pod) = object else { return };
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let items = container_items(store, &ns, "Container");
    if items.is_empty() {
        return;
    }
    let mut notes = Vec::new();
    let Some(spec) = pod.spec.as_mut() else { return };
    for c in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        let resources = c.resources.get_or_insert_with(ResourceRequirements::default);
        let mut set_requests = Vec::new();
        let mut set_limits = Vec::new();
        for item in &items {
            for (res, q) in item.default.iter().flatten() {
                let limits = resources.limits.get_or_insert_with(Resources::new);
                if !limits.contains_key(res) {
                    limits.insert(res.clone(), q.clone());
                    set_limits.push(res.clone());
                }
            }
            let defaults = item.default_request.as_ref().or(item.default.as_ref());
            for (res, q) in defaults.into_iter().flatten() {
                let requests = resources.requests.get_or_insert_with(Resources::new);
                if !requests.contains_key(res) {
                    requests.insert(res.clone(), q.clone());
                    set_requests.push(res.clone());
                }
            }
        }
        if !set_requests.is_empty() {
            notes.push(format!("{} request for container {}", set_requests.join(", "), c.name));
        }
        if !set_limits.is_empty() {
            notes.push(format!("{} limit for container {}", set_limits.join(", "), c.name));
        }
    }
    if !notes.is_empty() {
        pod.metadata
            .annotations
            .get_or_insert_with(BTreeMap::new)
            .insert("kubernetes.io/limit-ranger".into(), format!("LimitRanger plugin set: {}", notes.join("; ")));
    }
}

fn get<'a>(r: Option<&'a Resources>, res: &str) -> Option<&'a Quantity> {
    r.and_then(|m| m.get(res))
}

/// LimitRanger's validation: min, max and limit-to-request ratio per
/// Container and per Pod.
pub fn check_limits(store: &Store, object: &Object) -> Result<(), ApiError> {
    let Object::Pod(pod) = object else { return Ok(()) };
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let mut problems = Vec::new();
    let containers: Vec<&Container> = pod.spec.iter().flat_map(|s| s.containers.iter()).collect();
    for item in container_items(store, &ns, "Container") {
        for c in &containers {
            let r = c.resources.as_ref();
            problems.extend(constraints(
                &item,
                "Container",
                r.and_then(|r| r.requests.as_ref()),
                r.and_then(|r| r.limits.as_ref()),
            ));
        }
    }
    for item in container_items(store, &ns, "Pod") {
        let mut requests = Resources::new();
        let mut limits = Resources::new();
        for c in &containers {
            let r = c.resources.as_ref();
            for (target, source) in
                [(&mut requests, r.and_then(|r| r.requests.as_ref())), (&mut limits, r.and_then(|r| r.limits.as_ref()))]
            {
                for (res, q) in source.into_iter().flatten() {
                    let sum = target.get(res).map(amount).unwrap_or_default().plus(amount(q));
                    target.insert(res.clone(), Quantity(sum.to_string()));
                }
            }
        }
        problems.extend(constraints(&item, "Pod", Some(&requests), Some(&limits)));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let body = if problems.len() == 1 { problems.remove(0) } else { format!("[{}]", problems.join(", ")) };
    Err(ApiError::new(Reason::Forbidden, format!("pods \"{}\" is forbidden: {body}", object.name())))
}

fn constraints(
    item: &LimitRangeItem,
    type_: &str,
    requests: Option<&Resources>,
    limits: Option<&Resources>,
) -> Vec<String> {
    let mut out = Vec::new();
    for (res, min) in item.min.iter().flatten() {
        match get(requests, res) {
            None => out.push(format!("minimum {res} usage per {type_} is {}.  No request is specified", min.0)),
            Some(r) if amount(r).milli < amount(min).milli => {
                out.push(format!("minimum {res} usage per {type_} is {}, but request is {}", min.0, r.0))
            }
            _ => {}
        }
        if let Some(l) = get(limits, res).filter(|l| amount(l).milli < amount(min).milli) {
            out.push(format!("minimum {res} usage per {type_} is {}, but limit is {}", min.0, l.0));
        }
    }
    for (res, max) in item.max.iter().flatten() {
        match get(limits, res) {
            None => out.push(format!("maximum {res} usage per {type_} is {}.  No limit is specified", max.0)),
            Some(l) if amount(l).milli > amount(max).milli => {
                out.push(format!("maximum {res} usage per {type_} is {}, but limit is {}", max.0, l.0))
            }
            _ => {}
        }
        if let Some(r) = get(requests, res).filter(|r| amount(r).milli > amount(max).milli) {
            out.push(format!("maximum {res} usage per {type_} is {}, but request is {}", max.0, r.0));
        }
    }
    for (res, ratio) in item.max_limit_request_ratio.iter().flatten() {
        let (Some(l), Some(r)) = (get(limits, res), get(requests, res)) else { continue };
        let (l, r) = (amount(l).milli as f64, amount(r).milli as f64);
        if r > 0.0 && l / r > amount(ratio).milli as f64 / 1000.0 {
            out.push(format!(
                "{res} max limit to request ratio per {type_} is {}, but provided ratio is {:.6}",
                ratio.0,
                l / r
            ));
        }
    }
    out
}

/// What an object adds to the quota resources it counts against.
pub fn usage(object: &Object) -> BTreeMap<String, Amount> {
    let mut use_ = BTreeMap::new();
    let one = Amount { milli: 1000, binary: false };
    let info = object.info();
    let count_key = if info.group.is_empty() {
        format!("count/{}", info.plural)
    } else {
        format!("count/{}.{}", info.plural, info.group)
    };
    use_.insert(count_key, one);
    match object {
        Object::Pod(pod) => {
            if !counts_against_quota(pod) {
                return BTreeMap::new();
            }
            use_.insert("pods".into(), one);
            for c in pod.spec.iter().flat_map(|s| s.containers.iter()) {
                let r = c.resources.as_ref();
                for (kind, map) in
                    [("requests", r.and_then(|r| r.requests.as_ref())), ("limits", r.and_then(|r| r.limits.as_ref()))]
                {
                    for (res, q) in map.into_iter().flatten() {
                        let key = format!("{kind}.{res}");
                        let sum = use_.get(&key).copied().unwrap_or_default().plus(amount(q));
                        use_.insert(key, sum);
                        if kind == "requests" && (res == "cpu" || res == "memory") {
                            let sum = use_.get(res).copied().unwrap_or_default().plus(amount(q));
                            use_.insert(res.clone(), sum);
                        }
                    }
                }
            }
        }
        Object::Service(svc) => {
            use_.insert("services".into(), one);
            let type_ = svc.spec.as_ref().and_then(|s| s.type_.as_deref()).unwrap_or("ClusterIP");
            if type_ == "LoadBalancer" {
                use_.insert("services.loadbalancers".into(), one);
            }
            if type_ == "NodePort" || type_ == "LoadBalancer" {
                let ports = svc.spec.as_ref().and_then(|s| s.ports.as_ref()).map_or(0, Vec::len) as i128;
                use_.insert("services.nodeports".into(), Amount { milli: ports * 1000, binary: false });
            }
        }
        Object::PersistentVolumeClaim(pvc) => {
            use_.insert("persistentvolumeclaims".into(), one);
            if let Some(q) = pvc
                .spec
                .as_ref()
                .and_then(|s| s.resources.as_ref())
                .and_then(|r| r.requests.as_ref())
                .and_then(|r| r.get("storage"))
            {
                use_.insert("requests.storage".into(), amount(q));
                if let Some(class) = pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()) {
                    use_.insert(format!("{class}.storageclass.storage.k8s.io/requests.storage"), amount(q));
                }
            }
        }
        Object::ConfigMap(_) => {
            use_.insert("configmaps".into(), one);
        }
        Object::Secret(_) => {
            use_.insert("secrets".into(), one);
        }
        Object::ReplicationController(_) => {
            use_.insert("replicationcontrollers".into(), one);
        }
        Object::ResourceQuota(_) => {
            use_.insert("resourcequotas".into(), one);
        }
        _ => {}
    }
    use_
}

/// Finished pods stop counting against a quota.
fn counts_against_quota(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref()).unwrap_or("Pending");
    phase != "Succeeded" && phase != "Failed"
}

/// What everything in `ns` uses of each resource.
pub fn namespace_usage(store: &Store, ns: &str) -> BTreeMap<String, Amount> {
    let mut total: BTreeMap<String, Amount> = BTreeMap::new();
    for info in crate::api::RESOURCES.iter().filter(|r| r.namespaced && r.kind != Kind::Event) {
        for object in store.list(info.kind, Some(ns)) {
            for (res, a) in usage(object) {
                let sum = total.get(&res).copied().unwrap_or_default().plus(a);
                total.insert(res, sum);
            }
        }
    }
    total
}

/// ResourceQuota's check for a new object.
pub fn check_quota(store: &Store, object: &Object) -> Result<(), ApiError> {
    let ns = object.namespace();
    let quotas: Vec<(String, Resources)> = store
        .list(Kind::ResourceQuota, Some(ns))
        .filter_map(|o| match &**o {
            Object::ResourceQuota(q) => Some((o.name().to_string(), q.spec.as_ref()?.hard.clone()?)),
            _ => None,
        })
        .collect();
    if quotas.is_empty() {
        return Ok(());
    }
    let adds = usage(object);
    if adds.is_empty() {
        return Ok(());
    }
    let forbidden = |message: String| {
        ApiError::new(
            Reason::Forbidden,
            format!("{} \"{}\" is forbidden: {message}", object.info().qualified_plural(), object.name()),
        )
    };
    let used = namespace_usage(store, ns);
    for (name, hard) in quotas {
        // A quota on compute resources needs every container to state them.
        if let Object::Pod(pod) = object {
            let mut missing = Vec::new();
            for res in ["limits.cpu", "limits.memory", "requests.cpu", "requests.memory"] {
                if !hard.contains_key(res) {
                    continue;
                }
                let (kind, r) = res.split_once('.').unwrap_or((res, res));
                let lacking: Vec<&str> = pod
                    .spec
                    .iter()
                    .flat_map(|s| s.containers.iter())
                    .filter(|c| {
                        let rr = c.resources.as_ref();
                        let map = if kind == "limits" {
                            rr.and_then(|x| x.limits.as_ref())
                        } else {
                            rr.and_then(|x| x.requests.as_ref())
                        };
                        map.is_none_or(|m| !m.contains_key(r))
                    })
                    .map(|c| c.name.as_str())
                    .collect();
                if !lacking.is_empty() {
                    missing.push(format!("{res} for: {}", lacking.join(",")));
                }
            }
            if !missing.is_empty() {
                return Err(forbidden(format!("failed quota: {name}: must specify {}", missing.join("; "))));
            }
        }
        let mut requested = Vec::new();
        let mut current = Vec::new();
        let mut limited = Vec::new();
        for (res, limit) in &hard {
            let Some(add) = adds.get(res) else { continue };
            let now = used.get(res).copied().unwrap_or(Amount { milli: 0, binary: add.binary });
            if now.milli + add.milli > amount(limit).milli {
                requested.push(format!("{res}={add}"));
                current.push(format!("{res}={now}"));
                limited.push(format!("{res}={}", limit.0));
            }
        }
        if !requested.is_empty() {
            return Err(forbidden(format!(
                "exceeded quota: {name}, requested: {}, used: {}, limited: {}",
                requested.join(","),
                current.join(","),
                limited.join(",")
            )));
        }
    }
    Ok(())
}

/// The Priority plugin: a pod's priority comes from its PriorityClass (or the
/// global default class); an unknown class is refused.
pub fn set_priority(store: &Store, object: &mut Object) -> Result<(), ApiError> {
    let Object::Pod(pod) = object else { return Ok(()) };
    let name = pod.metadata.name.clone().unwrap_or_default();
    let Some(spec) = pod.spec.as_mut() else { return Ok(()) };
    let classes = || {
        store.list(Kind::PriorityClass, None).filter_map(|o| match &**o {
            Object::PriorityClass(pc) => Some(pc.clone()),
            _ => None,
        })
    };
    let class = match spec.priority_class_name.as_deref().filter(|n| !n.is_empty()) {
        Some(wanted) => match classes().find(|pc| pc.metadata.name.as_deref() == Some(wanted)) {
            Some(pc) => Some(pc),
            None => {
                return Err(ApiError::new(
                    Reason::Forbidden,
                    format!("pods \"{name}\" is forbidden: no PriorityClass with name {wanted} was found"),
                ))
            }
        },
        None => classes().find(|pc| pc.global_default == Some(true)),
    };
    if let Some(pc) = class {
        spec.priority_class_name.get_or_insert_with(|| pc.metadata.name.clone().unwrap_or_default());
        spec.priority = Some(pc.value);
        if let Some(policy) = pc.preemption_policy {
            spec.preemption_policy = Some(policy);
        }
    }
    Ok(())
}

/// The DefaultStorageClass plugin: a claim that names no class gets the
/// default one, if the cluster marks one.
pub fn default_storage_class(store: &Store, object: &mut Object) {
    let Object::PersistentVolumeClaim(pvc) = object else { return };
    let Some(spec) = pvc.spec.as_mut() else { return };
    if spec.storage_class_name.is_some() {
        return;
    }
    if let Some(name) = crate::controllers::storage::default_class(store) {
        spec.storage_class_name = Some(name);
    }
}

/// The StorageObjectInUseProtection plugin: claims and volumes are made with
/// the finalizer that keeps them while in use.
pub fn storage_protection(object: &mut Object) {
    let finalizer = match object {
        Object::PersistentVolumeClaim(_) => crate::controllers::volumeprotection::PVC_PROTECTION,
        Object::PersistentVolume(_) => crate::controllers::volumeprotection::PV_PROTECTION,
        _ => return,
    };
    let list = object.meta_mut().finalizers.get_or_insert_with(Vec::new);
    if !list.iter().any(|f| f == finalizer) {
        list.push(finalizer.into());
    }
}
