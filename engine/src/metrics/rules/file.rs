//! Prometheus rule files (`groups:` of recording and alerting rules), read
//! strictly and checked as `promtool check rules` (Prometheus 2.42) checks
//! them, in its words and with its `line:column:` pointers (found for
//! block-style YAML). Messages carry no file name; the caller names the
//! file.

use super::{duration, positions, template};
use crate::promql::{self, Labels};
use serde::Deserialize;
use serde_yaml::Value as Yaml;
use std::collections::BTreeMap;

/// A parsed, valid rule file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuleFile {
    /// Its groups in file order.
    pub groups: Vec<GroupSpec>,
}

/// One group: rules evaluated together, in order, at one interval.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupSpec {
    /// The group's name, unique in its file.
    pub name: String,
    /// Its own interval in ms; `None` takes the global evaluation interval.
    pub interval_ms: Option<i64>,
    /// The most series (recording) or alerts (alerting) a rule may produce;
    /// 0 is no limit.
    pub limit: usize,
    /// The rules in file order.
    pub rules: Vec<RuleSpec>,
}

/// What a rule makes of its expression's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// `record:` a new series.
    Record,
    /// `alert:` an alert per result element.
    Alert,
}

/// One rule as written.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    /// Recording or alerting.
    pub kind: RuleKind,
    /// The `record` metric name or the `alert` name.
    pub name: String,
    /// The PromQL expression (known to parse).
    pub expr: String,
    /// `for`: how long an alert stays pending before it fires, in ms.
    pub for_ms: i64,
    /// `keep_firing_for`: how long a firing alert outlives its condition.
    pub keep_firing_for_ms: i64,
    /// Labels added to (and overriding) the result's; templates for alerts.
    pub labels: BTreeMap<String, String>,
    /// Alert annotations (templates).
    pub annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    // Option so `groups:` with nothing after it reads as none, as in Go.
    #[serde(default)]
    groups: Option<Vec<RawGroup>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[serde(default)]
    name: Option<Yaml>,
    #[serde(default)]
    interval: Option<Yaml>,
    #[serde(default)]
    limit: i64,
    #[serde(default)]
    rules: Option<Vec<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    record: Option<Yaml>,
    #[serde(default)]
    alert: Option<Yaml>,
    #[serde(default)]
    expr: Option<Yaml>,
    #[serde(default, rename = "for")]
    for_: Option<Yaml>,
    #[serde(default)]
    keep_firing_for: Option<Yaml>,
    #[serde(default)]
    labels: BTreeMap<String, Option<Yaml>>,
    #[serde(default)]
    annotations: BTreeMap<String, Option<Yaml>>,
}

/// A YAML scalar as Go's YAML decoder would hand it to a string field:
/// numbers and booleans as written, null as empty.
fn scalar(v: &Option<Yaml>) -> Result<String, String> {
    match v {
        None | Some(Yaml::Null) => Ok(String::new()),
        Some(Yaml::String(s)) => Ok(s.clone()),
        Some(Yaml::Number(n)) => Ok(n.to_string()),
        Some(Yaml::Bool(b)) => Ok(b.to_string()),
        Some(other) => Err(format!(
            "yaml: unmarshal errors:\n  cannot unmarshal {} into string",
            match other {
                Yaml::Sequence(_) => "!!seq",
                _ => "!!map",
            }
        )),
    }
}

fn duration_field(v: &Option<Yaml>) -> Result<i64, String> {
    match v {
        None | Some(Yaml::Null) => Ok(0),
        some => duration::parse(&scalar(some)?),
    }
}

/// Whether `s` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
pub fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Whether `s` is a valid metric name (`[a-zA-Z_:][a-zA-Z0-9_:]*`).
pub fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// The serde error in the words Go's YAML decoder uses for the same fault.
fn yaml_error(e: serde_path_to_error::Error<serde_yaml::Error>) -> String {
    let path = e.path().to_string();
    let inner = e.inner();
    let line = inner.location().map(|l| l.line()).unwrap_or(0);
    let msg = inner.to_string();
    if let Some(rest) = msg.split("unknown field `").nth(1) {
        let field = rest.split('`').next().unwrap_or_default();
        // The path names where the field sat: the top, a group or a rule.
        let depth = path.matches('.').count();
        let ty = match depth {
            0 => "rulefmt.RuleGroups",
            1 => "rulefmt.RuleGroup",
            _ => "rulefmt.RuleNode",
        };
        return format!("yaml: unmarshal errors:\n  line {line}: field {field} not found in type {ty}");
    }
    let msg = msg.split(" at line ").next().unwrap_or_default();
    format!("yaml: unmarshal errors:\n  line {line}: {path}: {msg}")
}

