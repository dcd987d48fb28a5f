//! The saved session: a journal, not a snapshot. The engine is
//! deterministic (virtual clock, seeded RNG), so the preset, the seed and
//! the ordered inputs — terminal lines, editor applies and edits, Ctrl-C,
//! dashboards saved and deleted, and how much time passed between them — rebuild the very same cluster
//! when replayed (`engine/tests/replay.rs` holds the engine to that). A
//! journal is small, never goes stale when the engine's object model
//! changes shape, and is the same thing export writes to a file.
//!
//! A save that cannot be read or replayed is moved to a key of its own and
//! reported; it is never silently dropped.

use crate::i18n::Lang;
use serde::{Deserialize, Serialize};

/// Where the session lives in localStorage.
pub const KEY: &str = "kubeplay.session";
/// Where a save that could not be restored is kept: this, a dash, the time.
pub const ASIDE_PREFIX: &str = "kubeplay.session.broken";
/// Set while a journal replays; still set at the next load means the
/// replay never finished (the engine stopped the page), so that save must
/// not be replayed again or the page would never load.
const REPLAYING: &str = "kubeplay.replaying";
/// The interface preferences, apart from the session so that clearing one
/// keeps the other.
const PREFS_KEY: &str = "kubeplay.prefs";

/// What the file says it is.
pub const FORMAT: &str = "kubeplay-session";
/// Bumped when an older kubeplay could not replay what this one writes.
pub const VERSION: u32 = 1;

/// The journal's inputs and where a lesson's journal starts live in the
/// engine, beside the scenario links made from them.
pub use engine::journal::{Input, LessonAt};

/// The whole session, as stored and as exported.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub format: String,
    pub version: u32,
    pub preset: String,
    pub seed: u64,
    pub journal: Vec<Input>,
    /// The editor's buffer.
    pub editor: String,
    /// Terminal lines, oldest first, for ↑ and Ctrl-R.
    pub history: Vec<String>,
    /// How fast the clock ran (0 = paused), so a paused lesson stays paused.
    #[serde(default = "one")]
    pub speed: u32,
    /// The lesson the cluster belongs to, `null` in free play. The journal
    /// replays on top of that step opened directly; which steps were done
    /// lives apart (`progress.rs`), so clearing the cluster keeps it.
    #[serde(default)]
    pub lesson: Option<LessonAt>,
}

fn one() -> u32 {
    1
}

/// Reads a session from text, saying why when it cannot be used.
pub fn parse(text: &str) -> Result<Saved, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON ({e})"))?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err("not a kubeplay session".into());
    }
    match value.get("version").and_then(|v| v.as_u64()) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => return Err(format!("format version {v}, this kubeplay reads version {VERSION}")),
        None => return Err("no format version".into()),
    }
    serde_json::from_value(value).map_err(|e| format!("damaged ({e})"))
}

/// The session as text.
pub fn to_text(saved: &Saved) -> String {
    // Serialising plain strings and numbers cannot fail.
    serde_json::to_string(saved).unwrap_or_default()
}

/// What the page found in storage.
pub enum Found {
    /// Nothing saved: a fresh cluster.
    Nothing,
    /// A session to replay.
    Session(Saved),
    /// A save that cannot be used, already moved aside: why, and where.
    SetAside { reason: String, key: String },
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads the saved session, moving aside one that cannot be used.
pub fn load() -> Found {
    let Some(store) = storage() else { return Found::Nothing };
    let Some(text) = store.get_item(KEY).ok().flatten() else { return Found::Nothing };
    let interrupted = store.get_item(REPLAYING).ok().flatten().is_some();
    let result = if interrupted { Err("its replay stopped the page last time".to_string()) } else { parse(&text) };
    match result {
        Ok(saved) => Found::Session(saved),
        Err(reason) => {
            let key = set_aside(&text);
            let _ = store.remove_item(REPLAYING);
            Found::SetAside { reason, key }
        }
    }
}

/// Moves the stored session under a key of its own; returns that key.
pub fn set_aside(text: &str) -> String {
    let key = format!("{ASIDE_PREFIX}-{}", js_sys::Date::now() as u64);
    if let Some(store) = storage() {
        let _ = store.set_item(&key, text);
        let _ = store.remove_item(KEY);
    }
    key
}

/// Writes the session; the error is the browser's (storage full or off).
pub fn save(saved: &Saved) -> Result<(), String> {
    let store = storage().ok_or("no localStorage")?;
    store.set_item(KEY, &to_text(saved)).map_err(|e| format!("{e:?}"))
}

/// Marks the start and end of a replay (see `REPLAYING`).
pub fn replaying(on: bool) {
    if let Some(store) = storage() {
        let _ = if on { store.set_item(REPLAYING, "1") } else { store.remove_item(REPLAYING) };
    }
}

/// Where the pane sizes are remembered.
const LAYOUT_KEY: &str = "kubeplay.layout";

/// The remembered pane sizes, if any were stored and still read.
pub fn load_layout<T: for<'de> Deserialize<'de>>() -> Option<T> {
    let text = storage()?.get_item(LAYOUT_KEY).ok().flatten()?;
    serde_json::from_str(&text).ok()
}

/// Remembers the pane sizes.
pub fn save_layout<T: Serialize>(layout: &T) {
    if let (Some(store), Ok(text)) = (storage(), serde_json::to_string(layout)) {
        let _ = store.set_item(LAYOUT_KEY, &text);
    }
}

/// Light or dark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

/// How the interface looks and speaks; remembered apart from the session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: Theme,
    pub presenter: bool,
    pub lang: Lang,
}

