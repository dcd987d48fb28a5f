//! The part of Go's text/template that Prometheus alert templates and
//! Alertmanager notification templates use: `{{ .Field }}`, `$variables`,
//! pipelines, `if`/`else if`/`else`, `range`, `with`, `{{-`/`-}}` trimming,
//! comments, `{{ template "…" . }}` for Alertmanager's default named
//! templates (`slack.default.title`, `__subject`, `__text_alert_list`; no
//! `define` of one's own), and the functions both projects add
//! (`humanize`, `title`, `toUpper`, `join`, `query`, …). Unknown functions
//! fail at parse time, as in Go.

use super::gofmt::{self, Arg};
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

/// The functions a template may call; anything else fails to parse.
const FUNCTIONS: &[&str] = &[
    "humanize",
    "humanize1024",
    "humanizePercentage",
    "humanizeDuration",
    "humanizeTimestamp",
    "parseDuration",
    "query",
    "first",
    "label",
    "value",
    "strvalue",
    "sortByLabel",
    "printf",
    "print",
    "title",
    "toUpper",
    "toLower",
    "len",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "join",
    "index",
    "reReplaceAll",
    "match",
    "stripPort",
    "safeHtml",
    "trimSpace",
];

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

/// One `{{ … }}` as written, after trimming markers are applied.
enum Piece {
    Text(String),
    Action(String, usize),
}

fn lex(name: &str, text: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    let mut line = 1;
    while let Some(open) = rest.find("{{") {
        let mut before = rest[..open].to_string();
        let mut inner_start = open + 2;
        if rest[inner_start..].starts_with("- ")
            || rest[inner_start..].starts_with("-\t")
            || rest[inner_start..].starts_with("-\n")
        {
            before = before.trim_end().to_string();
            inner_start += 1;
        }
        line += rest[..open].matches('\n').count();
        pieces.push(Piece::Text(before));
        let after = &rest[inner_start..];
        // A comment may hold `}}`; skip to its end first.
        let search_from = if after.trim_start().starts_with("/*") {
            after.find("*/").map(|i| i + 2).ok_or_else(|| format!("template: {name}:{line}: unclosed comment"))?
        } else {
            0
        };
        let Some(close) = after[search_from..].find("}}").map(|i| i + search_from) else {
            return Err(format!("template: {name}:{line}: unclosed action"));
        };
        let mut inner = &after[..close];
        let mut trim_next = false;
        if inner.ends_with(" -") || inner.ends_with("\t-") || inner.ends_with("\n-") {
            inner = &inner[..inner.len() - 1];
            trim_next = true;
        }
        line += inner.matches('\n').count();
        if !inner.trim_start().starts_with("/*") {
            pieces.push(Piece::Action(inner.trim().to_string(), line));
        }
        rest = &after[close + 2..];
        if trim_next {
            rest = rest.trim_start();
        }
    }
    pieces.push(Piece::Text(rest.to_string()));
    Ok(pieces)
}

/// Splits an action into tokens: words, strings, numbers, `(`, `)`, `|`, `:=`.
fn tokens(name: &str, line: usize, s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' || c == '`' {
            chars.next();
            let mut t = String::from(c);
            let mut closed = false;
            while let Some(d) = chars.next() {
                t.push(d);
                if d == '\\' && c == '"' {
                    if let Some(e) = chars.next() {
                        t.push(e);
                    }
                } else if d == c {
                    closed = true;
                    break;
                }
            }
            if !closed {
                return Err(format!("template: {name}:{line}: unterminated quoted string"));
            }
            out.push(t);
        } else if c == '(' || c == ')' || c == '|' {
            out.push(c.to_string());
            chars.next();
        } else if c == ':' {
            chars.next();
            if chars.next() != Some('=') {
                return Err(format!("template: {name}:{line}: expected :="));
            }
            out.push(":=".into());
        } else {
            let mut t = String::new();
            while let Some(&d) = chars.peek() {
                if d.is_whitespace() || "()|\"`".contains(d) || (d == ':' && !t.is_empty()) {
                    break;
                }
                t.push(d);
                chars.next();
            }
            out.push(t);
        }
    }
    Ok(out)
}

