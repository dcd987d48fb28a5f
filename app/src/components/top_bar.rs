//! The bar across the top: the name, which cluster and namespace, the
//! clock and its controls, and the settings. In presenter mode only the
//! clock and the way out stay.

use super::context_picker::ContextPicker;
use super::settings::Settings;
use super::time_controls::TimeControls;
use crate::i18n::{t, Msg};
use crate::session::Prefs;
use crate::style::palette::*;
use engine::Time;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TopBarProps {
    pub now: Time,
    pub speed: u32,
    pub on_speed: Callback<u32>,
    pub on_step: Callback<i64>,
    pub start_ms: i64,
    pub live_ms: i64,
    pub viewing: Option<i64>,
    pub on_seek: Callback<i64>,
    /// The current context, its namespace, and every context.
    pub contexts: (String, String, Vec<String>),
    pub namespaces: Vec<String>,
    pub on_command: Callback<String>,
    pub prefs: Prefs,
    pub on_prefs: Callback<Prefs>,
    pub on_export: Callback<()>,
    pub on_import: Callback<String>,
    pub on_share: Callback<()>,
    /// The speed the cluster really keeps when behind the one asked.
    #[prop_or_default]
    pub behind: Option<f64>,
}

#[styled_component]
pub fn TopBar(props: &TopBarProps) -> Html {
    let lang = props.prefs.lang;
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 8px 14px; padding: 8px 14px; flex-wrap: wrap;
        border-bottom: 1px solid ${edge}; background: ${panel};
        h1 { font-size: 20px; margin: 0; letter-spacing: 0.5px; }
        h1 span { color: ${accent}; }
        .spacer { flex: 1; }
        .to-dashboards { color: ${accent}; }
        "#,
        edge = PANEL_EDGE,
        panel = PANEL,
        accent = ACCENT,
    );
    let (context, namespace, contexts) = props.contexts.clone();
    let exit = {
        let on_prefs = props.on_prefs.clone();
        let prefs = props.prefs;
        Callback::from(move |_| on_prefs.emit(Prefs { presenter: false, ..prefs }))
    };
    html! {
        <header class={style}>
            <h1>{"kube"}<span>{"play"}</span></h1>
            if !props.prefs.presenter {
                <ContextPicker {context} {contexts} {namespace} namespaces={props.namespaces.clone()}
                    on_command={props.on_command.clone()} />
            }
            <a class="to-dashboards" href="#/dashboards" data-testid="to-dashboards">{ crate::dashboards::tr(lang, crate::dashboards::D::Dashboards) }</a>
            <span class="spacer" />
            <TimeControls now={props.now} speed={props.speed} on_speed={props.on_speed.clone()}
                on_step={props.on_step.clone()} start_ms={props.start_ms} live_ms={props.live_ms}
                viewing={props.viewing} on_seek={props.on_seek.clone()} behind={props.behind} />
            if props.prefs.presenter {
                <button onclick={exit} data-testid="exit-presenter">{ t(lang, Msg::ExitPresenter) }</button>
            } else {
                <Settings prefs={props.prefs} on_prefs={props.on_prefs.clone()}
                    on_export={props.on_export.clone()} on_import={props.on_import.clone()}
                    on_share={props.on_share.clone()} />
            }
        </header>
    }
}
