//! Which lesson steps a learner has finished, kept in localStorage apart
//! from the session: starting a fresh cluster, or another lesson, never
//! loses it. Steps are kept by id, so a lesson that gains a step keeps what
//! was done.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

const KEY: &str = "kubeplay.progress";

/// Finished step ids, by lesson id.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress(BTreeMap<String, BTreeSet<String>>);

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

impl Progress {
    /// What was saved; nothing when storage is off or the text unreadable
    /// (progress is a convenience: losing it loses no cluster work).
    pub fn load() -> Progress {
        storage()
            .and_then(|s| s.get_item(KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Marks a step finished and saves at once.
    pub fn finish(&mut self, lesson: &str, step: &str) {
        if self.0.entry(lesson.to_string()).or_default().insert(step.to_string()) {
            if let (Some(store), Ok(text)) = (storage(), serde_json::to_string(self)) {
                let _ = store.set_item(KEY, &text);
            }
        }
    }

    /// Whether that step was finished.
    pub fn finished(&self, lesson: &str, step: &str) -> bool {
        self.0.get(lesson).is_some_and(|steps| steps.contains(step))
    }
}