fn unquote(t: &str) -> String {
    if let Some(raw) = t.strip_prefix('`') {
        return raw.trim_end_matches('`').to_string();
    }
    let body = &t[1..t.len().saturating_sub(1).max(1)];
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

struct Parser<'a> {
    name: &'a str,
    line: usize,
    toks: Vec<String>,
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, msg: impl std::fmt::Display) -> String {
        format!("template: {}:{}: {msg}", self.name, self.line)
    }

    fn pipeline(&mut self) -> Result<Pipeline, String> {
        let (mut decl, mut key_decl) = (None, None);
        let tok = |i: usize| self.toks.get(i).map(String::as_str).unwrap_or("");
        if tok(self.pos + 1) == ":=" && tok(self.pos).starts_with('$') {
            decl = Some(tok(self.pos).to_string());
            self.pos += 2;
        } else if tok(self.pos + 2) == ":=" && tok(self.pos).ends_with(',') && tok(self.pos + 1).starts_with('$') {
            key_decl = Some(tok(self.pos).trim_end_matches(',').to_string());
            decl = Some(tok(self.pos + 1).to_string());
            self.pos += 3;
        }
        let mut commands = Vec::new();
        loop {
            let mut cmd = Vec::new();
            while let Some(t) = self.toks.get(self.pos) {
                if t == "|" || t == ")" {
                    break;
                }
                cmd.push(self.operand()?);
            }
            if cmd.is_empty() {
                return Err(self.err("missing value for command"));
            }
            commands.push(cmd);
            if self.toks.get(self.pos).map(String::as_str) == Some("|") {
                self.pos += 1;
                continue;
            }
            break;
        }
        Ok(Pipeline { decl, key_decl, commands })
    }

    fn operand(&mut self) -> Result<Operand, String> {
        let t = self.toks[self.pos].clone();
        self.pos += 1;
        let path = |s: &str| -> Vec<String> { s.split('.').filter(|p| !p.is_empty()).map(String::from).collect() };
        if t == "(" {
            let p = self.pipeline()?;
            if self.toks.get(self.pos).map(String::as_str) != Some(")") {
                return Err(self.err("unclosed left paren"));
            }
            self.pos += 1;
            // `(…).Field` arrives as a following word that starts with a dot.
            let mut fields = Vec::new();
            if let Some(next) = self.toks.get(self.pos).filter(|n| n.starts_with('.') && n.len() > 1) {
                fields = path(next);
                self.pos += 1;
            }
            return Ok(Operand::Paren(p, fields));
        }
        if t == ")" {
            return Err(self.err("unexpected right paren"));
        }
        if t.starts_with('"') || t.starts_with('`') {
            return Ok(Operand::Lit(Data::Str(unquote(&t))));
        }
        if let Some(rest) = t.strip_prefix('.') {
            return Ok(Operand::Field(path(rest)));
        }
        if let Some(rest) = t.strip_prefix('$') {
            let (var, fields) = rest.split_once('.').unwrap_or((rest, ""));
            return Ok(Operand::Var(format!("${var}"), path(fields)));
        }
        match t.as_str() {
            "true" => return Ok(Operand::Lit(Data::Bool(true))),
            "false" => return Ok(Operand::Lit(Data::Bool(false))),
            "nil" => return Ok(Operand::Lit(Data::Nil)),
            _ => {}
        }
        if t.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
            if let Ok(i) = t.parse::<i64>() {
                return Ok(Operand::Lit(Data::Int(i)));
            }
            if let Ok(f) = t.parse::<f64>() {
                return Ok(Operand::Lit(Data::Float(f)));
            }
            return Err(self.err(format!("bad number syntax: {t:?}")));
        }
        if FUNCTIONS.contains(&t.as_str()) {
            return Ok(Operand::Func(t));
        }
        Err(self.err(format!("function {t:?} not defined")))
    }
}

/// What closed a list of nodes.
enum Close {
    Eof,
    End,
    Else(Option<Pipeline>),
}

