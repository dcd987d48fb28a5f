//! The map on one canvas, for clusters too big for a DOM node per pod:
//! node boxes with their request and use bars and a dot per pod, or, past
//! [`super::AGGREGATE_NODES`], a heat grid with one cell per node shaded by
//! the share of its CPU requested. The pending pods follow as dots.
//!
//! Colours come from the theme's CSS variables, read once per draw. Each
//! drawn thing leaves a hit box, so a click or the keyboard (arrows move,
//! Enter opens) selects it as on the DOM map.

use super::cards::{cpu, memory, percent};
use super::text::{tx, Text};
use super::Selected;
use crate::i18n::{t, Lang, Msg};
use crate::style::{palette::*, status_color};
use engine::{ClusterView, NodeCard, PodChip};
use gloo::events::EventListener;
use std::collections::HashMap;
use std::rc::Rc;
use stylist::yew::styled_component;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::prelude::*;

/// One drawn thing a click can land on, in CSS pixels.
#[derive(Clone, Debug, PartialEq)]
struct Hit {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    what: Selected,
    label: String,
}

impl Hit {
    fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x && x < self.x + self.w && y >= self.y && y < self.y + self.h
    }
}

const GAP: f64 = 8.0;
const BOX_MIN: f64 = 190.0;
const DOT: f64 = 7.0;
const PITCH: f64 = 9.0;
const HEAD: f64 = 30.0;
const BARS: f64 = 18.0;
/// The heat grid's cells: as large as lets the grid fit about this high,
/// within these bounds.
const HEAT_HEIGHT: f64 = 260.0;
const CELL_MIN: f64 = 6.0;
const CELL_MAX: f64 = 26.0;

/// The theme's colours by CSS variable, looked up once per draw.
struct Palette {
    style: Option<web_sys::CssStyleDeclaration>,
    cache: HashMap<String, String>,
}

impl Palette {
    fn new(el: &web_sys::Element) -> Palette {
        let style = web_sys::window().and_then(|w| w.get_computed_style(el).ok().flatten());
        Palette { style, cache: HashMap::new() }
    }

    /// `var(--ok)` (as the palette module writes it) or `--ok`, resolved.
    fn get(&mut self, var: &str) -> String {
        let name = var.trim_start_matches("var(").trim_end_matches(')');
        if let Some(c) = self.cache.get(name) {
            return c.clone();
        }
        let value = self
            .style
            .as_ref()
            .and_then(|s| s.get_property_value(name).ok())
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "#888".into());
        self.cache.insert(name.to_string(), value.clone());
        value
    }
}

/// Pods by node, in the view's order; the pending ones apart.
fn by_node(view: &ClusterView) -> (HashMap<&str, Vec<&PodChip>>, Vec<&PodChip>) {
    let mut on: HashMap<&str, Vec<&PodChip>> = HashMap::new();
    let mut pending = Vec::new();
    for p in &view.pods {
        match &p.node {
            Some(n) => on.entry(n.as_str()).or_default().push(p),
            None => pending.push(p),
        }
    }
    (on, pending)
}

fn is_pod(selected: Option<&Selected>, p: &PodChip) -> bool {
    matches!(selected, Some(Selected::Pod { namespace, name }) if *namespace == p.namespace && *name == p.name)
}

fn pod_hit(p: &PodChip, x: f64, y: f64) -> Hit {
    Hit {
        x: x - 1.0,
        y: y - 1.0,
        w: PITCH,
        h: PITCH,
        what: Selected::Pod { namespace: p.namespace.clone(), name: p.name.clone() },
        label: format!("{}/{} {}", p.namespace, p.name, p.status),
    }
}

