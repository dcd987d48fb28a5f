//! Label selectors: kubectl's `-l` strings (`app=web,tier in (a,b),!canary`)
//! and the API's `LabelSelector`, both as one [`Selector`].

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use std::collections::BTreeMap;

/// The label (and taint key) that marks a control-plane node.
pub const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";

/// Whether a node is a control-plane node.
pub fn is_control_plane(meta: &ObjectMeta) -> bool {
    meta.labels.as_ref().is_some_and(|l| l.contains_key(CONTROL_PLANE))
}

/// One requirement on one key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Requirement {
    /// `k=v` / `k==v`, or `k in (v1,v2)`.
    In(String, Vec<String>),
    /// `k!=v`, or `k notin (v1,v2)`.
    NotIn(String, Vec<String>),
    /// `k`
    Exists(String),
    /// `!k`
    DoesNotExist(String),
}

/// All requirements must hold; no requirement selects everything.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Selector(pub Vec<Requirement>);

/// An API `LabelSelector` whose operator is not one of the four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadOperator(pub String);

impl Selector {
    /// Selects everything.
    pub fn everything() -> Selector {
        Selector(Vec::new())
    }

    /// Whether `labels` satisfy every requirement.
    pub fn matches(&self, labels: Option<&BTreeMap<String, String>>) -> bool {
        self.0.iter().all(|r| {
            let get = |k: &str| labels.and_then(|l| l.get(k));
            match r {
                Requirement::In(k, vs) => get(k).is_some_and(|v| vs.contains(v)),
                Requirement::NotIn(k, vs) => get(k).is_none_or(|v| !vs.contains(v)),
                Requirement::Exists(k) => get(k).is_some(),
                Requirement::DoesNotExist(k) => get(k).is_none(),
            }
        })
    }

    /// An equality requirement usable as an index lookup (`k=v`).
    pub fn indexable(&self) -> Option<(&str, &str)> {
        self.0.iter().find_map(|r| match r {
            Requirement::In(k, vs) if vs.len() == 1 => Some((k.as_str(), vs[0].as_str())),
            _ => None,
        })
    }

    /// Whether it selects everything.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// From an API `LabelSelector`; `None` (a missing selector) selects nothing
    /// for controllers, which is the caller's to decide.
    pub fn from_api(sel: &LabelSelector) -> Result<Selector, BadOperator> {
        let mut reqs = Vec::new();
        for (k, v) in sel.match_labels.iter().flatten() {
            reqs.push(Requirement::In(k.clone(), vec![v.clone()]));
        }
        for e in sel.match_expressions.iter().flatten() {
            let values = e.values.clone().unwrap_or_default();
            reqs.push(match e.operator.as_str() {
                "In" => Requirement::In(e.key.clone(), values),
                "NotIn" => Requirement::NotIn(e.key.clone(), values),
                "Exists" => Requirement::Exists(e.key.clone()),
                "DoesNotExist" => Requirement::DoesNotExist(e.key.clone()),
                other => return Err(BadOperator(other.to_string())),
            });
        }
        Ok(Selector(reqs))
    }

    /// As an API `LabelSelector`, single-value equalities as `matchLabels`
    /// the way kubectl builds one from `--selector`.
    pub fn to_api(&self) -> LabelSelector {
        use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;
        let mut labels = BTreeMap::new();
        let mut expressions = Vec::new();
        for r in &self.0 {
            let (key, operator, values) = match r {
                Requirement::In(k, vs) if vs.len() == 1 => {
                    labels.insert(k.clone(), vs[0].clone());
                    continue;
                }
                Requirement::In(k, vs) => (k, "In", Some(vs.clone())),
                Requirement::NotIn(k, vs) => (k, "NotIn", Some(vs.clone())),
                Requirement::Exists(k) => (k, "Exists", None),
                Requirement::DoesNotExist(k) => (k, "DoesNotExist", None),
            };
            expressions.push(LabelSelectorRequirement { key: key.clone(), operator: operator.into(), values });
        }
        LabelSelector {
            match_labels: (!labels.is_empty()).then_some(labels),
            match_expressions: (!expressions.is_empty()).then_some(expressions),
        }
    }

    /// From a plain map (a Service's or ReplicationController's selector).
    pub fn from_map(map: &BTreeMap<String, String>) -> Selector {
        Selector(map.iter().map(|(k, v)| Requirement::In(k.clone(), vec![v.clone()])).collect())
    }