/// Reads and checks a rule file. Errors come as `promtool check rules`
/// lists them: YAML and duration faults alone, otherwise every fault of
/// every rule.
pub fn parse(text: &str) -> Result<RuleFile, Vec<String>> {
    let blank = text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
    if blank {
        return Ok(RuleFile::default());
    }
    let de = serde_yaml::Deserializer::from_str(text);
    let raw: RawFile = serde_path_to_error::deserialize(de).map_err(|e| vec![yaml_error(e)])?;
    let raw_groups: &[RawGroup] = raw.groups.as_deref().unwrap_or_default();
    let mut errors = Vec::new();
    let mut groups = Vec::new();
    let mut seen = std::collections::HashSet::new();
    // Positions only when the scan saw the same shape serde did.
    let positions = positions::scan(text).filter(|p| {
        p.len() == raw_groups.len()
            && p.iter().zip(raw_groups).all(|(p, g)| p.rules.len() == g.rules.as_ref().map_or(0, Vec::len))
    });
    for (gi, g) in raw_groups.iter().enumerate() {
        let gpos = positions.as_ref().and_then(|p| p.get(gi));
        let at = |pos: Option<positions::Pos>| match (positions.is_some(), pos) {
            (false, _) => String::new(),
            (true, Some((l, c))) => format!("{l}:{c}: "),
            (true, None) => "0:0: ".to_string(),
        };
        let name = scalar(&g.name).map_err(|e| vec![e])?;
        let interval_ms = match &g.interval {
            None | Some(Yaml::Null) => None,
            some => Some(duration_field(some).map_err(|e| vec![e])?),
        };
        let group_at = at(gpos.map(|p| p.at));
        if name.is_empty() {
            errors.push(format!("{group_at}Groupname must not be empty"));
        } else if !seen.insert(name.clone()) {
            errors.push(format!("{group_at}groupname: {name:?} is repeated in the same file"));
        }
        let mut rules = Vec::new();
        for (i, r) in g.rules.iter().flatten().enumerate() {
            let rpos = gpos.and_then(|p| p.rules.get(i)).cloned().unwrap_or_default();
            match rule(r) {
                Ok(Ok(spec)) => rules.push(spec),
                Ok(Err((rule_name, faults))) => errors.extend(faults.into_iter().map(|(node, f)| {
                    // promtool points at the value the fault is about.
                    let prefix = match node {
                        Node::None => String::new(),
                        Node::Record => at(rpos.record),
                        Node::Expr => at(rpos.expr),
                        Node::RecordAndAlert => format!("{}{}", at(rpos.record), at(rpos.alert)),
                    };
                    format!("{prefix}group {name:?}, rule {}, {rule_name:?}: {f}", i + 1)
                })),
                Err(e) => return Err(vec![e]),
            }
        }
        groups.push(GroupSpec {
            name,
            interval_ms: interval_ms.filter(|ms| *ms > 0),
            limit: usize::try_from(g.limit).unwrap_or(0),
            rules,
        });
    }
    if errors.is_empty() {
        Ok(RuleFile { groups })
    } else {
        Err(errors)
    }
}

/// Reads several files (`(name, text)`, e.g. a ConfigMap's keys) at once;
/// faults come prefixed with their file's name, as promtool prints them.
pub fn parse_files(files: &[(&str, &str)]) -> Result<Vec<(String, RuleFile)>, Vec<String>> {
    let mut out = Vec::new();
    let mut faults = Vec::new();
    for (name, text) in files {
        match parse(text) {
            Ok(f) => out.push((name.to_string(), f)),
            Err(e) => faults.extend(e.into_iter().map(|e| format!("{name}: {e}"))),
        }
    }
    if faults.is_empty() {
        Ok(out)
    } else {
        Err(faults)
    }
}

/// What `promtool check rules NAME` prints for one file: stdout, stderr,
/// and whether it passed.
pub fn check(name: &str, text: &str) -> (String, String, bool) {
    match parse(text) {
        Ok(f) => {
            let n: usize = f.groups.iter().map(|g| g.rules.len()).sum();
            (format!("Checking {name}\n  SUCCESS: {n} rules found\n\n"), String::new(), true)
        }
        Err(errors) => {
            let mut err = String::from("  FAILED:\n");
            for e in errors {
                err.push_str(&format!("{name}: {e}\n"));
            }
            (format!("Checking {name}\n\n"), err, false)
        }
    }
}

/// Which value of a rule a fault points at.
enum Node {
    None,
    Record,
    Expr,
    RecordAndAlert,
}

type RuleFaults = (String, Vec<(Node, String)>);

