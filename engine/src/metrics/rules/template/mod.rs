//! The part of Go's text/template that Prometheus alert templates and
//! Alertmanager notification templates use: `{{ .Field }}`, `$variables`,
//! pipelines, `if`/`else if`/`else`, `range`, `with`, `{{-`/`-}}` trimming,
//! comments, `{{ template "…" . }}` for Alertmanager's default named
//! templates (`slack.default.title`, `__subject`, `__text_alert_list`; no
//! `define` of one's own), and the functions both projects add
//! (`humanize`, `title`, `toUpper`, `join`, `query`, …). Unknown functions
//! fail at parse time, as in Go.

mod functions;
mod parse;

use super::gofmt::{self, Arg};
use functions::call;
pub use functions::{humanize, humanize1024, humanize_duration, humanize_timestamp};
use std::collections::BTreeMap;

/// A value a template reads: Go's dynamic data, reduced to what the two
/// projects hand their templates.
#[derive(Clone, Debug, PartialEq)]
pub enum Data {
    /// `nil`, printed `<no value>`.
    Nil,
    /// A bool.
    Bool(bool),
    /// An int (template literals without a point, `len`).
    Int(i64),
    /// A float64 (sample values).
    Float(f64),
    /// A string.
    Str(String),
    /// A slice.
    List(Vec<Data>),
    /// A map or struct; a missing key reads as "" (Prometheus's
    /// `missingkey=zero` over `map[string]string`).
    Map(BTreeMap<String, Data>),
}

impl Data {
    /// A map of strings, as label sets are.
    pub fn strings<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Data {
        Data::Map(pairs.into_iter().map(|(k, v)| (k.clone(), Data::Str(v.clone()))).collect())
    }

    fn truthy(&self) -> bool {
        match self {
            Data::Nil => false,
            Data::Bool(b) => *b,
            Data::Int(i) => *i != 0,
            Data::Float(f) => *f != 0.0,
            Data::Str(s) => !s.is_empty(),
            Data::List(l) => !l.is_empty(),
            Data::Map(m) => !m.is_empty(),
        }
    }

    /// The value as Go's `fmt.Print` writes it.
    pub fn print(&self) -> String {
        match self {
            Data::Nil => "<no value>".into(),
            Data::Bool(b) => b.to_string(),
            Data::Int(i) => i.to_string(),
            Data::Float(f) => gofmt::fmt_g(*f, None),
            Data::Str(s) => s.clone(),
            Data::List(l) => format!("[{}]", l.iter().map(Data::print).collect::<Vec<_>>().join(" ")),
            Data::Map(m) => {
                format!("map[{}]", m.iter().map(|(k, v)| format!("{k}:{}", v.print())).collect::<Vec<_>>().join(" "))
            }
        }
    }

    fn arg(&self) -> Arg {
        match self {
            Data::Str(s) => Arg::Str(s.clone()),
            Data::Float(f) => Arg::Float(*f),
            Data::Int(i) => Arg::Int(*i),
            Data::Bool(b) => Arg::Bool(*b),
            other => Arg::Other(other.print()),
        }
    }

    fn type_name(&self) -> &'static str {
        match self {
            Data::Nil => "<nil>",
            Data::Bool(_) => "bool",
            Data::Int(_) => "int",
            Data::Float(_) => "float64",
            Data::Str(_) => "string",
            Data::List(_) => "slice",
            Data::Map(_) => "map",
        }
    }

    /// `.name` on this value. Besides keys, the methods Alertmanager's
    /// types offer: `SortedPairs`, `Names`, `Values` on label sets and
    /// `Firing`, `Resolved` on alert lists.
    fn field(&self, name: &str) -> Result<Data, String> {
        match self {
            Data::Map(m) => Ok(match m.get(name) {
                Some(v) => v.clone(),
                None => match name {
                    "SortedPairs" => Data::List(
                        m.iter()
                            .map(|(k, v)| {
                                Data::Map(BTreeMap::from([
                                    ("Name".into(), Data::Str(k.clone())),
                                    ("Value".into(), v.clone()),
                                ]))
                            })
                            .collect(),
                    ),
                    "Names" => Data::List(m.keys().map(|k| Data::Str(k.clone())).collect()),
                    "Values" => Data::List(m.values().cloned().collect()),
                    _ => Data::Str(String::new()),
                },
            }),
            Data::List(l) if name == "Firing" || name == "Resolved" => {
                let want = name.to_ascii_lowercase();
                Ok(Data::List(
                    l.iter()
                        .filter(|a| matches!(a, Data::Map(m) if m.get("Status") == Some(&Data::Str(want.clone()))))
                        .cloned()
                        .collect(),
                ))
            }
            // `.SortedPairs.Values` / `.Names`: a pair list's values or names.
            Data::List(l) if name == "Values" || name == "Names" => {
                let part = if name == "Values" { "Value" } else { "Name" };
                Ok(Data::List(
                    l.iter()
                        .map(|x| match x {
                            Data::Map(m) => m.get(part).cloned().unwrap_or(Data::Nil),
                            other => other.clone(),
                        })
                        .collect(),
                ))
            }
            Data::Nil => Ok(Data::Nil),
            other => Err(format!("can't evaluate field {name} in type {}", other.type_name())),
        }
    }

    fn float(&self) -> Result<f64, String> {
        match self {
            Data::Float(f) => Ok(*f),
            Data::Int(i) => Ok(*i as f64),
            Data::Str(s) => s.trim().parse().map_err(|_| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax")),
            other => Err(format!("can't convert {} to float", other.type_name())),
        }
    }
}

