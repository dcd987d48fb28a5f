//! The page: a top bar with the clock, the terminal and the editor on the
//! left, the live cluster map on the right.

use super::cluster_map::ClusterMap;
use super::editor::Editor;
use super::terminal::Terminal;
use crate::bridge::{Bridge, BridgeHandle};
use crate::style::palette::*;
use engine::{ClusterView, Output};
use gloo::timers::callback::Interval;
use std::rc::Rc;
use stylist::yew::{styled_component, Global};
use yew::prelude::*;

/// How often the page advances the virtual clock, in real milliseconds.
const TICK_MS: u32 = 200;

#[styled_component]
pub fn App() -> Html {
    let bridge = use_memo((), |_| Bridge::start());
    match &*bridge {
        Ok(handle) => html! { <Playground bridge={handle.clone()} /> },
        Err(e) => html! { <p class="fatal">{ format!("The cluster could not start: {e}") }</p> },
    }
}

#[derive(Properties, PartialEq)]
struct PlaygroundProps {
    bridge: BridgeHandle,
}

#[styled_component]
fn Playground(props: &PlaygroundProps) -> Html {
    let bridge = props.bridge.clone();
    let view = use_state(|| Rc::new(bridge.0.view()));
    let running = use_state(|| true);
    // What a running `kubectl get -w` printed since the last tick, numbered
    // so the terminal appends each batch once.
    let incoming = use_state(|| (0u64, Output::default()));
    let batches = use_mut_ref(|| 0u64);

    {
        let bridge = bridge.clone();
        let view = view.setter();
        let incoming = incoming.setter();
        let batches = batches.clone();
        use_effect_with(*running, move |running| {
            let interval = running.then(|| {
                Interval::new(TICK_MS, move || {
                    bridge.0.step(TICK_MS as i64);
                    view.set(Rc::new(bridge.0.view()));
                    let out = bridge.0.poll();
                    if !out.stdout.is_empty() || !out.stderr.is_empty() {
                        let mut n = batches.borrow_mut();
                        *n += 1;
                        incoming.set((*n, out));
                    }
                })
            });
            move || drop(interval)
        });
    }
    let on_interrupt = {
        let bridge = bridge.clone();
        Callback::from(move |_: ()| bridge.0.interrupt())
    };

    let refresh = {
        let bridge = bridge.clone();
        let view = view.setter();
        move || view.set(Rc::new(bridge.0.view()))
    };
    let on_complete = {
        let bridge = bridge.clone();
        Callback::from(move |line: String| bridge.0.complete(&line))
    };
    // The object a `kubectl edit` opened in the editor, while it waits.
    let editing = use_state(|| None::<String>);
    let on_run = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let editing = editing.clone();
        Callback::from(move |line: String| -> Output {
            let out = bridge.0.run(&line);
            editing.set(bridge.0.editing());
            refresh();
            out
        })
    };
    // What saving or abandoning an edit prints goes to the terminal, as the
    // waiting `kubectl edit` would have printed it.
    let on_edit_done = {
        let bridge = bridge.clone();
        let refresh = refresh.clone();
        let editing = editing.clone();
        let incoming = incoming.clone();
        let batches = batches.clone();
        Callback::from(move |text: Option<String>| -> Output {
            let out = bridge.0.finish_edit(text);
            editing.set(None);
            refresh();
            let mut n = batches.borrow_mut();
            *n += 1;
            incoming.set((*n, out.clone()));
            out
        })
    };
    let on_apply = {
        let bridge = bridge.clone();
        Callback::from(move |manifest: String| -> Output {
            let out = bridge.0.apply(&manifest);
            refresh();
            out
        })
    };
    let toggle = {
        let running = running.clone();
        Callback::from(move |_| running.set(!*running))
    };

    let global = css!(
        r#"
        html, body { margin: 0; height: 100%; background: ${bg}; color: ${text};
            font-family: "Inter", "Noto Sans KR", system-ui, sans-serif; font-size: 16px; }
        * { box-sizing: border-box; }
        button { font: inherit; cursor: pointer; border-radius: 6px; border: 1px solid ${edge};
            background: ${panel}; color: ${text}; padding: 4px 14px; }
        button:hover, button:focus-visible { border-color: ${accent}; outline: none; }
        "#,
        bg = BG,
        text = TEXT,
        edge = PANEL_EDGE,
        panel = PANEL,
        accent = ACCENT,
    );
    let page = css!(
        r#"
        display: grid; grid-template-rows: auto 1fr; height: 100vh;
        & > header { display: flex; align-items: center; gap: 18px; padding: 8px 18px;
            border-bottom: 1px solid ${edge}; background: ${panel}; }
        & > header h1 { font-size: 20px; margin: 0; letter-spacing: 0.5px; }
        & > header h1 span { color: ${accent}; }
        & > header .clock { font-family: "JetBrains Mono", "DejaVu Sans Mono", monospace; color: ${muted}; margin-left: auto; }
        & > main { display: grid; grid-template-columns: minmax(420px, 1fr) minmax(380px, 1fr);
            gap: 12px; padding: 12px; min-height: 0; }
        .left { display: grid; grid-template-rows: 3fr 2fr; gap: 12px; min-height: 0; }
        "#,
        edge = PANEL_EDGE,
        panel = PANEL,
        accent = ACCENT,
        muted = MUTED,
    );

    html! {
        <>
        <Global css={global} />
        <div class={page}>
            <header>
                <h1>{"kube"}<span>{"play"}</span></h1>
                <span>{"cluster: default"}</span>
                <span class="clock" data-testid="clock">{ clock(&view) }</span>
                <button onclick={toggle} data-testid="pause">
                    { if *running { "Pause" } else { "Run" } }
                </button>
            </header>
            <main>
                <div class="left">
                    <Terminal prompt={bridge.0.prompt()} on_run={on_run} on_complete={on_complete}
                        on_interrupt={on_interrupt} incoming={(*incoming).clone()} />
                    <Editor on_apply={on_apply} editing={(*editing).clone()} on_edit_done={on_edit_done} />
                </div>
                <ClusterMap view={(*view).clone()} />
            </main>
        </div>
        </>
    }
}

/// The virtual clock as the cluster's date and time.
fn clock(view: &ClusterView) -> String {
    view.time.rfc3339().replace('T', " ").replace('Z', " UTC")
}
