//! Grafana's absolute time range form: a button showing the range that
//! opens From and To fields (date math on `now` or `YYYY-MM-DD HH:mm:ss`
//! in the lab's simulated UTC time), checked as Grafana checks them, and
//! Apply. The quick ranges stay in the page's own select.

use super::text::{tr, D};
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::dashboards::model::TimeRange;
use engine::dashboards::timerange::{check, iso, shown, Problem, Problems};
use stylist::yew::styled_component;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TimePickerProps {
    /// The range shown now, as the dashboard keeps it.
    pub value: TimeRange,
    /// The simulated clock, for date math and the fields' text.
    pub now: i64,
    pub on_apply: Callback<TimeRange>,
}

fn message(lang: Lang, p: Option<Problem>) -> Option<&'static str> {
    p.map(|p| match p {
        Problem::Invalid => tr(lang, D::RangeInvalid),
        Problem::FromAfterTo => tr(lang, D::RangeFromAfterTo),
    })
}

/// What a typed end becomes: date math stays as typed (it follows the
/// clock), an absolute time is kept as the ISO string Grafana saves.
fn kept(typed: &str, ms: i64) -> String {
    let typed = typed.trim();
    if typed.starts_with("now") {
        typed.to_string()
    } else {
        iso(ms)
    }
}

#[styled_component]
pub fn TimePicker(props: &TimePickerProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let open = use_state(|| false);
    let problems = use_state(Problems::default);
    let from_ref = use_node_ref();
    let to_ref = use_node_ref();
    let now = props.now;
    let (from_text, to_text) = (shown(&props.value.from, now, false), shown(&props.value.to, now, true));
    let toggle = {
        let open = open.clone();
        let problems = problems.clone();
        Callback::from(move |_: MouseEvent| {
            problems.set(Problems::default());
            open.set(!*open);
        })
    };
    let apply = {
        let (from_ref, to_ref) = (from_ref.clone(), to_ref.clone());
        let (open, problems) = (open.clone(), problems.clone());
        let on_apply = props.on_apply.clone();
        move || {
            let read = |r: &NodeRef| r.cast::<HtmlInputElement>().map(|i| i.value()).unwrap_or_default();
            let typed = TimeRange { from: read(&from_ref), to: read(&to_ref) };
            match check(&typed, now) {
                Ok((f, t)) => {
                    problems.set(Problems::default());
                    open.set(false);
                    on_apply.emit(TimeRange { from: kept(&typed.from, f), to: kept(&typed.to, t) });
                }
                Err(p) => problems.set(p),
            }
        }
    };
    let onclick = {
        let apply = apply.clone();
        Callback::from(move |_: MouseEvent| apply())
    };
    let onkeydown = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Enter" => {
                e.prevent_default();
                apply();
            }
            "Escape" => open.set(false),
            _ => {}
        })
    };
    let style = css!(
        r#"
        position: relative;
        & > button { font-family: ${mono}; font-size: 12px; }
        form { position: absolute; right: 0; top: calc(100% + 6px); z-index: 4; background: ${raised}; border: 1px solid ${edge};
            border-radius: 6px; padding: 10px 12px; display: grid; gap: 6px; width: 280px; }
        h2 { font-size: 14px; margin: 0 0 4px; color: ${text}; }
        form label { display: grid; gap: 3px; color: ${muted}; font-size: 13px; }
        input { font-family: ${mono}; font-size: 13px; background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 3px; padding: 4px 6px; }
        input[aria-invalid=true] { border-color: ${error}; }
        .invalid { color: ${error}; font-size: 12px; margin: 0; }
        "#,
        mono = MONO,
        raised = RAISED,
        edge = PANEL_EDGE,
        text = TEXT,
        muted = MUTED,
        sunken = SUNKEN,
        error = ERROR,
    );
    let (from_problem, to_problem) = (message(lang, problems.from), message(lang, problems.to));
    html! {
        <div class={style}>
            <button data-testid="time-picker" aria-expanded={open.to_string()} onclick={toggle}
                title={tr(lang, D::AbsoluteRange)}>
                { format!("{from_text} {} {to_text}", tr(lang, D::RangeTo)) }
            </button>
            if *open {
                <form onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                    <h2>{ tr(lang, D::AbsoluteRange) }</h2>
                    <label>{ tr(lang, D::From) }
                        <input ref={from_ref} data-testid="time-from" value={from_text.clone()} onkeydown={onkeydown.clone()}
                            aria-invalid={from_problem.is_some().to_string()} />
                    </label>
                    if let Some(m) = from_problem {
                        <p class="invalid" data-testid="time-from-error">{ m }</p>
                    }
                    <label>{ tr(lang, D::To) }
                        <input ref={to_ref} data-testid="time-to" value={to_text.clone()} {onkeydown}
                            aria-invalid={to_problem.is_some().to_string()} />
                    </label>
                    if let Some(m) = to_problem {
                        <p class="invalid" data-testid="time-to-error">{ m }</p>
                    }
                    <button type="button" data-testid="time-apply" {onclick}>{ tr(lang, D::ApplyRange) }</button>
                </form>
            }
        </div>
    }
}
