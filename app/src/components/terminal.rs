//! The terminal: scroll-back, an input line with the shell's prompt,
//! history on ↑/↓ and Ctrl-R (reverse search, as bash's readline does it),
//! and Tab completion (a second Tab lists the choices, as bash does).
//! `clear` empties the scroll-back, as Ctrl-L does. Copy and paste are the
//! browser's own; Ctrl-C copies when text is selected and interrupts when
//! none is.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::{Completion, Output};
use stylist::yew::styled_component;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Kind {
    /// The greeting, drawn in the interface's current language.
    Hint,
    Command,
    Stdout,
    Stderr,
}

#[derive(Clone, PartialEq)]
struct Line {
    kind: Kind,
    text: String,
}

#[derive(Properties, PartialEq)]
pub struct TerminalProps {
    pub prompt: String,
    pub on_run: Callback<String, Output>,
    pub on_complete: Callback<String, Completion>,
    /// Ctrl-C; says whether something (a watch) was stopped.
    pub on_interrupt: Callback<(), bool>,
    /// Output that arrived without a typed command, numbered: a watch's
    /// rows, or commands the top bar or a lesson's solution ran (each with
    /// its prompt and line, drawn as if typed).
    pub incoming: (u64, Vec<(Option<String>, Output)>),
    /// A command a lesson page put on the input line, numbered, for the
    /// learner to read, change and run.
    #[prop_or_default]
    pub paste: (u64, String),
    /// The history a restored session left, oldest first.
    pub history: Vec<String>,
}

/// A Ctrl-R search under way: what is typed, and how many older matches
/// further Ctrl-Rs skipped.
#[derive(Clone, PartialEq)]
struct Search {
    query: String,
    skip: usize,
    /// The line as it was when the search began, for Ctrl-G.
    before: String,
}

/// The `skip`-th most recent history line containing `query`.
fn find(history: &[String], query: &str, skip: usize) -> Option<String> {
    history.iter().rev().filter(|h| h.contains(query)).nth(skip).cloned()
}

