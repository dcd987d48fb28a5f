//! The heatmap panel: the engine's cells drawn with plotters on a canvas,
//! coloured on the panel's scheme, a legend with the scale's ends, and the
//! bucket and count under the pointer.

use super::chart::{self, rgb};
use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::heatmap::{self, Colors, Heatmap};
use engine::dashboards::query::PanelData;
use engine::dashboards::units;
use engine::dashboards::Panel;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use serde_json::Value;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Where the plot sits in the canvas, as `draw` lays it out.
const MARGIN: i32 = 6;
const Y_LABELS: i32 = 62;
const X_LABELS: i32 = 20;

#[derive(Properties, PartialEq)]
pub struct HeatmapProps {
    pub panel: Rc<Panel>,
    pub data: Rc<PanelData>,
}

/// The Y axis unit: the newer `yAxis.unit`, the older `yAxis.format`, or
/// the field's unit.
fn y_unit(panel: &Panel) -> String {
    let axis = panel.options.get("yAxis").or_else(|| panel.extra.get("yAxis"));
    axis.and_then(|a| a.get("unit").or_else(|| a.get("format")))
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| panel.field_config.defaults.unit.clone())
        .unwrap_or_default()
}

/// A bound on the Y axis, in the panel's unit when it is a number.
fn bound(unit: &str, text: &str, v: f64) -> String {
    if v.is_finite() && !unit.is_empty() {
        units::format(unit, v, None)
    } else {
        text.to_string()
    }
}

