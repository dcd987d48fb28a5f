//! The lessons built into the engine (see `build.rs`): the browser reads
//! them from here, and so does the native test, so both play the same
//! files.

use super::format::Lesson;
use crate::files::MemFiles;

/// Every file of every lesson folder: its path under `lessons/`
/// (`01-the-lab/steps/nodes.en.md`) and its text, sorted by path.
static FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// Every built-in file, as `(path under lessons/, text)`, sorted by path.
pub fn files() -> &'static [(&'static str, &'static str)] {
    FILES
}

/// The lesson ids (folders holding a `lesson.yaml`), in order: numbered
/// lessons first, then the challenges (`c1-…`).
pub fn ids() -> Vec<&'static str> {
    FILES.iter().filter_map(|(path, _)| path.strip_suffix("/lesson.yaml")).filter(|id| !id.contains('/')).collect()
}

/// The files of lesson `id`, named relative to its folder (`web.yaml`,
/// `steps/nodes.en.md`): what its lines and its terminal read.
pub fn folder(id: &str) -> MemFiles {
    let files = MemFiles::default();
    let prefix = format!("{id}/");
    for (path, text) in FILES {
        if let Some(relative) = path.strip_prefix(&prefix) {
            files.insert(relative, text);
        }
    }
    files
}

/// Reads lesson `id` with its pages; an error names the file and the fault.
pub fn load(id: &str) -> Result<Lesson, String> {
    if !ids().contains(&id) {
        return Err(format!("no lesson {id:?}"));
    }
    Lesson::load(&folder(id), ".").map_err(|e| format!("{id}/{}", e.trim_start_matches("./")))
}
