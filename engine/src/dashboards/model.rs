//! Grafana's dashboard JSON model (schemaVersion 30 and later), read
//! forgivingly: a field of an unexpected type falls back to its default and
//! every field we do not model is kept in `extra`, so any dashboard Grafana
//! exports imports here and exports again with nothing lost.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Reads a field as `T`, or `T::default()` when it has another shape: a
/// community dashboard with `"decimals": "2"` or `"refresh": false` must
/// still import.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(serde_json::from_value(value).unwrap_or_default())
}

/// Panels one by one, so that one odd element drops alone, not the list.
fn lenient_panels<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Panel>, D::Error> {
    let value = Value::deserialize(d)?;
    let Value::Array(items) = value else { return Ok(Vec::new()) };
    Ok(items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect())
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A whole dashboard.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    /// Stable identifier (the URL's `#/dashboards/<uid>`).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "String::is_empty")]
    pub uid: String,
    /// Shown in the picker and the header.
    #[serde(default, deserialize_with = "lenient")]
    pub title: String,
    /// Free tags.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// What the dashboard is for (dashboard settings' Description).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The model's version; we read 30 and later.
    #[serde(default, deserialize_with = "lenient")]
    pub schema_version: u32,
    /// The default time range.
    #[serde(default, deserialize_with = "lenient")]
    pub time: TimeRange,
    /// The default refresh interval (`"30s"`); Grafana writes `false` for off.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub refresh: Option<String>,
    /// Top-level panels, rows among them.
    #[serde(default, deserialize_with = "lenient_panels")]
    pub panels: Vec<Panel>,
    /// The variables.
    #[serde(default, deserialize_with = "lenient")]
    pub templating: Templating,
    /// Everything else, kept for export.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `{"from": "now-1h", "to": "now"}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimeRange {
    /// Start, relative (`now-1h`) or absolute.
    #[serde(default, deserialize_with = "lenient")]
    pub from: String,
    /// End.
    #[serde(default, deserialize_with = "lenient")]
    pub to: String,
}

impl Default for TimeRange {
    fn default() -> Self {
        TimeRange { from: "now-6h".into(), to: "now".into() }
    }
}

/// Where a panel sits on the 24-column grid; heights in 30 px rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridPos {
    /// Height in grid rows.
    #[serde(default, deserialize_with = "lenient")]
    pub h: u32,
    /// Width in columns (of 24).
    #[serde(default, deserialize_with = "lenient")]
    pub w: u32,
    /// Column.
    #[serde(default, deserialize_with = "lenient")]
    pub x: u32,
    /// Row.
    #[serde(default, deserialize_with = "lenient")]
    pub y: u32,
}

/// One panel, or a row (`type: "row"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    /// Unique within the dashboard.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The visualisation: `timeseries`, `stat`, `gauge`, `bargauge`, `table`,
    /// `text`, `row`, or anything else (drawn as a labelled placeholder).
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: String,
    /// The panel's title (may hold variables).
    #[serde(default, deserialize_with = "lenient")]
    pub title: String,
    /// Hover text.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Grid place.
    #[serde(default, deserialize_with = "lenient")]
    pub grid_pos: GridPos,
    /// Queries A, B, …
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// Units, thresholds, mappings, overrides.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "FieldConfig::is_empty")]
    pub field_config: FieldConfig,
    /// The visualisation's own options, read where drawn.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub options: Value,
    /// The panel's minimum interval (`"30s"`, may hold variables).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Points per series; defaults to the panel's width in pixels.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub max_data_points: Option<u32>,
    /// A row: whether it is folded (its panels then live in `panels`).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub collapsed: Option<bool>,
    /// A collapsed row's panels.
    #[serde(default, deserialize_with = "lenient_panels", skip_serializing_if = "Vec::is_empty")]
    pub panels: Vec<Panel>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// `A`, `B`, …
    #[serde(default, deserialize_with = "lenient")]
    pub ref_id: String,
    /// The PromQL expression.
    #[serde(default, deserialize_with = "lenient")]
    pub expr: String,
    /// `{{label}}` template for series names; `__auto` or empty: default.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "String::is_empty")]
    pub legend_format: String,
    /// An instant query.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub instant: Option<bool>,
    /// A range query (Grafana may set both).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub range: Option<bool>,
    /// Minimum step for this query.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub interval: Option<String>,
    /// Step multiplier (older dashboards).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub interval_factor: Option<f64>,
    /// `time_series`, `table` or `heatmap`.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// A hidden query is not run.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "is_false")]
    pub hide: bool,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl FieldConfig {
    fn is_empty(&self) -> bool {
        self == &FieldConfig::default()
    }
}

impl Target {
    /// Grafana runs a query as instant only when it asks for that and not
    /// also for a range.
    pub fn is_instant(&self) -> bool {
        self.instant == Some(true) && self.range != Some(true)
    }
}

