//! From a series to what a panel shows: the field options after overrides,
//! a reduction (last, mean, max, …), value mappings, units and the
//! threshold colour.

use super::mappings::{self, js_regex, Input};
use super::model::{FieldDefaults, Panel, Step};
use super::query::Frame;
use super::units;
use serde_json::Value;

/// The field options that apply to one series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Field {
    /// Shown name.
    pub name: String,
    /// Grafana unit id.
    pub unit: String,
    /// Fixed decimals.
    pub decimals: Option<u32>,
    /// Axis / gauge minimum.
    pub min: Option<f64>,
    /// Axis / gauge maximum.
    pub max: Option<f64>,
    /// Threshold steps, ascending.
    pub steps: Vec<Step>,
    /// Whether steps are percentages of min..max.
    pub percentage: bool,
    /// Value mappings.
    pub mappings: Vec<Value>,
    /// A fixed colour from an override or `color.fixedColor`.
    pub color: Option<String>,
    /// Text for no value.
    pub no_value: Option<String>,
    /// Drawn against a second Y axis on the right (`custom.axisPlacement`).
    pub right_axis: bool,
}

fn from_defaults(d: &FieldDefaults) -> Field {
    let fixed = d
        .extra
        .get("color")
        .filter(|c| c.get("mode").and_then(Value::as_str) == Some("fixed"))
        .and_then(|c| c.get("fixedColor"))
        .and_then(Value::as_str)
        .map(str::to_string);
    Field {
        name: String::new(),
        unit: d.unit.clone().unwrap_or_default(),
        decimals: d.decimals,
        min: d.min,
        max: d.max,
        steps: d.thresholds.as_ref().map(|t| t.steps.clone()).unwrap_or_default(),
        percentage: d.thresholds.as_ref().is_some_and(|t| t.mode == "percentage"),
        mappings: d.mappings.clone(),
        color: fixed,
        no_value: d.no_value.clone(),
        right_axis: d.extra.get("custom").and_then(|c| c.get("axisPlacement")).and_then(Value::as_str) == Some("right"),
    }
}

/// The options for `frame` in `panel`: defaults, then each matching override.
pub fn field(panel: &Panel, frame: &Frame) -> Field {
    let defaults = &panel.field_config.defaults;
    let mut f = from_defaults(defaults);
    f.name =
        defaults.display_name.clone().filter(|n| !n.is_empty() && !n.contains("${__")).unwrap_or(frame.name.clone());
    for o in &panel.field_config.overrides {
        let opt = o.matcher.options.as_str().unwrap_or_default();
        let hit = match o.matcher.id.as_str() {
            "byName" => opt == frame.name || opt == f.name,
            // Grafana tests the shown name, as `stringToJsRegex` reads the pattern.
            "byRegexp" => js_regex(opt).is_some_and(|r| r.is_match(&f.name) || r.is_match(&frame.name)),
            "byFrameRefID" => opt == frame.ref_id,
            _ => false,
        };
        if !hit {
            continue;
        }
        for p in &o.properties {
            let v = &p.value;
            match p.id.as_str() {
                "unit" => f.unit = v.as_str().unwrap_or_default().to_string(),
                "decimals" => f.decimals = v.as_u64().map(|d| d as u32),
                "min" => f.min = v.as_f64(),
                "max" => f.max = v.as_f64(),
                "displayName" => f.name = v.as_str().map_or(f.name.clone(), str::to_string),
                "color" => f.color = v.get("fixedColor").and_then(Value::as_str).map(str::to_string),
                "thresholds" => {
                    f.steps = serde_json::from_value(v.get("steps").cloned().unwrap_or_default()).unwrap_or_default();
                    f.percentage = v.get("mode").and_then(Value::as_str) == Some("percentage");
                }
                "noValue" => f.no_value = v.as_str().map(str::to_string),
                "mappings" => f.mappings = v.as_array().cloned().unwrap_or_default(),
                "custom.axisPlacement" => f.right_axis = v.as_str() == Some("right"),
                _ => {}
            }
        }
    }
    f
}

