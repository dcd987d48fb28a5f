//! A notification's words: the data Alertmanager hands its templates and
//! its default Slack title and text.

use super::super::alerting::Alert;
use super::super::template::{Data, Template};
use crate::promql::Labels;
use std::collections::BTreeMap;

/// Go's `time.Time.String()` for a UTC time, as templates print `.StartsAt`.
fn go_time(ms: i64) -> String {
    let ts = crate::time::Time(ms).to_k8s().0;
    k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S +0000 UTC", ts).unwrap_or_default()
}

/// The labels every alert shares.
fn common<'a>(sets: impl Iterator<Item = &'a BTreeMap<String, String>>) -> BTreeMap<String, String> {
    let mut out: Option<BTreeMap<String, String>> = None;
    for s in sets {
        out = Some(match out {
            None => s.clone(),
            Some(c) => c.into_iter().filter(|(k, v)| s.get(k) == Some(v)).collect(),
        });
    }
    out.unwrap_or_default()
}

/// Alertmanager's template data for one notification.
pub fn data(receiver: &str, group_labels: &Labels, alerts: &[(Alert, bool)], external_url: &str) -> Data {
    let firing = alerts.iter().any(|(_, resolved)| !resolved);
    let list = alerts
        .iter()
        .map(|(a, resolved)| {
            Data::Map(BTreeMap::from([
                ("Status".to_string(), Data::Str(if *resolved { "resolved" } else { "firing" }.into())),
                ("Labels".to_string(), Data::strings(&a.labels)),
                ("Annotations".to_string(), Data::strings(&a.annotations)),
                ("StartsAt".to_string(), Data::Str(go_time(a.starts_at_ms))),
                (
                    "EndsAt".to_string(),
                    Data::Str(if *resolved { go_time(a.ends_at_ms) } else { "0001-01-01 00:00:00 +0000 UTC".into() }),
                ),
                ("GeneratorURL".to_string(), Data::Str(a.generator_url.clone())),
            ]))
        })
        .collect();
    Data::Map(BTreeMap::from([
        ("Receiver".to_string(), Data::Str(receiver.to_string())),
        ("Status".to_string(), Data::Str(if firing { "firing" } else { "resolved" }.into())),
        ("Alerts".to_string(), Data::List(list)),
        ("GroupLabels".to_string(), Data::strings(group_labels)),
        ("CommonLabels".to_string(), Data::strings(&common(alerts.iter().map(|(a, _)| &a.labels)))),
        ("CommonAnnotations".to_string(), Data::strings(&common(alerts.iter().map(|(a, _)| &a.annotations)))),
        ("ExternalURL".to_string(), Data::Str(external_url.to_string())),
    ]))
}

/// Alertmanager's default Slack title, `[FIRING:2] <group label values>
/// (<other common label values>)`.
pub const DEFAULT_TITLE: &str = "{{ template \"slack.default.title\" . }}";

/// Alertmanager's default Slack text (empty).
pub const DEFAULT_TEXT: &str = "{{ template \"slack.default.text\" . }}";

/// Expands a user template, or says why it failed in the message itself.
pub fn expand(name: &str, text: &str, data: &Data) -> String {
    match Template::parse(name, text).and_then(|t| t.execute(data, &[])) {
        Ok(s) => s,
        Err(e) => format!("<error expanding template: {e}>"),
    }
}
