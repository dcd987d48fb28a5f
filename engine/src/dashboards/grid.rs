//! Moving and resizing panels on the 24-column grid as Grafana does: its
//! grid is react-grid-layout with vertical compaction, so a panel dragged
//! onto others pushes them down (or lets one jump above it), and then
//! every item floats up as far as it can. Rows are items too (full width,
//! one grid row high); a folded row carries its panels inside itself, so
//! they never take part. What a row owns follows from the result: the
//! panels below it up to the next row.

use super::model::{Dashboard, GridPos, Panel};

/// Columns in a dashboard's grid.
pub const COLUMNS: u32 = 24;

/// One item of the layout: a top-level panel or row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Item {
    x: u32,
    y: u32,
    w: u32,
    h: u32,
    /// Set while one move settles, so a cascade never moves an item twice
    /// (react-grid-layout's `moved`).
    moved: bool,
}

impl Item {
    fn bottom(&self) -> u32 {
        self.y + self.h
    }

    fn overlaps(&self, o: &Item) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.bottom() && o.y < self.bottom()
    }
}

/// A panel's place with the sizes an incomplete `gridPos` leaves out
/// filled in, kept inside the grid; rows always span it, one row high.
pub fn cell(p: &Panel) -> GridPos {
    let g = p.grid_pos;
    if p.kind == "row" {
        return GridPos { x: 0, y: g.y, w: COLUMNS, h: 1 };
    }
    let w = if g.w == 0 { 12 } else { g.w.min(COLUMNS) };
    let h = if g.h == 0 { 8 } else { g.h };
    GridPos { x: g.x.min(COLUMNS - w), y: g.y, w, h }
}

fn items(dash: &Dashboard) -> Vec<Item> {
    dash.panels
        .iter()
        .map(|p| {
            let g = cell(p);
            Item { x: g.x, y: g.y, w: g.w, h: g.h, moved: false }
        })
        .collect()
}

/// Which items are rows.
fn rows(dash: &Dashboard) -> Vec<bool> {
    dash.panels.iter().map(|p| p.kind == "row").collect()
}

/// Indices by row, then column (react-grid-layout's `sortLayoutItemsByRowCol`).
fn by_row(items: &[Item]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_key(|&i| (items[i].y, items[i].x));
    order
}

/// The first item (in list order) other than `skip` that overlaps `probe`.
fn first_overlap(items: &[Item], probe: &Item, skip: Option<usize>) -> Option<usize> {
    (0..items.len()).find(|&j| Some(j) != skip && items[j].overlaps(probe))
}

/// Vertical compaction: in grid order, each item rises until it would
/// overlap one already placed, and goes below any it still overlaps. Rows
/// are floors: a row sits below everything before it, and a panel never
/// rises above the row it comes after, so a row keeps its panels however
/// the others move (plain react-grid-layout would let them float out).
fn compact(items: &mut [Item], rows: &[bool]) {
    let mut placed: Vec<usize> = Vec::with_capacity(items.len());
    let mut owner: Option<usize> = None;
    for i in by_row(items) {
        let mut l = items[i];
        let bottom = placed.iter().map(|&j| items[j].bottom()).max().unwrap_or(0);
        let floor = if rows[i] { bottom } else { owner.map_or(0, |r| items[r].bottom()) };
        if rows[i] {
            owner = Some(i);
        }
        l.y = l.y.min(bottom).max(floor);
        let hits = |l: &Item, items: &[Item]| placed.iter().copied().find(|&j| items[j].overlaps(l));
        while l.y > floor && hits(&l, items).is_none() {
            l.y -= 1;
        }
        while let Some(j) = hits(&l, items) {
            l.y = items[j].bottom();
        }
        l.moved = false;
        items[i] = l;
        placed.push(i);
    }
}

/// react-grid-layout's `moveElement` for vertical compaction: puts item
/// `i` at `x` (when given) and `y`, then moves what it now overlaps.
fn move_item(items: &mut [Item], i: usize, x: Option<u32>, y: u32, user: bool) {
    let old_y = items[i].y;
    if x == Some(items[i].x) && y == old_y {
        return;
    }
    if let Some(x) = x {
        items[i].x = x;
    }
    items[i].y = y;
    items[i].moved = true;
    let mut order = by_row(items);
    if old_y >= y {
        // Moving up: the lowest collisions are settled first.
        order.reverse();
    }
    let collisions: Vec<usize> = order.into_iter().filter(|&j| j != i && items[j].overlaps(&items[i])).collect();
    for j in collisions {
        if !items[j].moved {
            move_away(items, i, j, user);
        }
    }
}

