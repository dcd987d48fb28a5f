//! ConfigMap, Secret, ServiceAccount, ResourceQuota, LimitRange, PriorityClass,
//! Lease and Event tables.

use super::duration::human;
use super::Columns;
use crate::time::Time;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Event, LimitRange, ResourceQuota, Secret, ServiceAccount};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn name(meta: &ObjectMeta) -> String {
    meta.name.clone().unwrap_or_default()
}

pub const CONFIG_MAP: Columns = (&["NAME", "DATA", "AGE"], &[]);

pub fn config_map(cm: &ConfigMap, now: Time) -> Vec<String> {
    let n = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    vec![name(&cm.metadata), n.to_string(), super::age(&cm.metadata, now)]
}

pub const SECRET: Columns = (&["NAME", "TYPE", "DATA", "AGE"], &[]);

pub fn secret(s: &Secret, now: Time) -> Vec<String> {
    vec![
        name(&s.metadata),
        s.type_.clone().unwrap_or_else(|| "Opaque".into()),
        s.data.as_ref().map_or(0, |d| d.len()).to_string(),
        super::age(&s.metadata, now),
    ]
}

pub const SERVICE_ACCOUNT: Columns = (&["NAME", "SECRETS", "AGE"], &[]);

pub fn service_account(sa: &ServiceAccount, now: Time) -> Vec<String> {
    vec![name(&sa.metadata), sa.secrets.as_ref().map_or(0, Vec::len).to_string(), super::age(&sa.metadata, now)]
}

pub const RESOURCE_QUOTA: Columns = (&["NAME", "REQUEST", "LIMIT", "AGE"], &[]);

pub fn resource_quota(q: &ResourceQuota, now: Time) -> Vec<String> {
    let hard = q.spec.as_ref().and_then(|s| s.hard.as_ref());
    let used = q.status.as_ref().and_then(|s| s.used.as_ref());
    let mut requests = Vec::new();
    let mut limits = Vec::new();
    for (res, h) in hard.into_iter().flatten() {
        let u = used.and_then(|u| u.get(res)).map_or("0", |q| q.0.as_str());
        let cell = format!("{res}: {u}/{}", h.0);
        if res.starts_with("limits.") {
            limits.push(cell);
        } else {
            requests.push(cell);
        }
    }
    vec![name(&q.metadata), requests.join(", "), limits.join(", "), super::age(&q.metadata, now)]
}

pub const LIMIT_RANGE: Columns = (&["NAME", "CREATED AT"], &[]);

pub fn limit_range(lr: &LimitRange) -> Vec<String> {
    let created = lr.metadata.creation_timestamp.as_ref().map_or_else(String::new, |t| Time::from_k8s(t).rfc3339());
    vec![name(&lr.metadata), created]
}

pub const PRIORITY_CLASS: Columns = (&["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE"], &["PREEMPTIONPOLICY"]);

pub fn priority_class(pc: &PriorityClass, now: Time, wide: bool) -> Vec<String> {
    let mut cells = vec![
        name(&pc.metadata),
        pc.value.to_string(),
        pc.global_default.unwrap_or(false).to_string(),
        super::age(&pc.metadata, now),
    ];
    if wide {
        cells.push(pc.preemption_policy.clone().unwrap_or_else(|| "PreemptLowerPriority".into()));
    }
    cells
}

pub const LEASE: Columns = (&["NAME", "HOLDER", "AGE"], &[]);

pub fn lease(l: &Lease, now: Time) -> Vec<String> {
    let holder = l.spec.as_ref().and_then(|s| s.holder_identity.clone()).unwrap_or_default();
    vec![name(&l.metadata), holder, super::age(&l.metadata, now)]
}

pub const EVENT: Columns =
    (&["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], &["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"]);

/// When the event last happened (lastTimestamp, else eventTime, else creation).
pub fn event_last_seen(e: &Event) -> Option<Time> {
    e.last_timestamp
        .as_ref()
        .map(Time::from_k8s)
        .or_else(|| e.event_time.as_ref().map(|t| Time(t.0.as_millisecond())))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(Time::from_k8s))
}

/// How long ago an event happened, with `(x3 over 2m)` when it repeated,
/// as `kubectl describe` and `kubectl events` show it.
pub fn event_interval(e: &Event, now: Time) -> String {
    let first = e.first_timestamp.as_ref().map(Time::from_k8s).or_else(|| event_last_seen(e)).unwrap_or(now);
    let last = event_last_seen(e).unwrap_or(now);
    match e.count.unwrap_or(1) {
        count if count > 1 => format!("{} (x{count} over {})", human(now.since(last)), human(now.since(first))),
        _ => human(now.since(first)),
    }
}

pub fn event(e: &Event, now: Time, wide: bool) -> Vec<String> {
    let seen = |t: Option<Time>| t.map_or_else(|| "<unknown>".to_string(), |t| human(now.since(t)));
    let object = format!(
        "{}/{}",
        e.involved_object.kind.clone().unwrap_or_default().to_lowercase(),
        e.involved_object.name.clone().unwrap_or_default()
    );
    let mut cells = vec![
        seen(event_last_seen(e)),
        e.type_.clone().unwrap_or_default(),
        e.reason.clone().unwrap_or_default(),
        object,
        e.message.clone().unwrap_or_default().trim().to_string(),
    ];
    if wide {
        let source = e.source.as_ref();
        let source = match (source.and_then(|s| s.component.clone()), source.and_then(|s| s.host.clone())) {
            (Some(c), Some(h)) => format!("{c}, {h}"),
            (Some(c), None) => c,
            _ => String::new(),
        };
        cells.extend([
            e.involved_object.field_path.clone().unwrap_or_default(),
            source,
            seen(e.first_timestamp.as_ref().map(Time::from_k8s)),
            e.count.unwrap_or(1).to_string(),
            name(&e.metadata),
        ]);
    }
    cells
}
