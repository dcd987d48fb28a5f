//! The dashboard's variables settings, as Grafana's: query variables
//! (`label_values(metric, label)` and the other functions `template.rs`
//! resolves) and custom ones (`a,b,c`), each with Multi-value and Include
//! All. Apply hands the list back; the page saves the dashboard.

use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::model::Variable;
use serde_json::Value;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VariablesProps {
    pub list: Vec<Variable>,
    pub on_apply: Callback<Vec<Variable>>,
    pub on_cancel: Callback<()>,
}

/// A change a field makes to one variable, given the field's text and,
/// for a checkbox, whether it is ticked.
type Edit = Rc<dyn Fn(&mut Variable, String, bool)>;

fn read(e: &Event) -> (String, bool) {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return (i.value(), i.checked());
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

#[function_component]
pub fn VariablesEditor(props: &VariablesProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let draft = use_state(|| props.list.clone());
    let edit = {
        let draft = draft.clone();
        move |i: usize, f: Edit| {
            let draft = draft.clone();
            Callback::from(move |e: Event| {
                let (text, ticked) = read(&e);
                let mut next = (*draft).clone();
                if let Some(v) = next.get_mut(i) {
                    f(v, text, ticked);
                }
                draft.set(next);
            })
        }
    };
    let rows = draft.iter().enumerate().map(|(i, v)| {
        let name = edit(i, Rc::new(|v: &mut Variable, t, _| v.name = t.trim().to_string()));
        let kind = edit(i, Rc::new(|v: &mut Variable, t, _| v.kind = t));
        let query = edit(
            i,
            Rc::new(|v: &mut Variable, t, _| {
                v.definition = (v.kind == "query").then(|| t.clone());
                v.query = Value::String(t);
            }),
        );
        let multi = edit(i, Rc::new(|v: &mut Variable, _, on| v.multi = Some(on)));
        let all = edit(i, Rc::new(|v: &mut Variable, _, on| v.include_all = Some(on)));
        let remove = {
            let draft = draft.clone();
            Callback::from(move |_| {
                let mut next = (*draft).clone();
                next.remove(i);
                draft.set(next);
            })
        };
        let placeholder = if v.kind == "custom" { "default,kube-system" } else { "label_values(kube_pod_info, namespace)" };
        html! {
            <fieldset class="variable" data-testid="variable-row">
                <label>{ tr(lang, D::Name) }<input data-testid="variable-name" value={v.name.clone()} onchange={name} /></label>
                <label>{ tr(lang, D::QueryType) }
                    <select data-testid="variable-type" onchange={kind}>
                        <option value="query" selected={v.kind == "query"}>{ "Query" }</option>
                        <option value="custom" selected={v.kind == "custom"}>{ "Custom" }</option>
                    </select>
                </label>
                <label>{ if v.kind == "custom" { tr(lang, D::Values) } else { "PromQL" } }
                    <input data-testid="variable-query" {placeholder} value={v.query_text()} onchange={query} />
                </label>
                <label class="tick"><input type="checkbox" data-testid="variable-multi" checked={v.multi == Some(true)} onchange={multi} />{ tr(lang, D::MultiValue) }</label>
                <label class="tick"><input type="checkbox" data-testid="variable-all" checked={v.include_all == Some(true)} onchange={all} />{ tr(lang, D::IncludeAll) }</label>
                <button onclick={remove}>{ tr(lang, D::Remove) }</button>
            </fieldset>
        }
    });
    let add = {
        let draft = draft.clone();
        Callback::from(move |_| {
            let mut next = (*draft).clone();
            next.push(Variable { kind: "query".into(), query: Value::String(String::new()), ..Variable::default() });
            draft.set(next);
        })
    };
    let trouble = problem(&draft);
    let apply = {
        let draft = draft.clone();
        props.on_apply.reform(move |_| (*draft).clone())
    };
    html! {
        <div class="variables" data-testid="variables-editor">
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
