//! The lesson pane: the lesson list (with free play and its cluster
//! presets) or the open step (`lesson_step.rs`). It follows the address
//! (`#/lessons/ID/N`, `route.rs`) and keeps it in step with the lesson the
//! bridge holds, which is the truth: after a reload the saved session
//! brings the lesson's cluster back, and an address naming that same step
//! leaves it as it is.

use super::lesson_step::StepView;
use crate::bridge::{BridgeHandle, LessonState};
use crate::i18n::{t, Lang, Msg};
use crate::progress::Progress;
use crate::route::{self, Route};
use crate::style::palette::*;
use engine::lesson::{library, Lesson};
use engine::{Output, Preset, CLEAR_SCREEN};
use gloo::events::EventListener;
use std::rc::Rc;
use stylist::yew::styled_component;
use yew::prelude::*;

/// Terminal batches to show after the cluster changed.
pub type Batches = Vec<(Option<String>, Output)>;

#[derive(Properties, PartialEq)]
pub struct LessonPaneProps {
    pub bridge: BridgeHandle,
    /// The cluster changed (or was replaced): redraw, save, and print these.
    pub on_change: Callback<Batches>,
    /// Puts a command on the terminal's input line.
    pub on_paste: Callback<String>,
    /// The pictures show the past: the lesson waits for the present.
    #[prop_or_default]
    pub past: bool,
}

thread_local! {
    /// Every built-in lesson, read once.
    static CATALOGUE: Rc<Vec<Rc<Lesson>>> =
        Rc::new(library::ids().into_iter().filter_map(|id| library::load(id).ok()).map(Rc::new).collect());
}

fn catalogue() -> Rc<Vec<Rc<Lesson>>> {
    CATALOGUE.with(Rc::clone)
}

/// How many of a lesson's steps are finished.
fn finished(progress: &Progress, lesson: &Lesson) -> usize {
    lesson.steps.iter().filter(|s| progress.finished(&lesson.id, &s.id)).count()
}

/// A fresh screen, then a line saying where the terminal now is.
fn fresh_screen(note: String) -> Batches {
    vec![(None, Output { stdout: format!("{CLEAR_SCREEN}{note}\n"), ..Output::default() })]
}

