//! The map as DOM: node cards with status, taints and resource bars, pods
//! as chips grouped by owner, and the queue lane. Chips are keyed by pod,
//! so a pod that lands on a node gets a fresh chip there: it travels there
//! from the queue lane (`travel.rs`), and a pod bound at once drops in.

use super::text::{tx, Text};
use super::Selected;
use crate::i18n::{t, Lang, Msg};
use crate::style::{palette::*, status_color};
use engine::{Amounts, ClusterView, NodeCard, Owner, PodChip};
use std::collections::BTreeMap;
use std::rc::Rc;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CardsProps {
    pub view: Rc<ClusterView>,
    pub selected: Option<Selected>,
    pub on_select: Callback<Selected>,
}

/// kubectl's short names for the owners' kinds.
pub fn owner_label(owner: &Owner) -> String {
    let kind = match owner.kind.as_str() {
        "Deployment" => "deploy",
        "ReplicaSet" => "rs",
        "DaemonSet" => "ds",
        "StatefulSet" => "sts",
        "Job" => "job",
        "CronJob" => "cj",
        "Node" => "static",
        other => return format!("{}/{}", other.to_lowercase(), owner.name),
    };
    format!("{kind}/{}", owner.name)
}

/// CPU as kubectl prints a quantity: whole cores or millicores.
pub fn cpu(milli: i64) -> String {
    if milli % 1000 == 0 {
        format!("{}", milli / 1000)
    } else {
        format!("{milli}m")
    }
}

/// Memory in the largest binary unit that keeps it readable.
pub fn memory(bytes: i64) -> String {
    const MI: i64 = 1 << 20;
    const GI: i64 = 1 << 30;
    if bytes >= GI && bytes % (GI / 10) == 0 || bytes >= 10 * GI {
        format!("{:.1}Gi", bytes as f64 / GI as f64).replace(".0Gi", "Gi")
    } else {
        format!("{}Mi", bytes / MI)
    }
}

/// A share of allocatable, 0–100 (more when overcommitted).
pub fn percent(part: i64, whole: i64) -> i64 {
    if whole > 0 {
        part.saturating_mul(100) / whole
    } else {
        0
    }
}

fn chip(pod: &PodChip, selected: bool, on_select: &Callback<Selected>) -> Html {
    let system = pod.system;
    let class = classes!("chip", system.then_some("system"), selected.then_some("selected"));
    let title = format!("{}/{}  {}  {}", pod.namespace, pod.name, pod.ready, pod.status);
    let pick = Selected::Pod { namespace: pod.namespace.clone(), name: pod.name.clone() };
    let onclick = {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(pick.clone()))
    };
    let id = format!("{}/{}", pod.namespace, pod.name);
    html! {
        <button key={id.clone()} class={class} title={title.clone()} aria-label={title} aria-pressed={selected.to_string()}
            data-pod={id} data-status={pod.status.clone()} data-phase={pod.phase.clone()}
            style={format!("--c: {}", status_color(&pod.status))} {onclick}>
            <span class="dot" />
            <span class="name">{ &pod.name }</span>
            { if system { html!{} } else { html! { <span class="status">{ &pod.status }</span> } } }
        </button>
    }
}

/// One resource: a bar for requests against allocatable and a thinner one
/// for use, as `kubectl describe node` and `kubectl top node` give them.
fn bar(lang: Lang, which: Text, requested: i64, used: Option<i64>, allocatable: i64, show: fn(i64) -> String) -> Html {
    let req = percent(requested, allocatable);
    let use_ = used.map(|u| percent(u, allocatable));
    let title = format!(
        "{} {} {} / {} ({req}%) · {}",
        tx(lang, which),
        tx(lang, Text::Requests),
        show(requested),
        show(allocatable),
        match (used, use_) {
            (Some(u), Some(p)) => format!("{} {} ({p}%)", tx(lang, Text::Usage), show(u)),
            _ => tx(lang, Text::NoMetrics).to_string(),
        }
    );
    let resource = if which == Text::Cpu { "cpu" } else { "memory" };
    html! {
        <div class="res" title={title} data-resource={resource} data-requested={requested.to_string()}
            data-requested-percent={req.to_string()} data-used-percent={use_.map(|p| p.to_string()).unwrap_or_default()}>
            <span class="label">{ tx(lang, which) }</span>
            <span class="bars">
                <span class={classes!("track", "req", (req > 100).then_some("over"))}>
                    <span class="fill" style={format!("width: {}%", req.min(100))} />
                </span>
                <span class="track use">
                    <span class="fill" style={format!("width: {}%", use_.unwrap_or(0).min(100))} />
                </span>
            </span>
            <span class="nums">{ format!("{req}%") }<small>{ use_.map(|p| format!(" · {p}%")).unwrap_or_default() }</small></span>
        </div>
    }
}