/// Draws the cells; the error is plotters'.
fn draw(
    canvas: &HtmlCanvasElement,
    map: &Heatmap,
    colors: &Colors,
    unit: &str,
    (start, end): (i64, i64),
    gap: u32,
) -> Result<(), String> {
    let (w, h) = chart::fit(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    let axis = rgb("#8a95a3");
    let n = map.rows.len();
    let (lo, hi) = if map.ordinal {
        (0.0, n.max(1) as f64)
    } else {
        (map.axis(map.rows.first().map_or(0.0, |r| r.lo)), map.axis(map.rows.last().map_or(1.0, |r| r.hi)))
    };
    let mut chart = ChartBuilder::on(&root)
        .margin(MARGIN as u32)
        .x_label_area_size(X_LABELS as u32)
        .y_label_area_size(Y_LABELS as u32)
        .build_cartesian_2d(start..end.max(start + 1), lo..hi.max(lo + f64::EPSILON))
        .map_err(|e| e.to_string())?;
    // Ordinal rows are labelled by their upper bound at their top edge;
    // every `every`-th bound when there is no room for them all.
    let plot_height = (h as i32 - 2 * MARGIN - X_LABELS).max(1) as usize;
    let every = ((n + 1) * 13).div_ceil(plot_height).max(1);
    let rows = map.rows.clone();
    let ordinal = map.ordinal;
    let unit_owned = unit.to_string();
    let linear = map.clone();
    let y_fmt = move |v: &f64| {
        if !ordinal {
            // On a log axis the ticks are exponents: label the powers only.
            if linear.log_base.is_some() && (v - v.round()).abs() > 1e-6 {
                return String::new();
            }
            return units::format(&unit_owned, linear.value(*v), None);
        }
        let k = v.round();
        let top = k as usize == n && n % every > every / 2;
        if (v - k).abs() > 1e-6 || (k as usize % every != 0 && !top) {
            return String::new();
        }
        match k as usize {
            0 => rows.first().map_or(String::new(), |r| bound(&unit_owned, &format!("{}", r.lo), r.lo)),
            i => rows.get(i - 1).map_or(String::new(), |r| bound(&unit_owned, &r.label, r.hi)),
        }
    };
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(if ordinal { n + 1 } else { 6 })
        .x_label_formatter(&|t| chart::clock_seconds(*t)[..5].to_string())
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", 11).into_font().color(&axis))
        .axis_style(axis.mix(0.5))
        .bold_line_style(TRANSPARENT)
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(|e| e.to_string())?;
    // Grafana's cell gap in pixels, as time and axis lengths.
    let plot_w = (w as i32 - 2 * MARGIN - Y_LABELS).max(1) as f64;
    let plot_h = (h as i32 - 2 * MARGIN - X_LABELS).max(1) as f64;
    let gap_t = ((f64::from(gap) * (end - start) as f64 / plot_w) as i64).min(map.width_ms / 2);
    let gap_y = f64::from(gap) * (hi - lo) / plot_h;
    let cells = map.times.iter().zip(&map.counts).flat_map(|(t, column)| {
        column.iter().enumerate().filter_map(move |(i, v)| {
            let f = colors.position(*v, map.min, map.max)?;
            let (hex, alpha) = colors.at(f);
            let c = rgb(&hex);
            let (y0, y1) = if map.ordinal {
                (i as f64, i as f64 + 1.0)
            } else {
                (map.axis(map.rows[i].lo), map.axis(map.rows[i].hi))
            };
            let top = (y1 - gap_y).max(y0 + (y1 - y0) / 2.0);
            Some(Rectangle::new([(*t, y0), (*t + map.width_ms - gap_t, top)], RGBAColor(c.0, c.1, c.2, alpha).filled()))
        })
    });
    chart.draw_series(cells).map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}

#[function_component]
pub fn HeatmapPanel(props: &HeatmapProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let canvas = use_node_ref();
    let map = heatmap::build(&props.panel, &props.data);
    let colors = heatmap::colors(&props.panel);
    let unit = y_unit(&props.panel);
    let gap = heatmap::cell_gap(&props.panel);
    let (start, end) = (props.data.start_ms, props.data.end_ms);
    {
        let canvas = canvas.clone();
        let (map, colors, unit) = (map.clone(), colors.clone(), unit.clone());
        // The panel's cell too: a resized panel's canvas is drawn again at its new size.
        let size = props.panel.grid_pos;
        use_effect_with((map, colors, unit, (start, end), gap, size), move |(map, colors, unit, range, gap, _)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                if let Err(e) = draw(&c, map, colors, unit, *range, *gap) {
                    gloo::console::warn!(format!("heatmap: {e}"));
                }
            }
        });
    }
    // Pointer x and y, canvas width and height, time and row.
    let hover = use_state(|| None::<((i32, i32), (i32, i32), i64, usize)>);
    let onmousemove = {
        let hover = hover.clone();
        let canvas = canvas.clone();
        let rows = map.rows.len();
        let (lo, hi) =
            (map.axis(map.rows.first().map_or(0.0, |r| r.lo)), map.axis(map.rows.last().map_or(1.0, |r| r.hi)));
        let ordinal = map.ordinal;
        let linear = map.clone();
        let bounds: Vec<(f64, f64)> = map.rows.iter().map(|r| (r.lo, r.hi)).collect();
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let (left, right) = (MARGIN + Y_LABELS, c.width() as i32 - MARGIN);
            let (top, bottom) = (MARGIN, c.height() as i32 - MARGIN - X_LABELS);
            let (x, y) = (e.offset_x(), e.offset_y());
            if x < left || x > right || y < top || y > bottom || right <= left || bottom <= top || rows == 0 {
                hover.set(None);
                return;
            }
            let t = start + ((x - left) as f64 / (right - left) as f64 * (end - start) as f64) as i64;
            let up = (bottom - y) as f64 / (bottom - top) as f64;
            let row = if ordinal {
                ((up * rows as f64) as usize).min(rows - 1)
            } else {
                let v = linear.value(lo + up * (hi - lo));
                bounds.iter().position(|(a, b)| v >= *a && v < *b).unwrap_or(rows - 1)
            };
            hover.set(Some(((x, y), (c.width() as i32, c.height() as i32), t, row)));
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let tooltip = hover.and_then(|((x, y), (width, height), t, row)| {
        let (at, r, v) = map.at(t, row)?;
        // An `le` row is named by its bound (`+Inf`); a calculated one's label is the whole range.
        let top = if map.ordinal { r.label.clone() } else { format!("{}", r.hi) };
        let range = format!("{} - {}", bound(&unit, &format!("{}", r.lo), r.lo), bound(&unit, &top, r.hi));
        // Beside the pointer, on the sides with room, so the panel does not
        // cut it off.
        let across = if x > width / 2 { format!("right:{}px", width - x + 12) } else { format!("left:{}px", x + 12) };
        let down = if y > height / 2 { format!("bottom:{}px", height - y + 8) } else { format!("top:{}px", y + 8) };
        let place = format!("{across};{down}");
        Some((place, at, range, v))
    });
    let gradient = if colors.stops.is_empty() {
        format!("linear-gradient(to right, transparent, {})", colors.fill)
    } else {
        format!("linear-gradient(to right, {})", colors.stops.join(", "))
    };
    let scale_lo = colors.min.unwrap_or(map.min.min(0.0));
    let scale_hi = colors.max.unwrap_or(map.max);
    let show_legend = props.panel.options.pointer("/legend/show").and_then(Value::as_bool) != Some(false);
    html! {
        <div class="heatmap">
            <canvas ref={canvas} data-testid="heatmap" {onmousemove} {onmouseleave} />
            if let Some((place, at, range, v)) = tooltip {
                <div class="tooltip" data-testid="heatmap-tooltip" style={place}>
                    <div class="at">{ chart::clock_seconds(at) }</div>
                    <div>{ tr(lang, D::Bucket) }<b>{ range }</b></div>
                    <div>{ tr(lang, D::Count) }<b>{ units::format("", v, None) }</b></div>
                </div>
            }
            if show_legend {
                <div class="scale" data-testid="heatmap-legend">
                    <span>{ units::format("", scale_lo, None) }</span>
                    <i style={format!("background:{gradient}")} />
                    <span>{ units::format("", scale_hi, None) }</span>
                </div>
            }
        </div>
    }
}
