//! The clock: the simulated time, how fast it runs (paused, 1×, 10×, 60×),
//! buttons that let a fixed amount pass at once, and a slider back through
//! the session's history (one stop per simulated second; its far right end
//! is now).

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use engine::Time;
use stylist::yew::styled_component;
use yew::prelude::*;

/// The speeds offered, as simulated seconds per real second.
pub const SPEEDS: [u32; 3] = [1, 10, 60];
/// The steps offered: label and simulated milliseconds.
const STEPS: [(&str, i64); 3] = [("+1 s", 1_000), ("+15 s", 15_000), ("+1 m", 60_000)];

#[derive(Properties, PartialEq)]
pub struct TimeControlsProps {
    pub now: Time,
    /// 0 when paused.
    pub speed: u32,
    pub on_speed: Callback<u32>,
    pub on_step: Callback<i64>,
    /// The simulated time (ms) the session starts at and the live one.
    pub start_ms: i64,
    pub live_ms: i64,
    /// The moment looked back at, `None` when live.
    pub viewing: Option<i64>,
    /// A moment chosen on the slider (ms); the far end means now.
    pub on_seek: Callback<i64>,
    /// The speed the cluster really keeps when it cannot keep the one
    /// asked (`components/ticker.rs`).
    #[prop_or_default]
    pub behind: Option<f64>,
}

#[styled_component]
pub fn TimeControls(props: &TimeControlsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let style = css!(
        r#"
        display: flex; align-items: center; gap: 6px;
        .clock { font-family: ${mono}; font-size: 15px; color: ${text}; padding: 0 4px; white-space: nowrap; }
        .clock.paused { color: ${warn}; }
        .pace { font-family: ${mono}; font-size: 13px; color: ${warn}; white-space: nowrap; }
        .group { display: flex; }
        .group button { border-radius: 0; margin-left: -1px; padding: 4px 10px; }
        .group button:first-child { border-radius: 6px 0 0 6px; }
        .group button:last-child { border-radius: 0 6px 6px 0; }
        button[aria-pressed="true"] { background: ${accent}; color: ${on_accent}; border-color: ${accent}; }
        .rewind { display: flex; align-items: center; gap: 6px; }
        .rewind input { width: 100px; accent-color: ${accent}; }
        .rewind output { font-family: ${mono}; font-size: 13px; min-width: 5.5em; }
        .rewind output.past { color: ${warn}; font-weight: 600; }
        "#,
        mono = MONO,
        text = TEXT,
        warn = WARN,
        accent = ACCENT,
        on_accent = ON_ACCENT,
    );
    let speed_button = |speed: u32, label: String, testid: String| {
        let on_speed = props.on_speed.clone();
        html! {
            <button aria-pressed={(props.speed == speed).to_string()} data-testid={testid}
                onclick={move |_| on_speed.emit(speed)}>{ label }</button>
        }
    };
    let paused = props.speed == 0;
    // Whole seconds since the start; the last stop is now, however many
    // milliseconds past a whole second it is.
    let span = (props.live_ms - props.start_ms).max(0);
    let stops = (span + 999) / 1000;
    let at = props.viewing.map_or(stops, |ms| (ms - props.start_ms).max(0) / 1000);
    let on_input = {
        let on_seek = props.on_seek.clone();
        let (start, live) = (props.start_ms, props.live_ms);
        Callback::from(move |e: InputEvent| {
            let Some(input) = e.target_dyn_into::<web_sys::HtmlInputElement>() else { return };
            let Ok(s) = input.value().parse::<i64>() else { return };
            on_seek.emit(if s >= stops { live } else { start + s * 1000 });
        })
    };
    let shown = match props.viewing {
        Some(ms) => hms(Time(ms)),
        None => t(lang, Msg::Now).to_string(),
    };
    html! {
        <div class={style} role="group" aria-label={t(lang, Msg::Time)}>
            <span class={classes!("clock", paused.then_some("paused"))} data-testid="clock"
                title={t(lang, Msg::Time)}>{ clock(props.now) }</span>
            if let Some(pace) = props.behind.filter(|_| !paused) {
                <span class="pace" data-testid="pace" title={t(lang, Msg::Behind)}>{ format!("≈{pace:.1}×") }</span>
            }
            <div class="group" role="group" aria-label={t(lang, Msg::Speed)}>
                { speed_button(0, t(lang, Msg::Pause).to_string(), "pause".into()) }
                { for SPEEDS.iter().map(|&s| speed_button(s, format!("{s}×"), format!("speed-{s}"))) }
            </div>
            <div class="group" role="group" aria-label={t(lang, Msg::StepBy)}>
                { for STEPS.iter().map(|&(label, ms)| {
                    let on_step = props.on_step.clone();
                    html! {
                        <button data-testid={format!("step-{}", ms / 1000)} title={format!("{} {label}", t(lang, Msg::StepBy))}
                            disabled={props.viewing.is_some()}
                            onclick={move |_| on_step.emit(ms)}>{ label }</button>
                    }
                }) }
            </div>
            <label class="rewind" title={t(lang, Msg::LookBack)}>
                <input type="range" min="0" max={stops.to_string()} step="1" value={at.to_string()}
                    aria-label={t(lang, Msg::LookBack)} aria-valuetext={shown.clone()} disabled={stops == 0}
                    data-testid="rewind" oninput={on_input} />
                <output class={classes!(props.viewing.is_some().then_some("past"))} data-testid="rewind-at">{ shown }</output>
            </label>
        </div>
    }
}

/// The time of day of a moment, HH:MM:SS in UTC as the clock shows it.
pub fn hms(time: Time) -> String {
    let text = time.rfc3339();
    text.get(11..19).unwrap_or(&text).to_string()
}

/// The virtual clock as the cluster's date and time.
fn clock(now: Time) -> String {
    now.rfc3339().replace('T', " ").replace('Z', " UTC")
}