/// A reduction Grafana offers (`reduceOptions.calcs`).
pub fn reduce(calc: &str, points: &[(i64, f64)]) -> Option<f64> {
    let vals: Vec<f64> = points.iter().map(|p| p.1).filter(|v| !v.is_nan()).collect();
    let first = vals.first().copied();
    let last = vals.last().copied();
    match calc {
        "last" => points.last().map(|p| p.1),
        "first" => points.first().map(|p| p.1),
        "firstNotNull" => first,
        "mean" => (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64),
        "max" => vals.iter().copied().reduce(f64::max),
        "min" => vals.iter().copied().reduce(f64::min),
        "sum" => Some(vals.iter().sum()),
        "count" => Some(points.len() as f64),
        "range" => Some(vals.iter().copied().reduce(f64::max)? - vals.iter().copied().reduce(f64::min)?),
        "delta" | "diff" => Some(last? - first?),
        _ => last,
    }
}

/// What a value shows: its text and colour.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// Formatted, or a mapping's text.
    pub text: String,
    /// `#rrggbb`.
    pub color: String,
}

/// A value after mappings, unit and thresholds; `None` for no value (which
/// a `null` mapping may still name).
pub fn show(field: &Field, value: Option<f64>) -> Shown {
    let input = value.map_or(Input::Null, Input::Number);
    let hit = mappings::apply(&field.mappings, input).unwrap_or_default();
    let Some(v) = value else {
        let color = field.steps.first().map_or(BASE.to_string(), |s| color_hex(&s.color));
        let text = hit.text.or_else(|| field.no_value.clone()).unwrap_or_else(|| "No data".into());
        return Shown { text, color: hit.color.map_or(color, |c| color_hex(&c)) };
    };
    Shown {
        text: hit.text.unwrap_or_else(|| units::format(&field.unit, v, field.decimals)),
        color: hit.color.map_or_else(|| threshold_color(field, v), |c| color_hex(&c)),
    }
}

/// A text value (a table's label cell) after mappings: the mapped text and
/// colour, or `None` when no mapping names it.
pub fn show_text(field: &Field, text: &str) -> Option<(String, Option<String>)> {
    let hit = mappings::apply(&field.mappings, Input::Text(text))?;
    Some((hit.text.unwrap_or_else(|| text.to_string()), hit.color.map(|c| color_hex(&c))))
}

const BASE: &str = "#73bf69";

/// The colour of the highest step at or below `v` (percentage steps scale
/// to min..max); a fixed colour wins.
pub fn threshold_color(field: &Field, v: f64) -> String {
    if let Some(c) = &field.color {
        return color_hex(c);
    }
    let v = if field.percentage {
        let (lo, hi) = (field.min.unwrap_or(0.0), field.max.unwrap_or(100.0));
        if hi > lo {
            (v - lo) / (hi - lo) * 100.0
        } else {
            v
        }
    } else {
        v
    };
    let mut active = field.steps.first();
    for s in &field.steps {
        match s.value {
            None => active = Some(s),
            Some(t) if v >= t => active = Some(s),
            Some(_) => break,
        }
    }
    active.map_or(BASE.to_string(), |s| color_hex(&s.color))
}