impl Template {
    /// Parses `text`; `name` appears in messages as Go's does
    /// (`template: NAME:LINE: …`).
    pub fn parse(name: &str, text: &str) -> Result<Template, String> {
        let pieces = lex(name, text)?;
        let mut it = pieces.into_iter();
        let (nodes, end) = Self::list(name, &mut it)?;
        match end {
            Close::Eof => Ok(Template { name: name.to_string(), nodes }),
            Close::End => Err(format!("template: {name}: unexpected {{{{end}}}}")),
            Close::Else(_) => Err(format!("template: {name}: unexpected {{{{else}}}}")),
        }
    }

    fn list(name: &str, it: &mut impl Iterator<Item = Piece>) -> Result<(Vec<Node>, Close), String> {
        let mut nodes = Vec::new();
        while let Some(piece) = it.next() {
            let (action, line) = match piece {
                Piece::Text(t) => {
                    if !t.is_empty() {
                        nodes.push(Node::Text(t));
                    }
                    continue;
                }
                Piece::Action(a, line) => (a, line),
            };
            let toks = tokens(name, line, &action)?;
            let first = toks.first().cloned().unwrap_or_default();
            let mut p = Parser { name, line, toks, pos: 1 };
            match first.as_str() {
                "" => return Err(format!("template: {name}:{line}: missing value for command")),
                "end" => return Ok((nodes, Close::End)),
                "else" => {
                    if p.toks.get(1).map(String::as_str) == Some("if") {
                        p.pos = 2;
                        return Ok((nodes, Close::Else(Some(p.pipeline()?))));
                    }
                    return Ok((nodes, Close::Else(None)));
                }
                "if" => {
                    let mut arms = vec![(p.pipeline()?, Vec::new())];
                    let otherwise = loop {
                        let (body, end) = Self::list(name, it)?;
                        if let Some(last) = arms.last_mut() {
                            last.1 = body;
                        }
                        match end {
                            Close::End => break Vec::new(),
                            Close::Else(Some(cond)) => arms.push((cond, Vec::new())),
                            Close::Else(None) => break Self::closed(name, line, it)?,
                            Close::Eof => return Err(format!("template: {name}:{line}: unexpected EOF")),
                        }
                    };
                    nodes.push(Node::If(arms, otherwise));
                }
                "range" | "with" => {
                    let pipe = p.pipeline()?;
                    let (body, end) = Self::list(name, it)?;
                    let otherwise = match end {
                        Close::End => Vec::new(),
                        Close::Else(None) => Self::closed(name, line, it)?,
                        Close::Else(Some(_)) => return Err(format!("template: {name}:{line}: unexpected else if")),
                        Close::Eof => return Err(format!("template: {name}:{line}: unexpected EOF")),
                    };
                    nodes.push(if first == "range" {
                        Node::Range(pipe, body, otherwise)
                    } else {
                        Node::With(pipe, body, otherwise)
                    });
                }
                "template" => {
                    let Some(name) = p.toks.get(1).filter(|t| t.starts_with('"') || t.starts_with('`')) else {
                        return Err(format!(
                            "template: {name}:{line}: unexpected {:?} in template clause",
                            p.toks.get(1)
                        ));
                    };
                    let called = unquote(name);
                    p.pos = 2;
                    let arg = if p.pos < p.toks.len() { Some(p.pipeline()?) } else { None };
                    nodes.push(Node::Call(called, arg));
                }
                "define" | "block" | "break" | "continue" => {
                    return Err(format!("template: {name}:{line}: {first:?} is not supported here"))
                }
                _ => {
                    p.pos = 0;
                    let pipe = p.pipeline()?;
                    if p.pos < p.toks.len() {
                        return Err(format!("template: {name}:{line}: unexpected {:?} in operand", p.toks[p.pos]));
                    }
                    nodes.push(Node::Action(pipe));
                }
            }
        }
        Ok((nodes, Close::Eof))
    }

    /// The `else` branch's body, which must end with `{{end}}`.
    fn closed(name: &str, line: usize, it: &mut impl Iterator<Item = Piece>) -> Result<Vec<Node>, String> {
        match Self::list(name, it)? {
            (body, Close::End) => Ok(body),
            _ => Err(format!("template: {name}:{line}: expected end")),
        }
    }

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

fn one<'a>(args: &'a [Data], f: &str) -> Result<&'a Data, String> {
    match args {
        [a] => Ok(a),
        _ => Err(format!("wrong number of args for {f}: want 1 got {}", args.len())),
    }
}

