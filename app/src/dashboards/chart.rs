//! Time series and sparklines drawn with plotters on a `<canvas>`: lines,
//! stacked areas, bars, a second Y axis on the right, values below zero
//! (transmit drawn down, receive up).

use engine::dashboards::units;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// One series to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub color: RGBColor,
    pub points: Vec<(i64, f64)>,
    /// Against the right axis.
    pub right: bool,
}

/// How a chart is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub lines: Vec<Line>,
    pub start: i64,
    pub end: i64,
    pub step: i64,
    pub unit: String,
    pub right_unit: String,
    pub decimals: Option<u32>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub stacked: bool,
    pub bars: bool,
    /// Area fill opacity, 0 for lines only.
    pub fill: f64,
    /// Axis text and line colour.
    pub axis: RGBColor,
}

/// `#rrggbb` as a plotters colour (grey when unreadable).
pub fn rgb(hex: &str) -> RGBColor {
    let h = hex.trim_start_matches('#');
    let byte = |i: usize| h.get(i..i + 2).and_then(|s| u8::from_str_radix(s, 16).ok()).unwrap_or(128);
    RGBColor(byte(0), byte(2), byte(4))
}

/// Sizes the canvas to its box so one canvas pixel is one CSS pixel, and
/// clears it. A size is set only when it changed: setting one makes the
/// browser lay the page out again before the next canvas can read its
/// box, which on a dashboard of long tables costs more than the drawing.
pub fn fit(canvas: &HtmlCanvasElement) -> (u32, u32) {
    let w = canvas.client_width().max(10) as u32;
    let h = canvas.client_height().max(10) as u32;
    if canvas.width() != w || canvas.height() != h {
        // Setting a size clears the canvas too.
        canvas.set_width(w);
        canvas.set_height(h);
    } else if let Some(ctx) =
        canvas.get_context("2d").ok().flatten().and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    {
        ctx.clear_rect(0.0, 0.0, f64::from(w), f64::from(h));
    }
    (w, h)
}

/// Adds the series below each one to it, point by point (same steps).
/// A series' lower and upper edge once stacked.
type Band = (Vec<(i64, f64)>, Vec<(i64, f64)>);

fn stack(lines: &[Line]) -> Vec<Band> {
    let mut base: BTreeMap<i64, f64> = BTreeMap::new();
    lines
        .iter()
        .map(|l| {
            let lower: Vec<(i64, f64)> = l.points.iter().map(|(t, _)| (*t, *base.get(t).unwrap_or(&0.0))).collect();
            let upper: Vec<(i64, f64)> = l
                .points
                .iter()
                .map(|(t, v)| {
                    let b = base.entry(*t).or_insert(0.0);
                    *b += v;
                    (*t, *b)
                })
                .collect();
            (lower, upper)
        })
        .collect()
}

fn bounds<'a>(values: impl Iterator<Item = &'a f64>, min: Option<f64>, max: Option<f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(*v);
        hi = hi.max(*v);
    }
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if hi <= lo {
        // A flat series: give it a unit of room so the ticks differ.
        let base = if (0.0..1.0).contains(&lo) { 0.0 } else { lo - 0.5 };
        return (min.unwrap_or(base), max.unwrap_or(base + 1.0));
    }
    let pad = (hi - lo) * 0.08;
    let lo = min.unwrap_or(if lo >= 0.0 && lo - pad < 0.0 { 0.0 } else { lo - pad });
    let hi = max.unwrap_or(hi + pad).max(lo + f64::EPSILON);
    (lo, hi)
}

/// Runs of points without a gap wider than two steps.
fn segments(points: &[(i64, f64)], step: i64) -> Vec<Vec<(i64, f64)>> {
    let mut out: Vec<Vec<(i64, f64)>> = Vec::new();
    let mut last: Option<i64> = None;
    for &(t, v) in points.iter().filter(|p| p.1.is_finite()) {
        if last.is_none_or(|l| t - l > 2 * step.max(1)) {
            out.push(Vec::new());
        }
        if let Some(seg) = out.last_mut() {
            seg.push((t, v));
        }
        last = Some(t);
    }
    out
}

/// The plotting area's left and right edge in canvas pixels, as `draw`
/// lays it out (margin 6, Y labels 62, right labels 46 when used).
pub fn plot_x_range(width: i32, has_right: bool) -> (i32, i32) {
    (6 + 62, width - 6 - if has_right { 46 } else { 0 })
}

