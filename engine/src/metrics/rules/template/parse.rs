//! Reading a template: actions cut out of the text (with `{{-`/`-}}`
//! trimming and comments), split into tokens, and parsed into nodes, with
//! Go's error wording.

use super::functions::FUNCTIONS;
use super::{Data, Node, Operand, Pipeline, Template};

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
}
