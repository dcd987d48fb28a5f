//! The live cluster map: one card per node, its pods as chips coloured by
//! kubectl's STATUS, and a lane for pods no node has taken yet.

use crate::i18n::{t, Lang, Msg};
use crate::style::{palette::*, status_color};
use engine::{ClusterView, PodChip};
use std::rc::Rc;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub view: Rc<ClusterView>,
}

fn chip(pod: &PodChip) -> Html {
    let system = pod.system;
    let class = classes!("chip", system.then_some("system"));
    let title = format!("{}/{}  {}  {}", pod.namespace, pod.name, pod.ready, pod.status);
    html! {
        <li class={class} title={title}
            data-pod={format!("{}/{}", pod.namespace, pod.name)} data-status={pod.status.clone()}
            style={format!("--c: {}", status_color(&pod.status))}>
            <span class="dot" />
            <span class="name">{ &pod.name }</span>
            { if system { html!{} } else { html! { <span class="status">{ &pod.status }</span> } } }
        </li>
    }
}

#[styled_component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let view = &props.view;
    let pending: Vec<&PodChip> = view.pods.iter().filter(|p| p.node.is_none()).collect();
    let style = css!(
        r#"
        background: ${panel}; border: 1px solid ${edge}; border-radius: 10px; padding: 12px;
        overflow-y: auto; min-height: 0; min-width: 0;
        h2 { margin: 0 0 10px; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        .nodes { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
        .node { border: 1px solid ${edge}; border-radius: 8px; padding: 8px 10px; background: ${sunken}; }
        .node.notready { border-color: ${error}; }
        .node header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; }
        .node header b { font-size: 17px; white-space: nowrap; }
        .node header small { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; min-width: 0; }
        .node header small { color: ${muted}; }
        .node .state { font-size: 13px; color: ${ok}; }
        .node.notready .state { color: ${error}; }
        ul { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 5px; }
        .chip { display: flex; align-items: center; gap: 6px; padding: 3px 8px; border-radius: 999px;
            background: ${raised}; border: 1px solid var(--c); font-size: 13px; max-width: 100%;
            transition: border-color 0.4s, opacity 0.4s; }
        .chip .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--c); flex: none; }
        .chip .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .chip .status { color: var(--c); font-size: 12px; }
        .chip.system { opacity: 0.55; font-size: 11px; border-color: ${edge}; }
        .queue { margin-top: 12px; border: 1px dashed ${warn}; border-radius: 8px; padding: 8px 10px; }
        .queue b { color: ${warn}; font-size: 14px; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        ok = OK,
        error = ERROR,
        warn = WARN,
        sunken = SUNKEN,
        raised = RAISED,
    );
    html! {
        <section class={style} aria-label={t(lang, Msg::NodesAndPods)} data-testid="cluster-map">
            <h2>{ t(lang, Msg::NodesAndPods) }</h2>
            <div class="nodes">
                { for view.nodes.iter().map(|node| {
                    let ready = node.status.starts_with("Ready");
                    let pods = view.pods.iter().filter(|p| p.node.as_deref() == Some(node.name.as_str()));
                    html! {
                        <article class={classes!("node", (!ready).then_some("notready"))} data-node={node.name.clone()}>
                            <header>
                                <b>{ &node.name }</b>
                                <small>{ if node.roles == "<none>" { node.ip.clone() } else { format!("{} · {}", node.roles, node.ip) } }</small>
                            </header>
                            <div class="state">{ &node.status }</div>
                            <ul>{ for pods.map(chip) }</ul>
                        </article>
                    }
                }) }
            </div>
            if !pending.is_empty() {
                <div class="queue" data-testid="pending-lane">
                    <b>{ t(lang, Msg::WaitingForNode) }</b>
                    <ul>{ for pending.into_iter().map(chip) }</ul>
                </div>
            }
        </section>
    }
}
