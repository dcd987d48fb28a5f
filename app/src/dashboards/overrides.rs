//! The panel editor's field overrides, as Grafana's: a matcher ("Fields
//! with name", "Fields with name matching regex", "Fields returned by
//! query") and the properties it sets (display name, unit, decimals, min,
//! max, a fixed colour, thresholds), saved as `fieldConfig.overrides` in
//! Grafana's shape and applied by `engine::dashboards::display::field`.

use super::editor::UNITS;
use super::text::{tr, D};
use super::thresholds::{ThresholdSteps, COLOURS};
use crate::i18n::Lang;
use engine::dashboards::model::{Matcher, Override, Property, Step};
use serde_json::{json, Value};
use std::rc::Rc;
use stylist::yew::styled_component;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The properties offered, by Grafana's id and the editor's words.
const PROPERTIES: [(&str, D); 7] = [
    ("displayName", D::DisplayName),
    ("unit", D::Unit),
    ("decimals", D::Decimals),
    ("min", D::Min),
    ("max", D::Max),
    ("color", D::Colour),
    ("thresholds", D::Thresholds),
];

#[derive(Properties, PartialEq)]
pub struct OverridesProps {
    pub overrides: Vec<Override>,
    /// The series names the preview shows, offered to "Fields with name".
    pub names: Vec<String>,
    /// The queries' letters, offered to "Fields returned by query".
    pub refs: Vec<String>,
    pub on_change: Callback<Vec<Override>>,
}

fn read(e: &Event) -> String {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return i.value();
    }
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// A property's value as Grafana saves it, from the field's text; `None`
/// leaves it as it was (a number field being typed into).
fn parse(id: &str, text: &str) -> Option<Value> {
    let text = text.trim();
    match id {
        "decimals" => text.parse::<u32>().ok().map(|d| d.min(20).into()),
        "min" | "max" => text.parse::<f64>().ok().filter(|v| v.is_finite()).map(Value::from),
        "color" => Some(json!({"mode": "fixed", "fixedColor": text})),
        _ => Some(Value::from(text)),
    }
}

/// What a newly added property starts as.
fn initial(id: &str) -> Value {
    match id {
        "decimals" => 0.into(),
        "min" | "max" => 0.into(),
        "color" => json!({"mode": "fixed", "fixedColor": "red"}),
        "thresholds" => {
            json!({"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": 80}]})
        }
        "unit" => "short".into(),
        _ => "".into(),
    }
}

type Change = Rc<dyn Fn(&mut Vec<Override>)>;
/// A change given the text of the field it came from.
type FieldChange = Rc<dyn Fn(&mut Vec<Override>, String)>;