#[styled_component]
pub fn Terminal(props: &TerminalProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let lines = use_state(|| vec![Line { kind: Kind::Hint, text: String::new() }]);
    let history = use_mut_ref(|| props.history.clone());
    let cursor = use_mut_ref(|| props.history.len());
    let search = use_state(|| None::<Search>);
    let input = use_node_ref();
    let scroll = use_node_ref();

    {
        let lines = lines.clone();
        let (batch, batches) = props.incoming.clone();
        use_effect_with(batch, move |batch| {
            if *batch > 0 {
                let mut next = (*lines).clone();
                for (command, out) in batches {
                    if let Some(command) = command {
                        next.push(Line { kind: Kind::Command, text: command });
                    }
                    push_text(&mut next, Kind::Stdout, &out.stdout);
                    push_text(&mut next, Kind::Stderr, &out.stderr);
                }
                lines.set(next);
            }
        });
    }
    {
        let input = input.clone();
        let (n, text) = props.paste.clone();
        use_effect_with(n, move |n| {
            if let (true, Some(el)) = (*n > 0, input.cast::<HtmlInputElement>()) {
                el.set_value(&text);
                if !text.is_empty() {
                    let _ = el.focus();
                }
            }
        });
    }
    {
        let scroll = scroll.clone();
        use_effect_with(lines.len(), move |_| {
            if let Some(el) = scroll.cast::<web_sys::Element>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let lines = lines.clone();
        let input = input.clone();
        let on_run = props.on_run.clone();
        let on_complete = props.on_complete.clone();
        let on_interrupt = props.on_interrupt.clone();
        let prompt = props.prompt.clone();
        let search = search.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(el) = input.cast::<HtmlInputElement>() else {
                return;
            };
            if let Some(Search { query, skip, before }) = (*search).clone() {
                let key = e.key();
                let mut query = query;
                let mut skip = skip;
                match key.as_str() {
                    "r" if e.ctrl_key() => {
                        if find(&history.borrow(), &query, skip + 1).is_some() {
                            skip += 1;
                        }
                    }
                    "Backspace" => {
                        query.pop();
                        skip = 0;
                    }
                    // Ctrl-G (and Ctrl-C) give up, leaving the line as it was.
                    "g" | "c" if e.ctrl_key() => {
                        e.prevent_default();
                        el.set_value(&before);
                        search.set(None);
                        return;
                    }
                    // Enter runs the match; other keys keep it to edit.
                    "Enter" => search.set(None),
                    "Escape" | "ArrowLeft" | "ArrowRight" | "Tab" | "Home" | "End" => {
                        e.prevent_default();
                        search.set(None);
                        return;
                    }
                    k if k.chars().count() == 1 && !e.ctrl_key() && !e.meta_key() && !e.alt_key() => {
                        query.push_str(k);
                        skip = 0;
                    }
                    _ => return,
                }
                if key != "Enter" {
                    e.prevent_default();
                    el.set_value(&find(&history.borrow(), &query, skip).unwrap_or_default());
                    search.set(Some(Search { query, skip, before }));
                    return;
                }
            }
            match e.key().as_str() {
                "r" if e.ctrl_key() => {
                    e.prevent_default();
                    search.set(Some(Search { query: String::new(), skip: 0, before: el.value() }));
                }
                "Enter" => {
                    let line = el.value();
                    el.set_value("");
                    let mut next = (*lines).clone();
                    next.push(Line { kind: Kind::Command, text: format!("{prompt}{line}") });
                    if !line.trim().is_empty() {
                        history.borrow_mut().push(line.clone());
                    }
                    *cursor.borrow_mut() = history.borrow().len();
                    let out = on_run.emit(line);
                    push_text(&mut next, Kind::Stdout, &out.stdout);
                    push_text(&mut next, Kind::Stderr, &out.stderr);
                    lines.set(next);
                }
                "ArrowUp" | "ArrowDown" => {
                    e.prevent_default();
                    let history = history.borrow();
                    let mut at = cursor.borrow_mut();
                    if e.key() == "ArrowUp" {
                        *at = at.saturating_sub(1);
                    } else {
                        *at = (*at + 1).min(history.len());
                    }
                    el.set_value(history.get(*at).map_or("", String::as_str));
                }
                // Shift-Tab still moves focus, so the keyboard can leave the terminal.
                "Tab" if !e.shift_key() => {
                    e.prevent_default();
                    // Only the text before the cursor is completed; what
                    // follows it stays.
                    let whole = el.value();
                    let at = byte_offset(&whole, el.selection_start().ok().flatten().unwrap_or(u32::MAX));
                    let (line, rest) = whole.split_at(at);
                    let line = line.to_string();
                    let Completion { start, candidates } = on_complete.emit(line.clone());
                    let start = start.min(line.len());
                    let word = &line[start..];
                    let common = common_prefix(&candidates);
                    let replace = |inserted: &str| {
                        let head = format!("{}{inserted}", &line[..start]);
                        el.set_value(&format!("{head}{rest}"));
                        let caret = head.encode_utf16().count() as u32;
                        let _ = el.set_selection_range(caret, caret);
                    };
                    match candidates.as_slice() {
                        [] => {}
                        // A finished word gets its space; `pod:` goes on into a path.
                        [only] if only.ends_with(':') => replace(only),
                        [only] => replace(&format!("{only} ")),
                        _ if common.len() > word.len() => replace(&common),
                        _ => {
                            let mut next = (*lines).clone();
                            next.push(Line { kind: Kind::Command, text: format!("{prompt}{line}") });
                            next.push(Line { kind: Kind::Stdout, text: candidates.join("  ") });
                            lines.set(next);
                        }
                    }
                }
                // With text selected, Ctrl-C copies it as usual.
                "c" if e.ctrl_key() && !has_selection(&el) => {
                    e.prevent_default();
                    let line = el.value();
                    el.set_value("");
                    let mut next = (*lines).clone();
                    if on_interrupt.emit(()) {
                        // A watch stops where it was printing.
                        next.push(Line { kind: Kind::Stdout, text: "^C".into() });
                    } else {
                        next.push(Line { kind: Kind::Command, text: format!("{prompt}{line}^C") });
                    }
                    lines.set(next);
                }
                "l" if e.ctrl_key() => {
                    e.prevent_default();
                    lines.set(Vec::new());
                }
                "Escape" => el.set_value(""),
                _ => {}
            }
        })
    };
    let focus = {
        let input = input.clone();
        Callback::from(move |_| {
            if let Some(el) = input.cast::<HtmlInputElement>() {
                let _ = el.focus();
            }
        })
    };

    let style = css!(
        r#"
        display: flex; flex-direction: column; min-height: 0; min-width: 0; background: ${sunken};
        border: 1px solid ${edge}; border-radius: 10px; overflow: hidden;
        font-family: ${mono}; font-size: 15px;
        .scroll { flex: 1; overflow-y: auto; padding: 10px 14px; }
        pre { margin: 0; white-space: pre; line-height: 1.35; min-height: 1.35em; }
        .cmd { color: ${accent}; }
        .out { color: ${text}; }
        .err { color: ${error}; }
        .hint { color: ${muted}; }
        .input { display: flex; align-items: center; padding: 8px 14px; border-top: 1px solid ${edge}; }
        .input span { color: ${ok}; white-space: pre; }
        .input span.search { color: ${warn}; }
        .input input { flex: 1; background: transparent; border: none; color: ${text};
            font: inherit; outline: none; caret-color: ${accent}; }
        "#,
        edge = PANEL_EDGE,
        accent = ACCENT,
        text = TEXT,
        error = ERROR,
        ok = OK,
        warn = WARN,
        muted = MUTED,
        sunken = SUNKEN,
        mono = MONO,
    );
    let search_prompt = search.as_ref().map(|s| format!("(reverse-i-search)`{}': ", s.query));
    html! {
        <section class={style} onclick={focus} aria-label={t(lang, Msg::Terminal)}>
            <div class="scroll" ref={scroll} data-testid="terminal-output">
                { for lines.iter().map(|l| {
                    let class = match l.kind { Kind::Hint => "hint", Kind::Command => "cmd", Kind::Stdout => "out", Kind::Stderr => "err" };
                    let text = if l.kind == Kind::Hint { t(lang, Msg::TerminalHint) } else { &l.text };
                    html! { <pre class={class}>{ text }</pre> }
                }) }
            </div>
            <div class="input">
                if let Some(p) = search_prompt {
                    <span class="search" data-testid="reverse-search">{ p }</span>
                } else {
                    <span>{ props.prompt.clone() }</span>
                }
                <input ref={input} {onkeydown} data-testid="terminal-input" spellcheck="false"
                    autocomplete="off" aria-label={t(lang, Msg::Command)} autofocus=true />
            </div>
        </section>
    }
}