/// `fieldConfig`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldConfig {
    /// What every series gets.
    #[serde(default, deserialize_with = "lenient")]
    pub defaults: FieldDefaults,
    /// Changes for series matched by name (or other matchers).
    #[serde(default, deserialize_with = "lenient")]
    pub overrides: Vec<Override>,
    /// Everything else.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The field options a panel sets for all its series.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDefaults {
    /// Grafana unit id: `bytes`, `percent`, `s`, `short`, `reqps`, …
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Fixed decimals.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub decimals: Option<u32>,
    /// Axis / gauge minimum.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Axis / gauge maximum.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Colour steps.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    /// Value mappings (`value`, `range`, `special`), read in `display.rs`.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Vec::is_empty")]
    pub mappings: Vec<Value>,
    /// Replaces the series name.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Shown when there is no value.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub no_value: Option<String>,
    /// Everything else (`color`, `custom`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `thresholds`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// `absolute` or `percentage` (of min..max).
    #[serde(default, deserialize_with = "lenient")]
    pub mode: String,
    /// Ascending; the first has no value (minus infinity).
    #[serde(default, deserialize_with = "lenient")]
    pub steps: Vec<Step>,
}

/// One threshold step.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// A Grafana colour name or `#rrggbb`.
    #[serde(default, deserialize_with = "lenient")]
    pub color: String,
    /// From this value up; `null` for the base.
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<f64>,
}

/// One override: a matcher and the properties it sets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Override {
    /// `{"id": "byName", "options": "series name"}` and the like.
    #[serde(default, deserialize_with = "lenient")]
    pub matcher: Matcher,
    /// `{"id": "unit", "value": "bytes"}` and the like.
    #[serde(default, deserialize_with = "lenient")]
    pub properties: Vec<Property>,
}

/// An override's matcher.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Matcher {
    /// `byName`, `byRegexp`, `byFrameRefID`, …
    #[serde(default, deserialize_with = "lenient")]
    pub id: String,
    /// What it matches against.
    #[serde(default)]
    pub options: Value,
}

/// An override's property.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Property {
    /// `unit`, `decimals`, `displayName`, `color`, `min`, `max`, …
    #[serde(default, deserialize_with = "lenient")]
    pub id: String,
    /// Its value.
    #[serde(default)]
    pub value: Value,
}

/// `templating`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Templating {
    /// The variables, in the order they are resolved.
    #[serde(default, deserialize_with = "lenient")]
    pub list: Vec<Variable>,
}

/// One dashboard variable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    /// Referenced as `$name`.
    #[serde(default, deserialize_with = "lenient")]
    pub name: String,
    /// The dropdown's caption.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `query`, `custom`, `interval`, `constant`, `textbox`, `datasource`, …
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: String,
    /// A string, or (newer Grafana) `{"query": "...", "refId": …}`.
    #[serde(default)]
    pub query: Value,
    /// What Grafana shows as the query.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// The selection saved with the dashboard.
    #[serde(default, deserialize_with = "lenient")]
    pub current: Current,
    /// Several values may be picked.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub multi: Option<bool>,
    /// An `All` option exists.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    /// What `All` stands for instead of every value joined.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub all_value: Option<String>,
    /// A regex the values pass through (a capture group picks the part).
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
    /// 0 none, 1/2 alphabetical, 3/4 numerical, 5/6 case-insensitive.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub sort: Option<i64>,
    /// 2 = hidden entirely, 1 = label hidden.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub hide: Option<i64>,
    /// An interval variable offers `auto`, computed from the time range.
    #[serde(default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub auto: Option<bool>,
    /// `auto` divides the range into this many steps (Grafana's default 30).
    #[serde(rename = "auto_count", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub auto_count: Option<u32>,
    /// `auto` is never below this (Grafana's default `10s`).
    #[serde(rename = "auto_min", default, deserialize_with = "lenient", skip_serializing_if = "Option::is_none")]
    pub auto_min: Option<String>,
    /// Everything else (`options`, `refresh`, `datasource`, …).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Variable {
    /// The query text, whichever shape it was saved in.
    pub fn query_text(&self) -> String {
        match &self.query {
            Value::String(s) => s.clone(),
            Value::Object(o) => o.get("query").and_then(Value::as_str).unwrap_or_default().to_string(),
            _ => String::new(),
        }
    }
}

/// The saved selection: a string, or a list for multi-value variables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Current {
    /// Shown.
    #[serde(default)]
    pub text: Value,
    /// Used.
    #[serde(default)]
    pub value: Value,
}

impl Current {
    /// The selected values.
    pub fn values(&self) -> Vec<String> {
        match &self.value {
            Value::String(s) => vec![s.clone()],
            Value::Array(a) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => Vec::new(),
        }
    }
}

/// Why a text is not a dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError(pub String);

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Dashboard {
    /// Reads Grafana JSON: a dashboard, or the `{"dashboard": …}` envelope
    /// the HTTP API and some exports wrap it in. Only text that is not a JSON
    /// object is refused; unknown fields and panel types are kept.
    pub fn import(text: &str) -> Result<Dashboard, ImportError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ImportError(format!("not JSON: {e}")))?;
        let value = match value {
            Value::Object(mut o) if o.get("dashboard").is_some_and(Value::is_object) && !o.contains_key("panels") => {
                o.remove("dashboard").unwrap_or_default()
            }
            v => v,
        };
        if !value.is_object() {
            return Err(ImportError("a dashboard is a JSON object".into()));
        }
        serde_json::from_value(value).map_err(|e| ImportError(e.to_string()))
    }

    /// Grafana JSON, indented as Grafana's "Export" writes it.
    pub fn export(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