/// Dots for `pods` from (x, y) in rows `width` wide; returns the height used.
fn dots(
    ctx: &CanvasRenderingContext2d,
    colors: &mut Palette,
    pods: &[&PodChip],
    (x, y, width): (f64, f64, f64),
    selected: Option<&Selected>,
    hits: &mut Vec<Hit>,
) -> f64 {
    let per_row = ((width / PITCH).floor() as usize).max(1);
    for (i, p) in pods.iter().enumerate() {
        let px = x + (i % per_row) as f64 * PITCH;
        let py = y + (i / per_row) as f64 * PITCH;
        ctx.set_global_alpha(if p.system { 0.45 } else { 1.0 });
        ctx.set_fill_style_str(&colors.get(status_color(&p.status)));
        ctx.fill_rect(px, py, DOT, DOT);
        ctx.set_global_alpha(1.0);
        if is_pod(selected, p) {
            ctx.set_stroke_style_str(&colors.get(ACCENT));
            ctx.set_line_width(2.0);
            ctx.stroke_rect(px - 1.5, py - 1.5, DOT + 3.0, DOT + 3.0);
        }
        hits.push(pod_hit(p, px, py));
    }
    (pods.len().div_ceil(per_row)) as f64 * PITCH
}

fn node_state(node: &NodeCard) -> (bool, bool) {
    (node.status.split(',').next() == Some("Ready"), node.status.contains("SchedulingDisabled"))
}

/// A request bar with the use under it, `w` wide.
fn bar(ctx: &CanvasRenderingContext2d, colors: &mut Palette, (x, y, w): (f64, f64, f64), req: i64, used: Option<i64>) {
    ctx.set_fill_style_str(&colors.get(RAISED));
    ctx.fill_rect(x, y, w, 5.0);
    ctx.set_fill_style_str(&colors.get(if req > 100 { ERROR } else { ACCENT }));
    ctx.fill_rect(x, y, w * req.min(100) as f64 / 100.0, 5.0);
    if let Some(u) = used {
        ctx.set_fill_style_str(&colors.get(DONE));
        ctx.fill_rect(x, y + 6.0, w * u.min(100) as f64 / 100.0, 2.0);
    }
}

/// Node boxes with bars and pod dots; returns the height drawn.
fn draw_boxes(
    ctx: &CanvasRenderingContext2d,
    colors: &mut Palette,
    view: &ClusterView,
    on: &HashMap<&str, Vec<&PodChip>>,
    width: f64,
    selected: Option<&Selected>,
    hits: &mut Vec<Hit>,
) -> f64 {
    let columns = (((width + GAP) / (BOX_MIN + GAP)).floor() as usize).max(1);
    let box_w = (width - GAP * (columns - 1) as f64) / columns as f64;
    let inner = box_w - 12.0;
    let per_row = ((inner / PITCH).floor() as usize).max(1);
    let empty = Vec::new();
    let mut y = 0.0;
    for row in view.nodes.chunks(columns) {
        let height = row
            .iter()
            .map(|n| on.get(n.name.as_str()).map_or(0, Vec::len).div_ceil(per_row) as f64 * PITCH)
            .fold(0.0, f64::max)
            + HEAD
            + BARS
            + 10.0;
        for (i, node) in row.iter().enumerate() {
            let x = i as f64 * (box_w + GAP);
            let (ready, cordoned) = node_state(node);
            ctx.set_fill_style_str(&colors.get(SUNKEN));
            ctx.fill_rect(x, y, box_w, height);
            let chosen = matches!(selected, Some(Selected::Node(n)) if *n == node.name);
            let edge = match (chosen, ready, cordoned) {
                (true, _, _) => ACCENT,
                (_, false, _) => ERROR,
                (_, _, true) => WARN,
                _ => PANEL_EDGE,
            };
            ctx.set_stroke_style_str(&colors.get(edge));
            ctx.set_line_width(if chosen { 2.0 } else { 1.0 });
            ctx.stroke_rect(x + 0.5, y + 0.5, box_w - 1.0, height - 1.0);
            ctx.set_fill_style_str(&colors.get(TEXT));
            ctx.set_font("600 12px system-ui, sans-serif");
            let _ = ctx.fill_text_with_max_width(&node.name, x + 6.0, y + 13.0, inner);
            ctx.set_font("11px system-ui, sans-serif");
            ctx.set_fill_style_str(&colors.get(match (ready, cordoned) {
                (false, _) => ERROR,
                (_, true) => WARN,
                _ => OK,
            }));
            let _ = ctx.fill_text_with_max_width(&node.status, x + 6.0, y + 26.0, inner);
            let usage = node.usage.unwrap_or_default();
            let has = node.usage.is_some();
            bar(
                ctx,
                colors,
                (x + 6.0, y + HEAD, inner),
                percent(node.requested.cpu, node.allocatable.cpu),
                has.then(|| percent(usage.cpu, node.allocatable.cpu)),
            );
            bar(
                ctx,
                colors,
                (x + 6.0, y + HEAD + 9.0, inner),
                percent(node.requested.memory, node.allocatable.memory),
                has.then(|| percent(usage.memory, node.allocatable.memory)),
            );
            let pods = on.get(node.name.as_str()).unwrap_or(&empty);
            dots(ctx, colors, pods, (x + 6.0, y + HEAD + BARS + 2.0, inner), selected, hits);
            // The node's own box goes after its pods: a click on a dot finds the pod first.
            hits.push(Hit {
                x,
                y,
                w: box_w,
                h: height,
                what: Selected::Node(node.name.clone()),
                label: format!(
                    "{} {} · cpu {} / {} · memory {} / {}",
                    node.name,
                    node.status,
                    cpu(node.requested.cpu),
                    cpu(node.allocatable.cpu),
                    memory(node.requested.memory),
                    memory(node.allocatable.memory)
                ),
            });
        }
        y += height + GAP;
    }
    y
}

