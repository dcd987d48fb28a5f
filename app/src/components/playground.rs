//! The playground's panes and what ties them to the engine: the lesson, the
//! terminal over the editor, the pictures (cluster map over events), all
//! resizable; the clock's ticks; and saving the session as it changes.

use super::cluster_map::{ClusterMap, Inspector, InspectorTab, Selected, AGGREGATE_NODES};
use super::editor::Editor;
use super::events::EventStream;
use super::lesson::{Batches, LessonPane};
use super::notice::Notice;
use super::object_tree::ObjectTree;
use super::past_banner::PastBanner;
use super::pictures::{use_lesson_picture, Top};
use super::service_picture::ServicePicture;
use super::share_panel::SharePanel;
use super::splitter::Splitter;
use super::terminal::Terminal;
use super::ticker::use_ticker;
use super::top_bar::TopBar;
use crate::bridge::{BridgeHandle, Transcript};
use crate::i18n::{t, Lang, Msg};
use crate::session::{self, Prefs};
use crate::style::palette::{ACCENT, ON_ACCENT};
use engine::{Mark, Output, CLEAR_SCREEN};
use gloo::timers::callback::Interval;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::rc::Rc;
use stylist::yew::styled_component;
use yew::prelude::*;

/// How often a changed session is written, in real milliseconds. User
/// inputs are written at once; this catches the clock's ticks.
const SAVE_MS: u32 = 1000;

/// The last view built: whether the map drew it as a heat grid, the
/// resourceVersion it showed, and the `performance.now()` before which the
/// clock's ticks do not build another.
struct Pictured {
    large: bool,
    version: u64,
    next: f64,
}

fn performance_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Something the user must be told.
#[derive(Clone, PartialEq)]
pub enum Trouble {
    /// The saved session could not be restored and was kept under `key`.
    Restore { reason: String, key: String },
    /// A chosen file was not a session this kubeplay can replay.
    Import(String),
    /// The browser refused to store the session.
    Save(String),
    /// A shared link was opened: how many inputs replayed, and where the
    /// receiver's own session was kept (`None`: there was none).
    Shared { inputs: usize, kept: Option<String> },
    /// A shared link could not be opened.
    Link(String),
    /// The session kept aside for a shared link could not be put back.
    BringBack(String),
    /// The past could not be replayed.
    Rewind(String),
}

#[derive(Properties, PartialEq)]
pub struct PlaygroundProps {
    pub bridge: BridgeHandle,
    pub prefs: Prefs,
    pub on_prefs: Callback<Prefs>,
    pub trouble: Option<Trouble>,
    /// The editor buffer and terminal history to start with.
    pub editor: String,
    pub history: Vec<String>,
    /// The clock's speed to start with (0 = paused).
    pub speed: u32,
    /// What a shared scenario's replay printed, for the terminal.
    #[prop_or_default]
    pub transcript: Transcript,
}

/// Pane sizes as shares of their container.
#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Layout {
    lesson: f64,
    pictures: f64,
    terminal: f64,
    map: f64,
}

impl Default for Layout {
    fn default() -> Layout {
        Layout { lesson: 0.27, pictures: 0.33, terminal: 0.6, map: 0.62 }
    }
}

impl Layout {
    fn clamped(self) -> Layout {
        let lesson = self.lesson.clamp(0.1, 0.35);
        let pictures = self.pictures.clamp(0.2, 0.6);
        Layout {
            lesson,
            // The terminal and editor keep at least a quarter of the width.
            pictures: pictures.min(0.75 - lesson),
            terminal: self.terminal.clamp(0.15, 0.85),
            map: self.map.clamp(0.15, 0.85),
        }
    }
}

