//! Grafana's value mappings (`fieldConfig.defaults.mappings`, the shape
//! schemaVersion 30 and later save): which mapping a value hits, and the
//! editor's rows, saved back the way Grafana's value mappings editor saves
//! them (every value row merged into one `value` mapping, put first; each
//! row's place kept as `index`).

use regex::Regex;
use serde_json::{json, Map, Value};

/// A value to map, as Grafana's field values come: a number, a text (a
/// table's label column), or none.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Input<'a> {
    /// No value (`null`).
    Null,
    /// A sample.
    Number(f64),
    /// A label or other text.
    Text(&'a str),
}

/// What a mapping gives: its text and colour, either left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hit {
    /// Replaces the formatted value.
    pub text: Option<String>,
    /// Replaces the threshold colour.
    pub color: Option<String>,
}

/// A value as JavaScript's `String(value)` writes it, which is what
/// Grafana looks a value mapping's key up by (`1`, `0.5`, `NaN`).
pub fn js_string(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{v}")
    }
}

/// Grafana's `stringToJsRegex`: `/body/flags`, or a bare pattern that must
/// match the whole text.
pub fn js_regex(pattern: &str) -> Option<Regex> {
    let Some(rest) = pattern.strip_prefix('/') else {
        return Regex::new(&format!("^(?:{pattern})$")).ok();
    };
    let end = rest.rfind('/')?;
    let (body, flags) = (&rest[..end], &rest[end + 1..]);
    if !flags.chars().all(|c| "gimys".contains(c)) {
        return None;
    }
    let inline: String = flags.chars().filter(|c| "ims".contains(*c)).collect();
    let body = if inline.is_empty() { body.to_string() } else { format!("(?{inline}){body}") };
    Regex::new(&body).ok()
}

fn hit(result: Option<&Value>) -> Hit {
    let field =
        |k: &str| result.and_then(|r| r.get(k)).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    Hit { text: field("text"), color: field("color") }
}

/// The first mapping `input` hits, in the saved order, as Grafana's
/// `getValueMappingResult` finds it. Value mappings look the value up by
/// its text; ranges hold numbers (or numeric text) between their ends; a
/// regex tests text only and may rewrite it with `$1`; the special matches
/// are `null`, `nan` (JavaScript's `isNaN`, so also a text that is not a
/// number), `null+nan`, `true`, `false` (a boolean or its text) and
/// `empty` (an empty text).
pub fn apply(mappings: &[Value], input: Input) -> Option<Hit> {
    for m in mappings {
        let Some(opts) = m.get("options") else { continue };
        match m.get("type").and_then(Value::as_str) {
            Some("value") => {
                let key = match input {
                    Input::Null => continue,
                    Input::Number(v) => js_string(v),
                    Input::Text(t) => t.to_string(),
                };
                if let Some(r) = opts.get(&key) {
                    return Some(hit(Some(r)));
                }
            }
            Some("range") => {
                let v = match input {
                    Input::Null => continue,
                    Input::Number(v) => v,
                    Input::Text(t) => t.trim().parse::<f64>().unwrap_or(f64::NAN),
                };
                if v.is_nan() {
                    continue;
                }
                let from = opts.get("from").and_then(Value::as_f64);
                let to = opts.get("to").and_then(Value::as_f64);
                if from.is_some_and(|f| v < f) || to.is_some_and(|t| v > t) {
                    continue;
                }
                return Some(hit(opts.get("result")));
            }
            Some("regex") => {
                let Input::Text(text) = input else { continue };
                let pattern = opts.get("pattern").and_then(Value::as_str).unwrap_or_default();
                let Some(re) = js_regex(pattern).filter(|_| !pattern.is_empty()) else { continue };
                if !re.is_match(text) {
                    continue;
                }
                let mut h = hit(opts.get("result"));
                // Grafana writes the result text through `replace`, so `$1` picks a group.
                h.text = h.text.map(|t| re.replacen(text, 1, t.as_str()).into_owned());
                return Some(h);
            }
            Some("special") => {
                // JavaScript's `isNaN`: NaN, or a text that is not a number.
                let nan = match input {
                    Input::Number(v) => v.is_nan(),
                    Input::Text(t) => !t.trim().is_empty() && t.trim().parse::<f64>().is_err(),
                    Input::Null => false,
                };
                let matched = match opts.get("match").and_then(Value::as_str).unwrap_or_default() {
                    "null" => input == Input::Null,
                    "nan" => nan,
                    "null+nan" => input == Input::Null || nan,
                    "true" => input == Input::Text("true"),
                    "false" => input == Input::Text("false"),
                    "empty" => input == Input::Text(""),
                    _ => false,
                };
                if matched {
                    return Some(hit(opts.get("result")));
                }
            }
            _ => {}
        }
    }
    None
}

/// The kinds of mapping, as Grafana's editor names them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// One value.
    #[default]
    Value,
    /// From/to.
    Range,
    /// A pattern.
    Regex,
    /// Null, NaN, true, false, empty.
    Special,
}

