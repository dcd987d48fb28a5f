//! The lesson pane. Lessons come later; until then it says the playground
//! is in free play, so the pane is never an empty box.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use stylist::yew::styled_component;
use yew::prelude::*;

#[styled_component]
pub fn LessonPane() -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let style = css!(
        r#"
        background: ${panel}; border: 1px solid ${edge}; border-radius: 10px; padding: 14px 16px;
        overflow-y: auto; min-height: 0; min-width: 0;
        small { color: ${muted}; text-transform: uppercase; letter-spacing: 1px; font-size: 12px; }
        h2 { margin: 4px 0 10px; font-size: 20px; }
        p { margin: 0; line-height: 1.55; color: ${text}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        text = TEXT,
    );
    html! {
        <section class={style} aria-label={t(lang, Msg::Lesson)} data-testid="lesson">
            <small>{ t(lang, Msg::Lesson) }</small>
            <h2>{ t(lang, Msg::FreePlay) }</h2>
            <p>{ t(lang, Msg::FreePlayNote) }</p>
        </section>
    }
}