/// `hh:mm:ss` of a time, for the tooltip.
pub fn clock_seconds(ms: i64) -> String {
    let s = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

fn clock(ms: i64) -> String {
    let minutes = ms.div_euclid(60_000).rem_euclid(1440);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Draws a time series chart; the error is plotters'.
pub fn draw(canvas: &HtmlCanvasElement, c: &Chart) -> Result<(), String> {
    fit(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    let stacked = if c.stacked { stack(&c.lines) } else { Vec::new() };
    let left_vals: Vec<f64> = if c.stacked {
        stacked.iter().flat_map(|(lo, up)| lo.iter().chain(up.iter()).map(|p| p.1)).collect()
    } else {
        c.lines.iter().filter(|l| !l.right).flat_map(|l| l.points.iter().map(|p| p.1)).collect()
    };
    let right_vals: Vec<f64> = c.lines.iter().filter(|l| l.right).flat_map(|l| l.points.iter().map(|p| p.1)).collect();
    let bars_floor = if c.bars { Some(c.min.unwrap_or(0.0)) } else { c.min };
    let (lo, hi) = bounds(left_vals.iter(), bars_floor, c.max);
    let (rlo, rhi) = bounds(right_vals.iter(), Some(0.0), None);
    let has_right = !right_vals.is_empty();
    let font = ("sans-serif", 11).into_font().color(&c.axis);
    let grid = c.axis.mix(0.18);
    let mut chart = ChartBuilder::on(&root)
        .margin(6)
        .x_label_area_size(20)
        .y_label_area_size(62)
        .right_y_label_area_size(if has_right { 46 } else { 0 })
        .build_cartesian_2d(c.start..c.end.max(c.start + 1), lo..hi)
        .map_err(|e| e.to_string())?
        .set_secondary_coord(c.start..c.end.max(c.start + 1), rlo..rhi);
    let unit = c.unit.clone();
    // Fixed decimals would print fine ticks alike (0, 0, 1): let them choose.
    let decimals = c.decimals.filter(|d| (hi - lo) / 5.0 >= 10f64.powi(-(*d as i32)));
    let y_fmt = move |v: &f64| units::format(&unit, *v, decimals);
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&|t| clock(*t))
        .y_label_formatter(&y_fmt)
        .label_style(font.clone())
        .axis_style(c.axis.mix(0.5))
        .bold_line_style(grid)
        .light_line_style(TRANSPARENT)
        .draw()
        .map_err(|e| e.to_string())?;
    if has_right {
        let runit = c.right_unit.clone();
        let r_fmt = move |v: &f64| units::format(&runit, *v, None);
        chart
            .configure_secondary_axes()
            .y_labels(5)
            .y_label_formatter(&r_fmt)
            .label_style(font)
            .axis_style(c.axis.mix(0.5))
            .draw()
            .map_err(|e| e.to_string())?;
    }
    let half = (c.step.max(1) as f64 * 0.4) as i64;
    for (i, line) in c.lines.iter().enumerate() {
        let color = line.color;
        if c.bars && !line.right {
            let rects = line.points.iter().filter(|p| p.1.is_finite()).map(|&(t, v)| {
                let (from, to) = match stacked.get(i) {
                    Some((lower, upper)) => (lookup(lower, t), lookup(upper, t)),
                    None => (0f64.clamp(lo, hi), v),
                };
                Rectangle::new([(t - half, from), (t + half, to)], color.mix(0.8).filled())
            });
            chart.draw_series(rects).map_err(|e| e.to_string())?;
            continue;
        }
        if line.right {
            for seg in segments(&line.points, c.step) {
                chart.draw_secondary_series(LineSeries::new(seg, color.stroke_width(2))).map_err(|e| e.to_string())?;
            }
            continue;
        }
        let (lower, upper) = match stacked.get(i) {
            Some((l, u)) => (l.clone(), u.clone()),
            None => (line.points.iter().map(|(t, _)| (*t, 0f64.clamp(lo, hi))).collect(), line.points.clone()),
        };
        if c.fill > 0.0 || c.stacked {
            let opacity = if c.fill > 0.0 { c.fill } else { 0.35 };
            for seg in segments(&upper, c.step) {
                let (Some(first), Some(last)) = (seg.first(), seg.last()) else { continue };
                let (t0, t1) = (first.0, last.0);
                let mut poly: Vec<(i64, f64)> = seg.clone();
                poly.extend(lower.iter().rev().filter(|(t, _)| *t >= t0 && *t <= t1).copied());
                chart
                    .draw_series(std::iter::once(Polygon::new(poly, color.mix(opacity).filled())))
                    .map_err(|e| e.to_string())?;
            }
        }
        for seg in segments(&upper, c.step) {
            chart.draw_series(LineSeries::new(seg, color.stroke_width(2))).map_err(|e| e.to_string())?;
        }
    }
    root.present().map_err(|e| e.to_string())
}

fn lookup(points: &[(i64, f64)], t: i64) -> f64 {
    points.iter().find(|p| p.0 == t).map_or(0.0, |p| p.1)
}

/// A stat panel's small area chart behind its value.
pub fn sparkline(canvas: &HtmlCanvasElement, points: &[(i64, f64)], color: RGBColor) -> Result<(), String> {
    fit(canvas);
    let backend = CanvasBackend::with_canvas_object(canvas.clone()).ok_or("no 2d context")?;
    let root = backend.into_drawing_area();
    let finite: Vec<(i64, f64)> = points.iter().copied().filter(|p| p.1.is_finite()).collect();
    let (Some(first), Some(last)) = (finite.first(), finite.last()) else { return Ok(()) };
    let (lo, hi) = bounds(finite.iter().map(|p| &p.1), None, None);
    let mut chart = ChartBuilder::on(&root)
        .build_cartesian_2d(first.0..last.0.max(first.0 + 1), lo..hi)
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(AreaSeries::new(finite.clone(), lo, color.mix(0.25)).border_style(color.stroke_width(2)))
        .map_err(|e| e.to_string())?;
    root.present().map_err(|e| e.to_string())
}