#[styled_component]
pub fn Playground(props: &PlaygroundProps) -> Html {
    let bridge = props.bridge.clone();
    let lang = props.prefs.lang;
    let view = use_state(|| Rc::new(bridge.0.view()));
    // The clock as the top bar, events and service picture show it; the
    // view of a large cluster is not rebuilt every tick, so it has its own.
    let now = use_state_eq(|| bridge.0.now());
    // Whether the last view was of a heat-grid cluster, when it was built
    // (resourceVersion) and when the ticks may build the next (ms).
    let pictured = use_mut_ref(|| Pictured { large: false, version: bridge.0.version(), next: 0.0 });
    let events = use_state(|| Rc::new(bridge.0.events()));
    let seen = use_mut_ref(|| bridge.0.version());
    let speed = use_state(|| props.speed);
    // The speed as the savers see it, without waiting for a render.
    let speed_now = use_mut_ref(|| props.speed);
    let trouble = use_state(|| props.trouble.clone());
    // The moment looked back at (read-only past mode), `None` when live.
    let past = use_state(|| bridge.0.viewing());
    // A cell, not a state: several pointer moves can arrive between two
    // renders, and each must add to the last, not to what was drawn.
    let layout = use_mut_ref(|| session::load_layout::<Layout>().unwrap_or_default().clamped());
    let redraw = use_force_update();
    // What a running `kubectl get -w` printed since the last tick, numbered
    // so the terminal appends each batch once.
    let first = u64::from(!props.transcript.is_empty());
    let incoming = use_state(|| (first, props.transcript.clone()));
    let batches = use_mut_ref(|| first);
    let editor_text = use_mut_ref(|| props.editor.clone());
    let history = use_mut_ref(|| props.history.clone());
    let dirty = use_mut_ref(|| false);
    // Set once an import has written its session: this page must not
    // overwrite it before the reload.
    let frozen = use_mut_ref(|| false);

    // `refresh(true)` redraws everything (after an input); `refresh(false)`
    // is a clock tick's, which leaves a large cluster's view as it is
    // unless a pod or node changed, and then rebuilds it at most once per
    // ten times what the last build took, so drawing thousands of nodes
    // never takes more than a tenth of the page's time.
    let refresh = {
        let bridge = bridge.clone();
        let view = view.setter();
        let now = now.setter();
        let events = events.setter();
        let seen = seen.clone();
        let pictured = pictured.clone();
        Rc::new(move |all: bool| {
            now.set(bridge.0.now());
            let version = bridge.0.version();
            let mut p = pictured.borrow_mut();
            let build = all || !p.large || {
                if version != p.version && !bridge.0.map_changed_since(p.version) {
                    p.version = version;
                }
                version != p.version && performance_now() >= p.next
            };
            if build {
                let started = performance_now();
                let built = if p.large { bridge.0.view_without_usage() } else { bridge.0.view() };
                let ended = performance_now();
                p.large = built.nodes.len() > AGGREGATE_NODES;
                p.version = version;
                p.next = ended + 9.0 * (ended - started);
                view.set(Rc::new(built));
            }
            if *seen.borrow() != version {
                *seen.borrow_mut() = version;
                events.set(Rc::new(bridge.0.events()));
            }
        })
    };
    // Journal entries already saved: inputs from other pages (a dashboard
    // saved on the Dashboards page) make the session unsaved too.
    let journaled = use_mut_ref(|| 0usize);
    let save = {
        let bridge = bridge.clone();
        let journaled = journaled.clone();
        let editor_text = editor_text.clone();
        let history = history.clone();
        let dirty = dirty.clone();
        let frozen = frozen.clone();
        let trouble = trouble.setter();
        let speed_now = speed_now.clone();
        Rc::new(move || {
            if *frozen.borrow() {
                return;
            }
            *dirty.borrow_mut() = false;
            *journaled.borrow_mut() = bridge.0.journal_len();
            let saved = bridge.0.saved(editor_text.borrow().clone(), history.borrow().clone(), *speed_now.borrow());
            if let Err(e) = session::save(&saved) {
                trouble.set(Some(Trouble::Save(e)));
            }
        })
    };
    let push = {
        let incoming = incoming.setter();
        let batches = batches.clone();
        Rc::new(move |command: Option<String>, out: Output| {
            if command.is_some() || !out.stdout.is_empty() || !out.stderr.is_empty() {
                let mut n = batches.borrow_mut();
                *n += 1;
                incoming.set((*n, vec![(command, out)]));
            }
        })
    };

    let behind = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let push = push.clone();
        let dirty = dirty.clone();
        use_ticker(
            &bridge.clone(),
            *speed,
            Rc::new(move || {
                refresh(false);
                push(None, bridge.0.poll());
                *dirty.borrow_mut() = true;
            }),
        )
    };
    {
        let save = save.clone();
        let dirty = dirty.clone();
        let bridge = bridge.clone();
        use_effect_with((), move |_| {
            let interval = Interval::new(SAVE_MS, move || {
                if *dirty.borrow() || bridge.0.journal_len() != *journaled.borrow() {
                    save();
                }
            });
            move || drop(interval)
        });
    }

    let on_interrupt = {
        let bridge = bridge.clone();
        let save = save.clone();
        Callback::from(move |_: ()| {
            let stopped = bridge.0.interrupt();
            save();
            stopped
        })
    };
    let on_complete = {
        let bridge = bridge.clone();
        Callback::from(move |line: String| bridge.0.complete(&line))
    };
    // The object a `kubectl edit` opened in the editor, while it waits.
    let editing = use_state(|| None::<String>);
    let run = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let editing = editing.clone();
        let history = history.clone();
        let save = save.clone();
        Rc::new(move |line: String| -> Output {
            // The past only reads: nothing is journaled, saved or kept in
            // the live session's history.
            if bridge.0.viewing().is_some() {
                return bridge.0.run_past(&line).unwrap_or_else(|command| refused(lang, Some(&command)));
            }
            if !line.trim().is_empty() {
                history.borrow_mut().push(line.clone());
            }
            let out = bridge.0.run(&line);
            editing.set(bridge.0.editing());
            refresh(true);
            save();
            out
        })
    };
    let on_run = {
        let run = run.clone();
        Callback::from(move |line: String| run(line))
    };
    // The top bar's pickers type their command for the learner to see.
    let on_command = {
        let run = run.clone();
        let bridge = bridge.clone();
        let push = push.clone();
        Callback::from(move |line: String| {
            let prompt = bridge.0.prompt();
            let out = run(line.clone());
            push(Some(format!("{prompt}{line}")), out);
        })
    };
    // What saving or abandoning an edit prints goes to the terminal, as the
    // waiting `kubectl edit` would have printed it.
    let on_edit_done = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let editing = editing.clone();
        let push = push.clone();
        let save = save.clone();
        Callback::from(move |text: Option<String>| -> Output {
            if bridge.0.viewing().is_some() {
                return refused(lang, None);
            }
            let out = bridge.0.finish_edit(text);
            editing.set(None);
            refresh(true);
            save();
            push(None, out.clone());
            out
        })
    };
    let on_apply = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let save = save.clone();
        Callback::from(move |manifest: String| -> (Output, Vec<Mark>) {
            if bridge.0.viewing().is_some() {
                return (refused(lang, None), Vec::new());
            }
            let applied = bridge.0.apply(&manifest);
            refresh(true);
            save();
            applied
        })
    };
    let on_diff = {
        let bridge = bridge.clone();
        Callback::from(move |manifest: String| bridge.0.diff(&manifest))
    };
    let on_editor_change = {
        let editor_text = editor_text.clone();
        let dirty = dirty.clone();
        Callback::from(move |text: String| {
            *editor_text.borrow_mut() = text;
            *dirty.borrow_mut() = true;
        })
    };
    // Looking back pauses the view (the live clock waits; the saved speed
    // stays what it was), and returning brings that speed back.
    let return_to_now = {
        let bridge = bridge.clone();
        let past = past.clone();
        let speed = speed.clone();
        let speed_now = speed_now.clone();
        let refresh = refresh.clone();
        let seen = seen.clone();
        Rc::new(move || {
            if bridge.0.viewing().is_none() {
                return;
            }
            bridge.0.return_to_now();
            past.set(None);
            speed.set(*speed_now.borrow());
            // The past's resourceVersion says nothing about the live one.
            *seen.borrow_mut() = u64::MAX;
            refresh(true);
        })
    };
    let on_seek = {
        let bridge = bridge.clone();
        let past = past.clone();
        let speed = speed.clone();
        let refresh = refresh.clone();
        let seen = seen.clone();
        let trouble = trouble.setter();
        let return_to_now = return_to_now.clone();
        Callback::from(move |ms: i64| {
            if ms >= bridge.0.live_ms() {
                return_to_now();
                return;
            }
            match bridge.0.look_back(ms) {
                Ok(at) => {
                    past.set(Some(at));
                    speed.set(0);
                    *seen.borrow_mut() = u64::MAX;
                    refresh(true);
                }
                Err(reason) => trouble.set(Some(Trouble::Rewind(reason))),
            }
        })
    };
    let on_return = {
        let return_to_now = return_to_now.clone();
        Callback::from(move |_: ()| return_to_now())
    };
    let on_speed = {
        let speed = speed.clone();
        let save = save.clone();
        let speed_now = speed_now.clone();
        let return_to_now = return_to_now.clone();
        Callback::from(move |s: u32| {
            return_to_now();
            *speed_now.borrow_mut() = s;
            speed.set(s);
            save();
        })
    };
    let on_step = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let push = push.clone();
        let save = save.clone();
        Callback::from(move |ms: i64| {
            bridge.0.step(ms);
            refresh(true);
            push(None, bridge.0.poll());
            save();
        })
    };
    let on_export = {
        let bridge = bridge.clone();
        let editor_text = editor_text.clone();
        let history = history.clone();
        let speed_now = speed_now.clone();
        Callback::from(move |_: ()| {
            let saved = bridge.0.saved(editor_text.borrow().clone(), history.borrow().clone(), *speed_now.borrow());
            session::download("kubeplay-session.json", &session::to_text(&saved));
        })
    };
    let on_import = {
        let trouble = trouble.setter();
        let frozen = frozen.clone();
        Callback::from(move |text: String| match session::parse(&text) {
            Ok(saved) => match session::save(&saved) {
                Ok(()) => {
                    *frozen.borrow_mut() = true;
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().reload();
                    }
                }
                Err(e) => trouble.set(Some(Trouble::Import(e))),
            },
            Err(reason) => trouble.set(Some(Trouble::Import(reason))),
        })
    };
    // The link of the last Share, shown until closed.
    let shared = use_state(|| None::<AttrValue>);
    let on_share = {
        let bridge = bridge.clone();
        let shared = shared.clone();
        Callback::from(move |_: ()| shared.set(Some(crate::share::link(&bridge.0.scenario()).into())))
    };
    let on_close_share = {
        let shared = shared.clone();
        Callback::from(move |_: ()| shared.set(None))
    };
    // Puts back the session a shared link set aside, and loads it.
    let bring_back = {
        let trouble = trouble.setter();
        let frozen = frozen.clone();
        move |key: String| {
            let trouble = trouble.clone();
            let frozen = frozen.clone();
            Callback::from(move |_: ()| {
                *frozen.borrow_mut() = true;
                match session::bring_back(&key) {
                    Ok(()) => {
                        if let Some(w) = web_sys::window() {
                            let _ = w.location().reload();
                        }
                    }
                    Err(e) => {
                        *frozen.borrow_mut() = false;
                        trouble.set(Some(Trouble::BringBack(e)));
                    }
                }
            })
        }
    };
    let resize = |apply: fn(&mut Layout, f64)| {
        let layout = layout.clone();
        let redraw = redraw.clone();
        Callback::from(move |d: f64| {
            let mut next = *layout.borrow();
            apply(&mut next, d);
            *layout.borrow_mut() = next.clamped();
            session::save_layout(&next.clamped());
            redraw.force_update();
        })
    };

    // A page's command, numbered, goes onto the terminal's input line.
    let paste = use_state(|| (0u64, String::new()));
    let on_paste = {
        let paste = paste.clone();
        Callback::from(move |line: String| paste.set((paste.0 + 1, line)))
    };
    // After a lesson changes the cluster (or replaces it): everything
    // redrawn, the session saved, the lesson's terminal lines printed; a
    // fresh screen (another step or lesson) also empties the input line.
    let on_lesson_change = {
        let paste = paste.clone();
        let bridge = bridge.clone();
        let events = events.setter();
        let seen = seen.clone();
        let incoming = incoming.setter();
        let batches = batches.clone();
        let refresh = refresh.clone();
        let save = save.clone();
        let editing = editing.clone();
        Callback::from(move |lines: Batches| {
            refresh(true);
            // A replaced cluster may share the old one's resourceVersion.
            *seen.borrow_mut() = bridge.0.version();
            events.set(Rc::new(bridge.0.events()));
            editing.set(bridge.0.editing());
            save();
            if lines.first().is_some_and(|(_, out)| out.stdout.starts_with(CLEAR_SCREEN)) {
                paste.set((paste.0 + 1, String::new()));
            }
            if !lines.is_empty() {
                let mut n = batches.borrow_mut();
                *n += 1;
                incoming.set((*n, lines));
            }
        })
    };
    let lesson_now = bridge.0.lesson();
    // A lesson step's picture decides which picture gets the room.
    let picture = lesson_now.as_ref().and_then(|s| s.lesson.steps[s.index].picture.clone());

    let contexts = bridge.0.contexts();
    let namespace = contexts.1.clone();
    // The context's namespace is offered even when it does not exist (yet),
    // as kubectl lets a context name one.
    let namespaces: Vec<String> =
        bridge.0.namespaces().into_iter().chain([contexts.1.clone()]).collect::<BTreeSet<_>>().into_iter().collect();
    let notice = trouble.as_ref().map(|trouble| -> (String, bool, Option<(AttrValue, Callback<()>)>) {
        let text = match trouble {
            Trouble::Restore { reason, key } => format!(
                "{}: {reason}. {} “{key}”. {}",
                t(lang, Msg::RestoreFailed),
                t(lang, Msg::KeptAsideUnder),
                t(lang, Msg::FreshCluster)
            ),
            Trouble::Import(reason) => format!("{}: {reason}", t(lang, Msg::ImportFailed)),
            Trouble::Save(reason) => format!("{}: {reason}", t(lang, Msg::SaveFailed)),
            Trouble::Shared { inputs, kept } => {
                let opened = format!(
                    "{}: {}.",
                    t(lang, Msg::SharedOpened),
                    t(lang, Msg::InputsReplayed).replace("{n}", &inputs.to_string())
                );
                match kept {
                    Some(key) => format!("{opened} {} “{key}”.", t(lang, Msg::SharedKeptUnder)),
                    None => opened,
                }
            }
            Trouble::Link(reason) => {
                format!("{}: {reason}. {}", t(lang, Msg::ShareLinkFailed), t(lang, Msg::OwnSessionUnchanged))
            }
            Trouble::BringBack(reason) => format!("{}: {reason}", t(lang, Msg::BringBackFailed)),
            Trouble::Rewind(reason) => format!("{}: {reason}", t(lang, Msg::LookBack)),
        };
        match trouble {
            Trouble::Shared { kept: Some(key), .. } => {
                (text, true, Some((t(lang, Msg::BackToMySession).into(), bring_back(key.clone()))))
            }
            Trouble::Shared { .. } => (text, true, None),
            _ => (text, false, None),
        }
    });
    let dismiss = {
        let trouble = trouble.clone();
        Callback::from(move |_: ()| trouble.set(None))
    };

    // The pod or node the map or the events picked (or a lesson step
    // opened, on the tab it set), shown in the inspector.
    let selected = use_state(|| None::<Selected>);
    let open_on = use_state(|| None::<InspectorTab>);
    let top = use_state(|| Top::Map);
    let learner_chose = use_lesson_picture(&bridge, &view, &top, &selected, &open_on);
    let on_select = {
        let selected = selected.clone();
        let open_on = open_on.clone();
        let learner_chose = learner_chose.clone();
        Callback::from(move |s: Selected| {
            learner_chose.emit(());
            open_on.set(None);
            selected.set(Some(s));
        })
    };
    let on_close_inspector = {
        let selected = selected.clone();
        Callback::from(move |_: ()| {
            learner_chose.emit(());
            selected.set(None);
        })
    };
    let tab = |which: Top, label: String, testid: &'static str| {
        let top = top.clone();
        html! {
            <button role="tab" aria-selected={(*top == which).to_string()} data-testid={testid}
                onclick={Callback::from(move |_: MouseEvent| top.set(which))}>{ label }</button>
        }
    };

    let presenter = props.prefs.presenter;
    let l = *layout.borrow();
    let middle = 1.0 - l.lesson - l.pictures;
    let columns = if presenter {
        // Without the lesson the two left share all the width (fr shares
        // summing below 1 would leave the rest empty).
        format!("grid-template-columns: minmax(0, {:.3}fr) 10px minmax(0, {:.3}fr)", 1.0 - l.pictures, l.pictures)
    } else {
        format!(
            "grid-template-columns: minmax(0, {:.3}fr) 10px minmax(0, {middle:.3}fr) 10px minmax(0, {:.3}fr)",
            l.lesson, l.pictures
        )
    };
    let map_share = match picture.as_deref() {
        Some("events") => l.map.min(0.35),
        Some("map") => l.map.max(0.55),
        _ => l.map,
    };
    let rows = |share: f64| format!("grid-template-rows: minmax(0, {share:.3}fr) 10px minmax(0, {:.3}fr)", 1.0 - share);
    let style = css!(
        r#"
        display: grid; grid-template-rows: auto auto 1fr; height: 100vh;
        & > main { display: grid; padding: 10px; min-height: 0; position: relative; }
        .stack { display: grid; min-height: 0; min-width: 0; }
        .top { display: grid; grid-template-rows: auto minmax(0, 1fr); gap: 6px; min-height: 0; min-width: 0; }
        .top > [role="tablist"] { display: flex; gap: 4px; }
        .top > [role="tablist"] button { font-size: 13px; padding: 2px 10px; }
        .top > [role="tablist"] button[aria-selected="true"] { background: ${accent}; color: ${on_accent}; border-color: ${accent}; }
        "#,
        accent = ACCENT,
        on_accent = ON_ACCENT,
    );
    html! {
        <div class={style}>
            <TopBar now={*now} speed={*speed} {on_speed} {on_step} {contexts} {namespaces} on_command={on_command.clone()}
                start_ms={bridge.0.start_ms()} live_ms={bridge.0.live_ms()} viewing={*past} {on_seek}
                prefs={props.prefs} on_prefs={props.on_prefs.clone()} {on_export} {on_import} {on_share} {behind} />
            <div>
                if let Some(at) = *past {
                    <PastBanner {at} {on_return} />
                }
                if let Some((text, info, action)) = notice {
                    <Notice {text} {info} {action} on_dismiss={dismiss} />
                }
                if let Some(link) = (*shared).clone() {
                    <SharePanel {link} on_close={on_close_share} />
                }
            </div>
            <main style={columns}>
                if !presenter {
                    <LessonPane bridge={bridge.clone()} on_change={on_lesson_change} {on_paste} past={past.is_some()} />
                    <Splitter vertical=true label={t(lang, Msg::Lesson)} value={l.lesson}
                        on_move={resize(|l, d| l.lesson += d)} testid="split-lesson" />
                }
                <div class="stack" style={rows(l.terminal)}>
                    <Terminal prompt={bridge.0.prompt()} {on_run} {on_complete} {on_interrupt}
                        incoming={(*incoming).clone()} history={props.history.clone()} paste={(*paste).clone()} />
                    <Splitter vertical=false label={t(lang, Msg::Terminal)} value={l.terminal}
                        on_move={resize(|l, d| l.terminal += d)} testid="split-terminal" />
                    <Editor initial={props.editor.clone()} on_change={on_editor_change} {on_apply} {on_diff}
                        editing={(*editing).clone()} {on_edit_done} />
                </div>
                <Splitter vertical=true label={t(lang, Msg::Pictures)} value={1.0 - l.pictures}
                    on_move={resize(|l, d| l.pictures -= d)} testid="split-pictures" />
                <div class="stack" style={rows(map_share)} data-picture={picture.unwrap_or_default()}>
                    <div class="top">
                        <div role="tablist" aria-label={t(lang, Msg::Pictures)}>
                            { tab(Top::Map, t(lang, Msg::Map).to_string(), "picture-map") }
                            { tab(Top::Services, t(lang, Msg::Services).to_string(), "picture-services") }
                            { tab(Top::Objects, t(lang, Msg::Objects).to_string(), "picture-objects") }
                        </div>
                        if *top == Top::Objects {
                            <ObjectTree bridge={bridge.clone()} version={bridge.0.version()}
                                inputs={bridge.0.journal_len()} on_command={on_command.clone()} />
                        } else if *top == Top::Services {
                            <ServicePicture bridge={bridge.clone()} {namespace} now={*now}
                                inputs={bridge.0.journal_len()} />
                        } else {
                            <ClusterMap view={(*view).clone()} selected={(*selected).clone()} on_select={on_select.clone()} />
                        }
                    </div>
                    <Splitter vertical=false label={t(lang, Msg::NodesAndPods)} value={l.map}
                        on_move={resize(|l, d| l.map += d)} testid="split-map" />
                    <EventStream events={(*events).clone()} now={*now} {on_select} />
                </div>
                if let Some(selected) = (*selected).clone() {
                    <Inspector bridge={bridge.clone()} {selected} view={(*view).clone()} on_close={on_close_inspector}
                        open_on={*open_on} />
                }
            </main>
        </div>
    }
}

/// What the page answers when something would change the past: which
/// command (if typed), that nothing ran, and the way back.
fn refused(lang: Lang, command: Option<&str>) -> Output {
    let what = t(lang, Msg::PastRefused);
    let line = command.map_or_else(|| what.to_string(), |c| format!("{c}: {what}"));
    Output::err(format!("{line}\n{}\n", t(lang, Msg::PastHint)))
}