/// One rule checked as rulefmt's `RuleNode.Validate` does. The outer error
/// is a decoding fault that stops the whole file.
fn rule(r: &RawRule) -> Result<Result<RuleSpec, RuleFaults>, String> {
    let record = scalar(&r.record)?;
    let alert = scalar(&r.alert)?;
    let expr = scalar(&r.expr)?;
    let for_ms = duration_field(&r.for_)?;
    let keep_firing_for_ms = duration_field(&r.keep_firing_for)?;
    let mut labels = BTreeMap::new();
    for (k, v) in &r.labels {
        labels.insert(k.clone(), scalar(v)?);
    }
    let mut annotations = BTreeMap::new();
    for (k, v) in &r.annotations {
        annotations.insert(k.clone(), scalar(v)?);
    }
    let mut faults = Vec::new();
    match (record.is_empty(), alert.is_empty()) {
        (false, false) => {
            faults.push((Node::RecordAndAlert, "only one of 'record' and 'alert' must be set".to_string()))
        }
        (true, true) => faults.push((Node::Record, "one of 'record' or 'alert' must be set".to_string())),
        _ => {}
    }
    if expr.is_empty() {
        faults.push((Node::Expr, "field 'expr' must be set in rule".to_string()));
    } else if let Err(e) = promql::parse(&expr) {
        faults.push((Node::Expr, format!("could not parse expression: {}", e.0)));
    }
    if !record.is_empty() {
        if !annotations.is_empty() {
            faults.push((Node::Record, "invalid field 'annotations' in recording rule".to_string()));
        }
        if for_ms != 0 {
            faults.push((Node::Record, "invalid field 'for' in recording rule".to_string()));
        }
        if keep_firing_for_ms != 0 {
            faults.push((Node::Record, "invalid field 'keep_firing_for' in recording rule".to_string()));
        }
        if !is_metric_name(&record) {
            faults.push((Node::Record, format!("invalid recording rule name: {record}")));
        }
    }
    for k in labels.keys() {
        if !is_label_name(k) || k == promql::METRIC_NAME {
            faults.push((Node::None, format!("invalid label name: {k}")));
        }
    }
    for k in annotations.keys() {
        if !is_label_name(k) {
            faults.push((Node::None, format!("invalid annotation name: {k}")));
        }
    }
    if !alert.is_empty() {
        // Templates are parsed (not run) so a typo shows before the alert fires.
        let tname = format!("__alert_{alert}");
        for (k, v) in &labels {
            if let Err(e) = template::Template::parse(&tname, v) {
                faults.push((Node::None, format!("label {k:?}: {e}")));
            }
        }
        for (k, v) in &annotations {
            if let Err(e) = template::Template::parse(&tname, v) {
                faults.push((Node::None, format!("annotation {k:?}: {e}")));
            }
        }
    }
    // promtool names a rule by its alert when both are set.
    let (kind, name) = if alert.is_empty() { (RuleKind::Record, record) } else { (RuleKind::Alert, alert) };
    if !faults.is_empty() {
        return Ok(Err((name, faults)));
    }
    Ok(Ok(RuleSpec { kind, name, expr, for_ms, keep_firing_for_ms, labels, annotations }))
}

