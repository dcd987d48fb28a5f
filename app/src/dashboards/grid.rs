//! The dashboard's rows and panels on Grafana's 24-column grid (30 px rows,
//! 8 px margins), and moving them as Grafana does: drag a panel by its
//! header, resize it by its bottom-right corner, or, from the keyboard,
//! arrows on its move handle (Shift+arrows resize). The layout rules are
//! the engine's (`engine::dashboards::grid`); this file turns pointer
//! travel into grid cells and shows the result while the drag goes on.

use super::page::{key, Computed};
use super::panels::PanelView;
use super::text::{tr, D};
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::dashboards::grid::{arrange, move_panel, nudge, resize_panel, COLUMNS};
use engine::dashboards::layout::{sections, toggle_row};
use engine::dashboards::model::GridPos;
use engine::dashboards::template::{interpolate, Context};
use engine::dashboards::{Dashboard, Panel};
use gloo::events::EventListener;
use std::rc::Rc;
use stylist::yew::styled_component;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, MouseEvent};
use yew::prelude::*;

/// Grafana's row height and margin, in CSS pixels (the page's grid CSS).
const ROW_PX: f64 = 30.0;
const GAP_PX: f64 = 8.0;
/// The grid's left and right padding.
const PAD_PX: f64 = 14.0;

#[derive(Properties, PartialEq)]
pub struct GridProps {
    /// The working copy shown.
    pub dash: Rc<Dashboard>,
    pub computed: Rc<Computed>,
    pub uid: String,
    pub on_zoom: Callback<(i64, i64)>,
    pub on_edit: Callback<Panel>,
    /// A new layout: a row folded or unfolded, a panel moved or resized.
    pub on_change: Callback<Dashboard>,
}

/// A drag under way.
struct Drag {
    index: usize,
    resize: bool,
    /// Where the pointer went down (client pixels).
    origin: (i32, i32),
    /// The panel's cell when it began.
    start: GridPos,
    /// One column and one grid row in pixels.
    pitch: (f64, f64),
    /// The layout when it began, and as the drag has left it: each step
    /// moves on from the last, as react-grid-layout does.
    first: Dashboard,
    now: Dashboard,
    /// The cell the pointer last asked for.
    asked: GridPos,
}

/// What a drag shows: the layout it would leave, and the panel where the
/// pointer holds it.
#[derive(Clone, PartialEq)]
struct Preview {
    layout: Rc<Dashboard>,
    index: usize,
    held: GridPos,
}

fn place(g: GridPos) -> String {
    format!("grid-column: {} / span {}; grid-row: {} / span {}", g.x + 1, g.w, g.y + 1, g.h)
}

/// The cell a pointer `dx, dy` pixels away from where it went down asks for.
fn asked(d: &Drag, dx: i32, dy: i32) -> GridPos {
    let cols = (f64::from(dx) / d.pitch.0).round() as i64;
    let rows = (f64::from(dy) / d.pitch.1).round() as i64;
    let s = d.start;
    let shift = |v: u32, by: i64| (i64::from(v) + by).max(0) as u32;
    if d.resize {
        let w = shift(s.w, cols).clamp(1, COLUMNS - s.x);
        GridPos { w, h: shift(s.h, rows).max(1), ..s }
    } else {
        GridPos { x: shift(s.x, cols).min(COLUMNS - s.w), y: shift(s.y, rows), ..s }
    }
}

