//! A folder of the repository as the engine's `Files`: reads come from disk
//! (a folder reads as its sorted entries), writes stay in memory, seen only
//! by the test that made them.

use engine::{Entry, Files, MemFiles};
use std::path::PathBuf;

pub struct Dir(pub PathBuf, pub MemFiles);

impl Dir {
    pub fn new(root: PathBuf) -> Dir {
        Dir(root, MemFiles::default())
    }
}

impl Files for Dir {
    fn read(&self, path: &str) -> Option<Entry> {
        if let Some(written) = self.1.read(path) {
            return Some(written);
        }
        let p = self.0.join(path);
        if p.is_dir() {
            let mut names: Vec<String> =
                std::fs::read_dir(&p).ok()?.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect();
            names.sort();
            return Some(Entry::Dir(names));
        }
        std::fs::read_to_string(p).ok().map(Entry::File)
    }

    fn write(&self, path: &str, text: &str) -> Result<(), String> {
        self.1.write(path, text)
    }

    fn remove(&self, path: &str) -> Result<(), String> {
        self.1.remove(path)
    }
}