impl RuleSpec {
    /// The rule's static labels as a label set.
    pub fn label_set(&self) -> Labels {
        self.labels.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each file's faults as `promtool check rules` (2.42) lists them,
    /// without its `file: line:col:` prefixes.
    #[test]
    fn faults_in_promtools_words() {
        let cases: &[(&str, &[&str])] = &[
            (
                r#"groups:
- name: g
  rules:
  - record: "bad name"
    expr: up
  - alert: X
    record: y
    expr: up
  - alert: Y
  - alert: Z
    expr: up +
  - record: ok
    expr: up
    for: 1m
    annotations:
      a: b
  - alert: "bad name"
    expr: up
    labels:
      "a b": x
      __name__: y
    annotations:
      s: "{{ $value | nope }}"
      "c d": x
  - expr: up
- name: g
  rules: []
"#,
                &[
                    r#"4:13: group "g", rule 1, "bad name": invalid recording rule name: bad name"#,
                    r#"7:13: 6:12: group "g", rule 2, "X": only one of 'record' and 'alert' must be set"#,
                    r#"0:0: group "g", rule 3, "Y": field 'expr' must be set in rule"#,
                    r#"12:13: group "g", rule 5, "ok": invalid field 'annotations' in recording rule"#,
                    r#"12:13: group "g", rule 5, "ok": invalid field 'for' in recording rule"#,
                    r#"group "g", rule 6, "bad name": invalid label name: __name__"#,
                    r#"group "g", rule 6, "bad name": invalid label name: a b"#,
                    r#"group "g", rule 6, "bad name": invalid annotation name: c d"#,
                    r#"group "g", rule 6, "bad name": annotation "s": template: __alert_bad name:1: function "nope" not defined"#,
                    r#"0:0: group "g", rule 7, "": one of 'record' or 'alert' must be set"#,
                    r#"26:3: groupname: "g" is repeated in the same file"#,
                ],
            ),
            (
                "groups:\n- name: g\n  rules:\n  - record: ok\n    expr: up\n    keep_firing_for: 1m\n  - alert: A\n    expr: up\n    labels:\n      x: \"{{ $value \"\n",
                &[
                    r#"4:13: group "g", rule 1, "ok": invalid field 'keep_firing_for' in recording rule"#,
                    r#"group "g", rule 2, "A": label "x": template: __alert_A:1: unclosed action"#,
                ],
            ),
            ("groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up\n    for: 5x\n", &[r#"not a valid duration string: "5x""#]),
            ("groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up\n    for: \"\"\n", &["empty duration string"]),
            ("groups:\n- rules: []\n", &["2:3: Groupname must not be empty"]),
            ("grps: []\n", &["yaml: unmarshal errors:\n  line 1: field grps not found in type rulefmt.RuleGroups"]),
            (
                "groups:\n- name: g\n  interval: 1m\n  limit: 2\n  rules:\n  - alert: Z\n    expr: up\n    keep_firing_for: 1m\n    unknown: 3\n",
                &["yaml: unmarshal errors:\n  line 9: field unknown not found in type rulefmt.RuleNode"],
            ),
        ];
        for (text, want) in cases {
            // promql-parser words a bad expression its own way; that line
            // is checked on its own below.
            let mut got = parse(text).err().unwrap_or_default();
            got.retain(|l| !l.contains("could not parse expression"));
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(got, want, "{text}");
        }
        // Deeper indentation and a block scalar, positions from promtool.
        let e = parse("groups:\n  - name: h\n    rules:\n      - expr: |\n          up +\n        alert: Z\n      - alert: \"x\"\n  - name: h\n    rules: []\n").unwrap_err();
        assert!(e[0].starts_with(r#"4:15: group "h", rule 1, "Z": could not parse expression: "#), "{e:?}");
        assert_eq!(
            e[1..],
            [
                r#"0:0: group "h", rule 2, "x": field 'expr' must be set in rule"#.to_string(),
                r#"8:5: groupname: "h" is repeated in the same file"#.to_string()
            ]
        );
        // A bad expression is reported with the parser's own message.
        let e = parse("groups:\n- name: g\n  rules:\n  - alert: Z\n    expr: up +\n").unwrap_err();
        assert!(e[0].starts_with(r#"5:11: group "g", rule 1, "Z": could not parse expression: "#), "{e:?}");
    }

    #[test]
    fn several_files_name_their_faults() {
        let ok = "groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up\n";
        assert_eq!(parse_files(&[("a.yml", ok), ("b.yml", ok)]).map(|f| f.len()), Ok(2));
        let bad = "groups:\n- name: x\n  rules:\n  - alert: A\n";
        assert_eq!(
            parse_files(&[("a.yml", ok), ("b.yml", bad)]),
            Err(vec![r#"b.yml: 0:0: group "x", rule 1, "A": field 'expr' must be set in rule"#.to_string()])
        );
    }

    #[test]
    fn check_prints_as_promtool() {
        let (out, err, ok) = check("ok.yml", "groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up\n");
        assert_eq!((out.as_str(), err.as_str(), ok), ("Checking ok.yml\n  SUCCESS: 1 rules found\n\n", "", true));
        let (out, err, ok) = check("n.yml", "groups:\n- name: x\n  rules:\n  - alert: A\n    expr: up\n    for: -1m\n");
        assert_eq!(out, "Checking n.yml\n\n");
        assert_eq!(err, "  FAILED:\nn.yml: not a valid duration string: \"-1m\"\n");
        assert!(!ok);
    }

    #[test]
    fn valid_files_read_fully() {
        assert_eq!(parse(""), Ok(RuleFile::default()));
        assert_eq!(parse("groups:\n"), Ok(RuleFile::default()));
        assert_eq!(parse("groups:\n- name: a\n  rules:\n").map(|f| f.groups[0].rules.len()), Ok(0));
        let f = parse(super::super::DEFAULT_RULES).unwrap();
        assert_eq!(f.groups[0].rules.len(), 3);
        let f = parse("groups:\n- name: x\n  interval: 30s\n  limit: 5\n  rules:\n  - record: a:b\n    expr: 1\n    labels: {n: 1}\n  - alert: A\n    expr: up\n    for: 1h30m\n    keep_firing_for: 5m\n").unwrap();
        let g = &f.groups[0];
        assert_eq!((g.interval_ms, g.limit), (Some(30_000), 5));
        assert_eq!(g.rules[0].labels["n"], "1");
        assert_eq!(g.rules[0].expr, "1");
        assert_eq!((g.rules[1].for_ms, g.rules[1].keep_firing_for_ms), (5_400_000, 300_000));
    }
}
