//! Threshold steps as Grafana's editor shows them: the base colour, then
//! each step's colour and value in ascending order. Used for a panel's
//! defaults and inside a field override.

use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::model::Step;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Colours offered (Grafana's named colours).
pub const COLOURS: [&str; 6] = ["green", "yellow", "orange", "red", "blue", "purple"];

/// A change to the steps, given the event of the field it came from.
type Change = Box<dyn Fn(&mut Vec<Step>, &Event)>;

#[derive(Properties, PartialEq)]
pub struct StepsProps {
    pub steps: Vec<Step>,
    pub on_change: Callback<Vec<Step>>,
}

/// Grafana keeps the steps ascending, the base (no value) first.
fn sorted(mut steps: Vec<Step>) -> Vec<Step> {
    steps.sort_by(|a, b| a.value.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.value.unwrap_or(f64::NEG_INFINITY)));
    steps
}

#[function_component]
pub fn ThresholdSteps(props: &StepsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let change = |f: Change| {
        let steps = props.steps.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: Event| {
            let mut next = steps.clone();
            f(&mut next, &e);
            on_change.emit(sorted(next));
        })
    };
    let rows = props.steps.iter().enumerate().map(|(i, s)| {
        let colour = change(Box::new(move |steps, e| {
            if let (Some(sel), Some(step)) = (e.target_dyn_into::<HtmlSelectElement>(), steps.get_mut(i)) {
                step.color = sel.value();
            }
        }));
        let value = change(Box::new(move |steps, e| {
            let typed = e.target_dyn_into::<HtmlInputElement>().and_then(|i| i.value().trim().parse::<f64>().ok());
            if let (Some(n), Some(step)) = (typed.filter(|n| n.is_finite()), steps.get_mut(i)) {
                step.value = Some(n);
            }
        }));
        let remove = change(Box::new(move |steps, _| {
            if i < steps.len() {
                steps.remove(i);
            }
        }));
        html! {
            <div class="step" data-testid="editor-threshold">
                <select onchange={colour}>
                    { for COLOURS.iter().map(|c| html! { <option value={*c} selected={s.color == *c}>{ *c }</option> }) }
                    if !COLOURS.contains(&s.color.as_str()) {
                        <option value={s.color.clone()} selected=true>{ s.color.clone() }</option>
                    }
                </select>
                if let Some(v) = s.value {
                    <input type="number" value={v.to_string()} onchange={value} />
                    <button onclick={Callback::from(move |e: MouseEvent| remove.emit(e.into()))}>{ "×" }</button>
                } else {
                    <span>{ tr(lang, D::Base) }</span>
                }
            </div>
        }
    });
    let add = {
        let steps = props.steps.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |_| {
            let mut next = steps.clone();
            if next.is_empty() {
                next.push(Step { color: "green".into(), value: None });
            }
            let top = next.iter().filter_map(|s| s.value).fold(0.0_f64, f64::max);
            next.push(Step { color: "red".into(), value: Some(top + 10.0) });
            on_change.emit(sorted(next));
        })
    };
    html! {
        <div class="thresholds">
            { for rows }
            <button data-testid="editor-add-threshold" onclick={add}>{ tr(lang, D::AddThreshold) }</button>
        </div>
    }
}
