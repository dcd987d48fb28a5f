//! One dashboard panel: its header and its visualisation — time series and
//! sparklines on canvas, stat, gauge, bar gauge, table and text in the DOM,
//! heatmap (`heatmap.rs`), logs (`logs.rs`) and alert list (`alertlist.rs`),
//! and a labelled placeholder for a type we do not draw.

use super::alertlist::alert_list;
use super::chart::{self, rgb, Chart, Line};
use super::heatmap::HeatmapPanel;
use super::logs::LogsPanel;
use super::rows::{self, use_row_window};
use super::text::{calc_name, tr, D};
use crate::i18n::Lang;
use engine::dashboards::display::{self, field, reduce, show, show_text, Field, PALETTE};
use engine::dashboards::interval::dragged;
use engine::dashboards::model::GridPos;
use engine::dashboards::query::{Frame, PanelData};
use engine::dashboards::run::time_from;
use engine::dashboards::template::{interpolate, Context, VarState};
use engine::dashboards::Panel;
use pulldown_cmark::{Event, Parser};
use serde_json::Value;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// Axis text: readable on both themes.
const AXIS: &str = "#8a95a3";

#[derive(Properties, PartialEq)]
pub struct PanelProps {
    pub panel: Rc<Panel>,
    pub data: Rc<PanelData>,
    pub vars: Rc<Vec<VarState>>,
    /// A time range dragged across a time series, from and to in ms.
    #[prop_or_default]
    pub on_zoom: Callback<(i64, i64)>,
}

/// A series with its field options and colour.
struct Series<'a> {
    frame: &'a Frame,
    field: Field,
    color: String,
}

fn series<'a>(panel: &Panel, data: &'a PanelData) -> Vec<Series<'a>> {
    data.frames
        .iter()
        .enumerate()
        .map(|(i, frame)| {
            let field = field(panel, frame);
            let color = field.color.as_deref().map_or(PALETTE[i % PALETTE.len()].to_string(), display::color_hex);
            Series { frame, field, color }
        })
        .collect()
}

fn option<'a>(panel: &'a Panel, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(&panel.options, |v, k| v.get(k))
}

/// The first reduction the panel asks for (`lastNotNull` by default).
fn calc(panel: &Panel) -> String {
    option(panel, &["reduceOptions", "calcs", "0"])
        .or_else(|| option(panel, &["reduceOptions", "calcs"]).and_then(|c| c.get(0)))
        .and_then(Value::as_str)
        .unwrap_or("lastNotNull")
        .to_string()
}

