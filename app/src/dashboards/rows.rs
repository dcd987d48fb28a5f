//! A long legend or table puts only the rows near its scroll position in
//! the page, with a spacer for the rest, so a panel of hundreds of series
//! costs a refresh a few dozen rows to build, compare and lay out.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// Tables up to this many rows are put in the page whole.
const WHOLE: usize = 120;
/// Rows put in the page around the scroll position: more than any
/// panel's scroll box shows.
const SHOWN: usize = 80;

/// The rows of a table to put in the page, and the height the others take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowWindow {
    pub start: usize,
    pub end: usize,
    pub before_px: i32,
    pub after_px: i32,
}

impl RowWindow {
    /// Every one of `total` rows.
    pub fn whole(total: usize) -> Self {
        RowWindow { start: 0, end: total, before_px: 0, after_px: 0 }
    }
}

fn window(total: usize, scroll_top: i32, row_px: i32) -> RowWindow {
    if total <= WHOLE {
        return RowWindow::whole(total);
    }
    let first = (scroll_top.max(0) / row_px.max(1)) as usize;
    let start = first.saturating_sub(SHOWN / 4).min(total - SHOWN);
    let end = start + SHOWN;
    RowWindow { start, end, before_px: start as i32 * row_px, after_px: (total - end) as i32 * row_px }
}

/// The window over `total` rows of the scroll box `node` (its rows marked
/// `data-row`), and the box's scroll handler. The row height is measured
/// from a shown row, so the spacers match what the rows would take.
#[hook]
pub fn use_row_window(node: NodeRef, total: usize) -> (RowWindow, Callback<Event>) {
    let scroll_top = use_state(|| 0i32);
    let row_px = use_state(|| 18i32);
    let shown = window(total, *scroll_top, *row_px);
    {
        let row_px = row_px.clone();
        use_effect(move || {
            // Reading a row's height lays the page out: only a windowed
            // list needs it.
            if total <= WHOLE {
                return;
            }
            let measured = node
                .cast::<Element>()
                .and_then(|el| el.query_selector("[data-row]").ok().flatten())
                .and_then(|row| row.dyn_into::<HtmlElement>().ok())
                .map(|row| row.offset_height())
                .filter(|h| *h > 0);
            if let Some(h) = measured.filter(|h| *h != *row_px) {
                row_px.set(h);
            }
        });
    }
    let onscroll = {
        let scroll_top = scroll_top.clone();
        let row_px = *row_px;
        Callback::from(move |e: Event| {
            let Some(el) = e.target_dyn_into::<Element>() else { return };
            let top = el.scroll_top();
            // Drawn again only when another row comes to the top.
            if top / row_px.max(1) != *scroll_top / row_px.max(1) {
                scroll_top.set(top);
            }
        })
    };
    (shown, onscroll)
}

/// A spacer standing for `px` of rows left out: a table row spanning
/// `columns`, or a block in a list of blocks when there are none.
pub fn spacer(px: i32, columns: Option<usize>) -> Html {
    if px <= 0 {
        return html! {};
    }
    match columns {
        Some(n) => html! {
            <tr class="spacer" aria-hidden="true"><td colspan={n.to_string()} style={format!("height:{px}px;padding:0;border:0")} /></tr>
        },
        None => html! { <div class="spacer" aria-hidden="true" style={format!("height:{px}px;flex:none")} /> },
    }
}
