//! The panel editor's value mappings, as Grafana's: rows of Value (1 →
//! "OK"), Range (from/to), Regex or Special (null, NaN, true, false, empty),
//! each with a display text and a colour. Rows are kept here while edited
//! (a half-written one has nothing to match yet) and every change hands the
//! mappings back in Grafana's saved shape (`engine::dashboards::mappings`).

use super::text::{tr, D};
use super::thresholds::COLOURS;
use crate::i18n::Lang;
use engine::dashboards::display::color_hex;
use engine::dashboards::mappings::{rows, save, Kind, Row, SPECIALS};
use serde_json::Value;
use stylist::yew::styled_component;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct MappingsProps {
    /// `fieldConfig.defaults.mappings` as saved.
    pub mappings: Vec<Value>,
    pub on_change: Callback<Vec<Value>>,
}

fn read(e: &Event) -> String {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return i.value();
    }
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

fn number(text: &str) -> Option<f64> {
    text.trim().parse().ok().filter(|v: &f64| v.is_finite())
}

type Edit = Box<dyn Fn(&mut Row, String)>;

#[styled_component]
pub fn MappingsEditor(props: &MappingsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let draft = use_state(|| rows(&props.mappings));
    let commit = {
        let draft = draft.clone();
        let on_change = props.on_change.clone();
        move |next: Vec<Row>| {
            on_change.emit(save(&next));
            draft.set(next);
        }
    };
    let edit = |i: usize, f: Edit| {
        let draft = draft.clone();
        let commit = commit.clone();
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            if let Some(row) = next.get_mut(i) {
                f(row, read(&e));
            }
            commit(next);
        })
    };
    let kinds = [
        (Kind::Value, D::MapValue),
        (Kind::Range, D::MapRange),
        (Kind::Regex, D::MapRegex),
        (Kind::Special, D::MapSpecial),
    ];
    let list = draft.iter().enumerate().map(|(i, r)| {
        let kind = edit(
            i,
            Box::new(|row, v| {
                let kind = Kind::parse(&v).unwrap_or_default();
                if kind != row.kind {
                    row.kind = kind;
                    row.key = if kind == Kind::Special { "null".into() } else { String::new() };
                }
            }),
        );
        let key = edit(i, Box::new(|row, v| row.key = v.trim().to_string()));
        let from = edit(i, Box::new(|row, v| row.from = number(&v)));
        let to = edit(i, Box::new(|row, v| row.to = number(&v)));
        let text = edit(i, Box::new(|row, v| row.text = v));
        let colour = edit(i, Box::new(|row, v| row.color = v));
        let remove = {
            let draft = draft.clone();
            let commit = commit.clone();
            Callback::from(move |_| {
                let mut next = (*draft).clone();
                next.remove(i);
                commit(next);
            })
        };
        let opt = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
        let swatch = if r.color.is_empty() { "transparent".to_string() } else { color_hex(&r.color) };
        html! {
            <div class="mapping" data-testid="mapping-row">
                <select data-testid="mapping-type" onchange={kind}>
                    { for kinds.iter().map(|(k, d)| html! { <option value={k.id()} selected={r.kind == *k}>{ tr(lang, *d) }</option> }) }
                </select>
                { match r.kind {
                    Kind::Value => html! {
                        <input data-testid="mapping-value" placeholder={tr(lang, D::MapValue)} value={r.key.clone()} onchange={key} />
                    },
                    Kind::Range => html! { <>
                        <input type="number" data-testid="mapping-from" placeholder={tr(lang, D::From)} value={opt(r.from)} onchange={from} />
                        <input type="number" data-testid="mapping-to" placeholder={tr(lang, D::To)} value={opt(r.to)} onchange={to} />
                    </> },
                    Kind::Regex => html! {
                        <input data-testid="mapping-pattern" placeholder="/(.*)-web/" value={r.key.clone()} onchange={key} />
                    },
                    Kind::Special => html! {
                        <select data-testid="mapping-special" onchange={key}>
                            { for SPECIALS.iter().map(|(id, name)| html! { <option value={*id} selected={r.key == *id}>{ *name }</option> }) }
                        </select>
                    },
                } }
                <span class="arrow">{ "→" }</span>
                <input data-testid="mapping-text" placeholder={tr(lang, D::DisplayText)} value={r.text.clone()} onchange={text} />
                <i class="swatch" style={format!("background:{swatch}")} />
                <select data-testid="mapping-color" onchange={colour}>
                    <option value="" selected={r.color.is_empty()}>{ tr(lang, D::SetColour) }</option>
                    { for COLOURS.iter().map(|c| html! { <option value={*c} selected={r.color == *c}>{ *c }</option> }) }
                    if !r.color.is_empty() && !COLOURS.contains(&r.color.as_str()) {
                        <option value={r.color.clone()} selected=true>{ r.color.clone() }</option>
                    }
                </select>
                <button title={tr(lang, D::Remove)} onclick={remove}>{ "×" }</button>
            </div>
        }
    });
    let add = {
        let draft = draft.clone();
        Callback::from(move |_| {
            let mut next = (*draft).clone();
            next.push(Row::default());
            // Nothing to save until the row has a value.
            draft.set(next);
        })
    };
    let style = css!(
        r#"
        display: grid; gap: 4px;
        .mapping { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
        .mapping input { width: 5em; min-width: 0; }
        .mapping .arrow { opacity: 0.7; }
        .mapping .swatch { width: 12px; height: 12px; border-radius: 2px; border: 1px solid rgba(128,128,128,0.5); }
        "#
    );
    html! {
        <div class={classes!(style, "mappings")} data-testid="editor-mappings">
            <span>{ tr(lang, D::ValueMappings) }</span>
            { for list }
            <button data-testid="editor-add-mapping" onclick={add}>{ tr(lang, D::AddMapping) }</button>
        </div>
    }
}
