//! The control-plane node's static pod folder as the terminal sees it:
//! `ls`, `cat`, `rm`, `cp`, `mv` and `>` on `/etc/kubernetes/manifests`.

use crate::cluster::Cluster;

pub const FOLDER: &str = "/etc/kubernetes/manifests";

/// The file a path names inside the folder.
pub fn file_name(path: &str) -> Option<&str> {
    let name = path.strip_prefix(FOLDER)?.strip_prefix('/')?;
    (!name.is_empty() && !name.contains('/')).then_some(name)
}

/// Whether a path is the folder itself.
pub fn is_folder(path: &str) -> bool {
    path.trim_end_matches('/') == FOLDER
}

/// A file's text.
pub fn read(cluster: &Cluster, name: &str) -> Option<String> {
    cluster.static_pod_files().into_iter().find(|(f, _)| f == name).map(|(_, t)| t)
}

/// Writes (or appends to) a file: the kubelet picks it up at once.
pub fn write(cluster: &mut Cluster, name: &str, text: &str, append: bool) -> Result<(), String> {
    let whole = if append { read(cluster, name).unwrap_or_default() + text } else { text.to_string() };
    cluster.write_static_pod(name, &whole)
}
