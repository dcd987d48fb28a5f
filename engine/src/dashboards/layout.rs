//! Rows: in schemaVersion 16 and later a row is a panel of type `row`; an
//! open row owns the panels after it up to the next row, a collapsed row
//! carries its panels inside itself.

use super::model::{Dashboard, Panel};

/// One row of the dashboard (or the panels before the first row).
#[derive(Clone, Debug, PartialEq)]
pub struct Section<'a> {
    /// The row panel; `None` for panels above every row.
    pub row: Option<&'a Panel>,
    /// Whether the row is folded.
    pub collapsed: bool,
    /// Its panels in grid order (y, then x).
    pub panels: Vec<&'a Panel>,
}

/// The dashboard's sections in order.
pub fn sections(dash: &Dashboard) -> Vec<Section<'_>> {
    let mut top: Vec<&Panel> = dash.panels.iter().collect();
    top.sort_by_key(|p| (p.grid_pos.y, p.grid_pos.x));
    let mut out = vec![Section { row: None, collapsed: false, panels: Vec::new() }];
    for p in top {
        if p.kind == "row" {
            let collapsed = p.collapsed == Some(true);
            let mut inner: Vec<&Panel> = if collapsed { p.panels.iter().collect() } else { Vec::new() };
            inner.sort_by_key(|p| (p.grid_pos.y, p.grid_pos.x));
            out.push(Section { row: Some(p), collapsed, panels: inner });
        } else if let Some(last) = out.last_mut() {
            last.panels.push(p);
        }
    }
    out.retain(|s| s.row.is_some() || !s.panels.is_empty());
    out
}

/// Every panel that draws something, open or folded (rows left out).
pub fn all_panels(dash: &Dashboard) -> Vec<&Panel> {
    let mut out = Vec::new();
    for p in &dash.panels {
        if p.kind == "row" {
            out.extend(p.panels.iter());
        } else {
            out.push(p);
        }
    }
    out
}

/// Folds or unfolds the row with `id`, moving its panels as Grafana does.
pub fn toggle_row(dash: &mut Dashboard, id: i64) {
    let mut panels = std::mem::take(&mut dash.panels);
    panels.sort_by_key(|p| (p.grid_pos.y, p.grid_pos.x));
    let Some(at) = panels.iter().position(|p| p.kind == "row" && p.id == Some(id)) else {
        dash.panels = panels;
        return;
    };
    if panels[at].collapsed == Some(true) {
        let mut inner = std::mem::take(&mut panels[at].panels);
        inner.sort_by_key(|p| (p.grid_pos.y, p.grid_pos.x));
        panels[at].collapsed = Some(false);
        // As Grafana unfolds: the panels keep their places relative to the
        // first, which goes right under the row (the row may have moved
        // while folded), and everything below moves down to make room.
        let row_y = panels[at].grid_pos.y;
        let first = inner.first().map_or(row_y + 1, |p| p.grid_pos.y);
        let mut bottom = row_y + 1;
        for p in &mut inner {
            p.grid_pos.y = (p.grid_pos.y + row_y + 1).saturating_sub(first);
            bottom = bottom.max(p.grid_pos.y + p.grid_pos.h.max(1));
        }
        let mut tail = panels.split_off(at + 1);
        for p in &mut tail {
            p.grid_pos.y += bottom - row_y - 1;
        }
        panels.extend(inner);
        panels.extend(tail);
    } else {
        let end = panels[at + 1..].iter().position(|p| p.kind == "row").map_or(panels.len(), |i| at + 1 + i);
        let inner: Vec<Panel> = panels.drain(at + 1..end).collect();
        panels[at].panels = inner;
        panels[at].collapsed = Some(true);
    }
    dash.panels = panels;
}

