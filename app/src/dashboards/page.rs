//! The Dashboards page: a picker, the variables, the time range and the
//! refresh interval across the top, then the dashboard's rows and panels on
//! Grafana's 24-column grid, all over the playground's live cluster.

use super::panels::PanelView;
use super::store;
use super::text::{tr, D};
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::dashboards::interval::{parse_duration, parse_time};
use engine::dashboards::layout::{sections, toggle_row};
use engine::dashboards::query::{run_panel, PanelData, Window};
use engine::dashboards::template::{resolve, VarState};
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

/// A dashboard's own range and refresh, when they are among ours.
fn defaults(dash: &Dashboard) -> (i64, i64) {
    let range = parse_time(&dash.time.from, 0).map(|from| -from).filter(|r| *r > 0).unwrap_or(3_600_000);
    let refresh = dash.refresh.as_deref().and_then(parse_duration).filter(|r| REFRESHES.iter().any(|(_, ms)| ms == r));
    (range, refresh.unwrap_or(0))
}

/// What one refresh computed.
#[derive(PartialEq)]
struct Computed {
    vars: Rc<Vec<VarState>>,
    /// By panel id (or position when a panel has none).
    data: BTreeMap<String, Rc<PanelData>>,
}

fn key(p: &Panel, i: usize) -> String {
    p.id.map_or(format!("#{i}"), |id| id.to_string())
}

fn compute(bridge: &BridgeHandle, dash: &Dashboard, range: i64, picked: &BTreeMap<String, Vec<String>>) -> Computed {
    let width = web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|w| w.as_f64()).unwrap_or(1200.0);
    let out = bridge.0.with_tsdb(|storage, now| {
        let vars = resolve(dash, Some(storage), now - range, now, picked);
        let mut data = BTreeMap::new();
        for s in sections(dash).iter().filter(|s| !s.collapsed) {
            for (i, p) in s.panels.iter().enumerate() {
                if p.kind == "text" {
                    continue;
                }
                let points = ((f64::from(p.grid_pos.w.clamp(1, 24)) / 24.0) * width).max(100.0) as u32;
                let window = Window { from_ms: now - range, to_ms: now, max_data_points: points };
                data.insert(key(p, i), Rc::new(run_panel(storage, p, &vars, window)));
            }
        }
        Computed { vars: Rc::new(vars), data }
    });
    out.unwrap_or_else(|| Computed { vars: Rc::new(resolve(dash, None, 0, 0, picked)), data: BTreeMap::new() })
}

