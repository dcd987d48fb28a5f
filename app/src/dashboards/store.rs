//! Where dashboards came from before the lab's Grafana held them, and the
//! page's place in the URL: `#/dashboards/<uid>`. Saved dashboards live in
//! the engine now (journaled with the session); the built-in ones come with
//! the engine.

use yew::prelude::*;

/// Where earlier versions kept imported dashboards, as a JSON array of
/// Grafana JSON.
const LEGACY_KEY: &str = "kubeplay.dashboards";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The dashboards earlier versions kept in localStorage, as JSON texts,
/// read once: the caller saves them in the lab's Grafana, then
/// [`forget_legacy`] drops the key.
pub fn legacy() -> Vec<String> {
    let Some(text) = storage().and_then(|s| s.get_item(LEGACY_KEY).ok().flatten()) else { return Vec::new() };
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
    list.into_iter().map(|v| v.to_string()).collect()
}

/// Drops the old key once its dashboards are saved in the lab's Grafana.
pub fn forget_legacy() {
    if let Some(s) = storage() {
        let _ = s.remove_item(LEGACY_KEY);
    }
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