#[derive(Clone, Debug)]
enum Operand {
    /// `.A.B` (empty path = dot itself).
    Field(Vec<String>),
    /// `$name.A.B` (`$` alone is the root).
    Var(String, Vec<String>),
    Lit(Data),
    Func(String),
    Paren(Pipeline, Vec<String>),
}

type Command = Vec<Operand>;

#[derive(Clone, Debug)]
struct Pipeline {
    /// `$x :=` before the pipeline (in `range`, the element).
    decl: Option<String>,
    /// `$k, $v :=` in `range`: the index or key.
    key_decl: Option<String>,
    commands: Vec<Command>,
}

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Vec<(Pipeline, Vec<Node>)>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    /// `{{ template "name" pipeline }}`: one of [`DEFINES`].
    Call(String, Option<Pipeline>),
}

/// The named templates `{{ template "…" . }}` can call: Alertmanager's
/// defaults that configurations copied from the internet lean on.
const DEFINES: &[(&str, &str)] = &[
    ("__alertmanager", "Alertmanager"),
    (
        "__subject",
        "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] \
         {{ .GroupLabels.SortedPairs.Values | join \" \" }} \
         {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}\
         {{ .Values | join \" \" }}{{ end }}){{ end }}",
    ),
    (
        "__text_alert_list",
        "{{ range . }}Labels:\n{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}\
         Annotations:\n{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}\
         Source: {{ .GeneratorURL }}\n{{ end }}",
    ),
    ("slack.default.title", "{{ template \"__subject\" . }}"),
    ("slack.default.username", "{{ template \"__alertmanager\" . }}"),
    ("slack.default.fallback", "{{ template \"slack.default.title\" . }}"),
    ("slack.default.text", ""),
];

/// How deep `template` calls may nest.
const MAX_CALL_DEPTH: usize = 8;

/// Answers a template's `query "expr"`: the samples as a list of
/// `{Labels, Value}` maps.
pub type QueryFn<'a> = &'a dyn Fn(&str) -> Result<Data, String>;

/// Variables in scope, innermost last, and the query hook.
struct Scope<'q> {
    vars: Vec<(String, Data)>,
    query: Option<QueryFn<'q>>,
    /// How many `template` calls deep this runs.
    depth: usize,
}

/// A parsed template.
#[derive(Clone, Debug)]
pub struct Template {
    name: String,
    nodes: Vec<Node>,
}

impl Template {
    /// Runs the template with `dot` as `.` and `$`, and `vars` bound
    /// (`$labels`, `$value`, …).
    pub fn execute(&self, dot: &Data, vars: &[(&str, Data)]) -> Result<String, String> {
        self.execute_with(dot, vars, None)
    }

    /// As [`Template::execute`], with Prometheus's `query` function
    /// answered by `query` (a PromQL instant query at the evaluation time).
    pub fn execute_with(
        &self,
        dot: &Data,
        vars: &[(&str, Data)],
        query: Option<QueryFn<'_>>,
    ) -> Result<String, String> {
        let mut scope = Scope { vars: vec![("$".to_string(), dot.clone())], query, depth: 0 };
        scope.vars.extend(vars.iter().map(|(k, v)| (k.to_string(), v.clone())));
        let mut out = String::new();
        self.run(&self.nodes, dot, &mut scope, &mut out)
            .map_err(|e| format!("template: {}: executing {:?} {e}", self.name, self.name))?;
        Ok(out)
    }