#[styled_component]
pub fn Dashboards(props: &DashboardsProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let imported = use_state(store::load);
    let builtins = use_memo((), |_| builtin::all());
    let list: Vec<Dashboard> = builtins.iter().cloned().chain(imported.iter().cloned()).collect();
    let chosen = list.iter().find(|d| d.uid == props.uid).or(list.first()).cloned().unwrap_or_default();
    let uid = chosen.uid.clone();
    // The working copy: folding a row changes it, a new pick resets it.
    let dash = use_state(|| chosen.clone());
    let range = use_state(|| defaults(&chosen).0);
    let refresh = use_state(|| defaults(&chosen).1);
    let picked = use_state(BTreeMap::<String, Vec<String>>::new);
    let tick = use_state(|| 0u64);
    let last = use_mut_ref(|| props.bridge.0.now_ms());
    let message = use_state(|| None::<String>);
    {
        let dash = dash.clone();
        let range = range.clone();
        let refresh = refresh.clone();
        let picked = picked.clone();
        use_effect_with(chosen.clone(), move |chosen| {
            let (r, f) = defaults(chosen);
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
    let computed = {
        let bridge = props.bridge.clone();
        let last = last.clone();
        use_memo(((*dash).clone(), *range, (*picked).clone(), *tick), move |(dash, range, picked, _)| {
            *last.borrow_mut() = bridge.0.now_ms();
            compute(&bridge, dash, *range, picked)
        })
    };
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
        .panel .error { background: ${error}; color: #fff; border-radius: 50%; width: 16px; height: 16px; font-size: 11px; text-align: center; cursor: help; }
        .panel .body { flex: 1; min-height: 0; position: relative; padding: 0 6px 6px; display: flex; flex-direction: column; }
        .nodata, .placeholder { margin: auto; color: ${muted}; text-align: center; display: grid; gap: 6px; font-size: 13px; }
        .placeholder code { font-family: ${mono}; }
        .timeseries { display: flex; flex-direction: column; height: 100%; min-height: 0; position: relative; }
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
        .stats, .gauges { display: flex; flex: 1; gap: 6px; min-height: 0; }
        .stat { flex: 1; position: relative; display: flex; flex-direction: column; align-items: center; justify-content: center;
            border-radius: 3px; min-width: 0; container-type: size; overflow: hidden; }
        .stat .value { font-size: clamp(12px, min(36cqh, 17cqw), 40px); font-weight: 600; position: relative; white-space: nowrap; }
        .stat .value.name { font-size: clamp(11px, min(22cqh, 9cqw), 22px); white-space: normal; text-align: center; overflow-wrap: anywhere; }
        .stat .label, .gauge .label { font-size: 12px; color: ${muted}; position: relative; }
        .stat canvas.spark { position: absolute; inset: 40% 0 0 0; width: 100%; height: 60%; }
        .gauge { flex: 1; display: flex; flex-direction: column; align-items: center; min-width: 0; min-height: 0; }
        .gauge svg { flex: 1; width: 100%; min-height: 0; }
        .bargauge { display: flex; flex-direction: column; gap: 4px; overflow: auto; justify-content: safe center; flex: 1; min-height: 0; }
        .bar { display: grid; grid-template-columns: minmax(60px, 30%) 1fr auto; gap: 8px; align-items: center; font-size: 12px; }
        .bar .label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
        .bar .track { height: 14px; background: rgba(128,128,128,0.15); border-radius: 2px; overflow: hidden; }
        .bar .fill { display: block; height: 100%; }
        .bar .value { font-family: ${mono}; font-weight: 600; }
        .table-wrap { overflow: auto; flex: 1; }
        table.data { border-collapse: collapse; width: 100%; font-size: 12px; }
        table.data th { position: sticky; top: 0; background: ${raised}; text-align: left; padding: 4px 8px; cursor: pointer; }
        table.data td { padding: 3px 8px; border-top: 1px solid ${edge}; }
        table.data td.num { text-align: right; font-family: ${mono}; }
        .markdown { overflow: auto; font-size: 13px; line-height: 1.45; }
        .markdown code { font-family: ${mono}; background: ${sunken}; padding: 0 3px; }
        .markdown h2 { font-size: 16px; margin: 4px 0 8px; }
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
                range.set(sel.value().parse().unwrap_or(3_600_000));
            }
        })
    };
    let on_refresh = {
        let refresh = refresh.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                refresh.set(sel.value().parse().unwrap_or(0));
            }
        })
    };
    let set_var = {
        let picked = picked.clone();
        Rc::new(move |name: String, values: Vec<String>| {
            let mut next = (*picked).clone();
            next.insert(name, values);
            picked.set(next);
        })
    };
    let var_controls = computed.vars.iter().filter(|v| !v.hidden && !v.options.is_empty()).map(|v| {
        let name = v.name.clone();
        let testid = format!("var-{}", v.name);
        if v.multi {
            let toggles = v.options.iter().map(|o| {
                let on = v.selected.contains(&o.value);
                let value = o.value.clone();
                let selected = v.selected.clone();
                let name = name.clone();
                let set_var = set_var.clone();
                let onchange = Callback::from(move |_| {
                    let mut next: Vec<String> = if value == engine::dashboards::template::ALL {
                        vec![value.clone()]
                    } else {
                        selected.iter().filter(|s| *s != engine::dashboards::template::ALL).cloned().collect()
                    };
                    if value != engine::dashboards::template::ALL {
                        if on {
                            next.retain(|s| s != &value);
                        } else {
                            next.push(value.clone());
                        }
                    }
                    set_var(name.clone(), next);
                });
                html! { <label><input type="checkbox" checked={on} {onchange} />{ o.text.clone() }</label> }
            });
            html! {
                <label>{ v.label.clone() }
                    <details class="multi" data-testid={testid}>
                        <summary>{ v.text() }</summary>
                        <div>{ for toggles }</div>
                    </details>
                </label>
            }
        } else {
            let current = v.selected.first().cloned().unwrap_or_default();
            let onchange = {
                let set_var = set_var.clone();
                Callback::from(move |e: Event| {
                    if let Some(sel) = e.target_dyn_into::<HtmlSelectElement>() {
                        set_var(name.clone(), vec![sel.value()]);
                    }
                })
            };
            html! {
                <label>{ v.label.clone() }
                    <select data-testid={testid} {onchange}>
                        { for v.options.iter().map(|o| html! {
                            <option value={o.value.clone()} selected={o.value == current}>{ o.text.clone() }</option>
                        }) }
                    </select>
                </label>
            }
        }
    });

    let import_text = use_node_ref();
    let importing = use_state(|| false);
    let toggle_import = {
        let importing = importing.clone();
        Callback::from(move |_| importing.set(!*importing))
    };
    let do_import = {
        let imported = imported.clone();
        let message = message.clone();
        let importing = importing.clone();
        Rc::new(move |text: String| match Dashboard::import(&text) {
            Ok(mut d) => {
                let mut list = (*imported).clone();
                let others: Vec<String> = list.iter().filter(|x| x.uid != d.uid).map(|x| x.uid.clone()).collect();
                d.uid = store::fresh_uid(&d, &others);
                list.retain(|x| x.uid != d.uid);
                list.push(d.clone());
                if let Err(e) = store::save(&list) {
                    message.set(Some(e));
                }
                imported.set(list);
                importing.set(false);
                message.set(Some(format!("{}: {}", tr(lang, D::Imported), d.title)));
                store::go(&d.uid);
            }
            Err(e) => message.set(Some(format!("{}: {e}", tr(lang, D::ImportFailed)))),
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
    let on_export = {
        let dash = dash.clone();
        Callback::from(move |_| crate::session::download(&format!("{}.json", dash.uid), &dash.export()))
    };
    let is_imported = imported.iter().any(|d| d.uid == uid);
    let on_remove = {
        let imported = imported.clone();
        let uid = uid.clone();
        Callback::from(move |_| {
            let list: Vec<Dashboard> = imported.iter().filter(|d| d.uid != uid).cloned().collect();
            let _ = store::save(&list);
            imported.set(list);
            store::go("");
        })
    };

    // Lay the sections out one under the other on the 24-column grid.
    let mut cursor = 0u32;
    let mut cells: Vec<Html> = Vec::new();
    for s in sections(&dash) {
        if let Some(row) = s.row {
            let id = row.id.unwrap_or_default();
            let dash = dash.clone();
            let onclick = Callback::from(move |_| {
                let mut next = (*dash).clone();
                toggle_row(&mut next, id);
                dash.set(next);
            });
            let title = engine::dashboards::template::interpolate(
                &row.title,
                &computed.vars,
                &[],
                engine::dashboards::template::Context::Text,
            );
            let count = if s.collapsed { format!("({})", s.panels.len()) } else { String::new() };
            cells.push(html! {
                <div class="row" style={format!("grid-column: 1 / span 24; grid-row: {} / span 1", cursor + 1)}
                    data-testid="row" data-collapsed={s.collapsed.to_string()} {onclick}>
                    { if s.collapsed { "▸" } else { "▾" } }{ " " }{ title }<span>{ count }</span>
                </div>
            });
            cursor += 1;
        }
        if s.collapsed {
            continue;
        }
        let base = s.panels.iter().map(|p| p.grid_pos.y).min().unwrap_or(0);
        let mut height = 0;
        for (i, p) in s.panels.iter().enumerate() {
            let g = p.grid_pos;
            let (w, h) = (if g.w == 0 { 12 } else { g.w.min(24) }, if g.h == 0 { 8 } else { g.h });
            let x = g.x.min(24 - w);
            let y = g.y - base;
            height = height.max(y + h);
            let data = computed.data.get(&key(p, i)).cloned().unwrap_or_default();
            cells.push(html! {
                <div style={format!("grid-column: {} / span {w}; grid-row: {} / span {h}; display: grid", x + 1, cursor + y + 1)}>
                    <PanelView panel={Rc::new((*p).clone())} {data} vars={computed.vars.clone()} />
                </div>
            });
        }
        cursor += height;
    }

    let now = props.bridge.0.now_ms();
    let clock = {
        let s = now.div_euclid(1000).rem_euclid(86_400);
        format!("{} {:02}:{:02}:{:02}", tr(lang, D::Now), s / 3600, s / 60 % 60, s % 60)
    };
    html! {
        <div class={style} data-testid="dashboards">
            <header>
                <h1>{"kube"}<span>{"play"}</span></h1>
                <a href="#/" data-testid="to-playground">{ format!("← {}", tr(lang, D::Playground)) }</a>
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
                <label>{ tr(lang, D::TimeRange) }
                    <select data-testid="range-picker" onchange={on_range}>
                        { for RANGES.iter().map(|(name, ms)| html! {
                            <option value={ms.to_string()} selected={*ms == *range}>{ format!("{} {name}", tr(lang, D::Last)) }</option>
                        }) }
                    </select>
                </label>
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
                <button data-testid="export" onclick={on_export}>{ tr(lang, D::Export) }</button>
                if is_imported {
                    <button data-testid="remove" onclick={on_remove}>{ tr(lang, D::Remove) }</button>
                }
            </header>
            if let Some(m) = &*message {
                <p class="message" data-testid="dash-message">{ m.clone() }</p>
            }
            if has_metrics {
                <div class="grid" data-uid={uid.clone()}>{ for cells }</div>
            } else {
                <div class="nolab">
                    <p>{ tr(lang, D::NoPrometheus) }</p>
                    <button data-testid="start-lab" onclick={props.on_start_lab.reform(|_| ())}>{ tr(lang, D::StartLab) }</button>
                </div>
            }
        </div>
    }
}
