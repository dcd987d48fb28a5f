//! How kubectl reads `-f` paths. The engine does no IO of its own: a front
//! end hands it a [`Files`] (the disk for the native shell, the editor's
//! buffers in the browser).

/// What is at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A file and its text.
    File(String),
    /// A directory and the names it contains, sorted.
    Dir(Vec<String>),
}

/// A read-only file system.
pub trait Files {
    /// What is at `path`, or `None` when nothing is.
    fn read(&self, path: &str) -> Option<Entry>;
}

/// No files at all.
pub struct NoFiles;

impl Files for NoFiles {
    fn read(&self, _path: &str) -> Option<Entry> {
        None
    }
}

/// Files held in memory, keyed by path; directories are implied by paths.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemFiles(pub std::collections::BTreeMap<String, String>);

impl Files for MemFiles {
    fn read(&self, path: &str) -> Option<Entry> {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        if let Some(text) = self.0.get(path) {
            return Some(Entry::File(text.clone()));
        }
        let prefix = if path.is_empty() || path == "." { String::new() } else { format!("{path}/") };
        let mut names: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        (!names.is_empty()).then_some(Entry::Dir(names))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_and_their_directories() {
        let mut files = MemFiles::default();
        files.0.insert("pod.yaml".into(), "a".into());
        files.0.insert("k8s/a.yaml".into(), "b".into());
        files.0.insert("k8s/b.yaml".into(), "c".into());
        assert_eq!(files.read("./pod.yaml"), Some(Entry::File("a".into())));
        assert_eq!(files.read("k8s/"), Some(Entry::Dir(vec!["a.yaml".into(), "b.yaml".into()])));
        assert_eq!(files.read("nope.yaml"), None);
    }
}