/// The heat grid's cell pitch and columns for `nodes` cells `width` wide.
fn heat_grid(nodes: usize, width: f64) -> (f64, usize) {
    let pitch = (width * HEAT_HEIGHT / nodes.max(1) as f64).sqrt().floor().clamp(CELL_MIN, CELL_MAX);
    (pitch, ((width / pitch).floor() as usize).max(1))
}

/// The height the waiting lane takes for `pods` dots `width` wide.
fn lane_height(pods: usize, width: f64) -> f64 {
    if pods == 0 {
        return 0.0;
    }
    let per_row = ((width / PITCH).floor() as usize).max(1);
    26.0 + pods.div_ceil(per_row) as f64 * PITCH
}

/// One cell per node, stronger as more of its CPU is requested; returns the
/// height drawn.
fn draw_heat(
    ctx: &CanvasRenderingContext2d,
    colors: &mut Palette,
    view: &ClusterView,
    width: f64,
    selected: Option<&Selected>,
    hits: &mut Vec<Hit>,
) -> f64 {
    let (pitch, columns) = heat_grid(view.nodes.len(), width);
    let cell = pitch - (pitch / 6.0).ceil();
    let place = |i: usize| ((i % columns) as f64 * pitch, (i / columns) as f64 * pitch);
    // Thousands of cells: the canvas's colour and alpha change only when a
    // cell needs another, not for every cell.
    ctx.set_fill_style_str(&colors.get(RAISED));
    for i in 0..view.nodes.len() {
        let (x, y) = place(i);
        ctx.fill_rect(x, y, cell, cell);
    }
    let (accent, error) = (colors.get(ACCENT), colors.get(ERROR));
    // (ready, requested CPU %) of the last cell filled.
    let mut last: Option<(bool, i64)> = None;
    for (i, node) in view.nodes.iter().enumerate() {
        let (x, y) = place(i);
        let ready = node_state(node).0;
        let share = if ready { percent(node.requested.cpu, node.allocatable.cpu).clamp(0, 100) } else { 100 };
        if last.map(|l| l.0) != Some(ready) {
            ctx.set_fill_style_str(if ready { &accent } else { &error });
        }
        if last.map(|l| l.1) != Some(share) {
            ctx.set_global_alpha(if ready { 0.12 + 0.88 * share as f64 / 100.0 } else { 1.0 });
        }
        last = Some((ready, share));
        ctx.fill_rect(x, y, cell, cell);
    }
    ctx.set_global_alpha(1.0);
    for (i, node) in view.nodes.iter().enumerate() {
        let (x, y) = place(i);
        let cordoned = node_state(node).1;
        let chosen = matches!(selected, Some(Selected::Node(n)) if *n == node.name);
        if cordoned || chosen {
            ctx.set_stroke_style_str(&colors.get(if chosen { TEXT } else { WARN }));
            ctx.set_line_width(if chosen { 2.0 } else { 1.5 });
            ctx.stroke_rect(x + 0.75, y + 0.75, cell - 1.5, cell - 1.5);
        }
        hits.push(Hit {
            x,
            y,
            w: pitch,
            h: pitch,
            what: Selected::Node(node.name.clone()),
            label: format!(
                "{} {} · CPU {}%",
                node.name,
                node.status,
                percent(node.requested.cpu, node.allocatable.cpu)
            ),
        });
    }
    view.nodes.len().div_ceil(columns) as f64 * pitch
}

