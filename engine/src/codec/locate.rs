//! Where in a manifest kubectl's complaint points: the editor marks that
//! line. kubectl's text stays as it is; this only reads it, with the
//! manifest, and finds the document (by kind and name) and the line (by the
//! field path the API server named) it is about.

use serde::Deserialize;

/// One complaint placed on a line of the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mark {
    /// From 1.
    pub line: usize,
    /// The API server's (or the YAML parser's) words for the problem.
    pub message: String,
}

/// The lines of `text` that the errors in kubectl's `stderr` are about.
pub fn marks(text: &str, stderr: &str) -> Vec<Mark> {
    if stderr.contains("error converting YAML to JSON") {
        return syntax_mark(text).into_iter().collect();
    }
    let docs = split(text);
    let mut out = Vec::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some((kind, name, first)) = invalid(line) {
            let Some(doc) = docs.iter().find(|d| d.kind == kind && d.name == name) else { continue };
            // Several causes come one per following `* ` line.
            let mut causes = vec![first.to_string()];
            if first.is_empty() {
                causes.clear();
                while let Some(next) = lines.peek().and_then(|l| l.strip_prefix("* ")) {
                    causes.push(next.to_string());
                    lines.next();
                }
            }
            for cause in causes {
                let path = cause.split(": ").next().unwrap_or_default();
                out.push(Mark { line: doc.line_of(path), message: cause.clone() });
            }
        } else if let Some((_, rest)) = line.split_once(" cannot be handled as a ") {
            let kind = rest.split(':').next().unwrap_or_default();
            let detail = rest.split_once(": ").map_or("", |(_, d)| d);
            for (path, message) in decode_paths(detail) {
                let candidates = docs.iter().filter(|d| d.kind == kind);
                // The document where the whole path is written, else the first of the kind.
                let best = candidates.map(|d| (d.depth_of(&path), d)).max_by_key(|(depth, _)| *depth);
                if let Some((_, doc)) = best {
                    out.push(Mark { line: doc.line_of(&path), message });
                }
            }
        } else if let Some(rest) = line.split_once("no matches for kind \"").map(|(_, r)| r) {
            let kind = rest.split('"').next().unwrap_or_default();
            if let Some(doc) = docs.iter().find(|d| d.kind == kind) {
                out.push(Mark { line: doc.line_of("kind"), message: format!("no matches for kind \"{rest}") });
            }
        } else if line.contains("error validating data: ")
            && (line.contains("kind not set") || line.contains("apiVersion not set"))
        {
            if let Some(doc) = docs.iter().find(|d| d.kind.is_empty() || !d.has_api_version) {
                let message = line.split("error validating data: ").nth(1).unwrap_or_default();
                let message = message.split("; if you choose").next().unwrap_or(message);
                out.push(Mark { line: doc.first, message: message.to_string() });
            }
        }
    }
    out
}

/// The YAML parser's complaint and the line it stopped at, in the whole text.
fn syntax_mark(text: &str) -> Option<Mark> {
    for doc in serde_yaml::Deserializer::from_str(text) {
        if let Err(e) = serde_yaml::Value::deserialize(doc) {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message).to_string();
            let line = e.location().map_or(1, |l| l.line());
            return Some(Mark { line, message });
        }
    }
    None
}

/// `The Pod "web" is invalid: spec.x: Required value` as (kind, name, cause);
/// the cause is empty when a list of `* ` lines follows.
fn invalid(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("The ")?;
    let (kind, rest) = rest.split_once(" \"")?;
    let (name, rest) = rest.split_once("\" is invalid: ")?;
    Some((kind, name, rest.trim_end()))
}

/// The field paths a decoding failure names: `strict decoding error:
/// unknown field "a.b", …` or Go's `cannot unmarshal … into Go struct field
/// PodSpec.spec.containers of type …`, each with its message.
fn decode_paths(detail: &str) -> Vec<(String, String)> {
    if let Some(list) = detail.strip_prefix("strict decoding error: ") {
        return list
            .split(", ")
            .filter_map(|item| {
                let path = item.strip_prefix("unknown field \"")?.strip_suffix('"')?;
                Some((path.to_string(), item.to_string()))
            })
            .collect();
    }
    if let Some(rest) = detail.split_once("into Go struct field ").map(|(_, r)| r) {
        let field = rest.split(" of type").next().unwrap_or_default();
        // The first part is the Go type that holds the field.
        let path = field.split_once('.').map_or("", |(_, p)| p);
        return vec![(path.to_string(), detail.to_string())];
    }
    Vec::new()
}

/// One document of a multi-document manifest.
struct Doc {
    kind: String,
    name: String,
    has_api_version: bool,
    /// Its first line, from 1.
    first: usize,
    /// Its lines as (line number, indentation, text), block-sequence dashes
    /// opened up: `- name: x` is a dash entry and a `name: x` entry.
    entries: Vec<Entry>,
}

