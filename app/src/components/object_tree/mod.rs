//! The Objects picture: every object of the cluster as a tree (namespaces →
//! owners → pods, other kinds grouped, cluster-scoped objects apart) with
//! `kubectl get`'s status cells, a filter by name, and the chosen object's
//! `kubectl get -o yaml` coloured as the editor colours YAML, with a button
//! that runs `kubectl edit` on it. The tree follows the ARIA tree pattern:
//! one tab stop, arrows walk and open, Enter shows the YAML.

mod rows;
mod text;

use super::yaml_paint::paint;
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use crate::style::palette::*;
use rows::{rows, Key, Label, Row};
use std::collections::HashMap;
use stylist::yew::styled_component;
use text::{tx, Text};
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ObjectTreeProps {
    pub bridge: BridgeHandle,
    /// The store's resourceVersion: the tree is rebuilt only when it moves.
    pub version: u64,
    /// The journal's length: a replaced cluster may share a version.
    pub inputs: usize,
    /// Types a command into the terminal (`kubectl edit …`).
    pub on_command: Callback<String>,
}

/// `kubectl edit` for `key`, as the learner would type it.
fn edit_command((kind, namespace, name): &Key) -> String {
    let kind = kind.to_lowercase();
    if namespace.is_empty() {
        format!("kubectl edit {kind}/{name}")
    } else {
        format!("kubectl edit {kind}/{name} -n {namespace}")
    }
}

/// Where a key moves the focus among the drawn rows, and whether it
/// opens (`Some(true)`) or closes a branch on the way.
fn walk(rows: &[Row], at: usize, key: &str) -> Option<(usize, Option<bool>)> {
    let row = &rows[at];
    match key {
        "ArrowDown" => Some(((at + 1).min(rows.len() - 1), None)),
        "ArrowUp" => Some((at.saturating_sub(1), None)),
        "Home" => Some((0, None)),
        "End" => Some((rows.len() - 1, None)),
        "ArrowRight" => match row.expanded {
            Some(false) => Some((at, Some(true))),
            Some(true) if at + 1 < rows.len() => Some((at + 1, None)),
            _ => None,
        },
        "ArrowLeft" => match row.expanded {
            Some(true) => Some((at, Some(false))),
            _ => row.parent.as_ref().and_then(|p| rows.iter().position(|r| &r.id == p)).map(|i| (i, None)),
        },
        _ => None,
    }
}

