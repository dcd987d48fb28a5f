//! One open lesson step: where it sits in the lesson, its page, its quiz,
//! and the learner's tools: Check (what is still missing, or done and on
//! to the next step), hints one at a time, the solution (shown, then run if
//! asked), and reset. A fresh view is made for every step opened, so none
//! of this carries over.

use super::lesson::Batches;
use super::markdown::Markdown;
use crate::bridge::{BridgeHandle, LessonState};
use crate::i18n::{t, Lang, Msg};
use crate::progress::Progress;
use crate::style::palette::*;
use engine::lesson::Action;
use stylist::yew::styled_component;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StepViewProps {
    pub bridge: BridgeHandle,
    pub state: LessonState,
    pub progress: Progress,
    /// The step with this id is finished.
    pub on_finish: Callback<String>,
    /// Opens step N (from 0) on a fresh cluster; the open one is a reset.
    pub on_open: Callback<usize>,
    /// Moves on; false after the last step.
    pub on_next: Callback<(), bool>,
    pub on_list: Callback<()>,
    pub on_change: Callback<Batches>,
    pub on_paste: Callback<String>,
    /// Looking at the past: the buttons that would change the cluster or
    /// the lesson are off (the bridge would refuse them without a word).
    #[prop_or_default]
    pub past: bool,
}

/// What the last Check said.
#[derive(Clone, PartialEq)]
enum Outcome {
    /// The failing checks' messages (and the quiz, if unanswered).
    Missing(Vec<String>),
    Done,
    /// Done, and there is no next step.
    LessonDone,
}

