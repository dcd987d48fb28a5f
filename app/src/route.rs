//! The page's address after `#`: which lesson step is open, so a teacher
//! can hand out `#/lessons/12-services/3`. Steps are counted from 1 in the
//! address, as a learner counts them, and from 0 everywhere else.

/// What an address asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// Nothing said (`#/` or no `#`): where the session is.
    Here,
    /// The lesson list (`#/lessons`, or an address we do not know).
    List,
    /// A lesson, at a step (from 0) or where the learner left off.
    Lesson { id: String, step: Option<usize> },
    /// Another page over the same session (`#/dashboards/…`): the lesson
    /// stays where it is.
    Dashboards,
}

impl Route {
    /// Reads `#/lessons/ID/N`, `#/lessons/ID`, `#/lessons`, `#/dashboards…`
    /// and the empty address; anything else is the list. A step of 0 or
    /// not a number names no step.
    pub fn parse(hash: &str) -> Route {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let mut parts = path.split('/').filter(|p| !p.is_empty());
        match (parts.next(), parts.next(), parts.next()) {
            (None, ..) => Route::Here,
            (Some("lessons"), Some(id), step) => Route::Lesson {
                id: id.to_string(),
                step: step.and_then(|n| n.parse::<usize>().ok()).and_then(|n| n.checked_sub(1)),
            },
            (Some("dashboards"), ..) => Route::Dashboards,
            _ => Route::List,
        }
    }

    /// The address of a lesson's step (from 0).
    pub fn step(id: &str, index: usize) -> String {
        format!("#/lessons/{id}/{}", index + 1)
    }
}

/// The page's current `#…`.
pub fn current() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Shows `hash` in the address bar without a history entry (a learner's
/// own moves are not pages to go back through) and without a
/// `hashchange`.
pub fn show(hash: &str) {
    if current() == hash {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}