/// Moves item `m` out of the way of item `by`: for the item the user moved,
/// above it when there is room there, else down one row at a time.
fn move_away(items: &mut [Item], by: usize, m: usize, user: bool) {
    if user {
        let above = Item { y: items[by].y.saturating_sub(items[m].h), ..items[m] };
        match first_overlap(items, &above, None) {
            None => return move_item(items, m, None, above.y, false),
            Some(f) if items[f].bottom() > items[by].y => {
                return move_item(items, m, None, items[by].y + 1, false);
            }
            Some(_) => {}
        }
    }
    let y = items[m].y + 1;
    move_item(items, m, None, y, false)
}

/// The rows' indices in grid order.
fn row_order(dash: &Dashboard, items: &[Item]) -> Vec<usize> {
    by_row(items).into_iter().filter(|&i| dash.panels[i].kind == "row").collect()
}

/// Writes the layout back into the panels' `gridPos`.
fn write(dash: &mut Dashboard, items: &[Item]) {
    for (p, it) in dash.panels.iter_mut().zip(items) {
        p.grid_pos = GridPos { x: it.x, y: it.y, w: it.w, h: it.h };
    }
}

/// Lays the dashboard out as Grafana shows it on load: sizes filled in,
/// everything compacted upward.
pub fn arrange(dash: &mut Dashboard) {
    let items = compacted(dash);
    write(dash, &items);
}

/// The top-level panels' places as the grid shows them: compacted.
fn compacted(dash: &Dashboard) -> Vec<Item> {
    let mut items = items(dash);
    compact(&mut items, &rows(dash));
    items
}

/// Applies a settled layout unless it would change the order of the rows,
/// which a drag never does in Grafana (rows move only by their own drag).
fn settle(dash: &mut Dashboard, before: &[Item], mut after: Vec<Item>) -> bool {
    compact(&mut after, &rows(dash));
    if row_order(dash, before) != row_order(dash, &after) || after == before {
        return false;
    }
    write(dash, &after);
    true
}

/// Drags the top-level panel at `index` (in `dash.panels`) to column `x`,
/// grid row `y`; false when nothing moved (a row, an index out of range,
/// or the same place).
pub fn move_panel(dash: &mut Dashboard, index: usize, x: u32, y: u32) -> bool {
    if dash.panels.get(index).is_none_or(|p| p.kind == "row") {
        return false;
    }
    let before = compacted(dash);
    let mut after = before.clone();
    let x = x.min(COLUMNS - after[index].w);
    move_item(&mut after, index, Some(x), y, true);
    settle(dash, &before, after)
}

/// The keyboard's move: one column left or right, or up or down to the
/// nearest grid row where the layout changes (a single row is often
/// undone by compaction); false at an edge or with nowhere to go.
pub fn nudge(dash: &mut Dashboard, index: usize, dx: i32, dy: i32) -> bool {
    if dash.panels.get(index).is_none_or(|p| p.kind == "row") {
        return false;
    }
    let items = compacted(dash);
    let here = items[index];
    if dy == 0 {
        let x = here.x.saturating_add_signed(dx).min(COLUMNS - here.w);
        return x != here.x && move_panel(dash, index, x, here.y);
    }
    let bottom = items.iter().map(Item::bottom).max().unwrap_or(0);
    let mut y = here.y;
    while (dy < 0 && y > 0) || (dy > 0 && y <= bottom) {
        y = y.saturating_add_signed(dy.signum());
        if move_panel(dash, index, here.x, y) {
            return true;
        }
    }
    false
}