/// The taint's key without its DNS prefix, and its effect: enough to
/// recognise it; the whole taint is in the title.
fn short_taint(taint: &str) -> String {
    let (key, effect) = taint.rsplit_once(':').unwrap_or((taint, ""));
    let key = key.rsplit('/').next().unwrap_or(key);
    format!("{key}:{effect}")
}

/// Pods of one node (or the lane), learner's owners first, then bare pods,
/// then the cluster's own.
fn groups(lang: Lang, pods: &[&PodChip], selected: Option<&Selected>, on_select: &Callback<Selected>) -> Html {
    let mut owned: BTreeMap<(u8, String), Vec<&PodChip>> = BTreeMap::new();
    for p in pods {
        let key = match (&p.owner, p.system) {
            (_, true) => (2, String::new()),
            (Some(o), false) => (0, owner_label(o)),
            (None, false) => (1, String::new()),
        };
        owned.entry(key).or_default().push(p);
    }
    let is = |p: &PodChip| matches!(selected, Some(Selected::Pod { namespace, name }) if *namespace == p.namespace && *name == p.name);
    html! {
        { for owned.into_iter().map(|((rank, label), pods)| {
            let heading = match rank {
                0 => label.clone(),
                1 => tx(lang, Text::BarePods).to_string(),
                _ => String::new(),
            };
            html! {
                <div class={classes!("group", (rank == 2).then_some("system"))} data-owner={label}>
                    if !heading.is_empty() { <span class="owner">{ heading }</span> }
                    <div class="chips">{ for pods.into_iter().map(|p| chip(p, is(p), on_select)) }</div>
                </div>
            }
        }) }
    }
}

fn card(
    lang: Lang,
    node: &NodeCard,
    pods: &[&PodChip],
    selected: Option<&Selected>,
    on_select: &Callback<Selected>,
) -> Html {
    let ready = node.status.split(',').next() == Some("Ready");
    let cordoned = node.status.contains("SchedulingDisabled");
    let onclick = {
        let on_select = on_select.clone();
        let name = node.name.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(Selected::Node(name.clone())))
    };
    let chosen = matches!(selected, Some(Selected::Node(n)) if *n == node.name);
    let Amounts { cpu: cpu_used, memory: mem_used } = node.usage.unwrap_or_default();
    let has_usage = node.usage.is_some();
    html! {
        <article key={node.name.clone()} data-node={node.name.clone()} data-status={node.status.clone()}
            class={classes!("node", (!ready).then_some("notready"), cordoned.then_some("cordoned"), chosen.then_some("selected"))}>
            <header>
                <button class="name" {onclick} aria-pressed={chosen.to_string()}>{ &node.name }</button>
                <small>{ if node.roles == "<none>" { node.ip.clone() } else { format!("{} · {}", node.roles, node.ip) } }</small>
            </header>
            <div class="state" data-testid="node-status">{ &node.status }</div>
            if !node.taints.is_empty() {
                <div class="taints" aria-label={tx(lang, Text::Taints)}>
                    { for node.taints.iter().map(|taint| html! {
                        <span class="taint" title={taint.clone()}>{ short_taint(taint) }</span>
                    }) }
                </div>
            }
            { bar(lang, Text::Cpu, node.requested.cpu, has_usage.then_some(cpu_used), node.allocatable.cpu, cpu) }
            { bar(lang, Text::Memory, node.requested.memory, has_usage.then_some(mem_used), node.allocatable.memory, memory) }
            { groups(lang, pods, selected, on_select) }
        </article>
    }
}

