//! Imported dashboards kept in localStorage (the built-in ones come with
//! the engine), and the page's place in the URL: `#/dashboards/<uid>`.

use engine::dashboards::{builtin, Dashboard};
use yew::prelude::*;

/// Where imported dashboards live, as a JSON array of Grafana JSON.
const KEY: &str = "kubeplay.dashboards";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The imported dashboards, oldest first; unreadable entries are skipped.
pub fn load() -> Vec<Dashboard> {
    let Some(text) = storage().and_then(|s| s.get_item(KEY).ok().flatten()) else { return Vec::new() };
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    list.into_iter().filter_map(|v| Dashboard::import(&v.to_string()).ok()).collect()
}

/// Writes the imported dashboards; the error is the browser's.
pub fn save(list: &[Dashboard]) -> Result<(), String> {
    let values: Vec<serde_json::Value> = list.iter().filter_map(|d| serde_json::from_str(&d.export()).ok()).collect();
    let text = serde_json::to_string(&values).map_err(|e| e.to_string())?;
    storage().ok_or("no localStorage")?.set_item(KEY, &text).map_err(|e| format!("{e:?}"))
}

/// A uid for an imported dashboard: its own, else one from its title, never
/// one a built-in or another import already uses.
pub fn fresh_uid(dash: &Dashboard, taken: &[String]) -> String {
    let base = if dash.uid.is_empty() {
        let slug: String =
            dash.title.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
        let slug = slug.trim_matches('-').to_string();
        if slug.is_empty() {
            "imported".to_string()
        } else {
            slug
        }
    } else {
        dash.uid.clone()
    };
    let builtins: Vec<&str> = builtin::SOURCES.iter().map(|(u, _)| *u).collect();
    let clash = |u: &str| builtins.contains(&u);
    if !clash(&base) && !taken.contains(&base) {
        return base;
    }
    (2..).map(|n| format!("{base}-{n}")).find(|u| !clash(u) && !taken.contains(u)).unwrap_or(base)
}

/// The page's hash (`#/dashboards/kubeplay-node`), kept current.
#[hook]
pub fn use_hash() -> String {
    let read = || web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    let hash = use_state(read);
    {
        let hash = hash.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|w| {
                gloo::events::EventListener::new(&w, "hashchange", move |_| {
                    hash.set(web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default())
                })
            });
            move || drop(listener)
        });
    }
    (*hash).clone()
}

/// `Some(uid)` (maybe empty) when the hash is the Dashboards page.
pub fn route(hash: &str) -> Option<String> {
    let rest = hash.strip_prefix("#/dashboards")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    Some(rest.trim_start_matches('/').to_string())
}

/// Moves to a dashboard.
pub fn go(uid: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(&format!("/dashboards/{uid}"));
    }
}

/// Replaces the session with a fresh monitored lab and reloads into the
/// Dashboards page. Called once the playground is gone, so its saver
/// cannot write the old session back.
pub fn start_monitored_lab() {
    let saved = crate::session::Saved {
        format: crate::session::FORMAT.into(),
        version: crate::session::VERSION,
        preset: "monitoring".into(),
        seed: 1,
        journal: Vec::new(),
        editor: crate::components::editor::STARTER.into(),
        history: Vec::new(),
        speed: 1,
        lesson: None,
    };
    if crate::session::save(&saved).is_ok() {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    }
}