    fn run(&self, nodes: &[Node], dot: &Data, scope: &mut Scope<'_>, out: &mut String) -> Result<(), String> {
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipe(p, dot, scope)?;
                    if p.decl.is_none() {
                        out.push_str(&v.print());
                    }
                }
                Node::If(arms, otherwise) => {
                    let depth = scope.vars.len();
                    let mut done = false;
                    for (cond, body) in arms {
                        if self.pipe(cond, dot, scope)?.truthy() {
                            self.run(body, dot, scope, out)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.run(otherwise, dot, scope, out)?;
                    }
                    scope.vars.truncate(depth);
                }
                Node::With(p, body, otherwise) => {
                    let depth = scope.vars.len();
                    let v = self.pipe(p, dot, scope)?;
                    if v.truthy() {
                        self.run(body, &v, scope, out)?;
                    } else {
                        self.run(otherwise, dot, scope, out)?;
                    }
                    scope.vars.truncate(depth);
                }
                Node::Call(name, arg) => {
                    let Some((_, text)) = DEFINES.iter().find(|(n, _)| n == name) else {
                        return Err(format!("template {name:?} not defined"));
                    };
                    if scope.depth >= MAX_CALL_DEPTH {
                        return Err(format!("exceeded maximum template depth ({MAX_CALL_DEPTH})"));
                    }
                    let dot = match arg {
                        Some(p) => self.pipe(p, dot, scope)?,
                        None => Data::Nil,
                    };
                    let called = Template::parse(name, text)?;
                    // A called template sees only its dot, as in Go.
                    let mut inner = Scope {
                        vars: vec![("$".to_string(), dot.clone())],
                        query: scope.query,
                        depth: scope.depth + 1,
                    };
                    called.run(&called.nodes, &dot, &mut inner, out)?;
                }
                Node::Range(p, body, otherwise) => {
                    let depth = scope.vars.len();
                    // The pipeline's own `$x :=` binds each element, not the
                    // whole, so evaluate it undeclared.
                    let bare = Pipeline { decl: None, key_decl: None, commands: p.commands.clone() };
                    let v = self.pipe(&bare, dot, scope)?;
                    let items: Vec<(Data, Data)> = match v {
                        Data::List(l) => l.into_iter().enumerate().map(|(i, x)| (Data::Int(i as i64), x)).collect(),
                        // Go ranges over a map in key order.
                        Data::Map(m) => m.into_iter().map(|(k, x)| (Data::Str(k), x)).collect(),
                        Data::Nil => Vec::new(),
                        other => return Err(format!("range can't iterate over {}", other.print())),
                    };
                    if items.is_empty() {
                        self.run(otherwise, dot, scope, out)?;
                    }
                    for (key, item) in &items {
                        let inner = scope.vars.len();
                        if let Some(k) = &p.key_decl {
                            scope.vars.push((k.clone(), key.clone()));
                        }
                        if let Some(e) = &p.decl {
                            scope.vars.push((e.clone(), item.clone()));
                        }
                        self.run(body, item, scope, out)?;
                        scope.vars.truncate(inner);
                    }
                    scope.vars.truncate(depth);
                }
            }
        }
        Ok(())
    }

    fn pipe(&self, p: &Pipeline, dot: &Data, scope: &mut Scope<'_>) -> Result<Data, String> {
        let mut prev: Option<Data> = None;
        for cmd in &p.commands {
            prev = Some(self.command(cmd, prev.take(), dot, scope)?);
        }
        let v = prev.unwrap_or(Data::Nil);
        if let Some(name) = &p.decl {
            scope.vars.push((name.clone(), v.clone()));
        }
        Ok(v)
    }

    fn command(&self, cmd: &Command, piped: Option<Data>, dot: &Data, scope: &mut Scope<'_>) -> Result<Data, String> {
        let Some((head, rest)) = cmd.split_first() else {
            return Ok(Data::Nil);
        };
        if let Operand::Func(f) = head {
            let mut args = Vec::new();
            for a in rest {
                args.push(self.operand(a, dot, scope)?);
            }
            args.extend(piped);
            return call(f, &args, scope.query).map_err(|e| format!("at <{f}>: error calling {f}: {e}"));
        }
        // Alertmanager's `KV.Remove(names)`, the one method with an argument
        // its default templates call.
        let remove_base = match head {
            Operand::Field(path) if path.last().map(String::as_str) == Some("Remove") => {
                Some(Operand::Field(path[..path.len() - 1].to_vec()))
            }
            Operand::Var(v, path) if path.last().map(String::as_str) == Some("Remove") => {
                Some(Operand::Var(v.clone(), path[..path.len() - 1].to_vec()))
            }
            _ => None,
        };
        if let (Some(base), [arg]) = (remove_base, rest) {
            let base = self.operand(&base, dot, scope)?;
            let names = match self.operand(arg, dot, scope)? {
                Data::List(l) => l.iter().map(|n| n.print()).collect::<Vec<_>>(),
                other => vec![other.print()],
            };
            return match base {
                Data::Map(m) => Ok(Data::Map(m.into_iter().filter(|(k, _)| !names.contains(k)).collect())),
                other => Err(format!("can't call method Remove on type {}", other.type_name())),
            };
        }
        if !rest.is_empty() || piped.is_some() {
            return Err("can't give argument to non-function".to_string());
        }
        self.operand(head, dot, scope)
    }

    fn operand(&self, o: &Operand, dot: &Data, scope: &mut Scope<'_>) -> Result<Data, String> {
        let walk = |mut v: Data, fields: &[String]| -> Result<Data, String> {
            for f in fields {
                v = v.field(f)?;
            }
            Ok(v)
        };
        match o {
            Operand::Field(fields) => walk(dot.clone(), fields),
            Operand::Var(name, fields) => {
                let Some((_, v)) = scope.vars.iter().rev().find(|(n, _)| n == name) else {
                    return Err(format!("undefined variable: {name}"));
                };
                walk(v.clone(), fields)
            }
            Operand::Lit(d) => Ok(d.clone()),
            Operand::Func(f) => call(f, &[], scope.query).map_err(|e| format!("at <{f}>: error calling {f}: {e}")),
            Operand::Paren(p, fields) => {
                let v = self.pipe(p, dot, scope)?;
                walk(v, fields)
            }
        }
    }
}

#[cfg(test)]
mod tests;
