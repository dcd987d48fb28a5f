//! The dashboards a user saved, held by the cluster as a real Grafana holds
//! them in its database inside the cluster: a lesson can check them, and a
//! session's journal replays their saving like any other input. Built-in
//! dashboards are not here; they are read-only and come with the engine.

use super::builtin;
use super::model::{Dashboard, ImportError};

/// The saved dashboards, in the order they were first saved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Saved {
    list: Vec<Dashboard>,
}

impl Saved {
    /// Saves Grafana JSON and returns the dashboard's uid. A dashboard with
    /// the uid of one already saved replaces it, as Grafana's save does; no
    /// uid, or a built-in's (a "Save as" of a built-in), gets a fresh one.
    pub fn save(&mut self, json: &str) -> Result<String, ImportError> {
        let mut dash = Dashboard::import(json)?;
        if dash.title.trim().is_empty() {
            // Grafana's name for a dashboard not yet named.
            dash.title = "New dashboard".into();
        }
        let builtin = builtin::SOURCES.iter().any(|(uid, _)| *uid == dash.uid);
        if let Some(slot) = self.list.iter_mut().find(|d| !builtin && !dash.uid.is_empty() && d.uid == dash.uid) {
            *slot = dash;
            return Ok(slot.uid.clone());
        }
        let taken: Vec<String> = self.list.iter().map(|d| d.uid.clone()).collect();
        dash.uid = fresh_uid(&dash, &taken);
        let uid = dash.uid.clone();
        self.list.push(dash);
        Ok(uid)
    }

    /// Deletes the dashboard with this uid; false when there is none.
    pub fn delete(&mut self, uid: &str) -> bool {
        let before = self.list.len();
        self.list.retain(|d| d.uid != uid);
        self.list.len() != before
    }

    /// Every saved dashboard, oldest first.
    pub fn list(&self) -> &[Dashboard] {
        &self.list
    }

    /// The saved dashboard with this title (the first, as Grafana's search
    /// lists them), for checks written by title.
    pub fn titled(&self, title: &str) -> Option<&Dashboard> {
        self.list.iter().find(|d| d.title == title)
    }
}

/// A uid for a dashboard: its own, else one from its title, never one a
/// built-in or another saved dashboard already uses.
pub fn fresh_uid(dash: &Dashboard, taken: &[String]) -> String {
    let base = if dash.uid.is_empty() {
        let slug: String =
            dash.title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let slug = slug.trim_matches('-').to_string();
        if slug.is_empty() {
            "dashboard".to_string()
        } else {
            slug
        }
    } else {
        dash.uid.clone()
    };
    let clash = |u: &str| builtin::SOURCES.iter().any(|(b, _)| *b == u) || taken.iter().any(|t| t == u);
    if !clash(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|u| !clash(u)).unwrap_or(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saving_assigns_uids_and_replaces_by_uid() {
        let mut saved = Saved::default();
        let table: &[(&str, Result<&str, ()>)] = &[
            (r#"{"title": "Lab CPU"}"#, Ok("lab-cpu")),
            (r#"{"title": "Lab CPU"}"#, Ok("lab-cpu-2")),
            (r#"{"uid": "lab-cpu", "title": "Lab CPU v2"}"#, Ok("lab-cpu")),
            (r#"{"uid": "kubeplay-node", "title": "Node copy"}"#, Ok("kubeplay-node-2")),
            (r#"{"title": "  "}"#, Ok("new-dashboard")),
            ("[1, 2]", Err(())),
            ("not json", Err(())),
            (r#"{"title": "!!!"}"#, Ok("dashboard")),
        ];
        for (json, want) in table {
            let got = saved.save(json).map_err(|_| ());
            assert_eq!(got.as_deref(), want.as_deref().map_err(|_| &()), "{json}");
        }
        let titles: Vec<&str> = saved.list().iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["Lab CPU v2", "Lab CPU", "Node copy", "New dashboard", "!!!"]);
        assert_eq!(saved.titled("Lab CPU").map(|d| d.uid.as_str()), Some("lab-cpu-2"));
        assert!(saved.delete("lab-cpu"));
        assert!(!saved.delete("lab-cpu"));
        assert!(!saved.delete("kubeplay-node"), "built-ins are not saved dashboards");
        assert_eq!(saved.list().len(), 4);
    }
}