#[styled_component]
pub fn LessonPane(props: &LessonPaneProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let bridge = props.bridge.clone();
    let state = use_state(|| bridge.0.lesson());
    let listing = use_state(|| state.is_none());
    let progress = use_state(Progress::load);
    // Bumped when a step opens again (reset), so its view starts over.
    let generation = use_state(|| 0u32);
    let trouble = use_state(|| None::<String>);
    let presets = use_memo((), |_| Preset::all().into_iter().map(|p| p.name).collect::<Vec<_>>());
    let preset = use_state(|| "default".to_string());

    let open: Rc<dyn Fn(String, Option<usize>)> = {
        let bridge = bridge.clone();
        let state = state.setter();
        let listing = listing.setter();
        let generation = generation.clone();
        let trouble = trouble.setter();
        let on_change = props.on_change.clone();
        Rc::new(move |id: String, step: Option<usize>| {
            let index = step.unwrap_or_else(|| {
                // Where the learner left off: the first step not finished.
                let progress = Progress::load();
                catalogue()
                    .iter()
                    .find(|l| l.id == id)
                    .and_then(|l| l.steps.iter().position(|s| !progress.finished(&l.id, &s.id)))
                    .unwrap_or(0)
            });
            match bridge.0.open_lesson(&id, index) {
                Ok(()) => {
                    state.set(bridge.0.lesson());
                    listing.set(false);
                    generation.set(generation.wrapping_add(1));
                    trouble.set(None);
                    route::show(&Route::step(&id, index));
                    on_change.emit(fresh_screen(format!(
                        "# {id} · {} {}: {}",
                        t(lang, Msg::StepN),
                        index + 1,
                        t(lang, Msg::FreshLessonCluster)
                    )));
                }
                Err(e) => trouble.set(Some(format!("{}: {e}", t(lang, Msg::LessonFailed)))),
            }
        })
    };

    // The address: read once and on every change (a deep link clicked in
    // a page, or typed).
    {
        let bridge = bridge.clone();
        let open = open.clone();
        let listing = listing.setter();
        let trouble = trouble.setter();
        use_effect_with(lang, move |_| {
            let follow = move || match Route::parse(&route::current()) {
                Route::Lesson { id, step } => {
                    let now = bridge.0.lesson();
                    let here = now.as_ref().is_some_and(|s| s.lesson.id == id && step.is_none_or(|i| i == s.index));
                    match (here, now) {
                        (true, Some(now)) => {
                            listing.set(false);
                            route::show(&Route::step(&id, now.index));
                        }
                        _ if catalogue().iter().any(|l| l.id == id) => open(id, step),
                        _ => {
                            listing.set(true);
                            trouble.set(Some(format!("{}: {id}", t(lang, Msg::NoSuchLesson))));
                        }
                    }
                }
                Route::List => listing.set(true),
                Route::Dashboards => {}
                // No address: show where the session is.
                Route::Here => {
                    if let Some(now) = bridge.0.lesson() {
                        route::show(&Route::step(&now.lesson.id, now.index));
                    }
                }
            };
            follow();
            let listener = web_sys::window().map(|w| EventListener::new(&w, "hashchange", move |_| follow()));
            move || drop(listener)
        });
    }

    let style = css!(
        r#"
        background: ${panel}; border: 1px solid ${edge}; border-radius: 10px; padding: 12px 0 8px 14px;
        min-height: 0; min-width: 0; font-size: 15px; display: flex; flex-direction: column; overflow: hidden;
        .scroll { overflow-y: auto; flex: 1; min-height: 0; padding-right: 12px; }
        small { color: ${muted}; text-transform: uppercase; letter-spacing: 1px; font-size: 12px; }
        h2 { margin: 4px 0 8px; font-size: 19px; }
        h3 { margin: 16px 0 6px; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 0.5px; }
        p { line-height: 1.55; color: ${text}; }
        .trouble { color: ${error}; border: 1px solid ${error}; border-radius: 6px; padding: 6px 10px; margin: 6px 12px 6px 0; }
        .free { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 8px 0; }
        ul.lessons { list-style: none; padding: 0; margin: 0; display: grid; gap: 6px; }
        ul.lessons button { width: 100%; text-align: left; padding: 8px 10px; display: grid; gap: 2px;
            background: ${raised}; }
        ul.lessons button.current { border-color: ${accent}; }
        ul.lessons .title { font-weight: 600; font-size: 15px; }
        ul.lessons .number { color: ${accent}; margin-right: 6px; font-variant-numeric: tabular-nums; }
        ul.lessons .summary { color: ${muted}; font-size: 13px; line-height: 1.4; }
        ul.lessons .count { font-size: 12px; color: ${muted}; }
        ul.lessons .count.complete { color: ${ok}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        text = TEXT,
        error = ERROR,
        raised = RAISED,
        accent = ACCENT,
        ok = OK,
    );

    let trouble_box = trouble.as_ref().map(|text| html! { <p class="trouble" role="alert">{ text }</p> });
    let body = match (&*state, *listing) {
        (Some(now), false) => {
            let on_finish = {
                let progress = progress.clone();
                let id = now.lesson.id.clone();
                Callback::from(move |step: String| {
                    let mut next = (*progress).clone();
                    next.finish(&id, &step);
                    progress.set(next);
                })
            };
            let on_open = {
                let open = open.clone();
                let id = now.lesson.id.clone();
                Callback::from(move |index: usize| open(id.clone(), Some(index)))
            };
            let on_next = {
                let bridge = bridge.clone();
                let state = state.setter();
                let on_change = props.on_change.clone();
                Callback::from(move |_: ()| -> bool {
                    let moved = bridge.0.next();
                    if let Some(now) = bridge.0.lesson().filter(|_| moved) {
                        route::show(&Route::step(&now.lesson.id, now.index));
                        state.set(Some(now));
                        on_change.emit(Vec::new());
                    }
                    moved
                })
            };
            let on_list = {
                let listing = listing.setter();
                Callback::from(move |_: ()| {
                    listing.set(true);
                    route::show("#/lessons");
                })
            };
            let key = format!("{}/{}/{}", now.lesson.id, now.index, *generation);
            html! {
                <StepView {key} bridge={bridge.clone()} state={now.clone()} progress={(*progress).clone()}
                    {on_finish} {on_open} {on_next} {on_list} on_change={props.on_change.clone()}
                    on_paste={props.on_paste.clone()} past={props.past} />
            }
        }
        _ => list(ListArgs {
            lang,
            open: open.clone(),
            progress: &progress,
            current: (*state).clone(),
            presets: &presets,
            preset: preset.clone(),
            free_play: {
                let bridge = bridge.clone();
                let state = state.setter();
                let trouble = trouble.setter();
                let on_change = props.on_change.clone();
                let preset = preset.clone();
                Callback::from(move |_| match bridge.0.free_play(&preset) {
                    Ok(()) => {
                        state.set(None);
                        trouble.set(None);
                        route::show("#/lessons");
                        on_change.emit(fresh_screen(format!("# {}: {}", t(lang, Msg::FreePlay), *preset)));
                    }
                    Err(e) => trouble.set(Some(format!("{}: {e}", t(lang, Msg::CannotStart)))),
                })
            },
            on_continue: {
                let listing = listing.setter();
                let state = state.clone();
                Callback::from(move |_| {
                    if let Some(now) = &*state {
                        listing.set(false);
                        route::show(&Route::step(&now.lesson.id, now.index));
                    }
                })
            },
        }),
    };
    html! {
        <section class={style} aria-label={t(lang, Msg::Lesson)} data-testid="lesson">
            { for trouble_box }
            { body }
        </section>
    }
}

struct ListArgs<'a> {
    lang: Lang,
    open: Rc<dyn Fn(String, Option<usize>)>,
    progress: &'a Progress,
    current: Option<LessonState>,
    presets: &'a [String],
    preset: UseStateHandle<String>,
    free_play: Callback<MouseEvent>,
    on_continue: Callback<MouseEvent>,
}

