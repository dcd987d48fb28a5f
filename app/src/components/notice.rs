//! A message the user must see once, such as why a saved session was not
//! restored, with a button to dismiss it.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub text: AttrValue,
    pub on_dismiss: Callback<()>,
}

#[styled_component]
pub fn Notice(props: &NoticeProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let onclick = props.on_dismiss.reform(|_: MouseEvent| ());
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 14px; padding: 8px 18px;
        background: ${raised}; border-bottom: 2px solid ${warn}; color: ${text};
        p { margin: 0; flex: 1; line-height: 1.4; }
        p::before { content: "⚠ "; color: ${warn}; }
        "#,
        raised = RAISED,
        warn = WARN,
        text = TEXT,
    );
    html! {
        <div class={style} role="alert" data-testid="notice">
            <p>{ props.text.clone() }</p>
            <button {onclick}>{ t(lang, Msg::Dismiss) }</button>
        </div>
    }
}
