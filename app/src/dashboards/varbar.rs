//! One variable in the bar across the top, as Grafana draws it: a dropdown
//! (with checkboxes for a multi-value one, `All` first when offered), or
//! for a text box a free text field that applies on Enter or when it loses
//! the focus. Constants and hidden variables are not drawn (the page
//! leaves them out).

use engine::dashboards::template::{VarState, ALL};
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Sets a variable's selection by name.
pub type SetVar = Rc<dyn Fn(String, Vec<String>)>;

/// The control for `v`.
pub fn var_control(v: &VarState, set_var: &SetVar) -> Html {
    let name = v.name.clone();
    let testid = format!("var-{}", v.name);
    if v.kind == "textbox" {
        let current = v.selected.first().cloned().unwrap_or_default();
        let set = set_var.clone();
        let onchange = Callback::from(move |e: Event| {
            if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                set(name.clone(), vec![input.value()]);
            }
        });
        return html! {
            <label>{ v.label.clone() }
                <input class="textbox" data-testid={testid} value={current} {onchange} />
            </label>
        };
    }
    if v.multi {
        let toggles = v.options.iter().map(|o| {
            let on = v.selected.contains(&o.value);
            let value = o.value.clone();
            let selected = v.selected.clone();
            let name = name.clone();
            let set_var = set_var.clone();
            let onchange = Callback::from(move |_| {
                let mut next: Vec<String> = if value == ALL {
                    vec![value.clone()]
                } else {
                    selected.iter().filter(|s| *s != ALL).cloned().collect()
                };
                if value != ALL {
                    if on {
                        next.retain(|s| s != &value);
                    } else {
                        next.push(value.clone());
                    }
                }
                set_var(name.clone(), next);
            });
            html! { <label><input type="checkbox" checked={on} {onchange} />{ o.text.clone() }</label> }
        });
        return html! {
            <label>{ v.label.clone() }
                <details class="multi" data-testid={testid}>
                    <summary>{ v.text() }</summary>
                    <div>{ for toggles }</div>
                </details>
            </label>
        };
    }
    let current = v.selected.first().cloned().unwrap_or_default();
    let set = set_var.clone();
    let onchange = Callback::from(move |e: Event| {
        if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
            set(name.clone(), vec![sel.value()]);
        }
    });
    html! {
        <label>{ v.label.clone() }
            <select data-testid={testid} {onchange}>
                { for v.options.iter().map(|o| html! {
                    <option value={o.value.clone()} selected={o.value == current}>{ o.text.clone() }</option>
                }) }
            </select>
        </label>
    }
}