#[styled_component]
pub fn Grid(props: &GridProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let root = use_node_ref();
    // The dashboard as Grafana lays it out: sizes filled in, compacted.
    let arranged = use_memo(props.dash.clone(), |d| {
        let mut d = (**d).clone();
        arrange(&mut d);
        d
    });
    let preview = use_state(|| None::<Preview>);
    let drag = use_mut_ref(|| None::<Drag>);
    let listeners = use_mut_ref(Vec::<EventListener>::new);
    // The handle to focus again once a keyboard move has been drawn.
    let refocus = use_mut_ref(|| None::<String>);
    // Where a keyboard move left the panel, read out by screen readers.
    let status = use_state(String::new);
    {
        let root = root.clone();
        let refocus = refocus.clone();
        use_effect(move || {
            if let Some(selector) = refocus.borrow_mut().take() {
                let found = root.cast::<Element>().and_then(|r| r.query_selector(&selector).ok().flatten());
                if let Some(el) = found.and_then(|e| e.dyn_into::<HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }

    // Pointer travel while a drag is under way; the listeners stay on the
    // window (idle between drags) and are replaced at the next drag.
    let begin = {
        let root = root.clone();
        let drag = drag.clone();
        let listeners = listeners.clone();
        let preview = preview.clone();
        let arranged = arranged.clone();
        let on_change = props.on_change.clone();
        Rc::new(move |index: usize, resize: bool, e: &MouseEvent| {
            let Some(grid) = root.cast::<Element>() else { return };
            let Some(panel) = arranged.panels.get(index) else { return };
            let inner = f64::from(grid.client_width()) - 2.0 * PAD_PX;
            let column = (inner - GAP_PX * f64::from(COLUMNS - 1)) / f64::from(COLUMNS);
            let start = panel.grid_pos;
            *drag.borrow_mut() = Some(Drag {
                index,
                resize,
                origin: (e.client_x(), e.client_y()),
                start,
                pitch: ((column + GAP_PX).max(1.0), ROW_PX + GAP_PX),
                first: (*arranged).clone(),
                now: (*arranged).clone(),
                asked: start,
            });
            let Some(window) = web_sys::window() else { return };
            let on_move = {
                let drag = drag.clone();
                let preview = preview.clone();
                EventListener::new(&window, "mousemove", move |e| {
                    let Some(e) = e.dyn_ref::<MouseEvent>() else { return };
                    let mut slot = drag.borrow_mut();
                    let Some(d) = slot.as_mut() else { return };
                    let want = asked(d, e.client_x() - d.origin.0, e.client_y() - d.origin.1);
                    if want == d.asked {
                        return;
                    }
                    d.asked = want;
                    if d.resize {
                        resize_panel(&mut d.now, d.index, want.w, want.h);
                    } else {
                        move_panel(&mut d.now, d.index, want.x, want.y);
                    }
                    preview.set(Some(Preview { layout: Rc::new(d.now.clone()), index: d.index, held: want }));
                })
            };
            let on_up = {
                let drag = drag.clone();
                let preview = preview.clone();
                let on_change = on_change.clone();
                EventListener::new(&window, "mouseup", move |_| {
                    let Some(d) = drag.borrow_mut().take() else { return };
                    preview.set(None);
                    if d.now != d.first {
                        on_change.emit(d.now);
                    }
                })
            };
            *listeners.borrow_mut() = vec![on_move, on_up];
        })
    };

    // The data each panel drew, found by its place in `dash.panels`: a
    // drag may reorder what the sections hold, never the panel list.
    let mut data_key: Vec<Option<String>> = vec![None; props.dash.panels.len()];
    for s in sections(&props.dash).iter().filter(|s| !s.collapsed) {
        for (i, p) in s.panels.iter().enumerate() {
            if let Some(ix) = props.dash.panels.iter().position(|q| std::ptr::eq(q, *p)) {
                data_key[ix] = Some(key(p, i));
            }
        }
    }
    let shown: &Dashboard = preview.as_ref().map_or(&arranged, |p| &p.layout);
    let mut cells: Vec<Html> = Vec::new();
    for s in sections(shown) {
        if let Some(row) = s.row {
            let Some(ix) = shown.panels.iter().position(|q| std::ptr::eq(q, row)) else { continue };
            let id = row.id.unwrap_or_default();
            let onclick = {
                let arranged = arranged.clone();
                let on_change = props.on_change.clone();
                Callback::from(move |_| {
                    let mut next = (*arranged).clone();
                    toggle_row(&mut next, id);
                    arrange(&mut next);
                    on_change.emit(next);
                })
            };
            let title = interpolate(&row.title, &props.computed.vars, &[], Context::Text);
            let count = if s.collapsed { format!("({})", s.panels.len()) } else { String::new() };
            cells.push(html! {
                <div key={format!("r{ix}")} class="row" style={place(row.grid_pos)}
                    data-testid="row" data-collapsed={s.collapsed.to_string()} {onclick}>
                    { if s.collapsed { "▸" } else { "▾" } }{ " " }{ title }<span>{ count }</span>
                </div>
            });
        }
        if s.collapsed {
            continue;
        }
        for p in &s.panels {
            let Some(ix) = shown.panels.iter().position(|q| std::ptr::eq(q, *p)) else { continue };
            let g = p.grid_pos;
            let held = preview.as_ref().filter(|pr| pr.index == ix).map(|pr| pr.held);
            let data = data_key[ix].as_ref().and_then(|k| props.computed.data.get(k)).cloned().unwrap_or_default();
            // The panel as the page's state has it (its place is the grid's business).
            let panel = props.dash.panels.get(ix).cloned().unwrap_or_else(|| (*p).clone());
            let on_edit = {
                let on_edit = props.on_edit.clone();
                let panel = panel.clone();
                Callback::from(move |_| on_edit.emit(panel.clone()))
            };
            let onmousedown = {
                let begin = begin.clone();
                Callback::from(move |e: MouseEvent| {
                    let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
                    let on_header = target.as_ref().and_then(|t| t.closest(".panel > header, .move").ok().flatten());
                    let on_control =
                        target.as_ref().and_then(|t| t.closest("button:not(.move), input, select, a").ok().flatten());
                    if e.button() == 0 && on_header.is_some() && on_control.is_none() {
                        e.prevent_default();
                        begin(ix, false, &e);
                    }
                })
            };
            let on_resize_down = {
                let begin = begin.clone();
                Callback::from(move |e: MouseEvent| {
                    if e.button() == 0 {
                        e.prevent_default();
                        e.stop_propagation();
                        begin(ix, true, &e);
                    }
                })
            };
            // Arrows on a handle: move (or, with Shift or on the resize
            // handle, resize) by one cell, then keep the focus there.
            let keys = |resize_only: bool, testid: &'static str| {
                let arranged = arranged.clone();
                let on_change = props.on_change.clone();
                let refocus = refocus.clone();
                let status = status.clone();
                let title = interpolate(&p.title, &props.computed.vars, &[], Context::Text);
                Callback::from(move |e: KeyboardEvent| {
                    let (dx, dy) = match e.key().as_str() {
                        "ArrowLeft" => (-1, 0),
                        "ArrowRight" => (1, 0),
                        "ArrowUp" => (0, -1),
                        "ArrowDown" => (0, 1),
                        _ => return,
                    };
                    e.prevent_default();
                    let mut next = (*arranged).clone();
                    let changed = if resize_only || e.shift_key() {
                        let w = (g.w as i32 + dx).max(1) as u32;
                        let h = (g.h as i32 + dy).max(1) as u32;
                        resize_panel(&mut next, ix, w, h)
                    } else {
                        nudge(&mut next, ix, dx, dy)
                    };
                    if changed {
                        *refocus.borrow_mut() = Some(format!("[data-testid={testid}][data-index=\"{ix}\"]"));
                        let g = next.panels.get(ix).map(|p| p.grid_pos).unwrap_or_default();
                        status.set(format!("{title}: {}, {} · {}×{}", g.x, g.y, g.w, g.h));
                        on_change.emit(next);
                    }
                })
            };
            let position = format!("{}, {} · {}×{}", g.x, g.y, g.w, g.h);
            if held.is_some() {
                cells.push(html! { <div key="drop" class="drop" data-testid="drop-place" style={place(g)} /> });
            }
            let class = if held.is_some() { "cell held" } else { "cell" };
            cells.push(html! {
                <div key={format!("p{ix}")} {class} style={format!("{}; display: grid", place(held.unwrap_or(g)))}
                    data-testid="cell" data-index={ix.to_string()} data-x={g.x.to_string()} data-y={g.y.to_string()}
                    data-w={g.w.to_string()} data-h={g.h.to_string()} {onmousedown}>
                    <PanelView panel={Rc::new(panel)} {data} vars={props.computed.vars.clone()} on_zoom={props.on_zoom.clone()} />
                    <button class="move" data-testid="move-panel" data-index={ix.to_string()}
                        title={tr(lang, D::MovePanel)} aria-label={format!("{} ({position})", tr(lang, D::MovePanel))}
                        onkeydown={keys(false, "move-panel")}>{ "⠿" }</button>
                    <button class="edit" data-testid="edit-panel" title={tr(lang, D::Edit)} onclick={on_edit}>{ "✎" }</button>
                    <button class="resize" data-testid="resize-panel" data-index={ix.to_string()}
                        title={tr(lang, D::ResizePanel)} aria-label={format!("{} ({position})", tr(lang, D::ResizePanel))}
                        onmousedown={on_resize_down} onkeydown={keys(true, "resize-panel")} />
                </div>
            });
        }
    }
    let style = css!(
        r#"
        .panel > header { cursor: grab; user-select: none; }
        .cell > button.move { position: absolute; top: 2px; left: 4px; font-size: 12px; padding: 0 4px; opacity: 0.45; cursor: grab; }
        .cell:hover > button.move, .cell > button.move:focus-visible { opacity: 1; }
        .cell > button.resize { position: absolute; right: 0; bottom: 0; width: 14px; height: 14px; padding: 0; border: 0;
            background: linear-gradient(135deg, transparent 0 55%, ${muted} 55% 62%, transparent 62% 75%, ${muted} 75% 82%, transparent 82%);
            cursor: se-resize; opacity: 0.6; }
        .cell:hover > button.resize, .cell > button.resize:focus-visible { opacity: 1; }
        .cell.held { z-index: 2; opacity: 0.85; box-shadow: 0 6px 18px rgba(0,0,0,0.35); }
        .cell.held .panel > header { cursor: grabbing; }
        .status { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); margin: 0; }
        .drop { background: ${accent}; opacity: 0.15; border-radius: 4px; }
        "#,
        muted = MUTED,
        accent = ACCENT,
    );
    html! {
        <div class={classes!("grid", style)} data-uid={props.uid.clone()} ref={root}>
            <p key="status" class="status" aria-live="polite" data-testid="grid-status">{ (*status).clone() }</p>
            { for cells }
        </div>
    }
}