#[function_component]
pub fn PanelView(props: &PanelProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let panel = &props.panel;
    let title = interpolate(&panel.title, &props.vars, &[], Context::Text);
    let known = matches!(
        panel.kind.as_str(),
        "timeseries"
            | "graph"
            | "stat"
            | "singlestat"
            | "gauge"
            | "bargauge"
            | "table"
            | "text"
            | "heatmap"
            | "logs"
            | "alertlist"
    );
    let needs_data = known && panel.kind != "text";
    let body = match panel.kind.as_str() {
        _ if !known => html! {
            <div class="placeholder" data-testid="panel-placeholder">
                <strong>{ tr(lang, D::Unsupported) }</strong>
                <code>{ panel.kind.clone() }</code>
            </div>
        },
        "text" => text_panel(panel, &props.vars),
        _ if !props.data.has_data() => html! { <div class="nodata">{ tr(lang, D::NoData) }</div> },
        "timeseries" | "graph" => html! {
            <TimeSeries panel={panel.clone()} data={props.data.clone()} on_zoom={props.on_zoom.clone()} />
        },
        "stat" | "singlestat" => stat_panel(panel, &props.data),
        "gauge" => gauge_panel(panel, &props.data),
        "bargauge" => html! { <BarGauge panel={panel.clone()} data={props.data.clone()} /> },
        "heatmap" => html! { <HeatmapPanel panel={panel.clone()} data={props.data.clone()} /> },
        "logs" => html! { <LogsPanel panel={panel.clone()} data={props.data.clone()} /> },
        "alertlist" => alert_list(panel, props.data.alerts.as_deref().unwrap_or_default(), props.data.end_ms, lang),
        _ => html! { <TablePanel panel={panel.clone()} data={props.data.clone()} /> },
    };
    let errors = props.data.errors.join("\n");
    // The newest point drawn, so a test can watch refresh move it.
    let newest = props.data.frames.iter().filter_map(|f| f.points.last().map(|p| p.0)).max().unwrap_or_default();
    html! {
        <section class="panel" data-testid="panel" data-type={panel.kind.clone()}
            data-has-data={(needs_data && props.data.has_data()).to_string()} data-newest={newest.to_string()}
            title={panel.description.clone()}>
            <header>
                <h3>{ title }</h3>
                if let Some(own) = panel.extra.get("timeFrom").and_then(Value::as_str).filter(|_| time_from(panel).is_some()) {
                    <span class="timefrom" data-testid="panel-time-from">{ format!("{} {}", tr(lang, D::Last), own.trim_start_matches("now-")) }</span>
                }
                if !errors.is_empty() {
                    <span class="error" title={errors.clone()}>{"!"}</span>
                }
            </header>
            <div class="body">{ body }</div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    panel: Rc<Panel>,
    data: Rc<PanelData>,
    #[prop_or_default]
    on_zoom: Callback<(i64, i64)>,
}

#[function_component]
fn TimeSeries(props: &ChartProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let canvas = use_node_ref();
    let panel = &props.panel;
    let all = series(panel, &props.data);
    let custom = panel.field_config.defaults.extra.get("custom");
    let stacked = custom.and_then(|c| c.pointer("/stacking/mode")).and_then(Value::as_str).is_some_and(|m| m != "none");
    let bars = custom.and_then(|c| c.get("drawStyle")).and_then(Value::as_str) == Some("bars");
    let fill = custom.and_then(|c| c.get("fillOpacity")).and_then(Value::as_f64).unwrap_or(0.0) / 100.0;
    let left = all.iter().find(|s| !s.field.right_axis).map(|s| s.field.clone()).unwrap_or_default();
    let right = all.iter().find(|s| s.field.right_axis).map(|s| s.field.unit.clone()).unwrap_or_default();
    let spec = Chart {
        lines: all
            .iter()
            .map(|s| Line { color: rgb(&s.color), points: s.frame.points.clone(), right: s.field.right_axis })
            .collect(),
        start: props.data.start_ms,
        end: props.data.end_ms,
        step: props.data.step_ms,
        unit: left.unit.clone(),
        right_unit: right,
        decimals: left.decimals,
        min: left.min,
        max: left.max,
        stacked,
        bars,
        fill,
        axis: rgb(AXIS),
    };
    {
        let canvas = canvas.clone();
        // The panel's cell too: a resized panel's canvas is drawn again at its new size.
        use_effect_with((spec, panel.grid_pos), move |(spec, _)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                if let Err(e) = chart::draw(&c, spec) {
                    gloo::console::warn!(format!("chart: {e}"));
                }
            }
        });
    }
    // The tooltip: every series' value at the time under the pointer.
    let hover = use_state(|| None::<(i32, i64, i32)>);
    let has_right = all.iter().any(|s| s.field.right_axis);
    let (start, end) = (props.data.start_ms, props.data.end_ms.max(props.data.start_ms + 1));
    // A drag across the plot zooms to the range under it, as in Grafana:
    // where it started and where the pointer is now.
    let drag = use_state(|| None::<(i32, i32)>);
    let onmousedown = {
        let drag = drag.clone();
        Callback::from(move |e: MouseEvent| {
            if e.button() == 0 {
                e.prevent_default();
                drag.set(Some((e.offset_x(), e.offset_x())));
            }
        })
    };
    let onmouseup = {
        let drag = drag.clone();
        let canvas = canvas.clone();
        let on_zoom = props.on_zoom.clone();
        Callback::from(move |e: MouseEvent| {
            let Some((x1, _)) = *drag else { return };
            drag.set(None);
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let (left, right) = chart::plot_x_range(c.width() as i32, has_right);
            if let Some(range) = dragged(start, end, left, right, x1, e.offset_x()) {
                on_zoom.emit(range);
            }
        })
    };
    let onmousemove = {
        let hover = hover.clone();
        let canvas = canvas.clone();
        let drag = drag.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(c) = canvas.cast::<HtmlCanvasElement>() else { return };
            let (left, right) = chart::plot_x_range(c.width() as i32, has_right);
            let x = e.offset_x();
            if let Some((x1, _)) = *drag {
                drag.set(Some((x1, x.clamp(left, right))));
            }
            if x < left || x > right || right <= left {
                hover.set(None);
                return;
            }
            let t = start + ((x - left) as f64 / (right - left) as f64 * (end - start) as f64) as i64;
            hover.set(Some((x, t, c.width() as i32)));
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        let drag = drag.clone();
        Callback::from(move |_: MouseEvent| {
            hover.set(None);
            drag.set(None);
        })
    };
    let tooltip = hover.map(|(x, t, width)| {
        let rows: Vec<(String, String, String)> = all
            .iter()
            .filter_map(|s| {
                let p = s.frame.points.iter().min_by_key(|p| (p.0 - t).abs())?;
                Some((s.color.clone(), s.field.name.clone(), show(&s.field, Some(p.1)).text))
            })
            .collect();
        let at = all
            .iter()
            .filter_map(|s| s.frame.points.iter().min_by_key(|p| (p.0 - t).abs()))
            .map(|p| p.0)
            .next()
            .unwrap_or(t);
        // Beside the cursor, on whichever side has room.
        let side = if x > width / 2 { format!("right:{}px", width - x + 12) } else { format!("left:{}px", x + 12) };
        (x, at, rows, side)
    });
    let show_legend = option(panel, &["legend", "showLegend"]).and_then(Value::as_bool) != Some(false);
    let legend = use_node_ref();
    let (legend_rows, legend_scroll) = use_row_window(legend.clone(), all.len());
    let calcs: Vec<String> = option(panel, &["legend", "calcs"])
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    html! {
        <div class="timeseries">
            <canvas ref={canvas} data-testid="chart" data-from={start.to_string()} data-to={props.data.end_ms.to_string()} {onmousemove} {onmouseleave} {onmousedown} {onmouseup} />
            if let Some((x1, x2)) = *drag {
                <div class="zoom-band" data-testid="zoom-band"
                    style={format!("left:{}px;width:{}px", x1.min(x2), (x1 - x2).abs())} />
            }
            if let Some((x, at, rows, side)) = tooltip {
                <div class="cursor" style={format!("left:{x}px")} />
                <div class="tooltip" data-testid="tooltip" style={side}>
                    <div class="at">{ chart::clock_seconds(at) }</div>
                    { for rows.into_iter().map(|(color, name, value)| html! {
                        <div><i style={format!("background:{color}")} />{ name }<b>{ value }</b></div>
                    }) }
                </div>
            }
            if show_legend {
                <table class="legend" ref={legend} onscroll={legend_scroll} data-rows={all.len().to_string()}>
                    if !calcs.is_empty() {
                        <thead><tr><th />{ for calcs.iter().map(|c| html! { <th>{ calc_name(lang, c) }</th> }) }</tr></thead>
                    }
                    <tbody>
                    { rows::spacer(legend_rows.before_px, Some(calcs.len() + 1)) }
                    { for all[legend_rows.start..legend_rows.end].iter().map(|s| html! {
                        <tr data-row="">
                            <td class="name"><i style={format!("background:{}", s.color)} />{ s.field.name.clone() }</td>
                            { for calcs.iter().map(|c| html! {
                                <td>{ show(&s.field, reduce(c, &s.frame.points)).text }</td>
                            }) }
                        </tr>
                    }) }
                    { rows::spacer(legend_rows.after_px, Some(calcs.len() + 1)) }
                    </tbody>
                </table>
            }
        </div>
    }
}