/// Prometheus's `humanize`: SI prefixes, 4 significant digits.
pub fn humanize(v: f64) -> String {
    if v == 0.0 || v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    let mut v = v;
    let mut prefix = "";
    if v.abs() >= 1.0 {
        for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
            if v.abs() < 1000.0 {
                break;
            }
            prefix = p;
            v /= 1000.0;
        }
    } else {
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if v.abs() >= 1.0 {
                break;
            }
            prefix = p;
            v *= 1000.0;
        }
    }
    format!("{}{prefix}", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanize1024`: binary prefixes above 1.
pub fn humanize1024(v: f64) -> String {
    if v.abs() <= 1.0 || v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"] {
        if v.abs() < 1024.0 {
            break;
        }
        prefix = p;
        v /= 1024.0;
    }
    format!("{}{prefix}", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanizeDuration`: seconds as `1d 2h 3m 4s`, or with an
/// SI prefix below a second.
pub fn humanize_duration(v: f64) -> String {
    if v.is_nan() || v.is_infinite() {
        return gofmt::fmt_g(v, Some(4));
    }
    if v == 0.0 {
        return format!("{}s", gofmt::fmt_g(v, Some(4)));
    }
    if v.abs() >= 1.0 {
        let sign = if v < 0.0 { "-" } else { "" };
        let v = v.abs();
        let d = v as i64;
        let (seconds, minutes, hours, days) = (d % 60, (d / 60) % 60, (d / 3600) % 24, d / 86_400);
        return if days != 0 {
            format!("{sign}{days}d {hours}h {minutes}m {seconds}s")
        } else if hours != 0 {
            format!("{sign}{hours}h {minutes}m {seconds}s")
        } else if minutes != 0 {
            format!("{sign}{minutes}m {seconds}s")
        } else {
            format!("{sign}{}s", gofmt::fmt_g(v, Some(4)))
        };
    }
    let mut v = v;
    let mut prefix = "";
    for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
        if v.abs() >= 1.0 {
            break;
        }
        prefix = p;
        v *= 1000.0;
    }
    format!("{}{prefix}s", gofmt::fmt_g(v, Some(4)))
}

/// Prometheus's `humanizeTimestamp`: Unix seconds as Go prints a UTC
/// time, `2026-01-01 09:00:00.5 +0000 UTC`.
pub fn humanize_timestamp(v: f64) -> String {
    if v.is_nan() || v.is_infinite() || v.abs() > 1e15 {
        return gofmt::fmt_g(v, Some(4));
    }
    let secs = v.floor();
    let nanos = ((v - secs) * 1e9).round() as i64;
    let (secs, nanos) = if nanos >= 1_000_000_000 { (secs as i64 + 1, 0) } else { (secs as i64, nanos) };
    let ts = crate::time::Time(secs.saturating_mul(1000)).to_k8s().0;
    let date = k8s_openapi::jiff::fmt::strtime::format("%Y-%m-%d %H:%M:%S", ts).unwrap_or_default();
    let frac = if nanos > 0 { format!(".{nanos:09}").trim_end_matches('0').to_string() } else { String::new() };
    format!("{date}{frac} +0000 UTC")
}