/// Draws the whole map; returns the hit boxes and how many pods and node
/// shapes were drawn.
fn draw(
    canvas: &HtmlCanvasElement,
    view: &ClusterView,
    aggregate: bool,
    selected: Option<&Selected>,
    cursor: Option<usize>,
    lane: &str,
) -> Option<(Vec<Hit>, usize)> {
    let window = web_sys::window()?;
    let width = f64::from(canvas.parent_element()?.client_width()).max(100.0);
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    let mut colors = Palette::new(canvas);
    let (on, pending) = by_node(view);
    // Lay out once without drawing to learn the height, then size the canvas.
    let mut hits = Vec::new();
    let ratio = window.device_pixel_ratio().max(1.0);
    let pass = |ctx: &CanvasRenderingContext2d, hits: &mut Vec<Hit>, colors: &mut Palette| -> f64 {
        let mut y = if aggregate {
            draw_heat(ctx, colors, view, width, selected, hits)
        } else {
            draw_boxes(ctx, colors, view, &on, width, selected, hits)
        };
        if !pending.is_empty() {
            y += 6.0;
            ctx.set_fill_style_str(&colors.get(WARN));
            ctx.set_font("600 13px system-ui, sans-serif");
            let _ = ctx.fill_text(&format!("{lane} ({})", pending.len()), 0.0, y + 12.0);
            y += 20.0;
            y += dots(ctx, colors, &pending, (0.0, y, width), selected, hits);
        }
        y + 4.0
    };
    // The heat grid's height is arithmetic; thousands of cells are not
    // laid out twice.
    let height = if aggregate {
        let (pitch, columns) = heat_grid(view.nodes.len(), width);
        (view.nodes.len().div_ceil(columns) as f64 * pitch + lane_height(pending.len(), width) + 4.0).ceil()
    } else {
        pass(&ctx, &mut Vec::new(), &mut colors).ceil()
    };
    canvas.set_width((width * ratio) as u32);
    canvas.set_height((height * ratio) as u32);
    let style = canvas.style();
    let _ = style.set_property("width", &format!("{width}px"));
    let _ = style.set_property("height", &format!("{height}px"));
    let _ = ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    ctx.clear_rect(0.0, 0.0, width, height);
    pass(&ctx, &mut hits, &mut colors);
    if let Some(hit) = cursor.and_then(|i| hits.get(i)) {
        ctx.set_stroke_style_str(&colors.get(ACCENT));
        ctx.set_line_width(2.0);
        ctx.stroke_rect(hit.x - 1.0, hit.y - 1.0, hit.w + 2.0, hit.h + 2.0);
    }
    let drawn = view.pods.len() + view.nodes.len();
    Some((hits, drawn))
}

#[derive(Properties, PartialEq)]
pub struct MapCanvasProps {
    pub view: Rc<ClusterView>,
    pub aggregate: bool,
    pub selected: Option<Selected>,
    pub on_select: Callback<Selected>,
}