/// Grafana's named colours (dark theme) as hex; hex passes through.
pub fn color_hex(name: &str) -> String {
    let name = name.trim();
    if name.starts_with('#') {
        return name.to_string();
    }
    if let Some(rgb) = name.strip_prefix("rgb(").or_else(|| name.strip_prefix("rgba(")) {
        let nums: Vec<u8> =
            rgb.trim_end_matches(')').split(',').take(3).filter_map(|n| n.trim().parse().ok()).collect();
        if let [r, g, b] = nums[..] {
            return format!("#{r:02x}{g:02x}{b:02x}");
        }
    }
    let hue =
        ["green", "red", "yellow", "orange", "blue", "purple"].into_iter().find(|h| name.ends_with(h)).unwrap_or("");
    let shade = name.strip_suffix(hue).unwrap_or_default().trim_end_matches('-');
    let table: [(&str, [&str; 5]); 6] = [
        ("green", ["#37872d", "#56a64b", "#73bf69", "#96d98d", "#c8f2c2"]),
        ("red", ["#c4162a", "#e02f44", "#f2495c", "#ff7383", "#ffa6b0"]),
        ("yellow", ["#e0b400", "#f2cc0c", "#fade2a", "#ffee52", "#fff899"]),
        ("orange", ["#fa6400", "#ff780a", "#ff9830", "#ffb357", "#ffcb7d"]),
        ("blue", ["#1f60c4", "#3274d9", "#5794f2", "#8ab8ff", "#c0d8ff"]),
        ("purple", ["#8f3bb8", "#a352cc", "#b877d9", "#ca95e5", "#deb6f2"]),
    ];
    let idx = match shade {
        "dark" => 0,
        "semi-dark" => 1,
        "" => 2,
        "light" => 3,
        "super-light" => 4,
        _ => 2,
    };
    match table.iter().find(|(h, _)| *h == hue) {
        Some((_, shades)) => shades[idx].to_string(),
        None => match name {
            "transparent" => "#00000000".into(),
            "white" => "#ffffff".into(),
            "text" => "#ccccdc".into(),
            _ => BASE.into(),
        },
    }
}

