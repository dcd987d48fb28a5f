//! `kubectl get`.

use super::printers::{self, table};
use super::{cli, error, namespace, resources};
use crate::cluster::{Cluster, Output};
use crate::labels::Selector;
use crate::object::Object;
use clap::ArgMatches;
use std::sync::Arc;

enum Format {
    Table { wide: bool },
    Name,
    Json,
    Yaml,
    JsonPath(String),
    Columns(Vec<(String, String)>),
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &super::Io) -> Output {
    let args = cli::strings(m, "args");
    // `-f`: the objects the files describe, each in its own namespace.
    let mut file_namespaces: std::collections::BTreeMap<(crate::api::Kind, String), String> = Default::default();
    let mut from_files: Vec<resources::Request> = Vec::new();
    if super::manifest::given(m) {
        if !args.is_empty() {
            return error(
                "when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well",
            );
        }
        let documents = match super::manifest::read_flags(io, m) {
            Ok(d) => d,
            Err(e) => return error(e),
        };
        for (_, document) in documents {
            let object = match document {
                Ok(o) => o,
                Err(e) => return Output::err(e),
            };
            let info = object.info();
            if !object.namespace().is_empty() {
                file_namespaces.insert((info.kind, object.name().to_string()), object.namespace().to_string());
            }
            match from_files.last_mut() {
                Some(last) if last.info.kind == info.kind => last.names.push(object.name().to_string()),
                _ => from_files.push(resources::Request { info, names: vec![object.name().to_string()] }),
            }
        }
    }
    if args.is_empty() && from_files.is_empty() {
        return Output::err(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of supported resources.\n\n\
             error: Required resource not specified.\n\
             Use \"kubectl explain <resource>\" for a detailed description of that resource (e.g. kubectl explain pods).\n\
             See 'kubectl get -h' for help and examples\n",
        );
    }
    let format = match cli::string(m, "output").as_deref() {
        None | Some("") => Format::Table { wide: false },
        Some("wide") => Format::Table { wide: true },
        Some("name") => Format::Name,
        Some("json") => Format::Json,
        Some("yaml") => Format::Yaml,
        Some(o) if o.starts_with("jsonpath=") || o.starts_with("jsonpath-as-json=") => {
            Format::JsonPath(o.split_once('=').map(|(_, t)| t.to_string()).unwrap_or_default())
        }
        Some(o) if o.starts_with("custom-columns=") => {
            let spec = &o["custom-columns=".len()..];
            let mut columns = Vec::new();
            for column in spec.split(',') {
                match column.split_once(':') {
                    Some((header, path)) => columns.push((header.to_string(), path.to_string())),
                    None => return error(format!("unexpected custom-columns spec: {column}, expected <header>:<json-path-expr>")),
                }
            }
            Format::Columns(columns)
        }
        Some("jsonpath") => return error("template format specified but no template given"),
        Some(other) => {
            return error(format!(
                "unable to match a printer suitable for the output format \"{other}\", allowed formats are: custom-columns,json,jsonpath,name,wide,yaml"
            ))
        }
    };
    let requests = if from_files.is_empty() {
        match resources::parse(&args) {
            Ok(r) => r,
            Err(e) => return error(e),
        }
    } else {
        from_files
    };
    let all_namespaces = cli::boolean(m, "all-namespaces");
    let ns = namespace(m);
    let show_kind = cli::boolean(m, "show-kind") || requests.len() > 1;
    let no_headers = cli::boolean(m, "no-headers");
    let show_labels = cli::boolean(m, "show-labels");
    let label_columns: Vec<String> =
        cli::strings(m, "label-columns").iter().flat_map(|l| l.split(',').map(String::from)).collect();
    let selector = match cli::string(m, "selector").map(|s| Selector::parse(&s)) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => return error(e),
    };
    let sort_by = cli::string(m, "sort-by");
    let field_selector = cli::string(m, "field-selector").filter(|f| !f.is_empty());
    let now = cluster.now();
    let api = cluster.api();

    let mut out = Output::default();
    let mut groups: Vec<Vec<Arc<Object>>> = Vec::new();
    for request in &requests {
        let scope = if request.info.namespaced { ns.as_str() } else { "" };
        let mut found = Vec::new();
        if request.names.is_empty() {
            let filter = (request.info.namespaced && !all_namespaces).then_some(scope);
            match &selector {
                Some(sel) => found.extend(api.store().select(request.info.kind, filter, sel).into_iter().cloned()),
                None => found.extend(api.store().list(request.info.kind, filter).cloned()),
            }
        } else {
            for name in &request.names {
                let scope = file_namespaces.get(&(request.info.kind, name.clone())).map_or(scope, String::as_str);
                match api.get(request.info.kind, scope, name) {
                    Ok(o) => found.push(o),
                    Err(e) => {
                        out.stderr.push_str(&e.render(None));
                        out.stderr.push('\n');
                        out.exit_code = 1;
                    }
                }
            }
        }
        if let Some(text) = &field_selector {
            match super::fields::parse(text, request.info) {
                Ok(requirements) => found.retain(|o| super::fields::matches(&requirements, &o.to_value())),
                Err(e) => return Output::err(e),
            }
        }
        if let Some(path) = &sort_by {
            if let Err(e) = sort(&mut found, path) {
                return error(e);
            }
        }
        groups.push(found);
    }

    let total: usize = groups.iter().map(Vec::len).sum();
    if total == 0 {
        if out.exit_code == 0 {
            let namespaced = requests.iter().any(|r| r.info.namespaced);
            out.stderr = if all_namespaces || !namespaced {
                "No resources found\n".into()
            } else {
                format!("No resources found in {ns} namespace.\n")
            };
        }
        return out;
    }

    match format {
        Format::Name => {
            for object in groups.iter().flatten() {
                out.stdout.push_str(&format!("{}/{}\n", object.info().qualified_singular(), object.name()));
            }
        }
        Format::JsonPath(template) => {
            let doc = document(&groups, &requests);
            match super::jsonpath::execute(&template, &doc) {
                Ok(text) => out.stdout.push_str(&text),
                Err(e) => return error(e),
            }
        }
        Format::Columns(columns) => {
            let mut rows = Vec::new();
            if !no_headers {
                rows.push(columns.iter().map(|(h, _)| h.clone()).collect());
            }
            for object in groups.iter().flatten() {
                let value = served(object);
                let mut row = Vec::new();
                for (_, path) in &columns {
                    let path = path.trim_start_matches('{').trim_end_matches('}');
                    let found = super::jsonpath::select(&value, path).unwrap_or_default();
                    let cell = found.iter().map(|v| super::jsonpath::text(v)).collect::<Vec<_>>().join(",");
                    row.push(if cell.is_empty() { "<none>".into() } else { cell });
                }
                rows.push(row);
            }
            out.stdout.push_str(&table::render(&rows));
        }
        Format::Json | Format::Yaml => {
            let doc = document(&groups, &requests);
            if matches!(format, Format::Yaml) {
                out.stdout.push_str(&crate::codec::to_yaml(&doc));
            } else {
                out.stdout.push_str(&json(&doc));
                out.stdout.push('\n');
            }
        }
        Format::Table { wide } => {
            let mut tables = Vec::new();
            for (request, found) in requests.iter().zip(&groups) {
                let Some(first) = found.first() else { continue };
                let with_ns = all_namespaces && request.info.namespaced;
                let mut rows = Vec::new();
                if !no_headers {
                    let mut header = printers::headers(first, wide);
                    if with_ns {
                        header.insert(0, "NAMESPACE".into());
                    }
                    header.extend(label_columns.iter().map(|l| l.rsplit('/').next().unwrap_or(l).to_uppercase()));
                    if show_labels {
                        header.push("LABELS".into());
                    }
                    rows.push(header);
                }
                for object in found {
                    let mut row = printers::row(object, now, wide);
                    if show_kind {
                        row[0] = format!("{}/{}", object.info().qualified_singular(), row[0]);
                    }
                    if with_ns {
                        row.insert(0, object.namespace().to_string());
                    }
                    let labels = object.meta().labels.as_ref();
                    row.extend(
                        label_columns.iter().map(|l| labels.and_then(|m| m.get(l)).cloned().unwrap_or_default()),
                    );
                    if show_labels {
                        row.push(printers::labels_cell(labels));
                    }
                    rows.push(row);
                }
                tables.push(table::render(&rows));
            }
            out.stdout = tables.join("\n");
        }
    }
    out
}