#[styled_component]
pub fn MapCanvas(props: &MapCanvasProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let canvas = use_node_ref();
    let hits = use_mut_ref(Vec::<Hit>::new);
    // The keyboard's place among the hit boxes; `None` until an arrow key.
    let cursor = use_state(|| None::<usize>);
    // Bumped by a window resize: the canvas must be laid out again.
    let resized = use_state(|| 0u32);
    {
        let resized = resized.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window()
                .map(|w| EventListener::new(&w, "resize", move |_| resized.set(resized.wrapping_add(1))));
            move || drop(listener)
        });
    }
    {
        // The hit boxes change with the drawing: the keyboard starts over.
        let cursor = cursor.clone();
        use_effect_with(props.aggregate, move |_| cursor.set(None));
    }
    {
        let canvas = canvas.clone();
        let hits = hits.clone();
        let lane = t(lang, Msg::WaitingForNode);
        use_effect_with(
            (props.view.clone(), props.aggregate, props.selected.clone(), *cursor, *resized, lang),
            move |(view, aggregate, selected, cursor, _, _)| {
                if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                    let started = web_sys::window().and_then(|w| w.performance()).map(|p| p.now());
                    if let Some((drawn_hits, drawn)) = draw(&el, view, *aggregate, selected.as_ref(), *cursor, lane) {
                        *hits.borrow_mut() = drawn_hits;
                        let _ = el.set_attribute("data-drawn", &drawn.to_string());
                    }
                    let ended = web_sys::window().and_then(|w| w.performance()).map(|p| p.now());
                    if let (Some(a), Some(b)) = (started, ended) {
                        // Read by the browser benchmark, never asserted on.
                        let _ = el.set_attribute("data-draw-ms", &format!("{:.2}", b - a));
                    }
                }
            },
        );
    }
    let onclick = {
        let hits = hits.clone();
        let on_select = props.on_select.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: MouseEvent| {
            let (x, y) = (f64::from(e.offset_x()), f64::from(e.offset_y()));
            let found = hits.borrow().iter().position(|h| h.contains(x, y));
            if let Some(i) = found {
                cursor.set(Some(i));
                if let Some(h) = hits.borrow().get(i) {
                    on_select.emit(h.what.clone());
                }
            }
        })
    };
    let onkeydown = {
        let hits = hits.clone();
        let on_select = props.on_select.clone();
        let cursor = cursor.clone();
        Callback::from(move |e: KeyboardEvent| {
            let count = hits.borrow().len();
            if count == 0 {
                return;
            }
            let at = cursor.unwrap_or(0);
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => Some((at + 1) % count),
                "ArrowLeft" | "ArrowUp" => Some((at + count - 1) % count),
                "Home" => Some(0),
                "End" => Some(count - 1),
                "Enter" | " " => {
                    if let Some(h) = hits.borrow().get(at) {
                        on_select.emit(h.what.clone());
                    }
                    e.prevent_default();
                    None
                }
                _ => None,
            };
            if let Some(n) = next {
                e.prevent_default();
                cursor.set(Some(n));
            }
        })
    };
    let focused = cursor.and_then(|i| hits.borrow().get(i).map(|h| h.label.clone())).unwrap_or_default();
    let style = css!(
        r#"
        canvas { display: block; cursor: pointer; border-radius: 6px; }
        canvas:focus-visible { outline: 2px solid ${accent}; outline-offset: 2px; }
        .legend { font-size: 12px; color: ${muted}; margin: 6px 0 0; }
        .focus { font-size: 12px; min-height: 1.3em; margin: 4px 0 0; font-family: ${mono}; }
        "#,
        accent = ACCENT,
        muted = MUTED,
        mono = MONO,
    );
    html! {
        <div class={style}>
            <div class="canvas-wrap">
                <canvas ref={canvas} tabindex="0" role="img" data-testid="map-canvas"
                    aria-label={t(lang, Msg::NodesAndPods)} {onclick} {onkeydown} />
            </div>
            <p class="focus" aria-live="polite">{ focused }</p>
            if props.aggregate {
                <p class="legend">{ tx(lang, Text::HeatLegend) }</p>
            }
        </div>
    }
}