#[styled_component]
pub fn ObjectTree(props: &ObjectTreeProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let tree = {
        let bridge = props.bridge.clone();
        use_memo((props.version, props.inputs), move |_| bridge.0.object_tree())
    };
    let filter = use_state(String::new);
    // What the learner opened or closed; the rest keep their defaults.
    let open = use_state(HashMap::<String, bool>::new);
    let focus = use_state(|| None::<String>);
    let chosen = use_state(|| None::<Key>);
    // Set by a key press: the next render moves the browser's focus too.
    let move_focus = use_mut_ref(|| false);
    let list = use_node_ref();

    // Keyed by version, not by the tree: comparing trees would cost a walk
    // of the whole cluster at every tick.
    let shown = {
        let tree = tree.clone();
        use_memo((props.version, props.inputs, (*filter).clone()), move |(_, _, filter)| tree.filtered(filter))
    };
    let filtering = !filter.trim().is_empty();
    let (drawn, left_out) = rows(&shown, &open, filtering);
    let focused = focus.as_ref().and_then(|id| drawn.iter().position(|r| &r.id == id)).unwrap_or(0);

    {
        let list = list.clone();
        let move_focus = move_focus.clone();
        let id = drawn.get(focused).map(|r| r.id.clone());
        use_effect_with(id, move |id| {
            if std::mem::take(&mut *move_focus.borrow_mut()) {
                let el = id.as_ref().and_then(|id| {
                    list.cast::<HtmlElement>()?.query_selector(&format!("[data-tree-id=\"{id}\"]")).ok()?
                });
                if let Some(el) = el.and_then(|e| wasm_bindgen::JsCast::dyn_into::<HtmlElement>(e).ok()) {
                    let _ = el.focus();
                }
            }
        });
    }

    let yaml = {
        let bridge = props.bridge.clone();
        use_memo(((*chosen).clone(), props.version, props.inputs), move |(chosen, _, _)| {
            chosen.as_ref().map(|(kind, ns, name)| bridge.0.object_yaml(kind, ns, name))
        })
    };

    let toggle = {
        let open = open.clone();
        move |id: &str, to: bool| {
            let mut next = (*open).clone();
            next.insert(id.to_string(), to);
            open.set(next);
        }
    };
    let onkeydown = {
        let drawn = drawn.clone();
        let focus = focus.clone();
        let chosen = chosen.clone();
        let toggle = toggle.clone();
        let move_focus = move_focus.clone();
        Callback::from(move |e: KeyboardEvent| {
            if drawn.is_empty() {
                return;
            }
            let key = e.key();
            let row = &drawn[focused];
            if key == "Enter" || key == " " {
                e.prevent_default();
                match (&row.object, row.expanded) {
                    (Some(object), _) => chosen.set(Some(object.clone())),
                    (None, Some(open)) => toggle(&row.id, !open),
                    _ => {}
                }
                return;
            }
            if let Some((to, opening)) = walk(&drawn, focused, &key) {
                e.prevent_default();
                if let Some(opening) = opening {
                    toggle(&drawn[to].id, opening);
                }
                *move_focus.borrow_mut() = true;
                focus.set(Some(drawn[to].id.clone()));
            }
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            filter.set(input.value());
        })
    };

    let row_html = |(i, row): (usize, &Row)| -> Html {
        let click = {
            let focus = focus.clone();
            let chosen = chosen.clone();
            let toggle = toggle.clone();
            let row = row.clone();
            Callback::from(move |_: MouseEvent| {
                focus.set(Some(row.id.clone()));
                match (&row.object, row.expanded) {
                    (Some(object), _) => chosen.set(Some(object.clone())),
                    (None, Some(open)) => toggle(&row.id, !open),
                    _ => {}
                }
            })
        };
        let chevron = {
            let toggle = toggle.clone();
            let focus = focus.clone();
            let row = row.clone();
            Callback::from(move |e: MouseEvent| {
                e.stop_propagation();
                focus.set(Some(row.id.clone()));
                if let Some(open) = row.expanded {
                    toggle(&row.id, !open);
                }
            })
        };
        let selected = row.object.is_some() && row.object == *chosen;
        let body = match &row.label {
            Label::Namespace { name, status, size } => html! {
                <>
                    <span class="kind">{"Namespace"}</span>
                    <b>{ name }</b>
                    <span class="cells"><span class="cell">{ status }</span>
                        <span class="cell">{ tx(lang, Text::Count).replace("{n}", &size.to_string()) }</span></span>
                </>
            },
            Label::Group { kind, count } => html! {
                <><span class="kind">{ kind }</span><span class="count">{ count }</span></>
            },
            Label::ClusterScoped { count } => html! {
                <><b>{ tx(lang, Text::ClusterScoped) }</b><span class="count">{ count }</span></>
            },
            Label::Entry { kind, name, status } => html! {
                <>
                    <span class="kind">{ kind }</span>
                    <b>{ name }</b>
                    <span class="cells">
                        { for status.iter().map(|(h, c)| html! {
                            <span class="cell" data-column={h.clone()}><i>{ h }</i>{" "}{ c }</span>
                        }) }
                    </span>
                </>
            },
            Label::More(n) => {
                html! { <span class="more">{ tx(lang, Text::More).replace("{n}", &n.to_string()) }</span> }
            }
        };
        let (kind, name) = match &row.object {
            Some((kind, _, name)) => (Some(kind.clone()), Some(name.clone())),
            None => (None, None),
        };
        let status = match &row.label {
            Label::Entry { status, .. } => status.iter().find(|(h, _)| h == "STATUS").map(|(_, c)| c.clone()),
            _ => None,
        };
        html! {
            <li role="treeitem" aria-level={(row.depth + 1).to_string()}
                aria-expanded={row.expanded.map(|o| o.to_string())}
                aria-selected={row.object.is_some().then(|| selected.to_string())}
                tabindex={if i == focused { "0" } else { "-1" }}
                data-tree-id={row.id.clone()} data-kind={kind} data-name={name} data-status={status}
                style={format!("padding-left: {}px", 8 + row.depth * 16)}
                onclick={click}>
                <span class="chev" aria-hidden="true" onclick={chevron}>
                    { match row.expanded { Some(true) => "▾", Some(false) => "▸", None => "" } }
                </span>
                { body }
            </li>
        }
    };

    let close = {
        let chosen = chosen.clone();
        Callback::from(move |_: MouseEvent| chosen.set(None))
    };
    let edit = {
        let chosen = chosen.clone();
        let on_command = props.on_command.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(key) = chosen.as_ref() {
                on_command.emit(edit_command(key));
            }
        })
    };

    let style = css!(
        r#"
        display: flex; flex-direction: column; min-height: 0; min-width: 0; background: ${panel};
        border: 1px solid ${edge}; border-radius: 10px; overflow: hidden;
        .bar { display: flex; align-items: center; gap: 8px; padding: 6px 12px; border-bottom: 1px solid ${edge}; }
        .bar h2 { margin: 0 auto 0 0; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        .bar input { font-size: 13px; padding: 3px 6px; width: 14em; background: transparent; color: ${text};
            border: 1px solid ${edge}; border-radius: 6px; }
        .bar .total { color: ${muted}; font-size: 12px; }
        ul[role="tree"] { list-style: none; margin: 0; padding: 4px 0; overflow: auto; flex: 1 1 50%; min-height: 0;
            font-family: ${mono}; font-size: 13px; }
        /* A row too long for the pane wraps its status cells under the
           name rather than hiding them past a horizontal scroll. */
        li { display: flex; flex-wrap: wrap; gap: 0 8px; align-items: baseline; padding: 1px 12px 1px 8px; cursor: pointer; }
        li > *, li .cell { white-space: nowrap; }
        li:hover { background: ${raised}; }
        li:focus { outline: 2px solid ${accent}; outline-offset: -2px; }
        li[aria-selected="true"] { background: color-mix(in srgb, ${accent} 22%, transparent); }
        li .chev { width: 1ch; color: ${muted}; }
        li .kind { color: ${accent}; }
        li .count, li .cells { color: ${muted}; }
        li .cells { display: flex; flex-wrap: wrap; gap: 0 10px; }
        li .cell i { font-style: normal; font-size: 11px; opacity: 0.8; }
        li .more { color: ${muted}; font-style: italic; }
        li[data-status="Running"] .cell[data-column="STATUS"] { color: ${ok}; }
        li[data-status="Pending"] .cell[data-column="STATUS"],
        li[data-status="ContainerCreating"] .cell[data-column="STATUS"] { color: ${warn}; }
        li[data-status="CrashLoopBackOff"] .cell[data-column="STATUS"],
        li[data-status="Error"] .cell[data-column="STATUS"],
        li[data-status="ImagePullBackOff"] .cell[data-column="STATUS"],
        li[data-status="ErrImagePull"] .cell[data-column="STATUS"] { color: ${error}; }
        .empty { color: ${muted}; padding: 8px 12px; margin: 0; font-size: 13px; }
        .yaml { border-top: 1px solid ${edge}; flex: 1 1 50%; display: flex; flex-direction: column; min-height: 0; }
        .yaml.idle { flex: 0 0 auto; }
        .yaml header { display: flex; align-items: center; gap: 8px; padding: 4px 12px; font-size: 13px; }
        .yaml header code { margin-right: auto; font-family: ${mono}; color: ${muted}; }
        .yaml header button { font-size: 12px; padding: 2px 8px; }
        .yaml header button.edit { background: ${accent}; color: ${on_accent}; border-color: ${accent}; }
        .yaml pre { margin: 0; padding: 6px 12px 8px; overflow: auto; flex: 1; font-family: ${mono}; font-size: 13px;
            line-height: 1.4; color: ${text}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        mono = MONO,
        ok = OK,
        warn = WARN,
        error = ERROR,
        raised = RAISED,
        accent = ACCENT,
        on_accent = ON_ACCENT,
        text = TEXT,
    );
    html! {
        <section class={style} aria-label={tx(lang, Text::Tree)} data-testid="objects">
            <div class="bar">
                <h2>{ tx(lang, Text::Tree) }</h2>
                <span class="total">{ tx(lang, Text::Count).replace("{n}", &shown.size().to_string()) }</span>
                <input type="search" placeholder={tx(lang, Text::Filter)} aria-label={tx(lang, Text::Filter)}
                    value={(*filter).clone()} oninput={on_filter} data-testid="objects-filter" />
            </div>
            if drawn.is_empty() {
                <p class="empty">{ tx(lang, Text::NoMatch) }</p>
            } else {
                <ul role="tree" aria-label={tx(lang, Text::Tree)} ref={list} {onkeydown}>
                    { for drawn.iter().enumerate().map(row_html) }
                    if left_out > 0 {
                        <li class="more" role="none">{ tx(lang, Text::More).replace("{n}", &left_out.to_string()) }</li>
                    }
                </ul>
            }
            <div class={classes!("yaml", chosen.is_none().then_some("idle"))} data-testid="objects-yaml">
                if let Some(key) = (*chosen).clone() {
                    <header>
                        <code>{ format!("kubectl get {} {}{} -o yaml", key.0.to_lowercase(), key.2,
                            if key.1.is_empty() { String::new() } else { format!(" -n {}", key.1) }) }</code>
                        if matches!(*yaml, Some(Some(_))) {
                            <button class="edit" onclick={edit} data-testid="objects-edit">{ tx(lang, Text::EditInEditor) }</button>
                        }
                        <button onclick={close} aria-label={tx(lang, Text::Close)}>{"✕"}</button>
                    </header>
                    if let Some(Some(text)) = (*yaml).clone() {
                        <pre class="yaml-paint">{ Html::from_html_unchecked(AttrValue::from(paint(text.trim_end(), &[]))) }</pre>
                    } else {
                        <p class="empty">{ tx(lang, Text::Gone) }</p>
                    }
                } else {
                    <p class="empty">{ tx(lang, Text::Pick) }</p>
                }
            </div>
        </section>
    }
}