/// Orders objects by the value a JSONPath finds in each (`--sort-by`):
/// numbers by value, anything else by text; objects without it first.
fn sort(objects: &mut [Arc<Object>], path: &str) -> Result<(), String> {
    let path = path.trim_start_matches('{').trim_end_matches('}');
    let path = if path.starts_with('.') { path.to_string() } else { format!(".{path}") };
    let mut keyed = Vec::new();
    for o in objects.iter() {
        let value = o.to_value();
        let found =
            super::jsonpath::select(&value, &path).map_err(|e| format!("couldn't parse sort-by path {path:?}: {e}"))?;
        keyed.push((found.first().map(|v| (*v).clone()), o.clone()));
    }
    keyed.sort_by(|(a, _), (b, _)| match (a, b) {
        (Some(serde_json::Value::Number(x)), Some(serde_json::Value::Number(y))) => {
            x.as_f64().unwrap_or(0.0).total_cmp(&y.as_f64().unwrap_or(0.0))
        }
        (Some(x), Some(y)) => super::jsonpath::text(x).cmp(&super::jsonpath::text(y)),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    for (slot, (_, o)) in objects.iter_mut().zip(keyed) {
        *slot = o;
    }
    Ok(())
}

/// One object when one was asked for by name, else a List of them all.
fn document(groups: &[Vec<Arc<Object>>], requests: &[resources::Request]) -> serde_json::Value {
    let values: Vec<serde_json::Value> = groups.iter().flatten().map(|o| served(o)).collect();
    if values.len() == 1 && requests.iter().all(|r| !r.names.is_empty()) {
        return values.into_iter().next().unwrap_or_default();
    }
    serde_json::json!({"apiVersion": "v1", "items": values, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// The object as the API server serves it: an EndpointSlice's `endpoints`
/// and `ports` are never left out (Go's fields have no `omitempty`), so an
/// empty one reads `null`.
fn served(object: &Object) -> serde_json::Value {
    let mut value = object.to_value();
    if let (Object::EndpointSlice(slice), Some(map)) = (object, value.as_object_mut()) {
        if slice.endpoints.is_empty() {
            map.insert("endpoints".into(), serde_json::Value::Null);
        }
        if slice.ports.as_ref().is_none_or(Vec::is_empty) {
            map.insert("ports".into(), serde_json::Value::Null);
        }
    }
    value
}

/// One object as `kubectl get KIND NAME -o yaml` prints it.
pub fn yaml(object: &Object) -> String {
    crate::codec::to_yaml(&served(object))
}

/// JSON as kubectl prints it: four-space indent, keys sorted, and `<`, `>`,
/// `&` escaped the way Go's encoder escapes them.
pub fn json(value: &serde_json::Value) -> String {
    let mut buf = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, formatter);
    if serde::Serialize::serialize(value, &mut ser).is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&buf).replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}
