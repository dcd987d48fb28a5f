//! The link a Share made: shown selectable, copied to the clipboard when
//! the browser allows it, and said which of the two happened.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use stylist::yew::styled_component;
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub link: AttrValue,
    pub on_close: Callback<()>,
}

#[styled_component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    // `None` while the clipboard has not answered.
    let copied = use_state(|| None::<bool>);
    let input = use_node_ref();
    {
        let copied = copied.clone();
        let input = input.clone();
        use_effect_with(props.link.clone(), move |link| {
            copied.set(None);
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
                el.select();
            }
            let promise = web_sys::window().map(|w| w.navigator().clipboard().write_text(link.as_str()));
            yew::platform::spawn_local(async move {
                let ok = match promise {
                    Some(promise) => JsFuture::from(promise).await.is_ok(),
                    None => false,
                };
                copied.set(Some(ok));
            });
        });
    }
    let select = Callback::from(|e: FocusEvent| {
        let el: HtmlInputElement = e.target_unchecked_into();
        el.select();
    });
    let close = props.on_close.reform(|_: MouseEvent| ());
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 12px; padding: 8px 18px; flex-wrap: wrap;
        background: ${raised}; border-bottom: 2px solid ${accent}; color: ${text};
        label { font-weight: 600; }
        input { flex: 1; min-width: 240px; font-family: ${mono}; font-size: 13px; padding: 4px 8px;
            border: 1px solid ${edge}; border-radius: 6px; background: ${sunken}; color: ${text}; }
        .note { color: ${muted}; font-size: 13px; flex-basis: 100%; }
        "#,
        raised = RAISED,
        accent = ACCENT,
        text = TEXT,
        mono = MONO,
        edge = PANEL_EDGE,
        sunken = SUNKEN,
        muted = MUTED,
    );
    let status = match *copied {
        None => "",
        Some(true) => t(lang, Msg::ShareCopied),
        Some(false) => t(lang, Msg::ShareCopyByHand),
    };
    html! {
        <div class={style} role="region" aria-label={t(lang, Msg::ShareLink)} data-testid="share-panel">
            <label for="share-link">{ t(lang, Msg::ShareLink) }</label>
            <input id="share-link" ref={input} readonly=true value={props.link.clone()} onfocus={select}
                data-testid="share-link" spellcheck="false" />
            <span role="status" data-testid="share-status" data-copied={copied.map(|c| c.to_string()).unwrap_or_default()}>
                { status }
            </span>
            <button onclick={close} data-testid="share-close">{ t(lang, Msg::Close) }</button>
            <span class="note">{ t(lang, Msg::ShareNote) }</span>
        </div>
    }
}
