//! The Dashboards page: a picker, the variables, the time range and the
//! refresh interval across the top, then the dashboard's rows and panels on
//! Grafana's 24-column grid, all over the playground's live cluster.

use super::chart;
use super::editor::{new_panel, PanelEditor};
use super::grid::Grid;
use super::store;
use super::text::{tr, D};
use super::timepicker::TimePicker;
use super::varbar::{var_control, SetVar};
use super::variables::SettingsEditor;
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::dashboards::cache::RangeCache;
use engine::dashboards::interval::{parse_duration, zoom_out};
use engine::dashboards::layout::sections;
use engine::dashboards::model::TimeRange;
use engine::dashboards::query::{PanelData, Window};
use engine::dashboards::run::run_with;
use engine::dashboards::template::{resolve, VarState};
use engine::dashboards::timerange::{absolute_range, check, is_relative};
use engine::dashboards::{builtin, Dashboard, Panel};
use gloo::timers::callback::Interval;
use std::collections::BTreeMap;
use std::rc::Rc;
use stylist::yew::styled_component;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The time ranges offered, as Grafana words them.
const RANGES: [(&str, i64); 8] = [
    ("5m", 300_000),
    ("15m", 900_000),
    ("30m", 1_800_000),
    ("1h", 3_600_000),
    ("3h", 10_800_000),
    ("6h", 21_600_000),
    ("12h", 43_200_000),
    ("24h", 86_400_000),
];
/// Refresh intervals in simulated time; 0 is off.
const REFRESHES: [(&str, i64); 4] = [("", 0), ("5s", 5_000), ("15s", 15_000), ("1m", 60_000)];
/// How often the page looks at the clock, in real ms.
const WATCH_MS: u32 = 250;

#[derive(Properties, PartialEq)]
pub struct DashboardsProps {
    pub bridge: BridgeHandle,
    /// From the URL; empty for the first dashboard.
    pub uid: String,
    /// Replaces the session with the monitored lab.
    pub on_start_lab: Callback<()>,
}

/// The last hour, what a dashboard without a readable range shows.
fn last_hour() -> TimeRange {
    TimeRange { from: "now-1h".into(), to: "now".into() }
}

/// A dashboard's own range (relative or absolute) and refresh, when they
/// are ones we read.
fn defaults(dash: &Dashboard, now: i64) -> (TimeRange, i64) {
    let range = if check(&dash.time, now).is_ok() { dash.time.clone() } else { last_hour() };
    let refresh = dash.refresh.as_deref().and_then(parse_duration).filter(|r| REFRESHES.iter().any(|(_, ms)| ms == r));
    (range, refresh.unwrap_or(0))
}

/// What one refresh computed.
#[derive(PartialEq)]
pub(super) struct Computed {
    pub(super) vars: Rc<Vec<VarState>>,
    /// By panel id (or position when a panel has none).
    pub(super) data: BTreeMap<String, Rc<PanelData>>,
}

pub(super) fn key(p: &Panel, i: usize) -> String {
    p.id.map_or(format!("#{i}"), |id| id.to_string())
}

fn performance_now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// The time shown at `now`: the range's date math, or its fixed times.
fn window(now: i64, range: &TimeRange) -> (i64, i64) {
    check(range, now).unwrap_or((now - 3_600_000, now))
}

fn compute(
    bridge: &BridgeHandle,
    dash: &Dashboard,
    range: &TimeRange,
    picked: &BTreeMap<String, Vec<String>>,
    cache: &mut RangeCache,
) -> Computed {
    let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|w| w.as_f64()).unwrap_or(1200.0);
    let out = bridge.0.with_cluster(|cluster| {
        let storage = cluster.tsdb()?;
        cache.begin(storage, cluster.now().0);
        let (from, to) = window(cluster.now().0, range);
        let vars = resolve(dash, Some(storage), from, to, picked);
        let mut data = BTreeMap::new();
        for s in sections(dash).iter().filter(|s| !s.collapsed) {
            for (i, p) in s.panels.iter().enumerate() {
                if p.kind == "text" {
                    continue;
                }
                let points = ((f64::from(p.grid_pos.w.clamp(1, 24)) / 24.0) * width).max(100.0) as u32;
                let window = Window { from_ms: from, to_ms: to, max_data_points: points };
                data.insert(key(p, i), Rc::new(run_with(cluster, p, &vars, window, Some(&mut *cache))));
            }
        }
        cache.finish();
        Some(Computed { vars: Rc::new(vars), data })
    });
    out.unwrap_or_else(|| Computed { vars: Rc::new(resolve(dash, None, 0, 0, picked)), data: BTreeMap::new() })
}