struct Entry {
    line: usize,
    indent: usize,
    dash: bool,
    text: String,
}

/// The documents of `text` that hold anything, as the decoder numbers them.
fn split(text: &str) -> Vec<Doc> {
    let mut chunks: Vec<(usize, Vec<&str>)> = vec![(1, Vec::new())];
    for (i, line) in text.lines().enumerate() {
        if line.starts_with("---") {
            chunks.push((i + 2, Vec::new()));
        } else if let Some((_, lines)) = chunks.last_mut() {
            lines.push(line);
        }
    }
    chunks
        .into_iter()
        .filter_map(|(first, lines)| {
            let value: serde_json::Value = serde_yaml::from_str(&lines.join("\n")).ok()?;
            if value.is_null() {
                return None;
            }
            let field = |p: &str| value.pointer(p).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            Some(Doc {
                kind: field("/kind"),
                name: field("/metadata/name"),
                has_api_version: !field("/apiVersion").is_empty(),
                first,
                entries: entries(first, &lines),
            })
        })
        .collect()
}

fn entries(first: usize, lines: &[&str]) -> Vec<Entry> {
    let mut out = Vec::new();
    for (i, raw) in lines.iter().enumerate() {
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut indent = raw.len() - trimmed.len();
        let mut text = trimmed;
        while let Some(rest) = text.strip_prefix("- ").or(if text == "-" { Some("") } else { None }) {
            out.push(Entry { line: first + i, indent, dash: true, text: String::new() });
            let inner = rest.trim_start();
            indent += text.len() - inner.len();
            text = inner;
            if text.is_empty() {
                break;
            }
        }
        if !text.is_empty() {
            out.push(Entry { line: first + i, indent, dash: false, text: text.to_string() });
        }
    }
    out
}

/// One step of a field path.
#[derive(Debug, PartialEq)]
enum Seg {
    Key(String),
    Index(usize),
}

/// `spec.containers[0].image`, `metadata.labels[app.kubernetes.io/name]`.
fn segments(path: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let Some((key, after)) = inner.split_once(']') else { break };
            out.push(key.parse().map_or_else(|_| Seg::Key(key.to_string()), Seg::Index));
            rest = after.strip_prefix('.').unwrap_or(after);
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Seg::Key(rest[..end].to_string()));
            rest = rest[end..].strip_prefix('.').unwrap_or(&rest[end..]);
        }
    }
    out
}

impl Doc {
    /// The line the path leads to, or the deepest part of it written.
    fn line_of(&self, path: &str) -> usize {
        find(&self.entries, &segments(path)).map_or(self.first, |(_, line)| line)
    }

    fn depth_of(&self, path: &str) -> usize {
        find(&self.entries, &segments(path)).map_or(0, |(depth, _)| depth)
    }
}

/// How far the path goes in a block (`entries`) and the line it reached.
fn find(entries: &[Entry], path: &[Seg]) -> Option<(usize, usize)> {
    let (seg, rest) = path.split_first()?;
    let indent = entries.iter().map(|e| e.indent).min()?;
    // The block's own items: entries at its indentation.
    let items: Vec<usize> = (0..entries.len()).filter(|&i| entries[i].indent == indent).collect();
    // A key's block takes in a sequence written at the key's own indentation
    // (`containers:` then `- name: …` under it, unindented).
    let block = |i: usize| {
        let start = i + 1;
        let inside = |e: &Entry| e.indent > indent || (!entries[i].dash && e.indent == indent && e.dash);
        let end = entries[start..].iter().position(|e| !inside(e)).map_or(entries.len(), |p| start + p);
        &entries[start..end]
    };
    let deeper = |at: usize, line: usize| match find(block(at), rest) {
        Some((depth, line)) => (depth + 1, line),
        None => (1, line),
    };
    let is_sequence = items.first().is_some_and(|&i| entries[i].dash);
    match seg {
        Seg::Index(n) if is_sequence => {
            let &at = items.get(*n)?;
            Some(deeper(at, entries[at].line))
        }
        Seg::Key(_) if is_sequence => {
            // Go's paths leave out indexes: try every item.
            items.iter().filter_map(|&at| find(block(at), path)).max_by_key(|(depth, _)| *depth)
        }
        Seg::Key(key) => {
            let &at = items.iter().find(|&&i| !entries[i].dash && key_of(&entries[i].text) == Some(key.as_str()))?;
            Some(deeper(at, entries[at].line))
        }
        Seg::Index(_) => None,
    }
}

/// The key of `key: value` (quoted or not).
fn key_of(text: &str) -> Option<&str> {
    let (key, _) = text.split_once(':').filter(|(_, v)| v.is_empty() || v.starts_with(' '))?;
    Some(key.trim().trim_matches(['"', '\'']))
}
