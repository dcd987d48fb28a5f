//! A lesson page's Markdown, drawn with pulldown-cmark. Code blocks are
//! drawn by Yew rather than as HTML so each command line can carry a
//! button that puts it on the terminal's input line.

use crate::i18n::{t, Lang, Msg};
use pulldown_cmark::{html, CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use yew::prelude::*;

/// A run of a page: prose as HTML, or a code block's lines.
#[derive(Debug, PartialEq)]
enum Part {
    Html(String),
    Code { lines: Vec<String>, shell: bool },
}

/// Whether a code block holds terminal lines rather than a manifest:
/// unlabelled or labelled as a shell, and not YAML.
fn is_shell(kind: &CodeBlockKind, text: &str) -> bool {
    let label = match kind {
        CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or_default().to_string(),
        CodeBlockKind::Indented => String::new(),
    };
    match label.as_str() {
        "" => !text.lines().any(|l| l.starts_with("apiVersion:") || l.starts_with("kind:") || l.starts_with("  ")),
        "sh" | "bash" | "shell" | "console" => true,
        _ => false,
    }
}

/// Whether a line of a shell block is a command the terminal takes, not
/// output or a name shown for reading (`hello.default.svc.cluster.local`).
fn runnable(line: &str) -> bool {
    const COMMANDS: &[&str] = &[
        "kubectl", "k", "curl", "sleep", "fault", "traffic", "node", "promtool", "watch", "nslookup", "echo", "cat",
        "ls", "base64", "chat", "alias", "export", "cp", "mv", "rm", "help", "history",
    ];
    line.split_whitespace().next().is_some_and(|word| COMMANDS.contains(&word))
}

fn parts(markdown: &str) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut prose = Vec::new();
    let mut code: Option<(CodeBlockKind, String)> = None;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match (event, code.as_mut()) {
            (Event::Start(Tag::CodeBlock(kind)), _) => {
                let mut text = String::new();
                html::push_html(&mut text, prose.drain(..));
                parts.push(Part::Html(text));
                code = Some((kind, String::new()));
            }
            (Event::End(TagEnd::CodeBlock), Some(_)) => {
                if let Some((kind, text)) = code.take() {
                    let shell = is_shell(&kind, &text);
                    parts.push(Part::Code { lines: text.trim_end().lines().map(String::from).collect(), shell });
                }
            }
            (Event::Text(text), Some((_, body))) => body.push_str(&text),
            (event, None) => prose.push(event),
            _ => {}
        }
    }
    let mut text = String::new();
    html::push_html(&mut text, prose.into_iter());
    parts.push(Part::Html(text));
    parts.retain(|p| !matches!(p, Part::Html(h) if h.trim().is_empty()));
    parts
}

#[derive(Properties, PartialEq)]
pub struct MarkdownProps {
    pub text: AttrValue,
    /// Puts a command on the terminal's input line.
    pub on_paste: Callback<String>,
}

#[function_component]
pub fn Markdown(props: &MarkdownProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let parts = use_memo(props.text.clone(), |text| parts(text));
    let code = |lines: &[String], shell: bool| {
        let rows = lines.iter().map(|line| {
            let command = line.trim();
            let runnable = shell && runnable(command);
            let paste = {
                let on_paste = props.on_paste.clone();
                let command = command.to_string();
                Callback::from(move |_| on_paste.emit(command.clone()))
            };
            html! {
                <div class="line">
                    <code>{ line }</code>
                    if runnable {
                        <button class="paste" onclick={paste} title={t(lang, Msg::PasteCommand)}
                            aria-label={format!("{}: {command}", t(lang, Msg::PasteCommand))}>{ "⤶" }</button>
                    }
                </div>
            }
        });
        html! { <pre class={if shell { "code shell" } else { "code" }}>{ for rows }</pre> }
    };
    html! {
        <div class="page" data-testid="lesson-page">
            { for parts.iter().map(|part| match part {
                Part::Html(text) => Html::from_html_unchecked(AttrValue::from(text.clone())),
                Part::Code { lines, shell } => code(lines, *shell),
            }) }
        </div>
    }
}