#[styled_component]
pub fn Dashboards(props: &DashboardsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    // Bumped after each save or delete, so the page reads the lab's Grafana again.
    let revision = use_state(|| 0u32);
    let saved = props.bridge.0.dashboards();
    {
        // Dashboards an earlier version kept in localStorage move into the
        // lab's Grafana once, journaled like any other save.
        let bridge = props.bridge.clone();
        let revision = revision.clone();
        use_effect_with((), move |_| {
            let legacy = store::legacy();
            if !legacy.is_empty() {
                let moved = legacy.iter().filter(|json| bridge.0.save_dashboard(json).is_ok()).count();
                if moved == legacy.len() {
                    store::forget_legacy();
                }
                revision.set(*revision + 1);
            }
        });
    }
    let builtins = use_memo((), |_| builtin::all());
    let list: Vec<Dashboard> = builtins.iter().cloned().chain(saved.iter().cloned()).collect();
    let chosen = list.iter().find(|d| d.uid == props.uid).or(list.first()).cloned().unwrap_or_default();
    let uid = chosen.uid.clone();
    // The working copy: folding a row changes it, a new pick resets it.
    let dash = use_state(|| chosen.clone());
    let now = props.bridge.0.now_ms();
    // Grafana's raw range: date math that follows the clock, or fixed
    // times (typed, or a window dragged on a chart, as ISO strings).
    let range = use_state(|| defaults(&chosen, now).0);
    let refresh = use_state(|| defaults(&chosen, now).1);
    let picked = use_state(BTreeMap::<String, Vec<String>>::new);
    let tick = use_state(|| 0u64);
    let last = use_mut_ref(|| props.bridge.0.now_ms());
    let message = use_state(|| None::<String>);
    // The panel open in the editor (a new one, or a copy of one shown).
    let editing = use_state(|| None::<Panel>);
    let settings = use_state(|| false);
    {
        let dash = dash.clone();
        let range = range.clone();
        let refresh = refresh.clone();
        let picked = picked.clone();
        use_effect_with(chosen.clone(), move |chosen| {
            let (r, f) = defaults(chosen, now);
            dash.set(chosen.clone());
            range.set(r);
            refresh.set(f);
            picked.set(BTreeMap::new());
        });
    }
    {
        // Refresh in simulated time: the page looks at the clock often and
        // redraws once the interval has passed on it.
        let bridge = props.bridge.clone();
        let tick = tick.clone();
        let last = last.clone();
        use_effect_with(*refresh, move |refresh| {
            let every = *refresh;
            let interval = (every > 0).then(|| {
                Interval::new(WATCH_MS, move || {
                    let now = bridge.0.now_ms();
                    if now - *last.borrow() >= every {
                        *last.borrow_mut() = now;
                        tick.set(*tick + 1);
                    }
                })
            });
            move || drop(interval)
        });
    }
    // When the last refresh began (performance.now()): the page's effect,
    // which runs after every panel's drawing, writes how long the queries,
    // the render and the drawing took into `data-refresh-ms` (the queries
    // alone into `data-query-ms`), for the browser benchmark.
    let began = use_mut_ref(|| (0u64, 0.0f64));
    let root = use_node_ref();
    // The range queries' results, kept so a refresh evaluates only new steps.
    let cache = use_mut_ref(RangeCache::new);
    // How long the last refresh's queries took, of its `data-refresh-ms`.
    let queried = use_mut_ref(|| 0.0f64);
    let computed = {
        let bridge = props.bridge.clone();
        let last = last.clone();
        let began = began.clone();
        let queried = queried.clone();
        use_memo(((*dash).clone(), (*range).clone(), (*picked).clone(), *tick), move |(dash, shown, picked, _)| {
            let n = began.borrow().0 + 1;
            *began.borrow_mut() = (n, performance_now());
            *last.borrow_mut() = bridge.0.now_ms();
            let out = compute(&bridge, dash, shown, picked, &mut cache.borrow_mut());
            *queried.borrow_mut() = performance_now() - began.borrow().1;
            out
        })
    };
    {
        let root = root.clone();
        let refresh = began.borrow().0;
        use_effect_with(refresh, move |_| {
            if let Some(el) = root.cast::<web_sys::Element>() {
                let _ = el.set_attribute("data-refresh-ms", &format!("{:.2}", performance_now() - began.borrow().1));
                let _ = el.set_attribute("data-query-ms", &format!("{:.2}", *queried.borrow()));
            }
        });
    }
    let has_metrics = props.bridge.0.with_tsdb(|_, _| ()).is_some();

    let style = css!(
        r#"
        min-height: 100vh; display: flex; flex-direction: column;
        & > header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; padding: 8px 14px;
            border-bottom: 1px solid ${edge}; background: ${panel}; position: sticky; top: 0; z-index: 2; }
        & > header h1 { font-size: 20px; margin: 0; }
        & > header h1 span { color: ${accent}; }
        & > header a { color: ${accent}; }
        label { display: inline-flex; align-items: center; gap: 6px; font-size: 14px; color: ${muted}; }
        .spacer { flex: 1; }
        .clock { font-family: ${mono}; font-size: 13px; color: ${muted}; }
        details.multi { position: relative; }
        details.multi summary { cursor: pointer; border: 1px solid ${edge}; border-radius: 6px; padding: 3px 8px; color: ${text}; list-style: none; }
        details.multi div { position: absolute; background: ${raised}; border: 1px solid ${edge}; border-radius: 6px; padding: 6px;
            z-index: 3; max-height: 320px; overflow: auto; min-width: 220px; }
        details.multi div label { display: flex; color: ${text}; padding: 2px 0; }
        div.import { position: absolute; right: 14px; top: 100%; background: ${raised}; border: 1px solid ${edge}; border-radius: 6px;
            padding: 10px; z-index: 3; display: grid; gap: 8px; width: min(520px, 90vw); }
        div.import textarea { height: 160px; font-family: ${mono}; font-size: 12px; background: ${sunken}; color: ${text}; border: 1px solid ${edge}; }
        .message { padding: 6px 14px; color: ${muted}; }
        .nolab { margin: 40px auto; max-width: 640px; display: grid; gap: 16px; line-height: 1.5; }
        .grid { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr)); grid-auto-rows: 30px; gap: 8px; padding: 10px 14px; }
        .row { display: flex; align-items: center; gap: 8px; font-weight: 600; cursor: pointer; border-bottom: 1px solid ${edge}; }
        .row span { color: ${muted}; font-size: 12px; font-weight: 400; }
        .panel { background: ${panel}; border: 1px solid ${edge}; border-radius: 4px; display: flex; flex-direction: column; min-width: 0; min-height: 0; overflow: hidden; }
        .panel > header { display: flex; align-items: center; gap: 6px; padding: 4px 8px; }
        .panel h3 { margin: 0; font-size: 13px; font-weight: 600; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; flex: 1; text-align: center; }
        .panel .timefrom { color: ${accent}; font-size: 11px; white-space: nowrap; padding-right: 22px; }
        .panel .error { background: ${error}; color: #fff; border-radius: 50%; width: 16px; height: 16px; font-size: 11px; text-align: center; cursor: help; }
        .panel .body { flex: 1; min-height: 0; position: relative; padding: 0 6px 6px; display: flex; flex-direction: column; }
        .nodata, .placeholder { margin: auto; color: ${muted}; text-align: center; display: grid; gap: 6px; font-size: 13px; }
        .placeholder code { font-family: ${mono}; }
        .timeseries { display: flex; flex-direction: column; height: 100%; min-height: 0; position: relative; }
        .timeseries .zoom-band { position: absolute; top: 6px; bottom: 40%; background: ${accent}; opacity: 0.2; pointer-events: none; }
        .timeseries canvas { cursor: crosshair; }
        .zoomed { font-family: ${mono}; font-size: 13px; color: ${text}; }
        .timeseries .cursor { position: absolute; top: 6px; bottom: 40%; width: 1px; background: ${muted}; pointer-events: none; }
        .timeseries .tooltip { position: absolute; top: 10px; background: ${raised}; border: 1px solid ${edge}; border-radius: 4px;
            padding: 6px 8px; font-size: 12px; pointer-events: none; z-index: 1; display: grid; gap: 2px; min-width: 160px; }
        .timeseries .tooltip .at { color: ${muted}; font-family: ${mono}; }
        .timeseries .tooltip div { display: flex; align-items: center; gap: 6px; white-space: nowrap; }
        .timeseries .tooltip i { width: 10px; height: 3px; display: inline-block; }
        .timeseries .tooltip b { margin-left: auto; padding-left: 12px; font-family: ${mono}; font-weight: 500; }
        .timeseries canvas { flex: 1; min-height: 60px; width: 100%; }
        table.legend { font-size: 11px; border-collapse: collapse; max-height: 40%; overflow: auto; display: block; }
        table.legend th { color: ${muted}; font-weight: 400; text-align: right; padding: 0 8px; }
        table.legend td { text-align: right; padding: 0 8px; white-space: nowrap; font-family: ${mono}; }
        table.legend td.name { text-align: left; font-family: inherit; width: 100%; }
        table.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 6px; vertical-align: middle; }
        .gauges { display: flex; flex: 1; gap: 6px; min-height: 0; }
        .stats { display: grid; flex: 1; gap: 6px; min-height: 0; overflow: auto;
            grid-template-columns: repeat(auto-fit, minmax(96px, 1fr)); grid-auto-rows: minmax(52px, 1fr); }
        .stat { flex: 1; position: relative; display: flex; flex-direction: column; align-items: center; justify-content: center;
            border-radius: 3px; min-width: 0; container-type: size; overflow: hidden; }
        .stat .value { font-size: clamp(12px, min(36cqh, 17cqw), 40px); font-weight: 600; position: relative; white-space: nowrap; }
        .stat .value.name { font-size: clamp(11px, min(22cqh, 9cqw), 22px); white-space: normal; text-align: center; overflow-wrap: anywhere; }
        .stat .label, .gauge .label { font-size: 12px; color: ${muted}; position: relative; }
        .stat .label { max-width: 100%; padding: 0 4px; box-sizing: border-box; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        .stat canvas.spark { position: absolute; inset: 40% 0 0 0; width: 100%; height: 60%; }
        .gauge { flex: 1; display: flex; flex-direction: column; align-items: center; min-width: 0; min-height: 0; }
        .gauge svg { flex: 1; width: 100%; min-height: 0; }
        .bargauge { display: flex; flex-direction: column; overflow: auto; justify-content: safe center; flex: 1; min-height: 0; }
        .bar { display: grid; grid-template-columns: minmax(60px, 30%) 1fr auto; gap: 8px; align-items: center; font-size: 12px; padding: 2px 0; }
        .bar .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .bar .track { height: 14px; background: rgba(128,128,128,0.15); border-radius: 2px; overflow: hidden; }
        .bar .fill { display: block; height: 100%; }
        .bar .value { font-family: ${mono}; font-weight: 600; }
        .table-wrap { overflow: auto; flex: 1; }
        table.data { border-collapse: collapse; width: 100%; font-size: 12px; }
        table.data th { position: sticky; top: 0; background: ${raised}; text-align: left; padding: 4px 8px; cursor: pointer; }
        table.data td { padding: 3px 8px; border-top: 1px solid ${edge}; }
        table.data td.num { text-align: right; font-family: ${mono}; }
        .heatmap { display: flex; flex-direction: column; height: 100%; min-height: 0; position: relative; }
        .heatmap canvas { flex: 1; min-height: 60px; width: 100%; }
        .heatmap .tooltip { position: absolute; background: ${raised}; border: 1px solid ${edge}; border-radius: 4px;
            padding: 6px 8px; font-size: 12px; pointer-events: none; z-index: 1; display: grid; gap: 2px; min-width: 150px; }
        .heatmap .tooltip div { display: flex; gap: 10px; white-space: nowrap; }
        .heatmap .tooltip b { margin-left: auto; font-family: ${mono}; font-weight: 500; }
        .heatmap .tooltip .at { color: ${muted}; font-family: ${mono}; }
        .heatmap .scale { display: flex; align-items: center; gap: 6px; font-size: 11px; color: ${muted}; font-family: ${mono}; padding-left: 68px; }
        .heatmap .scale i { flex: 0 1 180px; height: 8px; border-radius: 2px; }
        .logs { display: flex; flex-direction: column; height: 100%; min-height: 0; font-size: 12px; }
        .logs-bar { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; padding-bottom: 4px; }
        .logs-bar input[type=search] { background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 3px; padding: 2px 6px; min-width: 160px; }
        .logs-bar label { font-size: 12px; gap: 3px; }
        .logs-bar .count { color: ${muted}; margin-left: auto; }
        .logs .common { color: ${muted}; font-size: 11px; padding-bottom: 3px; }
        .logs .lines { overflow: auto; flex: 1; min-height: 0; font-family: ${mono}; }
        .log-line { display: flex; gap: 8px; padding: 1px 0 1px 6px; border-left: 3px solid #6ccf8e; white-space: pre; }
        .log-line.warn { border-left-color: #fade2a; }
        .log-line.error { border-left-color: #f2495c; }
        .log-line .time { color: ${muted}; flex: none; }
        .log-line .labels { color: ${accent}; flex: none; }
        .lines.wrap .log-line { white-space: pre-wrap; overflow-wrap: anywhere; }
        ol.alertlist { list-style: none; margin: 0; padding: 0; overflow: auto; font-size: 13px; display: grid; gap: 6px; align-content: start; }
        ol.alertlist > li { display: flex; gap: 8px; align-items: baseline; padding: 4px 2px; border-bottom: 1px solid ${edge}; }
        ol.alertlist .dot { width: 10px; height: 10px; border-radius: 50%; display: inline-block; flex: none; }
        ol.alertlist .dot.small { width: 7px; height: 7px; }
        ol.alertlist .head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
        ol.alertlist .muted { color: ${muted}; font-size: 12px; }
        ol.alertlist ul { list-style: none; padding: 2px 0 0 0; margin: 0; display: grid; gap: 2px; }
        ol.alertlist .chip { font-size: 11px; font-family: ${mono}; background: ${sunken}; border: 1px solid ${edge}; border-radius: 3px; padding: 0 4px; margin-right: 4px; }
        .markdown { overflow: auto; font-size: 13px; line-height: 1.45; }
        .markdown code { font-family: ${mono}; background: ${sunken}; padding: 0 3px; }
        .markdown h2 { font-size: 16px; margin: 4px 0 8px; }
        .cell { position: relative; }
        .cell > button.edit { position: absolute; top: 2px; right: 4px; font-size: 12px; padding: 0 5px; opacity: 0.55; }
        .cell:hover > button.edit { opacity: 1; }
        .editor { display: grid; grid-template-columns: minmax(0, 2fr) minmax(280px, 1fr); grid-template-rows: 340px auto; gap: 10px; padding: 10px 14px; }
        .editor .preview { display: grid; }
        .editor .queries { grid-column: 1; display: grid; gap: 8px; align-content: start; }
        .editor .options { grid-column: 2; grid-row: 1 / span 2; display: grid; gap: 8px; align-content: start;
            background: ${panel}; border: 1px solid ${edge}; border-radius: 4px; padding: 10px; }
        .editor label { display: grid; gap: 3px; }
        .editor label.check { display: flex; align-items: center; gap: 6px; }
        .editor fieldset { border: 1px solid ${edge}; border-radius: 4px; display: grid; gap: 6px; }
        .editor textarea { font-family: ${mono}; font-size: 13px; min-height: 54px; background: ${sunken}; color: ${text}; border: 1px solid ${edge}; }
        .editor .thresholds { display: grid; gap: 4px; }
        .editor .step { display: flex; gap: 6px; align-items: center; }
        .editor .actions { display: flex; gap: 8px; }
        .variables { display: grid; gap: 8px; padding: 10px 14px; max-width: 1100px; }
        .variables h2 { font-size: 16px; margin: 0; }
        .variables fieldset { border: 1px solid ${edge}; border-radius: 4px; display: flex; flex-wrap: wrap; gap: 10px; align-items: end; }
        .variables input:not([type=checkbox]) { background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 3px; padding: 3px 6px; min-width: 320px; }
        .variables label { display: grid; gap: 3px; }
        .variables label.tick { display: flex; align-items: center; }
        .variables label.short input { min-width: 0; width: 7em; }
        .variables fieldset.general { display: grid; }
        .variables textarea { background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 3px; min-height: 48px; }
        & > header input.textbox { background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 4px; padding: 3px 6px; width: 10em; }
        .variables .actions { display: flex; gap: 8px; }
        .editor input { background: ${sunken}; color: ${text}; border: 1px solid ${edge}; border-radius: 3px; padding: 3px 6px; }
        "#,
        edge = PANEL_EDGE,
        panel = PANEL,
        accent = ACCENT,
        muted = MUTED,
        text = TEXT,
        raised = RAISED,
        sunken = SUNKEN,
        error = ERROR,
        mono = MONO,
    );

    let on_pick = Callback::from(|e: Event| {
        if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
            store::go(&sel.value());
        }
    });
    let on_range = {
        let range = range.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                let ms: i64 = sel.value().parse().unwrap_or(3_600_000);
                let name = RANGES.iter().find(|(_, r)| *r == ms).map_or("1h", |(name, _)| name);
                range.set(TimeRange { from: format!("now-{name}"), to: "now".into() });
            }
        })
    };
    // The same callback every render, so a panel whose data and options
    // did not change is not rendered (nor its chart drawn) again.
    let on_zoom = {
        // The same callback on every render, so a panel whose data did not
        // change is not drawn again.
        let range = range.setter();
        use_callback((), move |(from, to): (i64, i64), _| range.set(absolute_range(from, to)))
    };
    let on_zoom_out = {
        let range = range.clone();
        Callback::from(move |_: MouseEvent| {
            let (from, to) = window(now, &range);
            let (from, to) = zoom_out(from, to, 2.0);
            range.set(absolute_range(from, to));
        })
    };
    let on_time = {
        let range = range.clone();
        Callback::from(move |typed: TimeRange| range.set(typed))
    };
    // The quick range shown, when the range is one of them.
    let quick =
        RANGES.iter().find(|(name, _)| range.to == "now" && range.from == format!("now-{name}")).map(|(_, ms)| *ms);
    let (shown_from, shown_to) = window(now, &range);
    let on_refresh = {
        let refresh = refresh.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                refresh.set(sel.value().parse().unwrap_or(0));
            }
        })
    };
    let set_var: SetVar = {
        let picked = picked.clone();
        Rc::new(move |name: String, values: Vec<String>| {
            let mut next = (*picked).clone();
            next.insert(name, values);
            picked.set(next);
        })
    };
    let var_controls =
        computed.vars.iter().filter(|v| !v.hidden && !v.options.is_empty()).map(|v| var_control(v, &set_var));

    let import_text = use_node_ref();
    let importing = use_state(|| false);
    let toggle_import = {
        let importing = importing.clone();
        Callback::from(move |_| importing.set(!*importing))
    };
    // Saves into the lab's Grafana (a saved uid is replaced) and shows it.
    let save_and_show = {
        let bridge = props.bridge.clone();
        let message = message.clone();
        let revision = revision.clone();
        Rc::new(move |json: String, done: D| match bridge.0.save_dashboard(&json) {
            Ok(uid) => {
                let title =
                    bridge.0.dashboards().into_iter().find(|d| d.uid == uid).map(|d| d.title).unwrap_or_default();
                revision.set(*revision + 1);
                message.set(Some(format!("{}: {title}", tr(lang, done))));
                store::go(&uid);
                true
            }
            Err(e) => {
                message.set(Some(format!("{}: {e}", tr(lang, D::ImportFailed))));
                false
            }
        })
    };
    let do_import = {
        let importing = importing.clone();
        let save_and_show = save_and_show.clone();
        Rc::new(move |text: String| {
            if save_and_show(text, D::Imported) {
                importing.set(false);
            }
        })
    };
    // The dashboard as shown, with the picked time range and refresh, as
    // Grafana's Save writes it.
    let as_shown = {
        let dash = dash.clone();
        let range = (*range).clone();
        let refresh = *refresh;
        move || {
            let mut d = (*dash).clone();
            d.time = range.clone();
            d.refresh = REFRESHES.iter().find(|(_, ms)| *ms == refresh && *ms > 0).map(|(name, _)| name.to_string());
            d
        }
    };
    let on_save = {
        let save_and_show = save_and_show.clone();
        let as_shown = as_shown.clone();
        Callback::from(move |_| {
            save_and_show(as_shown().export(), D::Saved);
        })
    };
    let on_save_as = {
        let save_and_show = save_and_show.clone();
        let as_shown = as_shown.clone();
        Callback::from(move |_| {
            let mut d = as_shown();
            // A copy: the engine gives a built-in's uid a fresh one.
            d.title = format!("{} {}", d.title, tr(lang, D::Copy));
            save_and_show(d.export(), D::Saved);
        })
    };
    let on_load = {
        let import_text = import_text.clone();
        let do_import = do_import.clone();
        Callback::from(move |_| {
            if let Some(area) = import_text.cast::<HtmlTextAreaElement>() {
                do_import(area.value());
                area.set_value("");
            }
        })
    };
    // The reader must outlive the callback that started it.
    let reading = use_mut_ref(|| None::<gloo::file::callbacks::FileReader>);
    let on_file = {
        let do_import = do_import.clone();
        let reading = reading.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else { return };
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            let do_import = do_import.clone();
            let reader = gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |text| {
                if let Ok(text) = text {
                    do_import(text);
                }
            });
            *reading.borrow_mut() = Some(reader);
            input.set_value("");
        })
    };
    // Export writes the dashboard as shown (layout, range, refresh), as
    // Grafana's export does.
    let on_export = {
        let as_shown = as_shown.clone();
        Callback::from(move |_| {
            let d = as_shown();
            crate::session::download(&format!("{}.json", d.uid), &d.export())
        })
    };
    let is_saved = saved.iter().any(|d| d.uid == uid);
    let on_apply = {
        let save_and_show = save_and_show.clone();
        let editing = editing.clone();
        let as_shown = as_shown.clone();
        Callback::from(move |panel: Panel| {
            let mut d = as_shown();
            if !is_saved {
                // A built-in is read-only: the change goes into a copy.
                d.title = format!("{} {}", d.title, tr(lang, D::Copy));
            }
            engine::dashboards::layout::put_panel(&mut d, panel);
            if save_and_show(d.export(), D::Saved) {
                editing.set(None);
            }
        })
    };
    let on_variables = {
        let save_and_show = save_and_show.clone();
        let settings = settings.clone();
        let as_shown = as_shown.clone();
        Callback::from(move |edited: Dashboard| {
            let mut d = as_shown();
            d.title = if !is_saved && edited.title == d.title {
                format!("{} {}", d.title, tr(lang, D::Copy))
            } else {
                edited.title
            };
            d.description = edited.description;
            d.tags = edited.tags;
            d.templating.list = edited.templating.list;
            if save_and_show(d.export(), D::Saved) {
                settings.set(false);
            }
        })
    };
    let on_add_panel = {
        let editing = editing.clone();
        let dash = dash.clone();
        Callback::from(move |_| {
            let all = engine::dashboards::layout::all_panels(&dash);
            let id = all.iter().filter_map(|p| p.id).max().unwrap_or(0) + 1;
            let bottom = all.iter().map(|p| p.grid_pos.y + p.grid_pos.h).max().unwrap_or(0);
            editing.set(Some(new_panel(id, bottom)));
        })
    };
    let on_remove = {
        let bridge = props.bridge.clone();
        let revision = revision.clone();
        let uid = uid.clone();
        Callback::from(move |_| {
            bridge.0.delete_dashboard(&uid);
            revision.set(*revision + 1);
            store::go("");
        })
    };

    let on_edit = {
        let editing = editing.clone();
        Callback::from(move |panel: Panel| editing.set(Some(panel)))
    };
    let on_layout = {
        let dash = dash.clone();
        Callback::from(move |next: Dashboard| dash.set(next))
    };

    let clock = {
        let s = now.div_euclid(1000).rem_euclid(86_400);
        format!("{} {:02}:{:02}:{:02}", tr(lang, D::Now), s / 3600, s / 60 % 60, s % 60)
    };
    html! {
        <div class={style} data-testid="dashboards" ref={root}>
            <header>
                <h1>{"kube"}<span>{"play"}</span></h1>
                <a href="#/" data-testid="to-playground">{ match props.bridge.0.lesson() {
                    Some(now) => format!("← {}: {}", tr(lang, D::BackToLesson), now.lesson.steps[now.index].title.get(lang.code())),
                    None => format!("← {}", tr(lang, D::Playground)),
                } }</a>
                <label>{ tr(lang, D::Dashboard) }
                    <select data-testid="dash-picker" onchange={on_pick}>
                        { for list.iter().map(|d| html! {
                            <option value={d.uid.clone()} selected={d.uid == uid}>{ d.title.clone() }</option>
                        }) }
                    </select>
                </label>
                { for var_controls }
                <span class="spacer" />
                <span class="clock" data-testid="dash-clock">{ clock }</span>
                if !is_relative(&range) {
                    <span class="zoomed" data-testid="zoomed-range">
                        { format!("{} – {}", chart::clock_seconds(shown_from), chart::clock_seconds(shown_to)) }</span>
                }
                <button onclick={on_zoom_out} data-testid="zoom-out" title={tr(lang, D::ZoomOut)}>{ "⊖" }</button>
                <label>{ tr(lang, D::TimeRange) }
                    <select data-testid="range-picker" onchange={on_range}>
                        if quick.is_none() {
                            <option value="" selected=true disabled=true>{
                                if is_relative(&range) { format!("{} {} {}", range.from, tr(lang, D::RangeTo), range.to) }
                                else { tr(lang, D::Absolute).to_string() }
                            }</option>
                        }
                        { for RANGES.iter().map(|(name, ms)| html! {
                            <option value={ms.to_string()} selected={quick == Some(*ms)}>{ format!("{} {name}", tr(lang, D::Last)) }</option>
                        }) }
                    </select>
                </label>
                <TimePicker value={(*range).clone()} {now} on_apply={on_time} />
                <label>{ tr(lang, D::Refresh) }
                    <select data-testid="refresh-picker" onchange={on_refresh}>
                        { for REFRESHES.iter().map(|(name, ms)| html! {
                            <option value={ms.to_string()} selected={*ms == *refresh}>
                                { if *ms == 0 { tr(lang, D::Off).to_string() } else { name.to_string() } }
                            </option>
                        }) }
                    </select>
                </label>
                <button data-testid="import-open" aria-expanded={importing.to_string()} onclick={toggle_import}>{ tr(lang, D::Import) }</button>
                if *importing {
                    <div class="import">
                        <textarea ref={import_text} data-testid="import-text" placeholder={tr(lang, D::ImportPaste)} />
                        <label>{ tr(lang, D::ImportFile) }<input type="file" accept=".json,application/json" data-testid="import-file" onchange={on_file} /></label>
                        <button data-testid="import-load" onclick={on_load}>{ tr(lang, D::ImportDo) }</button>
                    </div>
                }
                <button data-testid="variables-open" onclick={{ let settings = settings.clone(); Callback::from(move |_| settings.set(!*settings)) }}>{ tr(lang, D::Settings) }</button>
                <button data-testid="add-panel" onclick={on_add_panel}>{ tr(lang, D::AddPanel) }</button>
                <button data-testid="export" onclick={on_export}>{ tr(lang, D::Export) }</button>
                if is_saved {
                    <button data-testid="save" onclick={on_save}>{ tr(lang, D::Save) }</button>
                }
                <button data-testid="save-as" onclick={on_save_as}>{ tr(lang, D::SaveAs) }</button>
                if is_saved {
                    <button data-testid="remove" onclick={on_remove}>{ tr(lang, D::Remove) }</button>
                }
            </header>
            if let Some(m) = &*message {
                <p class="message" data-testid="dash-message">{ m.clone() }</p>
            }
            if has_metrics && *settings {
                <SettingsEditor dash={(*dash).clone()} on_apply={on_variables}
                    on_cancel={{ let settings = settings.clone(); Callback::from(move |_| settings.set(false)) }} />
            } else if let (true, Some(panel)) = (has_metrics, (*editing).clone()) {
                <PanelEditor bridge={props.bridge.clone()} {panel} vars={computed.vars.clone()} range={shown_to - shown_from}
                    on_apply={on_apply} on_cancel={{ let editing = editing.clone(); Callback::from(move |_| editing.set(None)) }} />
            } else if has_metrics {
                <Grid dash={Rc::new((*dash).clone())} computed={computed.clone()} uid={uid.clone()}
                    on_zoom={on_zoom.clone()} {on_edit} on_change={on_layout} />
            } else {
                <div class="nolab">
                    <p>{ tr(lang, D::NoPrometheus) }</p>
                    <button data-testid="start-lab" onclick={props.on_start_lab.reform(|_| ())}>{ tr(lang, D::StartLab) }</button>
                </div>
            }
        </div>
    }
}