/// Appends output, starting a fresh screen where it clears the screen
/// (`clear`, each `watch` refresh).
fn push_text(lines: &mut Vec<Line>, kind: Kind, text: &str) {
    let text = match text.rsplit_once(engine::CLEAR_SCREEN) {
        Some((_, after)) => {
            lines.clear();
            after
        }
        None => text,
    };
    for line in text.lines() {
        lines.push(Line { kind: kind.clone(), text: line.to_string() });
    }
}

/// The longest start all `words` share.
fn common_prefix(words: &[String]) -> String {
    let Some(first) = words.first() else { return String::new() };
    let mut prefix: &str = first;
    for w in &words[1..] {
        let len: usize = prefix.chars().zip(w.chars()).take_while(|(a, b)| a == b).map(|(a, _)| a.len_utf8()).sum();
        prefix = &prefix[..len];
    }
    prefix.to_string()
}

/// The byte index of a UTF-16 caret offset in `text` (the end when past it).
fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// Whether text is selected in the command line or elsewhere on the page.
fn has_selection(el: &HtmlInputElement) -> bool {
    let in_input = matches!(
        (el.selection_start(), el.selection_end()),
        (Ok(Some(a)), Ok(Some(b))) if a != b
    );
    let on_page = web_sys::window()
        .and_then(|w| w.get_selection().ok().flatten())
        .is_some_and(|s| !String::from(s.to_string()).is_empty());
    in_input || on_page
}
