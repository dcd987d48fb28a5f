//! Which cluster (kubeconfig context) and namespace the terminal talks to.
//! Choosing one types the kubectl command that does it, so the learner sees
//! how it is done by hand.

use crate::i18n::{t, Lang, Msg};
use stylist::yew::styled_component;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ContextPickerProps {
    pub context: String,
    pub contexts: Vec<String>,
    pub namespace: String,
    pub namespaces: Vec<String>,
    /// A command line to run, as if typed.
    pub on_command: Callback<String>,
}

#[styled_component]
pub fn ContextPicker(props: &ContextPickerProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let pick = |make: fn(&str) -> String| {
        let on_command = props.on_command.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            on_command.emit(make(&select.value()));
        })
    };
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 10px;
        label { display: flex; align-items: center; gap: 6px; font-size: 14px; }
        /* Sized to the usual names, not the longest system namespace, so
           the bar keeps to two rows at 1280 px; the title has it whole. */
        .ns { max-width: 11em; }
        "#
    );
    html! {
        <div class={style}>
            <label>{ t(lang, Msg::Cluster) }
                <select data-testid="context" onchange={pick(|c| format!("kubectl config use-context {c}"))}>
                    { for props.contexts.iter().map(|c| html! {
                        <option value={c.clone()} selected={*c == props.context}>{ c }</option>
                    }) }
                </select>
            </label>
            <label>{ t(lang, Msg::Namespace) }
                <select data-testid="namespace" class="ns" title={props.namespace.clone()}
                    onchange={pick(|ns| format!("kubectl config set-context --current --namespace={ns}"))}>
                    { for props.namespaces.iter().map(|ns| html! {
                        <option value={ns.clone()} selected={*ns == props.namespace}>{ ns }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}