#[styled_component]
pub fn Cards(props: &CardsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let view = &props.view;
    let mut on_node: BTreeMap<&str, Vec<&PodChip>> = BTreeMap::new();
    let mut pending = Vec::new();
    for p in &view.pods {
        match &p.node {
            Some(n) => on_node.entry(n.as_str()).or_default().push(p),
            None => pending.push(p),
        }
    }
    let selected = props.selected.as_ref();
    let style = css!(
        r#"
        .legend { display: flex; align-items: center; gap: 6px; margin: -4px 0 8px; font-size: 12px; color: ${muted}; flex-wrap: wrap; }
        .legend .key { display: inline-block; width: 14px; height: 6px; border-radius: 2px; background: ${accent}; }
        .legend .key.use { height: 3px; background: ${done}; margin-left: 8px; }
        .legend small { margin-left: 6px; }
        .nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 10px; }
        .node { border: 1px solid ${edge}; border-radius: 8px; padding: 8px 10px; background: ${sunken}; min-width: 0; }
        .node.notready { border-color: ${error}; }
        .node.cordoned { border-style: dashed; border-color: ${warn}; }
        .node.selected { outline: 2px solid ${accent}; }
        .node header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
        .node header .name { font-size: 17px; font-weight: 700; white-space: nowrap; border: none; background: none; padding: 0;
            color: inherit; text-align: left; }
        .node header .name:hover { text-decoration: underline; }
        .node header small { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; color: ${muted}; }
        .node .state { font-size: 13px; color: ${ok}; }
        .node.notready .state { color: ${error}; }
        .node.cordoned .state { color: ${warn}; }
        .taints { display: flex; flex-wrap: wrap; gap: 4px; margin: 4px 0 2px; }
        .taint { font-size: 11px; padding: 0 6px; border-radius: 4px; border: 1px solid ${edge}; color: ${muted};
            font-family: ${mono}; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .res { display: grid; grid-template-columns: 4.5em 1fr 5.5em; align-items: center; gap: 6px; font-size: 12px; margin-top: 4px; }
        .res .label { color: ${muted}; }
        .res .bars { display: flex; flex-direction: column; gap: 2px; }
        .track { display: block; background: ${raised}; border-radius: 3px; overflow: hidden; height: 7px; }
        .track.use { height: 3px; }
        .track .fill { display: block; height: 100%; background: ${accent}; transition: width 0.4s; }
        .track.over .fill { background: ${error}; }
        .track.use .fill { background: ${done}; }
        .res .nums { text-align: right; font-variant-numeric: tabular-nums; }
        .res .nums small { color: ${muted}; }
        .group { margin-top: 6px; }
        .group .owner { display: block; font-size: 11px; color: ${muted}; font-family: ${mono};
            overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .chips { display: flex; flex-wrap: wrap; gap: 5px; margin-top: 2px; }
        .chip { display: flex; align-items: center; gap: 6px; padding: 3px 8px; border-radius: 999px; color: inherit;
            background: ${raised}; border: 1px solid var(--c); font-size: 13px; max-width: 100%;
            transition: border-color 0.4s, opacity 0.4s; animation: land 0.6s ease-out; }
        .chip.selected { outline: 2px solid ${accent}; outline-offset: 1px; }
        .chip .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--c); flex: none; }
        .chip .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .chip .status { color: var(--c); font-size: 12px; }
        .chip.system { opacity: 0.55; font-size: 11px; border-color: ${edge}; padding: 2px 7px; }
        .queue { margin-top: 12px; border: 1px dashed ${warn}; border-radius: 8px; padding: 8px 10px; }
        .queue b { color: ${warn}; font-size: 14px; }
        .queue .chip { animation: arrive 0.5s ease-out; }
        @keyframes land { from { transform: translateY(-18px) scale(0.7); opacity: 0; } to { transform: none; opacity: 1; } }
        @keyframes arrive { from { transform: scale(1.4); opacity: 0; } to { transform: none; opacity: 1; } }
        @media (prefers-reduced-motion: reduce) {
            .chip, .queue .chip { animation: none; transition: none; }
            .track .fill { transition: none; }
        }
        "#,
        edge = PANEL_EDGE,
        muted = MUTED,
        ok = OK,
        error = ERROR,
        warn = WARN,
        sunken = SUNKEN,
        raised = RAISED,
        accent = ACCENT,
        done = DONE,
        mono = MONO,
    );
    let empty = Vec::new();
    let root = use_node_ref();
    super::travel::use_chip_travel(root.clone());
    html! {
        <div class={style} ref={root}>
            <p class="legend">
                <span class="key req" />{ tx(lang, Text::Requests) }
                <span class="key use" />{ tx(lang, Text::Usage) }
                <small>{ tx(lang, Text::ShareOfAllocatable) }</small>
            </p>
            <div class="nodes">
                { for view.nodes.iter().map(|node| {
                    card(lang, node, on_node.get(node.name.as_str()).unwrap_or(&empty), selected, &props.on_select)
                }) }
            </div>
            if !pending.is_empty() {
                <div class="queue" data-testid="pending-lane">
                    <b>{ t(lang, Msg::WaitingForNode) }</b>
                    { groups(lang, &pending, selected, &props.on_select) }
                </div>
            }
        </div>
    }
}
