//! The logs panel: the engine's log lines, with a filter box, the labels
//! every line shares shown once, and the panel's time, wrap and order
//! options as toggles (their saved values are where they start).

use super::rows::{self, use_row_window, RowWindow};
use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::logs::{self, LogLine};
use engine::dashboards::query::PanelData;
use engine::dashboards::Panel;
use engine::promql::Labels;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LogsProps {
    pub panel: Rc<Panel>,
    pub data: Rc<PanelData>,
}

/// A line's level, from the words Kubernetes components and servers write,
/// for the coloured mark Grafana draws beside it.
fn level(line: &str) -> &'static str {
    // klog's header starts with the severity letter and the month and day.
    let klog = |c: char| line.starts_with(c) && line.get(1..5).is_some_and(|d| d.chars().all(|x| x.is_ascii_digit()));
    let lower = line.to_lowercase();
    if klog('E') || klog('F') || ["error", "fatal", "panic"].iter().any(|w| lower.contains(w)) {
        "error"
    } else if klog('W') || lower.contains("warn") {
        "warn"
    } else {
        "info"
    }
}

fn label_text(labels: &Labels, skip: &Labels) -> String {
    labels.iter().filter(|(k, _)| !skip.contains_key(*k)).map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
}

#[function_component]
pub fn LogsPanel(props: &LogsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let saved = logs::options(&props.panel);
    let filter = use_state(String::new);
    let show_time = use_state(|| saved.show_time);
    let wrap = use_state(|| saved.wrap);
    let newest_first = use_state(|| saved.newest_first);
    let result = props.data.logs.clone().unwrap_or_default();
    let mut lines: Vec<&LogLine> = logs::search(&result.lines, &filter);
    // The engine ordered them as saved; the toggle may ask the other way.
    if *newest_first != saved.newest_first {
        lines.reverse();
    }
    let common = logs::common_labels(&result.lines);
    // Wrapped lines differ in height, so they are all put in the page.
    let node = use_node_ref();
    let (window, onscroll) = use_row_window(node.clone(), if *wrap { 0 } else { lines.len() });
    let window = if *wrap { RowWindow::whole(lines.len()) } else { window };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
                filter.set(i.value());
            }
        })
    };
    let toggle = |state: &UseStateHandle<bool>| {
        let state = state.clone();
        Callback::from(move |_: Event| state.set(!*state))
    };
    let order = {
        let newest_first = newest_first.clone();
        Callback::from(move |_: MouseEvent| newest_first.set(!*newest_first))
    };
    let common_text = label_text(&common, &Labels::new());
    html! {
        <div class="logs">
            <div class="logs-bar">
                <input type="search" data-testid="logs-filter" placeholder={tr(lang, D::FilterLines)}
                    value={(*filter).clone()} oninput={on_filter} />
                <label><input type="checkbox" data-testid="logs-time" checked={*show_time} onchange={toggle(&show_time)} />{ tr(lang, D::ShowTime) }</label>
                <label><input type="checkbox" data-testid="logs-wrap" checked={*wrap} onchange={toggle(&wrap)} />{ tr(lang, D::WrapLines) }</label>
                <button data-testid="logs-order" onclick={order}>
                    { if *newest_first { tr(lang, D::NewestFirst) } else { tr(lang, D::OldestFirst) } }
                </button>
                <span class="count" data-testid="logs-count">{ format!("{} {}", lines.len(), tr(lang, D::Lines)) }</span>
            </div>
            if !common_text.is_empty() {
                <div class="common" title={tr(lang, D::CommonLabels)}>{ format!("{}: {common_text}", tr(lang, D::CommonLabels)) }</div>
            }
            if result.truncated {
                <div class="common">{ tr(lang, D::Truncated) }</div>
            }
            <div class={classes!("lines", wrap.then_some("wrap"))} data-testid="logs-lines" ref={node} {onscroll}>
                { rows::spacer(window.before_px, None) }
                { for lines[window.start..window.end].iter().map(|l| {
                    let unique = label_text(&l.labels, &common);
                    html! {
                        <div class={classes!("log-line", level(&l.line))} data-testid="log-line" data-row="">
                            if *show_time { <span class="time">{ logs::clock(l.ms) }</span> }
                            if saved.show_labels && !unique.is_empty() { <span class="labels">{ unique.clone() }</span> }
                            <span class="text" title={unique}>{ l.line.clone() }</span>
                        </div>
                    }
                }) }
                { rows::spacer(window.after_px, None) }
            </div>
        </div>
    }
}
