//! The panel editor's options for the heatmap, logs and alert list, written
//! into `options` under Grafana's names so an export reads as Grafana's.

use super::text::{tr, D};
use crate::i18n::Lang;
use engine::dashboards::heatmap;
use engine::dashboards::Panel;
use serde_json::{json, Map, Value};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Colour schemes offered, by Grafana's names.
const SCHEMES: [&str; 8] = ["Oranges", "Reds", "Greens", "Blues", "Purples", "YlOrRd", "Spectral", "Viridis"];
/// The alert list's sort orders, by Grafana's number and words.
const SORTS: [(u8, &str); 5] =
    [(1, "Alphabetical (asc)"), (2, "Alphabetical (desc)"), (3, "Importance"), (4, "Time (asc)"), (5, "Time (desc)")];

/// Sets `options.<path>` to `value`, making objects on the way (an odd
/// shape in an imported panel is replaced).
fn put(panel: &mut Panel, path: &[&str], value: Value) {
    if !panel.options.is_object() {
        panel.options = Value::Object(Map::new());
    }
    let mut at = &mut panel.options;
    for (i, key) in path.iter().enumerate() {
        let Value::Object(map) = at else { return };
        if i + 1 == path.len() {
            map.insert(key.to_string(), value);
            return;
        }
        let next = map.entry(key.to_string()).or_insert_with(|| json!({}));
        if !next.is_object() {
            *next = json!({});
        }
        at = next;
    }
}

fn get<'a>(panel: &'a Panel, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(&panel.options, |v, k| v.get(k))
}

/// A change to the draft from a field's event.
fn change(
    draft: &UseStateHandle<Panel>,
    path: &'static [&'static str],
    read: fn(&Event) -> Option<Value>,
) -> Callback<Event> {
    let draft = draft.clone();
    Callback::from(move |e: Event| {
        let Some(v) = read(&e) else { return };
        let mut next = (*draft).clone();
        put(&mut next, path, v);
        draft.set(next);
    })
}

fn checked(e: &Event) -> Option<Value> {
    e.target_dyn_into::<HtmlInputElement>().map(|i| Value::Bool(i.checked()))
}

fn text(e: &Event) -> Option<Value> {
    e.target_dyn_into::<HtmlSelectElement>().map(|s| Value::String(s.value()))
}

fn number(e: &Event) -> Option<Value> {
    let t = e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value());
    let t = t.or_else(|| e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()))?;
    t.trim().parse::<u64>().ok().filter(|n| *n >= 1).map(Value::from)
}

/// The heatmap's Y bucket scale as Grafana saves it: `{"type": "linear"}`
/// or `{"type": "log", "log": 2}`.
fn scale(e: &Event) -> Option<Value> {
    let v = e.target_dyn_into::<HtmlSelectElement>()?.value();
    Some(match v.parse::<u64>() {
        Ok(base) => json!({"type": "log", "log": base}),
        Err(_) => json!({"type": "linear"}),
    })
}

/// A cell gap in pixels, 0 to 25 as Grafana's slider allows.
fn gap(e: &Event) -> Option<Value> {
    let t = e.target_dyn_into::<HtmlInputElement>()?.value();
    t.trim().parse::<u64>().ok().map(|n| n.min(25).into())
}

/// The options fields for `draft`'s type; nothing for other types.
pub fn panel_options(draft: &UseStateHandle<Panel>, lang: Lang) -> Html {
    let p = &**draft;
    let flag = |path: &[&str], default: bool| get(p, path).and_then(Value::as_bool).unwrap_or(default);
    match p.kind.as_str() {
        "heatmap" => {
            let scheme = heatmap::colors(p);
            let base = heatmap::log_base(p).map(|b| b as u64);
            html! {
                <>
                    <label>{ "Color scheme" }
                        <select data-testid="editor-scheme" onchange={change(draft, &["color", "scheme"], text)}>
                            { for SCHEMES.iter().map(|s| html! {
                                <option value={*s} selected={scheme.stops.first().map(String::as_str) == heatmap::scheme_stops(s).first().copied()}>{ *s }</option>
                            }) }
                        </select>
                    </label>
                    <label>{ "Y bucket scale" }
                        <select data-testid="editor-y-scale" onchange={change(draft, &["calculation", "yBuckets", "scale"], scale)}>
                            <option value="linear" selected={base.is_none()}>{ "Linear" }</option>
                            <option value="2" selected={base == Some(2)}>{ "Log (base 2)" }</option>
                            <option value="10" selected={base == Some(10)}>{ "Log (base 10)" }</option>
                        </select>
                    </label>
                    <label>{ "Cell gap" }<input type="number" min="0" max="25" data-testid="editor-cell-gap"
                        value={heatmap::cell_gap(p).to_string()} onchange={change(draft, &["cellGap"], gap)} /></label>
                </>
            }
        }
        "logs" => {
            let newest = get(p, &["sortOrder"]).and_then(Value::as_str) != Some("Ascending");
            html! {
                <>
                    <label class="check"><input type="checkbox" data-testid="editor-show-time" checked={flag(&["showTime"], false)}
                        onchange={change(draft, &["showTime"], checked)} />{ tr(lang, D::ShowTime) }</label>
                    <label class="check"><input type="checkbox" data-testid="editor-wrap" checked={flag(&["wrapLogMessage"], false)}
                        onchange={change(draft, &["wrapLogMessage"], checked)} />{ tr(lang, D::WrapLines) }</label>
                    <select data-testid="editor-log-order" onchange={change(draft, &["sortOrder"], text)}>
                        <option value="Descending" selected={newest}>{ tr(lang, D::NewestFirst) }</option>
                        <option value="Ascending" selected={!newest}>{ tr(lang, D::OldestFirst) }</option>
                    </select>
                </>
            }
        }
        "alertlist" => {
            let sort = get(p, &["sortOrder"]).and_then(Value::as_u64).unwrap_or(1);
            let max = get(p, &["maxItems"]).and_then(Value::as_u64).unwrap_or(20);
            html! {
                <>
                    <label class="check"><input type="checkbox" data-testid="editor-state-firing" checked={flag(&["stateFilter", "firing"], true)}
                        onchange={change(draft, &["stateFilter", "firing"], checked)} />{ "Firing" }</label>
                    <label class="check"><input type="checkbox" data-testid="editor-state-pending" checked={flag(&["stateFilter", "pending"], true)}
                        onchange={change(draft, &["stateFilter", "pending"], checked)} />{ "Pending" }</label>
                    <label class="check"><input type="checkbox" data-testid="editor-state-normal" checked={flag(&["stateFilter", "normal"], false)}
                        onchange={change(draft, &["stateFilter", "normal"], checked)} />{ "Normal" }</label>
                    <label class="check"><input type="checkbox" data-testid="editor-show-instances" checked={flag(&["showInstances"], false)}
                        onchange={change(draft, &["showInstances"], checked)} />{ tr(lang, D::ShowInstances) }</label>
                    <label>{ "Max items" }<input type="number" min="1" data-testid="editor-max-items" value={max.to_string()}
                        onchange={change(draft, &["maxItems"], number)} /></label>
                    <label>{ "Sort order" }
                        <select data-testid="editor-alert-sort" onchange={change(draft, &["sortOrder"], number)}>
                            { for SORTS.iter().map(|(n, name)| html! {
                                <option value={n.to_string()} selected={u64::from(*n) == sort}>{ *name }</option>
                            }) }
                        </select>
                    </label>
                </>
            }
        }
        _ => html! {},
    }
}
