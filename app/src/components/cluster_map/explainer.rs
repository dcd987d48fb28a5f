//! "Why this node?": one scheduling attempt from the engine's decision
//! trace as a table. Every node the scheduler looked at is a row: the
//! filter plugin that turned it down with kube-scheduler's reason, or each
//! score plugin's normalised score (raw score and weight in the title) and
//! the weighted total, the chosen node highlighted. A pod left Pending gets
//! its FailedScheduling message above.

use super::text::{tx, Text};
use crate::i18n::Lang;
use engine::scheduling::{Attempt, Verdict};
use engine::Time;
use yew::prelude::*;

/// Short column headings for the default profile's score plugins; the
/// title gives the full name.
fn short(plugin: &str) -> &str {
    match plugin {
        "NodeResourcesFit" => "Fit",
        "NodeResourcesBalancedAllocation" => "Balanced",
        "ImageLocality" => "Image",
        "TaintToleration" => "Taint",
        "NodeAffinity" => "Affinity",
        "PodTopologySpread" => "Spread",
        "InterPodAffinity" => "PodAffinity",
        "VolumeBinding" => "Volume",
        other => other,
    }
}

/// The attempt's time of day on the cluster's clock (UTC, as the top bar).
fn clock(time: Time) -> String {
    let stamp = time.rfc3339();
    stamp.split_once('T').map_or(stamp.clone(), |(_, t)| t.trim_end_matches('Z').to_string())
}

/// The table for `attempts[shown]`, with buttons for the earlier attempts.
/// `pending`: the pod has no node yet, so a missing trace means the
/// scheduler has not reached it rather than that it was placed without it.
pub fn explainer(
    lang: Lang,
    attempts: Option<&[Attempt]>,
    pending: bool,
    shown: usize,
    on_attempt: &Callback<usize>,
) -> Html {
    let Some(attempts) = attempts.filter(|a| !a.is_empty()) else {
        let why = if pending { Text::NotTried } else { Text::NoTrace };
        return html! { <p class="note" data-testid="no-trace">{ tx(lang, why) }</p> };
    };
    let shown = shown.min(attempts.len() - 1);
    let attempt = &attempts[shown];
    // The plugins' names and weights, from the first scored node.
    let plugins: Vec<(&str, i64)> = attempt
        .nodes
        .iter()
        .find_map(|n| match &n.verdict {
            Verdict::Scored { plugins, .. } => Some(plugins.iter().map(|p| (p.plugin, p.weight)).collect()),
            _ => None,
        })
        .unwrap_or_default();
    let columns = plugins.len() + 1;
    html! {
        <div class="explainer" data-testid="explainer">
            <h3>{ tx(lang, Text::Decision) }</h3>
            if attempts.len() > 1 {
                <div class="attempts" role="group" aria-label={tx(lang, Text::Attempt)}>
                    { for attempts.iter().enumerate().map(|(i, a)| {
                        let on_attempt = on_attempt.clone();
                        html! {
                            <button aria-pressed={(i == shown).to_string()} onclick={Callback::from(move |_: MouseEvent| on_attempt.emit(i))}>
                                { format!("{} {} · {}", tx(lang, Text::Attempt), i + 1, clock(a.time)) }
                            </button>
                        }
                    }) }
                </div>
            }
            { match (&attempt.node, &attempt.message) {
                (Some(node), _) => html! {
                    <p class="outcome ok" data-testid="explainer-outcome">{ format!("{} → {node}", clock(attempt.time)) }</p>
                },
                (None, message) => html! {
                    <p class="outcome warn" data-testid="explainer-outcome">
                        <b>{ format!("{} · {}", clock(attempt.time), tx(lang, Text::StillPending)) }</b>
                        if let Some(m) = message { <code>{ m }</code> }
                    </p>
                },
            } }
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{ tx(lang, Text::Node) }</th>
                            { for plugins.iter().map(|(p, w)| html! {
                                <th scope="col" title={format!("{p} ({} {w})", tx(lang, Text::Weight))}>
                                    { short(p) }<small>{ format!(" ×{w}") }</small>
                                </th>
                            }) }
                            <th scope="col">{ if plugins.is_empty() { tx(lang, Text::Verdict) } else { tx(lang, Text::Total) } }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for attempt.nodes.iter().map(|n| {
                            let winner = attempt.node.as_deref() == Some(n.node.as_str());
                            let (kind, cells) = match &n.verdict {
                                Verdict::Filtered { plugin, reasons } => ("filtered", html! {
                                    <td colspan={columns.to_string()} class="reason">
                                        <span class="plugin">{ format!("{} {plugin}: ", tx(lang, Text::FilteredBy)) }</span>
                                        { reasons.join(", ") }
                                    </td>
                                }),
                                Verdict::Feasible => ("feasible", html! {
                                    <td colspan={columns.to_string()}>{ tx(lang, Text::OnlyFeasible) }</td>
                                }),
                                Verdict::Scored { plugins, total } => ("scored", html! {
                                    <>
                                    { for plugins.iter().map(|p| html! {
                                        <td class="num" title={format!("{}: raw {} → {} × {}", p.plugin, p.raw, p.normalized, p.weight)}>
                                            { p.normalized }
                                        </td>
                                    }) }
                                    <td class="num total">{ total }</td>
                                    </>
                                }),
                            };
                            html! {
                                <tr class={classes!(kind, winner.then_some("winner"))} data-trace-node={n.node.clone()}
                                    data-verdict={kind} aria-current={winner.then_some("true")}>
                                    <th scope="row">
                                        { &n.node }
                                        if winner { <span class="badge">{ tx(lang, Text::Chosen) }</span> }
                                    </th>
                                    { cells }
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
            <p class="note">{ tx(lang, Text::NotListed) }</p>
        </div>
    }
}