/// What the panel editor's Apply does: the panel takes the place of the
/// panel with its id (in a folded row too), or, new, goes at the end.
pub fn put_panel(dash: &mut Dashboard, panel: Panel) {
    fn replace(panels: &mut [Panel], panel: &Panel) -> bool {
        for p in panels.iter_mut() {
            if p.id.is_some() && p.id == panel.id && p.kind != "row" {
                *p = panel.clone();
                return true;
            }
            if replace(&mut p.panels, panel) {
                return true;
            }
        }
        false
    }
    if !replace(&mut dash.panels, &panel) {
        dash.panels.push(panel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_panel_replaces_its_namesake_by_id_and_a_new_one_is_added() {
        let base = Dashboard::import(
            r#"{"panels":[
              {"id":1,"type":"stat","title":"top"},
              {"id":2,"type":"row","title":"folded","collapsed":true,"panels":[{"id":3,"type":"gauge","title":"inner"}]}
            ]}"#,
        )
        .unwrap_or_default();
        let panel =
            |id: Option<i64>, kind: &str| Panel { id, kind: kind.into(), title: "edited".into(), ..Panel::default() };
        let titles = |d: &Dashboard| -> Vec<String> {
            all_panels(d).iter().map(|p| format!("{}:{}", p.kind, p.title)).collect()
        };
        let table: &[(Panel, &[&str])] = &[
            (panel(Some(1), "timeseries"), &["timeseries:edited", "gauge:inner"]),
            (panel(Some(3), "stat"), &["stat:top", "stat:edited"]),
            // A row's id names the row, not a panel to overwrite.
            (panel(Some(2), "stat"), &["stat:top", "gauge:inner", "stat:edited"]),
            (panel(Some(9), "table"), &["stat:top", "gauge:inner", "table:edited"]),
            (panel(None, "table"), &["stat:top", "gauge:inner", "table:edited"]),
        ];
        for (p, want) in table {
            let mut d = base.clone();
            put_panel(&mut d, p.clone());
            assert_eq!(titles(&d), *want, "{p:?}");
        }
    }

    #[test]
    fn rows_open_fold_and_unfold() {
        let mut d = Dashboard::import(
            r#"{"panels":[
              {"id":1,"type":"stat","title":"top","gridPos":{"x":0,"y":0,"w":24,"h":4}},
              {"id":2,"type":"row","title":"CPU","collapsed":false,"gridPos":{"x":0,"y":4,"w":24,"h":1}},
              {"id":3,"type":"timeseries","title":"a","gridPos":{"x":0,"y":5,"w":12,"h":8}},
              {"id":4,"type":"timeseries","title":"b","gridPos":{"x":12,"y":5,"w":12,"h":8}},
              {"id":5,"type":"row","title":"Memory","collapsed":true,"gridPos":{"x":0,"y":13,"w":24,"h":1},
               "panels":[{"id":6,"type":"gauge","title":"c","gridPos":{"x":0,"y":14,"w":8,"h":8}}]}]}"#,
        )
        .expect("dashboard");
        let titles = |d: &Dashboard| -> Vec<(String, bool, Vec<String>)> {
            sections(d)
                .iter()
                .map(|s| {
                    (
                        s.row.map_or(String::new(), |r| r.title.clone()),
                        s.collapsed,
                        s.panels.iter().map(|p| p.title.clone()).collect(),
                    )
                })
                .collect()
        };
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            titles(&d),
            vec![
                (String::new(), false, s(&["top"])),
                ("CPU".into(), false, s(&["a", "b"])),
                ("Memory".into(), true, s(&["c"]))
            ]
        );
        assert_eq!(all_panels(&d).len(), 4);
        toggle_row(&mut d, 2);
        toggle_row(&mut d, 5);
        // Unfolded under its row, which now sits at 13; nothing below it.
        let c = all_panels(&d).into_iter().find(|p| p.title == "c").map(|p| p.grid_pos);
        assert_eq!(c.map(|g| (g.x, g.y)), Some((0, 14)));
        // Unfolding CPU again puts a and b under it and pushes Memory and c down by their height.
        toggle_row(&mut d, 2);
        let ys: Vec<(String, u32)> = d.panels.iter().map(|p| (p.title.clone(), p.grid_pos.y)).collect();
        let want: Vec<(String, u32)> = [("top", 0), ("CPU", 4), ("a", 5), ("b", 5), ("Memory", 21), ("c", 22)]
            .iter()
            .map(|(t, y)| (t.to_string(), *y))
            .collect();
        assert_eq!(ys, want);
        toggle_row(&mut d, 2);
        assert_eq!(
            titles(&d),
            vec![
                (String::new(), false, s(&["top"])),
                ("CPU".into(), true, s(&["a", "b"])),
                ("Memory".into(), false, s(&["c"]))
            ]
        );
        assert_eq!(all_panels(&d).len(), 4);
    }
}