#[styled_component]
pub fn StepView(props: &StepViewProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let code = lang.code();
    let lesson = props.state.lesson.clone();
    let index = props.state.index;
    let step = &lesson.steps[index];
    let outcome = use_state(|| None::<Outcome>);
    let hints = use_state(|| 0usize);
    let solution = use_state(|| false);
    // The quiz choice made, and whether it was right.
    let choice = {
        let answered = props.bridge.0.answered().then(|| step.quiz.as_ref().map(|q| (q.answer, true))).flatten();
        use_state(|| answered)
    };
    // What was just revealed (a hint, the solution, the quiz's verdict)
    // sits below the page: bring it into view.
    let body = use_node_ref();
    {
        let body = body.clone();
        use_effect_with((*hints, *solution, *choice), move |(hints, solution, choice)| {
            if *hints > 0 || *solution || choice.is_some() {
                if let Some(el) = body.cast::<web_sys::Element>() {
                    el.set_scroll_top(el.scroll_height());
                }
            }
        });
    }

    let check = {
        let bridge = props.bridge.clone();
        let outcome = outcome.clone();
        let on_finish = props.on_finish.clone();
        let step_id = step.id.clone();
        let has_quiz = step.quiz.is_some();
        let choice = choice.clone();
        Callback::from(move |_: MouseEvent| {
            if bridge.0.done() {
                on_finish.emit(step_id.clone());
                outcome.set(Some(Outcome::Done));
                return;
            }
            let mut missing: Vec<String> =
                bridge.0.check().into_iter().filter(|v| !v.passed).map(|v| v.message.get(code).to_string()).collect();
            if has_quiz && !choice.is_some_and(|(_, right)| right) {
                missing.push(t(lang, Msg::AnswerFirst).to_string());
            }
            outcome.set(Some(Outcome::Missing(missing)));
        })
    };
    let next = {
        let on_next = props.on_next.clone();
        let outcome = outcome.clone();
        Callback::from(move |_: MouseEvent| {
            if !on_next.emit(()) {
                outcome.set(Some(Outcome::LessonDone));
            }
        })
    };
    let answer = |i: usize| {
        let bridge = props.bridge.clone();
        let choice = choice.clone();
        let outcome = outcome.clone();
        let on_finish = props.on_finish.clone();
        let step_id = step.id.clone();
        let no_checks = step.checks.is_empty();
        let on_change = props.on_change.clone();
        Callback::from(move |_: MouseEvent| {
            let right = bridge.0.answer(i);
            choice.set(Some((i, right)));
            // Saved at once, as every input is.
            on_change.emit(Vec::new());
            // A question alone is the whole step: answered right, it is done.
            if right && no_checks && bridge.0.done() {
                on_finish.emit(step_id.clone());
                outcome.set(Some(Outcome::Done));
            }
        })
    };
    let apply_solution = {
        let bridge = props.bridge.clone();
        let on_change = props.on_change.clone();
        let choice = choice.clone();
        let answer = step.quiz.as_ref().map(|q| q.answer);
        Callback::from(move |_: MouseEvent| {
            let batches = bridge.0.solve().into_iter().map(|(line, out)| (Some(line), out)).collect();
            if let Some(a) = answer {
                choice.set(Some((a, true)));
            }
            on_change.emit(batches);
        })
    };
    let reset = {
        let on_open = props.on_open.clone();
        Callback::from(move |_: MouseEvent| on_open.emit(index))
    };
    let to_list = {
        let on_list = props.on_list.clone();
        Callback::from(move |_: MouseEvent| on_list.emit(()))
    };

    let style = css!(
        r#"
        flex: 1; min-height: 0; display: grid; grid-template-rows: auto minmax(0, 1fr) auto;
        & > .body { overflow-y: auto; padding-right: 12px; }
        & > .head, & > .foot { padding-right: 12px; }
        & > .foot { border-top: 1px solid ${edge}; }
        & > .foot .outcome { max-height: 30vh; overflow-y: auto; }
        .crumbs { display: flex; align-items: center; gap: 8px; justify-content: space-between; }
        .crumbs button { font-size: 13px; padding: 2px 10px; }
        .steps { display: flex; gap: 4px; flex-wrap: wrap; margin: 8px 0 4px; }
        .steps button { min-width: 28px; padding: 2px 6px; font-size: 13px; }
        .steps button.done { color: ${ok}; border-color: ${ok}; }
        .steps button.here { background: ${accent}; color: ${on_accent}; border-color: ${accent}; }
        .page { line-height: 1.55; }
        .page h1 { font-size: 19px; margin: 10px 0 6px; }
        .page h2 { font-size: 17px; }
        .page p, .page li { line-height: 1.55; }
        .page code { font-family: ${mono}; font-size: 13px; background: ${sunken}; padding: 1px 4px; border-radius: 4px; }
        .page a { color: ${accent}; }
        .page table { border-collapse: collapse; font-size: 13px; }
        .page td, .page th { border: 1px solid ${edge}; padding: 3px 6px; }
        pre.code { background: ${sunken}; border: 1px solid ${edge}; border-radius: 6px; padding: 6px 8px;
            overflow-x: auto; margin: 8px 0; }
        pre.code .line { display: flex; align-items: center; gap: 6px; min-height: 22px; }
        pre.code code { background: none; padding: 0; white-space: pre-wrap; overflow-wrap: anywhere; flex: 1; }
        pre.code .paste { padding: 0 6px; font-size: 13px; line-height: 18px; flex: none; }
        a.open-picture { display: inline-block; color: ${accent}; border: 1px solid ${accent}; border-radius: 6px;
            padding: 4px 12px; text-decoration: none; font-weight: 600; }
        a.open-picture:hover { background: ${accent}; color: ${on_accent}; }
        .quiz { border: 1px solid ${edge}; border-radius: 8px; padding: 8px 10px; margin: 10px 0; background: ${raised}; }
        .quiz .choices { display: grid; gap: 6px; margin-top: 6px; }
        .quiz .choices button { text-align: left; }
        .quiz .choices button.right { border-color: ${ok}; color: ${ok}; }
        .quiz .choices button.wrong { border-color: ${error}; color: ${error}; }
        .tools { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0 4px; }
        .tools button { font-size: 13px; padding: 3px 10px; }
        .primary { background: ${accent}; color: ${on_accent}; border-color: ${accent}; font-weight: 600; }
        .outcome { border-radius: 6px; padding: 6px 10px; margin: 6px 0; font-size: 14px; line-height: 1.4; }
        .outcome ul { margin: 4px 0; padding-left: 18px; }
        .outcome.missing { border: 1px solid ${warn}; }
        .past { color: ${warn}; font-size: 13px; margin: 6px 0 0; }
        .outcome.missing li { margin: 3px 0; }
        .outcome.done { border: 1px solid ${ok}; color: ${ok}; display: flex; align-items: center; gap: 10px;
            justify-content: space-between; flex-wrap: wrap; }
        .hints li, .solution li { margin: 4px 0; line-height: 1.45; }
        .solution code { font-family: ${mono}; font-size: 13px; }
        .note { color: ${muted}; font-size: 13px; }
        "#,
        ok = OK,
        warn = WARN,
        error = ERROR,
        accent = ACCENT,
        on_accent = ON_ACCENT,
        mono = MONO,
        sunken = SUNKEN,
        raised = RAISED,
        edge = PANEL_EDGE,
        muted = MUTED,
    );

    let dots = lesson.steps.iter().enumerate().map(|(i, s)| {
        let finished = props.progress.finished(&lesson.id, &s.id);
        let onclick = {
            let on_open = props.on_open.clone();
            Callback::from(move |_: MouseEvent| on_open.emit(i))
        };
        html! {
            <button {onclick} title={s.title.get(code).to_string()} aria-current={(i == index).then_some("step")}
                class={classes!((i == index).then_some("here"), finished.then_some("done"))}
                data-testid={format!("goto-step-{}", i + 1)}>{ i + 1 }</button>
        }
    });
    let quiz = step.quiz.as_ref().map(|quiz| {
        let buttons = quiz.choices.iter().enumerate().map(|(i, text)| {
            let class = match *choice {
                Some((c, true)) if c == i => "right",
                Some((c, false)) if c == i => "wrong",
                _ => "",
            };
            html! { <button class={class} onclick={answer(i)} disabled={props.past} data-testid={format!("choice-{i}")}>{ text.get(code) }</button> }
        });
        html! {
            <div class="quiz" data-testid="quiz">
                <small>{ t(lang, Msg::Question) }</small>
                <p>{ quiz.question.get(code) }</p>
                <div class="choices">{ for buttons }</div>
                { match *choice {
                    Some((_, true)) => html! { <p data-testid="quiz-verdict"><strong>{ t(lang, Msg::QuizRight) }</strong>{" "}{ quiz.explanation.get(code) }</p> },
                    Some((_, false)) => html! { <p data-testid="quiz-verdict">{ t(lang, Msg::QuizWrong) }</p> },
                    None => html! {},
                } }
            </div>
        }
    });
    // A step about dashboards links to them: the page lies over this one.
    let dashboards = step.picture.as_deref().and_then(|p| match p {
        "dashboards" => Some("#/dashboards".to_string()),
        _ => p.strip_prefix("dashboards/").map(|uid| format!("#/dashboards/{uid}")),
    });
    let outcome_box = match &*outcome {
        None => html! {},
        Some(Outcome::Missing(messages)) => html! {
            <div class="outcome missing" role="status" data-testid="check-result">
                <strong>{ t(lang, Msg::StillMissing) }</strong>
                <ul>{ for messages.iter().map(|m| html! { <li>{ m }</li> }) }</ul>
            </div>
        },
        Some(Outcome::Done) => html! {
            <div class="outcome done" role="status" data-testid="check-result">
                <span>{ t(lang, Msg::StepDone) }</span>
                if index + 1 < lesson.steps.len() {
                    <button class="primary" onclick={next} disabled={props.past} data-testid="next-step">{ t(lang, Msg::NextStep) }</button>
                } else {
                    <button onclick={to_list.clone()}>{ t(lang, Msg::AllLessons) }</button>
                }
            </div>
        },
        Some(Outcome::LessonDone) => html! {
            <div class="outcome done" role="status" data-testid="check-result">{ t(lang, Msg::LessonDone) }</div>
        },
    };
    let shown_hints = step.hints.iter().take(*hints).map(|h| html! { <li>{ h.get(code) }</li> });
    let more_hints = *hints < step.hints.len();
    let on_hint = {
        let hints = hints.clone();
        Callback::from(move |_: MouseEvent| hints.set(*hints + 1))
    };
    let on_solution = {
        let solution = solution.clone();
        Callback::from(move |_: MouseEvent| solution.set(!*solution))
    };
    let solution_lines = step.solution.iter().map(|a| match a {
        Action::Run(line) => html! { <li><code>{ line }</code></li> },
        Action::Wait(d) => html! { <li><code>{ format!("sleep {d}") }</code></li> },
        Action::Dashboard(_) => html! { <li><code>{ a.describe() }</code></li> },
    });
    let page = lesson.pages.get(&step.id).map(|p| p.get(code).to_string()).unwrap_or_default();
    let has_solution = !step.solution.is_empty() || step.quiz.is_some();
    html! {
        <div class={style} data-testid="lesson-step" data-lesson={lesson.id.clone()} data-step={(index + 1).to_string()}>
            <div class="head">
            <div class="crumbs">
                <small>{ format!("{} {} {} {}", t(lang, Msg::StepN), index + 1, t(lang, Msg::Of), lesson.steps.len()) }</small>
                <button onclick={to_list} data-testid="all-lessons">{ format!("☰ {}", t(lang, Msg::AllLessons)) }</button>
            </div>
            <h2 data-testid="lesson-title">{ lesson.title.get(code) }</h2>
            if lesson.steps.len() > 1 {
                <nav class="steps" aria-label={t(lang, Msg::Lessons)}>{ for dots }</nav>
            }
            </div>
            <div class="body" ref={body}>
            <Markdown text={AttrValue::from(page)} on_paste={props.on_paste.clone()} />
            if let Some(href) = dashboards {
                <p><a class="open-picture" {href} data-testid="open-dashboards">{ format!("{} →", t(lang, Msg::OpenDashboards)) }</a></p>
            }
            { for quiz }
            if *hints > 0 {
                <div class="hints" data-testid="hints"><small>{ t(lang, Msg::Hint) }</small><ol>{ for shown_hints }</ol></div>
            }
            if *solution {
                <div class="solution" data-testid="solution-box">
                    <small>{ t(lang, Msg::ShowSolution) }</small>
                    if step.solution.is_empty() {
                        if let Some(q) = &step.quiz {
                            <p>{ q.choices.get(q.answer).map(|c| c.get(code).to_string()).unwrap_or_default() }</p>
                        }
                    } else {
                        <p class="note">{ t(lang, Msg::SolutionNote) }</p>
                        <ol>{ for solution_lines }</ol>
                    }
                    <button onclick={apply_solution} disabled={props.past} data-testid="apply-solution">{ t(lang, Msg::ApplySolution) }</button>
                </div>
            }
            </div>
            <div class="foot">
            <div class="tools">
                <button class="primary" onclick={check} disabled={props.past} data-testid="check">{ t(lang, Msg::Check) }</button>
                if !step.hints.is_empty() {
                    <button onclick={on_hint} disabled={!more_hints} data-testid="hint">
                        { if *hints == 0 { t(lang, Msg::Hint).to_string() } else { format!("{} ({}/{})", t(lang, Msg::AnotherHint), *hints, step.hints.len()) } }
                    </button>
                }
                if has_solution {
                    <button onclick={on_solution} data-testid="solution">
                        { t(lang, if *solution { Msg::HideSolution } else { Msg::ShowSolution }) }
                    </button>
                }
                <button onclick={reset} disabled={props.past} data-testid="reset-step">{ t(lang, Msg::ResetStep) }</button>
            </div>
            if props.past {
                <p class="past" role="status" data-testid="lesson-past">{ t(lang, Msg::LessonInPast) }</p>
            }
            { outcome_box }
            </div>
        </div>
    }
}
