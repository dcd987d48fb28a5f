//! The page's root: remembered preferences, the saved session replayed (or
//! set aside with a reason) or a shared link's scenario in its place, the
//! language for every component, and the page-wide look.

use super::editor::STARTER;
use super::playground::{Playground, Trouble};
use super::yaml_paint::TOKEN_COLOURS;
use crate::bridge::{Bridge, BridgeHandle, Transcript};
use crate::dashboards::{page::Dashboards, store as dashboards};
use crate::i18n::{t, Lang, Msg};
use crate::session::{self, Found, Prefs, Theme};
use crate::share;
use crate::style::{palette::*, THEMES};
use stylist::yew::{styled_component, Global};
use yew::prelude::*;

/// What the page starts from.
struct Start {
    bridge: Result<BridgeHandle, String>,
    trouble: Option<Trouble>,
    editor: String,
    history: Vec<String>,
    speed: u32,
    transcript: Transcript,
}

/// A shared link's scenario when the address holds one that replays (the
/// receiver's own session kept aside); otherwise the saved session, with
/// why the link could not be opened.
fn start() -> Start {
    let Some(text) = share::in_address() else { return restore() };
    // Whatever happens, a reload must not open the link again.
    share::clear_address();
    match share::open(&text, STARTER) {
        Ok(opened) => Start {
            bridge: Ok(opened.bridge),
            trouble: Some(Trouble::Shared { inputs: opened.inputs, kept: opened.kept }),
            editor: opened.saved.editor,
            history: opened.saved.history,
            speed: opened.saved.speed,
            transcript: opened.transcript,
        },
        Err(reason) => {
            let mut start = restore();
            // A save that could not be restored matters more: it names its key.
            if start.trouble.is_none() {
                start.trouble = Some(Trouble::Link(reason));
            }
            start
        }
    }
}

/// The saved session if it replays, else a fresh one and why.
fn restore() -> Start {
    let fresh = |trouble| Start {
        bridge: Bridge::start(),
        trouble,
        editor: STARTER.into(),
        history: Vec::new(),
        speed: 1,
        transcript: Vec::new(),
    };
    match session::load() {
        Found::Nothing => fresh(None),
        Found::SetAside { reason, key } => fresh(Some(Trouble::Restore { reason, key })),
        Found::Session(saved) => {
            session::replaying(true);
            let bridge = Bridge::restore(&saved);
            session::replaying(false);
            match bridge {
                Ok(bridge) => Start {
                    bridge: Ok(bridge),
                    trouble: None,
                    editor: saved.editor,
                    history: saved.history,
                    speed: saved.speed,
                    transcript: Vec::new(),
                },
                Err(reason) => {
                    let key = session::set_aside(&session::to_text(&saved));
                    fresh(Some(Trouble::Restore { reason, key }))
                }
            }
        }
    }
}

#[styled_component]
pub fn App() -> Html {
    let prefs = use_state(Prefs::load);
    let start = use_memo((), |_| start());
    {
        // The theme lives on <html> so the page behind every pane follows it.
        use_effect_with(*prefs, |prefs| {
            if let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
                let theme = match prefs.theme {
                    Theme::Dark => "dark",
                    Theme::Light => "light",
                };
                let _ = root.set_attribute("data-theme", theme);
                let _ = root.set_attribute("data-presenter", if prefs.presenter { "on" } else { "off" });
                let _ = root.set_attribute("lang", prefs.lang.code());
            }
        });
    }
    // A share link pasted into the address of an open page changes only the
    // fragment: load the page again so that `start` opens it.
    use_effect_with((), |_| {
        let listener = web_sys::window().map(|w| {
            gloo::events::EventListener::new(&w, "hashchange", |_| {
                if let (Some(_), Some(w)) = (share::in_address(), web_sys::window()) {
                    let _ = w.location().reload();
                }
            })
        });
        move || drop(listener)
    });
    let on_prefs = {
        let prefs = prefs.clone();
        Callback::from(move |next: Prefs| {
            next.save();
            prefs.set(next);
        })
    };
    let global = css!(
        r#"
        html, body { margin: 0; height: 100%; background: ${bg}; color: ${text};
            font-family: "Inter", system-ui, "Noto Sans KR", "Noto Sans CJK KR", "NanumGothic", sans-serif; font-size: 16px; }
        * { box-sizing: border-box; }
        button, select { font: inherit; font-size: 14px; cursor: pointer; border-radius: 6px; border: 1px solid ${edge};
            background: ${panel}; color: ${text}; padding: 4px 12px; }
        select { padding: 3px 8px; }
        button:hover { border-color: ${accent}; }
        button:disabled, select:disabled { opacity: 0.45; cursor: not-allowed; }
        button:disabled:hover { border-color: ${edge}; }
        :focus-visible { outline: 2px solid ${accent}; outline-offset: 1px; }
        ::selection { background: ${accent}; color: ${on_accent}; }
        * { scrollbar-color: ${edge} transparent; }
        .fatal { padding: 24px; color: ${error}; }
        [data-presenter="on"] body { font-size: 18px; }
        [data-presenter="on"] main { zoom: 1.3; }
        [data-presenter="on"] main .chip.system { opacity: 0.85; }
        "#,
        bg = BG,
        text = TEXT,
        edge = PANEL_EDGE,
        panel = PANEL,
        accent = ACCENT,
        on_accent = ON_ACCENT,
        error = ERROR,
    );
    let lang: Lang = prefs.lang;
    // `#/dashboards/<uid>` shows the Dashboards page over the same cluster;
    // the playground stays mounted (hidden) so its clock keeps running.
    let dashboard = dashboards::route(&dashboards::use_hash());
    let switching = use_state(|| false);
    use_effect_with(*switching, |on| {
        if *on {
            dashboards::start_monitored_lab();
        }
    });
    let on_start_lab = {
        let switching = switching.clone();
        Callback::from(move |_| switching.set(true))
    };
    let body = match &start.bridge {
        _ if *switching => html! {},
        Ok(bridge) => html! {
            <>
                <div style={if dashboard.is_some() { "display: none" } else { "display: contents" }}>
                    <Playground bridge={bridge.clone()} prefs={*prefs} {on_prefs} trouble={start.trouble.clone()}
                        editor={start.editor.clone()} history={start.history.clone()} speed={start.speed}
                        transcript={start.transcript.clone()} />
                </div>
                if let Some(uid) = dashboard {
                    <Dashboards bridge={bridge.clone()} {uid} {on_start_lab} />
                }
            </>
        },
        Err(e) => html! { <p class="fatal">{ format!("{}: {e}", t(lang, Msg::CannotStart)) }</p> },
    };
    html! {
        <ContextProvider<Lang> context={lang}>
            <style>{ THEMES }{ TOKEN_COLOURS }</style>
            <Global css={global} />
            { body }
        </ContextProvider<Lang>>
    }
}