/// Go's `strings.Title`: the first letter of every word upper-cased.
fn title(s: &str) -> String {
    let mut out = String::new();
    let mut prev_sep = true;
    for c in s.chars() {
        out.extend(if prev_sep { c.to_uppercase().collect::<Vec<_>>() } else { vec![c] });
        prev_sep = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    out
}

fn compare(a: &Data, b: &Data) -> Result<std::cmp::Ordering, String> {
    match (a, b) {
        (Data::Str(x), Data::Str(y)) => Ok(x.cmp(y)),
        (Data::Int(_) | Data::Float(_), Data::Int(_) | Data::Float(_)) => {
            a.float()?.partial_cmp(&b.float()?).ok_or_else(|| "NaN is not comparable".to_string())
        }
        (Data::Bool(x), Data::Bool(y)) => Ok(x.cmp(y)),
        _ => Err("incompatible types for comparison".to_string()),
    }
}

fn call(f: &str, args: &[Data], query: Option<QueryFn<'_>>) -> Result<Data, String> {
    let text = |d: &Data| match d {
        Data::Str(s) => s.clone(),
        other => other.print(),
    };
    Ok(match f {
        "humanize" => Data::Str(humanize(one(args, f)?.float()?)),
        "humanize1024" => Data::Str(humanize1024(one(args, f)?.float()?)),
        "humanizePercentage" => Data::Str(format!("{}%", gofmt::fmt_g(one(args, f)?.float()? * 100.0, Some(4)))),
        "humanizeDuration" => Data::Str(humanize_duration(one(args, f)?.float()?)),
        "query" => match query {
            Some(q) => q(&text(one(args, f)?))?,
            None => return Err("query is not available here".into()),
        },
        "first" => match one(args, f)? {
            Data::List(l) => l.first().cloned().ok_or("first() called on vector with no elements")?,
            other => return Err(format!("first of type {}", other.type_name())),
        },
        "label" => {
            let [name, sample] = args else {
                return Err(format!("wrong number of args for label: want 2 got {}", args.len()));
            };
            sample.field("Labels")?.field(&text(name))?
        }
        "value" => one(args, f)?.field("Value")?,
        "strvalue" => one(args, f)?.field("Labels")?.field("__value__")?,
        "sortByLabel" => {
            let [name, list] = args else {
                return Err(format!("wrong number of args for sortByLabel: want 2 got {}", args.len()));
            };
            let Data::List(items) = list else {
                return Err(format!("sortByLabel of type {}", list.type_name()));
            };
            let key =
                |d: &Data| d.field("Labels").and_then(|l| l.field(&text(name))).map(|v| text(&v)).unwrap_or_default();
            let mut items = items.clone();
            items.sort_by_key(key);
            Data::List(items)
        }
        "humanizeTimestamp" => Data::Str(humanize_timestamp(one(args, f)?.float()?)),
        "parseDuration" => Data::Float(super::duration::parse(&text(one(args, f)?))? as f64 / 1000.0),
        "title" => Data::Str(title(&text(one(args, f)?))),
        "toUpper" => Data::Str(text(one(args, f)?).to_uppercase()),
        "toLower" => Data::Str(text(one(args, f)?).to_lowercase()),
        "trimSpace" => Data::Str(text(one(args, f)?).trim().to_string()),
        "safeHtml" => Data::Str(text(one(args, f)?)),
        "stripPort" => {
            let s = text(one(args, f)?);
            Data::Str(s.rsplit_once(':').map(|(h, _)| h.trim_matches(['[', ']']).to_string()).unwrap_or(s))
        }
        "printf" => {
            let Some((fmt, rest)) = args.split_first() else {
                return Err("wrong number of args for printf: want at least 1 got 0".into());
            };
            let rest: Vec<Arg> = rest.iter().map(Data::arg).collect();
            Data::Str(gofmt::sprintf(&text(fmt), &rest))
        }
        "print" => Data::Str(args.iter().map(Data::print).collect::<Vec<_>>().join("")),
        "len" => Data::Int(match one(args, f)? {
            Data::Str(s) => s.len(),
            Data::List(l) => l.len(),
            Data::Map(m) => m.len(),
            other => return Err(format!("len of type {}", other.type_name())),
        } as i64),
        "eq" => {
            let Some((first, rest)) = args.split_first() else {
                return Err("missing argument for comparison".into());
            };
            let mut any = false;
            for r in rest {
                any |= compare(first, r)? == std::cmp::Ordering::Equal;
            }
            Data::Bool(any)
        }
        "ne" | "lt" | "le" | "gt" | "ge" => {
            let [a, b] = args else {
                return Err(format!("wrong number of args for {f}: want 2 got {}", args.len()));
            };
            let o = compare(a, b)?;
            Data::Bool(match f {
                "ne" => o.is_ne(),
                "lt" => o.is_lt(),
                "le" => o.is_le(),
                "gt" => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        "and" => args.iter().find(|a| !a.truthy()).or(args.last()).cloned().unwrap_or(Data::Nil),
        "or" => args.iter().find(|a| a.truthy()).or(args.last()).cloned().unwrap_or(Data::Nil),
        "not" => Data::Bool(!one(args, f)?.truthy()),
        "join" => {
            // Alertmanager's `join SEP LIST`, its argument order.
            let [sep, list] = args else {
                return Err(format!("wrong number of args for join: want 2 got {}", args.len()));
            };
            let Data::List(items) = list else {
                return Err(format!("join of type {}", list.type_name()));
            };
            Data::Str(items.iter().map(text).collect::<Vec<_>>().join(&text(sep)))
        }
        "index" => {
            let Some((mut v, keys)) = args.split_first().map(|(v, k)| (v.clone(), k)) else {
                return Err("wrong number of args for index: want at least 1 got 0".into());
            };
            for k in keys {
                v = match (&v, k) {
                    (Data::Map(m), key) => m.get(&text(key)).cloned().unwrap_or(Data::Str(String::new())),
                    (Data::List(l), Data::Int(i)) => l
                        .get(usize::try_from(*i).unwrap_or(usize::MAX))
                        .cloned()
                        .ok_or(format!("index out of range: {i}"))?,
                    _ => return Err(format!("can't index item of type {}", v.type_name())),
                };
            }
            v
        }
        "reReplaceAll" | "match" => {
            // Neither anchors its pattern; the replacement expands `$1` as
            // Go's regexp does.
            let re = regex::Regex::new(&text(args.first().ok_or("missing pattern")?)).map_err(|e| e.to_string())?;
            if f == "match" {
                Data::Bool(re.is_match(&text(args.get(1).ok_or("missing text")?)))
            } else {
                let repl = text(args.get(1).ok_or("missing replacement")?);
                Data::Str(re.replace_all(&text(args.get(2).ok_or("missing text")?), repl.as_str()).into_owned())
            }
        }
        _ => return Err(format!("function {f:?} not defined")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert_data(value: f64) -> (Data, Vec<(&'static str, Data)>) {
        let labels = Data::Map(BTreeMap::from([
            ("job".to_string(), Data::Str("node exp".into())),
            ("instance".to_string(), Data::Str("10.0.0.1:9100".into())),
        ]));
        let root = Data::Map(BTreeMap::from([
            ("Labels".to_string(), labels.clone()),
            ("Value".to_string(), Data::Float(value)),
            (
                "ExternalLabels".to_string(),
                Data::Map(BTreeMap::from([("cluster".to_string(), Data::Str("lab".into()))])),
            ),
        ]));
        let vars = vec![
            ("$labels", labels),
            ("$value", Data::Float(value)),
            ("$externalLabels", Data::Map(BTreeMap::from([("cluster".to_string(), Data::Str("lab".into()))]))),
        ];
        (root, vars)
    }

    fn run(text: &str, value: f64) -> String {
        let (root, vars) = alert_data(value);
        match Template::parse("t", text).and_then(|t| t.execute(&root, &vars)) {
            Ok(s) => s,
            Err(e) => format!("ERR {e}"),
        }
    }

    /// Values taken from promtool 2.42 (`promtool test rules` printing the
    /// annotations it expanded).
    #[test]
    fn prometheus_functions_match_promtool() {
        let cases: &[(&str, f64, &str)] = &[
            ("{{ $value }}", 0.1234, "0.1234"),
            ("{{ $value }}", 123456.0, "123456"),
            ("{{ $value | humanize }}", 0.1234, "123.4m"),
            ("{{ $value | humanize1024 }}", 0.1234, "0.1234"),
            ("{{ $value | humanizePercentage }}", 0.1234, "12.34%"),
            ("{{ $value | humanizeDuration }}", 0.1234, "123.4ms"),
            ("{{ $value | humanize }}", 123456.0, "123.5k"),
            ("{{ $value | humanize1024 }}", 123456.0, "120.6ki"),
            ("{{ $value | humanizePercentage }}", 123456.0, "1.235e+07%"),
            ("{{ $value | humanizeDuration }}", 123456.0, "1d 10h 17m 36s"),
            ("{{ printf \"%.2f\" $value }}", 0.1234, "0.12"),
            ("{{ $labels.job | toUpper }}", 0.0, "NODE EXP"),
            ("{{ .Labels.job | title }}", 0.0, "Node Exp"),
            ("{{ .Value }}", 0.1234, "0.1234"),
            ("{{ $externalLabels.cluster }}", 0.0, "lab"),
            ("{{ $labels.missing }}", 0.0, ""),
            ("{{ humanize 1000000 }}", 0.0, "1M"),
            ("{{ $value | humanize }}", 0.0, "0"),
            ("{{ $value | humanizeDuration }}", 0.0, "0s"),
            ("{{ $value | humanizeDuration }}", 90.0, "1m 30s"),
            ("{{ humanize 0 }}|{{ humanizeDuration 0 }}|{{ humanize 0.0 }}|{{ $value }}", 1e21, "0|0s|0|1e+21"),
            (
                "{{ humanize1024 0 }}|{{ humanizeDuration 0.5 }}|{{ humanizeDuration -90 }}|{{ humanize -1500 }}",
                0.0,
                "0|500ms|-1m 30s|-1.5k",
            ),
            ("{{ 2048 | humanize1024 }}|{{ humanize 1234567 }}", 0.0, "2ki|1.235M"),
            (
                "{{ humanizeTimestamp $value }}|{{ humanizeTimestamp 1767258000.5 }}|{{ parseDuration \"1h30m\" }}",
                1767258000.0,
                "2026-01-01 09:00:00 +0000 UTC|2026-01-01 09:00:00.5 +0000 UTC|5400",
            ),
            ("{{ $value | humanizeDuration }}", 3.5, "3.5s"),
            ("{{ if gt $value 1.0 }}high{{ else }}low{{ end }}", 2.0, "high"),
            ("{{- \"a\" -}}  b  {{- \"c\" }}", 0.0, "abc"),
            ("{{/* a comment */}}x", 0.0, "x"),
            ("{{ $x := \"y\" }}{{ $x }}", 0.0, "y"),
            (
                "{{ range $v := .Labels }}{{ . }}={{ $v }};{{ end }}",
                0.0,
                "10.0.0.1:9100=10.0.0.1:9100;node exp=node exp;",
            ),
            ("{{ range $k, $v := .Labels }}{{ $k }}={{ $v }},{{ end }}", 0.0, "instance=10.0.0.1:9100,job=node exp,"),
            ("{{ range $i, $v := .Labels.SortedPairs }}{{ $i }}{{ $v.Name }} {{ end }}", 0.0, "0instance 1job "),
            ("{{ with .Labels.job }}job={{ . }}{{ end }}", 0.0, "job=node exp"),
            ("{{ .Labels.instance | reReplaceAll \":.*\" \"\" }}", 0.0, "10.0.0.1"),
        ];
        for (text, v, want) in cases {
            assert_eq!(run(text, *v), *want, "{text} at {v}");
        }
    }

    #[test]
    fn parse_errors_read_as_go_template_errors() {
        let cases: &[(&str, &str)] = &[
            ("{{ $value | nope }}", "template: t:1: function \"nope\" not defined"),
            ("{{ $value ", "template: t:1: unclosed action"),
            ("a\n{{ nope }}", "template: t:2: function \"nope\" not defined"),
            ("{{ if 1 }}x", "template: t:1: unexpected EOF"),
        ];
        for (text, want) in cases {
            assert_eq!(Template::parse("t", text).map(|_| ()), Err(want.to_string()), "{text}");
        }
    }

    #[test]
    fn alertmanager_methods() {
        let alert = |status: &str| Data::Map(BTreeMap::from([("Status".to_string(), Data::Str(status.into()))]));
        let root = Data::Map(BTreeMap::from([
            ("Alerts".to_string(), Data::List(vec![alert("firing"), alert("resolved"), alert("firing")])),
            ("Status".to_string(), Data::Str("firing".into())),
            (
                "CommonLabels".to_string(),
                Data::Map(BTreeMap::from([
                    ("b".to_string(), Data::Str("2".into())),
                    ("a".to_string(), Data::Str("1".into())),
                ])),
            ),
        ]));
        let t = "[{{ .Status | toUpper }}{{ if eq .Status \"firing\" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.Values | join \" \" }}{{ range .CommonLabels.SortedPairs }} {{ .Name }}={{ .Value }}{{ end }}";
        let got = Template::parse("t", t).and_then(|t| t.execute(&root, &[]));
        assert_eq!(got, Ok("[FIRING:2] 1 2 a=1 b=2".to_string()));
    }
}
