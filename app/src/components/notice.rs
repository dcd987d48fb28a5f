//! A message the user must see once, such as why a saved session was not
//! restored, with a button to dismiss it and, when there is something to
//! do about it, a button for that.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub text: AttrValue,
    pub on_dismiss: Callback<()>,
    /// A news, not a warning (no ⚠).
    #[prop_or_default]
    pub info: bool,
    /// The label of a second button, and what it does.
    #[prop_or_default]
    pub action: Option<(AttrValue, Callback<()>)>,
}

#[styled_component]
pub fn Notice(props: &NoticeProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onclick = props.on_dismiss.reform(|_: MouseEvent| ());
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 14px; padding: 8px 18px;
        background: ${raised}; border-bottom: 2px solid ${warn}; color: ${text};
        p { margin: 0; flex: 1; line-height: 1.4; overflow-wrap: anywhere; }
        p::before { content: "⚠ "; color: ${warn}; }
        &.info { border-bottom-color: ${accent}; }
        &.info p::before { content: none; }
        "#,
        raised = RAISED,
        warn = WARN,
        text = TEXT,
        accent = ACCENT,
    );
    html! {
        <div class={classes!(style, props.info.then_some("info"))} role={if props.info { "status" } else { "alert" }}
            data-testid="notice">
            <p>{ props.text.clone() }</p>
            if let Some((label, on_action)) = props.action.clone() {
                <button onclick={on_action.reform(|_: MouseEvent| ())} data-testid="notice-action">{ label }</button>
            }
            <button {onclick}>{ t(lang, Msg::Dismiss) }</button>
        </div>
    }
}
