//! kubectl's JSONPath templates (`-o jsonpath='{.items[*].metadata.name}'`):
//! fields, `[*]`, indexes and slices, `..` recursive descent, filters
//! `[?(@.type=="Ready")]`, `{range}…{end}` and quoted literals like `{"\n"}`.
//! Also the plain paths custom-columns use.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Step {
    Field(String),
    Wildcard,
    Recursive(Option<String>),
    Index(i64),
    Slice(Option<i64>, Option<i64>),
    Filter(String, String, Option<String>),
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Text(String),
    Path(Vec<Step>),
    Range(Vec<Step>, Vec<Node>),
}

fn parse_path(text: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let chars: Vec<char> = text.trim().trim_start_matches('$').chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' if chars.get(i + 1) == Some(&'.') => {
                i += 2;
                let name = read_name(&chars, &mut i);
                steps.push(Step::Recursive((!name.is_empty()).then_some(name)));
            }
            '.' => {
                i += 1;
                let name = read_name(&chars, &mut i);
                if name == "*" {
                    steps.push(Step::Wildcard);
                } else if !name.is_empty() {
                    steps.push(Step::Field(name));
                }
            }
            '[' => {
                let close = chars[i..].iter().position(|c| *c == ']').map(|p| i + p).ok_or("unterminated array")?;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                if inner == "*" {
                    steps.push(Step::Wildcard);
                } else if let Some(filter) = inner.strip_prefix("?(").and_then(|f| f.strip_suffix(')')) {
                    steps.push(parse_filter(filter)?);
                } else if let Some((a, b)) = inner.split_once(':') {
                    let num = |s: &str| s.trim().parse::<i64>().ok();
                    steps.push(Step::Slice(num(a), num(b)));
                } else if let Ok(n) = inner.parse::<i64>() {
                    steps.push(Step::Index(n));
                } else {
                    steps.push(Step::Field(inner.trim_matches(['\'', '"']).to_string()));
                }
                i = close + 1;
            }
            _ => steps.push(Step::Field(read_name(&chars, &mut i))),
        }
    }
    Ok(steps)
}

/// A field name up to the next `.` or `[`; `\.` keeps a dot inside the name,
/// as in `{.metadata.annotations.deployment\.kubernetes\.io/revision}`.
fn read_name(chars: &[char], i: &mut usize) -> String {
    let mut name = String::new();
    while let Some(&c) = chars.get(*i) {
        match c {
            '\\' if chars.get(*i + 1).is_some() => {
                name.push(chars[*i + 1]);
                *i += 2;
                continue;
            }
            '.' | '[' => break,
            _ => name.push(c),
        }
        *i += 1;
    }
    name
}

fn parse_filter(text: &str) -> Result<Step, String> {
    let text = text.trim();
    for op in ["==", "!=", ">=", "<=", ">", "<"] {
        if let Some((left, right)) = text.split_once(op) {
            let path = left.trim().trim_start_matches('@').trim_start_matches('.').to_string();
            let value = right.trim().trim_matches(['\'', '"']).to_string();
            return Ok(Step::Filter(path, op.to_string(), Some(value)));
        }
    }
    let path = text.trim_start_matches('@').trim_start_matches('.').to_string();
    Ok(Step::Filter(path, "exists".into(), None))
}

fn parse_template(text: &str) -> Result<Vec<Node>, String> {
    let mut nodes = Vec::new();
    let mut stack: Vec<(Vec<Step>, Vec<Node>)> = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        match rest.find('{') {
            None => {
                push(&mut stack, &mut nodes, Node::Text(rest.to_string()));
                break;
            }
            Some(open) => {
                if open > 0 {
                    push(&mut stack, &mut nodes, Node::Text(rest[..open].to_string()));
                }
                let close = matching_brace(&rest[open..]).ok_or("unclosed action")? + open;
                let action = rest[open + 1..close].trim();
                rest = &rest[close + 1..];
                if let Some(path) = action.strip_prefix("range ") {
                    stack.push((parse_path(path)?, Vec::new()));
                } else if action == "end" {
                    let (path, body) = stack.pop().ok_or("not in range, nothing to end")?;
                    push(&mut stack, &mut nodes, Node::Range(path, body));
                } else if action.starts_with('"') || action.starts_with('\'') {
                    let literal = action[1..action.len().saturating_sub(1)].replace("\\n", "\n").replace("\\t", "\t");
                    push(&mut stack, &mut nodes, Node::Text(literal));
                } else {
                    push(&mut stack, &mut nodes, Node::Path(parse_path(action)?));
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err("range without end".into());
    }
    Ok(nodes)
}

fn matching_brace(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices().skip(1) {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '}') => return Some(i),
            _ => {}
        }
    }
    None
}

fn push(stack: &mut [(Vec<Step>, Vec<Node>)], nodes: &mut Vec<Node>, node: Node) {
    match stack.last_mut() {
        Some((_, body)) => body.push(node),
        None => nodes.push(node),
    }
}

