//! How the page looks and speaks, and the session as a file or a link:
//! theme, presenter mode, language, export, import and share.

use crate::i18n::{t, Lang, Msg};
use crate::session::{Prefs, Theme};
use gloo::file::callbacks::FileReader;
use stylist::yew::styled_component;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct SettingsProps {
    pub prefs: Prefs,
    pub on_prefs: Callback<Prefs>,
    pub on_export: Callback<()>,
    /// The text of a chosen session file.
    pub on_import: Callback<String>,
    /// Share the cluster's scenario as a link.
    pub on_share: Callback<()>,
}

#[styled_component]
pub fn Settings(props: &SettingsProps) -> Html {
    let lang = props.prefs.lang;
    let prefs = props.prefs;
    let file = use_node_ref();
    // Dropping a reader cancels it, so the one reading is kept here.
    let reading = use_mut_ref(|| None::<FileReader>);

    let toggle_theme = {
        let on_prefs = props.on_prefs.clone();
        let theme = match prefs.theme {
            Theme::Dark => Theme::Light,
            Theme::Light => Theme::Dark,
        };
        Callback::from(move |_| on_prefs.emit(Prefs { theme, ..prefs }))
    };
    let presenter = {
        let on_prefs = props.on_prefs.clone();
        Callback::from(move |_| on_prefs.emit(Prefs { presenter: true, ..prefs }))
    };
    let language = {
        let on_prefs = props.on_prefs.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let lang = if select.value() == "ko" { Lang::Ko } else { Lang::En };
            on_prefs.emit(Prefs { lang, ..prefs })
        })
    };
    let export = props.on_export.reform(|_: MouseEvent| ());
    let share = props.on_share.reform(|_: MouseEvent| ());
    let choose = {
        let file = file.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(input) = file.cast::<HtmlInputElement>() {
                input.click();
            }
        })
    };
    let chosen = {
        let on_import = props.on_import.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(chosen) = input.files().and_then(|files| files.get(0)) else { return };
            // The same file may be chosen again after a failed import.
            input.set_value("");
            let on_import = on_import.clone();
            let reader = gloo::file::callbacks::read_as_text(&gloo::file::File::from(chosen), move |text| {
                on_import.emit(text.unwrap_or_else(|e| format!("<unreadable file: {e}>")))
            });
            *reading.borrow_mut() = Some(reader);
        })
    };
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 5px;
        input[type=file] { display: none; }
        .icon { padding: 4px 8px; line-height: 0; }
        .icon svg { width: 18px; height: 18px; fill: none; stroke: currentColor; stroke-width: 2;
            stroke-linecap: round; stroke-linejoin: round; }
        "#
    );
    let theme_label = match prefs.theme {
        Theme::Dark => t(lang, Msg::ThemeLight),
        Theme::Light => t(lang, Msg::ThemeDark),
    };
    html! {
        <div class={style} role="group" aria-label={t(lang, Msg::Settings)}>
            // Icons with their words as label and tooltip: the bar's
            // buttons then fit two rows at 1280 px in either language.
            <button class="icon" onclick={toggle_theme} data-testid="theme" aria-label={theme_label} title={theme_label}>
                if prefs.theme == Theme::Dark {
                    // A sun: to the light theme.
                    <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="4" />
                        <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" /></svg>
                } else {
                    // A crescent: to the dark theme.
                    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z" /></svg>
                }
            </button>
            <button class="icon" onclick={presenter} data-testid="presenter" aria-label={t(lang, Msg::Presenter)} title={t(lang, Msg::Presenter)}>
                // A projection screen on its stand.
                <svg viewBox="0 0 24 24" aria-hidden="true"><rect x="3" y="4" width="18" height="11" rx="1" />
                    <path d="M12 15v5M8 21l4-1 4 1" /></svg>
            </button>
            <select onchange={language} aria-label={t(lang, Msg::Language)} data-testid="language">
                <option value="en" selected={lang == Lang::En}>{"English"}</option>
                <option value="ko" selected={lang == Lang::Ko}>{"한국어"}</option>
            </select>
            <button onclick={export} data-testid="export">{ t(lang, Msg::Export) }</button>
            <button onclick={choose} data-testid="import">{ t(lang, Msg::Import) }</button>
            <button onclick={share} data-testid="share">{ t(lang, Msg::Share) }</button>
            <input type="file" ref={file} accept=".json,application/json" onchange={chosen}
                data-testid="import-file" tabindex="-1" aria-hidden="true" />
        </div>
    }
}
