//! `kubectl cp`: files between the terminal's file system and a running
//! container, through the container's `tar` as kubectl does it (so tar's
//! own remarks appear on stderr).

use super::{cli, error, namespace, Io};
use crate::cluster::{Cluster, Output};
use crate::files::Entry;
use crate::object::Object;
use crate::runtime::images;
use clap::ArgMatches;
use k8s_openapi::api::core::v1::{Container, Pod};

/// `[NAMESPACE/]POD:PATH`, or a local path.
enum Spec {
    Local(String),
    Remote { namespace: Option<String>, pod: String, path: String },
}

fn spec(text: &str) -> Spec {
    match text.split_once(':') {
        Some((pod, path)) if !pod.is_empty() => match pod.split_once('/') {
            Some((ns, pod)) => Spec::Remote { namespace: Some(ns.into()), pod: pod.into(), path: path.into() },
            None => Spec::Remote { namespace: None, pod: pod.into(), path: path.into() },
        },
        _ => Spec::Local(text.to_string()),
    }
}

pub fn run(cluster: &mut Cluster, m: &ArgMatches, io: &Io) -> Output {
    let args = cli::strings(m, "args");
    let [src, dest] = args.as_slice() else { return error("source and destination are required") };
    let (src, dest) = (spec(src), spec(dest));
    if [&src, &dest].iter().any(|s| matches!(s, Spec::Remote { path, .. } if path.is_empty())) {
        return error("filepath can not be empty");
    }
    match (src, dest) {
        (Spec::Local(_), Spec::Local(_)) => error("one of src or dest must be a remote file specification"),
        (Spec::Remote { .. }, Spec::Remote { .. }) => error("one of src or dest must be a local file specification"),
        (Spec::Remote { namespace: ns, pod, path }, Spec::Local(local)) => {
            let ns = ns.unwrap_or_else(|| namespace(m));
            from_pod(cluster, m, io, &ns, &pod, &path, &local)
        }
        (Spec::Local(local), Spec::Remote { namespace: ns, pod, path }) => {
            let ns = ns.unwrap_or_else(|| namespace(m));
            to_pod(cluster, m, io, &local, &ns, &pod, &path)
        }
    }
}

/// The running pod and the container the copy goes through, with the note
/// kubectl prints when it chose one of several.
fn target(cluster: &Cluster, m: &ArgMatches, ns: &str, name: &str) -> Result<(Pod, Container, String), Output> {
    let object =
        cluster.api().get(crate::api::Kind::Pod, ns, name).map_err(|e| Output::err(format!("{}\n", e.render(None))))?;
    let Object::Pod(pod) = &*object else { return Err(Output::default()) };
    let (container, note) = super::exec::running_container(pod, cli::string(m, "container"), "exec into")?;
    Ok((*pod.clone(), container, note))
}

/// Whether the image's tar is GNU tar (Debian-based images) or BusyBox's.
fn gnu_tar(container: &Container) -> bool {
    !matches!(images::short_name(container.image.as_deref().unwrap_or_default()).as_str(), "busybox" | "alpine")
}

fn from_pod(cluster: &Cluster, m: &ArgMatches, io: &Io, ns: &str, name: &str, path: &str, local: &str) -> Output {
    let (pod, container, note) = match target(cluster, m, ns, name) {
        Ok(t) => t,
        Err(out) => return out,
    };
    let inside = cluster.inside(&pod, &container);
    let gnu = gnu_tar(&container);
    let mut out = Output { stderr: note, ..Output::default() };
    if path.starts_with('/') {
        out.stderr.push_str(if gnu {
            "tar: Removing leading `/' from member names\n"
        } else {
            "tar: removing leading '/' from member names\n"
        });
    }
    // A file lands at the local path, or inside it when that is a folder;
    // a folder's files land under the local path.
    let files: Vec<(String, String)> = match inside.file(path) {
        Some(text) => {
            let base = path.trim_end_matches('/').rsplit('/').next().unwrap_or(path);
            let at = match io.files.read(local) {
                Some(Entry::Dir(_)) => format!("{}/{base}", local.trim_end_matches('/')),
                _ => local.to_string(),
            };
            vec![(at, text)]
        }
        None => {
            let prefix = path.trim_end_matches('/');
            inside
                .files_under(prefix)
                .into_iter()
                .map(|(p, text)| (format!("{}/{}", local.trim_end_matches('/'), &p[prefix.len() + 1..]), text))
                .collect()
        }
    };
    if files.is_empty() && !inside.is_dir(path) {
        // tar fails inside the container, but kubectl reports success.
        out.stderr.push_str(&if gnu {
            format!("tar: {path}: Cannot stat: No such file or directory\ntar: Exiting with failure status due to previous errors\n")
        } else {
            format!("tar: {path}: No such file or directory\n")
        });
        return out;
    }
    for (at, text) in files {
        if let Err(e) = io.files.write(&at, &text) {
            out.stderr.push_str(&format!("error: {e}\n"));
            out.exit_code = 1;
            return out;
        }
    }
    out
}

fn to_pod(cluster: &mut Cluster, m: &ArgMatches, io: &Io, local: &str, ns: &str, name: &str, path: &str) -> Output {
    let Some(entry) = io.files.read(local) else {
        return error(format!("{local} doesn't exist in local filesystem"));
    };
    let (pod, container, note) = match target(cluster, m, ns, name) {
        Ok(t) => t,
        Err(out) => return out,
    };
    let into_dir = path.ends_with('/') || cluster.inside(&pod, &container).is_dir(path);
    let base = local.trim_end_matches('/').rsplit('/').next().unwrap_or(local).to_string();
    let dest = if into_dir { format!("{}/{base}", path.trim_end_matches('/')) } else { path.to_string() };
    let mut files = Vec::new();
    collect(io, local, &dest, &entry, &mut files);
    let mut out = Output { stderr: note, ..Output::default() };
    let mut refused = false;
    for (at, text) in files {
        if cluster.write_in(&pod, &container.name, &at, &text).is_err() {
            // tar inside the container cannot open it; kubectl passes on its exit.
            let name = at.trim_start_matches('/');
            out.stderr.push_str(&if gnu_tar(&container) {
                format!("tar: {name}: Cannot open: Read-only file system\n")
            } else {
                format!("tar: can't open '{name}': Read-only file system\n")
            });
            refused = true;
        }
    }
    if refused {
        if gnu_tar(&container) {
            out.stderr.push_str("tar: Exiting with failure status due to previous errors\n");
        }
        out.stderr.push_str("command terminated with exit code 2\n");
        out.exit_code = 2;
    }
    out
}

/// The local files under `local`, each with where it goes in the container.
fn collect(io: &Io, local: &str, dest: &str, entry: &Entry, out: &mut Vec<(String, String)>) {
    match entry {
        Entry::File(text) => out.push((dest.to_string(), text.clone())),
        Entry::Dir(names) => {
            for name in names {
                let from = format!("{}/{name}", local.trim_end_matches('/'));
                if let Some(inner) = io.files.read(&from) {
                    collect(io, &from, &format!("{}/{name}", dest.trim_end_matches('/')), &inner, out);
                }
            }
        }
    }
}
