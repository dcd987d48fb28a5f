//! `kubectl explain`: the fields of a kind, laid out as kubectl 1.32's
//! OpenAPI v3 template lays them out. Names, types and required flags come
//! from k8s-openapi (`explain/schema.txt`, written by
//! `tools/explain-schema`); the descriptions are ours (`explain/*.yaml`).

use super::{cli, error};
use crate::api;
use crate::cluster::Output;
use clap::ArgMatches;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

const SCHEMA: &str = include_str!("explain/schema.txt");
const DESCRIPTIONS: &[&str] =
    &[include_str!("explain/core-a.yaml"), include_str!("explain/core-b.yaml"), include_str!("explain/others.yaml")];

/// One field of a definition.
struct Field<'a> {
    name: &'a str,
    /// kubectl's type guess: `string`, `[]Container`, `map[string]Quantity`.
    ty: &'a str,
    /// The definition its own fields (or its items') come from.
    target: Option<&'a str>,
    required: bool,
}

struct Schema<'a> {
    /// Kind name → (group, version, definition).
    kinds: BTreeMap<&'a str, (&'a str, &'a str, &'a str)>,
    types: BTreeMap<&'a str, Vec<Field<'a>>>,
}

fn schema() -> Schema<'static> {
    let mut kinds = BTreeMap::new();
    let mut types: BTreeMap<&str, Vec<Field>> = BTreeMap::new();
    let mut current = "";
    for line in SCHEMA.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words.as_slice() {
            ["kind", kind, group, version, def] => {
                kinds.insert(*kind, (if *group == "-" { "" } else { *group }, *version, *def));
            }
            ["type", def] => current = def,
            ["field", name, ty, target, rest @ ..] => types.entry(current).or_default().push(Field {
                name,
                ty,
                target: (*target != "-").then_some(*target),
                required: rest.contains(&"required"),
            }),
            _ => {}
        }
    }
    Schema { kinds, types }
}

#[derive(Deserialize, Default)]
struct Described {
    #[serde(default)]
    about: String,
    #[serde(default)]
    fields: BTreeMap<String, String>,
}

fn descriptions() -> BTreeMap<String, Described> {
    DESCRIPTIONS
        .iter()
        .filter_map(|text| serde_yaml::from_str::<BTreeMap<String, Described>>(text).ok())
        .flatten()
        .collect()
}

/// A definition's key in the description files.
fn key(def: &str) -> &str {
    ["io.k8s.api.", "io.k8s.apimachinery.pkg.apis.", "io.k8s.apimachinery.pkg."]
        .iter()
        .find_map(|p| def.strip_prefix(p))
        .unwrap_or(def)
}

pub fn run(m: &ArgMatches) -> Output {
    let args = cli::strings(m, "args");
    let [request] = args.as_slice() else {
        return if args.is_empty() {
            error("You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.")
        } else {
            error("We accept only this format: explain RESOURCE")
        };
    };
    let mut path = request.split('.');
    let resource = path.next().unwrap_or_default();
    let fields: Vec<&str> = path.collect();
    let Some(info) = api::resolve(resource) else {
        return error(format!("the server doesn't have a resource type \"{resource}\""));
    };
    let schema = schema();
    let Some(&(group, version, def)) = schema.kinds.get(info.kind_name) else {
        return error(format!("the server doesn't have a resource type \"{resource}\""));
    };
    if let Some(wanted) = cli::string(m, "api-version") {
        let (g, v) = wanted.rsplit_once('/').unwrap_or(("", &wanted));
        if (g, v) != (group, version) {
            return error(format!("GVR ({g}/{v}, Resource={}) not found in OpenAPI schema", info.plural));
        }
    }
    let described = descriptions();
    let mut text = String::new();
    if !group.is_empty() {
        text.push_str(&format!("GROUP:      {group}\n"));
    }
    text.push_str(&format!("KIND:       {}\nVERSION:    {version}\n\n", info.kind_name));
    // Walk the field path; what is explained is the last field's type, its
    // description the field's own words followed by its type's.
    let mut at = Some(def);
    let mut description = about(&described, def);
    for (i, name) in fields.iter().enumerate() {
        let field = at.and_then(|d| schema.types.get(d)).and_then(|fs| fs.iter().find(|f| f.name == *name));
        let Some(field) = field else {
            return error(format!("field \"{name}\" does not exist"));
        };
        if i + 1 == fields.len() {
            text.push_str(&format!("FIELD: {} <{}>\n\n\n", field.name, field.ty));
        }
        let own = at.map(|d| field_words(&described, d, field.name)).unwrap_or_default();
        // kubectl wraps the field's words and its type's each on its own, so
        // the type's start a new line rather than run on.
        description = [own, field.target.map(|t| about(&described, t)).unwrap_or_default()]
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| wrap(s, 76))
            .collect::<Vec<_>>()
            .join("\n");
        at = field.target;
    }
    if fields.is_empty() {
        description = wrap(&description, 76);
    }
    let shown = if description.is_empty() { "<empty>".to_string() } else { description };
    text.push_str("DESCRIPTION:\n");
    text.push_str(&indent(&shown, 4));
    text.push('\n');
    let recursive = cli::boolean(m, "recursive");
    let mut list = String::new();
    if let Some(def) = at {
        field_list(&schema, &described, def, 1, recursive, &mut BTreeSet::new(), &mut list);
    }
    if !list.is_empty() {
        text.push_str("FIELDS:\n");
        text.push_str(&list);
    }
    text.push('\n');
    Output::ok(text)
}

