//! Reading `-f` sources: files, directories (their .yaml, .yml and .json
//! files) and `-` for standard input, decoded into objects with kubectl's
//! error messages.

use super::Io;
use crate::codec::{self, DecodeError};
use crate::files::Entry;
use crate::object::Object;
use serde_json::Value;

/// One decoded document, or why it could not be decoded, in kubectl's words.
pub type Document = Result<Object, String>;

/// Whether `-f` or `-k` names anything.
pub fn given(m: &clap::ArgMatches) -> bool {
    !super::cli::strings(m, "filename").is_empty() || super::cli::string(m, "kustomize").is_some()
}

/// The documents of a command that needs `-f` or `-k`, or kubectl's error.
pub fn required(io: &Io, m: &clap::ArgMatches) -> Result<Vec<(String, Document)>, crate::cluster::Output> {
    if !given(m) {
        return Err(super::error("must specify one of -f and -k"));
    }
    read_flags(io, m).map_err(super::error)
}

/// The documents `-f` (files, directories, `-`) or `-k` (a kustomization)
/// name.
pub fn read_flags(io: &Io, m: &clap::ArgMatches) -> Result<Vec<(String, Document)>, String> {
    let filenames = super::cli::strings(m, "filename");
    match super::cli::string(m, "kustomize") {
        None => read(io, &filenames, super::cli::boolean(m, "recursive")),
        Some(_) if !filenames.is_empty() => Err("only one of -f or -k can be specified".into()),
        Some(dir) => {
            let built = crate::kustomize::build(io.files, &dir)?;
            Ok(built
                .objects
                .into_iter()
                .map(|v| (dir.clone(), codec::to_object(v).map_err(|e| describe(&dir, e))))
                .collect())
        }
    }
}

/// The documents of every `-f` source, each tagged with its source name
/// (`pod.yaml`, `STDIN`). A missing path fails everything, as in kubectl.
pub fn read(io: &Io, filenames: &[String], recursive: bool) -> Result<Vec<(String, Document)>, String> {
    let texts = texts(io, filenames, recursive)?;
    let mut out = Vec::new();
    for (source, text) in texts {
        match codec::documents(&text) {
            Err(DecodeError::Syntax(msg)) => {
                return Err(format!("error parsing {source}: error converting YAML to JSON: {msg}"));
            }
            Err(other) => out.push((source.clone(), Err(describe(&source, other)))),
            Ok(docs) => {
                for doc in docs {
                    out.push((source.clone(), codec::to_object(doc).map_err(|e| describe(&source, e))));
                }
            }
        }
    }
    Ok(out)
}

/// The text of every `-f` source: files, directories (their .yaml, .yml
/// and .json files, and with `-R` those of their subdirectories) and `-`.
fn texts(io: &Io, filenames: &[String], recursive: bool) -> Result<Vec<(String, String)>, String> {
    let mut texts = Vec::new();
    for name in filenames {
        if name == "-" {
            texts.push(("STDIN".to_string(), io.stdin.unwrap_or_default().to_string()));
            continue;
        }
        match io.files.read(name) {
            None => return Err(format!("the path \"{name}\" does not exist")),
            Some(Entry::File(text)) => texts.push((name.clone(), text)),
            Some(Entry::Dir(entries)) => directory(io, name, &entries, recursive, 0, &mut texts),
        }
    }
    Ok(texts)
}

/// The manifests of one directory, in name order, descending into its
/// subdirectories with `recursive` (to a depth no real tree reaches).
fn directory(io: &Io, dir: &str, entries: &[String], recursive: bool, depth: usize, out: &mut Vec<(String, String)>) {
    for entry in entries {
        let path = format!("{}/{entry}", dir.trim_end_matches('/'));
        match io.files.read(&path) {
            Some(Entry::File(text)) if [".yaml", ".yml", ".json"].iter().any(|ext| entry.ends_with(ext)) => {
                out.push((path, text));
            }
            Some(Entry::Dir(inner)) if recursive && depth < 32 => {
                directory(io, &path, &inner, recursive, depth + 1, out);
            }
            _ => {}
        }
    }
}

/// The documents of `-f` sources as written, untyped: what `--local`
/// commands change and print, keeping every field the file had.
pub fn read_values(io: &Io, filenames: &[String], recursive: bool) -> Result<Vec<Value>, String> {
    let mut out = Vec::new();
    for (source, text) in texts(io, filenames, recursive)? {
        let docs = codec::documents(&text).map_err(|e| match e {
            DecodeError::Syntax(msg) => format!("error parsing {source}: error converting YAML to JSON: {msg}"),
            other => describe(&source, other).trim_start_matches("error: ").trim_end().to_string(),
        })?;
        out.extend(docs);
    }
    Ok(out)
}

/// A decoding failure in kubectl's words, for `source` (a file name, or
/// what kubectl names the object it was handed).
pub fn describe(source: &str, e: DecodeError) -> String {
    match e {
        DecodeError::Syntax(msg) => format!("error: error parsing {source}: error converting YAML to JSON: {msg}\n"),
        DecodeError::Validation(problems) => {
            let list = if problems.len() == 1 {
                problems[0].clone()
            } else {
                format!("[{}]", problems.join(", "))
            };
            format!(
                "error: error validating \"{source}\": error validating data: {list}; if you choose to ignore these errors, turn validation off with --validate=false\n"
            )
        }
        DecodeError::NoMatch {
            kind,
            api_version,
            name,
            namespace,
        } => format!(
            "error: resource mapping not found for name: \"{name}\" namespace: \"{namespace}\" from \"{source}\": no matches for kind \"{kind}\" in version \"{api_version}\"\nensure CRDs are installed first\n"
        ),
        DecodeError::Schema { info, version, message } => format!(
            "Error from server (BadRequest): error when creating \"{source}\": {kind} in version \"{version}\" cannot be handled as a {kind}: {message}\n",
            kind = info.kind_name,
            version = version,
        ),
    }
}