fn stat_panel(panel: &Panel, data: &PanelData) -> Html {
    let how = calc(panel);
    let mode = option(panel, &["colorMode"]).and_then(Value::as_str).unwrap_or("value").to_string();
    let graph = option(panel, &["graphMode"]).and_then(Value::as_str).unwrap_or("area") == "area";
    let all = series(panel, data);
    // Grafana's textMode: what each stat shows, the name, the value or both.
    let text_mode = option(panel, &["textMode"]).and_then(Value::as_str).unwrap_or("auto");
    let (show_value, show_name) = match text_mode {
        "name" => (false, true),
        "value" => (true, false),
        "value_and_name" => (true, true),
        "none" => (false, false),
        _ => (true, all.len() > 1),
    };
    html! {
        <div class="stats">
        { for all.iter().map(|s| {
            let shown = show(&s.field, reduce(&how, &s.frame.points));
            let style = match mode.as_str() {
                "background" => format!("background:{};color:#fff", shown.color),
                "none" => String::new(),
                _ => format!("color:{}", shown.color),
            };
            html! {
                <div class="stat" style={style}>
                    if graph && s.frame.points.len() > 1 {
                        <Spark points={s.frame.points.clone()} color={shown.color.clone()} size={panel.grid_pos} />
                    }
                    if show_value {
                        <span class="value" data-testid="stat-value">{ shown.text }</span>
                    } else if show_name {
                        <span class="value name" data-testid="stat-value">{ s.field.name.clone() }</span>
                    }
                    if show_value && show_name { <span class="label">{ s.field.name.clone() }</span> }
                </div>
            }
        }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SparkProps {
    points: Vec<(i64, f64)>,
    color: String,
    /// The panel's cell, so a resize draws it again.
    size: GridPos,
}

#[function_component]
fn Spark(props: &SparkProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        use_effect_with((props.points.clone(), props.color.clone(), props.size), move |(points, color, _)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let _ = chart::sparkline(&c, points, rgb(color));
            }
        });
    }
    html! { <canvas class="spark" ref={canvas} data-testid="sparkline" /> }
}

/// An arc of the gauge from fraction `a` to `b` of its sweep.
fn arc(a: f64, b: f64, r: f64) -> String {
    let sweep = 240f64.to_radians();
    let start = 150f64.to_radians();
    let point = |f: f64| {
        let ang = start + sweep * f.clamp(0.0, 1.0);
        (60.0 + r * ang.cos(), 60.0 + r * ang.sin())
    };
    let (x0, y0) = point(a);
    let (x1, y1) = point(b);
    let large = if (b - a) * 240.0 > 180.0 { 1 } else { 0 };
    format!("M {x0:.2} {y0:.2} A {r} {r} 0 {large} 1 {x1:.2} {y1:.2}")
}

fn gauge_panel(panel: &Panel, data: &PanelData) -> Html {
    let how = calc(panel);
    let all = series(panel, data);
    let many = all.len() > 1;
    html! {
        <div class="gauges">
        { for all.iter().map(|s| {
            let v = reduce(&how, &s.frame.points);
            let shown = show(&s.field, v);
            let (lo, hi) = (s.field.min.unwrap_or(0.0), s.field.max.unwrap_or(100.0));
            let frac = v.map_or(0.0, |v| if hi > lo { (v - lo) / (hi - lo) } else { 0.0 });
            let mut bands = Vec::new();
            let steps = &s.field.steps;
            for (i, st) in steps.iter().enumerate() {
                let from = st.value.map_or(0.0, |x| if hi > lo { (x - lo) / (hi - lo) } else { 0.0 });
                let to = steps.get(i + 1).and_then(|n| n.value).map_or(1.0, |x| if hi > lo { (x - lo) / (hi - lo) } else { 1.0 });
                if to > from {
                    bands.push((from.clamp(0.0, 1.0), to.clamp(0.0, 1.0), display::color_hex(&st.color)));
                }
            }
            html! {
                <div class="gauge">
                    <svg viewBox="0 0 120 100" data-testid="gauge">
                        { for bands.iter().map(|(a, b, c)| html! {
                            <path d={arc(*a, *b, 52.0)} stroke={c.clone()} stroke-width="3" fill="none" />
                        }) }
                        <path d={arc(0.0, 1.0, 44.0)} stroke="rgba(128,128,128,0.25)" stroke-width="10" fill="none" />
                        if frac > 0.0 {
                            <path d={arc(0.0, frac, 44.0)} stroke={shown.color.clone()} stroke-width="10" fill="none" />
                        }
                        <text x="60" y="66" text-anchor="middle" fill={shown.color.clone()} font-size="16" font-weight="600">{ shown.text.clone() }</text>
                    </svg>
                    if many { <span class="label">{ s.field.name.clone() }</span> }
                </div>
            }
        }) }
        </div>
    }
}

#[function_component]
fn BarGauge(props: &ChartProps) -> Html {
    let how = calc(&props.panel);
    let all = series(&props.panel, &props.data);
    let values: Vec<Option<f64>> = all.iter().map(|s| reduce(&how, &s.frame.points)).collect();
    let top = values.iter().flatten().copied().fold(0.0f64, f64::max);
    let node = use_node_ref();
    let (window, onscroll) = use_row_window(node.clone(), all.len());
    html! {
        <div class="bargauge" ref={node} {onscroll} data-rows={all.len().to_string()}>
        { rows::spacer(window.before_px, None) }
        { for all.iter().zip(values).skip(window.start).take(window.end - window.start).map(|(s, v)| {
            let shown = show(&s.field, v);
            let (lo, hi) = (s.field.min.unwrap_or(0.0), s.field.max.unwrap_or(if top > 0.0 { top } else { 1.0 }));
            let frac = v.map_or(0.0, |v| if hi > lo { ((v - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 0.0 });
            html! {
                <div class="bar" data-row="">
                    <span class="label">{ s.field.name.clone() }</span>
                    <span class="track"><span class="fill" style={format!("width:{:.1}%;background:{}", frac * 100.0, shown.color)} /></span>
                    <span class="value" style={format!("color:{}", shown.color)}>{ shown.text }</span>
                </div>
            }
        }) }
        { rows::spacer(window.after_px, None) }
        </div>
    }
}

#[function_component]
fn TablePanel(props: &ChartProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let sort = use_state(|| None::<(usize, bool)>);
    let wrap = use_node_ref();
    let (shown, onscroll) = use_row_window(wrap.clone(), props.data.frames.len());
    let all = series(&props.panel, &props.data);
    let mut columns: Vec<String> = Vec::new();
    for s in &all {
        for k in s.frame.labels.keys() {
            if k != engine::promql::METRIC_NAME && !columns.contains(k) {
                columns.push(k.clone());
            }
        }
    }
    let name_col = columns.is_empty();
    let mut rows: Vec<(Vec<String>, Option<f64>, String)> = all
        .iter()
        .map(|s| {
            let v = reduce("lastNotNull", &s.frame.points);
            let cells = if name_col {
                vec![s.field.name.clone()]
            } else {
                // Label cells are text fields to Grafana: value and regex mappings name them too.
                columns
                    .iter()
                    .map(|c| {
                        let v = s.frame.labels.get(c).cloned().unwrap_or_default();
                        show_text(&s.field, &v).map_or(v, |(text, _)| text)
                    })
                    .collect()
            };
            (cells, v, show(&s.field, v).text)
        })
        .collect();
    let width = if name_col { 1 } else { columns.len() };
    if let Some((col, desc)) = *sort {
        rows.sort_by(|a, b| {
            let o = if col >= width {
                a.1.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.1.unwrap_or(f64::NEG_INFINITY))
            } else {
                a.0[col].cmp(&b.0[col])
            };
            if desc {
                o.reverse()
            } else {
                o
            }
        });
    }
    let headers: Vec<String> = if name_col { vec![tr(lang, D::Name).to_string()] } else { columns.clone() }
        .into_iter()
        .chain([tr(lang, D::Value).to_string()])
        .collect();
    let click = |i: usize| {
        let sort = sort.clone();
        Callback::from(move |_| {
            let next = match *sort {
                Some((c, desc)) if c == i => Some((i, !desc)),
                _ => Some((i, false)),
            };
            sort.set(next);
        })
    };
    html! {
        <div class="table-wrap" ref={wrap} onscroll={onscroll}>
            <table class="data" data-testid="table" data-rows={rows.len().to_string()}>
                <thead><tr>{ for headers.iter().enumerate().map(|(i, h)| {
                    let mark = match *sort { Some((c, d)) if c == i => if d { " ▼" } else { " ▲" }, _ => "" };
                    html! { <th onclick={click(i)}>{ format!("{h}{mark}") }</th> }
                }) }</tr></thead>
                <tbody>
                { rows::spacer(shown.before_px, Some(headers.len())) }
                { for rows[shown.start..shown.end].iter().map(|(cells, _, text)| html! {
                    <tr data-row="">{ for cells.iter().map(|c| html! { <td>{ c.clone() }</td> }) }<td class="num">{ text.clone() }</td></tr>
                }) }
                { rows::spacer(shown.after_px, Some(headers.len())) }
                </tbody>
            </table>
        </div>
    }
}

fn text_panel(panel: &Panel, vars: &[VarState]) -> Html {
    let content = option(panel, &["content"]).and_then(Value::as_str).unwrap_or_default();
    let content = interpolate(content, vars, &[], Context::Text);
    let mode = option(panel, &["mode"]).and_then(Value::as_str).unwrap_or("markdown");
    if mode != "markdown" {
        // HTML from an imported file is shown as text, never run.
        return html! { <pre class="text-raw">{ content }</pre> };
    }
    // Raw HTML inside the Markdown is shown as text too.
    let events = Parser::new(&content).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    html! { <div class="markdown">{ Html::from_html_unchecked(AttrValue::from(out)) }</div> }
}