fn about(described: &BTreeMap<String, Described>, def: &str) -> String {
    described.get(key(def)).map(|d| d.about.trim().to_string()).unwrap_or_default()
}

fn field_words(described: &BTreeMap<String, Described>, def: &str, field: &str) -> String {
    described.get(key(def)).and_then(|d| d.fields.get(field)).map(|s| s.trim().to_string()).unwrap_or_default()
}

/// The fields of `def`, each with its description, or with `recursive` each
/// followed by its own fields one level deeper; a definition already being
/// expanded on the way down is not expanded again.
fn field_list(
    schema: &Schema,
    described: &BTreeMap<String, Described>,
    def: &str,
    level: usize,
    recursive: bool,
    seen: &mut BTreeSet<String>,
    out: &mut String,
) {
    let Some(fields) = schema.types.get(def) else { return };
    if !seen.insert(def.to_string()) {
        return;
    }
    let pad = " ".repeat(level * 2);
    for field in fields {
        out.push_str(&format!(
            "{pad}{}\t<{}>{}\n",
            field.name,
            field.ty,
            if field.required { " -required-" } else { "" }
        ));
        if recursive {
            if let Some(target) = field.target {
                field_list(schema, described, target, level + 1, recursive, seen, out);
            }
        } else {
            let words = field_words(described, def, field.name);
            let words = if words.is_empty() { "<no description>".to_string() } else { words };
            out.push_str(&indent(&wrap(&words, 78 - level * 2), level * 2 + 2));
            out.push_str("\n\n");
        }
    }
    seen.remove(def);
}

/// sprig's `indent`: every line, the last one too, gets the padding.
fn indent(text: &str, width: usize) -> String {
    let pad = " ".repeat(width);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

/// kubectl's `wrap`: line breaks removed, then words wrapped at `width`
/// as go-wordwrap does (a word longer than the width keeps its own line).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let (mut current, mut word, mut spaces) = (0usize, String::new(), String::new());
    for c in text.chars().filter(|c| *c != '\n') {
        if c.is_whitespace() && c != '\u{a0}' {
            if spaces.is_empty() || !word.is_empty() {
                current += spaces.chars().count() + word.chars().count();
                out.push_str(&spaces);
                out.push_str(&word);
                spaces.clear();
                word.clear();
            }
            spaces.push(c);
        } else {
            word.push(c);
            let word_len = word.chars().count();
            if current + spaces.chars().count() + word_len > width && word_len < width {
                out.push('\n');
                current = 0;
                spaces.clear();
            }
        }
    }
    if word.is_empty() {
        if current + spaces.chars().count() <= width {
            out.push_str(&spaces);
        }
    } else {
        out.push_str(&spaces);
        out.push_str(&word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_kubectl() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaaaaaaaaa bb", 4), "aaaaaaaaaa\nbb");
        assert_eq!(wrap("short", 76), "short");
        // Line breaks go first, joining what they separated.
        assert_eq!(wrap("one.\nTwo\n", 76), "one.Two");
        assert_eq!(indent("a\nb\n", 4), "    a\n    b\n    ");
    }

    #[test]
    fn every_field_has_our_words() {
        for text in DESCRIPTIONS {
            if let Err(e) = serde_yaml::from_str::<BTreeMap<String, Described>>(text) {
                panic!("explain yaml: {e}");
            }
        }
        let schema = schema();
        let described = descriptions();
        let mut missing = Vec::new();
        for (def, fields) in &schema.types {
            if about(&described, def).is_empty() {
                missing.push(format!("{}: about", key(def)));
            }
            for field in fields {
                if field_words(&described, def, field.name).is_empty() {
                    missing.push(format!("{}.{}", key(def), field.name));
                }
                if let Some(target) = field.target {
                    if !schema.types.contains_key(target) && about(&described, target).is_empty() {
                        missing.push(format!("{}: about", key(target)));
                    }
                }
            }
        }
        missing.dedup();
        assert!(missing.is_empty(), "{} without words:\n{}", missing.len(), missing.join("\n"));
    }
}