/// The list: where the learner is, free play, the lessons, the challenges.
fn list(args: ListArgs<'_>) -> Html {
    let ListArgs { lang, open, progress, current, presets, preset, free_play, on_continue } = args;
    let item = |lesson: &Rc<Lesson>| {
        let done = finished(progress, lesson);
        let total = lesson.steps.len();
        let onclick = {
            let open = open.clone();
            let id = lesson.id.clone();
            Callback::from(move |_| open(id.clone(), None))
        };
        let is_current = current.as_ref().is_some_and(|c| c.lesson.id == lesson.id);
        html! {
            <li>
                <button {onclick} class={classes!(is_current.then_some("current"))}
                    data-testid={format!("lesson-item-{}", lesson.id)}>
                    <span class="title">
                        <span class="number">{ lesson.id.split('-').next().unwrap_or_default().to_uppercase() }</span>
                        { lesson.title.get(lang.code()) }
                    </span>
                    <span class="summary">{ lesson.summary.get(lang.code()) }</span>
                    <span class={classes!("count", (done == total).then_some("complete"))}>
                        { format!("{}{done}/{total} {}", if done == total { "✓ " } else { "" }, t(lang, Msg::StepsDone)) }
                    </span>
                </button>
            </li>
        }
    };
    let lessons = catalogue();
    let on_preset = {
        let preset = preset.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<web_sys::HtmlSelectElement>() {
                preset.set(select.value());
            }
        })
    };
    html! {
        <div class="scroll">
            if let Some(now) = &current {
                <small>{ t(lang, Msg::Lesson) }</small>
                <h2>{ now.lesson.title.get(lang.code()) }</h2>
                <button onclick={on_continue} data-testid="lesson-continue">
                    { format!("{} · {} {}", t(lang, Msg::Continue), t(lang, Msg::StepN), now.index + 1) }
                </button>
            } else {
                <small>{ t(lang, Msg::Lesson) }</small>
                <h2>{ t(lang, Msg::FreePlay) }</h2>
                <p>{ t(lang, Msg::FreePlayNote) }</p>
            }
            <div class="free">
                <label for="preset">{ t(lang, Msg::Preset) }</label>
                <select id="preset" onchange={on_preset} data-testid="preset">
                    { for presets.iter().map(|p| html! { <option value={p.clone()} selected={*p == *preset}>{ p }</option> }) }
                </select>
                <button onclick={free_play} data-testid="free-play">{ t(lang, Msg::NewCluster) }</button>
            </div>
            <h3>{ t(lang, Msg::Lessons) }</h3>
            <ul class="lessons">{ for lessons.iter().filter(|l| !l.challenge).map(item) }</ul>
            <h3>{ t(lang, Msg::Challenges) }</h3>
            <ul class="lessons">{ for lessons.iter().filter(|l| l.challenge).map(item) }</ul>
        </div>
    }
}