impl Prefs {
    /// The remembered preferences; unreadable ones fall back to defaults
    /// (they hold no work to lose).
    pub fn load() -> Prefs {
        storage()
            .and_then(|s| s.get_item(PREFS_KEY).ok().flatten())
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    pub fn save(self) {
        if let (Some(store), Ok(text)) = (storage(), serde_json::to_string(&self)) {
            let _ = store.set_item(PREFS_KEY, &text);
        }
    }
}

/// Offers `text` to the user as a file download named `name`.
pub fn download(name: &str, text: &str) {
    let blob = gloo::file::Blob::new_with_options(text, Some("application/json"));
    let url = gloo::file::ObjectUrl::from(blob);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Ok(anchor) = document.create_element("a") else { return };
    let _ = anchor.set_attribute("href", &url);
    let _ = anchor.set_attribute("download", name);
    if let Some(anchor) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&anchor) {
        anchor.click();
    }
    // The browser reads the URL after this returns; revoking it now could
    // cancel the download, and one small blob per export costs little.
    std::mem::forget(url);
}

/// Where the receiver's own session waits while a shared scenario is open:
/// this, a dash, the time.
pub const BEFORE_SHARE_PREFIX: &str = "kubeplay.session.before-share";
/// Holds a shared link's text while its scenario replays; still holding it
/// at the next load means that replay stopped the page, so the same link
/// (still in the address) must not replay again.
const REPLAYING_SHARE: &str = "kubeplay.replaying-share";

/// Moves the stored session, if there is one, aside so that a shared
/// scenario can take its place; returns the key it now lives under.
pub fn keep_aside_for_share() -> Option<String> {
    let store = storage()?;
    let text = store.get_item(KEY).ok().flatten()?;
    let key = format!("{BEFORE_SHARE_PREFIX}-{}", js_sys::Date::now() as u64);
    store.set_item(&key, &text).ok()?;
    let _ = store.remove_item(KEY);
    Some(key)
}

/// Puts the session kept under `key` back as the stored session; the
/// error is the browser's, or says the key is gone.
pub fn bring_back(key: &str) -> Result<(), String> {
    let store = storage().ok_or("no localStorage")?;
    let text = store.get_item(key).ok().flatten().ok_or_else(|| format!("nothing is stored under “{key}”"))?;
    store.set_item(KEY, &text).map_err(|e| format!("{e:?}"))?;
    let _ = store.remove_item(key);
    Ok(())
}

/// Marks the start (`Some(link)`) and end (`None`) of a shared link's replay.
pub fn replaying_share(link: Option<&str>) {
    if let Some(store) = storage() {
        let _ = match link {
            Some(link) => store.set_item(REPLAYING_SHARE, link),
            None => store.remove_item(REPLAYING_SHARE),
        };
    }
}

/// Whether `link` is the one whose replay stopped the page last time.
pub fn share_stopped_the_page(link: &str) -> bool {
    let stopped = storage().and_then(|s| s.get_item(REPLAYING_SHARE).ok().flatten());
    replaying_share(None);
    stopped.as_deref() == Some(link)
}
