//! The YAML editor: a manifest coloured as YAML, Apply, Diff (what applying
//! would change, as `kubectl diff` prints it) and templates to start from.
//! kubectl's answer shows beneath it, and each error is also marked on the
//! line it is about. While a `kubectl edit` waits, it holds that object and
//! offers Save and Cancel instead.

use super::yaml_paint::paint;
use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::templates::TEMPLATES;
use engine::{Mark, Output};
use stylist::yew::styled_component;
use web_sys::{Element, HtmlSelectElement, HtmlTextAreaElement, ScrollIntoViewOptions, ScrollLogicalPosition};
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
    /// Applies the buffer: kubectl's answer and its errors placed on lines.
    pub on_apply: Callback<String, (Output, Vec<Mark>)>,
    /// What `kubectl diff` says of the buffer; changes nothing.
    pub on_diff: Callback<String, Output>,
    /// The object a `kubectl edit` opened, while it waits.
    pub editing: Option<String>,
    /// Saves (`Some`) or abandons (`None`) that edit.
    pub on_edit_done: Callback<Option<String>, Output>,
}

/// What shows beneath the buffer.
#[derive(Clone, PartialEq)]
enum Answer {
    Applied(Output),
    Diff(Output),
}

#[styled_component]
pub fn Editor(props: &EditorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let text = use_state(|| props.initial.clone());
    let answer = use_state(|| None::<Answer>);
    let marks = use_state(Vec::<(usize, String)>::new);
    {
        let text = text.clone();
        let answer = answer.clone();
        let marks = marks.clone();
        let on_change = props.on_change.clone();
        use_effect_with(props.editing.clone(), move |editing| {
            if let Some(object) = editing {
                text.set(object.clone());
                on_change.emit(object.clone());
                answer.set(None);
                marks.set(Vec::new());
            }
        });
    }
    // Puts new text in the buffer, as typing would.
    let replace = {
        let text = text.clone();
        let marks = marks.clone();
        let on_change = props.on_change.clone();
        move |value: String| {
            on_change.emit(value.clone());
            text.set(value);
            marks.set(Vec::new());
        }
    };

    let oninput = {
        let replace = replace.clone();
        Callback::from(move |e: InputEvent| {
            let area: HtmlTextAreaElement = e.target_unchecked_into();
            replace(area.value());
        })
    };
    let onclick = {
        let text = text.clone();
        let answer = answer.clone();
        let marks = marks.clone();
        let on_apply = props.on_apply.clone();
        Callback::from(move |_| {
            let (out, found) = on_apply.emit((*text).clone());
            marks.set(found.into_iter().map(|m| (m.line, m.message)).collect());
            answer.set(Some(Answer::Applied(out)));
        })
    };
    let on_diff = {
        let text = text.clone();
        let answer = answer.clone();
        let on_diff = props.on_diff.clone();
        Callback::from(move |_| answer.set(Some(Answer::Diff(on_diff.emit((*text).clone())))))
    };
    let close_diff = {
        let answer = answer.clone();
        Callback::from(move |_| answer.set(None))
    };
    // A template replaces a buffer that holds nothing of the learner's, and
    // otherwise joins it as one more document.
    let on_template = {
        let text = text.clone();
        let replace = replace.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let Some(template) = select.value().parse::<usize>().ok().and_then(|i| TEMPLATES.get(i)) else { return };
            select.set_value("");
            let current = text.trim();
            let untouched = current.is_empty()
                || current == STARTER.trim()
                || TEMPLATES.iter().any(|t| t.manifest.trim() == current);
            if untouched {
                replace(template.manifest.to_string());
            } else {
                replace(format!("{}\n---\n{}", text.trim_end(), template.manifest));
            }
        })
    };
    let on_save = {
        let text = text.clone();
        let answer = answer.clone();
        let done = props.on_edit_done.clone();
        Callback::from(move |_| answer.set(Some(Answer::Applied(done.emit(Some((*text).clone()))))))
    };
    let on_cancel = {
        let answer = answer.clone();
        let done = props.on_edit_done.clone();
        Callback::from(move |_| answer.set(Some(Answer::Applied(done.emit(None)))))
    };
    let lines = text.split('\n').count().max(1);

    let style = css!(
        r#"
        display: flex; flex-direction: column; min-height: 0; min-width: 0; background: ${panel};
        border: 1px solid ${edge}; border-radius: 10px; overflow: hidden;
        .bar { display: flex; align-items: center; gap: 10px; padding: 6px 12px; border-bottom: 1px solid ${edge}; }
        .bar strong { font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; margin-right: auto; }
        .bar button { background: ${accent}; color: ${on_accent}; border: none; font-weight: 600; }
        .bar button.secondary { background: transparent; color: ${text}; border: 1px solid ${edge}; }
        .bar select { background: transparent; color: ${text}; border: 1px solid ${edge}; border-radius: 6px;
            font: inherit; font-size: 13px; padding: 4px 6px; max-width: 16em; }
        .bar select option { background: ${panel}; color: ${text}; }
        .body { flex: 1; display: flex; min-height: 0; overflow: auto;
            font-family: ${mono}; font-size: 14px; line-height: 1.4; }
        .gutter { padding: 8px 8px 8px 12px; color: ${muted}; text-align: right; user-select: none; white-space: pre; }
        .gutter .bad { color: ${error}; font-weight: 700; }
        .code { flex: 1; display: grid; min-width: 0; }
        .code > * { grid-area: 1 / 1; margin: 0; padding: 8px; font: inherit; white-space: pre; tab-size: 2; }
        .paint { color: ${text}; pointer-events: none; }
        .paint .bad { text-decoration: underline wavy ${error}; text-decoration-skip-ink: none; }
        .paint .note { color: ${error}; font-style: italic; }
        textarea { resize: none; border: none; outline: none; background: transparent; color: transparent;
            caret-color: ${text}; overflow: hidden; min-height: 100%; }
        textarea::selection { background: color-mix(in srgb, ${accent} 35%, transparent); color: transparent; }
        .result { margin: 0; padding: 6px 12px; border-top: 1px solid ${edge}; white-space: pre-wrap;
            font-family: ${mono}; font-size: 14px; max-height: 40%; overflow: auto; }
        .ok { color: ${ok}; }
        .err { color: ${error}; }
        .diff { border-top: 1px solid ${edge}; max-height: 50%; display: flex; flex-direction: column; min-height: 0; }
        .diff header { display: flex; align-items: center; padding: 4px 12px; color: ${muted}; font-size: 13px; }
        .diff header button { margin-left: auto; background: transparent; color: ${text}; border: 1px solid ${edge}; }
        .diff pre { margin: 0; padding: 4px 12px 8px; overflow: auto; font-family: ${mono}; font-size: 13px; line-height: 1.4; }
        .diff .add { color: ${ok}; background: color-mix(in srgb, ${ok} 12%, transparent); display: block; }
        .diff .del { color: ${error}; background: color-mix(in srgb, ${error} 12%, transparent); display: block; }
        .diff .hunk { color: ${accent}; display: block; }
        .diff .head { color: ${muted}; display: block; }
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
    let gutter = (1..=lines).map(|n| match marks.iter().find(|(l, _)| *l == n) {
        Some((_, message)) => html! { <span class="bad" title={message.clone()}>{ format!("{n}\n") }</span> },
        None => html! { { format!("{n}\n") } },
    });
    let painted = Html::from_html_unchecked(AttrValue::from(paint(&text, &marks)));
    // A rejected manifest longer than the pane: its first marked line is
    // brought into view, as an IDE jumps to the error.
    let gutter_ref = use_node_ref();
    {
        let gutter_ref = gutter_ref.clone();
        use_effect_with(marks.first().map(|(line, _)| *line), move |first| {
            if first.is_some() {
                if let Some(bad) = gutter_ref.cast::<Element>().and_then(|g| g.query_selector(".bad").ok().flatten()) {
                    let options = ScrollIntoViewOptions::new();
                    options.set_block(ScrollLogicalPosition::Center);
                    bad.scroll_into_view_with_scroll_into_view_options(&options);
                }
            }
        });
    }
    html! {
        <section class={style} aria-label={t(lang, Msg::Editor)}>
            <div class="bar">
                if props.editing.is_some() {
                    <strong>{"kubectl edit"}</strong>
                    <button onclick={on_cancel} class="secondary" data-testid="edit-cancel">{ t(lang, Msg::Cancel) }</button>
                    <button onclick={on_save} data-testid="edit-save">{ t(lang, Msg::Save) }</button>
                } else {
                    <strong>{ t(lang, Msg::Manifest) }</strong>
                    <select onchange={on_template} data-testid="templates" aria-label={t(lang, Msg::Templates)}>
                        <option value="" selected=true>{ t(lang, Msg::Templates) }</option>
                        { for TEMPLATES.iter().enumerate().map(|(i, tpl)| html! {
                            <option value={i.to_string()}>{ tpl.kind }</option>
                        }) }
                    </select>
                    <button onclick={on_diff} class="secondary" data-testid="diff">{ t(lang, Msg::Diff) }</button>
                    <button {onclick} data-testid="apply">{ t(lang, Msg::Apply) }</button>
                }
            </div>
            <div class="body">
                <div class="gutter" ref={gutter_ref} data-testid="gutter">{ for gutter }</div>
                <div class="code">
                    <pre class="paint yaml-paint" aria-hidden="true" data-testid="paint">{ painted }</pre>
                    <textarea value={(*text).clone()} {oninput} rows={lines.to_string()}
                        spellcheck="false" data-testid="editor" aria-label={t(lang, Msg::Manifest)} />
                </div>
            </div>
            { for answer.as_ref().map(|answer| match answer {
                Answer::Applied(out) => html! {
                    <pre class="result" data-testid="apply-result">
                        <span class="ok">{ &out.stdout }</span>
                        <span class="err">{ &out.stderr }</span>
                    </pre>
                },
                Answer::Diff(out) => html! {
                    <div class="diff" data-testid="diff-view">
                        <header>
                            <span>{ "kubectl diff -f editor.yaml" }</span>
                            <button onclick={close_diff.clone()} aria-label={t(lang, Msg::CloseDiff)}>{ "✕" }</button>
                        </header>
                        <pre>
                            { for out.stdout.lines().map(diff_line) }
                            if out.stdout.is_empty() && out.stderr.is_empty() {
                                <span class="head">{ t(lang, Msg::NoDifferences) }</span>
                            }
                            <span class="err">{ &out.stderr }</span>
                        </pre>
                    </div>
                },
            }) }
        </section>
    }
}

/// One line of a unified diff, coloured by what it is.
fn diff_line(line: &str) -> Html {
    let class = if line.starts_with("diff ") || line.starts_with("--- ") || line.starts_with("+++ ") {
        "head"
    } else if line.starts_with("@@") {
        "hunk"
    } else if line.starts_with('+') {
        "add"
    } else if line.starts_with('-') {
        "del"
    } else {
        ""
    };
    html! { <span class={classes!("line", class)}>{ format!("{line}\n") }</span> }
}
