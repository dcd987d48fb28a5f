//! The live cluster map: one card per node (status, taints, requests and
//! use against allocatable) with its pods as chips grouped by owner, and a
//! lane for pods no node has taken yet. Past a few hundred pods the same
//! picture is drawn on a canvas (`canvas.rs`); past [`AGGREGATE_NODES`]
//! nodes each node shrinks to one cell of a heat grid.
//!
//! Clicking a pod or a node selects it; the inspector (`inspector.rs`)
//! shows its describe, logs and scheduling decision (`explainer.rs`).

mod canvas;
mod cards;
mod explainer;
mod inspector;
pub mod text;
mod timeline;
mod travel;

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::ClusterView;
pub use inspector::{Inspector, Tab as InspectorTab};
use std::collections::BTreeMap;
use std::rc::Rc;
use stylist::yew::styled_component;
use text::{tx, Text};
use yew::prelude::*;

/// What the user picked on the map or in the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selected {
    Pod { namespace: String, name: String },
    Node(String),
}

/// DOM chips stay readable and quick up to about this many pods or nodes;
/// beyond, one canvas draws them all.
const CANVAS_PODS: usize = 250;
const CANVAS_NODES: usize = 24;
/// Beyond this many nodes each node is one cell.
pub const AGGREGATE_NODES: usize = 100;

/// How the map draws the cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Cards,
    Canvas,
    Aggregate,
}

impl Mode {
    fn of(view: &ClusterView) -> Mode {
        if view.nodes.len() > AGGREGATE_NODES {
            Mode::Aggregate
        } else if view.pods.len() > CANVAS_PODS || view.nodes.len() > CANVAS_NODES {
            Mode::Canvas
        } else {
            Mode::Cards
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Cards => "cards",
            Mode::Canvas => "canvas",
            Mode::Aggregate => "aggregate",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ClusterMapProps {
    pub view: Rc<ClusterView>,
    #[prop_or_default]
    pub selected: Option<Selected>,
    #[prop_or_default]
    pub on_select: Callback<Selected>,
}

/// "3 nodes · 12 pods: 10 Running, 2 Pending", the count by status a large
/// picture cannot show chip by chip.
fn summary(lang: Lang, view: &ClusterView) -> Html {
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &view.pods {
        *by_status.entry(p.status.as_str()).or_default() += 1;
    }
    let mut by_node: BTreeMap<&str, usize> = BTreeMap::new();
    for n in &view.nodes {
        *by_node.entry(n.status.as_str()).or_default() += 1;
    }
    let list = |counts: BTreeMap<&str, usize>| {
        counts.into_iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", ")
    };
    html! {
        <p class="summary" data-testid="map-summary">
            <span>{ format!("{} {} ({})", view.nodes.len(), tx(lang, Text::Nodes), list(by_node)) }</span>
            <span>{ format!("{} {}: {}", view.pods.len(), tx(lang, Text::Pods), list(by_status)) }</span>
        </p>
    }
}

#[styled_component]
pub fn ClusterMap(props: &ClusterMapProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let view = &props.view;
    let mode = Mode::of(view);
    let style = css!(
        r#"
        background: ${panel}; border: 1px solid ${edge}; border-radius: 10px; padding: 12px;
        overflow-y: auto; min-height: 0; min-width: 0;
        h2 { margin: 0 0 10px; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        .summary { margin: -4px 0 8px; font-size: 13px; color: ${muted}; display: flex; flex-wrap: wrap; gap: 4px 14px; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
    );
    html! {
        <section class={style} aria-label={t(lang, Msg::NodesAndPods)} data-testid="cluster-map" data-mode={mode.name()}>
            <h2>{ t(lang, Msg::NodesAndPods) }</h2>
            if mode != Mode::Cards {
                { summary(lang, view) }
            }
            { match mode {
                Mode::Cards => html! {
                    <cards::Cards view={view.clone()} selected={props.selected.clone()} on_select={props.on_select.clone()} />
                },
                _ => html! {
                    <canvas::MapCanvas view={view.clone()} aggregate={mode == Mode::Aggregate}
                        selected={props.selected.clone()} on_select={props.on_select.clone()} />
                },
            } }
        </section>
    }
}