impl Kind {
    /// Grafana's `type`.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Value => "value",
            Kind::Range => "range",
            Kind::Regex => "regex",
            Kind::Special => "special",
        }
    }

    /// From Grafana's `type`.
    pub fn parse(id: &str) -> Option<Kind> {
        [Kind::Value, Kind::Range, Kind::Regex, Kind::Special].into_iter().find(|k| k.id() == id)
    }
}

/// The special matches Grafana offers, by id and the words its editor shows.
pub const SPECIALS: [(&str, &str); 6] = [
    ("null", "Null"),
    ("nan", "NaN"),
    ("null+nan", "Null + NaN"),
    ("true", "True"),
    ("false", "False"),
    ("empty", "Empty"),
];

/// One row of the mappings editor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Row {
    /// Its kind.
    pub kind: Kind,
    /// The value (`value`), the pattern (`regex`) or the match id (`special`).
    pub key: String,
    /// A range's start; none for open.
    pub from: Option<f64>,
    /// A range's end; none for open.
    pub to: Option<f64>,
    /// Display text; empty keeps the formatted value.
    pub text: String,
    /// A Grafana colour name or `#rrggbb`; empty keeps the threshold colour.
    pub color: String,
}

fn row_result(r: Option<&Value>) -> (String, String, i64) {
    let s = |k: &str| r.and_then(|r| r.get(k)).and_then(Value::as_str).unwrap_or_default().to_string();
    (s("text"), s("color"), r.and_then(|r| r.get("index")).and_then(Value::as_i64).unwrap_or(i64::MAX))
}

/// Saved mappings as editor rows, in their `index` order (Grafana's
/// `buildEditRowModels`); a mapping of an unknown type is left out.
pub fn rows(mappings: &[Value]) -> Vec<Row> {
    let mut out: Vec<(i64, usize, Row)> = Vec::new();
    for m in mappings {
        let opts = m.get("options");
        let kind = m.get("type").and_then(Value::as_str).and_then(Kind::parse);
        let mut push = |result: Option<&Value>, row: Row| {
            let (text, color, index) = row_result(result);
            let n = out.len();
            out.push((index, n, Row { text, color, ..row }));
        };
        match kind {
            Some(Kind::Value) => {
                for (key, result) in opts.and_then(Value::as_object).into_iter().flatten() {
                    push(Some(result), Row { kind: Kind::Value, key: key.clone(), ..Row::default() });
                }
            }
            Some(Kind::Range) => {
                let end = |k: &str| opts.and_then(|o| o.get(k)).and_then(Value::as_f64);
                let row = Row { kind: Kind::Range, from: end("from"), to: end("to"), ..Row::default() };
                push(opts.and_then(|o| o.get("result")), row);
            }
            Some(kind @ (Kind::Regex | Kind::Special)) => {
                let field = if kind == Kind::Regex { "pattern" } else { "match" };
                let key = opts.and_then(|o| o.get(field)).and_then(Value::as_str).unwrap_or_default().to_string();
                push(opts.and_then(|o| o.get("result")), Row { kind, key, ..Row::default() });
            }
            None => {}
        }
    }
    out.sort_by_key(|(index, n, _)| (*index, *n));
    out.into_iter().map(|(_, _, r)| r).collect()
}

