//! The side panel for a selected pod or node: its `kubectl describe`, a
//! pod's logs, and the scheduler's decision for it (`explainer.rs`), read
//! through the bridge as the clock runs. It lies over the lesson and the
//! terminal, so the map stays in view and another click there switches
//! what it shows. Keyboard: it takes the focus when it opens, Escape
//! closes it, the tabs are buttons.

use super::explainer::explainer;
use super::text::{tx, Text};
use super::timeline::timeline;
use super::Selected;
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::ClusterView;
use std::rc::Rc;
use stylist::yew::styled_component;
use web_sys::HtmlElement;
use yew::prelude::*;

/// The inspector's tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tab {
    Describe,
    Logs,
    Scheduling,
    Timeline,
    Workload,
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    pub bridge: BridgeHandle,
    pub selected: Selected,
    /// The current view: redraws as the clock runs, and tells whether the
    /// pod is still waiting for a node.
    pub view: Rc<ClusterView>,
    pub on_close: Callback<()>,
    /// The tab a selection opens on, when not its most telling one: set
    /// when a lesson step opened the inspector, which then leaves the focus
    /// where the learner is typing.
    #[prop_or_default]
    pub open_on: Option<Tab>,
}

/// What a kubectl command printed, errors included, as the terminal would.
fn printed(out: engine::Output) -> String {
    format!("{}{}", out.stdout, out.stderr)
}

