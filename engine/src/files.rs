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

/// The files commands read (`-f`) and, where the front end allows, write
/// (`kubectl cp` from a pod).
pub trait Files {
    /// What is at `path`, or `None` when nothing is.
    fn read(&self, path: &str) -> Option<Entry>;

    /// Writes `text` to the file at `path`, or says why it cannot, in the
    /// words of the system's error.
    fn write(&self, _path: &str, _text: &str) -> Result<(), String> {
        Err("read-only file system".into())
    }

    /// Removes the file at `path` (`rm`), or says why it cannot.
    fn remove(&self, _path: &str) -> Result<(), String> {
        Err("Operation not permitted".into())
    }
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
pub struct MemFiles(pub std::cell::RefCell<std::collections::BTreeMap<String, String>>);

impl MemFiles {
    /// Puts a file in place.
    pub fn insert(&self, path: &str, text: &str) {
        self.0.borrow_mut().insert(path.trim_start_matches("./").to_string(), text.to_string());
    }
}

impl Files for MemFiles {
    fn read(&self, path: &str) -> Option<Entry> {
        let path = path.trim_start_matches("./").trim_end_matches('/');
        let files = self.0.borrow();
        if let Some(text) = files.get(path) {
            return Some(Entry::File(text.clone()));
        }
        let prefix = if path.is_empty() || path == "." { String::new() } else { format!("{path}/") };
        let mut names: Vec<String> = files
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix))
            .map(|rest| rest.split('/').next().unwrap_or(rest).to_string())
            .collect();
        names.dedup();
        (!names.is_empty()).then_some(Entry::Dir(names))
    }

    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        if matches!(self.read(path), Some(Entry::Dir(_))) {
            return Err(format!("open {path}: is a directory"));
        }
        self.insert(path, text);
        Ok(())
    }

    fn remove(&self, path: &str) -> Result<(), String> {
        match self.0.borrow_mut().remove(path.trim_start_matches("./")) {
            Some(_) => Ok(()),
            None => Err("No such file or directory".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_and_their_directories() {
        let files = MemFiles::default();
        files.insert("pod.yaml", "a");
        files.insert("k8s/a.yaml", "b");
        assert_eq!(files.write("k8s/b.yaml", "c"), Ok(()));
        assert!(files.write("k8s", "d").is_err());
        assert_eq!(files.read("./pod.yaml"), Some(Entry::File("a".into())));
        assert_eq!(files.read("k8s/"), Some(Entry::Dir(vec!["a.yaml".into(), "b.yaml".into()])));
        assert_eq!(files.read("nope.yaml"), None);
    }
}
