//! Scheduling made visible: when a pod waiting in the queue lane is bound,
//! its chip (a new element on the node's card, since chips are keyed by
//! pod inside their node) travels there from where it waited. After every
//! draw the chips' places are noted, relative to the map so that scrolling
//! moves nothing; a chip that was in the lane and is now on a node is
//! animated from its old place to its new one (FLIP: first, last, invert,
//! play) with the Web Animations API.

use std::collections::HashMap;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// How long the travel takes (ms).
const TRAVEL_MS: f64 = 700.0;

/// Where a chip was drawn last: in the queue lane or on a node, and its
/// top-left corner relative to the map.
#[derive(Clone, Copy)]
struct Place {
    queued: bool,
    x: f64,
    y: f64,
}

/// Watches the chips under `root` after each render and sends a chip that
/// left the queue lane for a node on its way there.
#[hook]
pub fn use_chip_travel(root: NodeRef) {
    let places = use_mut_ref(HashMap::<String, Place>::new);
    use_effect(move || {
        if let Some(root) = root.cast::<Element>() {
            let mut places = places.borrow_mut();
            let seen = chips(&root);
            let moving = !reduced_motion();
            for (pod, el, now) in &seen {
                match places.get(pod) {
                    Some(was) if moving && was.queued && !now.queued => travel(el, was.x - now.x, was.y - now.y),
                    _ => {}
                }
            }
            *places = seen.into_iter().map(|(pod, _, place)| (pod, place)).collect();
        }
    });
}

/// Every chip under `root`: its pod, its element and its place.
fn chips(root: &Element) -> Vec<(String, HtmlElement, Place)> {
    let origin = root.get_bounding_client_rect();
    let Ok(list) = root.query_selector_all(".chip[data-pod]") else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter_map(|el| {
            let pod = el.get_attribute("data-pod")?;
            let rect = el.get_bounding_client_rect();
            let queued = el.closest(".queue").ok().flatten().is_some();
            let place = Place { queued, x: rect.left() - origin.left(), y: rect.top() - origin.top() };
            Some((pod, el, place))
        })
        .collect()
}

/// Plays the chip from `(dx, dy)` away back to where it now is.
fn travel(el: &HtmlElement, dx: f64, dy: f64) {
    if dx.abs() < 2.0 && dy.abs() < 2.0 {
        return;
    }
    // Opaque all the way: the chip's CSS entrance fades in, not this.
    let frame = |transform: &str| {
        let f = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&f, &"transform".into(), &transform.into());
        let _ = js_sys::Reflect::set(&f, &"opacity".into(), &1.into());
        f
    };
    let keyframes = js_sys::Array::of2(&frame(&format!("translate({dx:.1}px, {dy:.1}px) scale(1.15)")), &frame("none"));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"duration".into(), &TRAVEL_MS.into());
    let _ = js_sys::Reflect::set(&options, &"easing".into(), &"cubic-bezier(0.2, 0.7, 0.2, 1)".into());
    // Named, so a test (or a curious learner in the devtools) can tell it
    // from the chip's CSS entrance.
    let _ = js_sys::Reflect::set(&options, &"id".into(), &"travel".into());
    if let Ok(animate) = js_sys::Reflect::get(el, &"animate".into()).and_then(|f| f.dyn_into::<js_sys::Function>()) {
        let _ = animate.call2(el, &keyframes, &options);
    }
    // Above the other cards while it crosses them.
    let _ = el.style().set_property("z-index", "2");
    let _ = el.style().set_property("position", "relative");
}

/// The learner asked the system for less motion.
fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}
