//! The panel editor, as Grafana's: a live preview over the lab's data, the
//! queries (PromQL, legend, instant or range) with the query options (min
//! interval, and the interval it gives), and the visualisation with its
//! display name, unit, decimals, min/max, thresholds, value mappings
//! (`mappings.rs`) and field overrides (`overrides.rs`). Apply hands the
//! edited panel back; the page saves it into the dashboard.

use super::mappings::MappingsEditor;
use super::options::panel_options;
use super::overrides::OverridesEditor;
use super::panels::PanelView;
use super::text::{tr, D};
use super::thresholds::ThresholdSteps;
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use engine::dashboards::interval::seconds_to_hms;
use engine::dashboards::model::{Override, Step, Target, Thresholds};
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
pub const UNITS: [(&str, &str); 8] = [
    ("", "None"),
    ("short", "Short"),
    ("percent", "Percent (0-100)"),
    ("percentunit", "Percent (0.0-1.0)"),
    ("bytes", "Bytes (IEC)"),
    ("s", "Seconds (s)"),
    ("reqps", "Requests/sec (rps)"),
    ("cores", "Cores"),
];

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
    let on_steps = {
        let draft = draft.clone();
        Callback::from(move |steps: Vec<Step>| {
            let mut next = (*draft).clone();
            let mode = next.field_config.defaults.thresholds.take().map_or("absolute".into(), |t| t.mode);
            next.field_config.defaults.thresholds = Some(Thresholds { mode, steps });
            draft.set(next);
        })
    };
    let on_mappings = {
        let draft = draft.clone();
        Callback::from(move |mappings: Vec<serde_json::Value>| {
            let mut next = (*draft).clone();
            next.field_config.defaults.mappings = mappings;
            draft.set(next);
        })
    };
    let on_overrides = {
        let draft = draft.clone();
        Callback::from(move |overrides: Vec<Override>| {
            let mut next = (*draft).clone();
            next.field_config.overrides = overrides;
            draft.set(next);
        })
    };
    // The names the preview's series go by before overrides, as Grafana's
    // "Fields with name" offers them.
    let mut names: Vec<String> = Vec::new();
    for f in &data.frames {
        if !names.contains(&f.name) {
            names.push(f.name.clone());
        }
    }
    let refs: Vec<String> = draft.targets.iter().map(|t| t.ref_id.clone()).collect();
    let interval = format!("{} = {}", tr(lang, D::Interval), seconds_to_hms(data.step_ms as f64 / 1000.0));
    let min_interval =
        edit(Rc::new(|p: &mut Panel, v| p.interval = Some(v.trim().to_string()).filter(|v| !v.is_empty())));
    let display_name =
        edit(Rc::new(|p: &mut Panel, v| p.field_config.defaults.display_name = Some(v).filter(|n| !n.is_empty())));
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
                <fieldset class="query-options" data-testid="editor-query-options">
                    <legend>{ tr(lang, D::QueryOptions) }</legend>
                    <label>{ tr(lang, D::MinInterval) }
                        <input data-testid="editor-min-interval" placeholder="15s" value={draft.interval.clone().unwrap_or_default()} onchange={min_interval} />
                    </label>
                    <span data-testid="editor-interval">{ interval }</span>
                </fieldset>
            </div>
            <div class="options">
                <label>{ tr(lang, D::Title) }<input data-testid="editor-title" value={draft.title.clone()} onchange={title} /></label>
                <label>{ tr(lang, D::Visualisation) }
                    <select data-testid="editor-kind" onchange={kind}>
                        { for KINDS.iter().map(|(id, name)| html! { <option value={*id} selected={draft.kind == *id}>{ *name }</option> }) }
                    </select>
                </label>
                <label>{ tr(lang, D::DisplayName) }<input data-testid="editor-display-name"
                    value={defaults.display_name.clone().unwrap_or_default()} onchange={display_name} /></label>
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
                <span>{ tr(lang, D::Thresholds) }</span>
                <ThresholdSteps {steps} on_change={on_steps} />
                <MappingsEditor mappings={defaults.mappings.clone()} on_change={on_mappings} />
                <OverridesEditor overrides={draft.field_config.overrides.clone()} {names} {refs} on_change={on_overrides} />
                { panel_options(&draft, lang) }
                <div class="actions">
                    <button data-testid="editor-apply" onclick={apply}>{ tr(lang, D::Apply) }</button>
                    <button data-testid="editor-cancel" onclick={props.on_cancel.reform(|_| ())}>{ tr(lang, D::Cancel) }</button>
                </div>
            </div>
        </div>
    }
}