/// Grafana's classic palette, which series take in turn.
pub const PALETTE: [&str; 12] = [
    "#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1", "#ba43a9", "#705da0", "#508642", "#cca300",
    "#447ebc", "#c15c17",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboards::model::Dashboard;

    fn panel(json: &str) -> Panel {
        let d = Dashboard::import(&format!(r#"{{"panels":[{json}]}}"#)).expect("test dashboard");
        d.panels[0].clone()
    }

    fn frame(name: &str) -> Frame {
        Frame { ref_id: "A".into(), name: name.into(), labels: Default::default(), points: vec![] }
    }

    #[test]
    fn thresholds_mappings_and_overrides() {
        let p = panel(
            r#"{"type":"stat","fieldConfig":{"defaults":{"unit":"percent","decimals":1,
                "thresholds":{"mode":"absolute","steps":[{"color":"green","value":null},{"color":"orange","value":70},{"color":"red","value":90}]},
                "mappings":[{"type":"value","options":{"1":{"text":"OK","color":"blue"}}},
                            {"type":"range","options":{"from":200,"to":300,"result":{"text":"High"}}}]},
              "overrides":[{"matcher":{"id":"byName","options":"mem"},"properties":[{"id":"unit","value":"bytes"},{"id":"displayName","value":"Memory"}]}]}}"#,
        );
        let cpu = field(&p, &frame("cpu"));
        // (value, text, colour)
        let cases: &[(Option<f64>, &str, &str)] = &[
            (Some(12.34), "12.3%", "#73bf69"),
            (Some(70.0), "70.0%", "#ff9830"),
            (Some(95.5), "95.5%", "#f2495c"),
            (Some(1.0), "OK", "#5794f2"),
            (Some(250.0), "High", "#f2495c"),
            (None, "No data", "#73bf69"),
        ];
        for (v, text, color) in cases {
            let s = show(&cpu, *v);
            assert_eq!((s.text.as_str(), s.color.as_str()), (*text, *color), "{v:?}");
        }
        let mem = field(&p, &frame("mem"));
        assert_eq!((mem.name.as_str(), mem.unit.as_str()), ("Memory", "bytes"));
        assert_eq!(show(&mem, Some(2048.0)).text, "2.0 KiB");
    }

    #[test]
    fn overrides_by_name_and_by_regex() {
        let p = panel(
            r##"{"type":"timeseries","fieldConfig":{"defaults":{"unit":"short","min":0,
                "mappings":[{"type":"special","options":{"match":"null","result":{"text":"Down","color":"red"}}}]},
              "overrides":[
                {"matcher":{"id":"byName","options":"web-1"},"properties":[
                    {"id":"displayName","value":"Web one"},{"id":"color","value":{"mode":"fixed","fixedColor":"purple"}},
                    {"id":"decimals","value":2},{"id":"max","value":10}]},
                {"matcher":{"id":"byRegexp","options":"db-.*"},"properties":[{"id":"unit","value":"bytes"},
                    {"id":"thresholds","value":{"mode":"percentage","steps":[{"color":"green","value":null},{"color":"red","value":50}]}}]},
                {"matcher":{"id":"byRegexp","options":"/CACHE/i"},"properties":[{"id":"min","value":-5},{"id":"noValue","value":"gone"}]},
                {"matcher":{"id":"byRegexp","options":"("},"properties":[{"id":"unit","value":"percent"}]}
              ]}}"##,
        );
        // (series, name, unit, decimals, min, max, fixed colour, shown value of 7, of nothing)
        type Case<'a> =
            (&'a str, &'a str, &'a str, Option<u32>, Option<f64>, Option<f64>, Option<&'a str>, &'a str, &'a str);
        let cases: &[Case] = &[
            ("web-1", "Web one", "short", Some(2), Some(0.0), Some(10.0), Some("purple"), "7.00", "Down"),
            ("web-2", "web-2", "short", None, Some(0.0), None, None, "7", "Down"),
            ("db-0", "db-0", "bytes", None, Some(0.0), None, None, "7 B", "Down"),
            // A bare pattern must match the whole name.
            ("my-db-0", "my-db-0", "short", None, Some(0.0), None, None, "7", "Down"),
            ("redis-cache", "redis-cache", "short", None, Some(-5.0), None, None, "7", "Down"),
        ];
        for (series, name, unit, decimals, min, max, color, seven, none) in cases {
            let f = field(&p, &frame(series));
            assert_eq!(
                (f.name.as_str(), f.unit.as_str(), f.decimals, f.min, f.max, f.color.as_deref()),
                (*name, *unit, *decimals, *min, *max, *color),
                "{series}"
            );
            assert_eq!((show(&f, Some(7.0)).text.as_str(), show(&f, None).text.as_str()), (*seven, *none), "{series}");
        }
        // The fixed colour wins over thresholds; percentage thresholds scale to min..max.
        assert_eq!(show(&field(&p, &frame("web-1")), Some(9.0)).color, "#b877d9");
        let db = field(&p, &frame("db-0"));
        assert_eq!(
            (show(&db, Some(40.0)).color.as_str(), show(&Field { max: Some(60.0), ..db }, Some(40.0)).color.as_str()),
            ("#73bf69", "#f2495c")
        );
        // A null mapping names no value with its colour; without one, noValue or "No data".
        assert_eq!(show(&field(&p, &frame("web-2")), None).color, "#f2495c");
        let plain = panel(r#"{"type":"stat","fieldConfig":{"defaults":{"noValue":"n/a"}}}"#);
        assert_eq!(show(&field(&plain, &frame("x")), None).text, "n/a");
        // Label cells of a table go through text mappings.
        let t = panel(
            r#"{"type":"table","fieldConfig":{"defaults":{"mappings":[{"type":"value","options":{"kube-system":{"text":"System","color":"blue"}}}]}}}"#,
        );
        let tf = field(&t, &frame("x"));
        assert_eq!(show_text(&tf, "kube-system"), Some(("System".to_string(), Some("#5794f2".to_string()))));
        assert_eq!(show_text(&tf, "default"), None);
    }

    #[test]
    fn reductions() {
        let pts = [(0, 3.0), (1, f64::NAN), (2, 1.0), (3, 5.0)];
        let got: Vec<Option<f64>> =
            ["lastNotNull", "mean", "max", "min", "firstNotNull", "range"].iter().map(|c| reduce(c, &pts)).collect();
        assert_eq!(got, vec![Some(5.0), Some(3.0), Some(5.0), Some(1.0), Some(3.0), Some(4.0)]);
        assert_eq!(reduce("max", &[]), None);
    }

    #[test]
    fn named_colours() {
        assert_eq!(color_hex("dark-red"), "#c4162a");
        assert_eq!(color_hex("semi-dark-green"), "#56a64b");
        assert_eq!(color_hex("#123456"), "#123456");
        assert_eq!(color_hex("rgb(10, 20, 30)"), "#0a141e");
    }
}