/// Resizes the top-level panel at `index` to `w` columns by `h` grid rows
/// (at least one of each, never past the right edge); false when nothing
/// changed.
pub fn resize_panel(dash: &mut Dashboard, index: usize, w: u32, h: u32) -> bool {
    if dash.panels.get(index).is_none_or(|p| p.kind == "row") {
        return false;
    }
    let before = compacted(dash);
    let mut after = before.clone();
    let it = &mut after[index];
    it.w = w.clamp(1, COLUMNS - it.x);
    it.h = h.max(1);
    settle(dash, &before, after)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A dashboard from `(title, x, y, w, h)`; a title starting with `=`
    /// is a row.
    fn dash(cells: &[(&str, u32, u32, u32, u32)]) -> Dashboard {
        let panels = cells
            .iter()
            .enumerate()
            .map(|(i, &(t, x, y, w, h))| Panel {
                id: Some(i as i64 + 1),
                kind: if t.starts_with('=') { "row".into() } else { "stat".into() },
                title: t.into(),
                grid_pos: GridPos { x, y, w, h },
                ..Panel::default()
            })
            .collect();
        Dashboard { panels, ..Dashboard::default() }
    }

    fn layout(d: &Dashboard) -> Vec<(&str, u32, u32, u32, u32)> {
        d.panels.iter().map(|p| (p.title.as_str(), p.grid_pos.x, p.grid_pos.y, p.grid_pos.w, p.grid_pos.h)).collect()
    }

    type Cells = &'static [(&'static str, u32, u32, u32, u32)];

    #[test]
    fn arranging_fills_in_sizes_and_floats_everything_up() {
        let table: &[(Cells, Cells)] = &[
            // A gap above closes; one beside a tall panel stays up.
            (&[("a", 0, 3, 12, 4), ("b", 12, 9, 12, 2)], &[("a", 0, 0, 12, 4), ("b", 12, 0, 12, 2)]),
            // Overlaps are resolved downward in grid order.
            (&[("a", 0, 0, 12, 4), ("b", 6, 1, 12, 2)], &[("a", 0, 0, 12, 4), ("b", 6, 4, 12, 2)]),
            // Missing sizes are 12 × 8, too wide ones are cut, rows span the grid.
            (
                &[("a", 20, 0, 0, 0), ("=r", 5, 30, 3, 7), ("b", 0, 31, 40, 2)],
                &[("a", 12, 0, 12, 8), ("=r", 0, 8, 24, 1), ("b", 0, 9, 24, 2)],
            ),
        ];
        for (given, want) in table {
            let mut d = dash(given);
            arrange(&mut d);
            assert_eq!(layout(&d), *want, "{given:?}");
            let again = d.clone();
            arrange(&mut d);
            assert_eq!(d, again, "arranging twice changes nothing");
        }
    }

    /// (panels, panel index, x, y, moved?, result)
    type MoveCase = (Cells, usize, u32, u32, bool, Cells);

    #[test]
    fn moving_pushes_others_aside_and_compacts() {
        let two_up: Cells = &[("a", 0, 0, 12, 8), ("b", 12, 0, 12, 8)];
        let stacked: Cells = &[("a", 0, 0, 24, 4), ("b", 0, 4, 24, 4), ("c", 0, 8, 24, 4)];
        let rows: Cells = &[("a", 0, 0, 12, 4), ("=cpu", 0, 4, 24, 1), ("b", 0, 5, 12, 4), ("=mem", 0, 9, 24, 1)];
        let table: &[MoveCase] = &[
            // Side by side: a takes b's place and b goes below it (vertical
            // compaction never moves a panel sideways).
            (two_up, 0, 12, 0, true, &[("a", 12, 0, 12, 8), ("b", 12, 8, 12, 8)]),
            // Dropped lower with nothing under it, a floats back up.
            (two_up, 0, 0, 20, false, two_up),
            // Past the right edge: kept inside the grid.
            (&[("a", 0, 0, 6, 2)], 0, 30, 0, true, &[("a", 18, 0, 6, 2)]),
            // The bottom one dragged to the top: the others shift down one place.
            (stacked, 2, 0, 0, true, &[("a", 0, 4, 24, 4), ("b", 0, 8, 24, 4), ("c", 0, 0, 24, 4)]),
            // The top one dragged onto the middle one's top half stays above it.
            (stacked, 0, 0, 3, false, stacked),
            // Dragged onto the middle one's place: the two swap.
            (stacked, 0, 0, 4, true, &[("a", 0, 4, 24, 4), ("b", 0, 0, 24, 4), ("c", 0, 8, 24, 4)]),
            // Onto a row: the row jumps above it, so it joins that row.
            (
                rows,
                0,
                0,
                4,
                true,
                &[("a", 0, 1, 12, 4), ("=cpu", 0, 0, 24, 1), ("b", 0, 5, 12, 4), ("=mem", 0, 9, 24, 1)],
            ),
            // Below the last row: it joins the last row, under its header.
            (
                rows,
                2,
                0,
                40,
                true,
                &[("a", 0, 0, 12, 4), ("=cpu", 0, 4, 24, 1), ("b", 0, 6, 12, 4), ("=mem", 0, 5, 24, 1)],
            ),
            // Rows are not dragged like panels, and a missing index is no panel.
            (rows, 1, 0, 0, false, rows),
            (rows, 9, 0, 0, false, rows),
        ];
        for (given, index, x, y, moved, want) in table {
            let mut d = dash(given);
            assert_eq!(move_panel(&mut d, *index, *x, *y), *moved, "{given:?} #{index} to {x},{y}");
            assert_eq!(layout(&d), *want, "{given:?} #{index} to {x},{y}");
        }
    }

    /// (panels, panel index, w, h, result)
    type ResizeCase = (Cells, usize, u32, u32, Cells);

    #[test]
    fn resizing_pushes_what_it_covers_down() {
        let table: &[ResizeCase] = &[
            // Wider over its neighbour: the neighbour goes below.
            (&[("a", 0, 0, 12, 8), ("b", 12, 0, 12, 8)], 0, 16, 8, &[("a", 0, 0, 16, 8), ("b", 12, 8, 12, 8)]),
            // Taller: what is under it moves down with its edge.
            (&[("a", 0, 0, 24, 4), ("b", 0, 4, 24, 4)], 0, 24, 10, &[("a", 0, 0, 24, 10), ("b", 0, 10, 24, 4)]),
            // Shorter: what is under it rises.
            (&[("a", 0, 0, 24, 4), ("b", 0, 4, 24, 4)], 0, 24, 2, &[("a", 0, 0, 24, 2), ("b", 0, 2, 24, 4)]),
            // Never past the grid's right edge, never below one cell.
            (&[("a", 6, 0, 6, 4)], 0, 40, 0, &[("a", 6, 0, 18, 1)]),
        ];
        for (given, index, w, h, want) in table {
            let mut d = dash(given);
            resize_panel(&mut d, *index, *w, *h);
            assert_eq!(layout(&d), *want, "{given:?} #{index} to {w}×{h}");
        }
    }

    /// (panels, panel index, dx, dy, result)
    type NudgeCase = (Cells, usize, i32, i32, Cells);

    #[test]
    fn the_keyboard_moves_to_the_next_place_that_differs() {
        let stacked: Cells = &[("a", 0, 0, 24, 4), ("b", 0, 4, 24, 4)];
        let table: &[NudgeCase] = &[
            // Down: one row would float back; the first row that changes
            // anything is where the two swap.
            (stacked, 0, 0, 1, &[("a", 0, 4, 24, 4), ("b", 0, 0, 24, 4)]),
            (stacked, 1, 0, -1, &[("a", 0, 4, 24, 4), ("b", 0, 0, 24, 4)]),
            // Already last, already first: nowhere to go.
            (stacked, 1, 0, 1, stacked),
            (stacked, 0, 0, -1, stacked),
            // Sideways by one column, within the grid.
            (&[("a", 0, 0, 12, 4)], 0, 1, 0, &[("a", 1, 0, 12, 4)]),
            (&[("a", 0, 0, 12, 4)], 0, -1, 0, &[("a", 0, 0, 12, 4)]),
            (&[("a", 12, 0, 12, 4)], 0, 1, 0, &[("a", 12, 0, 12, 4)]),
        ];
        for (given, index, dx, dy, want) in table {
            let mut d = dash(given);
            nudge(&mut d, *index, *dx, *dy);
            assert_eq!(layout(&d), *want, "{given:?} #{index} by {dx},{dy}");
        }
    }

    #[test]
    fn a_row_keeps_its_panels_when_a_panel_above_it_grows() {
        // The row goes down under the taller panel; its own panel, though
        // there is room beside, stays under it rather than floating out.
        let mut d = dash(&[("a", 0, 0, 12, 4), ("b", 12, 0, 12, 4), ("=r", 0, 4, 24, 1), ("c", 0, 5, 12, 4)]);
        resize_panel(&mut d, 1, 12, 10);
        assert_eq!(layout(&d), [("a", 0, 0, 12, 4), ("b", 12, 0, 12, 10), ("=r", 0, 10, 24, 1), ("c", 0, 11, 12, 4)]);
    }

    #[test]
    fn a_folded_row_carries_its_panels_through_a_move() {
        let mut d = dash(&[("a", 0, 0, 24, 4), ("=folded", 0, 4, 24, 1), ("b", 0, 5, 24, 4)]);
        d.panels[1].collapsed = Some(true);
        d.panels[1].panels =
            vec![Panel { title: "inner".into(), grid_pos: GridPos { x: 0, y: 5, w: 8, h: 3 }, ..Panel::default() }];
        assert!(move_panel(&mut d, 2, 0, 0));
        assert_eq!(layout(&d), [("a", 0, 4, 24, 4), ("=folded", 0, 8, 24, 1), ("b", 0, 0, 24, 4)]);
        assert_eq!(d.panels[1].panels[0].grid_pos, GridPos { x: 0, y: 5, w: 8, h: 3 }, "untouched inside its row");
    }
}
