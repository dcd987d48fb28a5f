//! The alert list panel: each alerting rule with its state's colour and
//! word, how long it has been so, its labels and summary, and (when the
//! panel shows instances) each alert's labels.

use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::alerts::{age, state_word, AlertItem};
use engine::dashboards::Panel;
use engine::rules::AlertState;
use serde_json::Value;
use yew::prelude::*;

/// Grafana's colours for the states.
fn colour(s: AlertState) -> &'static str {
    match s {
        AlertState::Firing => "#e02f44",
        AlertState::Pending => "#ff9830",
        AlertState::Inactive => "#73bf69",
    }
}

fn labels_of<'a>(pairs: impl Iterator<Item = (&'a String, &'a String)>) -> Html {
    html! {
        <span class="chips">{ for pairs.map(|(k, v)| html! { <span class="chip">{ format!("{k}={v}") }</span> }) }</span>
    }
}

pub fn alert_list(panel: &Panel, items: &[AlertItem], now_ms: i64, lang: Lang) -> Html {
    let instances = panel.options.get("showInstances").and_then(Value::as_bool).unwrap_or(false);
    html! {
        <ol class="alertlist" data-testid="alert-list">
        { for items.iter().map(|item| {
            let state = state_word(item.state);
            let since = item.since_ms.map(|s| format!(" {} {}", tr(lang, D::For), age(now_ms, s))).unwrap_or_default();
            let active = item.instances.len();
            html! {
                <li data-testid="alert-item" data-state={item.state.as_str()} data-name={item.name.clone()}>
                    <i class="dot" style={format!("background:{}", colour(item.state))} />
                    <div class="main">
                        <div class="head">
                            <b class="name">{ item.name.clone() }</b>
                            <span class="state" style={format!("color:{}", colour(item.state))}>{ format!("{state}{since}") }</span>
                            if active > 0 { <span class="muted">{ format!("{active} {}", tr(lang, if active == 1 { D::Instance } else { D::Instances })) }</span> }
                            { labels_of(item.labels.iter()) }
                        </div>
                        if !item.summary.is_empty() { <div class="muted">{ item.summary.clone() }</div> }
                        if instances {
                            <ul>{ for item.instances.iter().map(|i| html! {
                                <li>
                                    <i class="dot small" style={format!("background:{}", colour(i.state))} />
                                    { labels_of(i.labels.iter().filter(|(k, _)| *k != "alertname")) }
                                    <span class="muted">{ age(now_ms, i.active_at_ms) }</span>
                                </li>
                            }) }</ul>
                        }
                    </div>
                </li>
            }
        }) }
        </ol>
    }
}
