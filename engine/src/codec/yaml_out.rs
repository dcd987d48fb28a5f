//! YAML out, the way kubectl prints `-o yaml` (go-yaml v2 behind
//! sigs.k8s.io/yaml, itself a port of libyaml's emitter): block style, keys
//! sorted, sequences not indented under their key, strings plain when that
//! reads back as the same string, else single- or double-quoted, multi-line
//! strings as literal blocks, and long scalars folded after column 80.

use serde_json::Value;

/// Where libyaml folds long scalars.
const BEST_WIDTH: usize = 80;

/// The whole document, ending in a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => sequence(&mut out, items, 0),
        other => {
            out.push_str(&inline(other, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn mapping(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    let mut first = true;
    for (key, value) in map {
        if !first || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        first = false;
        let key_text = scalar(key, indent, indent, true);
        out.push_str(&key_text);
        out.push(':');
        entry_value(out, value, indent, indent + key_text.chars().count() + 2);
    }
}

fn sequence(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => mapping(out, map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => {
                // A sequence directly inside a sequence starts on the dash's line.
                let mut nested = String::new();
                sequence(&mut nested, inner, indent + 2);
                out.push_str(nested.trim_start());
            }
            other => {
                out.push_str(&inline(other, indent + 2, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// The value after `key:`; `column` is where it would start on the key's line.
fn entry_value(out: &mut String, value: &Value, indent: usize, column: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            mapping(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            sequence(out, items, indent);
        }
        Value::String(s) if s.contains('\n') && literal_allowed(s) => {
            out.push(' ');
            literal(out, s, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&inline(other, indent + 2, column));
            out.push('\n');
        }
    }
}

fn inline(value: &Value, indent: usize, column: usize) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.contains('\n') => double_quoted(s),
        Value::String(s) => scalar(s, indent, column, false),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

fn literal_allowed(s: &str) -> bool {
    let a = analyze(s);
    !a.special && !a.space_break && !a.trailing_space
}

/// `|`, `|-` or `|+`, then the lines indented.
fn literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with(' ') {
        out.push('2');
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    // The indicator already says whether the last line break belongs to the
    // string; the rest of the trailing breaks become empty lines.
    let body = if trailing >= 1 { &s[..s.len() - 1] } else { s };
    for line in body.split('\n') {
        if !line.is_empty() {
            out.push_str(&" ".repeat(indent));
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// What libyaml's analyze_scalar learns about a string.
#[derive(Default)]
struct Analysis {
    block_indicators: bool,
    leading_space: bool,
    trailing_space: bool,
    line_breaks: bool,
    special: bool,
    space_break: bool,
}

fn analyze(s: &str) -> Analysis {
    let mut a = Analysis::default();
    let chars: Vec<char> = s.chars().collect();
    if s.starts_with("---") || s.starts_with("...") {
        a.block_indicators = true;
    }
    let mut preceded_by_ws = true;
    let mut previous_space = false;
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_ws = next.is_none_or(|n| n == ' ' || n == '\t' || n == '\n' || n == '\r');
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    a.block_indicators = true
                }
                '?' | ':' | '-' if followed_by_ws => a.block_indicators = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => a.block_indicators = true,
                '#' if preceded_by_ws => a.block_indicators = true,
                _ => {}
            }
        }
        // libyaml counts neither tab nor carriage return as printable.
        let printable = matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{85}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
            && c != '\u{FEFF}';
        if !printable {
            a.special = true;
        }
        if c == '\n' {
            a.line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                a.leading_space = true;
            }
            if i + 1 == chars.len() {
                a.trailing_space = true;
            }
            previous_space = true;
        } else if c == '\n' {
            if previous_space {
                a.space_break = true;
            }
            previous_space = false;
        } else {
            previous_space = false;
        }
        preceded_by_ws = c == ' ' || c == '\t' || c == '\n';
    }
    a
}

/// Whether go-yaml's resolver would read the plain text back as something
/// other than this string (a number, bool, null, timestamp …).
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf",
        "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let first = s.chars().next().unwrap_or(' ');
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return false;
    }
    let plain = s.replace('_', "");
    let body = plain.trim_start_matches(['+', '-']);
    let is_int = !body.is_empty()
        && (body.chars().all(|c| c.is_ascii_digit())
            || body.strip_prefix("0x").is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
            || body.strip_prefix("0b").is_some_and(|b| !b.is_empty() && b.chars().all(|c| c == '0' || c == '1')));
    let is_float = body.parse::<f64>().is_ok()
        && body.chars().any(|c| c.is_ascii_digit())
        && !body.contains("inf")
        && !body.contains("nan");
    let is_base60 = body.contains(':')
        && body.split(':').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let is_timestamp = s.len() >= 10
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s[..4].chars().all(|c| c.is_ascii_digit())
        && s[5..7].chars().all(|c| c.is_ascii_digit())
        && s[8..10].chars().all(|c| c.is_ascii_digit());
    is_int || is_float || is_base60 || is_timestamp
}

/// A one-line scalar, plain when possible, folded past column 80.
fn scalar(s: &str, indent: usize, column: usize, key: bool) -> String {
    if resolves_to_non_string(s) {
        return double_quoted(s);
    }
    let a = analyze(s);
    if a.special {
        return double_quoted(s);
    }
    let plain_ok = !(a.leading_space || a.trailing_space || a.block_indicators || a.line_breaks);
    if key && s.chars().count() > 128 {
        return double_quoted(s);
    }
    if plain_ok {
        fold(s, indent, column, false)
    } else {
        fold(&s.replace('\'', "''"), indent, column, true)
    }
}

/// Writes a plain or single-quoted scalar, breaking at a single space once the
/// line has passed the best width, as libyaml does.
fn fold(s: &str, indent: usize, column: usize, quoted: bool) -> String {
    let mut out = String::new();
    let mut col = column;
    if quoted {
        out.push('\'');
        col += 1;
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev_space = i > 0 && chars[i - 1] == ' ';
        let next_space = chars.get(i + 1).is_some_and(|n| *n == ' ');
        let allowed = quoted || (i > 0 && i + 1 < chars.len());
        if c == ' ' && allowed && !prev_space && !next_space && col > BEST_WIDTH && i + 1 < chars.len() {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            col = indent;
            continue;
        }
        out.push(c);
        col += 1;
    }
    if quoted {
        out.push('\'');
    }
    out
}

fn double_quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02X}", c as u32)),
            '\u{FEFF}' => out.push_str("\\uFEFF"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