#[styled_component]
pub fn OverridesEditor(props: &OverridesProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let apply = {
        let list = props.overrides.clone();
        let on_change = props.on_change.clone();
        Rc::new(move |f: Change| {
            let mut next = list.clone();
            f(&mut next);
            on_change.emit(next);
        })
    };
    // A change that reads the field it came from.
    let on = |f: FieldChange| {
        let apply = apply.clone();
        Callback::from(move |e: Event| {
            let text = read(&e);
            let f = f.clone();
            apply(Rc::new(move |list| f(list, text.clone())));
        })
    };
    let matchers =
        [("byName", D::FieldsWithName), ("byRegexp", D::FieldsMatching), ("byFrameRefID", D::FieldsFromQuery)];
    let blocks = props.overrides.iter().enumerate().map(|(i, o)| {
        let matcher = on(Rc::new(move |list, v| {
            if let Some(o) = list.get_mut(i) {
                o.matcher.id = v;
                o.matcher.options = "".into();
            }
        }));
        let option = on(Rc::new(move |list, v| {
            if let Some(o) = list.get_mut(i) {
                o.matcher.options = v.into();
            }
        }));
        let current = o.matcher.options.as_str().unwrap_or_default().to_string();
        let choices: Vec<String> = match o.matcher.id.as_str() {
            "byFrameRefID" => props.refs.clone(),
            _ => props.names.clone(),
        };
        let picker = if o.matcher.id == "byRegexp" {
            html! { <input data-testid="override-option" placeholder="/web-.*/" value={current.clone()} onchange={option} /> }
        } else {
            html! {
                <select data-testid="override-option" onchange={option}>
                    <option value="" selected={current.is_empty()} disabled=true>{ "—" }</option>
                    { for choices.iter().map(|n| html! { <option value={n.clone()} selected={*n == current}>{ n.clone() }</option> }) }
                    if !current.is_empty() && !choices.contains(&current) {
                        <option value={current.clone()} selected=true>{ current.clone() }</option>
                    }
                </select>
            }
        };
        let properties = o.properties.iter().enumerate().map(|(j, p)| {
            let set = on(Rc::new(move |list, v| {
                if let Some(p) = list.get_mut(i).and_then(|o| o.properties.get_mut(j)) {
                    if let Some(value) = parse(&p.id, &v) {
                        p.value = value;
                    }
                }
            }));
            let remove = {
                let apply = apply.clone();
                Callback::from(move |_| {
                    apply(Rc::new(move |list| {
                        if let Some(o) = list.get_mut(i) {
                            o.properties.remove(j);
                        }
                    }))
                })
            };
            let name = PROPERTIES.iter().find(|(id, _)| *id == p.id).map_or(p.id.clone(), |(_, d)| tr(lang, *d).to_string());
            let text = |v: &Value| match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => String::new(),
            };
            let editor = match p.id.as_str() {
                "unit" => html! {
                    <select onchange={set}>
                        { for UNITS.iter().map(|(id, name)| html! { <option value={*id} selected={p.value.as_str() == Some(*id)}>{ *name }</option> }) }
                    </select>
                },
                "color" => {
                    let fixed = p.value.get("fixedColor").and_then(Value::as_str).unwrap_or_default().to_string();
                    html! {
                        <select onchange={set}>
                            { for COLOURS.iter().map(|c| html! { <option value={*c} selected={fixed == *c}>{ *c }</option> }) }
                            if !COLOURS.contains(&fixed.as_str()) { <option value={fixed.clone()} selected=true>{ fixed.clone() }</option> }
                        </select>
                    }
                }
                "thresholds" => {
                    let steps: Vec<Step> =
                        serde_json::from_value(p.value.get("steps").cloned().unwrap_or_default()).unwrap_or_default();
                    let apply = apply.clone();
                    let on_change = Callback::from(move |steps: Vec<Step>| {
                        apply(Rc::new(move |list| {
                            if let Some(p) = list.get_mut(i).and_then(|o| o.properties.get_mut(j)) {
                                p.value = json!({"mode": "absolute", "steps": steps});
                            }
                        }))
                    });
                    html! { <ThresholdSteps {steps} {on_change} /> }
                }
                "decimals" | "min" | "max" => html! { <input type="number" value={text(&p.value)} onchange={set} /> },
                _ => html! { <input value={text(&p.value)} onchange={set} /> },
            };
            html! {
                <div class="property" data-testid="override-property" data-id={p.id.clone()}>
                    <span>{ name }</span>{ editor }
                    <button title={tr(lang, D::Remove)} onclick={remove}>{ "×" }</button>
                </div>
            }
        });
        let add_property = on(Rc::new(move |list, id| {
            if let Some(o) = list.get_mut(i) {
                if !id.is_empty() {
                    o.properties.push(Property { value: initial(&id), id });
                }
            }
        }));
        let remove = {
            let apply = apply.clone();
            Callback::from(move |_| apply(Rc::new(move |list| drop(list.remove(i)))))
        };
        html! {
            <fieldset class="override" data-testid="override">
                <div class="matcher">
                    <select data-testid="override-matcher" onchange={matcher}>
                        { for matchers.iter().map(|(id, d)| html! { <option value={*id} selected={o.matcher.id == *id}>{ tr(lang, *d) }</option> }) }
                    </select>
                    { picker }
                    <button title={tr(lang, D::Remove)} onclick={remove}>{ "×" }</button>
                </div>
                { for properties }
                <select key={o.properties.len()} data-testid="override-add-property" onchange={add_property}>
                    <option value="" selected=true>{ tr(lang, D::AddProperty) }</option>
                    { for PROPERTIES.iter().map(|(id, d)| html! { <option value={*id}>{ tr(lang, *d) }</option> }) }
                </select>
            </fieldset>
        }
    });
    let add = {
        let apply = apply.clone();
        let first = props.names.first().cloned().unwrap_or_default();
        Callback::from(move |_| {
            let first = first.clone();
            apply(Rc::new(move |list| {
                list.push(Override {
                    matcher: Matcher { id: "byName".into(), options: first.clone().into() },
                    properties: Vec::new(),
                })
            }))
        })
    };
    let style = css!(
        r#"
        display: grid; gap: 6px;
        .matcher, .property { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
        .matcher select, .matcher input { flex: 1; min-width: 0; max-width: 100%; }
        .property > span { min-width: 6em; opacity: 0.8; }
        .property input { width: 8em; }
        "#
    );
    html! {
        <div class={classes!(style, "overrides")} data-testid="editor-overrides">
            <span>{ tr(lang, D::Overrides) }</span>
            { for blocks }
            <button data-testid="editor-add-override" onclick={add}>{ tr(lang, D::AddOverride) }</button>
        </div>
    }
}