/// Editor rows as Grafana saves them (`editModelToSaveModel`): every value
/// row in one `value` mapping placed first, the others one mapping each, each
/// result carrying its row's `index`; rows with nothing to match are dropped.
pub fn save(rows: &[Row]) -> Vec<Value> {
    let mut values = Map::new();
    let mut rest = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let mut result = Map::new();
        if !row.text.is_empty() {
            result.insert("text".into(), row.text.clone().into());
        }
        if !row.color.is_empty() {
            result.insert("color".into(), row.color.clone().into());
        }
        result.insert("index".into(), index.into());
        let result = Value::Object(result);
        match row.kind {
            Kind::Value if !row.key.is_empty() => {
                values.insert(row.key.clone(), result);
            }
            Kind::Range if row.from.is_some() || row.to.is_some() => {
                rest.push(json!({"type": "range", "options": {"from": row.from, "to": row.to, "result": result}}));
            }
            Kind::Regex if !row.key.is_empty() => {
                rest.push(json!({"type": "regex", "options": {"pattern": row.key, "result": result}}));
            }
            Kind::Special if SPECIALS.iter().any(|(id, _)| *id == row.key) => {
                rest.push(json!({"type": "special", "options": {"match": row.key, "result": result}}));
            }
            _ => {}
        }
    }
    if !values.is_empty() {
        rest.insert(0, json!({"type": "value", "options": values}));
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mappings() -> Vec<Value> {
        serde_json::from_str(
            r#"[
              {"type":"value","options":{"1":{"text":"OK","color":"green","index":0},"0":{"text":"NG","color":"red","index":1}}},
              {"type":"range","options":{"from":10,"to":20,"result":{"text":"Teens","index":2}}},
              {"type":"range","options":{"from":100,"to":null,"result":{"color":"purple","index":3}}},
              {"type":"regex","options":{"pattern":"kube-(.*)","result":{"text":"k8s $1","index":4}}},
              {"type":"special","options":{"match":"null","result":{"text":"Nothing","color":"blue","index":5}}},
              {"type":"special","options":{"match":"true","result":{"text":"Yes","index":6}}},
              {"type":"special","options":{"match":"empty","result":{"text":"(blank)","index":7}}},
              {"type":"special","options":{"match":"nan","result":{"text":"Not a number","index":8}}},
              {"type":"bogus","options":{}}
            ]"#,
        )
        .unwrap_or_default()
    }

    #[test]
    fn which_mapping_a_value_hits() {
        let m = mappings();
        let h = |text: Option<&str>, color: Option<&str>| {
            Some(Hit { text: text.map(str::to_string), color: color.map(str::to_string) })
        };
        // (input, what it shows)
        let cases: Vec<(Input, Option<Hit>)> = vec![
            (Input::Number(1.0), h(Some("OK"), Some("green"))),
            (Input::Number(0.0), h(Some("NG"), Some("red"))),
            (Input::Text("1"), h(Some("OK"), Some("green"))),
            (Input::Number(1.5), None),
            (Input::Number(10.0), h(Some("Teens"), None)),
            (Input::Number(20.0), h(Some("Teens"), None)),
            (Input::Number(20.5), None),
            (Input::Text("15"), h(Some("Teens"), None)),
            (Input::Number(1e9), h(None, Some("purple"))),
            (Input::Text("kube-system"), h(Some("k8s system"), None)),
            // A bare regex must match the whole text; this text is no number, so `isNaN` holds.
            (Input::Text("my-kube-system"), h(Some("Not a number"), None)),
            (Input::Text("25"), None),
            (Input::Null, h(Some("Nothing"), Some("blue"))),
            (Input::Number(f64::NAN), h(Some("Not a number"), None)),
            // Grafana's true/false match booleans, not 1 and 0.
            (Input::Number(2.0), None),
            (Input::Text("true"), h(Some("Yes"), None)),
            (Input::Text(""), h(Some("(blank)"), None)),
        ];
        for (input, want) in cases {
            assert_eq!(apply(&m, input), want, "{input:?}");
        }
        assert_eq!(apply(&[], Input::Number(1.0)), None);
    }

    #[test]
    fn javascript_regexes_and_numbers() {
        // (pattern, text, matches)
        let cases = [
            ("web", "web", true),
            ("web", "web-1", false),
            ("/web/", "my-web-1", true),
            ("/WEB/i", "web", true),
            ("/WEB/", "web", false),
            ("/web/q", "web", false),
            ("(", "(", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(js_regex(pattern).is_some_and(|r| r.is_match(text)), want, "{pattern} on {text}");
        }
        let numbers = [(1.0, "1"), (0.5, "0.5"), (-3.0, "-3"), (f64::INFINITY, "Infinity"), (f64::NAN, "NaN")];
        for (v, want) in numbers {
            assert_eq!(js_string(v), want);
        }
    }

    #[test]
    fn editor_rows_round_trip_in_grafanas_shape() {
        let rows = vec![
            Row { kind: Kind::Range, from: Some(0.0), to: Some(0.5), text: "Low".into(), ..Row::default() },
            Row { kind: Kind::Value, key: "1".into(), text: "OK".into(), color: "green".into(), ..Row::default() },
            Row { kind: Kind::Special, key: "null".into(), text: "Down".into(), ..Row::default() },
            Row { kind: Kind::Value, key: "0".into(), text: "NG".into(), color: "red".into(), ..Row::default() },
            Row { kind: Kind::Regex, key: "/^web/".into(), color: "blue".into(), ..Row::default() },
            // Nothing to match: dropped on save.
            Row { kind: Kind::Value, text: "lost".into(), ..Row::default() },
            Row { kind: Kind::Special, key: "sometimes".into(), ..Row::default() },
        ];
        let saved = save(&rows);
        let want: Vec<Value> = serde_json::from_str(
            r#"[
              {"type":"value","options":{"1":{"text":"OK","color":"green","index":1},"0":{"text":"NG","color":"red","index":3}}},
              {"type":"range","options":{"from":0.0,"to":0.5,"result":{"text":"Low","index":0}}},
              {"type":"special","options":{"match":"null","result":{"text":"Down","index":2}}},
              {"type":"regex","options":{"pattern":"/^web/","result":{"color":"blue","index":4}}}
            ]"#,
        )
        .unwrap_or_default();
        assert_eq!(saved, want);
        // Read back in the order the user left them.
        assert_eq!(super::rows(&saved), rows_without_dropped(&rows));
        // Mappings Grafana wrote without an index keep their saved order.
        let bare: Vec<Value> = serde_json::from_str(
            r#"[{"type":"special","options":{"match":"nan","result":{"text":"?"}}},{"type":"value","options":{"5":{"text":"five"}}}]"#,
        )
        .unwrap_or_default();
        let keys: Vec<String> = super::rows(&bare).into_iter().map(|r| r.key).collect();
        assert_eq!(keys, vec!["nan", "5"]);
    }

    fn rows_without_dropped(rows: &[Row]) -> Vec<Row> {
        rows[..5].to_vec()
    }
}
