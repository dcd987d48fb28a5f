//! The panel editor, as Grafana's: a live preview over the lab's data, the
//! queries (PromQL, legend, instant or range), and the visualisation with
//! its unit, decimals, min/max and thresholds. Apply hands the edited panel
//! back; the page saves it into the dashboard.

use super::options::panel_options;
use super::panels::PanelView;
use super::text::{tr, D};
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use engine::dashboards::model::{Step, Target, Thresholds};
use engine::dashboards::query::Window;
use engine::dashboards::run::run;
use engine::dashboards::template::VarState;
use engine::dashboards::Panel;
use std::rc::Rc;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// The visualisations the editor offers, by Grafana's type id and name.
const KINDS: [(&str, &str); 8] = [
    ("timeseries", "Time series"),
    ("stat", "Stat"),
    ("gauge", "Gauge"),
    ("bargauge", "Bar gauge"),
    ("table", "Table"),
    ("heatmap", "Heatmap"),
    ("logs", "Logs"),
    ("alertlist", "Alert list"),
];
/// Common units, by Grafana's id and the name its unit picker shows.
const UNITS: [(&str, &str); 8] = [
    ("", "None"),
    ("short", "Short"),
    ("percent", "Percent (0-100)"),
    ("percentunit", "Percent (0.0-1.0)"),
    ("bytes", "Bytes (IEC)"),
    ("s", "Seconds (s)"),
    ("reqps", "Requests/sec (rps)"),
    ("cores", "Cores"),
];
/// Colours offered for threshold steps (Grafana's named colours).
const COLOURS: [&str; 6] = ["green", "yellow", "orange", "red", "blue", "purple"];

/// A change a field makes to the draft, given the field's new text.
type Edit = Rc<dyn Fn(&mut Panel, String)>;

#[derive(Properties, PartialEq)]
pub struct EditorProps {
    pub bridge: BridgeHandle,
    pub panel: Panel,
    pub vars: Rc<Vec<VarState>>,
    /// The page's time range, in ms.
    pub range: i64,
    pub on_apply: Callback<Panel>,
    pub on_cancel: Callback<()>,
}

/// A new panel as Grafana's "Add visualization" starts it.
pub fn new_panel(id: i64, y: u32) -> Panel {
    let mut panel = Panel {
        id: Some(id),
        kind: "timeseries".into(),
        title: "New panel".into(),
        targets: vec![Target { ref_id: "A".into(), ..Target::default() }],
        ..Panel::default()
    };
    panel.grid_pos.w = 12;
    panel.grid_pos.h = 8;
    panel.grid_pos.y = y;
    panel.field_config.defaults.thresholds = Some(Thresholds {
        mode: "absolute".into(),
        steps: vec![Step { color: "green".into(), value: None }, Step { color: "red".into(), value: Some(80.0) }],
    });
    panel
}

/// The next free query letter: A, B, … Z, then AA.
fn next_ref(targets: &[Target]) -> String {
    let letters = ('A'..='Z').map(String::from).chain(('A'..='Z').map(|c| format!("A{c}")));
    letters.into_iter().find(|l| targets.iter().all(|t| t.ref_id != *l)).unwrap_or_else(|| "Z".into())
}

fn input_value(e: &Event) -> String {
    if let Some(i) = e.target_dyn_into::<HtmlInputElement>() {
        return i.value();
    }
    if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
        return t.value();
    }
    e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value()).unwrap_or_default()
}

/// A number field's value; empty means unset.
fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    if t.is_empty() {
        None
    } else {
        t.parse().ok().filter(|v: &f64| v.is_finite())
    }
}

