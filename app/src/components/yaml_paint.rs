//! YAML colouring for the editor: the buffer as HTML with a span per token
//! (keys, strings, numbers, booleans and null, comments, document
//! separators), drawn under a transparent textarea so the caret, selection,
//! paste and undo stay the browser's own. One pass over the lines, no
//! parser: it only has to look right, and stay cheap for long files.

use std::fmt::Write;

/// The tokens' colours, for any element of class `yaml-paint` holding
/// painted YAML (the editor, the object tree's YAML view).
pub const TOKEN_COLOURS: &str = r#"
.yaml-paint .k { color: var(--accent); }
.yaml-paint .s { color: var(--ok); }
.yaml-paint .n { color: var(--warn); }
.yaml-paint .b { color: var(--done); font-weight: 600; }
.yaml-paint .c { color: var(--muted); font-style: italic; }
.yaml-paint .d { color: var(--done); font-weight: 700; }
.yaml-paint .p { color: var(--muted); }
"#;

/// The buffer as HTML, with `marks` (line from 1, message) underlined and
/// their message written after the line.
pub fn paint(text: &str, marks: &[(usize, String)]) -> String {
    let mut html = String::with_capacity(text.len() * 2);
    // The indentation under which a `|` or `>` block's lines are text.
    let mut block: Option<usize> = None;
    for (i, line) in text.split('\n').enumerate() {
        let indent = line.len() - line.trim_start().len();
        let message = marks.iter().find(|(l, _)| *l == i + 1).map(|(_, m)| m.as_str());
        if message.is_some() {
            html.push_str("<span class=\"bad\">");
        }
        match block {
            Some(outer) if indent > outer || line.trim().is_empty() => span(&mut html, "s", line),
            _ => {
                block = None;
                if line.starts_with("---") || line.starts_with("...") {
                    span(&mut html, "d", line);
                } else if paint_line(&mut html, line) {
                    block = Some(indent);
                }
            }
        }
        if let Some(m) = message {
            html.push_str("</span><span class=\"note\">  ");
            escape(&mut html, m);
            html.push_str("</span>");
        }
        html.push('\n');
    }
    // A final newline still needs its empty line drawn.
    html.push(' ');
    html
}

/// Paints one ordinary line; whether it opens a `|` or `>` block.
fn paint_line(html: &mut String, line: &str) -> bool {
    let (code, comment) = split_comment(line);
    let trimmed = code.trim_start();
    html.push_str(&code[..code.len() - trimmed.len()]);
    let mut rest = trimmed;
    // Sequence dashes.
    while let Some(after) = rest.strip_prefix("- ").or(if rest == "-" { Some("") } else { None }) {
        span(html, "p", "-");
        let inner = after.trim_start();
        html.push_str(&rest[1..rest.len() - inner.len()]);
        rest = inner;
    }
    let opens_block;
    if let Some((key, value)) = key_value(rest) {
        span(html, "k", key);
        span(html, "p", ":");
        let spaces = value.len() - value.trim_start().len();
        html.push_str(&value[..spaces]);
        let value = &value[spaces..];
        opens_block = is_block_indicator(value.trim_end());
        scalar(html, value);
    } else {
        opens_block = is_block_indicator(rest.trim_end());
        scalar(html, rest);
    }
    if !comment.is_empty() {
        span(html, "c", comment);
    }
    opens_block
}

/// `key: value` or `key:` (the key plain or quoted) as (key, value).
fn key_value(text: &str) -> Option<(&str, &str)> {
    let end = if let Some(q @ ('"' | '\'')) = text.chars().next() {
        text[1..].find(q).map(|p| p + 2)?
    } else {
        text.find(": ").or_else(|| text.strip_suffix(':').map(str::len))?
    };
    let after = &text[end..];
    let value = after.strip_prefix(':')?;
    if !(value.is_empty() || value.starts_with(' ')) || text[..end].contains(['{', '[']) {
        return None;
    }
    Some((&text[..end], value))
}

fn is_block_indicator(value: &str) -> bool {
    matches!(value, "|" | ">" | "|-" | ">-" | "|+" | ">+")
}

/// A value: quoted or plain text, a number, a boolean or null.
fn scalar(html: &mut String, value: &str) {
    let word = value.trim_end();
    let class = if word.is_empty() {
        return html.push_str(value);
    } else if matches!(word, "true" | "false" | "null" | "~" | "True" | "False" | "Null" | "NULL") {
        "b"
    } else if word.parse::<f64>().is_ok() && !word.chars().all(char::is_alphabetic) {
        "n"
    } else if is_block_indicator(word) || word == "{}" || word == "[]" {
        "p"
    } else {
        "s"
    };
    span(html, class, value);
}

/// A line's code and its trailing `# comment` (a `#` at the start or after
/// a space, outside quotes).
fn split_comment(line: &str) -> (&str, &str) {
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if previous == ' ' || previous == ':' || previous == '-' => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '#') if previous.is_whitespace() => return (&line[..i], &line[i..]),
            _ => {}
        }
        previous = c;
    }
    (line, "")
}

fn span(html: &mut String, class: &str, text: &str) {
    let _ = write!(html, "<span class=\"{class}\">");
    escape(html, text);
    html.push_str("</span>");
}

fn escape(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            '&' => html.push_str("&amp;"),
            '"' => html.push_str("&quot;"),
            c => html.push(c),
        }
    }
}
