//! Dashboard settings, as Grafana's: the title, description and tags, and
//! the variables — query (`label_values(metric, label)` and the other
//! functions `template.rs` resolves) and custom (`a,b,c`) with Multi-value
//! and Include All; interval (`1m,10m,1h`, with an Auto option that cuts
//! the time range into a step count, not below a minimum); constant (a
//! hidden value); text box (a free text field in the variable bar, with
//! its default). Apply hands the edited dashboard back; the page saves it.

use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::model::{Current, Variable};
use engine::dashboards::Dashboard;
use serde_json::Value;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// What Grafana fills a new interval variable with.
const INTERVALS: &str = "1m,10m,30m,1h,6h,12h,1d,7d,14d,30d";
/// The variable types offered, by Grafana's id.
const KINDS: [(&str, D); 5] = [
    ("query", D::VarQuery),
    ("custom", D::VarCustom),
    ("interval", D::VarInterval),
    ("constant", D::VarConstant),
    ("textbox", D::VarTextbox),
];

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub dash: Dashboard,
    pub on_apply: Callback<Dashboard>,
    pub on_cancel: Callback<()>,
}

/// A change a field makes to one variable, given the field's text and,
/// for a checkbox, whether it is ticked.
type Edit = Rc<dyn Fn(&mut Variable, String, bool)>;

fn read(e: &Event) -> (String, bool) {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return (i.value(), i.checked());
    }
    if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
        return (t.value(), false);
    }
    (e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default(), false)
}

/// Whether a variable can be saved: a name `$name` can refer to, unique.
fn problem(list: &[Variable]) -> Option<String> {
    for (i, v) in list.iter().enumerate() {
        let ok = !v.name.is_empty()
            && v.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !v.name.starts_with("__");
        if !ok {
            return Some(format!("{:?}", v.name));
        }
        if list[..i].iter().any(|o| o.name == v.name) {
            return Some(format!("{:?} ×2", v.name));
        }
    }
    None
}

/// A variable turned into another type, with what Grafana gives that type
/// when it is picked: an interval's usual list and Auto settings, a
/// constant hidden; options that mean nothing for the type dropped.
fn retype(v: &mut Variable, kind: String) {
    if v.kind == kind {
        return;
    }
    let plain = matches!(kind.as_str(), "interval" | "constant" | "textbox");
    if plain {
        v.multi = None;
        v.include_all = None;
        v.all_value = None;
    }
    if kind == "interval" && v.query_text().trim().is_empty() {
        v.query = Value::String(INTERVALS.into());
        v.auto = Some(false);
        v.auto_count = Some(30);
        v.auto_min = Some("10s".into());
    }
    if kind != "interval" {
        v.auto = None;
        v.auto_count = None;
        v.auto_min = None;
    }
    v.hide = if kind == "constant" { Some(2) } else { None };
    v.definition = None;
    v.current = Current::default();
    v.kind = kind;
}

fn tags(text: &str) -> Vec<String> {
    text.split(',').map(|t| t.trim().to_string()).filter(|t| !t.is_empty()).collect()
}

