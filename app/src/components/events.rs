//! The live event stream: the cluster's Events, newest first, filtered by
//! namespace, kind of object and type (Normal or Warning). A row about a
//! pod or a node opens it in the inspector.

use super::cluster_map::Selected;
use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::{EventRow, Time};
use std::collections::BTreeSet;
use std::rc::Rc;
use stylist::yew::styled_component;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

/// The most rows drawn; older ones stay in the cluster for `kubectl get events`.
const MAX_ROWS: usize = 200;

#[derive(Properties, PartialEq)]
pub struct EventsProps {
    pub events: Rc<Vec<EventRow>>,
    pub now: Time,
    #[prop_or_default]
    pub on_select: Callback<Selected>,
}

/// What an event row opens: the pod or node it is about.
fn target(e: &EventRow) -> Option<Selected> {
    match e.kind.as_str() {
        "Pod" => Some(Selected::Pod { namespace: e.namespace.clone(), name: e.object.clone() }),
        "Node" => Some(Selected::Node(e.object.clone())),
        _ => None,
    }
}

/// One filter's choice; empty = all.
fn select(value: UseStateHandle<String>) -> Callback<Event> {
    Callback::from(move |e: Event| {
        let el: HtmlSelectElement = e.target_unchecked_into();
        value.set(el.value());
    })
}

#[styled_component]
pub fn EventStream(props: &EventsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let namespace = use_state(String::new);
    let kind = use_state(String::new);
    let type_ = use_state(String::new);
    let namespaces: BTreeSet<&str> = props.events.iter().map(|e| e.namespace.as_str()).collect();
    let kinds: BTreeSet<&str> = props.events.iter().map(|e| e.kind.as_str()).collect();
    let shown: Vec<&EventRow> = props
        .events
        .iter()
        .rev()
        .filter(|e| namespace.is_empty() || e.namespace == *namespace)
        .filter(|e| kind.is_empty() || e.kind == *kind)
        .filter(|e| type_.is_empty() || e.type_ == *type_)
        .take(MAX_ROWS)
        .collect();
    let options = |all: Msg, values: Vec<&str>, chosen: &str| {
        html! {
            <>
            <option value="" selected={chosen.is_empty()}>{ t(lang, all) }</option>
            { for values.into_iter().map(|v| html! { <option value={v.to_string()} selected={v == chosen}>{ v }</option> }) }
            </>
        }
    };
    let style = css!(
        r#"
        display: flex; flex-direction: column; min-height: 0; min-width: 0; background: ${panel};
        border: 1px solid ${edge}; border-radius: 10px; overflow: hidden;
        .bar { display: flex; align-items: center; gap: 6px; padding: 6px 12px; border-bottom: 1px solid ${edge}; flex-wrap: wrap; }
        .bar h2 { margin: 0 auto 0 0; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        .bar select { font-size: 12px; padding: 2px 4px; max-width: 13em; }
        ol { list-style: none; margin: 0; padding: 4px 0; overflow-y: auto; flex: 1;
            font-family: ${mono}; font-size: 13px; }
        li { display: grid; grid-template-columns: 5ch 7ch 17ch 1fr; gap: 8px; padding: 2px 12px; align-items: baseline; }
        li .age { color: ${muted}; text-align: right; }
        li.open { cursor: pointer; }
        li.open:hover { background: ${raised}; }
        li .type { color: ${ok}; }
        li.Warning .type, li.Warning .reason { color: ${warn}; }
        li .reason { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        li .what { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        li .what b { font-weight: 600; }
        li .what span { color: ${muted}; }
        .empty { color: ${muted}; padding: 8px 12px; margin: 0; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        mono = MONO,
        ok = OK,
        warn = WARN,
        raised = RAISED,
    );
    html! {
        <section class={style} aria-label={t(lang, Msg::Events)} data-testid="events">
            <div class="bar">
                <h2>{ t(lang, Msg::Events) }</h2>
                <select onchange={select(namespace.clone())} aria-label={t(lang, Msg::Namespace)} data-testid="events-namespace">
                    { options(Msg::AllNamespaces, namespaces.into_iter().collect(), &namespace) }
                </select>
                <select onchange={select(kind.clone())} aria-label={t(lang, Msg::AllKinds)} data-testid="events-kind">
                    { options(Msg::AllKinds, kinds.into_iter().collect(), &kind) }
                </select>
                <select onchange={select(type_.clone())} aria-label={t(lang, Msg::AllTypes)} data-testid="events-type">
                    { options(Msg::AllTypes, vec!["Normal", "Warning"], &type_) }
                </select>
            </div>
            if shown.is_empty() {
                <p class="empty">{ t(lang, Msg::NoEvents) }</p>
            } else {
                <ol aria-live="polite">
                    { for shown.into_iter().map(|e| {
                        let pick = target(e);
                        let open = pick.is_some();
                        let onclick = {
                            let on_select = props.on_select.clone();
                            let pick = pick.clone();
                            Callback::from(move |_: MouseEvent| if let Some(p) = pick.clone() { on_select.emit(p) })
                        };
                        let onkeydown = {
                            let on_select = props.on_select.clone();
                            Callback::from(move |k: KeyboardEvent| {
                                if let (Some(p), "Enter" | " ") = (pick.clone(), k.key().as_str()) {
                                    k.prevent_default();
                                    on_select.emit(p);
                                }
                            })
                        };
                        html! {
                        <li class={classes!(e.type_.clone(), open.then_some("open"))} data-event-reason={e.reason.clone()}
                            tabindex={open.then_some("0")} role={open.then_some("button")} {onclick} {onkeydown}
                            data-event-object={format!("{}/{}/{}", e.namespace, e.kind, e.object)}
                            title={format!("{}/{} {}/{}: {}", e.namespace, e.name, e.kind, e.object, e.message)}>
                            <span class="age">{ age(props.now.since(e.last)) }</span>
                            <span class="type">{ &e.type_ }</span>
                            <span class="reason">{ &e.reason }</span>
                            <span class="what"><b>{ format!("{}/{}", e.kind.to_lowercase(), e.object) }</b>
                                <span>{ format!(" {}", e.message) }</span></span>
                        </li>
                    }}) }
                </ol>
            }
        </section>
    }
}

/// How long ago, in the largest unit as `kubectl get events` prints it.
fn age(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    match s {
        0..=119 => format!("{s}s"),
        120..=7_199 => format!("{}m", s / 60),
        7_200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}