    /// Parses kubectl's `-l` syntax, with its error text.
    pub fn parse(text: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            reqs.push(parse_requirement(part)?);
        }
        Ok(Selector(reqs))
    }
}

/// Splits on commas outside parentheses.
pub(crate) fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn parse_requirement(part: &str) -> Result<Requirement, String> {
    let invalid = || format!("unable to parse requirement: found '{part}', expected: in, notin, =, ==, !=, gt, lt");
    if let Some(key) = part.strip_prefix('!') {
        let key = key.trim();
        check_key(key)?;
        return Ok(Requirement::DoesNotExist(key.to_string()));
    }
    for (op, negate) in [("!=", true), ("==", false), ("=", false)] {
        if let Some((k, v)) = part.split_once(op) {
            let (k, v) = (k.trim(), v.trim());
            check_key(k)?;
            check_value(v)?;
            return Ok(if negate {
                Requirement::NotIn(k.into(), vec![v.into()])
            } else {
                Requirement::In(k.into(), vec![v.into()])
            });
        }
    }
    let words: Vec<&str> = part.splitn(2, char::is_whitespace).collect();
    if words.len() == 1 {
        check_key(words[0])?;
        return Ok(Requirement::Exists(words[0].to_string()));
    }
    let key = words[0];
    let rest = words[1].trim_start();
    let (negate, list) = if let Some(l) = rest.strip_prefix("notin") {
        (true, l)
    } else if let Some(l) = rest.strip_prefix("in") {
        (false, l)
    } else {
        return Err(invalid());
    };
    let list = list.trim();
    let Some(inner) = list.strip_prefix('(').and_then(|l| l.strip_suffix(')')) else {
        return Err(format!("unable to parse requirement: found '{list}', expected: '('"));
    };
    check_key(key)?;
    let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
    for v in &values {
        check_value(v)?;
    }
    if values.is_empty() {
        return Err(format!("unable to parse requirement: values: Invalid value: \"{key}\": for 'in', 'notin' operators, values set can't be empty"));
    }
    Ok(if negate { Requirement::NotIn(key.into(), values) } else { Requirement::In(key.into(), values) })
}

fn check_key(key: &str) -> Result<(), String> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!("unable to parse requirement: key: Invalid value: \"{key}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"))
    }
}

fn check_value(value: &str) -> Result<(), String> {
    let ok = value.is_empty()
        || (value.len() <= 63
            && value.starts_with(|c: char| c.is_ascii_alphanumeric())
            && value.ends_with(|c: char| c.is_ascii_alphanumeric())
            && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')));
    if ok {
        Ok(())
    } else {
        Err(format!("unable to parse requirement: values[0][{value}]: Invalid value: \"{value}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selectors_match_like_kubernetes() {
        let web = labels(&[("app", "web"), ("tier", "a")]);
        let canary = labels(&[("app", "web"), ("tier", "b"), ("canary", "true")]);
        let db = labels(&[("app", "db")]);
        let cases: &[(&str, [bool; 3])] = &[
            ("", [true, true, true]),
            ("app=web", [true, true, false]),
            ("app==web", [true, true, false]),
            ("app!=web", [false, false, true]),
            ("tier in (a,b)", [true, true, false]),
            ("tier notin (a)", [false, true, true]),
            ("canary", [false, true, false]),
            ("!canary", [true, false, true]),
            ("app=web,tier in (a,b),!canary", [true, false, false]),
            ("app in (web, db)", [true, true, true]),
        ];
        for (text, want) in cases {
            let sel = Selector::parse(text).expect("valid selector");
            let got = [sel.matches(Some(&web)), sel.matches(Some(&canary)), sel.matches(Some(&db))];
            assert_eq!(&got, want, "{text}");
        }
        assert!(Selector::parse("app=web").expect("valid").matches(Some(&web)));
        assert!(!Selector::parse("app=web").expect("valid").matches(None));
    }

    #[test]
    fn bad_selectors_are_refused() {
        assert!(Selector::parse("app in a,b").is_err());
        assert!(Selector::parse("app in ()").is_err());
        assert!(Selector::parse("app=we b!").is_err());
        assert!(Selector::parse("app ~ web").is_err());
    }
}
