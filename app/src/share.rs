//! A scenario as a link: `…/#/share/<scenario>`, where the scenario is the
//! engine's `Scenario::encode` (the journal deflated, URL-safe base64). The
//! fragment never reaches a server, so a shared cluster stays between the
//! people who pass the link on.
//!
//! Opening such a link replays it on a fresh cluster; the receiver's own
//! session is kept aside (`session::keep_aside_for_share`) and can be
//! brought back from the notice, never overwritten silently.

use crate::bridge::{Bridge, BridgeHandle, Transcript};
use crate::session::{self, Saved, FORMAT, VERSION};
use engine::journal::Scenario;

/// What starts a shared scenario in the address.
pub const PREFIX: &str = "#/share/";

/// The page's own address with `scenario` as its fragment.
pub fn link(scenario: &Scenario) -> String {
    let here = web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!("{}{}{}", location.origin().ok()?, location.pathname().ok()?, location.search().ok()?))
        })
        .unwrap_or_default();
    format!("{here}{PREFIX}{}", scenario.encode())
}

/// The scenario text of the address, if it is a shared link.
pub fn in_address() -> Option<String> {
    crate::route::current().strip_prefix(PREFIX).map(String::from)
}

/// Takes the shared scenario out of the address (no history entry), so a
/// reload restores the session it became instead of replaying it again.
pub fn clear_address() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let bare = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&bare));
    }
}

/// A shared scenario opened: the cluster, what it printed, the session to
/// start with, how many inputs replayed, and where the receiver's own
/// session was kept (`None` when there was none).
pub struct Opened {
    pub bridge: BridgeHandle,
    pub transcript: Transcript,
    pub saved: Saved,
    pub inputs: usize,
    pub kept: Option<String>,
}

/// Decodes and replays the link's scenario `text`; the error says why it
/// cannot be opened, and then the receiver's session is untouched.
pub fn open(text: &str, starter: &str) -> Result<Opened, String> {
    if session::share_stopped_the_page(text) {
        return Err("its replay stopped the page last time".into());
    }
    let scenario = Scenario::decode(text)?;
    let saved = Saved {
        format: FORMAT.into(),
        version: VERSION,
        preset: scenario.preset.clone(),
        seed: scenario.seed,
        editor: scenario.last_manifest().unwrap_or(starter).to_string(),
        history: scenario.commands(),
        speed: 1,
        lesson: scenario.lesson.clone(),
        journal: scenario.journal,
    };
    session::replaying_share(Some(text));
    let replayed = Bridge::restore_shared(&saved);
    session::replaying_share(None);
    let (bridge, transcript) = replayed?;
    let kept = session::keep_aside_for_share();
    // Stored at once, so closing the tab now still finds it (and the kept
    // session) at the next visit; a refusal is reported by the next save.
    let _ = session::save(&saved);
    Ok(Opened { bridge, transcript, inputs: saved.journal.len(), saved, kept })
}
