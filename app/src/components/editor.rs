//! The YAML editor: a manifest, an Apply button, and what the API server
//! answered shown beneath it. While a `kubectl edit` waits, it holds that
//! object and offers Save and Cancel instead.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::Output;
use stylist::yew::styled_component;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// What a fresh session's editor holds.
pub const STARTER: &str = "apiVersion: v1
kind: Pod
metadata:
  name: hello
  labels:
    app: hello
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    ports:
    - containerPort: 80
";

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    /// The buffer a restored session left.
    pub initial: String,
    /// Every change to the buffer, so the session can keep it.
    pub on_change: Callback<String>,
    pub on_apply: Callback<String, Output>,
    /// The object a `kubectl edit` opened, while it waits.
    pub editing: Option<String>,
    /// Saves (`Some`) or abandons (`None`) that edit.
    pub on_edit_done: Callback<Option<String>, Output>,
}

#[styled_component]
pub fn Editor(props: &EditorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let text = use_state(|| props.initial.clone());
    let result = use_state(|| None::<Output>);
    {
        let text = text.clone();
        let result = result.clone();
        let on_change = props.on_change.clone();
        use_effect_with(props.editing.clone(), move |editing| {
            if let Some(object) = editing {
                text.set(object.clone());
                on_change.emit(object.clone());
                result.set(None);
            }
        });
    }

    let oninput = {
        let text = text.clone();
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            text.set(area.value());
            on_change.emit(area.value());
        })
    };
    let onclick = {
        let text = text.clone();
        let result = result.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |_| result.set(Some(on_apply.emit((*text).clone()))))
    };
    let on_save = {
        let text = text.clone();
        let result = result.clone();
        let done = props.on_edit_done.clone();
        Callback::from(move |_| result.set(Some(done.emit(Some((*text).clone())))))
    };
    let on_cancel = {
        let result = result.clone();
        let done = props.on_edit_done.clone();
        Callback::from(move |_| result.set(Some(done.emit(None))))
    };
    let lines = text.lines().count().max(1);

    let style = css!(
        r#"
        display: flex; flex-direction: column; min-height: 0; min-width: 0; background: ${panel};
        border: 1px solid ${edge}; border-radius: 10px; overflow: hidden;
        .bar { display: flex; align-items: center; gap: 10px; padding: 6px 12px; border-bottom: 1px solid ${edge}; }
        .bar strong { font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        .bar button { background: ${accent}; color: ${on_accent}; border: none; font-weight: 600; }
        .bar strong + button { margin-left: auto; }
        .bar button.secondary { background: transparent; color: ${text}; border: 1px solid ${edge}; }
        .body { flex: 1; display: flex; min-height: 0; overflow: auto;
            font-family: ${mono}; font-size: 14px; line-height: 1.4; }
        .gutter { padding: 8px 8px 8px 12px; color: ${muted}; text-align: right; user-select: none; white-space: pre; }
        textarea { flex: 1; resize: none; border: none; outline: none; background: transparent; color: ${text};
            font: inherit; padding: 8px; white-space: pre; overflow: hidden; min-height: 100%; }
        .result { margin: 0; padding: 6px 12px; border-top: 1px solid ${edge}; white-space: pre-wrap;
            font-family: ${mono}; font-size: 14px; }
        .ok { color: ${ok}; }
        .err { color: ${error}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        accent = ACCENT,
        text = TEXT,
        ok = OK,
        error = ERROR,
        on_accent = ON_ACCENT,
        mono = MONO,
    );
    let gutter: String = (1..=lines).map(|n| format!("{n}\n")).collect();
    html! {
        <section class={style} aria-label={t(lang, Msg::Editor)}>
            <div class="bar">
                if props.editing.is_some() {
                    <strong>{"kubectl edit"}</strong>
                    <button onclick={on_cancel} class="secondary" data-testid="edit-cancel">{ t(lang, Msg::Cancel) }</button>
                    <button onclick={on_save} data-testid="edit-save">{ t(lang, Msg::Save) }</button>
                } else {
                    <strong>{ t(lang, Msg::Manifest) }</strong>
                    <button {onclick} data-testid="apply">{ t(lang, Msg::Apply) }</button>
                }
            </div>
            <div class="body">
                <div class="gutter">{ gutter }</div>
                <textarea value={(*text).clone()} {oninput} rows={lines.to_string()}
                    spellcheck="false" data-testid="editor" aria-label={t(lang, Msg::Manifest)} />
            </div>
            { for result.as_ref().map(|out| html! {
                <pre class="result" data-testid="apply-result">
                    <span class="ok">{ &out.stdout }</span>
                    <span class="err">{ &out.stderr }</span>
                </pre>
            }) }
        </section>
    }
}