fn compare(value: &Value, op: &str, want: &Option<String>) -> bool {
    let Some(want) = want else { return !value.is_null() };
    let text = match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let numbers = (text.parse::<f64>(), want.parse::<f64>());
    match (op, numbers) {
        ("==", _) => text == *want,
        ("!=", _) => text != *want,
        (">", (Ok(a), Ok(b))) => a > b,
        ("<", (Ok(a), Ok(b))) => a < b,
        (">=", (Ok(a), Ok(b))) => a >= b,
        ("<=", (Ok(a), Ok(b))) => a <= b,
        _ => false,
    }
}

fn walk<'a>(values: Vec<&'a Value>, step: &Step) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for v in values {
        match step {
            Step::Field(name) => out.extend(v.get(name)),
            Step::Wildcard => match v {
                Value::Array(items) => out.extend(items.iter()),
                Value::Object(map) => out.extend(map.values()),
                _ => {}
            },
            Step::Index(i) => {
                if let Value::Array(items) = v {
                    let idx = if *i < 0 { items.len() as i64 + i } else { *i };
                    out.extend(usize::try_from(idx).ok().and_then(|k| items.get(k)));
                }
            }
            Step::Slice(a, b) => {
                if let Value::Array(items) = v {
                    let len = items.len() as i64;
                    let fix = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                    let (start, end) = (fix(a.unwrap_or(0)), fix(b.unwrap_or(len)));
                    if start < end {
                        out.extend(items[start as usize..end as usize].iter());
                    }
                }
            }
            Step::Filter(path, op, want) => {
                if let Value::Array(items) = v {
                    let steps = parse_path(&format!(".{path}")).unwrap_or_default();
                    for item in items {
                        let found = steps.iter().fold(vec![item], |acc, s| walk(acc, s));
                        if found.iter().any(|f| compare(f, op, want)) {
                            out.push(item);
                        }
                    }
                }
            }
            Step::Recursive(name) => {
                let mut stack = vec![v];
                while let Some(cur) = stack.pop() {
                    match name {
                        Some(n) => out.extend(cur.get(n)),
                        None => out.push(cur),
                    }
                    match cur {
                        Value::Array(items) => stack.extend(items.iter().rev()),
                        Value::Object(map) => stack.extend(map.values().rev()),
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

/// The values a plain path selects (as custom-columns uses it).
pub fn select<'a>(value: &'a Value, path: &str) -> Result<Vec<&'a Value>, String> {
    let steps = parse_path(path)?;
    Ok(steps.iter().fold(vec![value], |acc, s| walk(acc, s)))
}

/// A value as kubectl prints it: strings bare, the rest as JSON.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn render(nodes: &[Node], value: &Value, out: &mut String) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Path(steps) => {
                let found = steps.iter().fold(vec![value], |acc, s| walk(acc, s));
                out.push_str(&found.iter().map(|v| text(v)).collect::<Vec<_>>().join(" "));
            }
            Node::Range(steps, body) => {
                for item in steps.iter().fold(vec![value], |acc, s| walk(acc, s)) {
                    render(body, item, out)?;
                }
            }
        }
    }
    Ok(())
}

/// Renders a template against a document, or kubectl's complaint.
pub fn execute(template: &str, value: &Value) -> Result<String, String> {
    let nodes = parse_template(template).map_err(|e| format!("error parsing jsonpath {template}, {e}"))?;
    let mut out = String::new();
    render(&nodes, value, &mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates() {
        let doc = json!({"items": [
            {"metadata": {"name": "a", "labels": {"app": "web"}}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}, "spec": {"containers": [{"image": "nginx"}, {"image": "redis"}]}},
            {"metadata": {"name": "b", "annotations": {"deployment.kubernetes.io/revision": "1"}}, "status": {"conditions": [{"type": "Ready", "status": "False"}]}, "spec": {"containers": [{"image": "busybox"}]}}
        ]});
        let cases = [
            ("{.items[*].metadata.name}", "a b"),
            ("{.items[0].metadata.name}", "a"),
            ("{.items[-1].metadata.name}", "b"),
            ("{range .items[*]}{.metadata.name}{\"\\n\"}{end}", "a\nb\n"),
            ("{.items[?(@.metadata.name==\"b\")].spec.containers[0].image}", "busybox"),
            ("{.items[*].status.conditions[?(@.type==\"Ready\")].status}", "True False"),
            ("{..image}", "nginx redis busybox"),
            ("{.items[0].metadata.labels}", "{\"app\":\"web\"}"),
            ("names: {.items[0:1].metadata.name}", "names: a"),
            ("{.items[*].nothing}", ""),
            ("{.items[0].metadata.labels.app\\.kubernetes\\.io/name}", ""),
            ("{.items[1].metadata.annotations.deployment\\.kubernetes\\.io/revision}", "1"),
        ];
        for (template, want) in cases {
            assert_eq!(execute(template, &doc).as_deref(), Ok(want), "{template}");
        }
        assert!(execute("{range .items[*]}{.x}", &doc).is_err());
    }
}
