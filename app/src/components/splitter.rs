//! A draggable, keyboard-operable divider between two panes. It reports
//! moves as a share of its container, so the panes it divides keep their
//! proportions when the window changes size.

use crate::i18n::{t, Lang, Msg};
use crate::style::palette::*;
use stylist::yew::styled_component;
use web_sys::Element;
use yew::prelude::*;

/// How far one arrow key press moves a divider.
const KEY_STEP: f64 = 0.02;

#[derive(Properties, PartialEq)]
pub struct SplitterProps {
    /// Divides columns (moves sideways) rather than rows.
    pub vertical: bool,
    /// What it divides, for screen readers.
    pub label: AttrValue,
    /// The share the pane before it has, 0–1, for `aria-valuenow`.
    pub value: f64,
    /// A move, as a share of the container (positive = right or down).
    pub on_move: Callback<f64>,
    #[prop_or_default]
    pub testid: AttrValue,
}

#[styled_component]
pub fn Splitter(props: &SplitterProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let last = use_mut_ref(|| None::<f64>);
    let vertical = props.vertical;
    let coord = move |e: &PointerEvent| f64::from(if vertical { e.client_x() } else { e.client_y() });
    let size = move |el: &Element| {
        el.parent_element().map_or(1.0, |p| {
            let r = p.get_bounding_client_rect();
            if vertical { r.width() } else { r.height() }.max(1.0)
        })
    };
    let onpointerdown = {
        let last = last.clone();
        Callback::from(move |e: PointerEvent| {
            let el: Element = e.target_unchecked_into();
            // Capturing keeps the drag ours when the pointer outruns the thin bar.
            let _ = el.set_pointer_capture(e.pointer_id());
            *last.borrow_mut() = Some(coord(&e));
        })
    };
    let onpointermove = {
        let last = last.clone();
        let on_move = props.on_move.clone();
        Callback::from(move |e: PointerEvent| {
            let mut last = last.borrow_mut();
            if let Some(from) = *last {
                let el: Element = e.target_unchecked_into();
                let at = coord(&e);
                on_move.emit((at - from) / size(&el));
                *last = Some(at);
            }
        })
    };
    let onpointerup = {
        let last = last.clone();
        Callback::from(move |_: PointerEvent| *last.borrow_mut() = None)
    };
    let onkeydown = {
        let on_move = props.on_move.clone();
        Callback::from(move |e: KeyboardEvent| {
            let step = match (e.key().as_str(), vertical) {
                ("ArrowLeft", true) | ("ArrowUp", false) => -KEY_STEP,
                ("ArrowRight", true) | ("ArrowDown", false) => KEY_STEP,
                _ => return,
            };
            e.prevent_default();
            on_move.emit(step);
        })
    };
    let style = css!(
        r#"
        background: transparent; position: relative; touch-action: none;
        &::after { content: ""; position: absolute; border-radius: 2px; background: ${edge}; }
        &.v { cursor: col-resize; }
        &.v::after { top: 30%; bottom: 30%; left: 3px; width: 4px; }
        &.h { cursor: row-resize; }
        &.h::after { left: 30%; right: 30%; top: 3px; height: 4px; }
        &:hover::after, &:focus-visible::after { background: ${accent}; }
        &:focus-visible { outline: none; }
        "#,
        edge = PANEL_EDGE,
        accent = ACCENT,
    );
    html! {
        <div class={classes!(style, if vertical { "v" } else { "h" })} role="separator" tabindex="0"
            aria-orientation={if vertical { "vertical" } else { "horizontal" }}
            aria-label={format!("{}: {}", t(lang, Msg::Resize), props.label)}
            aria-valuenow={format!("{:.0}", props.value * 100.0)} aria-valuemin="0" aria-valuemax="100"
            data-testid={props.testid.clone()}
            {onpointerdown} {onpointermove} onpointerup={onpointerup.clone()} onpointercancel={onpointerup}
            {onkeydown} />
    }
}