#[styled_component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let pending = match &props.selected {
        Selected::Pod { namespace, name } => {
            props.view.pods.iter().any(|p| p.namespace == *namespace && p.name == *name && p.node.is_none())
        }
        Selected::Node(_) => false,
    };
    let first = props.open_on.unwrap_or(if pending { Tab::Scheduling } else { Tab::Describe });
    let tab = use_state(|| first);
    let attempt = use_state(|| usize::MAX);
    let panel = use_node_ref();
    {
        // A new selection opens on its most telling tab and takes the focus.
        let tab = tab.clone();
        let attempt = attempt.clone();
        let panel = panel.clone();
        let take_focus = props.open_on.is_none();
        use_effect_with(props.selected.clone(), move |_| {
            tab.set(first);
            attempt.set(usize::MAX);
            if let Some(el) = panel.cast::<HtmlElement>().filter(|_| take_focus) {
                let _ = el.focus();
            }
        });
    }
    let bridge = &props.bridge.0;
    // The pod's workload, whose pods the Workload tab draws together.
    let owner = match &props.selected {
        Selected::Pod { namespace, name } => props
            .view
            .pods
            .iter()
            .find(|p| p.namespace == *namespace && p.name == *name)
            .and_then(|p| p.owner.clone())
            .filter(|o| o.kind != "Node"),
        Selected::Node(_) => None,
    };
    let (title, is_pod) = match &props.selected {
        Selected::Pod { namespace, name } => (format!("pod/{name} -n {namespace}"), true),
        Selected::Node(name) => (format!("node/{name}"), false),
    };
    let body = match (&props.selected, *tab) {
        (Selected::Pod { namespace, name }, Tab::Logs) => html! {
            <pre data-testid="inspector-logs">{ printed(bridge.logs(namespace, name)) }</pre>
        },
        (Selected::Pod { namespace, name }, Tab::Scheduling) => {
            let attempts = bridge.scheduling_trace(namespace, name);
            let on_attempt = {
                let attempt = attempt.clone();
                Callback::from(move |i: usize| attempt.set(i))
            };
            explainer(lang, attempts.as_deref(), pending, *attempt, &on_attempt)
        }
        (Selected::Pod { namespace, name }, Tab::Timeline) => {
            let lines: Vec<_> = bridge.pod_timeline(namespace, name).into_iter().collect();
            timeline(lang, &lines, bridge.now())
        }
        (Selected::Pod { namespace, .. }, Tab::Workload) => match &owner {
            Some(owner) => html! { <>
                <h3 data-testid="workload-title">{ format!("{} {}", owner.kind, owner.name) }</h3>
                { timeline(lang, &bridge.workload_timeline(namespace, owner), bridge.now()) }
            </> },
            None => html! {},
        },
        (Selected::Pod { namespace, name }, _) => html! {
            <pre data-testid="inspector-describe">{ printed(bridge.describe("pod", namespace, name)) }</pre>
        },
        (Selected::Node(name), _) => html! {
            <pre data-testid="inspector-describe">{ printed(bridge.describe("node", "", name)) }</pre>
        },
    };
    let close = {
        let on_close = props.on_close.clone();
        Callback::from(move |_: MouseEvent| on_close.emit(()))
    };
    let onkeydown = {
        let on_close = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.stop_propagation();
                on_close.emit(());
            }
        })
    };
    let tab_button = |which: Tab, label: Text, testid: &'static str| {
        let tab = tab.clone();
        html! {
            <button role="tab" aria-selected={(*tab == which).to_string()} data-testid={testid}
                onclick={Callback::from(move |_: MouseEvent| tab.set(which))}>{ tx(lang, label) }</button>
        }
    };
    let style = css!(
        r#"
        position: absolute; top: 10px; left: 10px; bottom: 10px; width: min(860px, 62%); z-index: 30;
        display: flex; flex-direction: column; background: ${panel}; border: 1px solid ${accent};
        border-radius: 10px; box-shadow: 0 10px 40px rgba(0, 0, 0, 0.35); min-height: 0;
        &:focus { outline: none; }
        header { display: flex; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid ${edge}; }
        header h2 { margin: 0 auto 0 0; flex: 1 1 0; min-width: 0; font-size: 15px; font-family: ${mono}; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        [role="tablist"] { display: flex; gap: 4px; }
        [role="tab"][aria-selected="true"] { background: ${accent}; color: ${on_accent}; border-color: ${accent}; }
        .body { overflow: auto; padding: 10px 14px; min-height: 0; flex: 1; }
        pre { margin: 0; font-family: ${mono}; font-size: 12.5px; line-height: 1.45; white-space: pre; }
        h3 { margin: 0 0 6px; font-size: 14px; color: ${muted}; }
        .attempts { display: flex; gap: 4px; flex-wrap: wrap; margin-bottom: 6px; }
        .attempts button { font-size: 12px; padding: 2px 8px; }
        .attempts button[aria-pressed="true"] { border-color: ${accent}; }
        .outcome { margin: 4px 0 8px; font-size: 14px; }
        .outcome.ok { color: ${ok}; }
        .outcome.warn b { color: ${warn}; display: block; }
        .outcome code { display: block; font-family: ${mono}; font-size: 12.5px; margin-top: 4px; white-space: pre-wrap; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13px; width: 100%; }
        th, td { padding: 3px 8px; border-bottom: 1px solid ${edge}; text-align: left; white-space: nowrap; }
        thead th { color: ${muted}; font-weight: 600; font-size: 12px; }
        thead th small { font-weight: 400; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        td.total { font-weight: 700; }
        tr.filtered th, tr.filtered td { color: ${muted}; }
        tr.filtered td.reason { white-space: normal; }
        tr.filtered .plugin { color: ${error}; }
        tr.winner { background: ${raised}; }
        tr.winner th, tr.winner td { color: ${ok}; font-weight: 700; }
        .badge { margin-left: 6px; font-size: 11px; padding: 0 6px; border-radius: 999px; background: ${ok}; color: ${on_accent}; }
        .note { color: ${muted}; font-size: 12.5px; }
        .timeline svg { display: block; font-family: ${mono}; font-size: 11px; }
        .timeline svg text { fill: ${text}; }
        .timeline svg text.container { fill: ${muted}; }
        .timeline svg text.pod { font-weight: 700; }
        .timeline svg text.gone { fill: ${muted}; text-decoration: line-through; }
        .timeline .tick line { stroke: ${edge}; stroke-dasharray: 2 3; }
        .timeline .tick text { fill: ${muted}; }
        .timeline line.sep { stroke: ${edge}; }
        .timeline line.now { stroke: ${accent}; stroke-width: 1.5; }
        .timeline text.now-label { fill: ${accent}; font-weight: 700; }
        .timeline .mark { fill: ${muted}; }
        .timeline .mark.warning { fill: ${error}; }
        .timeline .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0 0 8px; padding: 0; font-size: 12.5px; }
        .timeline .legend li { display: flex; align-items: center; gap: 5px; }
        .timeline .swatch { width: 14px; height: 10px; border-radius: 2px; display: inline-block; }
        .timeline .tri { width: 0; height: 0; border-left: 5px solid transparent; border-right: 5px solid transparent; border-top: 8px solid ${muted}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        accent = ACCENT,
        on_accent = ON_ACCENT,
        muted = MUTED,
        mono = MONO,
        ok = OK,
        warn = WARN,
        error = ERROR,
        raised = RAISED,
        text = TEXT,
    );
    html! {
        <aside class={style} role="dialog" aria-modal="false" aria-label={format!("{}: {title}", tx(lang, Text::Inspector))}
            tabindex="-1" ref={panel} {onkeydown} data-testid="inspector">
            <header>
                <h2 title={title.clone()}>{ &title }</h2>
                <div role="tablist">
                    { tab_button(Tab::Describe, Text::Describe, "tab-describe") }
                    if is_pod {
                        { tab_button(Tab::Logs, Text::Logs, "tab-logs") }
                        { tab_button(Tab::Scheduling, Text::Scheduling, "tab-scheduling") }
                        { tab_button(Tab::Timeline, Text::Timeline, "tab-timeline") }
                        if owner.is_some() {
                            { tab_button(Tab::Workload, Text::WorkloadTimeline, "tab-workload") }
                        }
                    }
                </div>
                <button onclick={close} data-testid="inspector-close" aria-label={tx(lang, Text::Close)}>{ "✕" }</button>
            </header>
            <div class="body" role="tabpanel">{ body }</div>
        </aside>
    }
}