#[function_component]
pub fn PanelEditor(props: &EditorProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let draft = use_state(|| props.panel.clone());
    // Every field edits a copy of the draft through one function.
    let edit = {
        let draft = draft.clone();
        move |f: Edit| {
            let draft = draft.clone();
            Callback::from(move |e: Event| {
                let mut next = (*draft).clone();
                f(&mut next, input_value(&e));
                draft.set(next);
            })
        }
    };
    let data = {
        let panel = (*draft).clone();
        let range = props.range;
        let vars = props.vars.clone();
        props.bridge.0.with_cluster(move |cluster| {
            let now = cluster.now().0;
            let window = Window { from_ms: now - range, to_ms: now, max_data_points: 600 };
            Rc::new(run(cluster, &panel, &vars, window))
        })
    };
    let defaults = draft.field_config.defaults.clone();
    let steps = defaults.thresholds.clone().map(|t| t.steps).unwrap_or_default();

    // A logs panel's query is a LogQL stream selector (see `engine::dashboards::logs`).
    let placeholder = if draft.kind == "logs" { r#"{namespace="default"} |= "text""# } else { "PromQL" };
    let queries = draft.targets.iter().enumerate().map(|(i, t)| {
        let expr = edit(Rc::new(move |p: &mut Panel, v| p.targets[i].expr = v));
        let legend = edit(Rc::new(move |p: &mut Panel, v| p.targets[i].legend_format = v));
        let kind = edit(Rc::new(move |p: &mut Panel, v| {
            let instant = v == "instant";
            p.targets[i].instant = Some(instant);
            p.targets[i].range = Some(!instant);
        }));
        let remove = {
            let draft = draft.clone();
            Callback::from(move |_| {
                let mut next = (*draft).clone();
                next.targets.remove(i);
                draft.set(next);
            })
        };
        html! {
            <fieldset class="query" data-testid="editor-query">
                <legend>{ t.ref_id.clone() }</legend>
                <textarea data-testid="editor-expr" placeholder={placeholder} value={t.expr.clone()} onchange={expr} />
                <label>{ tr(lang, D::Legend) }
                    <input data-testid="editor-legend" placeholder="{{label}}" value={t.legend_format.clone()} onchange={legend} />
                </label>
                <label>{ tr(lang, D::QueryType) }
                    <select data-testid="editor-query-type" onchange={kind}>
                        <option value="range" selected={!t.is_instant()}>{ "Range" }</option>
                        <option value="instant" selected={t.is_instant()}>{ "Instant" }</option>
                    </select>
                </label>
                if draft.targets.len() > 1 {
                    <button onclick={remove}>{ tr(lang, D::Remove) }</button>
                }
            </fieldset>
        }
    });
    let add_query = {
        let draft = draft.clone();
        Callback::from(move |_| {
            let mut next = (*draft).clone();
            let ref_id = next_ref(&next.targets);
            next.targets.push(Target { ref_id, ..Target::default() });
            draft.set(next);
        })
    };
    let thresholds = steps.iter().enumerate().map(|(i, s)| {
        let colour = edit(Rc::new(move |p: &mut Panel, v| {
            if let Some(t) = p.field_config.defaults.thresholds.as_mut() {
                t.steps[i].color = v;
            }
        }));
        let value = edit(Rc::new(move |p: &mut Panel, v| {
            if let Some(t) = p.field_config.defaults.thresholds.as_mut() {
                if let Some(n) = number(&v) {
                    t.steps[i].value = Some(n);
                }
                // Grafana keeps the steps in ascending order, the base first.
                t.steps.sort_by(|a, b| a.value.unwrap_or(f64::NEG_INFINITY).total_cmp(&b.value.unwrap_or(f64::NEG_INFINITY)));
            }
        }));
        let remove = edit(Rc::new(move |p: &mut Panel, _| {
            if let Some(t) = p.field_config.defaults.thresholds.as_mut() {
                t.steps.remove(i);
            }
        }));
        html! {
            <div class="step" data-testid="editor-threshold">
                <select onchange={colour}>
                    { for COLOURS.iter().map(|c| html! { <option value={*c} selected={s.color == *c}>{ *c }</option> }) }
                </select>
                if let Some(v) = s.value {
                    <input type="number" value={v.to_string()} onchange={value} />
                    <button onclick={Callback::from(move |e: MouseEvent| remove.emit(e.into()))}>{ "×" }</button>
                } else {
                    <span>{ tr(lang, D::Base) }</span>
                }
            </div>
        }
    });
    let add_threshold = {
        let draft = draft.clone();
        Callback::from(move |_| {
            let mut next = (*draft).clone();
            let t = next.field_config.defaults.thresholds.get_or_insert_with(|| Thresholds {
                mode: "absolute".into(),
                steps: vec![Step { color: "green".into(), value: None }],
            });
            let top = t.steps.iter().filter_map(|s| s.value).fold(0.0_f64, f64::max);
            t.steps.push(Step { color: "red".into(), value: Some(top + 10.0) });
            draft.set(next);
        })
    };

    let title = edit(Rc::new(|p: &mut Panel, v| p.title = v));
    let kind = edit(Rc::new(|p: &mut Panel, v| p.kind = v));
    let unit = edit(Rc::new(|p: &mut Panel, v| p.field_config.defaults.unit = Some(v).filter(|u| !u.is_empty())));
    let decimals = edit(Rc::new(|p: &mut Panel, v| {
        p.field_config.defaults.decimals = number(&v).filter(|d| *d >= 0.0).map(|d| d.min(20.0) as u32)
    }));
    let min = edit(Rc::new(|p: &mut Panel, v| p.field_config.defaults.min = number(&v)));
    let max = edit(Rc::new(|p: &mut Panel, v| p.field_config.defaults.max = number(&v)));
    let opt = |v: Option<f64>| v.map(|n| n.to_string()).unwrap_or_default();
    let apply = {
        let draft = draft.clone();
        props.on_apply.reform(move |_| (*draft).clone())
    };
    html! {
        <div class="editor" data-testid="panel-editor">
            <div class="preview" data-testid="editor-preview">
                <PanelView panel={Rc::new((*draft).clone())} {data} vars={props.vars.clone()} />
            </div>
            <div class="queries">
                { for queries }
                <button data-testid="editor-add-query" onclick={add_query}>{ tr(lang, D::AddQuery) }</button>
            </div>
            <div class="options">
                <label>{ tr(lang, D::Title) }<input data-testid="editor-title" value={draft.title.clone()} onchange={title} /></label>
                <label>{ tr(lang, D::Visualisation) }
                    <select data-testid="editor-kind" onchange={kind}>
                        { for KINDS.iter().map(|(id, name)| html! { <option value={*id} selected={draft.kind == *id}>{ *name }</option> }) }
                    </select>
                </label>
                <label>{ tr(lang, D::Unit) }
                    <select data-testid="editor-unit" onchange={unit}>
                        { for UNITS.iter().map(|(id, name)| html! {
                            <option value={*id} selected={defaults.unit.as_deref().unwrap_or_default() == *id}>{ *name }</option>
                        }) }
                    </select>
                </label>
                <label>{ tr(lang, D::Decimals) }<input type="number" min="0" data-testid="editor-decimals"
                    value={defaults.decimals.map(|d| d.to_string()).unwrap_or_default()} onchange={decimals} /></label>
                <label>{ tr(lang, D::Min) }<input type="number" data-testid="editor-min" value={opt(defaults.min)} onchange={min} /></label>
                <label>{ tr(lang, D::Max) }<input type="number" data-testid="editor-max" value={opt(defaults.max)} onchange={max} /></label>
                <div class="thresholds">
                    <span>{ tr(lang, D::Thresholds) }</span>
                    { for thresholds }
                    <button data-testid="editor-add-threshold" onclick={add_threshold}>{ tr(lang, D::AddThreshold) }</button>
                </div>
                { panel_options(&draft, lang) }
                <div class="actions">
                    <button data-testid="editor-apply" onclick={apply}>{ tr(lang, D::Apply) }</button>
                    <button data-testid="editor-cancel" onclick={props.on_cancel.reform(|_| ())}>{ tr(lang, D::Cancel) }</button>
                </div>
            </div>
        </div>
    }
}