#[function_component]
pub fn SettingsEditor(props: &SettingsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let draft = use_state(|| props.dash.clone());
    let edit = {
        let draft = draft.clone();
        move |i: usize, f: Edit| {
            let draft = draft.clone();
            Callback::from(move |e: Event| {
                let (text, ticked) = read(&e);
                let mut next = (*draft).clone();
                if let Some(v) = next.templating.list.get_mut(i) {
                    f(v, text, ticked);
                }
                draft.set(next);
            })
        }
    };
    let general = |f: fn(&mut Dashboard, String)| {
        let draft = draft.clone();
        Callback::from(move |e: Event| {
            let mut next = (*draft).clone();
            f(&mut next, read(&e).0);
            draft.set(next);
        })
    };
    let list = &draft.templating.list;
    let rows = list.iter().enumerate().map(|(i, v)| {
        let name = edit(i, Rc::new(|v: &mut Variable, t, _| v.name = t.trim().to_string()));
        let kind = edit(i, Rc::new(|v: &mut Variable, t, _| retype(v, t)));
        let query = edit(
            i,
            Rc::new(|v: &mut Variable, t, _| {
                v.definition = (v.kind == "query").then(|| t.clone());
                if matches!(v.kind.as_str(), "textbox" | "constant") {
                    // The text shown starts as the new default, as Grafana's editor sets it.
                    v.current = Current { text: t.clone().into(), value: t.clone().into() };
                }
                v.query = Value::String(t);
            }),
        );
        let multi = edit(i, Rc::new(|v: &mut Variable, _, on| v.multi = Some(on)));
        let all = edit(i, Rc::new(|v: &mut Variable, _, on| v.include_all = Some(on)));
        let auto = edit(i, Rc::new(|v: &mut Variable, _, on| v.auto = Some(on)));
        let count = edit(i, Rc::new(|v: &mut Variable, t, _| v.auto_count = t.trim().parse().ok().filter(|n| *n > 0)));
        let min = edit(i, Rc::new(|v: &mut Variable, t, _| v.auto_min = Some(t.trim().to_string())));
        let remove = {
            let draft = draft.clone();
            Callback::from(move |_| {
                let mut next = (*draft).clone();
                next.templating.list.remove(i);
                draft.set(next);
            })
        };
        let (caption, placeholder) = match v.kind.as_str() {
            "custom" => (tr(lang, D::Values), "default,kube-system"),
            "interval" => (tr(lang, D::Intervals), INTERVALS),
            "constant" => (tr(lang, D::Value), "node-exporter"),
            "textbox" => (tr(lang, D::DefaultValue), "default"),
            _ => ("PromQL", "label_values(kube_pod_info, namespace)"),
        };
        let choices = matches!(v.kind.as_str(), "query" | "custom");
        html! {
            <fieldset class="variable" data-testid="variable-row">
                <label>{ tr(lang, D::Name) }<input data-testid="variable-name" value={v.name.clone()} onchange={name} /></label>
                <label>{ tr(lang, D::QueryType) }
                    <select data-testid="variable-type" onchange={kind}>
                        { for KINDS.iter().map(|(id, d)| html! { <option value={*id} selected={v.kind == *id}>{ tr(lang, *d) }</option> }) }
                    </select>
                </label>
                <label>{ caption }
                    <input data-testid="variable-query" {placeholder} value={v.query_text()} onchange={query} />
                </label>
                if choices {
                    <label class="tick"><input type="checkbox" data-testid="variable-multi" checked={v.multi == Some(true)} onchange={multi} />{ tr(lang, D::MultiValue) }</label>
                    <label class="tick"><input type="checkbox" data-testid="variable-all" checked={v.include_all == Some(true)} onchange={all} />{ tr(lang, D::IncludeAll) }</label>
                }
                if v.kind == "interval" {
                    <label class="tick"><input type="checkbox" data-testid="variable-auto" checked={v.auto == Some(true)} onchange={auto} />{ tr(lang, D::AutoOption) }</label>
                    if v.auto == Some(true) {
                        <label class="short">{ tr(lang, D::StepCount) }
                            <input type="number" min="1" data-testid="variable-auto-count" value={v.auto_count.unwrap_or(30).to_string()} onchange={count} /></label>
                        <label class="short">{ tr(lang, D::MinInterval) }
                            <input data-testid="variable-auto-min" value={v.auto_min.clone().unwrap_or_else(|| "10s".into())} onchange={min} /></label>
                    }
                }
                <button onclick={remove}>{ tr(lang, D::Remove) }</button>
            </fieldset>
        }
    });
    let add = {
        let draft = draft.clone();
        Callback::from(move |_| {
            let mut next = (*draft).clone();
            next.templating.list.push(Variable {
                kind: "query".into(),
                query: Value::String(String::new()),
                ..Variable::default()
            });
            draft.set(next);
        })
    };
    let trouble = problem(list);
    let apply = {
        let draft = draft.clone();
        props.on_apply.reform(move |_| (*draft).clone())
    };
    html! {
        <div class="variables" data-testid="variables-editor">
            <h2>{ tr(lang, D::Settings) }</h2>
            <fieldset class="general">
                <label>{ tr(lang, D::Title) }<input data-testid="settings-title" value={draft.title.clone()}
                    onchange={general(|d, t| d.title = t.trim().to_string())} /></label>
                <label>{ tr(lang, D::Description) }<textarea data-testid="settings-description" value={draft.description.clone()}
                    onchange={general(|d, t| d.description = t)} /></label>
                <label>{ tr(lang, D::Tags) }<input data-testid="settings-tags" value={draft.tags.join(", ")}
                    onchange={general(|d, t| d.tags = tags(&t))} /></label>
            </fieldset>
            <h2>{ tr(lang, D::Variables) }</h2>
            { for rows }
            <button data-testid="variable-add" onclick={add}>{ tr(lang, D::AddVariable) }</button>
            if let Some(t) = &trouble {
                <p class="message">{ format!("{}: {t}", tr(lang, D::BadName)) }</p>
            }
            <div class="actions">
                <button data-testid="variables-apply" disabled={trouble.is_some()} onclick={apply}>{ tr(lang, D::Apply) }</button>
                <button onclick={props.on_cancel.reform(|_| ())}>{ tr(lang, D::Cancel) }</button>
            </div>
        </div>
    }
}
