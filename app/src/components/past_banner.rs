//! The banner shown while looking back: which moment the pictures, the
//! events and the terminal show, that it cannot be changed, and the way
//! back to now (also Escape, from anywhere on the page).

use super::time_controls::hms;
use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::Time;
use gloo::events::EventListener;
use stylist::yew::styled_component;
use wasm_bindgen::JsCast;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PastBannerProps {
    /// The moment shown (ms).
    pub at: i64,
    pub on_return: Callback<()>,
}

#[styled_component]
pub fn PastBanner(props: &PastBannerProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    {
        let on_return = props.on_return.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                EventListener::new(&w, "keydown", move |e| {
                    if e.dyn_ref::<web_sys::KeyboardEvent>().is_some_and(|k| k.key() == "Escape") {
                        on_return.emit(());
                    }
                })
            });
            move || drop(listener)
        });
    }
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 12px; padding: 6px 14px;
        background: ${warn}; color: ${bg}; font-weight: 600;
        button { background: ${bg}; color: ${text}; border-color: ${bg}; font-weight: 600; }
        "#,
        warn = WARN,
        bg = BG,
        text = TEXT,
    );
    let on_return = props.on_return.clone();
    html! {
        <div class={style} role="status" data-testid="past-banner">
            <span>{ format!("{} {} — {}", t(lang, Msg::ViewingAt), hms(Time(props.at)), t(lang, Msg::ReadOnly)) }</span>
            <button data-testid="return-to-now" onclick={move |_| on_return.emit(())}>{ t(lang, Msg::ReturnToNow) }</button>
        </div>
    }
}
